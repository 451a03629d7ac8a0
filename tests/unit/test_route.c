/* test_route.c: an HTTP request to a typed request through the route table; bad input is caught here, before any upstream call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allow.h"
#include "pages.h"
#include "route.h"
#include "metrics.h"
#include "t.h"

#define C "47021739-3426-40bf-9601-61b4b6d7c793"
#define T "0127ed8e-ff72-4983-a3d8-e8d8bd378932"

static enum bs_error
route(const char *method, const char *uri, struct request *req)
{
	struct http_in in = { method, uri, NULL, NULL, NULL, 0, NULL, 0, 0, NULL, NULL, NULL, NULL, 0, 0 };

	return route_request(&in, req);
}

static enum bs_error
get(const char *uri, struct request *req)
{
	return route("GET", uri, req);
}

/* The page a routed request is answered by. */
static page_fn *
page(const struct request *req)
{
	if (req->route == NULL)
		return NULL;
	return req->redirect ? page_lookup : req->route->answer;
}

static void
test_root_is_the_form(void)
{
	struct request req;

	CHECK(get("/", &req) == BS_OK && page(&req) == page_form);
	CHECK(get("/?", &req) == BS_OK && page(&req) == page_form);
	CHECK(get("/?utm_source=x", &req) == BS_OK && page(&req) == page_form);
	CHECK_STR(req.metric, "form");
}

static void
test_only_get_and_head(void)
{
	struct request req;

	CHECK(route("HEAD", "/", &req) == BS_OK && req.head);
	CHECK(route("GET", "/", &req) == BS_OK && !req.head);
	CHECK(route("POST", "/", &req) == BS_ERR_METHOD);
	CHECK(route("DELETE", "/customers/" C "/batches/" T, &req) ==
	    BS_ERR_METHOD);
	CHECK_STR(req.metric, "other");
}

/* The form's GET: normalised, with braces, spaces and upper case. */
static void
test_lookup_normalises_ids(void)
{
	struct request req;

	CHECK(get("/?customer=" C "&tracking=" T, &req) == BS_OK &&
	    page(&req) == page_lookup);
	CHECK_STR(req.customer, C);
	CHECK_STR(req.tracking, T);
	CHECK_STR(req.metric, "lookup");
	CHECK(get("/?customer=+%7B47021739-3426-40BF-9601-61B4B6D7C793%7D+"
	    "&tracking=%20" T, &req) == BS_OK && page(&req) == page_lookup);
	CHECK_STR(req.customer, C);
}

/* A whole Location in the tracking field; the customer may be empty, or the same one. */
static void
test_lookup_takes_a_whole_location(void)
{
	struct request req;

	CHECK(get("/?customer=&tracking=%2Fcustomers%2F" C "%2FbatchJobStatus%2F"
	    T, &req) == BS_OK && page(&req) == page_lookup);
	CHECK_STR(req.customer, C);
	CHECK_STR(req.tracking, T);
	CHECK(get("/?tracking=https%3A%2F%2Fapi.partnercenter.microsoft.com%2Fv1"
	    "%2Fcustomers%2F" C "%2FbatchJobStatus%2F" T, &req) == BS_OK);
	CHECK(get("/?customer=" C "&tracking=/customers/" C "/batchJobStatus/"
	    T, &req) == BS_OK);
	/* ...but not with a different customer beside it. */
	CHECK(get("/?customer=11111111-3426-40bf-9601-61b4b6d7c793&tracking="
	    "/customers/" C "/batchJobStatus/" T, &req) == BS_ERR_BAD_INPUT);
	CHECK(req.msg[FIELD_CUSTOMER] == MSG_CUSTOMER_MISMATCH);
}

