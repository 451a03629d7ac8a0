/* fetch.c: one answer (a batch, or a listing page by page) for parked requests: the cache's single flight, then token, calls and one retry through the I/O loop, parsed on a CPU worker, all within one deadline. */
#include "fetch.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "metrics.h"
#include "pack.h"
#include "text.h"
#include "wipe.h"

#define BUSY_RETRY_SECONDS	2	/* Retry-After when too many requests are parked */

/*
 * One call in flight for a cache entry, from the first token_get to the
 * parsed batch. Its steps run on CPU workers, started by whatever ended
 * the last one: the token renewal it waited for, its deadline's timer, or
 * its call's answer from the I/O loop. Each of those holds a reference;
 * mu orders them. Nothing here ever waits on the network.
 */
enum op_state {
	OP_SHARED,	/* asking Redis: another node's answer, the pause, the lock */
	OP_TOKEN,	/* asking for a token, or waiting for the renewal */
	OP_CALL,	/* the call is in the I/O loop */
	OP_DONE,	/* the outcome is being handed out; late events do nothing */
};

struct op {
	pthread_mutex_t		 mu;
	int			 refs;		/* atomic */
	enum op_state		 state;
	struct fetch_ctx	*ctx;
	struct cache_entry	*entry;
	struct upstream_ask	 ask;
	char			 correlation_id[GUID_LEN + 1];
	int64_t			 started_ms, deadline_ms;
	int			 attempt;	/* 1: the retry after a refused token */
	char			*token;		/* the token the call carries (for a 401) */
	char			 request_id[GUID_LEN + 1];
	struct token_waiter	 tw;
	struct pc_timer		 timer;
	struct cpu_task		 t_token, t_timer, t_call;
	struct pc_result	 res;
	struct fetch_trace	 trace;
	/* A listing: the pages read so far, and the token that asks for the next. */
	struct dir_list		 dir;
	char			*sent;		/* the token the call in flight carries; NULL: the first page */
	uint64_t		 dir_hash;	/* of the answer: every page's bytes */
	char			 next[DIR_TOKEN_MAX + 1];
	/* Shared mode. */
	char			 name[sizeof(SHARED_KEY_PREFIX) + 64 + 2 * GUID_LEN];	/* the Redis key the seal covers */
	char			 lock_token[GUID_LEN + 1];
	int			 locked;	/* this node holds the call's lock */
	int			 waited;	/* another node's call was waited for */
	struct shared_claim	 claim;		/* claim.data: a copy, owned */
	struct pc_timer		 retry;		/* asks Redis again while another node calls */
	struct cpu_task		 t_shared;
};

#define CONTAINER(p, type, member) \
	((type *)(void *)((char *)(p) - offsetof(type, member)))

static void	op_step(struct op *);
static void	publish(struct op *, const struct batch *, uint64_t);

/* The op's key in shared.c's terms: customer/tracking (a listing: its kind and hash), the Redis key without its prefix. */
static const char *
shared_key(const struct op *o)
{
	return o->name + sizeof(SHARED_BATCH_KEY) - 1;
}

static const char *
kind_name(const struct op *o)
{
	return upstream_kind(o->ask.kind)->name;
}

/* A setting a reload may change while calls run (see fetch_ctx). */
static long
live(const long *setting)
{
	return __atomic_load_n(setting, __ATOMIC_RELAXED);
}

static void
op_ref(struct op *o)
{
	__atomic_add_fetch(&o->refs, 1, __ATOMIC_RELAXED);
}

