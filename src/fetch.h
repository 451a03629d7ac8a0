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

/* This request's own Partner Center call, for its log line (status 0: none). */
struct fetch_trace {
	long	status;		/* HTTP status of the last attempt; -1: no answer */
	long	ms;		/* time spent on the calls, retries included */
	int	calls;
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
		    const char *locale, struct cache_result *out,
		    struct fetch_trace *trace);
void		fetch_release(struct fetch_ctx *, struct cache_result *);

/*
 * Calls Partner Center (X-Locale: locale) and parses the answer, bypassing the cache. A 401
 * drops the token and the call is made once more with a new one.
 * Returns BS_OK with *out filled (free it with batch_free), or the error;
 * *hash identifies the body, *retry_after is Retry-After in seconds or -1.
 * trace (may be NULL) gets the calls made.
 */
enum bs_error	fetch_batch(struct fetch_ctx *, const char *customer,
		    const char *tracking, const char *correlation_id,
		    const char *locale, struct batch *out, uint64_t *hash,
		    long *retry_after, struct fetch_trace *trace);

#endif