/* Bad input: a message, the values kept for the form. */
static void
test_bad_ids_say_why(void)
{
	struct request req;

	CHECK(get("/?customer=nope&tracking=" T, &req) == BS_ERR_BAD_INPUT);
	CHECK(req.msg[FIELD_CUSTOMER] == MSG_CUSTOMER_INVALID);
	CHECK_STR(req.form_customer, "nope");
	CHECK_STR(req.form_tracking, T);
	CHECK_STR(req.metric, "lookup");
	CHECK(get("/?customer=" C "&tracking=", &req) == BS_ERR_BAD_INPUT);
	CHECK(req.msg[FIELD_TRACKING] == MSG_TRACKING_MISSING);
	CHECK(get("/?customer=&tracking=" T, &req) == BS_ERR_BAD_INPUT);
	CHECK(req.msg[FIELD_CUSTOMER] == MSG_CUSTOMER_MISSING);
	CHECK(get("/?customer=" C "&tracking=..%2F..%2Fx", &req) ==
	    BS_ERR_BAD_INPUT);
	CHECK(req.msg[FIELD_TRACKING] == MSG_TRACKING_INVALID);
}

/* The lookup's answer for a query: BS_OK with the canonical IDs, or not. */
static int
lookup_ok(const char *uri)
{
	struct request req;

	return get(uri, &req) == BS_OK && page(&req) == page_lookup &&
	    strcmp(req.customer, C) == 0 && strcmp(req.tracking, T) == 0;
}

#define LOC_ENC "%2Fcustomers%2F" C "%2FbatchJobStatus%2F" T

/* Every paste form, in the tracking field (customer empty or absent): the canonical IDs. */
static void
test_lookup_takes_every_paste_in_the_tracking_field(void)
{
	CHECK(lookup_ok("/?customer=&tracking=Location%3A+" LOC_ENC));
	CHECK(lookup_ok("/?tracking=location%3A%20https%3A%2F%2Fapi.partnercenter"
	    ".microsoft.com%2Fv1" LOC_ENC));
	CHECK(lookup_ok("/?tracking=" LOC_ENC "%3Fapi-version%3D1"));
	CHECK(lookup_ok("/?tracking=" LOC_ENC "%23frag"));
	CHECK(lookup_ok("/?tracking=%22Location%22%3A+%22" LOC_ENC "%22%2C"));
	CHECK(lookup_ok("/?tracking=%22Location%22%3A%22" LOC_ENC "%22"));
	CHECK(lookup_ok("/?tracking=https%3A%2F%2Four-host%2Fcustomers%2F" C
	    "%2Fbatches%2F" T));
	CHECK(lookup_ok("/?tracking=https%3A%2F%2Four-host%2Ftools%2Fbatchstatus"
	    "%2Fcustomers%2F" C "%2Fbatches%2F" T ".csv%3Flang%3Dja"));
	CHECK(lookup_ok("/?tracking=%E2%80%9C" LOC_ENC "%E2%80%9D"));
	CHECK(lookup_ok("/?tracking=%3C" LOC_ENC "%3E"));
	CHECK(lookup_ok("/?tracking=%09" LOC_ENC "%0D%0A"));
	CHECK(lookup_ok("/?tracking=%E2%80%8B" LOC_ENC "%C2%A0"));
}

/* Every wrapping of a lone GUID, in either field. */
static void
test_lookup_takes_wrapped_guids_in_each_field(void)
{
	static const char *const wraps[][2] = {
		{ "%22", "%22" }, { "%27", "%27" }, { "%E2%80%9C", "%E2%80%9D" },
		{ "%E2%80%98", "%E2%80%99" }, { "%3C", "%3E" },
		{ "urn%3Auuid%3A", "" }, { "%7B", "%7D" },
		{ "%E2%80%8B", "%E2%80%8C" }, { "%E2%80%8D", "%E2%81%A0" },
		{ "%EF%BB%BF", "%C2%A0" }, { "%E2%80%AF", "%09" },
		{ "%0A", "%0D%0A" },
	};
	char	 uri[512];
	size_t	 i;

	for (i = 0; i < sizeof(wraps) / sizeof(wraps[0]); i++) {
		snprintf(uri, sizeof(uri), "/?customer=%s" C "%s&tracking=%s" T
		    "%s", wraps[i][0], wraps[i][1], wraps[i][0], wraps[i][1]);
		CHECK(lookup_ok(uri));
	}
	/* Without dashes, and a zero-width space inside. */
	CHECK(lookup_ok("/?customer=47021739342640bf960161b4b6d7c793&tracking="
	    "0127ed8eff724983a3d8e8d8bd378932"));
	CHECK(lookup_ok("/?customer=47021739-%E2%80%8B3426-40bf-9601-61b4b6d7c793"
	    "&tracking=" T));
}

