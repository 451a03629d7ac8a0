/* core.c: the serving core: one accept thread, requests routed and answered on the CPU pool or parked for Partner Center, their log line, a clean stop. */
#include "core.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "fcgi.h"
#include "log.h"
#include "metrics.h"

/* One accepted request, from accept to its finished answer. */
struct job {
	struct cpu_task		 task;
	struct handler_job	 hj;
	struct http_in		 in;
	struct fcgi_conn	*conn;		/* NULL: a local request */
	struct core		*core;
	struct job		*next_free;
	int64_t			 t0_ms;
	int64_t			 now;		/* the request's wall clock, for the view */
	/* A local request: where its answer goes. */
	struct response		*local_res;
	int			 local_done;
};

/*
 * Accepting blocks: libfcgi accepts, then waits (poll, then read) for
 * nginx to send the request's first records, and a busy nginx writes them
 * a little after it connects. One thread accepting one request at a time
 * capped the server near 1,200 requests/s; a few accept side by side.
 */
#define ACCEPTORS	2

struct core {
	struct core_opts	 o;
	pthread_t		 acceptors[ACCEPTORS];
	int			 nacceptors;
	pthread_mutex_t		 mu;
	pthread_cond_t		 changed;	/* a job came back, or stopping */
	struct job		*free;
	struct job		**all;		/* every job made, to free at the end */
	long			 made, in_use;
	int			 stopping;
};

#define CONTAINER(p, type, member) \
	((type *)(void *)((char *)(p) - offsetof(type, member)))

static void	job_run(struct cpu_task *);

/*
 * The path as asked, with query values left out (the names stay): IDs in
 * a query are the user's typing, and a log is no place for free text.
 */
