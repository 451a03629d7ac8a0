/* cache.c: the batch cache (LRU within a memory bound), the in-flight table that coalesces calls, and the 429 pause. */
#include "cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

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
	struct cache_entry	*hnext;
	struct cache_entry	*prev, *next;	/* LRU: head is the most recent */
};

struct cache {
	pthread_mutex_t		 lock;
	pthread_cond_t		 filled;	/* broadcast whenever a call ends */
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
	struct cache		*c;
	pthread_condattr_t	 ca;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->o = *o;
	pthread_mutex_init(&c->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->filled, &ca);
	pthread_condattr_destroy(&ca);
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
	pthread_cond_destroy(&c->filled);
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

static void
hand_out(struct cache_entry *e, struct cache_result *out)
{
	out->err = e->err;
	out->batch = e->err == BS_OK ? &e->batch : NULL;
	out->hash = e->hash;
	out->retry_after = e->retry_after;
	out->hold = e;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for another request's call to end; BS_ERR_TIMEOUT if it never does. */
static void
wait_for(struct cache *c, struct cache_entry *e, struct cache_result *out)
{
	struct timespec	 until;
	int64_t		 deadline = mono_ms() + c->o.wait_ms;
	int		 rc = 0;

	e->refs++;
	metrics_waiting(1);
	until.tv_sec = (time_t)(deadline / 1000);
	until.tv_nsec = (long)(deadline % 1000) * 1000000;
	while (!e->done && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&c->filled, &c->lock, &until);
	metrics_waiting(-1);
	if (e->done)
		hand_out(e, out);
	else {
		out->err = BS_ERR_TIMEOUT;
		out->hold = e;
	}
}

void
cache_get(struct cache *c, const char *key, int64_t now_ms, cache_fill_fn fill,
    void *arg, struct cache_result *out)
{
	struct cache_entry	*e;
	long			 ttl;

	memset(out, 0, sizeof(*out));
	out->retry_after = -1;
	pthread_mutex_lock(&c->lock);
	if ((e = table_find(c, key)) != NULL) {
		if (!e->done) {
			out->how = MC_COALESCED;
			wait_for(c, e, out);
			pthread_mutex_unlock(&c->lock);
			return;
		}
		if (now_ms < e->expires_ms) {
			out->how = MC_HIT;
			e->refs++;
			lru_unlink(c, e);
			lru_push(c, e);
			hand_out(e, out);
			pthread_mutex_unlock(&c->lock);
			return;
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
		return;
	}

	/* Nobody has it: this request calls, others for the same key wait in the table. */
	out->how = MC_MISS;
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		pthread_mutex_unlock(&c->lock);
		out->err = BS_ERR_INTERNAL;
		return;
	}
	snprintf(e->key, sizeof(e->key), "%s", key);
	e->refs = 2;
	e->in_table = 1;
	e->hnext = c->table[bucket(key)];
	c->table[bucket(key)] = e;
	c->entries++;
	pthread_mutex_unlock(&c->lock);

	e->retry_after = -1;
	e->err = fill(arg, &e->batch, &e->hash, &e->retry_after);

	pthread_mutex_lock(&c->lock);
	e->done = 1;
	ttl = 0;
	if (e->err == BS_OK)
		ttl = cache_is_final(e->batch.status) ? c->o.finished_ms :
		    c->o.running_ms;
	e->bytes = e->batch.bytes + sizeof(*e);
	if (ttl > 0 && (long)e->bytes <= c->o.max_bytes) {
		e->expires_ms = now_ms + ttl;
		lru_push(c, e);
		while (c->bytes > c->o.max_bytes && c->tail != NULL) {
			c->evictions++;
			table_remove(c, c->tail);
		}
	} else
		table_remove(c, e);	/* errors and uncacheable answers are not kept */
	if (e->err == BS_ERR_THROTTLED)
		c->throttled_until_ms = now_ms + 1000L *
		    (e->retry_after > 0 ? e->retry_after : 30);
	hand_out(e, out);
	pthread_cond_broadcast(&c->filled);
	pthread_mutex_unlock(&c->lock);
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
