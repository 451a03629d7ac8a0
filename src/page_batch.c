/* page_batch.c: the batch page (summary, chart, filterable device table), its JSON and CSV, or its error, once fetch has the batch. */
#include "pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "cache.h"
#include "etag.h"
#include "export.h"
#include "metrics.h"
#include "token.h"

#define PAGE_ROWS	500	/* device rows per page; the exports always carry all */

/*
 * A time as the page shows it: read, as a <time datetime> in UTC with
 * how long ago in the reader's words (section <key>_AT); or, as the
 * plain <key>, as it came marked unreadable, or the words for none.
 */
void
page_set_time(struct tdict *d, const char *key, int has, int64_t t,
    const char *raw, const char *missing, int64_t now, enum locale loc)
{
	struct tdict	*s, *a;
	char		 sec[32], text[512];

	if (has) {
		snprintf(sec, sizeof(sec), "%s_AT", key);
		if ((s = tdict_section(d, sec)) == NULL)
			return;
		view_time_iso(t, text, sizeof(text));
		tdict_set(s, "ISO", text);
		view_time_human(t, text, sizeof(text));
		tdict_set(s, "TEXT", text);
		view_ago(now, t, loc, text, sizeof(text));
		if (text[0] != '\0' && (a = tdict_section(s, "AGO")) != NULL)
			tdict_set(a, "TEXT", text);
		return;
	}
	if (raw[0] != '\0')
		i18n_format(text, sizeof(text), i18n_text(loc,
		    "batch.time_unreadable"), raw, NULL);
	else
		snprintf(text, sizeof(text), "%s", missing);
	tdict_set(d, key, text);
}

/* What a known error means and what to do, or, for one we do not know, what to do about any. */
static const char *
explain(const struct errcode *e, enum locale loc)
{
	return i18n_text(loc, e != NULL ? e->key : "err.unknown");
}

/*
 * The notice on a held answer: why it stands in (the error table's word
 * picks the sentence), as of when in UTC and how long ago, and when
 * Partner Center is asked again.
 */
static void
fill_stale(struct tdict *body, const struct batch_view *v, enum locale loc)
{
	const char	*word = view_stale_reason(v);
	struct tdict	*s;
	char		 key[48], at[64], dur[64], ago[96], tmp[512], n0[32];
	long		 age = (long)(v->now - v->b->fetched_at);

	if ((s = tdict_section(body, "STALE")) == NULL)
		return;
	view_time_human(v->b->fetched_at, at, sizeof(at));
	/* Minutes are what a reader needs once it is a minute or more. */
	if (age < 0)
		age = 0;
	view_duration(age >= 60 ? age / 60 * 60 : age, loc, dur, sizeof(dur));
	i18n_format(ago, sizeof(ago), i18n_text(loc, "batch.ago"), dur, NULL);
	snprintf(key, sizeof(key), "batch.stale_%s", word);
	i18n_format(tmp, sizeof(tmp), i18n_text(loc, key), at, ago);
	tdict_set(s, "TEXT", tmp);
	view_time_iso(v->b->fetched_at, tmp, sizeof(tmp));
	tdict_set(s, "AS_OF", tmp);
	snprintf(n0, sizeof(n0), "%ld", v->retry_after > 0 ? v->retry_after : 1);
	i18n_format(tmp, sizeof(tmp), i18n_text(loc, "batch.stale_retry"), n0,
	    NULL);
	tdict_set(s, "RETRY", tmp);
}

/* The view's filter of the page's table: its status and search (?code= is the exports'). */
static struct view_filter
table_filter(const struct table_view *t)
{
	struct view_filter f = { t->filter, "", t->search };

	return f;
}

/*
 * A link of the filter bar: its words, count, and whether it is the one
 * in force. filter is the ?status= word (lower case, "none" for devices
 * without a status): each chip has its own, so one alone is current.
 */
