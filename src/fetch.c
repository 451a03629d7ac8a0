/* fetch.c: one batch from Partner Center: takes the token, calls upstream, names the failure, parses the body. */
#include "fetch.h"

#include <stdio.h>
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

enum bs_error
fetch_batch(struct fetch_ctx *ctx, const char *customer, const char *tracking,
    const char *correlation_id, struct batch *out, uint64_t *hash,
    long *retry_after)
{
	struct upstream_result	 r;
	char			 token[TOKEN_MAX], why[128];
	enum bs_error		 e;

	memset(out, 0, sizeof(*out));
	*retry_after = -1;
	*hash = 0;
	if (token_get(ctx->tokens, token, sizeof(token)) == -1)
		return BS_ERR_TOKEN;
	metrics_waiting(1);
	upstream_get(ctx->upstream, customer, tracking, correlation_id, token,
	    &r);
	metrics_waiting(-1);
	explicit_bzero(token, sizeof(token));

	e = fetch_classify(&r);
	if (e == BS_OK)
		*hash = hash_bytes(r.body, r.len);
	if (e == BS_ERR_THROTTLED)
		*retry_after = r.retry_after >= 0 ? r.retry_after : 30;
	if (e == BS_OK && batch_parse(r.body, r.len, out, why,
	    sizeof(why)) == -1) {
		e = BS_ERR_BAD_BODY;
		log_warn("upstream corr=%s request=%s: body unreadable: %s "
		    "(%zu bytes, %s)", correlation_id, r.request_id, why, r.len,
		    r.content_type[0] ? r.content_type : "no content type");
	}
	if (r.outcome == UP_ANSWER)
		log_info("upstream corr=%s request=%s status=%ld ms=%ld "
		    "bytes=%zu -> %s", correlation_id, r.request_id,
		    r.http_status, r.elapsed_ms, r.len, error_info(e)->key);
	else
		log_warn("upstream corr=%s request=%s failed ms=%ld: %s -> %s",
		    correlation_id, r.request_id, r.elapsed_ms, r.detail,
		    error_info(e)->key);
	metrics_upstream(e, r.elapsed_ms);
	upstream_result_free(&r);
	return e;
}

struct fill_arg {
	struct fetch_ctx	*ctx;
	const char		*customer, *tracking, *correlation_id;
};

static enum bs_error
fill(void *arg, struct batch *out, uint64_t *hash, long *retry_after)
{
	struct fill_arg *a = arg;

	return fetch_batch(a->ctx, a->customer, a->tracking, a->correlation_id,
	    out, hash, retry_after);
}

void
fetch_get(struct fetch_ctx *ctx, const char *customer, const char *tracking,
    const char *correlation_id, struct cache_result *out)
{
	struct fill_arg	 a = { ctx, customer, tracking, correlation_id };
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