static void
op_unref(struct op *o)
{
	if (__atomic_sub_fetch(&o->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	wipe_str(o->token);
	pc_result_free(&o->res);
	dir_list_free(&o->dir);
	free(o->sent);
	free((char *)o->claim.data);
	pthread_mutex_destroy(&o->mu);
	free(o);
}

static void
log_call(const struct op *o, enum bs_error e)
{
	const struct pc_result *r = &o->res;

	if (r->outcome == PC_ANSWER)
		log_info("upstream corr=%s request=%s call=%s pages=%zu "
		    "status=%ld ms=%ld bytes=%zu http=%d budget_ms=%ld -> %s",
		    o->correlation_id, o->request_id, kind_name(o),
		    o->dir.pages, r->http_status, r->elapsed_ms, r->len,
		    r->http_version, o->trace.budget_ms, error_info(e)->key);
	else
		log_warn("upstream corr=%s request=%s call=%s failed ms=%ld "
		    "budget_ms=%ld: %s -> %s", o->correlation_id, o->request_id,
		    kind_name(o), r->elapsed_ms, o->trace.budget_ms, r->detail,
		    error_info(e)->key);
	metrics_upstream(e, r->elapsed_ms);
}

static void
waiter_resume(struct cpu_task *t)
{
	struct fetch_waiter *w = CONTAINER(t, struct fetch_waiter, task);

	if (w->counted)
		__atomic_sub_fetch(&w->ctx->waiting, 1, __ATOMIC_RELAXED);
	w->resume(w);
}

/*
 * The outcome goes into the cache entry and to every request parked on
 * it; the state is OP_DONE already, so this runs once.
 */
static void
op_finish(struct op *o, enum bs_error e, struct resource *r, uint64_t hash,
    long retry_after)
{
	struct cache_waiter	*cw, *next;
	struct fetch_waiter	*w;

	o->trace.ms = (long)(clock_ms() - o->started_ms);
	/* Other nodes: let go of the lock; a 429 of ours pauses them too. */
	if (o->ctx->shared != NULL && e != BS_OK && (o->locked ||
	    (e == BS_ERR_THROTTLED && o->claim.what != CLAIM_PAUSED)))
		shared_release(o->ctx->shared, shared_key(o), o->lock_token,
		    e == BS_ERR_THROTTLED && retry_after > 0 ? retry_after * 1000 :
		    0);
	cw = cache_fill_done(o->ctx->cache, o->entry, e, r, hash, retry_after,
	    clock_ms());
	if (r != NULL)
		resource_free(r);	/* empty unless the cache refused it */
	o->entry = NULL;
	for (; cw != NULL; cw = next) {
		next = cw->next;
		w = CONTAINER(cw, struct fetch_waiter, cw);
		if (cw->result.how == MC_MISS)
			w->trace = o->trace;
		w->task.fn = waiter_resume;
		cpu_post(o->ctx->cpu, &w->task, CPU_WORK);
	}
}

/* Ends the op with an error; mu is held. */
static void
op_fail_locked(struct op *o, enum bs_error e)
{
	o->state = OP_DONE;
	op_finish(o, e, NULL, 0, -1);
}

/* The deadline passed while the op waited for a token (the loop's thread). */
static void
on_deadline(void *arg)
{
	struct op *o = arg;

	cpu_post(o->ctx->cpu, &o->t_timer, CPU_WORK);
}

static void
deadline_task(struct cpu_task *t)
{
	struct op *o = CONTAINER(t, struct op, t_timer);

	pthread_mutex_lock(&o->mu);
	/* If the wake is under way instead, its step sees the deadline gone. */
	if (o->state == OP_TOKEN && token_cancel_wait(o->ctx->tokens, &o->tw)) {
		op_unref(o);	/* the wake's reference; ours still holds it */
		log_warn("upstream corr=%s: no token within the deadline "
		    "(%ld ms): the sign-in is still running", o->correlation_id,
		    live(&o->ctx->up.timeout_ms));
		op_fail_locked(o, BS_ERR_TIMEOUT);
	}
	pthread_mutex_unlock(&o->mu);
	op_unref(o);
}

/* The renewal the op waited for has ended (a CPU worker; locks may be held: only post). */
static void
on_token(struct token_waiter *tw)
{
	struct op *o = CONTAINER(tw, struct op, tw);

	cpu_post(o->ctx->cpu, &o->t_token, CPU_WORK);
}

static void
token_task(struct cpu_task *t)
{
	struct op *o = CONTAINER(t, struct op, t_token);

	pthread_mutex_lock(&o->mu);
	if (o->state == OP_TOKEN) {
		if (pc_timer_cancel(o->ctx->loop, &o->timer))
			op_unref(o);	/* the timer's; ours still holds it */
		op_step(o);
	}
	pthread_mutex_unlock(&o->mu);
	op_unref(o);
}

/* The call's answer (the loop's thread): read it on a CPU worker. */
static void
on_answer(void *arg, struct pc_result *r)
{
	struct op *o = arg;

	o->res = *r;
	r->body = NULL;
	cpu_post(o->ctx->cpu, &o->t_call, CPU_WORK);
}

/*
 * A listing's page (mu held, the state OP_CALL): appended to what the
 * op holds. 1 when the next page has been asked for; else 0 with *e the
 * outcome of the whole listing.
 */
static int
read_page(struct op *o, enum bs_error *e)
{
	const struct upstream_kind	*k = upstream_kind(o->ask.kind);
	enum upstream_paging		 p = PAGING_DONE;
	char				 why[128];
	int				 rc;

	o->dir.kind = k->dir;
	o->dir_hash = o->dir_hash * 1099511628211ULL ^
	    hash_bytes(o->res.body, o->res.len);
	rc = dir_parse_page(&o->dir, o->res.body, o->res.len,
	    (size_t)live(&o->ctx->max_devices), o->next, why, sizeof(why));
	if (rc == DIR_BAD) {
		*e = BS_ERR_BAD_BODY;
		log_warn("upstream corr=%s request=%s call=%s: page %zu "
		    "unreadable: %s (%zu bytes)", o->correlation_id,
		    o->request_id, kind_name(o), o->dir.pages + 1, why,
		    o->res.len);
		return 0;
	}
	if (rc == DIR_TOO_MANY) {
		o->dir.truncated = 1;
		log_warn("upstream corr=%s call=%s: %s: showing the first %zu "
		    "pages", o->correlation_id, kind_name(o), why, o->dir.pages);
		return 0;
	}
	if (k->paged)
		p = upstream_paging(o->sent, o->next, o->dir.pages,
		    (size_t)live(&o->ctx->up.max_pages));
	/* More was announced, with a token we cannot send back: what we have, marked. */
	if (o->dir.next_refused) {
		o->dir.truncated = 1;
		log_warn("upstream corr=%s call=%s: page %zu announced more "
		    "with a continuation token that cannot be sent back: the "
		    "listing is cut short", o->correlation_id, kind_name(o),
		    o->dir.pages);
	}
	if (p == PAGING_BOUND || p == PAGING_REPEATED) {
		o->dir.truncated = 1;
		log_warn("upstream corr=%s call=%s: %s after %zu pages: the "
		    "listing is cut short", o->correlation_id, kind_name(o),
		    p == PAGING_BOUND ? "BATCHSTATUS_MAX_PAGES reached" :
		    "the same continuation token again", o->dir.pages);
	}
	if (p != PAGING_NEXT)
		return 0;
	log_call(o, BS_OK);
	pc_result_free(&o->res);
	free(o->sent);
	if ((o->sent = strdup(o->next)) == NULL) {
		*e = BS_ERR_INTERNAL;
		return 0;
	}
	op_step(o);
	return 1;
}

static void
answer_task(struct cpu_task *t)
{
	struct op	*o = CONTAINER(t, struct op, t_call);
	struct resource	 r;
	char		 why[128];
	enum bs_error	 e;
	long		 retry_after = -1;
	int		 refused = 0, rc, logged = 0;

	pthread_mutex_lock(&o->mu);
	e = upstream_classify(&o->res, o->ask.kind);
	o->trace.status = o->res.outcome == PC_ANSWER ? o->res.http_status : -1;
	o->trace.calls++;
	if (o->res.outcome == PC_ANSWER && o->res.http_status == 401)
		refused = token_refused(o->ctx->tokens, o->token,
		    o->attempt > 0);
	/* A refused token is renewed and the call made once more, within the same deadline. */
	if (refused && o->attempt == 0) {
		log_call(o, e);
		pc_result_free(&o->res);
		o->attempt = 1;
		op_step(o);
		pthread_mutex_unlock(&o->mu);
		op_unref(o);
		return;
	}
	/* A customer nobody has is an answer worth keeping a while: the names a batch page asks for. */
	if (e == BS_ERR_NO_SUCH_CUSTOMER && o->ask.kind == RES_CUSTOMER) {
		e = BS_OK;
		o->dir.kind = DIR_CUSTOMER;
		o->dir.pages = 1;
		log_call(o, BS_ERR_NO_SUCH_CUSTOMER);
		logged = 1;
	} else if (e == BS_OK && o->ask.kind != RES_BATCH &&
	    read_page(o, &e)) {
		pthread_mutex_unlock(&o->mu);
		op_unref(o);
		return;
	}
	o->state = OP_DONE;
	pthread_mutex_unlock(&o->mu);

	/* Only this task touches the op now: parse without the lock. */
	memset(&r, 0, sizeof(r));
	if (e == BS_ERR_THROTTLED) {
		retry_after = upstream_pause_seconds(o->res.retry_after,
		    (long)time(NULL), __atomic_load_n(&o->ctx->max_retry_after,
		    __ATOMIC_RELAXED));
		log_warn("upstream corr=%s request=%s: 429, Retry-After "
		    "\"%.40s\": every call pauses %ld s", o->correlation_id,
		    o->request_id, o->res.retry_after, retry_after);
	}
	if (e == BS_OK && o->ask.kind == RES_BATCH) {
		o->dir_hash = hash_bytes(o->res.body, o->res.len);
		rc = batch_parse(o->res.body, o->res.len,
		    (size_t)live(&o->ctx->max_devices),
		    &r.batch, why, sizeof(why));
		if (rc == BATCH_OK)
			r.batch.fetched_at = (int64_t)time(NULL);
		else {
			e = rc == BATCH_TOO_MANY ? BS_ERR_TOO_LARGE :
			    BS_ERR_BAD_BODY;
			log_warn("upstream corr=%s request=%s: body %s: %s "
			    "(%zu bytes, %s)", o->correlation_id, o->request_id,
			    rc == BATCH_TOO_MANY ? "too large" : "unreadable",
			    why, o->res.len, o->res.content_type[0] ?
			    o->res.content_type : "no content type");
		}
	} else if (e == BS_OK) {
		r.is_dir = 1;
		r.dir = o->dir;
		memset(&o->dir, 0, sizeof(o->dir));
		r.dir.fetched_at = (int64_t)time(NULL);
		/* Sorted once, before anyone shares it: newest first. */
		if (r.dir.kind == DIR_DEVICE_BATCHES)
			dir_sort_batches(&r.dir);
	}
	if (!logged)
		log_call(o, e);
	pc_result_free(&o->res);
	if (e == BS_OK && !r.is_dir)
		publish(o, &r.batch, o->dir_hash);
	else if (o->locked && e == BS_OK)
		shared_release(o->ctx->shared, shared_key(o), o->lock_token, 0);
	op_finish(o, e, e == BS_OK ? &r : NULL, o->dir_hash, retry_after);
	resource_free(&r);
	op_unref(o);
}

/*
 * The next step: a token, then the call with what is left of the
 * deadline. mu is held; the state is not OP_DONE.
 */
static void
op_step(struct op *o)
{
	struct fetch_ctx	*ctx = o->ctx;
	struct upstream_call	 c;
	struct pc_request	 req;
	enum token_step		 s;
	enum bs_error		 e;
	char			*tok;
	int64_t			 left = o->deadline_ms - clock_ms();

	if (left <= 0) {
		op_fail_locked(o, BS_ERR_TIMEOUT);
		return;
	}
	o->state = OP_TOKEN;
	op_ref(o);	/* for the wake, should the token need waiting for */
	s = token_get(ctx->tokens, &tok, &e, &o->tw);
	if (s == TOKEN_WAIT) {
		op_ref(o);	/* for the timer */
		pc_timer_set(ctx->loop, &o->timer, o->deadline_ms, on_deadline, o);
		return;
	}
	op_unref(o);
	if (s == TOKEN_FAILED) {
		op_fail_locked(o, e);
		return;
	}
	wipe_str(o->token);
	o->token = tok;
	if (upstream_call_init(&c, &ctx->up, &o->ask, o->sent,
	    o->correlation_id, tok) == -1) {
		op_fail_locked(o, BS_ERR_INTERNAL);
		return;
	}
	memcpy(o->request_id, c.request_id, sizeof(o->request_id));
	left = o->deadline_ms - clock_ms();
	memset(&req, 0, sizeof(req));
	req.url = c.url;
	req.headers = c.headers;
	req.timeout_ms = left > 1 ? left : 1;
	req.max_body = live(&ctx->up.max_body_bytes);
	o->trace.budget_ms = req.timeout_ms;
	o->state = OP_CALL;
	op_ref(o);	/* for the answer */
	if (pc_loop_submit(ctx->loop, &req, on_answer, o) == -1) {
		op_unref(o);
		op_fail_locked(o, BS_ERR_INTERNAL);
	}
	upstream_call_wipe(&c);
}

/* Shared mode: the sealed entry other nodes read (pack.c's form, with the answer's hash). */
static void
publish(struct op *o, const struct batch *b, uint64_t hash)
{
	struct buf	 payload, sealed;
	long		 ttl;

	if (o->ctx->shared == NULL)
		return;
	ttl = cache_keep_seconds(o->ctx->cache, b->status) * 1000;
	buf_init(&payload);
	buf_init(&sealed);
	if (ttl > 0 && pack_entry(b, hash, &payload) == 0 &&
	    seal(o->ctx->key, o->name, payload.data, payload.len, &sealed) == 0)
		shared_publish(o->ctx->shared, shared_key(o), sealed.data,
		    sealed.len, ttl, o->lock_token);
	else if (o->locked)
		shared_release(o->ctx->shared, shared_key(o), o->lock_token, 0);
	buf_free(&payload);
	buf_free(&sealed);
}

/* Another node's answer, if its seal holds: 0 with *b and *hash. */
static int
open_entry(struct op *o, struct batch *b, uint64_t *hash)
{
	const void	*payload;
	size_t		 len;

	if (unseal(o->ctx->key, o->name, o->claim.data, o->claim.len, &payload,
	    &len) == -1 || unpack_entry(payload, len,
	    (size_t)live(&o->ctx->max_devices), b, hash) == -1)
		return -1;
	/* The seal names the key already; the batch must say the same. */
	if (b->tracking_id[0] != '\0' && strcasecmp(b->tracking_id,
	    o->ask.tracking) != 0) {
		batch_free(b);
		return -1;
	}
	return 0;
}

static void	ask_shared(struct op *);

/* Another node is calling: ask Redis again (the loop's thread). */
static void
on_retry(void *arg)
{
	ask_shared(arg);
}

/* Redis's answer (its thread): read on a CPU worker. */
static void
on_claim(void *arg, const struct shared_claim *cl)
{
	struct op *o = arg;

	free((char *)o->claim.data);
	o->claim = *cl;
	o->claim.data = NULL;
	if (cl->what == CLAIM_ENTRY && (o->claim.data = bytes_dup(cl->data,
	    cl->len)) == NULL)
		o->claim.what = CLAIM_DOWN;
	cpu_post(o->ctx->cpu, &o->t_shared, CPU_WORK);
}

static void
ask_shared(struct op *o)
{
	/* The lock outlives this node's deadline: a node that died holding it costs one deadline. */
	shared_claim(o->ctx->shared, shared_key(o), o->lock_token, live(&o->ctx->up.timeout_ms) + 1000, on_claim, o);
}

#define SHARED_WAIT_STEP_MS	50	/* asks Redis again this often while another node calls */

static void
shared_task(struct cpu_task *t)
{
	struct op	*o = CONTAINER(t, struct op, t_shared);
	struct resource	 r;
	uint64_t	 hash = 0;
	int64_t		 now = clock_ms();

	memset(&r, 0, sizeof(r));
	pthread_mutex_lock(&o->mu);
	switch (o->claim.what) {
	case CLAIM_ENTRY:
		/* Only batches are published: a listing's key never holds an entry. */
		if (o->ask.kind == RES_BATCH && open_entry(o, &r.batch,
		    &hash) == 0) {
			metrics_shared(MS_HIT);
			o->state = OP_DONE;
			pthread_mutex_unlock(&o->mu);
			log_info("shared corr=%s: %s from Redis (another node's "
			    "call)", o->correlation_id, o->name);
			op_finish(o, BS_OK, &r, hash, -1);
			op_unref(o);
			return;
		}
		metrics_shared(MS_FORGED);
		log_err("shared corr=%s: the entry for %s in Redis fails its "
		    "seal or its form: ignored (someone who can write to Redis, "
		    "or a node with another BATCHSTATUS_SHARED_KEY_FILE); "
		    "calling Partner Center", o->correlation_id, o->name);
		op_step(o);
		break;
	case CLAIM_PAUSED:
		metrics_shared(MS_PAUSED);
		o->state = OP_DONE;
		pthread_mutex_unlock(&o->mu);
		op_finish(o, BS_ERR_THROTTLED, NULL, 0,
		    (o->claim.ms + 999) / 1000);
		op_unref(o);
		return;
	case CLAIM_LOCKED:
		metrics_shared(MS_LOCKED);
		o->locked = 1;
		op_step(o);
		break;
	case CLAIM_BUSY:
		if (!o->waited)
			metrics_shared(MS_WAITED);
		o->waited = 1;
		/* Half the deadline for another node's answer; then this node calls with the rest. */
		if (now - o->started_ms + SHARED_WAIT_STEP_MS <
		    live(&o->ctx->up.timeout_ms) / 2) {
			op_ref(o);	/* for the next claim's answer */
			pc_timer_set(o->ctx->loop, &o->retry, now +
			    SHARED_WAIT_STEP_MS, on_retry, o);
			break;
		}
		metrics_shared(MS_ALONE);
		op_step(o);
		break;
	case CLAIM_DOWN:
		metrics_shared(MS_ALONE);
		op_step(o);
		break;
	}
	pthread_mutex_unlock(&o->mu);
	op_unref(o);
}

/* Starts the call that fills entry; its waiters are resumed when it ends. */
static void
op_start(struct fetch_ctx *ctx, struct cache_entry *entry,
    const struct upstream_ask *ask, const char *cache_key,
    const char *correlation_id)
{
	struct op		*o;
	struct cache_waiter	*cw;

	if ((o = calloc(1, sizeof(*o))) == NULL) {
		cw = cache_fill_done(ctx->cache, entry, BS_ERR_INTERNAL, NULL, 0,
		    -1, clock_ms());
		for (; cw != NULL; cw = cw->next) {
			struct fetch_waiter *w = CONTAINER(cw, struct fetch_waiter,
			    cw);

			w->task.fn = waiter_resume;
			cpu_post(ctx->cpu, &w->task, CPU_WORK);
		}
		return;
	}
	pthread_mutex_init(&o->mu, NULL);
	o->refs = 1;
	o->ctx = ctx;
	o->entry = entry;
	o->ask = *ask;
	snprintf(o->correlation_id, sizeof(o->correlation_id), "%s",
	    correlation_id);
	o->started_ms = clock_ms();
	o->deadline_ms = o->started_ms + live(&ctx->up.timeout_ms);
	o->trace.status = -1;
	o->tw.wake = on_token;
	o->t_token.fn = token_task;
	o->t_timer.fn = deadline_task;
	o->t_call.fn = answer_task;
	o->t_shared.fn = shared_task;
	/* A batch's Redis key is its IDs; a listing's, its kind and its key's hash (a name may hold anything). */
	if (ask->kind == RES_BATCH)
		snprintf(o->name, sizeof(o->name), SHARED_BATCH_KEY "%s/%s",
		    ask->customer, ask->tracking);
	else
		snprintf(o->name, sizeof(o->name), SHARED_BATCH_KEY "x/%s/%016llx",
		    upstream_kind(ask->kind)->name,
		    (unsigned long long)hash_bytes(cache_key, strlen(cache_key)));
	if (ctx->shared != NULL) {
		/* Redis first: another node's answer, its call, or the pause. */
		guid_new(o->lock_token);
		o->state = OP_SHARED;
		op_ref(o);	/* for the claim's answer */
		ask_shared(o);
		op_unref(o);
		return;
	}
	pthread_mutex_lock(&o->mu);
	op_step(o);
	pthread_mutex_unlock(&o->mu);
	op_unref(o);
}

/* Under the cache's lock: one more parked request, unless max_waiting are. */
static int
admit(void *arg)
{
	struct fetch_ctx *ctx = arg;

	if (__atomic_add_fetch(&ctx->waiting, 1, __ATOMIC_RELAXED) >
	    ctx->max_waiting) {
		__atomic_sub_fetch(&ctx->waiting, 1, __ATOMIC_RELAXED);
		return 0;
	}
	metrics_admitted();
	return 1;
}

enum fetch_step
fetch_ask(struct fetch_ctx *ctx, const struct upstream_ask *ask,
    const char *correlation_id, unsigned flags, struct fetch_waiter *w,
    struct cache_result *out)
{
	struct cache_entry	*entry;
	char			 key[400];
	int			 quiet = flags & (FETCH_QUIET | FETCH_PEEK);

	/* Set before the lookup: once parked, w may be resumed at any moment. */
	memset(&w->trace, 0, sizeof(w->trace));
	w->ctx = ctx;
	w->counted = !quiet;
	if (upstream_key(ask, key, sizeof(key)) == -1) {
		memset(out, 0, sizeof(*out));
		out->err = BS_ERR_INTERNAL;
		out->retry_after = -1;
		return FETCH_READY;
	}
	if (flags & FETCH_HELD) {
		(void)cache_peek(ctx->cache, key, clock_ms(), out);
		return FETCH_READY;
	}
	switch (cache_lookup(ctx->cache, key, clock_ms(),
	    flags & FETCH_PEEK ? NULL : &w->cw, quiet ? NULL : admit, ctx,
	    out, &entry)) {
	case CACHE_READY:
		if (!quiet)
			metrics_cache(out->how);
		return FETCH_READY;
	case CACHE_FULL:
		out->err = BS_ERR_BUSY;
		out->retry_after = BUSY_RETRY_SECONDS;
		if (!quiet)
			metrics_shed();
		return FETCH_READY;
	case CACHE_WAIT:
		if (!quiet)
			metrics_cache(MC_COALESCED);
		return FETCH_PARKED;
	case CACHE_FILL:
		if (!quiet)
			metrics_cache(MC_MISS);
		op_start(ctx, entry, ask, key, correlation_id);
		if (flags & FETCH_PEEK) {
			/* Started for later: nobody waits for it now. */
			out->err = BS_ERR_BUSY;
			out->retry_after = -1;
			return FETCH_READY;
		}
		return FETCH_PARKED;
	}
	return FETCH_PARKED;
}

enum fetch_step
fetch_get(struct fetch_ctx *ctx, const char *customer, const char *tracking,
    const char *correlation_id, struct fetch_waiter *w,
    struct cache_result *out)
{
	struct upstream_ask ask;

	upstream_ask_batch(&ask, customer, tracking);
	return fetch_ask(ctx, &ask, correlation_id, 0, w, out);
}

void
fetch_release(struct fetch_ctx *ctx, struct cache_result *r)
{
	cache_release(ctx->cache, r);
}

long
fetch_waiting(struct fetch_ctx *ctx)
{
	return __atomic_load_n(&ctx->waiting, __ATOMIC_RELAXED);
}