static void
filter_link(struct tdict *body, const struct link_ctx *lc,
    const struct table_view *t, const char *path, const char *filter,
    const char *label, const char *css, size_t n)
{
	struct table_view	 to = *t;
	struct tdict		*s;
	char			 url[1024];

	if ((s = tdict_section(body, "FILTER")) == NULL)
		return;
	snprintf(to.filter, sizeof(to.filter), "%s", filter);
	to.page = 0;
	link_url(url, sizeof(url), lc, NULL, path, &to);
	tdict_set(s, "URL", url);
	tdict_set(s, "LABEL", label);
	tdict_set(s, "CLASS", css);
	tdict_set_long(s, "N", (long)n);
	if (strcmp(t->filter, to.filter) == 0)
		tdict_show(s, "ACTIVE");
}

/* The pager's link to another page of the same view. */
static void
page_link(struct tdict *s, const char *section, const struct link_ctx *lc,
    const struct table_view *t, const char *path, long page)
{
	struct table_view	 to = *t;
	struct tdict		*e;
	char			 url[1024];

	if ((e = tdict_section(s, section)) == NULL)
		return;
	to.page = page;
	link_url(url, sizeof(url), lc, NULL, path, &to);
	tdict_set(e, "URL", url);
}

/* The table: failed devices first, then the rest in Partner Center's order; filtered, searched, 500 rows a page. */
static void
fill_devices(struct tdict *body, const struct batch_view *v,
    const struct link_ctx *lc, const struct table_view *t, const char *path,
    enum locale loc)
{
	const struct batch	*b = v->b;
	const struct view_filter f = table_filter(t);
	struct table_view	 cleared = *t;
	struct tdict		*s, *e;
	size_t			*order, n = 0, i, first, last, pages;
	long			 page;
	int			 pass;
	char			 tmp[1024], n0[24], n1[24], n2[24], word[32];
	char			 lbl[VIEW_LABEL_MAX];

	filter_link(body, lc, t, path, "", i18n_text(loc, "batch.filter.all"),
	    "status-all", b->ndevices);
	filter_link(body, lc, t, path, "failed",
	    i18n_text(loc, "batch.filter.failed"), "status-finished_with_errors",
	    v->nfailed);
	for (i = 0; i < v->ncounts; i++)
		if (strcmp(v->counts[i].si.key, "other") != 0) {
			view_status_word(&v->counts[i].si, word, sizeof(word));
			filter_link(body, lc, t, path, word,
			    view_status_label(&v->counts[i].si, loc, lbl,
			    sizeof(lbl)),
			    v->counts[i].si.css, v->counts[i].n);
		}
	tdict_set(body, "SEARCH", t->search);
	if (lc->lang[0] != '\0' && (s = tdict_section(body, "KEEP")) != NULL) {
		tdict_set(s, "NAME", "lang");
		tdict_set(s, "VALUE", lc->lang);
	}
	if (lc->embed && (s = tdict_section(body, "KEEP")) != NULL) {
		tdict_set(s, "NAME", "embed");
		tdict_set(s, "VALUE", "1");
	}
	if (t->filter[0] != '\0' && (s = tdict_section(body, "KEEP")) != NULL) {
		tdict_set(s, "NAME", "status");
		tdict_set(s, "VALUE", t->filter);
	}
	/* Clear takes the search away and nothing else: the status chosen stays. */
	if (t->search[0] != '\0' && (s = tdict_section(body, "CLEAR")) != NULL) {
		cleared.search[0] = '\0';
		cleared.page = 1;
		link_url(tmp, sizeof(tmp), lc, NULL, path, &cleared);
		tdict_set(s, "URL", tmp);
	}