/* A Location in the customer field: the tracking field empty, absent or the same. */
static void
test_lookup_takes_a_location_in_the_customer_field(void)
{
	struct request req;

	CHECK(lookup_ok("/?customer=" LOC_ENC "&tracking="));
	CHECK(lookup_ok("/?customer=Location%3A+" LOC_ENC));
	CHECK(lookup_ok("/?customer=" LOC_ENC "&tracking=" T));
	CHECK(lookup_ok("/?customer=" LOC_ENC "&tracking=" LOC_ENC));
	/* ...but not beside another tracking ID. */
	CHECK(get("/?customer=" LOC_ENC "&tracking="
	    "11111111-ff72-4983-a3d8-e8d8bd378932", &req) == BS_ERR_BAD_INPUT);
	CHECK(req.msg[FIELD_TRACKING] == MSG_TRACKING_MISMATCH);
	CHECK(req.msg[FIELD_CUSTOMER] == MSG_NONE);
}

/* Both fields wrong: both say why, at once; nothing is looked up. */
static void
test_both_bad_fields_say_why_at_once(void)
{
	struct request req;

	CHECK(get("/?customer=nope&tracking=also-nope", &req) ==
	    BS_ERR_BAD_INPUT);
	CHECK(req.msg[FIELD_CUSTOMER] == MSG_CUSTOMER_INVALID);
	CHECK(req.msg[FIELD_TRACKING] == MSG_TRACKING_INVALID);
	CHECK(req.customer[0] == '\0' && req.tracking[0] == '\0');
	CHECK(get("/?customer=&tracking=", &req) == BS_ERR_BAD_INPUT);
	CHECK(req.msg[FIELD_CUSTOMER] == MSG_CUSTOMER_MISSING);
	CHECK(req.msg[FIELD_TRACKING] == MSG_TRACKING_MISSING);
	CHECK(get("/?customer=%01&tracking=x", &req) == BS_ERR_BAD_INPUT);
	CHECK(req.msg[FIELD_CUSTOMER] == MSG_CONTROL_CHARS);
	CHECK(req.msg[FIELD_TRACKING] == MSG_TRACKING_INVALID);
	CHECK(get("/?customer=" C "x&tracking=%zz", &req) == BS_ERR_BAD_INPUT);
	CHECK(req.msg[FIELD_CUSTOMER] == MSG_CUSTOMER_INVALID);
	CHECK(req.msg[FIELD_TRACKING] == MSG_BAD_ENCODING);
	/* In a batch URL too. */
	CHECK(get("/customers/nope/batches/nope", &req) == BS_ERR_BAD_INPUT);
	CHECK(req.msg[FIELD_CUSTOMER] == MSG_CUSTOMER_INVALID);
	CHECK(req.msg[FIELD_TRACKING] == MSG_TRACKING_INVALID);
	CHECK_STR(req.form_customer, "nope");
	CHECK_STR(req.form_tracking, "nope");
	CHECK(req.customer[0] == '\0' && req.tracking[0] == '\0');
}

