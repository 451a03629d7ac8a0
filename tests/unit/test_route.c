/* test_route.c: raw REQUEST_URI to a typed request; bad input is caught here, before any upstream call. */
#include <stdlib.h>
#include <string.h>

#include "route.h"
#include "t.h"

#define C "47021739-3426-40bf-9601-61b4b6d7c793"
#define T "0127ed8e-ff72-4983-a3d8-e8d8bd378932"

static struct request req;

static enum bs_error
get(const char *uri)
{
	return route_request("GET", uri, &req);
}

int
main(void)
{
	char *big;

	CHECK(get("/") == BS_OK && req.kind == ROUTE_FORM);
	CHECK(get("/?") == BS_OK && req.kind == ROUTE_FORM);
	CHECK(get("/?utm_source=x") == BS_OK && req.kind == ROUTE_FORM);
	CHECK(route_request("HEAD", "/", &req) == BS_OK && req.head);
	CHECK(route_request("POST", "/", &req) == BS_ERR_METHOD);
	CHECK(route_request("DELETE", "/customers/" C "/batches/" T, &req) ==
	    BS_ERR_METHOD);

	/* The form's GET: normalised, with braces, spaces and upper case. */
	CHECK(get("/?customer=" C "&tracking=" T) == BS_OK &&
	    req.kind == ROUTE_REDIRECT);
	CHECK_STR(req.customer, C);
	CHECK_STR(req.tracking, T);
	CHECK(get("/?customer=+%7B47021739-3426-40BF-9601-61B4B6D7C793%7D+"
	    "&tracking=%20" T) == BS_OK && req.kind == ROUTE_REDIRECT);
	CHECK_STR(req.customer, C);
	/* A whole Location in the tracking field; the customer may be empty. */
	CHECK(get("/?customer=&tracking=%2Fcustomers%2F" C "%2FbatchJobStatus%2F"
	    T) == BS_OK && req.kind == ROUTE_REDIRECT);
	CHECK_STR(req.customer, C);
	CHECK_STR(req.tracking, T);
	CHECK(get("/?tracking=https%3A%2F%2Fapi.partnercenter.microsoft.com%2Fv1"
	    "%2Fcustomers%2F" C "%2FbatchJobStatus%2F" T) == BS_OK);
	CHECK(get("/?customer=" C "&tracking=/customers/" C "/batchJobStatus/"
	    T) == BS_OK);
	/* ...but not with a different customer beside it. */
	CHECK(get("/?customer=11111111-3426-40bf-9601-61b4b6d7c793&tracking="
	    "/customers/" C "/batchJobStatus/" T) == BS_ERR_BAD_INPUT);
	CHECK(req.msg == MSG_CUSTOMER_MISMATCH);

	/* Bad input: a message, the values kept for the form. */
	CHECK(get("/?customer=nope&tracking=" T) == BS_ERR_BAD_INPUT);
	CHECK(req.msg == MSG_CUSTOMER_INVALID);
	CHECK_STR(req.form_customer, "nope");
	CHECK_STR(req.form_tracking, T);
	CHECK(get("/?customer=" C "&tracking=") == BS_ERR_BAD_INPUT);
	CHECK(req.msg == MSG_TRACKING_MISSING);
	CHECK(get("/?customer=&tracking=" T) == BS_ERR_BAD_INPUT);
	CHECK(req.msg == MSG_CUSTOMER_MISSING);
	CHECK(get("/?customer=" C "&tracking=..%2F..%2Fx") == BS_ERR_BAD_INPUT);
	CHECK(req.msg == MSG_TRACKING_INVALID);
	CHECK(get("/?customer=" C "&tracking=" T "%00") == BS_ERR_BAD_INPUT);
	CHECK(req.msg == MSG_CONTROL_CHARS);
	CHECK(get("/?customer=" C "%0a&tracking=" T) == BS_ERR_BAD_INPUT);
	CHECK(req.msg == MSG_CONTROL_CHARS);
	CHECK(get("/?customer=%zz&tracking=" T) == BS_ERR_BAD_INPUT);
	CHECK(req.msg == MSG_BAD_ENCODING);
	CHECK(get("/?customer=%4&tracking=" T) == BS_ERR_BAD_INPUT);
	CHECK(get("/?customer=%&tracking=" T) == BS_ERR_BAD_INPUT);
	CHECK(get("/?customer=%3Cscript%3E&tracking=" T) == BS_ERR_BAD_INPUT);
	CHECK_STR(req.form_customer, "<script>");
	/* Invalid UTF-8 never reaches a page. */
	CHECK(get("/?customer=%ff%fe&tracking=" T) == BS_ERR_BAD_INPUT);
	CHECK_STR(req.form_customer, "??");
	big = malloc(20000);
	memset(big, 'a', 20000);
	memcpy(big, "/?tracking=", 11);
	big[19999] = '\0';
	CHECK(get(big) == BS_ERR_BAD_INPUT && req.msg == MSG_TOO_LONG);
	CHECK(strlen(req.form_tracking) <= ROUTE_VALUE_MAX);
	free(big);

	/* The canonical page and its formats. */
	CHECK(get("/customers/" C "/batches/" T) == BS_OK &&
	    req.kind == ROUTE_BATCH && req.format == FORMAT_HTML);
	CHECK(get("/customers/" C "/batches/" T ".json") == BS_OK &&
	    req.kind == ROUTE_BATCH && req.format == FORMAT_JSON);
	CHECK(get("/customers/" C "/batches/" T ".csv") == BS_OK &&
	    req.kind == ROUTE_BATCH && req.format == FORMAT_CSV);
	CHECK(get("/customers/" C "/batches/" T "?x=1") == BS_OK &&
	    req.kind == ROUTE_BATCH);
	/* Upper case or braces in a batch URL: a redirect to the canonical one. */
	CHECK(get("/customers/47021739-3426-40BF-9601-61B4B6D7C793/batches/" T
	    ".csv") == BS_OK && req.kind == ROUTE_REDIRECT &&
	    req.format == FORMAT_CSV);
	CHECK(get("/customers/%7B" C "%7D/batches/" T) == BS_OK &&
	    req.kind == ROUTE_REDIRECT);
	CHECK(get("/Customers/" C "/batches/" T) == BS_OK &&
	    req.kind == ROUTE_REDIRECT);
	CHECK(get("/customers/not-a-guid/batches/" T) == BS_ERR_BAD_INPUT);
	CHECK(req.msg == MSG_CUSTOMER_INVALID);
	CHECK(get("/customers/" C "/batches/..%2F..%2Fx") == BS_ERR_BAD_INPUT);
	CHECK(get("/customers/" C "/batches/" T "%0a") == BS_ERR_BAD_INPUT);
	CHECK(get("/customers/" C "/batches/" T ".xml") == BS_ERR_BAD_INPUT);

	/* A Partner Center path after our host redirects. */
	CHECK(get("/v1/customers/" C "/batchJobStatus/" T) == BS_OK &&
	    req.kind == ROUTE_REDIRECT);
	CHECK(get("/v1/customers/" C "/batchjobstatus/" T) == BS_OK &&
	    req.kind == ROUTE_REDIRECT);
	CHECK(get("/customers/" C "/batchJobStatus/" T) == BS_OK &&
	    req.kind == ROUTE_REDIRECT);
	CHECK(get("/v1/customers/" C "/batchJobStatus/nope") ==
	    BS_ERR_BAD_INPUT);

	CHECK(get("/metrics") == BS_OK && req.kind == ROUTE_METRICS);
	CHECK(get("/healthz") == BS_OK && req.kind == ROUTE_HEALTH);
	CHECK(get("/healthz/x") == BS_ERR_NO_ROUTE);

	/* Everything else is not ours. */
	CHECK(get("/nope") == BS_ERR_NO_ROUTE);
	CHECK(get("/customers/" C "/batches/" T "/extra") == BS_ERR_NO_ROUTE);
	CHECK(get("/customers/" C "/batches/" T "/") == BS_ERR_NO_ROUTE);
	CHECK(get("/customers/" C) == BS_ERR_NO_ROUTE);
	CHECK(get("/a/b/c/d/e/f/g/h") == BS_ERR_NO_ROUTE);
	CHECK(get("//") == BS_ERR_NO_ROUTE);
	CHECK(get("") == BS_ERR_NO_ROUTE);
	CHECK(get("x") == BS_ERR_NO_ROUTE);
	return t_done("test_route");
}
