/* page_customer.c: a customer's page: its name and domain, a lookup of its uploads by tracking ID, and its device batches, newest first. */
#include "pages.h"

#include <stdio.h>
#include <string.h>

/* The name of hj's customer as its lookup left it: a customer, or NULL (not had, or none such). */
const struct dir_customer *
page_customer_name(const struct handler_job *hj)
{
	const struct cache_result *n = &hj->name.cw.result;

	if (!hj->has_name || n->err != BS_OK || n->dir == NULL ||
	    n->dir->ncustomers == 0)
		return NULL;
	return &n->dir->customers[0];
}

/* Whether the name's lookup found that Partner Center has no such customer. */
static int
no_such_customer(const struct handler_job *hj)
{
	const struct cache_result *n = &hj->name.cw.result;

	return hj->has_name && n->err == BS_OK && n->dir != NULL &&
	    n->dir->ncustomers == 0;
}

static void
page_customer_fill(struct tpage *p, const struct request *req,
    const struct dir_customer *c, const struct dir_list *l,
    const struct cache_result *cr, int64_t now)
{
	enum locale	 loc = req->locale;
	struct tdict	*body = tpage_body(p), *s, *r, *t = NULL;
	char		 url[1024], path[1024], n0[32], text[512];
	size_t		 i;

	link_customer_path(path, sizeof(path), req->customer);
	links_fill_layout(p, &req->link, loc, path, NULL);
	tdict_set(tpage_layout(p), "TITLE", c != NULL &&
	    c->company_name[0] != '\0' ? c->company_name :
	    i18n_text(loc, "customer.title"));
	tdict_set(body, "NAME", c != NULL && c->company_name[0] != '\0' ?
	    c->company_name : req->customer);
	tdict_set(body, "CUSTOMER", req->customer);
	if (c != NULL && c->domain[0] != '\0' &&
	    (s = tdict_section(body, "DOMAIN")) != NULL)
		tdict_set(s, "TEXT", c->domain);
	if (c != NULL && c->tenant_id[0] != '\0' &&
	    strcmp(c->tenant_id, req->customer) != 0 &&
	    (s = tdict_section(body, "TENANT")) != NULL)
		tdict_set(s, "TEXT", c->tenant_id);
	link_search_url(url, sizeof(url), &req->link, "");
	tdict_set(body, "SEARCH_URL", url);
	if (req->link.lang[0] != '\0' &&
	    (s = tdict_section(body, "LANG_FIELD")) != NULL)
		tdict_set(s, "TAG", req->link.lang);
	if (req->link.embed)
		tdict_show(body, "EMBED_FIELD");
	page_listing_notice(body, cr, l, now, loc);
	snprintf(n0, sizeof(n0), "%zu", l->nbatches);
	i18n_format(text, sizeof(text), i18n_plural(loc, "customer.count",
	    (long)l->nbatches), n0, NULL);
	tdict_set(body, "COUNT", text);
	if (l->nbatches == 0)
		tdict_show(body, "NO_BATCHES");
	for (i = 0; i < l->nbatches; i++) {
		const struct dir_device_batch *b = &l->batches[i];

		if ((t == NULL && (t = tdict_section(body, "BATCHES")) == NULL) ||
		    (r = tdict_section(t, "BATCH")) == NULL)
			return;
		link_device_batch_path(path, sizeof(path), req->customer, b->id,
		    "");
		link_url(url, sizeof(url), &req->link, NULL, path, NULL);
		tdict_set(r, "URL", url);
		tdict_set(r, "ID", b->id);
		tdict_set(r, "BY", b->created_by);
		page_set_time(r, "CREATED", b->has_created, b->created,
		    b->created_raw, "—", now, loc);
		if (b->devices_count >= 0)
			tdict_set_long(r, "DEVICES", b->devices_count);
		else
			tdict_set(r, "DEVICES", "—");
	}
}

void
page_customer(struct handler_job *hj, struct fetch_ctx *fetch)
{
	struct cache_result	*cr = &hj->w.cw.result;
	struct response		*res = &hj->res;
	const struct request	*req = &hj->req;
	struct tpage		*p;
	struct tdict		*s;

	if (no_such_customer(hj)) {
		fetch_release(fetch, cr);
		page_error_show(res, BS_ERR_NO_SUCH_CUSTOMER, req, -1, NULL);
		return;
	}
	if (page_listing_failed(hj, fetch, cr))
		return;
	res->status = 200;
	res->content_type = req->format->content_type;
	res->outcome = cr->stale != BS_OK ? "stale" : "ok";
	if ((p = tpage_new("customer", req->locale)) != NULL) {
		page_customer_fill(p, req, page_customer_name(hj), cr->dir, cr,
		    hj->now);
		/* With notifications on: its followed batches, and their feed. */
		if (fetch != NULL && fetch->follow != NULL && (s = tdict_section(
		    tpage_body(p), "FOLLOWED_BATCHES")) != NULL)
			page_following_fill(s, req, fetch, req->customer, hj->now);
	}
	page_render(res, p, req->locale);
	fetch_release(fetch, cr);
}
