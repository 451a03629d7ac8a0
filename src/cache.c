/* cache.c: the cache of batches and listings (LRU within a memory bound, stale answers for failed calls), the in-flight table whose waiters are parked requests, and the 429 pause. */
#include "cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"

#define NBUCKETS	4096
#define KEY_MAX		320	/* a device batch's key: kind, customer and a name of up to DIR_BATCH_ID_MAX bytes */
#define RETRY_MAX_MS	30000	/* after a failed call, a key is asked again within this */
#define RETRY_MIN_MS	1000

/* One answer from Partner Center: never changed once made, shared by everyone holding it. */
struct cache_data {
	int		 refs;		/* holders, plus one while a slot keeps it */
	struct resource	 r;
	uint64_t	 hash;
	size_t		 bytes;		/* what it really holds, with the slot */
};

/* One key: its last good answer, and the call in flight for it. */
struct cache_entry {
	char			 key[KEY_MAX];
	struct cache_data	*data;		/* NULL: nothing held */
	int64_t			 fresh_until, stale_until;
	int64_t			 retry_at;	/* after a failed call: not asked again before this */
	enum bs_error		 why;		/* that failure */
	int			 flying, in_lru;
	struct cache_waiter	*waiters, **waiters_tail;	/* while the call is in flight */
	struct cache_entry	*hnext;
	struct cache_entry	*prev, *next;	/* LRU of slots holding data: head is the most recent */
};

struct cache {
	pthread_mutex_t		 lock;
	struct cache_opts	 o;
	struct cache_entry	*table[NBUCKETS];
	struct cache_entry	*head, *tail;
	long			 entries, bytes, evictions;
	int64_t			 throttled_until_ms;
};

static size_t
bucket(const char *key)
{
	return hash_bytes(key, strlen(key)) % NBUCKETS;
}

static long
keep_ms(const struct cache *c, const char *status)
{
	return batch_status_final(status) ? c->o.finished_ms : c->o.running_ms;
}

static long
keep_dir_ms(const struct cache *c, enum dir_kind k)
{
	return (int)k >= 0 && k < DIR__MAX ? c->o.dir_ms[k] : 0;
}

/* How long this answer is fresh. */
static long
keep_res_ms(const struct cache *c, const struct resource *r)
{
	if (!r->is_dir)
		return keep_ms(c, r->batch.status);
	/* A customer nobody has is kept as briefly as a search: it may be added. */
	if (r->dir.kind == DIR_CUSTOMER && r->dir.ncustomers == 0)
		return keep_dir_ms(c, DIR_CUSTOMERS);
	return keep_dir_ms(c, r->dir.kind);
}

long
cache_keep_seconds(const struct cache *c, const char *status)
{
	return keep_ms(c, status) / 1000;
}

void
resource_free(struct resource *r)
{
	batch_free(&r->batch);
	dir_list_free(&r->dir);
	memset(r, 0, sizeof(*r));
}

