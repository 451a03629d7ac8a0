/* handler.h: one request from raw method and URI to a finished response, in the project's one direction. */
#ifndef BATCHSTATUS_HANDLER_H
#define BATCHSTATUS_HANDLER_H

#include <stdint.h>

#include "buf.h"
#include "fetch.h"
#include "guid.h"
#include "metrics.h"
#include "route.h"

/* What the handler reads of an HTTP request. */
struct http_in {
	const char	*method;
	const char	*uri;		/* raw REQUEST_URI */
	const char	*if_none_match;	/* NULL when absent */
	const char	*accept_language;	/* NULL when absent */
	const char	*script_name;	/* SCRIPT_NAME from nginx: the mount point; NULL when absent */
	int		 has_body;	/* CONTENT_LENGTH > 0 or a Transfer-Encoding */
};

struct response {
	int		 status;
	const char	*content_type;
	char		 location[320];		/* for redirects */
	char		 disposition[128];	/* Content-Disposition for downloads */
	char		 etag[40];		/* with its quotes; empty: none */
	const char	*cache_control;
	long		 edge_seconds;		/* X-Accel-Expires: nginx may keep this answer; 0: it may not */
	long		 retry_after;		/* -1: none */
	long		 refresh;		/* Refresh: seconds; 0: none */
	const char	*content_language;	/* the page's language tag */
	int		 allow;			/* send Allow: GET, HEAD */
	int		 head;			/* HEAD: headers only */
	char		 correlation_id[GUID_LEN + 1];
	const char	*outcome;		/* a short word for the log */
	const char	*cache;			/* hit, miss, coalesced, throttled; NULL: no batch */
	long		 up_status;		/* this request's own Partner Center call: HTTP status, -1 no answer, 0 none */
	long		 up_ms;
	enum metric_route route;
	struct buf	 body;
};

/* One request's handling, from route to response; it stays put while the request is parked. */
struct handler_job {
	struct request		 req;
	struct response		 res;
	struct fetch_waiter	 w;	/* w.resume is the caller's: set it before handler_begin */
	const struct http_in	*in;	/* valid until the response is written */
	int64_t			 now;
};

enum handler_step {
	HANDLER_DONE,	/* res is the answer */
	HANDLER_PARKED,	/* waiting for the batch: handler_resume once w.resume is called */
};

/*
 * validate -> route -> answer, or park for the batch. Never fails: every
 * problem becomes a page with the right status. After HANDLER_PARKED the
 * caller must not touch hj until hj->w.resume runs (it may run on another
 * thread before handler_begin has even returned). fetch may be NULL in
 * tests that never reach upstream. The caller frees res.body.
 */
enum handler_step	handler_begin(struct handler_job *, struct fetch_ctx *fetch,
			    const struct http_in *in, int64_t now);
/* The batch (or its error) is in hj->w.cw.result: the page, export or 304. */
void			handler_resume(struct handler_job *, struct fetch_ctx *fetch);

/* Where the app is mounted when nginx does not say (SCRIPT_NAME): "" or /a/b. -1 when unusable. Once, before threads. */
int	handler_set_base_path(const char *);

/* Whether an If-None-Match value names etag ("*", lists, W/ prefixes). */
int	etag_matches(const char *if_none_match, const char *etag);

#endif
