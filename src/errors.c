/*
 * errors.c: the one status table: every HTTP status the program sends with
 * its reason phrase, and every failure with its status, its word (the log,
 * the metric label, the JSON "error", and the catalog keys
 * error.<word>.title and .message: the words a user reads live only there),
 * and whether kept data may stand in.
 */
#include "errors.h"

#include <stddef.h>

/* kcgi's khttps[]: a status and its reason phrase, once. Metrics count by these, in this order. */
static const struct http_status statuses[HTTP_NSTATUS] = {
	{ 200, "OK" },
	{ 303, "See Other" },
	{ 304, "Not Modified" },
	{ 400, "Bad Request" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 500, "Internal Server Error" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
};

/* status, word, stale: the word a held answer standing in gives (JSON "stale"), NULL when none may */
static const struct error_info failures[BS_ERR__MAX] = {
	[BS_OK] = { 200, "ok", NULL },
	[BS_ERR_BAD_INPUT] = { 400, "bad_input", NULL },
	[BS_ERR_NO_ROUTE] = { 404, "no_route", NULL },
	[BS_ERR_METHOD] = { 405, "method", NULL },
	[BS_ERR_BODY] = { 400, "body", NULL },
	[BS_ERR_BAD_BATCH_ID] = { 400, "bad_batch_id", NULL },
	[BS_ERR_NO_SUCH_BATCH] = { 404, "no_such_batch", NULL },
	[BS_ERR_NO_SUCH_CUSTOMER] = { 404, "no_such_customer", NULL },
	[BS_ERR_NO_SUCH_DEVICE_BATCH] = { 404, "no_such_device_batch", NULL },
	[BS_ERR_CUSTOMER_NOT_ALLOWED] = { 403, "customer_not_allowed", NULL },
	[BS_ERR_CREDENTIALS] = { 502, "credentials", NULL },
	[BS_ERR_SIGNIN_KIND] = { 502, "signin_kind", NULL },
	[BS_ERR_THROTTLED] = { 503, "throttled", "throttled" },
	[BS_ERR_UPSTREAM_STATUS] = { 502, "upstream_status", "unavailable" },
	[BS_ERR_UNREACHABLE] = { 502, "unreachable", "unavailable" },
	[BS_ERR_TLS] = { 502, "tls", "unavailable" },
	[BS_ERR_BAD_BODY] = { 502, "bad_body", "unavailable" },
	[BS_ERR_BAD_HEADER] = { 502, "bad_header", "unavailable" },
	[BS_ERR_TOO_LARGE] = { 502, "too_large", NULL },
	[BS_ERR_TIMEOUT] = { 504, "timeout", "timeout" },
	[BS_ERR_TOKEN] = { 500, "token", NULL },
	[BS_ERR_SIGNIN] = { 502, "signin", "unavailable" },
	[BS_ERR_FOLLOW_REFUSED] = { 403, "follow_refused", NULL },
	[BS_ERR_FOLLOW_FULL] = { 503, "follow_full", NULL },
	[BS_ERR_BUSY] = { 503, "busy", "unavailable" },
	[BS_ERR_INTERNAL] = { 500, "internal", NULL },
};

const struct error_info *
error_info(enum bs_error e)
{
	if ((int)e < 0 || e >= BS_ERR__MAX)
		e = BS_ERR_INTERNAL;
	return &failures[e];
}

const struct http_status *
http_status_at(int i)
{
	return i >= 0 && i < HTTP_NSTATUS ? &statuses[i] : NULL;
}

int
http_status_index(int status)
{
	int i;

	for (i = 0; i < HTTP_NSTATUS; i++)
		if (statuses[i].code == status)
			return i;
	return -1;
}

const char *
http_reason(int status)
{
	int i = http_status_index(status);

	/* Never reached by what we send (test_errors checks): a status line still needs words. */
	return i >= 0 ? statuses[i].reason : "Unknown";
}
