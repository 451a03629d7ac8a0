/* fetch.h: get a batch for a request: token, upstream call, error kind, parsed model. */
#ifndef BATCHSTATUS_FETCH_H
#define BATCHSTATUS_FETCH_H

#include "batch.h"
#include "errors.h"
#include "token.h"
#include "upstream.h"

struct fetch_ctx {
	struct upstream		*upstream;	/* this thread's client */
	struct token_source	*tokens;
};

/* What an upstream answer means for the user: BS_OK for a 200, else the error. */
enum bs_error	fetch_classify(const struct upstream_result *);

/*
 * Fetches and parses one batch. Returns BS_OK with *out filled (free it
 * with batch_free), or the error; *retry_after gets Partner Center's
 * Retry-After in seconds, or -1.
 */
enum bs_error	fetch_batch(struct fetch_ctx *, const char *customer,
		    const char *tracking, const char *correlation_id,
		    struct batch *out, long *retry_after);

#endif
