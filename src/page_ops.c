/* page_ops.c: the operators' pages: /healthz (alive, without asking Partner Center) and /metrics (Prometheus text). */
#include "pages.h"

#include "cache.h"
#include "metrics.h"

void
page_health(struct handler_job *hj, struct fetch_ctx *fetch)
{
	struct response *res = &hj->res;

	(void)fetch;
	res->status = 200;
	res->outcome = "health";
	res->content_type = hj->req.format->content_type;
	buf_puts(&res->body, "ok\n");
}

void
page_metrics(struct handler_job *hj, struct fetch_ctx *fetch)
{
	struct response	*res = &hj->res;
	long		 entries = 0, bytes = 0, evictions = 0;

	if (fetch != NULL && fetch->cache != NULL)
		cache_stats(fetch->cache, &entries, &bytes, &evictions);
	res->status = 200;
	res->outcome = "metrics";
	res->content_type = hj->req.format->content_type;
	metrics_write(&res->body, entries, bytes, evictions,
	    fetch != NULL ? fetch_waiting(fetch) : 0);
	if (fetch != NULL && fetch->follow != NULL) {
		struct follow_counts n;

		follow_metrics(fetch->follow, &n);
		metrics_write_notify(&res->body, n.followed, n.started, n.sent,
		    n.retried, n.failed);
	}
}
