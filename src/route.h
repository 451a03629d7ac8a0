/* route.h: a raw request line (method, REQUEST_URI) turned into a typed request, or an early error. */
#ifndef BATCHSTATUS_ROUTE_H
#define BATCHSTATUS_ROUTE_H

#include "errors.h"
#include "guid.h"
#include "i18n.h"

#define ROUTE_VALUE_MAX	512	/* longest customer/tracking input accepted */

enum route_kind {
	ROUTE_FORM,		/* GET /: the empty form */
	ROUTE_REDIRECT,		/* to the canonical batch URL */
	ROUTE_BATCH,		/* the batch page in some format */
	ROUTE_METRICS,		/* /metrics: Prometheus text */
	ROUTE_HEALTH,		/* /healthz: alive, without calling upstream */
};

enum route_format { FORMAT_HTML, FORMAT_JSON, FORMAT_CSV };

/* Why the form came back: one value per message the form can show. */
enum form_msg {
	MSG_NONE,
	MSG_CUSTOMER_MISSING,
	MSG_CUSTOMER_INVALID,
	MSG_TRACKING_MISSING,
	MSG_TRACKING_INVALID,
	MSG_CUSTOMER_MISMATCH,
	MSG_TOO_LONG,
	MSG_CONTROL_CHARS,
	MSG_BAD_ENCODING,
	MSG__MAX
};

struct request {
	enum route_kind		 kind;
	enum route_format	 format;
	int			 head;		/* HEAD: same answer, no body */
	char			 customer[GUID_LEN + 1];
	char			 tracking[GUID_LEN + 1];
	/* On BS_ERR_BAD_INPUT: what the user typed (valid UTF-8) and why it failed. */
	char			 form_customer[ROUTE_VALUE_MAX + 1];
	char			 form_tracking[ROUTE_VALUE_MAX + 1];
	enum form_msg		 msg;
	enum form_msg		 msg_field;	/* MSG_CUSTOMER_* or MSG_TRACKING_*: which field to mark */
	/* ?lang= when it named one of our languages: its tag, kept in every link; else "". */
	char			 lang[8];
	/* The batch page's view: ?embed=1, ?status= (a status or "failed"), ?q= (serial), ?page= (from 1). */
	int			 embed;
	/* Where the app is mounted ("" or /tools/batchstatus): set by the handler, in every link. */
	char			 prefix[128];
	char			 filter[32];
	char			 search[65];
	long			 page;
	enum locale		 locale;	/* set by the handler: ?lang=, else Accept-Language */
};

/*
 * Routes method + raw REQUEST_URI (as nginx got it: percent-encoded,
 * not normalised). Returns BS_OK with req filled, or BS_ERR_BAD_INPUT
 * (req->form_* and req->msg set), BS_ERR_NO_ROUTE or BS_ERR_METHOD.
 */
enum bs_error	route_request(const char *method, const char *uri,
		    struct request *req);

/* Decodes one x-www-form-urlencoded value; -1 on a bad escape. */
int		route_decode(const char *s, size_t len, char *out,
		    size_t outsz, size_t *outlen, int plus_is_space);

#endif
