/* handler.c: dispatch: a request routed, then answered by its route's page at once, or parked for its batch and answered when it is here. */
#include "handler.h"

#include <string.h>

#include "pages.h"

/* Asks for the batch: at hand now (kept, paused, shed: in w.cw.result), or the request parks. */
static enum handler_step
fetch_batch(struct handler_job *hj, struct fetch_ctx *fetch)
{
	if (fetch == NULL) {
		hj->answer = page_error;
		hj->error = BS_ERR_INTERNAL;
		return HANDLER_ANSWER;
	}
	if (fetch_get(fetch, hj->req.customer, hj->req.tracking,
	    hj->res.correlation_id, &hj->w,
	    &hj->w.cw.result) == FETCH_PARKED)
		return HANDLER_PARKED;
	return HANDLER_ANSWER;
}

enum handler_step
handler_route(struct handler_job *hj, struct fetch_ctx *fetch,
    const struct http_in *in, int64_t now)
{
	struct request	*req = &hj->req;
	struct response	*res = &hj->res;

	hj->in = in;
	hj->now = now;
	memset(res, 0, sizeof(*res));
	buf_init(&res->body);
	res->retry_after = -1;
	guid_new(res->correlation_id);

	hj->error = route_request(in, req);
	res->content_language = i18n_tag(req->locale);
	res->head = req->head;
	res->route = req->metric;
	if (hj->error == BS_ERR_BAD_INPUT)
		hj->answer = page_bad_input;
	else if (hj->error != BS_OK)
		hj->answer = page_error;
	else if (req->redirect)
		hj->answer = page_lookup;
	else {
		hj->answer = req->route->answer;
		if (req->route->flags & ROUTE_UPSTREAM)
			return fetch_batch(hj, fetch);
	}
	return HANDLER_ANSWER;
}

void
handler_answer(struct handler_job *hj, struct fetch_ctx *fetch)
{
	hj->answer(hj, fetch);
}