/* A Location that failed says why it could not be read, not "paste the Location". */
static void
test_a_failed_location_says_why(void)
{
	struct request req;

	CHECK(get("/?customer=&tracking=%2Fcustomers%2F" C "%2FbatchJobStatus%2F"
	    "0127ed8e-ff72", &req) == BS_ERR_BAD_INPUT);
	CHECK(req.msg[FIELD_TRACKING] == MSG_LOCATION_BAD_ID);
	/* The empty customer is not the problem. */
	CHECK(req.msg[FIELD_CUSTOMER] == MSG_NONE);
	CHECK(get("/?tracking=https%3A%2F%2Fapi.partnercenter.microsoft.com%2Fv1"
	    "%2Fcustomers%2F" C "%2FdeviceBatches%2Fmy-batch%2Fdevices", &req) ==
	    BS_ERR_BAD_INPUT);
	CHECK(req.msg[FIELD_TRACKING] == MSG_DEVICE_BATCH);
	CHECK(get("/?customer=" C "&tracking=" LOC_ENC "%2Fdevices", &req) ==
	    BS_ERR_BAD_INPUT);
	CHECK(req.msg[FIELD_TRACKING] == MSG_LOCATION_NOT_STATUS);
	CHECK(get("/?customer=https%3A%2F%2Fexample.com%2Fx&tracking=" T, &req) ==
	    BS_ERR_BAD_INPUT);
	CHECK(req.msg[FIELD_CUSTOMER] == MSG_LOCATION_NOT_STATUS);
	CHECK(req.msg[FIELD_TRACKING] == MSG_NONE);
}

/* edit=1: the form filled in with whatever was there, to change it; nothing looked up. */
static void
test_edit_fills_the_form_without_a_lookup(void)
{
	struct request req;

	CHECK(get("/?customer=" C "&tracking=" T "&edit=1", &req) == BS_OK &&
	    page(&req) == page_form);
	CHECK_STR(req.form_customer, C);
	CHECK_STR(req.form_tracking, T);
	CHECK_STR(req.metric, "form");
	CHECK(req.customer[0] == '\0');
	CHECK(get("/?edit=1&tracking=nope%0A", &req) == BS_OK &&
	    page(&req) == page_form);
	CHECK_STR(req.form_tracking, "nope ");
	CHECK(req.msg[FIELD_CUSTOMER] == MSG_NONE &&
	    req.msg[FIELD_TRACKING] == MSG_NONE);
	/* Only edit=1, and only beside IDs. */
	CHECK(get("/?customer=" C "&tracking=" T "&edit=10", &req) == BS_OK &&
	    page(&req) == page_lookup);
	CHECK(get("/?edit=1", &req) == BS_OK && page(&req) == page_form);
}

/* Tabs and line breaks are kept as spaces for the form, never as controls. */
static void
test_form_copy_keeps_blanks_as_spaces(void)
{
	struct request req;

	CHECK(get("/?customer=%09nope%0A&tracking=" T, &req) == BS_ERR_BAD_INPUT);
	CHECK_STR(req.form_customer, " nope ");
}

static void
test_bad_bytes_say_why(void)
{
	struct request req;

	CHECK(get("/?customer=" C "&tracking=" T "%00", &req) == BS_ERR_BAD_INPUT);
	CHECK(req.msg[FIELD_TRACKING] == MSG_CONTROL_CHARS);
	CHECK(req.msg[FIELD_CUSTOMER] == MSG_NONE);
	CHECK(get("/?customer=" C "%01&tracking=" T, &req) == BS_ERR_BAD_INPUT);
	CHECK(req.msg[FIELD_CUSTOMER] == MSG_CONTROL_CHARS);
	CHECK(get("/?customer=" C "%7f&tracking=" T, &req) == BS_ERR_BAD_INPUT);
	CHECK(req.msg[FIELD_CUSTOMER] == MSG_CONTROL_CHARS);
	CHECK(get("/?customer=%zz&tracking=" T, &req) == BS_ERR_BAD_INPUT);
	CHECK(req.msg[FIELD_CUSTOMER] == MSG_BAD_ENCODING);
	CHECK(get("/?customer=%4&tracking=" T, &req) == BS_ERR_BAD_INPUT);
	CHECK(get("/?customer=%&tracking=" T, &req) == BS_ERR_BAD_INPUT);
	CHECK(get("/?customer=%3Cscript%3E&tracking=" T, &req) ==
	    BS_ERR_BAD_INPUT);
	CHECK_STR(req.form_customer, "<script>");
	/* Invalid UTF-8 never reaches a page. */
	CHECK(get("/?customer=%ff%fe&tracking=" T, &req) == BS_ERR_BAD_INPUT);
	CHECK_STR(req.form_customer, "??");
}