	if ((order = malloc(b->ndevices * sizeof(*order))) == NULL) {
		tdict_show(body, "NONE_MATCH");
		return;
	}
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < b->ndevices; i++)
			if (view_device_failed(v, i) == (pass == 0) &&
			    view_device_shown(v, &f, i))
				order[n++] = i;
	if (n == 0) {
		free(order);
		tdict_show(body, "NONE_MATCH");
		return;
	}
	pages = (n + PAGE_ROWS - 1) / PAGE_ROWS;
	page = t->page < 1 ? 1 : t->page > (long)pages ? (long)pages : t->page;
	first = (size_t)(page - 1) * PAGE_ROWS;
	last = first + PAGE_ROWS < n ? first + PAGE_ROWS : n;
	snprintf(n0, sizeof(n0), "%zu", first + 1);
	snprintf(n1, sizeof(n1), "%zu", last);
	snprintf(n2, sizeof(n2), "%zu", n);
	i18n_format3(tmp, sizeof(tmp), i18n_text(loc, "batch.showing"), n0,
	    n1, n2);
	tdict_set(body, "SHOWING", tmp);
	if (pages > 1 && (s = tdict_section(body, "PAGER")) != NULL) {
		if (page > 1)
			page_link(s, "PREV", lc, t, path, page - 1);
		if ((size_t)page < pages)
			page_link(s, "NEXT", lc, t, path, page + 1);
	}
	for (i = first; i < last; i++) {
		const struct device *d = &b->devices[order[i]];

		if ((s = tdict_section(body, "DEVICE")) == NULL)
			break;
		tdict_set_long(s, "N", (long)order[i] + 1);
		tdict_set(s, "SERIAL", d->serial_number);
		tdict_set(s, "PRODUCT_KEY", d->product_key);
		tdict_set(s, "DEVICE_ID", d->device_id);
		/* 806 leaves a device registered: it says so, in green, whatever Partner Center's status. */
		if (v->dev_error[order[i]] != NULL &&
		    v->dev_error[order[i]]->registered) {
			tdict_set(s, "STATUS_LABEL", i18n_text(loc,
			    "status.already_registered"));
			tdict_set(s, "STATUS_CLASS", "status-already_registered");
		} else {
			tdict_set(s, "STATUS_LABEL", view_status_label(
			    &v->dev_status[order[i]], loc, lbl, sizeof(lbl)));
			tdict_set(s, "STATUS_CLASS", v->dev_status[order[i]].css);
		}
		tdict_set(s, "ERROR_CODE", d->error_code);
		tdict_set(s, "ERROR_DESCRIPTION", d->error_description);
		/* A failure we do not know still says what to do. */
		if ((v->dev_error[order[i]] != NULL ||
		    view_device_failed(v, order[i])) &&
		    (e = tdict_section(s, "EXPLANATION")) != NULL)
			tdict_set(e, "TEXT", explain(v->dev_error[order[i]], loc));
	}
	free(order);
}

/*
 * Devices by status as an inline SVG bar chart, drawn here so no script is
 * needed: each bar has its status's colour class, its label and its count,
 * so colour is never the only signal. Each label sits above its bar, so the
 * chart is narrow enough (CHART_W) to keep its words readable on a phone.
 */
#define CHART_W	360

static void
fill_chart(struct tdict *body, const struct batch_view *v, enum locale loc)
{
	struct tdict	*c, *s;
	size_t		 i, max = 0, shown = 0;
	const long	 row = 40, bar_w = CHART_W - 60;
	char		 lbl[VIEW_LABEL_MAX];

	for (i = 0; i < v->ncounts; i++)
		if (v->counts[i].n > max)
			max = v->counts[i].n;
	if (max == 0 || (c = tdict_section(body, "CHART")) == NULL)
		return;
	for (i = 0; i < v->ncounts; i++) {
		long w;

		if (v->counts[i].n == 0 || (s = tdict_section(c, "BAR")) == NULL)
			continue;
		w = (long)(v->counts[i].n * (size_t)bar_w / max);
		if (w < 2)
			w = 2;
		tdict_set(s, "LABEL", view_status_label(&v->counts[i].si, loc,
		    lbl, sizeof(lbl)));
		tdict_set(s, "CLASS", v->counts[i].si.css);
		tdict_set_long(s, "N", (long)v->counts[i].n);
		tdict_set_long(s, "TY", (long)shown * row + 12);
		tdict_set_long(s, "Y", (long)shown * row + 20);
		tdict_set_long(s, "BY", (long)shown * row + 28);
		tdict_set_long(s, "W", w);
		tdict_set_long(s, "NX", w + 6);
		shown++;
	}
	tdict_set_long(c, "WIDTH", CHART_W);
	tdict_set_long(c, "HEIGHT", (long)shown * row + 4);
}

