/* route.h: the route table, and the one pass that turns an HTTP request into a typed, validated request (or an early error) before anything else runs. */
#ifndef BATCHSTATUS_ROUTE_H
#define BATCHSTATUS_ROUTE_H

#include "directory.h"
#include "errors.h"
#include "guid.h"
#include "i18n.h"
#include "links.h"
#include "query.h"
#include "upstream.h"

#define ROUTE_VALUE_MAX	QUERY_VALUE_MAX	/* longest customer/tracking input accepted */

/* What routing reads of an HTTP request (core.c fills it from FastCGI's parameters). */
struct http_in {
	const char	*method;
	const char	*uri;		/* raw REQUEST_URI */
	const char	*if_none_match;	/* NULL when absent */
	const char	*accept_language;	/* NULL when absent */
	const char	*script_name;	/* SCRIPT_NAME from nginx: the mount point; NULL when absent */
	int		 has_body;	/* CONTENT_LENGTH > 0 or a Transfer-Encoding */
	const char	*cookie;	/* the Cookie header; NULL when absent */
	int		 navigation;	/* a browser opening a page (Sec-Fetch-Dest: document) */
	int		 https;		/* nginx says the request came over TLS (HTTPS=on) */
	const char	*origin;	/* the Origin header; NULL when absent */
	const char	*fetch_site;	/* Sec-Fetch-Site; NULL when absent */
	const char	*host;		/* the Host header; NULL when absent */
	const char	*body;		/* a POST's form body, at most HTTP_BODY_MAX bytes (not NUL-terminated); NULL: none read */
	size_t		 body_len;
	int		 body_over;	/* the body was longer than HTTP_BODY_MAX (and not read) */
};

#define HTTP_BODY_MAX	512	/* a form body read at most (the follow button's) */

/* What a format's body is. */
enum format_kind { FORMAT_PAGE, FORMAT_JSON, FORMAT_CSV, FORMAT_TEXT };

/* One way a route's answer can come: the page, or an export of it by suffix. */
struct route_format {
	const char	*suffix;	/* "" for the page, ".json", ".csv" */
	enum format_kind kind;
	const char	*content_type;
	char		 etag;		/* the ETag's variant letter */
	const char	*metric;	/* batchstatus_requests_total{route="..."} */
};

struct handler_job;
struct fetch_ctx;
/* A page: answers a routed request into hj->res (pages.h). */
typedef void	page_fn(struct handler_job *, struct fetch_ctx *);

/* Preconditions and traits of a route, checked once, by route_request and the handler. */
enum route_flag {
	ROUTE_IDS_QUERY	= 1 << 0,	/* only with customer= or tracking= in the query: the form's lookup */
	ROUTE_ANY_CASE	= 1 << 1,	/* the path's words match in any letter case */
	ROUTE_CANONICAL	= 1 << 2,	/* any other valid spelling redirects to the canonical URL */
	ROUTE_ALLOWED	= 1 << 3,	/* the customer must be allowed (BATCHSTATUS_ALLOWED_CUSTOMERS) */
	ROUTE_UPSTREAM	= 1 << 4,	/* needs the batch: the request may park for Partner Center */
	ROUTE_EDIT	= 1 << 5,	/* only with edit=1 in the query: the IDs filled into the form, not looked up */
	ROUTE_NAME	= 1 << 6,	/* shows the customer's company name: asked for beside the route's own call */
	ROUTE_POST	= 1 << 7,	/* a form's POST (with a small body), and no other method */
};

/* A row of the route table (cgit's cmd.c). */
struct route {
	const char			*pattern;	/* "/customers/{customer}/batches/{tracking}" */
	unsigned			 flags;		/* enum route_flag */
	const struct route_format	*formats;	/* the first is the default; others by suffix */
	size_t				 nformats;
	page_fn				*answer;
	enum res_kind			 res;		/* with ROUTE_UPSTREAM: what it asks Partner Center for */
};

/* The form's two fields, in the order the form shows them. */
enum form_field {
	FIELD_CUSTOMER,
	FIELD_TRACKING,
	FIELD__MAX
};

/* Why a field of the form came back: one value per message the form can show. */
enum form_msg {
	MSG_NONE,
	MSG_CUSTOMER_MISSING,
	MSG_CUSTOMER_INVALID,
	MSG_TRACKING_MISSING,
	MSG_TRACKING_INVALID,
	MSG_CUSTOMER_MISMATCH,		/* not the customer of the Location in the tracking field */
	MSG_TRACKING_MISMATCH,		/* not the tracking ID of the Location in the customer field */
	MSG_DEVICE_BATCH,		/* a device batch URL: it names no tracking ID */
	MSG_LOCATION_BAD_ID,		/* a Location whose ID is not a whole GUID (cut short?) */
	MSG_LOCATION_NOT_STATUS,	/* an address that is no status Location */
	MSG_TOO_LONG,
	MSG_CONTROL_CHARS,
	MSG_BAD_ENCODING,
	MSG__MAX
};

/* A request as routing leaves it: written there once, read by everything after. */
struct request {
	const struct route		*route;		/* NULL when none matched */
	const struct route_format	*format;	/* the route's, by suffix */
	const char			*metric;	/* what /metrics counts it as */
	int				 redirect;	/* a valid but other spelling: 303 to the canonical URL */
	int				 head;		/* HEAD: same answer, no body */
	char				 customer[GUID_LEN + 1];
	char				 tracking[GUID_LEN + 1];
	char				 batch_id[DIR_BATCH_ID_MAX + 1];	/* {batch}: a device batch's name, decoded */
	enum dir_field			 search_by;	/* /customers?q=: a domain when the text has a dot, else a company name */
	/* On BS_ERR_BAD_INPUT: what the user typed (valid UTF-8, no controls) and why each field failed. */
	char				 form_customer[ROUTE_VALUE_MAX + 1];
	char				 form_tracking[ROUTE_VALUE_MAX + 1];
	enum form_msg			 msg[FIELD__MAX];	/* MSG_NONE: that field was usable */
	struct link_ctx			 link;		/* mount point, ?lang=, ?embed= */
	struct table_view		 table;		/* ?status=, ?q=, ?page= */
	enum locale			 locale;	/* ?lang=, else Accept-Language, else en-US */
};

/*
 * Routes an HTTP request: the mount point (the setting, else SCRIPT_NAME)
 * stripped, method + raw REQUEST_URI (as nginx got it: percent-encoded,
 * not normalised) matched against the table, IDs validated, options read,
 * the language chosen, and the route's preconditions checked. Returns
 * BS_OK with req filled; or BS_ERR_BAD_INPUT (req->form_* set, and
 * req->msg[] for every field that cannot be used: all of them at once), BS_ERR_NO_ROUTE, BS_ERR_METHOD, BS_ERR_BODY or
 * BS_ERR_CUSTOMER_NOT_ALLOWED, with req filled as far as it got (its
 * language and links at least).
 */
enum bs_error	route_request(const struct http_in *, struct request *req);

/* Where the app is mounted when nginx does not say (SCRIPT_NAME): "" or /a/b. -1 when unusable. Once, before threads. */
int		route_set_base_path(const char *);

/* The i-th distinct metric name of the table (the last: "other"), or NULL past it. */
const char	*route_metric_name(size_t i);

/* The batch page's formats: the lookup redirects to one of these. */
extern const struct route_format route_batch_formats[];

/* What a routed request asks Partner Center for: its route's kind and the request's IDs (or search). */
void		route_ask(const struct request *, struct upstream_ask *);

#endif
