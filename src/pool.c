/* pool.c: the worker threads, from a few up to a maximum as requests wait. */
#include <fcgiapp.h>
#include <pthread.h>
#include <stdlib.h>

#include "fetch.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "pool.h"

/*
 * Every free thread blocks in FCGX_Accept_r. A thread that accepted the
 * last request anyone was waiting for starts another, up to max_threads,
 * so the next request never waits for a thread while threads wait on
 * Partner Center. It also keeps min_spare threads in accept, unless
 * max_runnable threads are already busy with something other than waiting
 * on Partner Center (their own call or another request's): spares for a
 * crowd waiting on Partner Center, but not for work that only needs the
 * CPU, which then queues in the listen backlog instead of being spread
 * over more threads than the cores can run.
 *
 * Why not start max_threads at once: the kernel hands connections to the
 * threads in accept() first in, first out, so with 256 of them every
 * request ran on a cold thread, and every thread kept memory and a
 * connection to Partner Center of its own. A thread that finishes a
 * request while max_spare others are free ends, so a past crowd does not
 * keep its memory either. Every thread is joined (an ended one when the
 * next is started, the rest when stopping), so none still runs library
 * code when main tears the libraries down.
 */

struct thr {
	pthread_t		 t;
	struct pool		*p;
	int			 done;		/* returned or about to: join it */
	struct thr		*next;
};

struct pool {
	struct pool_opts	 o;
	pthread_mutex_t		 mu;
	pthread_cond_t		 gone;		/* total went down */
	pthread_attr_t		 attr;
	struct thr		*threads;	/* every thread not joined yet */
	long			 total;		/* threads running */
	long			 nfree;		/* of them, waiting in accept */
	int			 stopping;
};

static void	*worker(void *);

/* Called with mu held: joins the threads that ended (they need mu no more). */
static void
reap_locked(struct pool *p)
{
	struct thr	**pp = &p->threads, *t;

	while ((t = *pp) != NULL)
		if (t->done) {
			*pp = t->next;
			pthread_join(t->t, NULL);
			free(t);
		} else
			pp = &t->next;
}

/* Called with mu held; mu is dropped while the thread is created. */
static int
spawn_locked(struct pool *p)
{
	struct thr	*t;
	int		 rc = -1;

	reap_locked(p);
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return -1;
	t->p = p;
	p->total++;
	p->nfree++;
	pthread_mutex_unlock(&p->mu);
	rc = pthread_create(&t->t, &p->attr, worker, t);
	pthread_mutex_lock(&p->mu);
	if (rc != 0) {
		free(t);
		p->total--;
		p->nfree--;
		pthread_cond_broadcast(&p->gone);
		return -1;
	}
	t->next = p->threads;
	p->threads = t;
	metrics_set_threads(p->total);
	return 0;
}

static void *
worker(void *arg)
{
	struct thr		*self = arg;
	struct pool		*p = self->p;
	struct fetch_ctx	 fetch;
	FCGX_Request		 req;
	int			 ok = 0, retire = 0;

	fetch.tokens = p->o.tokens;
	fetch.cache = p->o.cache;
	if ((fetch.upstream = upstream_new(&p->o.upstream)) == NULL)
		log_err("worker: cannot create an HTTP client (out of memory)");
	else if (FCGX_InitRequest(&req, p->o.listen_fd, 0) != 0)
		log_err("worker: FCGX_InitRequest failed");
	else
		ok = 1;

	while (ok && !retire && FCGX_Accept_r(&req) >= 0) {
		pthread_mutex_lock(&p->mu);
		p->nfree--;
		while (!p->stopping && p->total < p->o.max_threads &&
		    (p->nfree == 0 || (p->nfree < p->o.min_spare &&
		    p->total - p->nfree - metrics_waiting_now() <
		    p->o.max_runnable)))
			if (spawn_locked(p) == -1) {
				log_warn("worker: cannot start another thread "
				    "(%ld running)", p->total);
				break;
			}
		pthread_mutex_unlock(&p->mu);

		http_serve(&req, &fetch);
		FCGX_Finish_r(&req);

		pthread_mutex_lock(&p->mu);
		if (p->nfree >= p->o.max_spare && p->total > p->o.min_spare)
			retire = 1;
		else
			p->nfree++;
		pthread_mutex_unlock(&p->mu);
	}
	if (ok)
		FCGX_Free(&req, 1);
	if (fetch.upstream != NULL)
		upstream_free(fetch.upstream);
	pthread_mutex_lock(&p->mu);
	p->total--;
	if (!retire)
		p->nfree--;
	self->done = 1;
	metrics_set_threads(p->total);
	pthread_cond_broadcast(&p->gone);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct pool *
pool_start(const struct pool_opts *o)
{
	struct pool	*p;
	long		 i, first;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->o = *o;
	if (p->o.max_threads < 1)
		p->o.max_threads = 1;
	if (p->o.min_spare < 1)
		p->o.min_spare = 1;
	if (p->o.max_runnable < 1)
		p->o.max_runnable = 1;
	if (p->o.max_spare < p->o.min_spare)
		p->o.max_spare = p->o.min_spare;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->gone, NULL);
	/* Many threads, each mostly waiting: small stacks keep the memory low. */
	pthread_attr_init(&p->attr);
	pthread_attr_setstacksize(&p->attr, 256 * 1024);
	first = p->o.min_spare < p->o.max_threads ? p->o.min_spare :
	    p->o.max_threads;
	pthread_mutex_lock(&p->mu);
	for (i = 0; i < first; i++)
		if (spawn_locked(p) == -1)
			break;
	pthread_mutex_unlock(&p->mu);
	if (i == 0) {
		pool_stop(p);
		return NULL;
	}
	return p;
}

long
pool_threads(struct pool *p)
{
	long	 n;

	pthread_mutex_lock(&p->mu);
	n = p->total;
	pthread_mutex_unlock(&p->mu);
	return n;
}

void
pool_stop(struct pool *p)
{
	struct thr	*t;

	pthread_mutex_lock(&p->mu);
	p->stopping = 1;
	/* Threads still running need mu to end: join them without it. */
	for (;;) {
		if ((t = p->threads) != NULL) {
			p->threads = t->next;
			pthread_mutex_unlock(&p->mu);
			pthread_join(t->t, NULL);
			free(t);
			pthread_mutex_lock(&p->mu);
		} else if (p->total > 0)	/* one being started */
			pthread_cond_wait(&p->gone, &p->mu);
		else
			break;
	}
	pthread_mutex_unlock(&p->mu);
	pthread_attr_destroy(&p->attr);
	pthread_cond_destroy(&p->gone);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
