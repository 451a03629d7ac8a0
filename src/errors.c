/* errors.c: the table from error to HTTP status, log key, the words a user reads, and whether kept data may stand in. */
#include "errors.h"

#include <stddef.h>

static const struct error_info table[BS_ERR__MAX] = {
	[BS_OK] = { 200, "ok", "OK", "", NULL },
	[BS_ERR_BAD_INPUT] = { 400, "bad_input",
	    "Check the IDs",
	    "The customer ID and batch tracking ID must be GUIDs, "
	    "or paste the upload's whole Location value.", NULL },
	[BS_ERR_NO_ROUTE] = { 404, "no_route",
	    "Page not found",
	    "There is no page at this address. Start again from the form.", NULL },
	[BS_ERR_METHOD] = { 405, "method",
	    "Method not allowed",
	    "This page can only be read (GET).", NULL },
	[BS_ERR_BODY] = { 400, "body",
	    "This request has a body",
	    "Pages here are only read: a request with a body is refused, "
	    "and nothing is asked of Partner Center.", NULL },
	[BS_ERR_NO_SUCH_BATCH] = { 404, "no_such_batch",
	    "No such batch for this customer",
	    "Partner Center knows no batch with this tracking ID for this "
	    "customer. Check both IDs: the tracking ID comes from the "
	    "Location header of the upload, and belongs to one customer.", NULL },
	[BS_ERR_CUSTOMER_NOT_ALLOWED] = { 403, "customer_not_allowed",
	    "This customer is not served here",
	    "This server shows the batches of a fixed list of customers, "
	    "and this customer is not on it. Ask the administrator if it "
	    "should be.", NULL },
	[BS_ERR_CREDENTIALS] = { 502, "credentials",
	    "Partner Center rejected this server",
	    "The server's Partner Center credentials were rejected. "
	    "This is not your fault: tell the administrator of this "
	    "service, quoting the correlation ID below.", NULL },
	[BS_ERR_THROTTLED] = { 503, "throttled",
	    "Partner Center is rate-limiting",
	    "Partner Center is rate-limiting this partner's requests.", "throttled" },
	[BS_ERR_UPSTREAM_STATUS] = { 502, "upstream_status",
	    "Partner Center failed",
	    "Partner Center answered with an error. This is usually "
	    "temporary: try again in a minute.", "unavailable" },
	[BS_ERR_UNREACHABLE] = { 502, "unreachable",
	    "Partner Center could not be reached",
	    "The server could not connect to Partner Center. Try again in "
	    "a minute; if it persists, tell the administrator.", "unavailable" },
	[BS_ERR_TLS] = { 502, "tls",
	    "Secure connection to Partner Center failed",
	    "The server could not verify Partner Center's TLS certificate, "
	    "so it did not send the request. Tell the administrator.", "unavailable" },
	[BS_ERR_BAD_BODY] = { 502, "bad_body",
	    "Partner Center sent an answer we cannot read",
	    "Partner Center's answer was not the batch status we expected. "
	    "Try again later; if it persists, tell the administrator.", "unavailable" },
	[BS_ERR_BAD_HEADER] = { 502, "bad_header",
	    "Partner Center sent a header we cannot read",
	    "Partner Center's answer had a header far longer than any it "
	    "sends, so it was not read. Try again later; if it persists, "
	    "tell the administrator.", "unavailable" },
	[BS_ERR_TOO_LARGE] = { 502, "too_large",
	    "Partner Center's answer is too large",
	    "The answer is larger than this server accepts. The "
	    "administrator can raise BATCHSTATUS_MAX_BODY_BYTES.", NULL },
	[BS_ERR_TIMEOUT] = { 504, "timeout",
	    "Partner Center did not answer in time",
	    "Partner Center took too long to answer. Try again in a minute.", "timeout" },
	[BS_ERR_TOKEN] = { 500, "token",
	    "This server has no Partner Center token",
	    "The server could not read its Partner Center token. "
	    "Tell the administrator.", NULL },
	[BS_ERR_SIGNIN] = { 502, "signin",
	    "Sign-in to Partner Center failed",
	    "This server could not sign in to get a Partner Center token, "
	    "so it did not ask for the batch. This is not your fault: tell "
	    "the administrator of this service, quoting the sign-in error "
	    "and the correlation ID below. The server keeps trying by "
	    "itself.", "unavailable" },
	[BS_ERR_BUSY] = { 503, "busy",
	    "This server is busy",
	    "Too many requests are waiting for Partner Center right now. "
	    "Try again in a few seconds.", "unavailable" },
	[BS_ERR_INTERNAL] = { 500, "internal",
	    "Something went wrong on this server",
	    "The server could not build this page. Try again; if it "
	    "persists, tell the administrator.", NULL },
};

const struct error_info *
error_info(enum bs_error e)
{
	if ((int)e < 0 || e >= BS_ERR__MAX)
		e = BS_ERR_INTERNAL;
	return &table[e];
}
