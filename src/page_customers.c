/* page_customers.c: the customer search: customers whose company name or domain starts with what was typed, each linked to its page. */
#include "pages.h"

#include <stdio.h>
#include <string.h>

#include "allow.h"
#include "metrics.h"

/* A stale answer's notice, and the status line for a listing (shared by the listing pages). */
void
page_listing_notice(struct tdict *body, const struct cache_result *cr,
    const struct dir_list *l, int64_t now, enum locale loc)
{
	struct tdict	*s;
	char		 ago[96], text[512], n0[32];

	if (cr->stale != BS_OK && (s = tdict_section(body, "STALE")) != NULL) {
		view_ago(now, l->fetched_at, loc, ago, sizeof(ago));
		i18n_format(text, sizeof(text), i18n_text(loc, "listing.stale"),
		    ago[0] != '\0' ? ago : i18n_text(loc, "batch.just_now"),
		    NULL);
		tdict_set(s, "TEXT", text);
	}
	if (l->truncated && (s = tdict_section(body, "TRUNCATED")) != NULL) {
		snprintf(n0, sizeof(n0), "%zu", l->kind == DIR_DEVICES ?
		    l->ndevices : l->kind == DIR_DEVICE_BATCHES ? l->nbatches :
		    l->ncustomers);
		i18n_format(text, sizeof(text), i18n_text(loc,
		    "listing.truncated"), n0, NULL);
		tdict_set(s, "TEXT", text);
	}
}

/* The answer of a listing page that could not be had: its error page, with the correlation ID. */
int
page_listing_failed(struct handler_job *hj, struct fetch_ctx *fetch,
    struct cache_result *cr)
{
	struct response *res = &hj->res;

	res->cache = metrics_cache_name(cr->how);
	res->up_status = hj->w.trace.calls > 0 ? hj->w.trace.status : 0;
	res->up_ms = hj->w.trace.ms;
	if (cr->err == BS_OK && cr->dir != NULL)
		return 0;
	page_error_show(res, cr->err == BS_OK ? BS_ERR_INTERNAL : cr->err,
	    &hj->req, cr->retry_after, NULL);
	fetch_release(fetch, cr);
	return 1;
}

static void
page_customers_fill(struct tpage *p, const struct request *req,
    const struct dir_list *l, const struct cache_result *cr, int64_t now)
{
	enum locale	 loc = req->locale;
	struct tdict	*body = tpage_body(p), *s, *r, *t = NULL;
	char		 url[1024], path[128], n0[32], text[512];
	size_t		 i, shown = 0, hidden = 0;

	links_fill_layout(p, &req->link, loc, "/customers", &req->table);
	tdict_set(tpage_layout(p), "TITLE", i18n_text(loc, "customers.title"));
	tdict_set(body, "SEARCH", req->table.search);
	if (req->link.lang[0] != '\0' &&
	    (s = tdict_section(body, "LANG_FIELD")) != NULL)
		tdict_set(s, "TAG", req->link.lang);
	if (req->link.embed)
		tdict_show(body, "EMBED_FIELD");
	if (l == NULL)
		return;
	page_listing_notice(body, cr, l, now, loc);
	if ((s = tdict_section(body, "RESULTS")) == NULL)
		return;
	i18n_format(text, sizeof(text), i18n_text(loc,
	    req->search_by == DIR_FIELD_DOMAIN ? "customers.results_domain" :
	    "customers.results_name"), req->table.search, NULL);
	tdict_set(s, "HEADING", text);
	for (i = 0; i < l->ncustomers; i++) {
		const struct dir_customer *c = &l->customers[i];
		char id[GUID_LEN + 1];

		/* Only customers this server may show, linked by their GUID. */
		if (guid_parse(c->id, strlen(c->id), id) == -1 ||
		    !allow_customer(id)) {
			hidden++;
			continue;
		}
		if ((t == NULL && (t = tdict_section(s, "TABLE")) == NULL) ||
		    (r = tdict_section(t, "CUSTOMER")) == NULL)
			return;
		link_customer_path(path, sizeof(path), id);
		link_url(url, sizeof(url), &req->link, NULL, path, NULL);
		tdict_set(r, "URL", url);
		tdict_set(r, "NAME", c->company_name[0] != '\0' ?
		    c->company_name : id);
		tdict_set(r, "DOMAIN", c->domain);
		tdict_set(r, "TENANT", c->tenant_id[0] != '\0' ? c->tenant_id :
		    id);
		shown++;
	}
	snprintf(n0, sizeof(n0), "%zu", shown);
	i18n_format(text, sizeof(text), i18n_plural(loc, "customers.count",
	    (long)shown), n0, NULL);
	tdict_set(s, "COUNT", text);
	if (shown == 0 && (r = tdict_section(s, "NONE")) != NULL) {
		i18n_format(text, sizeof(text), i18n_text(loc, "customers.none"),
		    req->table.search, NULL);
		tdict_set(r, "TEXT", text);
	}
	if (hidden > 0 && (r = tdict_section(s, "HIDDEN")) != NULL)
		tdict_set(r, "TEXT", i18n_text(loc, "customers.hidden"));
}

void
page_customers(struct handler_job *hj, struct fetch_ctx *fetch)
{
	struct cache_result	*cr = &hj->w.cw.result;
	struct response		*res = &hj->res;
	const struct request	*req = &hj->req;
	struct tpage		*p;
	int			 asked = req->table.search[0] != '\0';

	if (asked && page_listing_failed(hj, fetch, cr))
		return;
	res->status = 200;
	res->content_type = req->format->content_type;
	res->outcome = !asked ? "search_form" : cr->stale != BS_OK ? "stale" :
	    "ok";
	if ((p = tpage_new("customers", req->locale)) != NULL)
		page_customers_fill(p, req, asked ? cr->dir : NULL, cr, hj->now);
	page_render(res, p, req->locale);
	if (asked)
		fetch_release(fetch, cr);
}
