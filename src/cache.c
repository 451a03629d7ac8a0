/* cache.c: the batch cache (LRU within a memory bound), the in-flight table whose waiters are parked requests, and the 429 pause. */
#include "cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"

#define NBUCKETS	4096
#define KEY_MAX		96

struct cache_entry {
	char			 key[KEY_MAX];
	int			 refs;		/* holders, plus one while in the table */
	int			 in_table, in_lru, done;
	enum bs_error		 err;
	long			 retry_after;
	struct batch		 batch;
	uint64_t		 hash;
	int64_t			 expires_ms;
	size_t			 bytes;
	struct cache_waiter	*waiters, **waiters_tail;	/* while the call is in flight */
	struct cache_entry	*hnext;
	struct cache_entry	*prev, *next;	/* LRU: head is the most recent */
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

int
cache_is_final(const char *status)
{
	return strcasecmp(status, "finished") == 0 ||
	    strcasecmp(status, "finished_with_errors") == 0;
}

long
cache_keep_seconds(const struct cache *c, const char *status)
{
	return (cache_is_final(status) ? c->o.finished_ms : c->o.running_ms) /
	    1000;
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
entry_unref(struct cache_entry *e)
{
	if (--e->refs > 0)
		return;
	batch_free(&e->batch);
	free(e);
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
	c->bytes -= (long)e->bytes;
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
	c->bytes += (long)e->bytes;
}

/* Takes e out of the table (and the LRU); holders keep it alive. */
static void
table_remove(struct cache *c, struct cache_entry *e)
{
	struct cache_entry **pp = &c->table[bucket(e->key)];

	if (!e->in_table)
		return;
	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	e->in_table = 0;
	lru_unlink(c, e);
	c->entries--;
	entry_unref(e);
}

void
cache_free(struct cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < NBUCKETS; i++)
		while (c->table[i] != NULL)
			table_remove(c, c->table[i]);
	pthread_mutex_destroy(&c->lock);
	free(c);
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

/* Gives out a held reference to e's answer; the lock is held. */
static void
hand_out(struct cache_entry *e, struct cache_result *out)
{
	e->refs++;
	out->err = e->err;
	out->batch = e->err == BS_OK ? &e->batch : NULL;
	out->hash = e->hash;
	out->retry_after = e->retry_after;
	out->hold = e;
}

static void
add_waiter(struct cache_entry *e, struct cache_waiter *w)
{
	w->next = NULL;
	*e->waiters_tail = w;
	e->waiters_tail = &w->next;
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
	if ((e = table_find(c, key)) != NULL) {
		if (!e->done) {
			out->how = MC_COALESCED;
			if (admit != NULL && !admit(arg)) {
				pthread_mutex_unlock(&c->lock);
				return CACHE_FULL;
			}
			memset(&w->result, 0, sizeof(w->result));
			w->result.how = MC_COALESCED;
			add_waiter(e, w);
			pthread_mutex_unlock(&c->lock);
			return CACHE_WAIT;
		}
		if (now_ms < e->expires_ms) {
			out->how = MC_HIT;
			lru_unlink(c, e);
			lru_push(c, e);
			hand_out(e, out);
			pthread_mutex_unlock(&c->lock);
			return CACHE_READY;
		}
		table_remove(c, e);
	}
	/* After a 429 nobody calls until Retry-After has passed; what is kept still serves. */
	if (now_ms < c->throttled_until_ms) {
		out->err = BS_ERR_THROTTLED;
		out->retry_after = (long)((c->throttled_until_ms - now_ms +
		    999) / 1000);
		out->how = MC_THROTTLED;
		pthread_mutex_unlock(&c->lock);
		return CACHE_READY;
	}
	/* Nobody has it: this request's call; others for the same key wait on the entry. */
	out->how = MC_MISS;
	if (admit != NULL && !admit(arg)) {
		pthread_mutex_unlock(&c->lock);
		return CACHE_FULL;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		pthread_mutex_unlock(&c->lock);
		out->err = BS_ERR_INTERNAL;
		return CACHE_READY;
	}
	snprintf(e->key, sizeof(e->key), "%s", key);
	e->refs = 1;
	e->in_table = 1;
	e->retry_after = -1;
	e->waiters_tail = &e->waiters;
	e->hnext = c->table[bucket(key)];
	c->table[bucket(key)] = e;
	c->entries++;
	memset(&w->result, 0, sizeof(w->result));
	w->result.how = MC_MISS;
	add_waiter(e, w);
	*fill = e;
	pthread_mutex_unlock(&c->lock);
	return CACHE_FILL;
}

struct cache_waiter *
cache_fill_done(struct cache *c, struct cache_entry *e, enum bs_error err,
    struct batch *batch, uint64_t hash, long retry_after, int64_t now_ms)
{
	struct cache_waiter	*w, *list;
	long			 ttl = 0;

	pthread_mutex_lock(&c->lock);
	e->done = 1;
	e->err = err;
	e->hash = hash;
	e->retry_after = retry_after;
	if (err == BS_OK) {
		e->batch = *batch;
		memset(batch, 0, sizeof(*batch));
		ttl = cache_is_final(e->batch.status) ? c->o.finished_ms :
		    c->o.running_ms;
	}
	e->bytes = e->batch.bytes + sizeof(*e);
	/* Every waiter holds the entry until it is released. */
	list = e->waiters;
	e->waiters = NULL;
	e->waiters_tail = &e->waiters;
	for (w = list; w != NULL; w = w->next) {
		enum metric_cache how = w->result.how;

		hand_out(e, &w->result);
		w->result.how = how;
	}
	if (ttl > 0 && (long)e->bytes <= c->o.max_bytes) {
		e->expires_ms = now_ms + ttl;
		lru_push(c, e);
		while (c->bytes > c->o.max_bytes && c->tail != NULL) {
			c->evictions++;
			table_remove(c, c->tail);
		}
	} else
		table_remove(c, e);	/* errors and uncacheable answers are not kept */
	if (err == BS_ERR_THROTTLED)
		c->throttled_until_ms = now_ms + 1000L *
		    (retry_after > 0 ? retry_after : 30);
	pthread_mutex_unlock(&c->lock);
	return list;
}

void
cache_release(struct cache *c, struct cache_result *r)
{
	if (r->hold == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	entry_unref(r->hold);
	pthread_mutex_unlock(&c->lock);
	r->hold = NULL;
	r->batch = NULL;
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
