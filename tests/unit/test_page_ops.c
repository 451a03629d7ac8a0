/* test_page_ops.c: /healthz says ok without asking anything; /metrics is Prometheus text, with or without a fetch. */
#include <string.h>

#include "pages.h"
#include "t.h"

/* A job routed to uri, answered by its page with no fetch (nothing upstream to ask). */
static void
answer(struct handler_job *hj, const char *uri)
{
	struct http_in in = { "GET", uri, NULL, NULL, NULL, 0, NULL, 0, 0, NULL, NULL, NULL, NULL, 0, 0 };

	memset(hj, 0, sizeof(*hj));
	buf_init(&hj->res.body);
	CHECK(route_request(&in, &hj->req) == BS_OK);
	hj->req.route->answer(hj, NULL);
}

static void
test_health_is_ok(void)
{
	struct handler_job hj;

	answer(&hj, "/healthz");
	CHECK(hj.res.status == 200);
	CHECK_STR(hj.res.outcome, "health");
	CHECK_STR(hj.res.content_type, "text/plain; charset=utf-8");
	CHECK_STR(hj.res.body.data, "ok\n");
	buf_free(&hj.res.body);
}

static void
test_metrics_without_a_fetch(void)
{
	struct handler_job hj;

	answer(&hj, "/metrics");
	CHECK(hj.res.status == 200);
	CHECK_STR(hj.res.content_type, "text/plain; version=0.0.4; charset=utf-8");
	CHECK_CONTAINS(hj.res.body.data, "# TYPE batchstatus_requests_total counter");
	CHECK_CONTAINS(hj.res.body.data, "batchstatus_cache_entries 0");
	buf_free(&hj.res.body);
}

int
main(void)
{
	T_RUN(test_health_is_ok);
	T_RUN(test_metrics_without_a_fetch);
	return t_done("test_page_ops");
}