/* The headline: one sentence and one colour that say whether it worked (view_headline). */
static void
fill_headline(struct tdict *body, const struct batch_view *v, enum locale loc)
{
	char tmp[512];

	view_headline(v, loc, tmp, sizeof(tmp));
	tdict_set(body, "HEADLINE", tmp);
	tdict_set(body, "OUTCOME", view_outcome_word(v->outcome));
}

/*
 * The ?code= that names a row of "what to fix": a documented error's
 * code or name, else the code or name as it came when it is a word
 * ?code= takes (letters and digits); NULL when none is (the last row
 * past the bound, or odd text), and the row gets no link.
 */
static const char *
fix_code(const struct fix_row *f)
{
	const char *c;

	if (f->e != NULL)
		return f->e->code[0] != '\0' ? f->e->code : f->e->name;
	c = f->code[0] != '\0' ? f->code : f->description;
	return query_code_ok(c, strlen(c)) ? c : NULL;
}

/*
 * "What to fix": one row per kind of failure, most devices first, with
 * what it means and what to do, Microsoft's page about it, and those
 * devices as CSV (?code=); the section ends with every failed device as
 * CSV (?status=failed), the list to fix and upload again.
 */
static void
fill_fixes(struct tdict *body, const struct batch_view *v,
    const struct link_ctx *lc, const char *csv_path, enum locale loc)
{
	struct table_view	 only = { "", "", 1, "" };
	struct tdict		*s, *r, *l, *d;
	const char		*code;
	char			 url[1024], text[256];
	size_t			 i;

	if (v->nfixes == 0 || (s = tdict_section(body, "FIX")) == NULL)
		return;
	for (i = 0; i < v->nfixes; i++) {
		const struct fix_row *f = &v->fixes[i];

		if ((r = tdict_section(s, "ROW")) == NULL)
			return;
		tdict_set(r, "CODE", f->e != NULL && f->e->code[0] != '\0' ?
		    f->e->code : f->code);
		tdict_set(r, "NAME", f->e != NULL ? f->e->name : f->description);
		tdict_set_long(r, "N", (long)f->n);
		tdict_set(r, "TEXT", explain(f->e, loc));
		if ((d = tdict_section(r, "DOC")) != NULL) {
			link_doc_url(url, sizeof(url), f->e != NULL ? f->e->doc :
			    ERRCODE_DOC_ANY, loc);
			tdict_set(d, "URL", url);
			/* Microsoft's pages refuse to be framed: from a portal, a tab of their own. */
			if (lc->embed)
				tdict_show(d, "NEW_TAB");
		}
		if ((code = fix_code(f)) == NULL ||
		    (l = tdict_section(r, "CSV")) == NULL)
			continue;
		snprintf(only.code, sizeof(only.code), "%s", code);
		link_url(url, sizeof(url), lc, NULL, csv_path, &only);
		tdict_set(l, "URL", url);
		i18n_format(text, sizeof(text), i18n_text(loc, "batch.fix.csv"),
		    code, NULL);
		tdict_set(l, "TEXT", text);
	}
	only.code[0] = '\0';
	snprintf(only.filter, sizeof(only.filter), "failed");
	link_url(url, sizeof(url), lc, NULL, csv_path, &only);
	tdict_set(s, "FAILED_CSV_URL", url);
}

