/* test_upstream.c: the GETs we build (paths of every call, documented headers, continuation, a fresh request ID), their paging, their cache keys and what each answer means. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "upstream.h"

static const struct upstream_opts opts = {
	"https://api.example.test", 15000, 100000, "batchstatus/test", 3
};

static struct upstream_ask
batch_ask(const char *customer, const char *tracking)
{
	struct upstream_ask a;

	upstream_ask_batch(&a, customer, tracking);
	return a;
}

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
	struct upstream_ask	 a = batch_ask("47021739-3426-40bf-9601-61b4b6d7c793",
				    "0127ed8e-ff72-4983-a3d8-e8d8bd378932");
	char			 want[96];

	CHECK(upstream_call_init(&c, &opts, &a, NULL,
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
	struct upstream_ask	 ask = batch_ask("c", "t");

	upstream_call_init(&a, &opts, &ask, NULL, "x", "tok");
	upstream_call_init(&b, &opts, &ask, NULL, "x", "tok");
	CHECK(strcmp(a.request_id, b.request_id) != 0);
	upstream_call_wipe(&a);
	upstream_call_wipe(&b);
}

/* What an outcome and status mean for a call of kind k. */
static enum bs_error
classify(enum res_kind k, enum pc_outcome o, long status)
{
	struct pc_result r;

	memset(&r, 0, sizeof(r));
	r.outcome = o;
	r.http_status = status;
	return upstream_classify(&r, k);
}

static enum bs_error
of(enum pc_outcome o, long status)
{
	return classify(RES_BATCH, o, status);
}

static enum bs_error
of_kind(enum res_kind k, long status)
{
	return classify(k, PC_ANSWER, status);
}

static void
test_the_paths_of_the_directory_calls(void)
{
	struct upstream_call	 c;
	struct upstream_ask	 a;

	memset(&a, 0, sizeof(a));
	a.kind = RES_SEARCH;
	a.field = DIR_FIELD_COMPANY_NAME;
	snprintf(a.q, sizeof(a.q), "cont");
	CHECK(upstream_call_init(&c, &opts, &a, NULL, "x", "tok") == 0);
	CHECK_STR(c.url, "https://api.example.test/v1/customers?size=100&filter="
	    "%7B%22Field%22%3A%22CompanyName%22%2C%22Value%22%3A%22cont%22%2C"
	    "%22Operator%22%3A%22starts_with%22%7D");
	CHECK(c.continuation == NULL);
	upstream_call_wipe(&c);
	/* The next page: seekOperation=Next, its token in the header. */
	CHECK(upstream_call_init(&c, &opts, &a, "tok.en-1", "x", "tok") == 0);
	CHECK_STR(c.url, "https://api.example.test/v1/customers?size=100"
	    "&seekOperation=Next");
	CHECK(has_line(&c, "MS-ContinuationToken: tok.en-1"));
	upstream_call_wipe(&c);
	CHECK(c.continuation == NULL);
	a.kind = RES_CUSTOMER;
	snprintf(a.customer, sizeof(a.customer), "c0570000-0000-4000-8000-000000000001");
	CHECK(upstream_call_init(&c, &opts, &a, NULL, "x", "tok") == 0);
	CHECK_STR(c.url, "https://api.example.test/v1/customers/"
	    "c0570000-0000-4000-8000-000000000001");
	upstream_call_wipe(&c);
	a.kind = RES_DEVICE_BATCHES;
	CHECK(upstream_call_init(&c, &opts, &a, NULL, "x", "tok") == 0);
	CHECK_STR(c.url, "https://api.example.test/v1/customers/"
	    "c0570000-0000-4000-8000-000000000001/deviceBatches");
	upstream_call_wipe(&c);
	a.kind = RES_DEVICES;
	snprintf(a.batch_id, sizeof(a.batch_id), "%s",
	    "\xc3\x81rv\xc3\xadz 100%/x");
	CHECK(upstream_call_init(&c, &opts, &a, "t2", "x", "tok") == 0);
	CHECK_STR(c.url, "https://api.example.test/v1/customers/"
	    "c0570000-0000-4000-8000-000000000001/deviceBatches/"
	    "%C3%81rv%C3%ADz%20100%25%2Fx/devices");
	CHECK(has_line(&c, "MS-ContinuationToken: t2"));
	upstream_call_wipe(&c);
}

