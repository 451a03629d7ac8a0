/* handler.c: dispatch: a request routed, then answered by its route's page at once, or parked for its batch and answered when it is here. */
#include "handler.h"

#include <stddef.h>
#include <string.h>

#include "pages.h"

#define CONTAINER(p, type, member) \
	((type *)(void *)((char *)(p) - offsetof(type, member)))

/* One lookup is back; the last of them resumes the request (a CPU worker). */
static void
part_done(struct handler_job *hj)
{
	if (__atomic_sub_fetch(&hj->pending, 1, __ATOMIC_ACQ_REL) == 0)
		hj->resume(&hj->w);
}

static void
main_back(struct fetch_waiter *w)
{
	part_done(CONTAINER(w, struct handler_job, w));
}

static void
name_back(struct fetch_waiter *w)
{
	part_done(CONTAINER(w, struct handler_job, name));
}

/*
 * Asks for what the route shows: at hand now (kept, paused, shed: in
 * w.cw.result), or the request parks. A route that shows the customer's
 * name asks for it too: beside a call that parks, it parks as well (its
 * call runs at the same time, and is not counted against the bound on its
 * own); beside an answer at hand, it never delays it: what is held, or a
 * call started for the next view.
 */
static enum handler_step
fetch_route(struct handler_job *hj, struct fetch_ctx *fetch)
{
	struct upstream_ask	 ask, name;
	enum fetch_step		 s;

	if (fetch == NULL) {
		hj->answer = page_error;
		hj->error = BS_ERR_INTERNAL;
		return HANDLER_ANSWER;
	}
	route_ask(&hj->req, &ask);
	hj->resume = hj->w.resume;
	hj->w.resume = main_back;
	hj->name.resume = name_back;
	/* One for each lookup, and one for this thread: whoever counts it down to 0 answers. */
	hj->pending = 3;
	s = fetch_ask(fetch, &ask, hj->res.correlation_id, 0, &hj->w,
	    &hj->w.cw.result);
	if (s == FETCH_READY)
		__atomic_sub_fetch(&hj->pending, 1, __ATOMIC_ACQ_REL);
	if (hj->req.route->flags & ROUTE_NAME) {
		memset(&name, 0, sizeof(name));
		name.kind = RES_CUSTOMER;
		memcpy(name.customer, hj->req.customer, sizeof(name.customer));
		hj->has_name = 1;
		if (fetch_ask(fetch, &name, hj->res.correlation_id,
		    s == FETCH_PARKED ? FETCH_QUIET : FETCH_PEEK, &hj->name,
		    &hj->name.cw.result) == FETCH_READY)
			__atomic_sub_fetch(&hj->pending, 1, __ATOMIC_ACQ_REL);
	} else
		__atomic_sub_fetch(&hj->pending, 1, __ATOMIC_ACQ_REL);
	/* The last one back resumes it: maybe this thread, now. */
	if (__atomic_sub_fetch(&hj->pending, 1, __ATOMIC_ACQ_REL) == 0) {
		hj->w.resume = hj->resume;
		return HANDLER_ANSWER;
	}
	return HANDLER_PARKED;
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
	hj->has_name = 0;
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
		/* The search's own page without a search asks nothing. */
		if ((req->route->flags & ROUTE_UPSTREAM) &&
		    !(req->route->res == RES_SEARCH && req->table.search[0] == '\0'))
			return fetch_route(hj, fetch);
	}
	return HANDLER_ANSWER;
}

void
handler_answer(struct handler_job *hj, struct fetch_ctx *fetch)
{
	hj->answer(hj, fetch);
	if (hj->has_name) {
		fetch_release(fetch, &hj->name.cw.result);
		hj->has_name = 0;
	}
}