/* While running: how often it reloads, when last checked, and devices done out of all, as the bar shows it. */
static void
fill_running(struct tdict *body, const struct batch_view *v,
    const struct link_ctx *lc, const char *path, enum locale loc)
{
	struct tdict	*s;
	char		 tmp[512], n0[32], n1[32];

	if ((s = tdict_section(body, "RUNNING")) == NULL)
		return;
	snprintf(n0, sizeof(n0), "%ld", v->refresh_seconds);
	i18n_format(tmp, sizeof(tmp), i18n_text(loc, "batch.running_note"),
	    n0, NULL);
	tdict_set(s, "TEXT", tmp);
	link_url(tmp, sizeof(tmp), lc, NULL, path, NULL);
	tdict_set(s, "CHECK_URL", tmp);
	if (v->b->fetched_at > 0) {
		view_time_human(v->b->fetched_at, n1, sizeof(n1));
		i18n_format(tmp, sizeof(tmp), i18n_text(loc,
		    "batch.last_checked"), n1, NULL);
		tdict_set(s, "CHECKED", tmp);
	}
	snprintf(n0, sizeof(n0), "%zu", v->ndone);
	snprintf(n1, sizeof(n1), "%zu", v->b->ndevices);
	i18n_format(tmp, sizeof(tmp), i18n_plural(loc, "batch.progress",
	    (long)v->b->ndevices), n0, n1);
	tdict_set(s, "PROGRESS_TEXT", tmp);
	tdict_set_long(s, "DONE", (long)v->ndone);
	tdict_set_long(s, "TOTAL", (long)(v->b->ndevices > 0 ?
	    v->b->ndevices : 1));
}

void
page_batch_fill(struct tpage *p, const struct batch_view *v,
    const struct link_ctx *lc, const struct table_view *t, enum locale loc)
{
	struct tdict		*body = tpage_body(p), *layout = tpage_layout(p);
	struct tdict		*s;
	const struct batch	*b = v->b;
	struct link_ctx		 top = *lc;
	struct table_view	 pt = *t;
	char			 tmp[1024], path[128], csv[128], json[128], n0[32];
	char			 url[1024];
	char			 lbl[VIEW_LABEL_MAX];
	size_t			 i;

	/* ?code= narrows the exports, not this table: no link of the page keeps it. */
	pt.code[0] = '\0';
	t = &pt;
	link_batch_path(path, sizeof(path), v->customer, v->tracking, "");
	link_batch_path(csv, sizeof(csv), v->customer, v->tracking, ".csv");
	link_batch_path(json, sizeof(json), v->customer, v->tracking, ".json");
	links_fill_layout(p, lc, loc, path, t);
	i18n_format(tmp, sizeof(tmp), i18n_text(loc, "batch.title"),
	    v->tracking, NULL);
	tdict_set(layout, "TITLE", tmp);

	tdict_set(body, "CUSTOMER", v->customer);
	if (v->customer_name != NULL && v->customer_name[0] != '\0' &&
	    (s = tdict_section(body, "CUSTOMER_NAME")) != NULL) {
		link_customer_path(tmp, sizeof(tmp), v->customer);
		link_url(url, sizeof(url), lc, NULL, tmp, NULL);
		tdict_set(s, "URL", url);
		tdict_set(s, "TEXT", v->customer_name);
	}
	tdict_set(body, "TRACKING", v->tracking);
	tdict_set(body, "STATUS_LABEL", view_status_label(&v->status, loc, lbl,
	    sizeof(lbl)));
	tdict_set(body, "STATUS_CLASS", v->status.css);
	/* Embedded, the link to this batch leaves the portal for the page itself. */
	top.embed = 0;
	link_url(tmp, sizeof(tmp), &top, NULL, path, NULL);
	tdict_set(body, "SELF_URL", tmp);
	if (lc->embed)
		tdict_show(body, "SELF_TOP");
	/* Every device, in the reader's language (the exports' words follow ?lang= too). */
	link_url(tmp, sizeof(tmp), lc, NULL, csv, NULL);
	tdict_set(body, "CSV_URL", tmp);
	link_url(tmp, sizeof(tmp), lc, NULL, json, NULL);
	tdict_set(body, "JSON_URL", tmp);
	page_set_time(body, "STARTED", b->has_started, b->started, b->started_raw,
	    i18n_text(loc, "batch.not_started"), v->now, loc);
	page_set_time(body, "COMPLETED", b->has_completed, b->completed,
	    b->completed_raw, v->running ? i18n_text(loc, "batch.not_yet") :
	    "—", v->now, loc);
	if (v->duration >= 0 && (s = tdict_section(body, "DURATION")) != NULL) {
		view_duration(v->duration, loc, tmp, sizeof(tmp));
		tdict_set(s, "TEXT", tmp);
		tdict_set(s, "LABEL", i18n_text(loc, b->has_completed ?
		    "batch.took" : "batch.running_for"));
	}
	fill_headline(body, v, loc);
	if (v->running)
		fill_running(body, v, lc, path, loc);
	if (v->stale != BS_OK)
		fill_stale(body, v, loc);

	tdict_set_long(body, "DEVICE_TOTAL", (long)b->ndevices);
	snprintf(n0, sizeof(n0), "%zu", v->nfailed);
	i18n_format(tmp, sizeof(tmp), i18n_text(loc, "batch.devices_failed"),
	    n0, NULL);
	tdict_set(body, "FAILED_TEXT", tmp);
	for (i = 0; i < v->ncounts; i++) {
		if ((s = tdict_section(body, "COUNT")) == NULL)
			return;
		tdict_set(s, "LABEL", view_status_label(&v->counts[i].si, loc,
		    lbl, sizeof(lbl)));
		tdict_set(s, "CLASS", v->counts[i].si.css);
		tdict_set_long(s, "N", (long)v->counts[i].n);
	}
	if (b->nskipped > 0 && (s = tdict_section(body, "SKIPPED")) != NULL) {
		snprintf(n0, sizeof(n0), "%zu", b->nskipped);
		i18n_format(tmp, sizeof(tmp), i18n_plural(loc, "batch.skipped",
		    (long)b->nskipped), n0, NULL);
		tdict_set(s, "TEXT", tmp);
	}
	fill_chart(body, v, loc);
	fill_fixes(body, v, lc, csv, loc);
	if (b->ndevices == 0) {
		tdict_show(body, "NO_DEVICES");
		return;
	}
	tdict_show(body, "HAS_DEVICES");
	fill_devices(body, v, lc, t, path, loc);
}