static void
test_paging_stops_at_the_bound_a_repeat_or_no_token(void)
{
	CHECK(upstream_paging(NULL, "", 1, 3) == PAGING_DONE);
	CHECK(upstream_paging("a", NULL, 2, 3) == PAGING_DONE);
	CHECK(upstream_paging(NULL, "a", 1, 3) == PAGING_NEXT);
	CHECK(upstream_paging("a", "b", 2, 3) == PAGING_NEXT);
	CHECK(upstream_paging("a", "a", 2, 3) == PAGING_REPEATED);
	CHECK(upstream_paging("b", "c", 3, 3) == PAGING_BOUND);
}

static void
test_keys_tell_kinds_apart_and_fold_search_case(void)
{
	struct upstream_ask	 a, b;
	char			 ka[400], kb[400];

	a = batch_ask("c", "t");
	CHECK(upstream_key(&a, ka, sizeof(ka)) > 0);
	CHECK_STR(ka, "c/t");
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.kind = b.kind = RES_SEARCH;
	snprintf(a.q, sizeof(a.q), "Cont");
	snprintf(b.q, sizeof(b.q), "cONT");
	upstream_key(&a, ka, sizeof(ka));
	upstream_key(&b, kb, sizeof(kb));
	CHECK_STR(ka, kb);
	b.field = DIR_FIELD_DOMAIN;
	upstream_key(&b, kb, sizeof(kb));
	CHECK(strcmp(ka, kb) != 0);
	a.kind = RES_CUSTOMER;
	b.kind = RES_DEVICE_BATCHES;
	snprintf(a.customer, sizeof(a.customer), "c");
	snprintf(b.customer, sizeof(b.customer), "c");
	upstream_key(&a, ka, sizeof(ka));
	upstream_key(&b, kb, sizeof(kb));
	CHECK(strcmp(ka, kb) != 0);
	CHECK(upstream_key(&a, ka, 2) == -1);
}

static void
test_what_directory_answers_mean(void)
{
	CHECK(of_kind(RES_SEARCH, 200) == BS_OK);
	CHECK(of_kind(RES_CUSTOMER, 404) == BS_ERR_NO_SUCH_CUSTOMER);
	CHECK(of_kind(RES_DEVICE_BATCHES, 404) == BS_ERR_NO_SUCH_CUSTOMER);
	CHECK(of_kind(RES_DEVICES, 404) == BS_ERR_NO_SUCH_DEVICE_BATCH);
	/* App-only may not list: the page says which sign-in it takes. */
	CHECK(of_kind(RES_DEVICES, 403) == BS_ERR_SIGNIN_KIND);
	CHECK(of_kind(RES_SEARCH, 403) == BS_ERR_SIGNIN_KIND);
	CHECK(of_kind(RES_BATCH, 403) == BS_ERR_CREDENTIALS);
	CHECK(of_kind(RES_SEARCH, 401) == BS_ERR_CREDENTIALS);
	CHECK(of_kind(RES_DEVICES, 429) == BS_ERR_THROTTLED);
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
	T_RUN(test_the_paths_of_the_directory_calls);
	T_RUN(test_paging_stops_at_the_bound_a_repeat_or_no_token);
	T_RUN(test_keys_tell_kinds_apart_and_fold_search_case);
	T_RUN(test_what_directory_answers_mean);
	T_RUN(test_retry_after);
	T_RUN(test_pause_is_clamped);
	T_RUN(test_a_bad_header_is_a_502_of_its_own);
	return t_done("test_upstream");
}
