/* handler.h: one request from routing to a finished response: the answer at once, or parked for its batch and answered when it is here. */
#ifndef BATCHSTATUS_HANDLER_H
#define BATCHSTATUS_HANDLER_H

#include <stdint.h>

#include "buf.h"
#include "fetch.h"
#include "guid.h"
#include "route.h"

struct response {
	int		 status;
	const char	*content_type;
	char		 location[1280];	/* for redirects (a device batch's name may be 768 bytes encoded) */
	char		 disposition[256];	/* Content-Disposition for downloads */
	char		*set_cookie;		/* Set-Cookie (the recent lookups), malloc'd, freed with the body; NULL: none */
	char		 etag[40];		/* with its quotes; empty: none */
	const char	*cache_control;
	long		 edge_seconds;		/* X-Accel-Expires: nginx may keep this answer; 0: it may not */
	long		 retry_after;		/* -1: none */
	long		 refresh;		/* Refresh: seconds; 0: none */
	const char	*content_language;	/* the page's language tag */
	int		 allow;			/* send Allow: 1 GET, HEAD; 2 POST */
	int		 head;			/* HEAD: headers only */
	char		 correlation_id[GUID_LEN + 1];
	const char	*outcome;		/* a short word for the log */
	const char	*cache;			/* hit, miss, coalesced, throttled; NULL: no batch */
	long		 up_status;		/* this request's own Partner Center call: HTTP status, -1 no answer, 0 none */
	long		 up_ms;
	const char	*route;			/* the metric name it is counted as (route.c's table) */
	struct buf	 body;
};

/* One request's handling, from route to response; it stays put while the request is parked. */
struct handler_job {
	struct request		 req;
	struct response		 res;
	page_fn			*answer;	/* what handler_answer runs */
	enum bs_error		 error;		/* routing's: answered by page_error */
	struct fetch_waiter	 w;	/* w.resume is the caller's: set it before handler_route */
	/* ROUTE_NAME: the customer's name, asked for beside w (w.resume comes once both are here). */
	struct fetch_waiter	 name;
	int			 has_name;	/* name.cw.result is to be read and released */
	int			 pending;	/* lookups not back yet, and one for handler_route itself; atomic */
	void			(*resume)(struct fetch_waiter *);	/* the caller's w.resume */
	const struct http_in	*in;	/* valid until the response is written */
	int64_t			 now;
};

enum handler_step {
	HANDLER_ANSWER,	/* routed, all at hand: handler_answer renders it */
	HANDLER_PARKED,	/* waiting for the batch: handler_answer once w.resume is called */
};

/*
 * route -> park for the batch, or know the answer: cheap, and what the
 * accept threads do. Never fails: every problem becomes an answer with
 * the right status. After HANDLER_PARKED the caller must not touch hj
 * until hj->w.resume runs (it may run on another thread before
 * handler_route has even returned). fetch may be NULL in tests that never
 * reach upstream.
 */
enum handler_step	handler_route(struct handler_job *, struct fetch_ctx *fetch,
			    const struct http_in *in, int64_t now);
/* The page, export, 304 or error page of a routed (or resumed) request: the CPU pool's work; every lookup's answer is released after. The caller frees res.body. */
void			handler_answer(struct handler_job *, struct fetch_ctx *fetch);

#endif
