/* fetch.h: get a batch for a request: token, upstream call, error kind, parsed model. */
#ifndef BATCHSTATUS_FETCH_H
#define BATCHSTATUS_FETCH_H

#include "batch.h"
#include "cache.h"
#include "errors.h"
#include "token.h"
#include "upstream.h"

struct fetch_ctx {
	struct upstream		*upstream;	/* this thread's client */
	struct token_source	*tokens;
	struct cache		*cache;		/* shared by all threads */
};

/* What an upstream answer means for the user: BS_OK for a 200, else the error. */
enum bs_error	fetch_classify(const struct upstream_result *);

/*
 * One batch: from the cache, from another request's call in flight, or
 * from Partner Center now. out->err says which error, if any; release
 * out with fetch_release whatever happened.
 */
void		fetch_get(struct fetch_ctx *, const char *customer,
		    const char *tracking, const char *correlation_id,
		    struct cache_result *out);
void		fetch_release(struct fetch_ctx *, struct cache_result *);

/*
 * Calls Partner Center and parses the answer, bypassing the cache.
 * Returns BS_OK with *out filled (free it with batch_free), or the error;
 * *hash identifies the body, *retry_after is Retry-After in seconds or -1.
 */
enum bs_error	fetch_batch(struct fetch_ctx *, const char *customer,
		    const char *tracking, const char *correlation_id,
		    struct batch *out, uint64_t *hash, long *retry_after);

#endif
