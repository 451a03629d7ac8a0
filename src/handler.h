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

/* What a routed request is answered with (handler_answer renders it). */
enum handler_answer {
	ANSWER_FORM,		/* the empty form */
	ANSWER_BAD_INPUT,	/* the form again, 400 */
	ANSWER_REDIRECT,	/* 303 to the canonical batch URL */
	ANSWER_ERROR,		/* the error page (or JSON) of error */
	ANSWER_BATCH,		/* the batch, or its error, in w.cw.result */
	ANSWER_METRICS,
	ANSWER_HEALTH,
};

/* One request's handling, from route to response; it stays put while the request is parked. */
struct handler_job {
	struct request		 req;
	struct response		 res;
	enum handler_answer	 answer;
	enum bs_error		 error;	/* with ANSWER_ERROR */
	struct fetch_waiter	 w;	/* w.resume is the caller's: set it before handler_route */
	const struct http_in	*in;	/* valid until the response is written */
	int64_t			 now;
};

enum handler_step {
	HANDLER_ANSWER,	/* routed, all at hand: handler_answer renders it */
	HANDLER_PARKED,	/* waiting for the batch: handler_answer once w.resume is called */
};

/*
 * validate -> route -> park for the batch, or know the answer: cheap, and
 * what the accept threads do. Never fails: every problem becomes an
 * answer with the right status. After HANDLER_PARKED the caller must not
 * touch hj until hj->w.resume runs (it may run on another thread before
 * handler_route has even returned). fetch may be NULL in tests that never
 * reach upstream.
 */
enum handler_step	handler_route(struct handler_job *, struct fetch_ctx *fetch,
			    const struct http_in *in, int64_t now);
/* The page, export, 304 or error page of a routed (or resumed) request: the CPU pool's work. The caller frees res.body. */
void			handler_answer(struct handler_job *, struct fetch_ctx *fetch);

/* Where the app is mounted when nginx does not say (SCRIPT_NAME): "" or /a/b. -1 when unusable. Once, before threads. */
int	handler_set_base_path(const char *);

/* Templates or catalogs were (re)loaded: pages get ETags of salt, so no browser keeps one made by the old ones. */
void	handler_pages_changed(uint64_t salt);

/* Whether an If-None-Match value names etag ("*", lists, W/ prefixes). */
int	etag_matches(const char *if_none_match, const char *etag);

#endif