struct cache *
cache_new(const struct cache_opts *o)
{
	struct cache *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->o = *o;
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

static void
data_unref(struct cache_data *d)
{
	if (--d->refs > 0)
		return;
	resource_free(&d->r);
	free(d);
}

static void
lru_unlink(struct cache *c, struct cache_entry *e)
{
	if (!e->in_lru)
		return;
	if (e->prev)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
	e->prev = e->next = NULL;
	e->in_lru = 0;
	c->bytes -= (long)e->data->bytes;
	c->entries--;
}

static void
lru_push(struct cache *c, struct cache_entry *e)
{
	e->prev = NULL;
	e->next = c->head;
	if (c->head)
		c->head->prev = e;
	c->head = e;
	if (c->tail == NULL)
		c->tail = e;
	e->in_lru = 1;
	c->bytes += (long)e->data->bytes;
	c->entries++;
}

static struct cache_entry *
table_find(struct cache *c, const char *key)
{
	struct cache_entry *e;

	for (e = c->table[bucket(key)]; e != NULL; e = e->hnext)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

/* The slot lets go of its answer; with no call in flight either, the slot goes too. */
static void
slot_drop(struct cache *c, struct cache_entry *e)
{
	struct cache_entry **pp;

	if (e->data != NULL) {
		lru_unlink(c, e);
		data_unref(e->data);
		e->data = NULL;
	}
	if (e->flying)
		return;
	for (pp = &c->table[bucket(e->key)]; *pp != e; pp = &(*pp)->hnext)
		;
	*pp = e->hnext;
	free(e);
}

/* Least recently used first, until what is held fits again. */
static void
evict(struct cache *c)
{
	while (c->bytes > c->o.max_bytes && c->tail != NULL) {
		c->evictions++;
		slot_drop(c, c->tail);
	}
}

void
cache_free(struct cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < NBUCKETS; i++)
		while (c->table[i] != NULL) {
			c->table[i]->flying = 0;
			slot_drop(c, c->table[i]);
		}
	pthread_mutex_destroy(&c->lock);
	free(c);
}

void
cache_set_opts(struct cache *c, const struct cache_opts *o)
{
	pthread_mutex_lock(&c->lock);
	c->o = *o;
	evict(c);
	pthread_mutex_unlock(&c->lock);
}

/* Gives out a held reference to d; the lock is held. */
static void
hand_out(struct cache_data *d, enum bs_error stale, long retry_after,
    struct cache_result *out)
{
	d->refs++;
	out->err = BS_OK;
	out->batch = d->r.is_dir ? NULL : &d->r.batch;
	out->dir = d->r.is_dir ? &d->r.dir : NULL;
	out->hash = d->hash;
	out->stale = stale;
	out->retry_after = retry_after;
	out->hold = d;
}

static void
add_waiter(struct cache_entry *e, struct cache_waiter *w)
{
	w->next = NULL;
	*e->waiters_tail = w;
	e->waiters_tail = &w->next;
}

static long
seconds_until(int64_t t, int64_t now_ms)
{
	return t > now_ms ? (long)((t - now_ms + 999) / 1000) : 1;
}

/* What e holds may stand in for a failure now. */
static int
stale_ok(const struct cache_entry *e, int64_t now_ms)
{
	return e != NULL && e->data != NULL && now_ms < e->stale_until;
}

enum cache_step
cache_lookup(struct cache *c, const char *key, int64_t now_ms,
    struct cache_waiter *w, int (*admit)(void *), void *arg,
    struct cache_result *out, struct cache_entry **fill)
{
	struct cache_entry *e;

	memset(out, 0, sizeof(*out));
	out->retry_after = -1;
	*fill = NULL;
	pthread_mutex_lock(&c->lock);
	e = table_find(c, key);
	if (e != NULL && e->data != NULL && now_ms < e->fresh_until) {
		out->how = MC_HIT;
		lru_unlink(c, e);
		lru_push(c, e);
		hand_out(e->data, BS_OK, -1, out);
		goto ready;
	}
	if (e != NULL && e->data != NULL && !stale_ok(e, now_ms) &&
	    !e->flying) {
		slot_drop(c, e);	/* too old even to stand in */
		e = NULL;
	}
	if (e != NULL && e->flying) {
		out->how = MC_COALESCED;
		if (w == NULL) {
			out->err = BS_ERR_BUSY;	/* a peek: the call is on its way already */
			goto ready;
		}
		if (admit != NULL && !admit(arg))
			goto refused;
		memset(&w->result, 0, sizeof(w->result));
		w->result.how = MC_COALESCED;
		add_waiter(e, w);
		pthread_mutex_unlock(&c->lock);
		return CACHE_WAIT;
	}
	/* After a 429 nobody calls until Retry-After has passed; what is held stands in. */
	if (now_ms < c->throttled_until_ms) {
		if (stale_ok(e, now_ms)) {
			out->how = MC_STALE;
			hand_out(e->data, BS_ERR_THROTTLED,
			    seconds_until(c->throttled_until_ms, now_ms), out);
			goto ready;
		}
		out->err = BS_ERR_THROTTLED;
		out->retry_after = seconds_until(c->throttled_until_ms, now_ms);
		out->how = MC_THROTTLED;
		goto ready;
	}
	/* The last call for this key failed a moment ago: not again yet. */
	if (stale_ok(e, now_ms) && now_ms < e->retry_at) {
		out->how = MC_STALE;
		hand_out(e->data, e->why, seconds_until(e->retry_at, now_ms),
		    out);
		goto ready;
	}
	/* Nobody is calling: this request's call; others for the same key wait on the slot. */
	out->how = MC_MISS;
	if (admit != NULL && !admit(arg))
		goto refused;
	if (e == NULL) {
		if ((e = calloc(1, sizeof(*e))) == NULL) {
			out->err = BS_ERR_INTERNAL;
			goto ready;
		}
		snprintf(e->key, sizeof(e->key), "%s", key);
		e->hnext = c->table[bucket(key)];
		c->table[bucket(key)] = e;
	}
	e->flying = 1;
	e->waiters = NULL;
	e->waiters_tail = &e->waiters;
	if (w != NULL) {
		memset(&w->result, 0, sizeof(w->result));
		w->result.how = MC_MISS;
		add_waiter(e, w);
	}
	*fill = e;
	pthread_mutex_unlock(&c->lock);
	return CACHE_FILL;

refused:
	/* Too many wait already: what is held stands in for the busy page. */
	if (stale_ok(e, now_ms)) {
		out->how = MC_STALE;
		hand_out(e->data, BS_ERR_BUSY, seconds_until(now_ms + RETRY_MIN_MS,
		    now_ms), out);
		goto ready;
	}
	pthread_mutex_unlock(&c->lock);
	return CACHE_FULL;
ready:
	pthread_mutex_unlock(&c->lock);
	return CACHE_READY;
}

/* A new answer for e, kept if it fits; the lock is held. */
static void
keep(struct cache *c, struct cache_entry *e, struct resource *r,
    uint64_t hash, int64_t now_ms)
{
	struct cache_data	*d;
	long			 ttl;

	if (e->data != NULL) {
		lru_unlink(c, e);
		data_unref(e->data);
		e->data = NULL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return;
	d->refs = 1;
	d->r = *r;
	memset(r, 0, sizeof(*r));
	d->hash = hash;
	/* Everything this answer holds: the batch or listing, and the two blocks around it (with malloc's own words). */
	d->bytes = (d->r.is_dir ? d->r.dir.bytes : d->r.batch.bytes) +
	    sizeof(*d) + sizeof(*e) + 2 * 16;
	e->data = d;
	ttl = keep_res_ms(c, &d->r);
	e->fresh_until = now_ms + ttl;
	e->stale_until = now_ms + (c->o.stale_ms > ttl ? c->o.stale_ms : ttl);
	e->retry_at = 0;
	e->why = BS_OK;
	if ((ttl > 0 || c->o.stale_ms > 0) && (long)d->bytes <= c->o.max_bytes)
		lru_push(c, e);
}

struct cache_waiter *
cache_fill_done(struct cache *c, struct cache_entry *e, enum bs_error err,
    struct resource *r, uint64_t hash, long retry_after, int64_t now_ms)
{
	struct cache_waiter	*w, *list;
	struct cache_data	*d = NULL;
	enum bs_error		 stale = BS_OK;
	long			 retry = -1, ms;

	pthread_mutex_lock(&c->lock);
	e->flying = 0;
	list = e->waiters;
	e->waiters = NULL;
	e->waiters_tail = &e->waiters;
	if (err == BS_ERR_THROTTLED)
		c->throttled_until_ms = now_ms + 1000L *
		    (retry_after > 0 ? retry_after : 30);
	if (err == BS_OK && r != NULL) {
		keep(c, e, r, hash, now_ms);
		d = e->data;
	} else if (error_info(err)->stale != NULL && stale_ok(e, now_ms)) {
		/* Partner Center failed, but what it said before stands in, marked. */
		d = e->data;
		stale = err;
		ms = keep_res_ms(c, &d->r);
		ms = ms < RETRY_MIN_MS ? RETRY_MIN_MS : ms > RETRY_MAX_MS ?
		    RETRY_MAX_MS : ms;
		e->retry_at = err == BS_ERR_THROTTLED ? c->throttled_until_ms :
		    now_ms + ms;
		e->why = err;
		retry = seconds_until(e->retry_at, now_ms);
		lru_unlink(c, e);
		lru_push(c, e);
	} else if (error_info(err)->http_status == 404 && e->data != NULL) {
		lru_unlink(c, e);	/* it is gone upstream: so is what we held */
		data_unref(e->data);
		e->data = NULL;
	}
	/* Every waiter holds the answer until it is released. */
	for (w = list; w != NULL; w = w->next) {
		enum metric_cache how = w->result.how;

		memset(&w->result, 0, sizeof(w->result));
		w->result.how = how;
		if (d != NULL)
			hand_out(d, stale, retry, &w->result);
		else {
			w->result.err = err == BS_OK ? BS_ERR_INTERNAL : err;
			w->result.retry_after = retry_after;
		}
	}
	if (e->data == NULL || !e->in_lru)
		slot_drop(c, e);	/* nothing kept: the slot goes (the waiters hold d) */
	else
		evict(c);
	pthread_mutex_unlock(&c->lock);
	return list;
}

enum bs_error
cache_peek(struct cache *c, const char *key, int64_t now_ms,
    struct cache_result *out)
{
	struct cache_entry *e;

	memset(out, 0, sizeof(*out));
	out->retry_after = -1;
	out->err = BS_ERR_BUSY;
	pthread_mutex_lock(&c->lock);
	e = table_find(c, key);
	if (e != NULL && e->data != NULL && (now_ms < e->fresh_until ||
	    stale_ok(e, now_ms))) {
		out->how = now_ms < e->fresh_until ? MC_HIT : MC_STALE;
		hand_out(e->data, now_ms < e->fresh_until ? BS_OK :
		    BS_ERR_UNREACHABLE, -1, out);
	}
	pthread_mutex_unlock(&c->lock);
	return out->err;
}

void
cache_release(struct cache *c, struct cache_result *r)
{
	if (r->hold == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	data_unref(r->hold);
	pthread_mutex_unlock(&c->lock);
	r->hold = NULL;
	r->batch = NULL;
	r->dir = NULL;
}

void
cache_stats(struct cache *c, long *entries, long *bytes, long *evictions)
{
	pthread_mutex_lock(&c->lock);
	*entries = c->entries;
	*bytes = c->bytes;
	*evictions = c->evictions;
	pthread_mutex_unlock(&c->lock);
}
