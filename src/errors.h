/* errors.h: every failure a request can meet, as one enum, and the one table of HTTP statuses (reason phrases) and failures (status, word, stale). */
#ifndef BATCHSTATUS_ERRORS_H
#define BATCHSTATUS_ERRORS_H

enum bs_error {
	BS_OK = 0,
	BS_ERR_BAD_INPUT,	/* a missing or malformed ID: the form again */
	BS_ERR_NO_ROUTE,	/* unknown path */
	BS_ERR_METHOD,		/* not GET or HEAD */
	BS_ERR_BODY,		/* a request with a body: nothing here takes one */
	BS_ERR_BAD_BATCH_ID,	/* a device batch's name in the path that is no name: not UTF-8, controls, too long */
	BS_ERR_NO_SUCH_BATCH,	/* upstream 404 */
	BS_ERR_NO_SUCH_CUSTOMER,	/* upstream 404 for a customer or its device batches */
	BS_ERR_NO_SUCH_DEVICE_BATCH,	/* upstream 404 for a device batch's devices */
	BS_ERR_CUSTOMER_NOT_ALLOWED,	/* not in BATCHSTATUS_ALLOWED_CUSTOMERS */
	BS_ERR_CREDENTIALS,	/* upstream 401/403 */
	BS_ERR_SIGNIN_KIND,	/* upstream 403 for a customer or device lookup: it needs another sign-in (App+User) */
	BS_ERR_THROTTLED,	/* upstream 429 */
	BS_ERR_UPSTREAM_STATUS,	/* upstream 5xx or another unexpected status */
	BS_ERR_UNREACHABLE,	/* DNS, connection refused or reset, no answer */
	BS_ERR_TLS,		/* TLS handshake or certificate failure */
	BS_ERR_BAD_BODY,	/* not JSON, not UTF-8, too deep, wrong shape */
	BS_ERR_BAD_HEADER,	/* an answer header over libcurl's limits */
	BS_ERR_TOO_LARGE,	/* body over max_body_bytes */
	BS_ERR_TIMEOUT,		/* the upstream deadline passed */
	BS_ERR_TOKEN,		/* the server has no usable token (its file) */
	BS_ERR_SIGNIN,		/* the sign-in endpoint gave no token */
	BS_ERR_FOLLOW_REFUSED,	/* a follow POST without a valid token, from another origin, or with too large a body */
	BS_ERR_FOLLOW_FULL,	/* FOLLOW_RUNNING_MAX batches are followed already */
	BS_ERR_BUSY,		/* BATCHSTATUS_MAX_WAITING requests wait on Partner Center already */
	BS_ERR_INTERNAL,	/* out of memory, a template failed */
	BS_ERR__MAX
};

struct error_info {
	int		 http_status;
	const char	*key;		/* stable word: logs, metric label, JSON "error", catalog keys error.<key>.title/.message */
	const char	*stale;		/* when an earlier answer may stand in for this failure: the reason's word (JSON "stale"); NULL: it may not */
};

/* Every status the program sends, with its reason phrase. */
struct http_status {
	int		 code;
	const char	*reason;
};
#define HTTP_NSTATUS	11

const struct error_info	*error_info(enum bs_error);
/* The i-th status we send (0 .. HTTP_NSTATUS-1), or NULL. */
const struct http_status *http_status_at(int i);
/* Where status is in that table, or -1 when we never send it. */
int		 http_status_index(int status);
/* "Forbidden" for 403: the reason phrase of a status line. */
const char	*http_reason(int status);

#endif
