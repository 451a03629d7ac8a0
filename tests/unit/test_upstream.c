/* test_upstream.c: the batch-status GET we build (path, documented headers, a fresh request ID) and what each answer means. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "upstream.h"

static const struct upstream_opts opts = {
	"https://api.example.test", 15000, 100000, "batchstatus/test"
};

/* Whether the call carries exactly this header line. */
static int
has_line(const struct upstream_call *c, const char *line)
{
	size_t i;

	for (i = 0; c->headers[i] != NULL; i++)
		if (strcmp(c->headers[i], line) == 0)
			return 1;
	return 0;
}

static void
test_the_documented_request(void)
{
	struct upstream_call	 c;
	char			 want[96];

	CHECK(upstream_call_init(&c, &opts, "47021739-3426-40bf-9601-61b4b6d7c793",
	    "0127ed8e-ff72-4983-a3d8-e8d8bd378932",
	    "aaaa0000-bb11-2222-33cc-444444dddddd", "sekrit-token") == 0);
	CHECK_STR(c.url, "https://api.example.test/v1/customers/47021739-3426-"
	    "40bf-9601-61b4b6d7c793/batchJobStatus/0127ed8e-ff72-4983-a3d8-"
	    "e8d8bd378932");
	CHECK(has_line(&c, "Authorization: Bearer sekrit-token"));
	CHECK(has_line(&c, "Accept: application/json"));
	CHECK(has_line(&c, "MS-CorrelationId: aaaa0000-bb11-2222-33cc-444444dddddd"));
	/* One locale upstream, whoever reads: the words are ours. */
	CHECK(has_line(&c, "X-Locale: en-US"));
	CHECK(has_line(&c, "MS-PartnerCenter-Application: batchstatus/test"));
	CHECK(has_line(&c, "MS-Contract-Version: v1"));
	snprintf(want, sizeof(want), "MS-RequestId: %s", c.request_id);
	CHECK(strlen(c.request_id) == 36 && has_line(&c, want));
	upstream_call_wipe(&c);
	CHECK(c.auth == NULL && c.headers[0] == NULL);
}

static void
test_a_fresh_request_id_each_time(void)
{
	struct upstream_call	 a, b;

	upstream_call_init(&a, &opts, "c", "t", "x", "tok");
	upstream_call_init(&b, &opts, "c", "t", "x", "tok");
	CHECK(strcmp(a.request_id, b.request_id) != 0);
	upstream_call_wipe(&a);
	upstream_call_wipe(&b);
}

static enum bs_error
of(enum pc_outcome o, long status)
{
	struct pc_result r;

	memset(&r, 0, sizeof(r));
	r.outcome = o;
	r.http_status = status;
	return upstream_classify(&r);
}

static void
test_what_answers_mean(void)
{
	CHECK(of(PC_ANSWER, 200) == BS_OK);
	CHECK(of(PC_ANSWER, 404) == BS_ERR_NO_SUCH_BATCH);
	CHECK(of(PC_ANSWER, 401) == BS_ERR_CREDENTIALS);
	CHECK(of(PC_ANSWER, 403) == BS_ERR_CREDENTIALS);
	CHECK(of(PC_ANSWER, 429) == BS_ERR_THROTTLED);
	CHECK(of(PC_ANSWER, 503) == BS_ERR_UPSTREAM_STATUS);
	CHECK(of(PC_ANSWER, 302) == BS_ERR_UPSTREAM_STATUS);
	CHECK(of(PC_TIMEOUT, 0) == BS_ERR_TIMEOUT);
	CHECK(of(PC_CONNECT, 0) == BS_ERR_UNREACHABLE);
	CHECK(of(PC_TLS, 0) == BS_ERR_TLS);
	CHECK(of(PC_TOO_LARGE, 0) == BS_ERR_TOO_LARGE);
	CHECK(of(PC_INTERNAL, 0) == BS_ERR_INTERNAL);
}

/* A header over libcurl's limits is Partner Center's fault: a 502 of its own, and a held answer may stand in. */
static void
test_a_bad_header_is_a_502_of_its_own(void)
{
	const struct error_info *ei = error_info(BS_ERR_BAD_HEADER);

	CHECK(of(PC_BAD_HEADER, 0) == BS_ERR_BAD_HEADER);
	CHECK(ei->http_status == 502);
	CHECK_STR(ei->key, "bad_header");
	CHECK_STR(ei->stale, "unavailable");
}

static void
test_retry_after(void)
{
	CHECK(upstream_parse_retry_after("57", 0) == 57);
	CHECK(upstream_parse_retry_after(" 0 ", 0) == 0);
	CHECK(upstream_parse_retry_after("999999", 0) == 86400);
	CHECK(upstream_parse_retry_after("99999999999999999999", 0) == 86400);
	CHECK(upstream_parse_retry_after("soon", 0) == -1);
	CHECK(upstream_parse_retry_after("-5", 0) == -1);
	CHECK(upstream_parse_retry_after("5x", 0) == -1);
	CHECK(upstream_parse_retry_after("", 0) == -1);
	CHECK(upstream_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT",
	    1445412480 - 30) == 30);
	CHECK(upstream_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT",
	    1445412480 + 30) == -1);
}

/* The pause a 429 applies: [1, max], the default for anything unusable. */
static void
test_pause_is_clamped(void)
{
	long now = 1445412480;

	CHECK(upstream_pause_seconds("57", now, 300) == 57);
	CHECK(upstream_pause_seconds("99999999999999999999", now, 300) == 300);
	CHECK(upstream_pause_seconds("86400", now, 300) == 300);
	CHECK(upstream_pause_seconds("0", now, 300) == 1);
	CHECK(upstream_pause_seconds("-5", now, 300) == UPSTREAM_PAUSE_DEFAULT);
	CHECK(upstream_pause_seconds("soon", now, 300) == UPSTREAM_PAUSE_DEFAULT);
	CHECK(upstream_pause_seconds("", now, 300) == UPSTREAM_PAUSE_DEFAULT);
	CHECK(upstream_pause_seconds(NULL, now, 300) == UPSTREAM_PAUSE_DEFAULT);
	CHECK(upstream_pause_seconds("Wed, 21 Oct 2015 07:28:00 GMT",
	    now - 45, 300) == 45);
	CHECK(upstream_pause_seconds("Wed, 21 Oct 2015 07:28:00 GMT",
	    now + 45, 300) == UPSTREAM_PAUSE_DEFAULT);
	CHECK(upstream_pause_seconds("Wed, 21 Oct 2015 07:28:00 GMT",
	    now - 4000, 300) == 300);
	/* A bound below the default wins over it. */
	CHECK(upstream_pause_seconds("garbage", now, 10) == 10);
}

int
main(void)
{
	T_RUN(test_the_documented_request);
	T_RUN(test_a_fresh_request_id_each_time);
	T_RUN(test_what_answers_mean);
	T_RUN(test_retry_after);
	T_RUN(test_pause_is_clamped);
	T_RUN(test_a_bad_header_is_a_502_of_its_own);
	return t_done("test_upstream");
}