/* The batch failed to come: its error page (or JSON), with the sign-in's own error code when that was it. */
static void
batch_error(struct handler_job *hj, struct fetch_ctx *fetch,
    struct cache_result *cr)
{
	char detail[80];

	detail[0] = '\0';
	if (cr->err == BS_ERR_SIGNIN)
		token_failure(fetch->tokens, detail, sizeof(detail));
	if (cr->err == BS_ERR_BUSY)
		hj->res.cache = NULL;	/* shed: the cache was never asked to wait */
	page_error_show(&hj->res, cr->err, &hj->req, cr->retry_after, detail);
	fetch_release(fetch, cr);
}

/* The view's filter of an export: ?status= and ?code= (a search and a page are the table's). */
static struct view_filter
export_filter(const struct table_view *t)
{
	struct view_filter f = { t->filter, t->code, "" };

	return f;
}

/*
 * What else than the batch, the format and the language shapes the body,
 * as the canonical query of a link to it: an export's filter; a page's
 * table view and embed mode (?code= is not the page's; the mount point
 * is the deployment's, in nginx's cache key already). The ETag carries
 * its hash, so every view has its own; the default view's is "".
 */
static uint32_t
view_key(const struct request *req)
{
	struct table_view	 t = req->table;
	struct link_ctx		 lc = req->link;
	char			 url[1024];

	lc.lang[0] = '\0';	/* the ETag has the language already, whichever way it came */
	lc.prefix[0] = '\0';
	if (req->format->kind == FORMAT_PAGE)
		t.code[0] = '\0';
	else {
		memset(&lc, 0, sizeof(lc));
		t.search[0] = '\0';
		t.page = 1;
	}
	link_url(url, sizeof(url), &lc, NULL, "", &t);
	return etag_view(url);
}

/*
 * An export is a file: the CSV an attachment, the JSON shown in the
 * browser (inline) but saved under the same kind of name.
 */
static void
batch_disposition(struct response *res, const struct request *req,
    const struct batch_view *v)
{
	const struct view_filter	 f = export_filter(&req->table);
	char				 name[192];

	if (req->format->kind != FORMAT_CSV && req->format->kind != FORMAT_JSON)
		return;
	export_filename(name, sizeof(name), v, &f, req->format->suffix);
	snprintf(res->disposition, sizeof(res->disposition),
	    "%s; filename=\"%s\"", req->format->kind == FORMAT_CSV ?
	    "attachment" : "inline", name);
}