static void
path_for_log(const char *uri, char *out, size_t outsz)
{
	size_t	 o = 0;
	int	 in_value = 0, in_query = 0;

	for (; *uri != '\0' && o + 4 < outsz; uri++) {
		char c = *uri;

		if (!in_query && c == '?')
			in_query = 1;
		else if (in_query && c == '=') {
			if (!in_value)
				out[o++] = c;
			in_value = 1;
			continue;
		} else if (in_query && c == '&')
			in_value = 0;
		if (!in_value)
			out[o++] = c;
	}
	if (*uri != '\0') {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* One line per request: who to quote, what was asked, the answer, and what it cost upstream. */
static void
log_request(const struct http_in *in, const struct response *res, long ms)
{
	char	path[320], up[48];

	path_for_log(in->uri, path, sizeof(path));
	if (res->up_status > 0)
		snprintf(up, sizeof(up), "%ld up_ms=%ld", res->up_status,
		    res->up_ms);
	else if (res->up_status < 0)
		snprintf(up, sizeof(up), "failed up_ms=%ld", res->up_ms);
	else
		snprintf(up, sizeof(up), "-");
	log_info("request corr=%s %.16s %s route=%s -> %d %s cache=%s up=%s "
	    "ms=%ld", res->correlation_id, in->method, path,
	    res->route ? res->route : "other", res->status,
	    res->outcome ? res->outcome : "-", res->cache ? res->cache : "-",
	    up, ms);
}

/* A free job for the next accept: a spare or a new one; waits while max_requests are made and out; NULL when stopping. */
static struct job *
job_take(struct core *c)
{
	struct job	*j = NULL;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		if (c->stopping)
			break;
		if ((j = c->free) != NULL) {
			c->free = j->next_free;
			break;
		}
		if (c->made < c->o.max_requests) {
			/* Made outside the lock: calloc and libfcgi's set-up. */
			pthread_mutex_unlock(&c->mu);
			j = calloc(1, sizeof(*j));
			if (j != NULL && (j->conn = fcgi_conn_new(
			    c->o.listen_fd)) == NULL) {
				free(j);
				j = NULL;
			}
			pthread_mutex_lock(&c->mu);
			if (j == NULL) {
				log_err("core: out of memory for a request");
				pthread_mutex_unlock(&c->mu);
				sleep(1);
				pthread_mutex_lock(&c->mu);
				continue;
			}
			c->all[c->made++] = j;
			j->core = c;
			break;
		}
		/* Every job is out: the listen backlog holds the next requests meanwhile. */
		pthread_cond_wait(&c->changed, &c->mu);
	}
	pthread_mutex_unlock(&c->mu);
	return j;
}

/* A job goes back: answered (it was in use), or not accepted into after all. */
static void
job_put(struct core *c, struct job *j, int answered)
{
	pthread_mutex_lock(&c->mu);
	j->next_free = c->free;
	c->free = j;
	if (answered)
		c->in_use--;
	pthread_cond_broadcast(&c->changed);
	pthread_mutex_unlock(&c->mu);
}

/* The answer is ready: written, logged, finished; the job goes back. */
static void
job_finish(struct job *j)
{
	struct core	*c = j->core;
	struct response	*res = &j->hj.res;

	if (j->conn != NULL)
		fcgi_write(j->conn, res);
	metrics_request(res->route, res->status);
	/* Before finishing: the parameters die with it. */
	if (log_enabled(LOG_INFO))
		log_request(&j->in, res, (long)(clock_ms() - j->t0_ms));
	if (j->conn == NULL) {
		/* A local request: the answer goes to the caller, who is waiting (and counts it done). */
		pthread_mutex_lock(&c->mu);
		*j->local_res = *res;
		j->local_done = 1;
		pthread_cond_broadcast(&c->changed);
		pthread_mutex_unlock(&c->mu);
		return;
	}
	buf_free(&res->body);
	free(res->set_cookie);
	res->set_cookie = NULL;
	fcgi_finish(j->conn);
	job_put(c, j, 1);
}

/* A parked request's batch is here (a CPU worker). */
static void
job_resume(struct fetch_waiter *w)
{
	struct job *j = CONTAINER(w, struct job, hj.w);

	handler_answer(&j->hj, j->core->o.fetch);
	job_finish(j);
}

/* A routed request's answer (a CPU worker). */
static void
job_answer(struct cpu_task *t)
{
	struct job *j = CONTAINER(t, struct job, task);

	handler_answer(&j->hj, j->core->o.fetch);
	job_finish(j);
}

/* Routes j (an accept thread, or a CPU worker for a local request): parked, or its answer queued. */
static void
job_route(struct job *j)
{
	j->hj.w.resume = job_resume;
	if (handler_route(&j->hj, j->core->o.fetch, &j->in, j->now) ==
	    HANDLER_PARKED)
		return;	/* j belongs to the fetch now: job_resume follows */
	j->task.fn = job_answer;
	cpu_post(j->core->o.cpu, &j->task, CPU_NEW);
}

static void
job_run(struct cpu_task *t)
{
	job_route(CONTAINER(t, struct job, task));
}

static void *
acceptor(void *arg)
{
	struct core	*c = arg;
	struct job	*j;
	int		 stopping;

	while ((j = job_take(c)) != NULL) {
		if (fcgi_accept(j->conn, &j->in) == -1) {
			job_put(c, j, 0);
			pthread_mutex_lock(&c->mu);
			stopping = c->stopping;
			pthread_mutex_unlock(&c->mu);
			if (stopping)
				break;
			/* Out of descriptors, say: wait a little rather than spin. */
			log_warn("core: accepting a request failed; trying again");
			usleep(50 * 1000);
			continue;
		}
		j->t0_ms = clock_ms();
		j->now = (int64_t)time(NULL);
		pthread_mutex_lock(&c->mu);
		c->in_use++;
		pthread_mutex_unlock(&c->mu);
		/* Routed here, at once: a request that waits parks without a hand-off. */
		job_route(j);
	}
	return NULL;
}

struct core *
core_start(const struct core_opts *o)
{
	struct core	*c;
	int		 i;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->o = *o;
	if (c->o.max_requests < 1)
		c->o.max_requests = 1;
	/* Room to remember every job that may be made (they are made as needed). */
	if ((c->all = calloc((size_t)c->o.max_requests, sizeof(*c->all))) ==
	    NULL) {
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->changed, NULL);
	for (i = 0; o->listen_fd >= 0 && i < ACCEPTORS; i++) {
		if (pthread_create(&c->acceptors[i], NULL, acceptor, c) != 0)
			break;
		c->nacceptors++;
	}
	if (o->listen_fd >= 0 && c->nacceptors == 0) {
		pthread_cond_destroy(&c->changed);
		pthread_mutex_destroy(&c->mu);
		free(c->all);
		free(c);
		return NULL;
	}
	return c;
}

long
core_in_use(struct core *c)
{
	long n;

	pthread_mutex_lock(&c->mu);
	n = c->in_use;
	pthread_mutex_unlock(&c->mu);
	return n;
}

void
core_stop(struct core *c)
{
	long i;

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	c->stopping = 1;
	pthread_cond_broadcast(&c->changed);
	pthread_mutex_unlock(&c->mu);
	/* Then wake the accepts: a failed one now means stop, not retry. */
	if (c->o.listen_fd >= 0)
		fcgi_shutdown(c->o.listen_fd);
	for (i = 0; i < c->nacceptors; i++)
		pthread_join(c->acceptors[i], NULL);
	/* Parked requests too: each gets its answer, within the upstream deadline. */
	pthread_mutex_lock(&c->mu);
	while (c->in_use > 0)
		pthread_cond_wait(&c->changed, &c->mu);
	pthread_mutex_unlock(&c->mu);
	for (i = 0; i < c->made; i++) {
		fcgi_conn_free(c->all[i]->conn);
		free(c->all[i]);
	}
	free(c->all);
	pthread_cond_destroy(&c->changed);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

void
core_serve_local(struct core *c, const struct http_in *in, int64_t now,
    struct response *res)
{
	struct job *j;

	if ((j = calloc(1, sizeof(*j))) == NULL) {
		memset(res, 0, sizeof(*res));
		res->status = 500;
		return;
	}
	j->core = c;
	j->in = *in;
	j->now = now;
	j->t0_ms = clock_ms();
	j->local_res = res;
	pthread_mutex_lock(&c->mu);
	c->in_use++;
	pthread_mutex_unlock(&c->mu);
	j->task.fn = job_run;
	cpu_post(c->o.cpu, &j->task, CPU_NEW);
	pthread_mutex_lock(&c->mu);
	while (!j->local_done)
		pthread_cond_wait(&c->changed, &c->mu);
	/* Only now: core_stop may free c as soon as nothing is in use. */
	c->in_use--;
	pthread_cond_broadcast(&c->changed);
	pthread_mutex_unlock(&c->mu);
	free(j);
}