static void
test_overlong_value_is_cut_for_the_form(void)
{
	struct request	 req;
	char		*big = malloc(20000);

	memset(big, 'a', 20000);
	memcpy(big, "/?tracking=", 11);
	big[19999] = '\0';
	CHECK(get(big, &req) == BS_ERR_BAD_INPUT &&
	    req.msg[FIELD_TRACKING] == MSG_TOO_LONG);
	CHECK(strlen(req.form_tracking) <= ROUTE_VALUE_MAX);
	free(big);
}

/* The canonical page and its formats, by suffix, from the route table. */
static void
test_batch_page_and_its_formats(void)
{
	struct request req;

	CHECK(get("/customers/" C "/batches/" T, &req) == BS_OK &&
	    page(&req) == page_batch && req.format->kind == FORMAT_PAGE);
	CHECK_STR(req.metric, "batch_html");
	CHECK(get("/customers/" C "/batches/" T ".json", &req) == BS_OK &&
	    page(&req) == page_batch && req.format->kind == FORMAT_JSON);
	CHECK_STR(req.metric, "batch_json");
	CHECK_STR(req.format->content_type, "application/json; charset=utf-8");
	CHECK(get("/customers/" C "/batches/" T ".csv", &req) == BS_OK &&
	    page(&req) == page_batch && req.format->kind == FORMAT_CSV);
	CHECK_STR(req.metric, "batch_csv");
	CHECK(get("/customers/" C "/batches/" T "?x=1", &req) == BS_OK &&
	    page(&req) == page_batch);
	CHECK(req.route->flags & ROUTE_UPSTREAM);
}

/* Upper case or braces in a batch URL: a redirect to the canonical one, in the same format. */
static void
test_other_spellings_redirect(void)
{
	struct request req;

	CHECK(get("/customers/47021739-3426-40BF-9601-61B4B6D7C793/batches/" T
	    ".csv", &req) == BS_OK && page(&req) == page_lookup &&
	    req.format->kind == FORMAT_CSV);
	CHECK(get("/customers/%7B" C "%7D/batches/" T, &req) == BS_OK &&
	    page(&req) == page_lookup);
	CHECK(get("/Customers/" C "/batches/" T, &req) == BS_OK &&
	    page(&req) == page_lookup);
}

static void
test_bad_batch_urls_are_bad_input(void)
{
	struct request req;

	CHECK(get("/customers/not-a-guid/batches/" T, &req) == BS_ERR_BAD_INPUT);
	CHECK(req.msg[FIELD_CUSTOMER] == MSG_CUSTOMER_INVALID);
	CHECK(get("/customers/" C "/batches/..%2F..%2Fx", &req) ==
	    BS_ERR_BAD_INPUT);
	CHECK(get("/customers/" C "/batches/" T "%0a", &req) == BS_ERR_BAD_INPUT);
	CHECK(get("/customers/" C "/batches/" T ".xml", &req) == BS_ERR_BAD_INPUT);
}

