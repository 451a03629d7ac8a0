/* cache.h: batches kept in memory and one upstream call per batch at a time, however many viewers wait for it. */
#ifndef BATCHSTATUS_CACHE_H
#define BATCHSTATUS_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "errors.h"
#include "metrics.h"

struct cache_opts {
	long	finished_ms;	/* finished batches do not change: keep them this long (0: not at all) */
	long	running_ms;	/* queued/processing/unknown: this long, to collapse a crowd into one call */
	long	max_bytes;	/* memory bound of the kept batches; least recently used go first */
	long	wait_ms;	/* longest a request waits for another's call (above the upstream deadline) */
};

/* Fetches and parses one batch; *hash identifies the answer's bytes. Called without locks held. */
typedef enum bs_error (*cache_fill_fn)(void *arg, struct batch *out,
    uint64_t *hash, long *retry_after);

struct cache;
struct cache_entry;

struct cache_result {
	enum bs_error		 err;
	const struct batch	*batch;		/* on BS_OK; valid until cache_release */
	uint64_t		 hash;		/* of the upstream answer */
	long			 retry_after;	/* seconds, with BS_ERR_THROTTLED */
	enum metric_cache	 how;
	struct cache_entry	*hold;
};

struct cache	*cache_new(const struct cache_opts *);
void		 cache_free(struct cache *);
/*
 * The batch under key: kept and fresh, or being fetched by another request
 * (wait for it), or fetched now by calling fill. Errors are handed to
 * everyone who waited for that call but never kept; a 429 stops every call
 * until its Retry-After has passed. Always call cache_release after.
 */
void		 cache_get(struct cache *, const char *key, int64_t now_ms,
		    cache_fill_fn fill, void *arg, struct cache_result *out);
void		 cache_release(struct cache *, struct cache_result *);
void		 cache_stats(struct cache *, long *entries, long *bytes,
		    long *evictions);
/* How long a batch of this status is kept, in seconds (0: not kept). */
long		 cache_keep_seconds(const struct cache *, const char *status);
/* Whether a batch of this status is final (finished, finished_with_errors). */
int		 cache_is_final(const char *status);

#endif
