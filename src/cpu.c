/* cpu.c: the CPU pool: a fixed set of threads taking tasks from two queues, new requests first. */
#include "cpu.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"

struct queue {
	struct cpu_task	*head, *tail;
};

struct cpu_pool;

/* A worker: seq is odd while it runs a task (cpu_quiesce waits for it to move on). */
struct worker {
	struct cpu_pool	*p;
	unsigned long	 seq;
};

struct cpu_pool {
	pthread_mutex_t	 mu;
	pthread_cond_t	 more;
	pthread_cond_t	 ended;		/* a task ended while someone quiesces */
	long		 quiescing;
	struct worker	*workers;
	struct queue	 q[2];
	long		 n, started, idle;
	long		 active;	/* tasks running now: they may post more */
	int		 stopping;
	pthread_t	*threads;
};

static void
push(struct queue *q, struct cpu_task *t)
{
	t->next = NULL;
	if (q->tail != NULL)
		q->tail->next = t;
	else
		q->head = t;
	q->tail = t;
}

static struct cpu_task *
pop(struct queue *q)
{
	struct cpu_task *t = q->head;

	if (t != NULL && (q->head = t->next) == NULL)
		q->tail = NULL;
	return t;
}

static void *
worker(void *arg)
{
	struct worker	*me = arg;
	struct cpu_pool	*p = me->p;
	struct cpu_task	*t;
	unsigned long	 taken = 0;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		/* New requests first; every CPU_WORK_EVERY-th task taken, work first. */
		if ((taken + 1) % CPU_WORK_EVERY == 0)
			t = (t = pop(&p->q[CPU_WORK])) ? t : pop(&p->q[CPU_NEW]);
		else
			t = (t = pop(&p->q[CPU_NEW])) ? t : pop(&p->q[CPU_WORK]);
		if (t != NULL)
			taken++;
		if (t == NULL) {
			if (p->stopping && p->active == 0) {
				pthread_cond_broadcast(&p->more);
				break;
			}
			p->idle++;
			pthread_cond_wait(&p->more, &p->mu);
			p->idle--;
			continue;
		}
		p->active++;
		me->seq++;
		pthread_mutex_unlock(&p->mu);
		metrics_busy(1);
		t->fn(t);
		metrics_busy(-1);
		pthread_mutex_lock(&p->mu);
		p->active--;
		me->seq++;
		if (p->quiescing > 0)
			pthread_cond_broadcast(&p->ended);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct cpu_pool *
cpu_start(long n)
{
	struct cpu_pool	*p;
	long		 i;

	if (n < 1)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->threads = calloc((size_t)n, sizeof(*p->threads))) == NULL ||
	    (p->workers = calloc((size_t)n, sizeof(*p->workers))) == NULL) {
		if (p != NULL)
			free(p->threads);
		free(p);
		return NULL;
	}
	p->n = n;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->more, NULL);
	pthread_cond_init(&p->ended, NULL);
	for (i = 0; i < n; i++)
		p->workers[i].p = p;
	for (i = 0; i < n; i++)
		if (pthread_create(&p->threads[i], NULL, worker,
		    &p->workers[i]) != 0) {
			log_warn("cpu: only %ld of %ld threads could start", i, n);
			break;
		}
	p->started = i;
	metrics_set_threads(i);
	if (i == 0) {
		cpu_stop(p);
		return NULL;
	}
	return p;
}

void
cpu_post(struct cpu_pool *p, struct cpu_task *t, enum cpu_prio prio)
{
	pthread_mutex_lock(&p->mu);
	push(&p->q[prio == CPU_NEW ? CPU_NEW : CPU_WORK], t);
	if (p->idle > 0)
		pthread_cond_signal(&p->more);
	pthread_mutex_unlock(&p->mu);
}

int
cpu_quiesce(struct cpu_pool *p)
{
	unsigned long	*seen;
	long		 i;

	if ((seen = calloc((size_t)p->started, sizeof(*seen))) == NULL)
		return -1;
	pthread_mutex_lock(&p->mu);
	p->quiescing++;
	for (i = 0; i < p->started; i++)
		seen[i] = p->workers[i].seq;
	for (i = 0; i < p->started; i++)
		while ((seen[i] & 1) && p->workers[i].seq == seen[i])
			pthread_cond_wait(&p->ended, &p->mu);
	p->quiescing--;
	pthread_mutex_unlock(&p->mu);
	free(seen);
	return 0;
}

long
cpu_threads(const struct cpu_pool *p)
{
	return p->started;
}

void
cpu_stop(struct cpu_pool *p)
{
	long i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stopping = 1;
	pthread_cond_broadcast(&p->more);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->started; i++)
		pthread_join(p->threads[i], NULL);
	pthread_cond_destroy(&p->more);
	pthread_cond_destroy(&p->ended);
	pthread_mutex_destroy(&p->mu);
	free(p->workers);
	free(p->threads);
	free(p);
}