/* A Partner Center path after our host redirects. */
static void
test_partner_center_paths_redirect(void)
{
	struct request req;

	CHECK(get("/v1/customers/" C "/batchJobStatus/" T, &req) == BS_OK &&
	    page(&req) == page_lookup);
	CHECK(get("/v1/customers/" C "/batchjobstatus/" T, &req) == BS_OK &&
	    page(&req) == page_lookup);
	CHECK(get("/customers/" C "/batchJobStatus/" T, &req) == BS_OK &&
	    page(&req) == page_lookup);
	CHECK(get("/v1/customers/" C "/batchJobStatus/nope", &req) ==
	    BS_ERR_BAD_INPUT);
}

static void
test_operator_pages(void)
{
	struct request req;

	CHECK(get("/metrics", &req) == BS_OK && page(&req) == page_metrics);
	CHECK_STR(req.metric, "metrics");
	CHECK(get("/healthz", &req) == BS_OK && page(&req) == page_health);
	CHECK_STR(req.metric, "healthz");
	CHECK(get("/healthz/x", &req) == BS_ERR_NO_ROUTE);
	CHECK(get("/Healthz", &req) == BS_ERR_NO_ROUTE);
}

/* Everything else is not ours. */
static void
test_everything_else_is_no_route(void)
{
	struct request req;

	CHECK(get("/nope", &req) == BS_ERR_NO_ROUTE);
	CHECK(req.route == NULL && req.format == NULL);
	CHECK(get("/customers/" C "/batches/" T "/extra", &req) ==
	    BS_ERR_NO_ROUTE);
	CHECK(get("/customers/" C "/batches/" T "/", &req) == BS_ERR_NO_ROUTE);
	CHECK(get("/customers/" C "/x", &req) == BS_ERR_NO_ROUTE);
	CHECK(get("/a/b/c/d/e/f/g/h", &req) == BS_ERR_NO_ROUTE);
	CHECK(get("//", &req) == BS_ERR_NO_ROUTE);
	CHECK(get("", &req) == BS_ERR_NO_ROUTE);
	CHECK(get("x", &req) == BS_ERR_NO_ROUTE);
	CHECK_STR(req.metric, "other");
}

/* The options table: defaults, each validator, and a bad value leaving what was there. */
static void
test_query_options(void)
{
	struct request req;

	CHECK(get("/customers/" C "/batches/" T, &req) == BS_OK);
	CHECK(req.link.lang[0] == '\0' && !req.link.embed);
	CHECK(req.table.filter[0] == '\0' && req.table.search[0] == '\0');
	CHECK(req.table.page == 1);
	CHECK(get("/customers/" C "/batches/" T "?lang=ja&embed=1&status=failed"
	    "&q=SN+1&page=3", &req) == BS_OK);
	CHECK_STR(req.link.lang, "ja-JP");
	CHECK(req.link.embed == 1);
	CHECK_STR(req.table.filter, "failed");
	CHECK_STR(req.table.search, "SN 1");
	CHECK(req.table.page == 3);
	/* Unusable values are ignored: these only shape the view. */
	CHECK(get("/customers/" C "/batches/" T "?lang=ja&lang=xx&page=0"
	    "&status=%3Cb%3E&embed=yes", &req) == BS_OK);
	CHECK_STR(req.link.lang, "ja-JP");
	CHECK(req.table.page == 1);
	CHECK(req.table.filter[0] == '\0');
	CHECK(req.link.embed == 0);
	CHECK(get("/?page=12345678&lang=%ff", &req) == BS_OK);
	CHECK(req.table.page == 1 && req.link.lang[0] == '\0');
}

/* ?lang= wins; then Accept-Language; then en-US. */
static void
test_language_choice(void)
{
	struct request	 req;
	struct http_in	 in = { "GET", "/?lang=hu", NULL, "ja,en;q=0.5", NULL, 0, NULL, 0, 0, NULL, NULL, NULL, NULL, 0, 0 };

	CHECK(route_request(&in, &req) == BS_OK && req.locale == LOC_HU_HU);
	in.uri = "/";
	CHECK(route_request(&in, &req) == BS_OK && req.locale == LOC_JA_JP);
	in.accept_language = NULL;
	CHECK(route_request(&in, &req) == BS_OK && req.locale == LOC_EN_US);
	/* Even an error page is in the reader's language. */
	in.uri = "/nope?lang=zh-TW";
	CHECK(route_request(&in, &req) == BS_ERR_NO_ROUTE &&
	    req.locale == LOC_ZH_TW);
}

