/* page_recent.c: the batches this browser opened lately: noted by the batch page in a signed cookie, listed by the form, forgotten by /recent/forget. */
#include "pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allow.h"
#include "recent.h"

#define RECENT_MAX_AGE	(30L * 86400)	/* the cookie lasts a month after the last lookup */

/* Set-Cookie for value (NULL: the cookie's end), scoped to the mount point; kept only a rare answer, so made only then. */
static void
set_cookie(struct response *res, const struct request *req,
    const struct http_in *in, const char *value)
{
	struct buf b;

	buf_init(&b);
	if (buf_printf(&b, "%s=%s; Path=%s/; Max-Age=%ld; HttpOnly; "
	    "SameSite=Lax%s", RECENT_COOKIE, value != NULL ? value : "",
	    req->link.prefix, value != NULL ? RECENT_MAX_AGE : 0L,
	    in->https ? "; Secure" : "") == -1) {
		buf_free(&b);
		return;
	}
	free(res->set_cookie);
	res->set_cookie = buf_steal(&b, NULL);
}

void
page_recent_note(struct handler_job *hj, struct fetch_ctx *fetch,
    const char *outcome)
{
	struct recent	 r;
	char		 value[RECENT_VALUE_MAX + 1];
	const char	*cookie = hj->in != NULL ? hj->in->cookie : NULL;

	/*
	 * Only a person's browser opening the page keeps a list: a script's
	 * or a portal's request neither needs a cookie nor loses nginx's
	 * copy of a finished page for it.
	 */
	if (fetch == NULL || fetch->recent_key == NULL || hj->in == NULL ||
	    !hj->in->navigation || hj->req.link.embed)
		return;
	/* A cookie that is not ours, or tampered with: a new list. */
	if (recent_read(cookie, fetch->recent_key, &r) == -1)
		memset(&r, 0, sizeof(r));
	/* Already first, as it is now: nothing to say (and the page may be kept by nginx). */
	if (r.n > 0 && strcmp(r.items[0].customer, hj->req.customer) == 0 &&
	    strcmp(r.items[0].tracking, hj->req.tracking) == 0 &&
	    strcmp(r.items[0].outcome, outcome) == 0)
		return;
	if (recent_add(&r, hj->req.customer, hj->req.tracking, outcome) == -1 ||
	    recent_write(&r, fetch->recent_key, value, sizeof(value)) == -1)
		return;
	set_cookie(&hj->res, &hj->req, hj->in, value);
	/* An answer that sets a cookie is this browser's: nginx must not keep it for others. */
	hj->res.edge_seconds = 0;
}

/* The customer's name if this server holds it now (no call is made for a list). */
static void
held_name(struct fetch_ctx *fetch, const char *customer, char *out, size_t outsz)
{
	struct upstream_ask	 ask;
	struct fetch_waiter	 w;
	struct cache_result	 cr;

	out[0] = '\0';
	memset(&ask, 0, sizeof(ask));
	ask.kind = RES_CUSTOMER;
	snprintf(ask.customer, sizeof(ask.customer), "%s", customer);
	memset(&w, 0, sizeof(w));
	if (fetch_ask(fetch, &ask, "", FETCH_HELD, &w, &cr) == FETCH_READY &&
	    cr.err == BS_OK && cr.dir != NULL && cr.dir->ncustomers > 0)
		snprintf(out, outsz, "%s", cr.dir->customers[0].company_name);
	fetch_release(fetch, &cr);
}

void
page_recent_fill(struct tdict *body, const struct handler_job *hj,
    struct fetch_ctx *fetch)
{
	const struct request	*req = &hj->req;
	struct recent		 r;
	struct tdict		*s = NULL, *it;
	char			 path[128], url[1024], name[256], key[48];
	size_t			 i;

	if (fetch == NULL || fetch->recent_key == NULL || req->link.embed ||
	    hj->in == NULL ||
	    recent_read(hj->in->cookie, fetch->recent_key, &r) == -1)
		return;
	for (i = 0; i < r.n; i++) {
		const struct recent_item *e = &r.items[i];

		/* A customer no longer allowed here is not shown, not even by ID. */
		if (!allow_customer(e->customer))
			continue;
		if ((s == NULL && (s = tdict_section(body, "RECENT")) == NULL) ||
		    (it = tdict_section(s, "ITEM")) == NULL)
			return;
		link_batch_path(path, sizeof(path), e->customer, e->tracking, "");
		link_url(url, sizeof(url), &req->link, NULL, path, NULL);
		tdict_set(it, "URL", url);
		tdict_set(it, "TRACKING", e->tracking);
		held_name(fetch, e->customer, name, sizeof(name));
		tdict_set(it, "CUSTOMER", name[0] != '\0' ? name : e->customer);
		if (e->outcome[0] != '\0') {
			snprintf(key, sizeof(key), "recent.outcome.%s",
			    e->outcome);
			tdict_set(it, "OUTCOME", i18n_text(req->locale, key));
			tdict_set(it, "OUTCOME_CLASS", e->outcome);
		}
	}
	if (s != NULL) {
		link_url(url, sizeof(url), &req->link, NULL, "/recent/forget",
		    NULL);
		tdict_set(s, "FORGET_URL", url);
	}
}

void
page_forget(struct handler_job *hj, struct fetch_ctx *fetch)
{
	struct response *res = &hj->res;

	(void)fetch;
	res->status = 303;
	res->outcome = "forget";
	link_url(res->location, sizeof(res->location), &hj->req.link, NULL, "/",
	    NULL);
	set_cookie(res, &hj->req, hj->in, NULL);
	res->content_type = "text/plain; charset=utf-8";
	buf_printf(&res->body, "See %s\n", res->location);
}
