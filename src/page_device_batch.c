/* page_device_batch.c: a device batch's devices (every page Partner Center has), searchable, as a page, JSON or CSV. */
#include "pages.h"

#include <stdio.h>
#include <string.h>

#include "export.h"

static void
page_device_batch_fill(struct tpage *p, const struct request *req,
    const struct dir_customer *c, const struct dir_list *l,
    const struct cache_result *cr, int64_t now)
{
	enum locale	 loc = req->locale;
	struct tdict	*body = tpage_body(p), *s, *r, *t = NULL;
	struct table_view tv;
	char		 url[1536], path[1024], n0[32], n1[32], text[512];
	const char	*q = req->table.search;
	size_t		 i, shown = 0;

	link_device_batch_path(path, sizeof(path), req->customer, req->batch_id,
	    "");
	links_fill_layout(p, &req->link, loc, path, &req->table);
	i18n_format(text, sizeof(text), i18n_text(loc, "devices.title"),
	    req->batch_id, NULL);
	tdict_set(tpage_layout(p), "TITLE", text);
	tdict_set(body, "BATCH_ID", req->batch_id);
	tdict_set(body, "CUSTOMER", req->customer);
	tdict_set(body, "CUSTOMER_NAME", c != NULL && c->company_name[0] !=
	    '\0' ? c->company_name : req->customer);
	link_customer_path(text, sizeof(text), req->customer);
	link_url(url, sizeof(url), &req->link, NULL, text, NULL);
	tdict_set(body, "CUSTOMER_URL", url);
	/* The exports carry the search: what is shown is what is saved. */
	memset(&tv, 0, sizeof(tv));
	snprintf(tv.search, sizeof(tv.search), "%s", q);
	link_device_batch_path(path, sizeof(path), req->customer, req->batch_id,
	    ".csv");
	link_url(url, sizeof(url), &req->link, NULL, path, &tv);
	tdict_set(body, "CSV_URL", url);
	link_device_batch_path(path, sizeof(path), req->customer, req->batch_id,
	    ".json");
	link_url(url, sizeof(url), &req->link, NULL, path, &tv);
	tdict_set(body, "JSON_URL", url);
	page_listing_notice(body, cr, l, now, loc);
	tdict_set(body, "SEARCH", q);
	if (req->link.lang[0] != '\0' &&
	    (s = tdict_section(body, "KEEP")) != NULL) {
		tdict_set(s, "NAME", "lang");
		tdict_set(s, "VALUE", req->link.lang);
	}
	if (req->link.embed && (s = tdict_section(body, "KEEP")) != NULL) {
		tdict_set(s, "NAME", "embed");
		tdict_set(s, "VALUE", "1");
	}
	if (q[0] != '\0' && (s = tdict_section(body, "CLEAR")) != NULL) {
		link_device_batch_path(path, sizeof(path), req->customer,
		    req->batch_id, "");
		link_url(url, sizeof(url), &req->link, NULL, path, NULL);
		tdict_set(s, "URL", url);
	}
	if (l->ndevices == 0)
		tdict_show(body, "NO_DEVICES");
	for (i = 0; i < l->ndevices; i++) {
		const struct dir_device *d = &l->devices[i];

		if (!export_device_shown(d, q))
			continue;
		if ((t == NULL && (t = tdict_section(body, "DEVICES")) == NULL) ||
		    (r = tdict_section(t, "DEVICE")) == NULL)
			return;
		shown++;
		tdict_set_long(r, "N", (long)(i + 1));
		tdict_set(r, "SERIAL", d->serial_number);
		tdict_set(r, "PRODUCT_KEY", d->product_key);
		tdict_set(r, "MANUFACTURER", d->manufacturer);
		tdict_set(r, "MODEL", d->model);
		tdict_set(r, "DEVICE_ID", d->id);
		tdict_set(r, "PROFILE", d->profile[0] != '\0' ? d->profile :
		    "—");
		tdict_set(r, "HASH_CLASS", d->has_hash ? "hash-yes" : "hash-no");
		tdict_set(r, "HASH", i18n_text(loc, d->has_hash ?
		    "devices.hash_yes" : "devices.hash_no"));
		page_set_time(r, "UPLOADED", d->has_uploaded, d->uploaded,
		    d->uploaded_raw, "—", now, loc);
	}
	snprintf(n0, sizeof(n0), "%zu", shown);
	snprintf(n1, sizeof(n1), "%zu", l->ndevices);
	i18n_format(text, sizeof(text), i18n_plural(loc, q[0] != '\0' ?
	    "devices.showing_some" : "devices.showing", (long)l->ndevices), n0,
	    n1);
	tdict_set(body, "SHOWING", text);
	if (l->ndevices > 0 && shown == 0)
		tdict_show(body, "NONE_MATCH");
}

/* Content-Disposition of an export: devices-<customer>-<name, its safe letters>.csv */
static void
disposition(struct response *res, const struct request *req)
{
	char	 name[96];
	size_t	 i, o = 0;

	for (i = 0; req->batch_id[i] != '\0' && o + 1 < sizeof(name); i++) {
		char ch = req->batch_id[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_')
			name[o++] = ch;
		else if (ch == ' ' || ch == '.')
			name[o++] = '_';
	}
	name[o] = '\0';
	snprintf(res->disposition, sizeof(res->disposition),
	    "attachment; filename=\"devices-%s%s%s%s\"", req->customer,
	    o > 0 ? "-" : "", name, req->format->suffix);
}

void
page_device_batch(struct handler_job *hj, struct fetch_ctx *fetch)
{
	struct cache_result	*cr = &hj->w.cw.result;
	struct response		*res = &hj->res;
	const struct request	*req = &hj->req;
	struct tpage		*p;
	int			 rc = 0;

	if (page_listing_failed(hj, fetch, cr))
		return;
	res->status = 200;
	res->content_type = req->format->content_type;
	res->outcome = cr->stale != BS_OK ? "stale" : "ok";
	switch (req->format->kind) {
	case FORMAT_JSON:
		if (!res->head)
			rc = export_devices_json(cr->dir, req->customer,
			    req->batch_id, req->table.search, &res->body);
		break;
	case FORMAT_CSV:
		disposition(res, req);
		if (!res->head)
			rc = export_devices_csv(cr->dir, req->batch_id,
			    req->table.search, &res->body);
		break;
	default:
		if ((p = tpage_new("device_batch", req->locale)) != NULL)
			page_device_batch_fill(p, req, page_customer_name(hj),
			    cr->dir, cr, hj->now);
		page_render(res, p, req->locale);
		break;
	}
	fetch_release(fetch, cr);
	if (rc == -1)
		page_error_show(res, BS_ERR_INTERNAL, req, -1, NULL);
}