/* The body in the request's format: 0, or -1 when out of memory. */
static int
batch_body(struct handler_job *hj, struct fetch_ctx *fetch,
    const struct batch_view *v)
{
	const struct request	*req = &hj->req;
	struct response		*res = &hj->res;
	const struct view_filter f = export_filter(&req->table);
	struct tpage		*p;

	res->content_type = req->format->content_type;
	if (res->head)
		return 0;	/* the headers are known: nothing to fill or render */
	switch (req->format->kind) {
	case FORMAT_JSON:
		return export_json(v, &f, req->locale, &res->body);
	case FORMAT_CSV:
		return export_csv(v, &f, req->locale, &res->body);
	default:
		if ((p = tpage_new("batch", req->locale)) != NULL) {
			page_batch_fill(p, v, &req->link, &req->table,
			    req->locale);
			page_follow_fill(tpage_body(p), hj, fetch, v);
		}
		page_render(res, p, req->locale);
		return 0;
	}
}

void
page_batch(struct handler_job *hj, struct fetch_ctx *fetch)
{
	struct cache_result	*cr = &hj->w.cw.result;
	struct response		*res = &hj->res;
	const struct request	*req = &hj->req;
	struct batch_view	 v;
	int			 rc;

	res->cache = metrics_cache_name(cr->how);
	res->up_status = hj->w.trace.calls > 0 ? hj->w.trace.status : 0;
	res->up_ms = hj->w.trace.ms;
	if (cr->err != BS_OK) {
		batch_error(hj, fetch, cr);
		return;
	}
	/*
	 * A finished batch never changes, so its page can be validated; a
	 * running one's times move. A held answer standing in for a failed
	 * call carries a notice that will change: neither validated nor kept
	 * by nginx. Every format differs by language (the exports' labels
	 * and explanations too) and by its view (filter, table).
	 */
	if (cr->stale == BS_OK && batch_status_final(cr->batch->status) &&
	    etag_final(res, cr->hash, req->format->etag, (int)req->locale,
	    view_key(req), cache_keep_seconds(fetch->cache, cr->batch->status),
	    hj->in->if_none_match)) {
		fetch_release(fetch, cr);
		return;
	}
	if (view_batch_build(&v, cr->batch, req->customer, req->tracking,
	    hj->now) == -1) {
		fetch_release(fetch, cr);
		etag_none(res);
		page_error_show(res, BS_ERR_INTERNAL, req, -1, NULL);
		return;
	}
	v.stale = cr->stale;
	v.retry_after = cr->retry_after;
	if (page_customer_name(hj) != NULL)
		v.customer_name = page_customer_name(hj)->company_name;
	if (cr->stale != BS_OK) {
		metrics_stale(cr->stale);
		res->cache = "stale";
	}
	if (v.running && req->format->kind == FORMAT_PAGE) {
		/* No JavaScript: the browser reloads on the Refresh header. */
		v.refresh_seconds = view_refresh_seconds(&v);
		res->refresh = v.refresh_seconds;
	}
	res->status = 200;
	res->outcome = res->head ? "head" : cr->stale != BS_OK ? "stale" : "ok";
	if (req->format->kind == FORMAT_PAGE)
		page_recent_note(hj, fetch, view_outcome_word(v.outcome));
	batch_disposition(res, req, &v);
	/* BATCHSTATUS_FOLLOW_VIEWED: a running batch someone looks at is followed. */
	if (v.running && !res->head && cr->stale == BS_OK &&
	    follow_viewed(fetch->follow))
		(void)follow_add(fetch->follow, req->customer, req->tracking);
	rc = batch_body(hj, fetch, &v);
	view_batch_free(&v);
	fetch_release(fetch, cr);
	if (rc == -1 || res->status != 200) {
		etag_none(res);
		if (rc == -1)
			page_error_show(res, BS_ERR_INTERNAL, req, -1, NULL);
	}
}
