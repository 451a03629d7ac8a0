/* fetch.c: one batch from Partner Center: takes the token, calls upstream, names the failure, parses the body. */
#include "fetch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "metrics.h"
#include "text.h"

enum bs_error
fetch_classify(const struct upstream_result *r)
{
	switch (r->outcome) {
	case UP_ANSWER:
		break;
	case UP_TIMEOUT:
		return BS_ERR_TIMEOUT;
	case UP_CONNECT:
		return BS_ERR_UNREACHABLE;
	case UP_TLS:
		return BS_ERR_TLS;
	case UP_TOO_LARGE:
		return BS_ERR_TOO_LARGE;
	default:
		return BS_ERR_INTERNAL;
	}
	if (r->http_status == 200)
		return BS_OK;
	if (r->http_status == 404)
		return BS_ERR_NO_SUCH_BATCH;
	if (r->http_status == 401 || r->http_status == 403)
		return BS_ERR_CREDENTIALS;
	if (r->http_status == 429)
		return BS_ERR_THROTTLED;
	return BS_ERR_UPSTREAM_STATUS;
}

/* One GET with the current token; on a 401 that a new token may cure, *refused is set. */
static enum bs_error
call_once(struct fetch_ctx *ctx, const char *customer, const char *tracking,
    const char *correlation_id, const char *locale, int attempt,
    struct upstream_result *r, int *refused)
{
	char		*token;
	enum bs_error	 e;

	*refused = 0;
	memset(r, 0, sizeof(*r));
	if ((token = malloc(TOKEN_MAX)) == NULL)
		return BS_ERR_INTERNAL;
	if ((e = token_get(ctx->tokens, token, TOKEN_MAX)) != BS_OK) {
		free(token);
		return e;
	}
	metrics_waiting(1);
	upstream_get(ctx->upstream, customer, tracking, correlation_id, locale,
	    token, r);
	metrics_waiting(-1);
	if (r->outcome == UP_ANSWER && r->http_status == 401)
		*refused = token_refused(ctx->tokens, token, attempt > 0);
	/* On the heap, not the stack: a 16 KiB stack buffer wiped whole
	 * kept 16 KiB of every worker's stack resident. */
	explicit_bzero(token, strlen(token));
	free(token);
	return fetch_classify(r);
}

static void
log_call(const char *correlation_id, const struct upstream_result *r,
    enum bs_error e)
{
	if (r->outcome == UP_ANSWER)
		log_info("upstream corr=%s request=%s status=%ld ms=%ld "
		    "bytes=%zu -> %s", correlation_id, r->request_id,
		    r->http_status, r->elapsed_ms, r->len, error_info(e)->key);
	else
		log_warn("upstream corr=%s request=%s failed ms=%ld: %s -> %s",
		    correlation_id, r->request_id, r->elapsed_ms, r->detail,
		    error_info(e)->key);
	metrics_upstream(e, r->elapsed_ms);
}

enum bs_error
fetch_batch(struct fetch_ctx *ctx, const char *customer, const char *tracking,
    const char *correlation_id, const char *locale, struct batch *out,
    uint64_t *hash, long *retry_after, struct fetch_trace *trace)
{
	struct upstream_result	 r;
	char			 why[128];
	enum bs_error		 e;
	int			 attempt, refused, rc = BATCH_OK;

	memset(out, 0, sizeof(*out));
	*retry_after = -1;
	*hash = 0;
	for (attempt = 0; ; attempt++) {
		e = call_once(ctx, customer, tracking, correlation_id, locale,
		    attempt, &r, &refused);
		if (e == BS_ERR_TOKEN || e == BS_ERR_SIGNIN ||
		    (e == BS_ERR_INTERNAL && r.request_id[0] == '\0'))
			return e;	/* no call was made */
		if (trace != NULL) {
			trace->status = r.outcome == UP_ANSWER ?
			    r.http_status : -1;
			trace->ms += r.elapsed_ms;
			trace->calls++;
		}
		/* A refused token is renewed and the call made once more, not twice. */
		if (!refused || attempt > 0)
			break;
		log_call(correlation_id, &r, e);
		upstream_result_free(&r);
	}
	if (e == BS_OK)
		*hash = hash_bytes(r.body, r.len);
	if (e == BS_ERR_THROTTLED)
		*retry_after = r.retry_after >= 0 ? r.retry_after : 30;
	if (e == BS_OK && (rc = batch_parse(r.body, r.len,
	    BATCH_MAX_DEVICES_DEFAULT, out, why, sizeof(why))) == BATCH_OK)
		out->fetched_at = (int64_t)time(NULL);
	else if (e == BS_OK) {
		e = rc == BATCH_TOO_MANY ? BS_ERR_TOO_LARGE : BS_ERR_BAD_BODY;
		log_warn("upstream corr=%s request=%s: body %s: %s (%zu bytes, "
		    "%s)", correlation_id, r.request_id, rc == BATCH_TOO_MANY ?
		    "too large" : "unreadable", why, r.len,
		    r.content_type[0] ? r.content_type : "no content type");
	}
	log_call(correlation_id, &r, e);
	upstream_result_free(&r);
	return e;
}

struct fill_arg {
	struct fetch_ctx	*ctx;
	const char		*customer, *tracking, *correlation_id, *locale;
	struct fetch_trace	*trace;
};

static enum bs_error
fill(void *arg, struct batch *out, uint64_t *hash, long *retry_after)
{
	struct fill_arg *a = arg;

	return fetch_batch(a->ctx, a->customer, a->tracking, a->correlation_id,
	    a->locale, out, hash, retry_after, a->trace);
}

void
fetch_get(struct fetch_ctx *ctx, const char *customer, const char *tracking,
    const char *correlation_id, const char *locale, struct cache_result *out,
    struct fetch_trace *trace)
{
	struct fill_arg	 a = { ctx, customer, tracking, correlation_id, locale,
	    trace };
	struct timespec	 ts;
	char		 key[2 * GUID_LEN + 2];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(key, sizeof(key), "%s/%s", customer, tracking);
	cache_get(ctx->cache, key, (int64_t)ts.tv_sec * 1000 +
	    ts.tv_nsec / 1000000, fill, &a, out);
	metrics_cache(out->how);
}

void
fetch_release(struct fetch_ctx *ctx, struct cache_result *r)
{
	cache_release(ctx->cache, r);
}
