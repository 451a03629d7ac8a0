/* cache.h: batches and listings kept in memory, and one upstream call per key at a time however many requests wait for it (they wait parked, not blocked). */
#ifndef BATCHSTATUS_CACHE_H
#define BATCHSTATUS_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "directory.h"
#include "errors.h"
#include "metrics.h"

struct cache_opts {
	long	finished_ms;	/* finished batches do not change: keep them this long (0: not at all) */
	long	running_ms;	/* queued/processing/unknown: this long, to collapse a crowd into one call */
	long	max_bytes;	/* memory bound of the kept batches; least recently used go first */
	long	stale_ms;	/* a failed call is answered with what we hold if it is younger than this (0: never) */
	long	dir_ms[DIR__MAX];	/* listings (search, a customer, its device batches, devices): kept this long */
};

/* One answer the cache keeps: a batch's status, or a listing. */
struct resource {
	int		 is_dir;	/* 0: batch; 1: dir */
	struct batch	 batch;
	struct dir_list	 dir;
};
void	resource_free(struct resource *);

struct cache;
struct cache_entry;
struct cache_data;

struct cache_result {
	enum bs_error		 err;
	const struct batch	*batch;		/* on BS_OK, a batch's key; valid until cache_release */
	const struct dir_list	*dir;		/* on BS_OK, a listing's key; valid until cache_release */
	uint64_t		 hash;		/* of the upstream answer */
	long			 retry_after;	/* seconds: with BS_ERR_THROTTLED, or until a stale answer's next try */
	enum bs_error		 stale;		/* BS_OK: fresh; else why the kept answer stands in (see error_info's stale) */
	enum metric_cache	 how;
	struct cache_data	*hold;
};

/* A request waiting for a call in flight; it lives in the request, not in the cache. */
struct cache_waiter {
	struct cache_waiter	*next;
	struct cache_result	 result;	/* filled by cache_fill_done */
};

enum cache_step {
	CACHE_READY,	/* *out holds the answer now: kept and fresh, or the 429 pause */
	CACHE_WAIT,	/* the waiter joined the call in flight for this key */
	CACHE_FILL,	/* the waiter is the first: the caller makes the call, then cache_fill_done */
	CACHE_FULL,	/* admit said no: nothing waits, nothing was started */
};

struct cache	*cache_new(const struct cache_opts *);
void		 cache_free(struct cache *);

/*
 * The batch under key. Kept and fresh: CACHE_READY with out filled. While
 * a 429's Retry-After pauses every call, or until the next try after a
 * failed one, also CACHE_READY: the kept answer marked stale if it is
 * younger than stale_ms, else BS_ERR_THROTTLED (the pause). Else the
 * request must wait: admit(arg) is asked first (under the cache's lock;
 * it must be quick) and may refuse (CACHE_FULL). Then w joins the call in
 * flight (CACHE_WAIT), or starts one (CACHE_FILL, *fill set): the caller
 * calls upstream and hands the outcome to cache_fill_done. Whatever the
 * step, out->how says hit/throttled/coalesced/miss; call cache_release
 * on every result that holds an entry. w NULL (a peek): nothing waits;
 * a call in flight is BS_ERR_BUSY at once, and a call started has no
 * waiters.
 */
enum cache_step	 cache_lookup(struct cache *, const char *key, int64_t now_ms,
		    struct cache_waiter *w, int (*admit)(void *), void *arg,
		    struct cache_result *out, struct cache_entry **fill);

/*
 * The call for fill ended: err, and on BS_OK the answer (moved into the
 * cache; *r is emptied; NULL when there is none), the answer's hash, Retry-After for a 429.
 * Errors are never kept: a failure that error_info marks stale-able goes
 * to the waiters as the answer held before, if there is one younger than
 * stale_ms (and the key is not asked again before retry_after, or 30 s at
 * most), else as the error; a 404 (no such batch, customer or device
 * batch) drops what was held. A 429 pauses every
 * call until its Retry-After has passed. Returns the waiters, each with
 * its result filled (release each); fill must not be used after.
 */
struct cache_waiter *cache_fill_done(struct cache *, struct cache_entry *fill,
		    enum bs_error err, struct resource *r, uint64_t hash,
		    long retry_after, int64_t now_ms);

/* What key holds, fresh or old enough to stand in (out->stale says which), without asking anyone: BS_OK with out filled, or BS_ERR_BUSY. */
enum bs_error	 cache_peek(struct cache *, const char *key, int64_t now_ms,
		    struct cache_result *out);
void		 cache_release(struct cache *, struct cache_result *);
/* New bounds and times (a reload); what is kept stays until it no longer fits. */
void		 cache_set_opts(struct cache *, const struct cache_opts *);
void		 cache_stats(struct cache *, long *entries, long *bytes,
		    long *evictions);
/* How long a batch of this status is kept, in seconds (0: not kept). */
long		 cache_keep_seconds(const struct cache *, const char *status);

#endif