static void
test_body_and_allow_list_preconditions(void)
{
	struct request	 req;
	struct http_in	 in = { "GET", "/customers/" C "/batches/" T, NULL, NULL,
	    NULL, 1, NULL, 0, 0, NULL, NULL, NULL, NULL, 0, 0 };
	char		 list[] = "/tmp/bs-route-XXXXXX", err[256];
	int		 fd = mkstemp(list);

	CHECK(route_request(&in, &req) == BS_ERR_BODY);
	CHECK_STR(req.metric, "batch_html");
	in.has_body = 0;
	CHECK(write(fd, "5b8e2c1a-0000-4a4a-9c9c-123456789abc\n", 37) == 37);
	close(fd);
	CHECK(allow_load(list, err, sizeof(err)) == 0);
	CHECK(route_request(&in, &req) == BS_ERR_CUSTOMER_NOT_ALLOWED);
	/* The canonical URL is checked, not the spelling that redirects to it. */
	in.uri = "/customers/{" C "}/batches/" T;
	CHECK(route_request(&in, &req) == BS_OK && req.redirect);
	/* Pages without a customer have no such precondition. */
	in.uri = "/healthz";
	CHECK(route_request(&in, &req) == BS_OK);
	CHECK(allow_load("", err, sizeof(err)) == 0);
	unlink(list);
}

/* The route table's metric names: distinct, "other" last, within what /metrics can count. */
static void
test_metric_names_come_from_the_table(void)
{
	size_t	 i, j, n = 0;

	while (route_metric_name(n) != NULL)
		n++;
	CHECK(n >= 8 && n <= METRICS_MAX_ROUTES);
	CHECK_STR(route_metric_name(n - 1), "other");
	/* In the table's order: the form filled in (edit=1) comes first, then the lookup. */
	CHECK_STR(route_metric_name(0), "form");
	CHECK_STR(route_metric_name(1), "lookup");
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			CHECK(strcmp(route_metric_name(i), route_metric_name(j)) != 0);
}

int
main(void)
{
	T_RUN(test_root_is_the_form);
	T_RUN(test_only_get_and_head);
	T_RUN(test_lookup_normalises_ids);
	T_RUN(test_lookup_takes_a_whole_location);
	T_RUN(test_bad_ids_say_why);
	T_RUN(test_lookup_takes_every_paste_in_the_tracking_field);
	T_RUN(test_lookup_takes_wrapped_guids_in_each_field);
	T_RUN(test_lookup_takes_a_location_in_the_customer_field);
	T_RUN(test_both_bad_fields_say_why_at_once);
	T_RUN(test_a_failed_location_says_why);
	T_RUN(test_form_copy_keeps_blanks_as_spaces);
	T_RUN(test_edit_fills_the_form_without_a_lookup);
	T_RUN(test_bad_bytes_say_why);
	T_RUN(test_overlong_value_is_cut_for_the_form);
	T_RUN(test_batch_page_and_its_formats);
	T_RUN(test_other_spellings_redirect);
	T_RUN(test_bad_batch_urls_are_bad_input);
	T_RUN(test_partner_center_paths_redirect);
	T_RUN(test_operator_pages);
	T_RUN(test_everything_else_is_no_route);
	T_RUN(test_query_options);
	T_RUN(test_language_choice);
	T_RUN(test_body_and_allow_list_preconditions);
	T_RUN(test_metric_names_come_from_the_table);
	return t_done("test_route");
}
