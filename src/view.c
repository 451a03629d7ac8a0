/* view.c: turns a parsed batch and the request into the values a page, the JSON and the CSV show. */
#include "view.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const struct status_info known[] = {
	{ "queued", "Queued", "status-queued", 1 },
	{ "processing", "Processing", "status-processing", 1 },
	{ "in-progress", "In progress", "status-in-progress", 1 },
	{ "finished", "Finished", "status-finished", 0 },
	{ "finished_with_errors", "Finished with errors",
	  "status-finished_with_errors", 0 },
	{ "unknown", "Unknown", "status-unknown", 0 },
};
#define NKNOWN (sizeof(known) / sizeof(known[0]))

struct status_info
status_of(const char *raw)
{
	struct status_info	 si;
	size_t			 i;

	for (i = 0; i < NKNOWN; i++)
		if (strcasecmp(raw, known[i].key) == 0)
			return known[i];
	si.key = raw;
	si.label = raw[0] != '\0' ? raw : "(none)";
	si.css = "status-other";
	si.running = 0;
	return si;
}

static void
format_time(int64_t t, const char *fmt, char *out, size_t outsz)
{
	time_t		 tt = (time_t)t;
	struct tm	 tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(out, outsz, fmt, &tm) == 0)
		snprintf(out, outsz, "%" PRId64, t);
}

void
view_time_human(int64_t t, char *out, size_t outsz)
{
	format_time(t, "%Y-%m-%d %H:%M:%S UTC", out, outsz);
}

void
view_time_iso(int64_t t, char *out, size_t outsz)
{
	format_time(t, "%Y-%m-%dT%H:%M:%SZ", out, outsz);
}

void
view_duration(long s, enum locale loc, char *out, size_t outsz)
{
	long	 d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60;
	long	 sec = s % 60;
	size_t	 n = 0;

	out[0] = '\0';
	if (s < 0) {
		snprintf(out, outsz, "%s", i18n_text(loc, "status.unknown"));
		return;
	}
	if (d > 0)
		n += (size_t)snprintf(out + n, outsz - n, "%ld %s ", d,
		    i18n_text(loc, "unit.day"));
	if (h > 0 && n < outsz)
		n += (size_t)snprintf(out + n, outsz - n, "%ld %s ", h,
		    i18n_text(loc, "unit.hour"));
	/* Seconds stop mattering once a batch has run for hours. */
	if (m > 0 && d == 0 && n < outsz)
		n += (size_t)snprintf(out + n, outsz - n, "%ld %s ", m,
		    i18n_text(loc, "unit.minute"));
	if ((sec > 0 || s == 0) && d == 0 && h == 0 && n < outsz)
		n += (size_t)snprintf(out + n, outsz - n, "%ld %s ", sec,
		    i18n_text(loc, "unit.second"));
	if (n > 0 && n <= outsz && out[n - 1] == ' ')
		out[n - 1] = '\0';
}

static void
count_status(struct batch_view *v, const struct status_info *si)
{
	size_t i;

	for (i = 0; i < v->ncounts; i++)
		if (strcmp(v->counts[i].si.key, si->key) == 0) {
			v->counts[i].n++;
			return;
		}
	if (v->ncounts == VIEW_MAX_COUNTS - 1) {
		/* The last slot collects every further unknown status. */
		struct status_info other = { "other", "Other", "status-other", 0 };
		v->counts[v->ncounts].si = other;
		v->counts[v->ncounts++].n = 0;
	}
	if (v->ncounts == VIEW_MAX_COUNTS) {
		v->counts[VIEW_MAX_COUNTS - 1].n++;
		return;
	}
	v->counts[v->ncounts].si = *si;
	v->counts[v->ncounts++].n = 1;
}

int
view_batch_build(struct batch_view *v, const struct batch *b,
    const struct request *req, int64_t now)
{
	size_t i, k;

	memset(v, 0, sizeof(*v));
	v->b = b;
	v->req = req;
	v->customer = req->customer;
	v->tracking = req->tracking;
	v->now = now;
	v->status = status_of(b->status);
	v->running = v->status.running;
	v->duration = -1;
	if (b->has_started && b->has_completed && b->completed >= b->started)
		v->duration = (long)(b->completed - b->started);
	else if (b->has_started && !b->has_completed && now >= b->started)
		v->duration = (long)(now - b->started);

	if (b->ndevices > 0) {
		v->dev_status = calloc(b->ndevices, sizeof(*v->dev_status));
		v->dev_error = calloc(b->ndevices, sizeof(*v->dev_error));
		if (v->dev_status == NULL || v->dev_error == NULL) {
			view_batch_free(v);
			return -1;
		}
	}
	/* Known statuses first, in a fixed order, so counts read the same on every page. */
	for (k = 0; k < NKNOWN; k++)
		for (i = 0; i < b->ndevices; i++)
			if (strcasecmp(b->devices[i].status, known[k].key) == 0) {
				count_status(v, &known[k]);
				break;
			}
	for (k = 0; k < v->ncounts; k++)
		v->counts[k].n = 0;
	for (i = 0; i < b->ndevices; i++) {
		const struct device *d = &b->devices[i];

		v->dev_status[i] = status_of(d->status);
		count_status(v, &v->dev_status[i]);
		v->dev_error[i] = errcode_find(d->error_code,
		    d->error_description);
		if (strcmp(v->dev_status[i].key, "finished") == 0 ||
		    strcmp(v->dev_status[i].key, "finished_with_errors") == 0)
			v->ndone++;
		if (d->error_code[0] != '\0' || d->error_description[0] != '\0')
			v->nfailed++;
	}
	return 0;
}

void
view_batch_free(struct batch_view *v)
{
	free(v->dev_status);
	free(v->dev_error);
	v->dev_status = NULL;
	v->dev_error = NULL;
}

long
view_refresh_seconds(const struct batch_view *v)
{
	long running = v->b->has_started && v->now >= v->b->started ?
	    (long)(v->now - v->b->started) : 0;

	/* Often at first, when most batches finish; rarely for a long one. */
	if (running < 60)
		return 5;
	if (running < 180)
		return 10;
	if (running < 600)
		return 20;
	if (running < 1800)
		return 30;
	return 60;
}

/* A status as the page shows it: the catalog's word for a known one, the raw text otherwise. */
static const char *
status_label(const struct status_info *si, enum locale loc)
{
	char	 key[48];
	size_t	 i;

	if (strcmp(si->css, "status-other") == 0)
		return strcmp(si->key, "other") == 0 ?
		    i18n_text(loc, "status.other") : si->key[0] != '\0' ?
		    si->key : i18n_text(loc, "status.none");
	snprintf(key, sizeof(key), "status.%s", si->key);
	for (i = 0; key[i] != '\0'; i++)
		if (key[i] == '-')
			key[i] = '_';
	return i18n_text(loc, key);
}

#define VIEW_PAGE_ROWS	500	/* device rows per page; the exports always carry all */

/* Appends s percent-encoded (all but unreserved characters) for a query value. */
static size_t
put_encoded(char *out, size_t outsz, size_t o, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0' && o + 4 < outsz; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
		    c == '~')
			out[o++] = (char)c;
		else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return o;
}

/*
 * A link to path that keeps the reader's choices: the language they picked
 * in the URL, embed mode, and (for the batch page) filter, search and page.
 */
static void
link_to(char *out, size_t outsz, const struct request *req, const char *path,
    const char *lang, int embed, const char *filter, const char *search,
    long page)
{
	size_t	 o;
	char	 sep = '?';

	/* Mounted under a prefix (/tools/batchstatus): every link carries it. */
	o = (size_t)snprintf(out, outsz, "%s%s", req != NULL ? req->prefix : "",
	    path);
	if (o >= outsz)
		return;
	if (lang != NULL && lang[0] != '\0') {
		o += (size_t)snprintf(out + o, outsz - o, "%clang=%s", sep, lang);
		sep = '&';
	}
	if (embed && o < outsz) {
		o += (size_t)snprintf(out + o, outsz - o, "%cembed=1", sep);
		sep = '&';
	}
	if (filter != NULL && filter[0] != '\0' && o < outsz) {
		o += (size_t)snprintf(out + o, outsz - o, "%cstatus=", sep);
		o = put_encoded(out, outsz, o < outsz ? o : outsz - 1, filter);
		sep = '&';
	}
	if (search != NULL && search[0] != '\0' && o < outsz) {
		o += (size_t)snprintf(out + o, outsz - o, "%cq=", sep);
		o = put_encoded(out, outsz, o < outsz ? o : outsz - 1, search);
		sep = '&';
	}
	if (page > 1 && o < outsz)
		snprintf(out + o, outsz - o, "%cpage=%ld", sep, page);
}

void
view_link(char *out, size_t outsz, const struct request *req, const char *path)
{
	link_to(out, outsz, req, path, req->lang, req->embed, req->filter,
	    req->search, req->page);
}

/* path with the language and embed mode the reader chose. */
static void
url_for(char *out, size_t outsz, const char *path, const struct request *req)
{
	link_to(out, outsz, req, path, req != NULL ? req->lang : NULL,
	    req != NULL && req->embed, NULL, NULL, 0);
}

/* The catalog, <html lang>, home link and language switcher: every page has them. */
static void
fill_common(struct tpage *p, const struct request *req, const char *self_path)
{
	enum locale	 loc = req != NULL ? req->locale : LOC_EN_US;
	struct tdict	*layout = tpage_layout(p), *s, *o;
	char		 url[1024];
	int		 l;

	/* The catalog's words are in the page's template already (render_init). */
	url_for(url, sizeof(url), "/", req);
	tdict_set(layout, "HOME_URL", url);
	tdict_set(tpage_body(p), "HOME_URL", url);
	snprintf(url, sizeof(url), "%s/", req != NULL ? req->prefix : "");
	tdict_set(layout, "ROOT", url);
	tdict_set(tpage_body(p), "ROOT", url);
	/* Embedded in a portal: the batch alone, no site header, footer or form. */
	tdict_show(layout, req != NULL && req->embed ? "EMBED" : "CHROME");
	tdict_show(tpage_body(p), req != NULL && req->embed ? "EMBED" : "CHROME");
	for (l = 0; l < LOC__MAX; l++) {
		if ((s = tdict_section(layout, "LANG")) == NULL)
			return;
		if ((o = tdict_section(s, l == (int)loc ? "CURRENT" :
		    "OTHER")) == NULL)
			return;
		link_to(url, sizeof(url), req, self_path, i18n_tag((enum locale)l),
		    req != NULL && req->embed, req != NULL ? req->filter : NULL,
		    req != NULL ? req->search : NULL, req != NULL ? req->page : 0);
		tdict_set(o, "URL", url);
		tdict_set(o, "TAG", i18n_tag((enum locale)l));
		tdict_set(o, "NAME", i18n_text((enum locale)l, "lang.name"));
	}
}

static void
set_time(struct tdict *d, const char *key, int has, int64_t t,
    const char *raw, const char *missing)
{
	char s[64];

	if (has) {
		view_time_human(t, s, sizeof(s));
		tdict_set(d, key, s);
	} else
		tdict_set(d, key, raw[0] != '\0' ? raw : missing);
}

static void	fill_chart(struct tdict *, const struct batch_view *, enum locale);
static void	fill_stale(struct tdict *, const struct batch_view *, enum locale);
static void	fill_devices(struct tdict *, const struct batch_view *,
		    const char *, enum locale);

void
view_fill_batch(struct tpage *p, const struct batch_view *v)
{
	struct tdict	*body = tpage_body(p), *layout = tpage_layout(p);
	struct tdict	*s;
	const struct batch *b = v->b;
	enum locale	 loc = v->req->locale;
	char		 tmp[512], path[128], n0[32];
	size_t		 i;

	snprintf(path, sizeof(path), "/customers/%s/batches/%s", v->customer,
	    v->tracking);
	fill_common(p, v->req, path);
	i18n_format(tmp, sizeof(tmp), i18n_text(loc, "batch.title"),
	    v->tracking, NULL);
	tdict_set(layout, "TITLE", tmp);

	tdict_set(body, "CUSTOMER", v->customer);
	tdict_set(body, "TRACKING", v->tracking);
	tdict_set(body, "STATUS_LABEL", status_label(&v->status, loc));
	tdict_set(body, "STATUS_CLASS", v->status.css);
	url_for(tmp, sizeof(tmp), path, v->req);
	tdict_set(body, "SELF_URL", tmp);
	snprintf(tmp, sizeof(tmp), "%s%s.csv", v->req->prefix, path);
	tdict_set(body, "CSV_URL", tmp);
	snprintf(tmp, sizeof(tmp), "%s%s.json", v->req->prefix, path);
	tdict_set(body, "JSON_URL", tmp);
	set_time(body, "STARTED", b->has_started, b->started, b->started_raw,
	    i18n_text(loc, "batch.not_started"));
	set_time(body, "COMPLETED", b->has_completed, b->completed,
	    b->completed_raw, v->running ? i18n_text(loc, "batch.not_yet") :
	    "—");
	if (v->duration >= 0) {
		s = tdict_section(body, "DURATION");
		if (s != NULL) {
			view_duration(v->duration, loc, tmp, sizeof(tmp));
			tdict_set(s, "TEXT", tmp);
			tdict_set(s, "LABEL", i18n_text(loc, b->has_completed ?
			    "batch.took" : "batch.running_for"));
		}
	}
	if (v->running && (s = tdict_section(body, "RUNNING")) != NULL) {
		char n1[32];

		snprintf(n0, sizeof(n0), "%ld", v->refresh_seconds);
		i18n_format(tmp, sizeof(tmp), i18n_text(loc,
		    "batch.running_note"), n0, NULL);
		tdict_set(s, "TEXT", tmp);
		url_for(tmp, sizeof(tmp), path, v->req);
		tdict_set(s, "CHECK_URL", tmp);
		if (b->fetched_at > 0) {
			view_time_human(b->fetched_at, n1, sizeof(n1));
			i18n_format(tmp, sizeof(tmp), i18n_text(loc,
			    "batch.last_checked"), n1, NULL);
			tdict_set(s, "CHECKED", tmp);
		}
		/* Devices done out of all, as the bar shows it. */
		snprintf(n0, sizeof(n0), "%zu", v->ndone);
		snprintf(n1, sizeof(n1), "%zu", b->ndevices);
		i18n_format(tmp, sizeof(tmp), i18n_text(loc, "batch.progress"),
		    n0, n1);
		tdict_set(s, "PROGRESS_TEXT", tmp);
		tdict_set_long(s, "DONE", (long)v->ndone);
		tdict_set_long(s, "TOTAL", (long)(b->ndevices > 0 ?
		    b->ndevices : 1));
	}

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
		tdict_set(s, "LABEL", status_label(&v->counts[i].si, loc));
		tdict_set(s, "CLASS", v->counts[i].si.css);
		tdict_set_long(s, "N", (long)v->counts[i].n);
	}
	if (b->nskipped > 0) {
		if ((s = tdict_section(body, "SKIPPED")) != NULL) {
			snprintf(n0, sizeof(n0), "%zu", b->nskipped);
			i18n_format(tmp, sizeof(tmp), i18n_text(loc,
			    "batch.skipped"), n0, NULL);
			tdict_set(s, "TEXT", tmp);
		}
	}
	fill_chart(body, v, loc);
	if (b->ndevices == 0) {
		tdict_show(body, "NO_DEVICES");
		return;
	}
	tdict_show(body, "HAS_DEVICES");
	fill_devices(body, v, path, loc);
}

const char *
view_stale_reason(const struct batch_view *v)
{
	const char *w;

	if (v->stale == BS_OK)
		return NULL;
	w = error_info(v->stale)->stale;
	return w != NULL ? w : "unavailable";
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

static int
device_failed(const struct device *d)
{
	return d->error_code[0] != '\0' || d->error_description[0] != '\0';
}

/* Whether a device passes the reader's filter (a status, or "failed") and serial number search. */
static int
device_shown(const struct batch_view *v, size_t i)
{
	const struct request	*req = v->req;
	const struct device	*d = &v->b->devices[i];

	if (req->filter[0] != '\0') {
		if (strcmp(req->filter, "failed") == 0) {
			if (!device_failed(d))
				return 0;
		} else if (strcasecmp(req->filter, v->dev_status[i].key) != 0)
			return 0;
	}
	return req->search[0] == '\0' ||
	    strcasestr(d->serial_number, req->search) != NULL;
}

/* A link of the filter bar: its words, count, and whether it is the one in force. */
static void
filter_link(struct tdict *body, const struct batch_view *v, const char *path,
    const char *filter, const char *label, const char *css, size_t n)
{
	struct tdict	*s;
	char		 url[1024];

	if ((s = tdict_section(body, "FILTER")) == NULL)
		return;
	link_to(url, sizeof(url), v->req, path, v->req->lang, v->req->embed, filter,
	    v->req->search, 0);
	tdict_set(s, "URL", url);
	tdict_set(s, "LABEL", label);
	tdict_set(s, "CLASS", css);
	tdict_set_long(s, "N", (long)n);
	if (strcasecmp(v->req->filter, filter) == 0)
		tdict_show(s, "ACTIVE");
}

/* The table: failed devices first, then the rest in Partner Center's order; filtered, searched, 500 rows a page. */
static void
fill_devices(struct tdict *body, const struct batch_view *v, const char *path,
    enum locale loc)
{
	const struct batch	*b = v->b;
	const struct request	*req = v->req;
	struct tdict		*s, *e;
	size_t			*order, n = 0, i, first, last, pages;
	long			 page;
	int			 pass;
	char			 tmp[1024], n0[24], n1[24], n2[24];

	filter_link(body, v, path, "", i18n_text(loc, "batch.filter.all"),
	    "status-all", b->ndevices);
	filter_link(body, v, path, "failed",
	    i18n_text(loc, "batch.filter.failed"), "status-finished_with_errors",
	    v->nfailed);
	for (i = 0; i < v->ncounts; i++)
		if (strcmp(v->counts[i].si.key, "other") != 0)
			filter_link(body, v, path, v->counts[i].si.key,
			    status_label(&v->counts[i].si, loc),
			    v->counts[i].si.css, v->counts[i].n);
	tdict_set(body, "SEARCH", req->search);
	if (req->lang[0] != '\0' && (s = tdict_section(body, "KEEP")) != NULL) {
		tdict_set(s, "NAME", "lang");
		tdict_set(s, "VALUE", req->lang);
	}
	if (req->embed && (s = tdict_section(body, "KEEP")) != NULL) {
		tdict_set(s, "NAME", "embed");
		tdict_set(s, "VALUE", "1");
	}
	if (req->filter[0] != '\0' && (s = tdict_section(body, "KEEP")) != NULL) {
		tdict_set(s, "NAME", "status");
		tdict_set(s, "VALUE", req->filter);
	}
	if (req->filter[0] != '\0' || req->search[0] != '\0') {
		if ((s = tdict_section(body, "CLEAR")) != NULL) {
			url_for(tmp, sizeof(tmp), path, req);
			tdict_set(s, "URL", tmp);
		}
	}

	if ((order = malloc(b->ndevices * sizeof(*order))) == NULL) {
		tdict_show(body, "NONE_MATCH");
		return;
	}
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < b->ndevices; i++)
			if (device_failed(&b->devices[i]) == (pass == 0) &&
			    device_shown(v, i))
				order[n++] = i;
	if (n == 0) {
		free(order);
		tdict_show(body, "NONE_MATCH");
		return;
	}
	pages = (n + VIEW_PAGE_ROWS - 1) / VIEW_PAGE_ROWS;
	page = req->page < 1 ? 1 : req->page > (long)pages ? (long)pages :
	    req->page;
	first = (size_t)(page - 1) * VIEW_PAGE_ROWS;
	last = first + VIEW_PAGE_ROWS < n ? first + VIEW_PAGE_ROWS : n;
	snprintf(n0, sizeof(n0), "%zu", first + 1);
	snprintf(n1, sizeof(n1), "%zu", last);
	snprintf(n2, sizeof(n2), "%zu", n);
	i18n_format3(tmp, sizeof(tmp), i18n_text(loc, "batch.showing"), n0,
	    n1, n2);
	tdict_set(body, "SHOWING", tmp);
	if (pages > 1 && (s = tdict_section(body, "PAGER")) != NULL) {
		if (page > 1 && (e = tdict_section(s, "PREV")) != NULL) {
			link_to(tmp, sizeof(tmp), req, path, req->lang, req->embed,
			    req->filter, req->search, page - 1);
			tdict_set(e, "URL", tmp);
		}
		if ((size_t)page < pages && (e = tdict_section(s, "NEXT")) != NULL) {
			link_to(tmp, sizeof(tmp), req, path, req->lang, req->embed,
			    req->filter, req->search, page + 1);
			tdict_set(e, "URL", tmp);
		}
	}
	for (i = first; i < last; i++) {
		const struct device *d = &b->devices[order[i]];

		if ((s = tdict_section(body, "DEVICE")) == NULL)
			break;
		tdict_set_long(s, "N", (long)order[i] + 1);
		tdict_set(s, "SERIAL", d->serial_number);
		tdict_set(s, "PRODUCT_KEY", d->product_key);
		tdict_set(s, "STATUS_LABEL", status_label(&v->dev_status[order[i]],
		    loc));
		tdict_set(s, "STATUS_CLASS", v->dev_status[order[i]].css);
		tdict_set(s, "ERROR_CODE", d->error_code);
		tdict_set(s, "ERROR_DESCRIPTION", d->error_description);
		if (v->dev_error[order[i]] != NULL &&
		    (e = tdict_section(s, "EXPLANATION")) != NULL)
			tdict_set(e, "TEXT", i18n_text(loc,
			    v->dev_error[order[i]]->key));
	}
	free(order);
}

/*
 * Devices by status as an inline SVG bar chart, drawn here so no script is
 * needed: each bar has its status's colour class, its label and its count,
 * so colour is never the only signal.
 */
static void
fill_chart(struct tdict *body, const struct batch_view *v, enum locale loc)
{
	struct tdict	*c, *s;
	size_t		 i, max = 0, shown = 0;
	const long	 row = 28, bar_x = 190, bar_w = 260;

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
		tdict_set(s, "LABEL", status_label(&v->counts[i].si, loc));
		tdict_set(s, "CLASS", v->counts[i].si.css);
		tdict_set_long(s, "N", (long)v->counts[i].n);
		tdict_set_long(s, "Y", (long)shown * row + 4);
		tdict_set_long(s, "TY", (long)shown * row + 18);
		tdict_set_long(s, "X", bar_x);
		tdict_set_long(s, "W", w);
		tdict_set_long(s, "NX", bar_x + w + 6);
		shown++;
	}
	tdict_set_long(c, "HEIGHT", (long)shown * row + 8);
}

static const char *const form_keys[MSG__MAX] = {
	[MSG_CUSTOMER_MISSING] = "form.msg.customer_missing",
	[MSG_CUSTOMER_INVALID] = "form.msg.customer_invalid",
	[MSG_TRACKING_MISSING] = "form.msg.tracking_missing",
	[MSG_TRACKING_INVALID] = "form.msg.tracking_invalid",
	[MSG_CUSTOMER_MISMATCH] = "form.msg.customer_mismatch",
	[MSG_TOO_LONG] = "form.msg.too_long",
	[MSG_CONTROL_CHARS] = "form.msg.control_chars",
	[MSG_BAD_ENCODING] = "form.msg.bad_encoding",
};

const char *
view_form_message(enum form_msg m, enum locale loc)
{
	if ((int)m <= MSG_NONE || m >= MSG__MAX || form_keys[m] == NULL)
		return "";
	return i18n_text(loc, form_keys[m]);
}

void
view_fill_form(struct tpage *p, const struct request *req,
    const char *correlation_id)
{
	struct tdict *body = tpage_body(p), *s;

	fill_common(p, req, "/");
	tdict_set(tpage_layout(p), "TITLE", i18n_text(req->locale,
	    req->msg != MSG_NONE ? "form.title_error" : "form.title"));
	tdict_set(body, "CUSTOMER", req->form_customer);
	tdict_set(body, "TRACKING", req->form_tracking);
	if (req->lang[0] != '\0' &&
	    (s = tdict_section(body, "LANG_FIELD")) != NULL)
		tdict_set(s, "TAG", req->lang);
	if (req->embed)
		tdict_show(body, "EMBED_FIELD");
	if (req->msg != MSG_NONE) {
		if ((s = tdict_section(body, "MESSAGE")) != NULL) {
			tdict_set(s, "TEXT", view_form_message(req->msg,
			    req->locale));
			tdict_set(s, "CORRELATION_ID", correlation_id);
		}
		tdict_show(body, req->msg_field == MSG_CUSTOMER_INVALID ?
		    "CUSTOMER_INVALID" : "TRACKING_INVALID");
	}
}

void
view_fill_error(struct tpage *p, enum bs_error err, const struct request *req,
    const char *correlation_id, long retry_after, const char *detail)
{
	const struct error_info	*ei = error_info(err);
	enum locale		 loc = req->locale;
	struct tdict		*body = tpage_body(p), *s;
	char			 key[64], text[512], n0[32], path[128];
	const char		*title;

	if (req->kind == ROUTE_BATCH && req->tracking[0] != '\0')
		snprintf(path, sizeof(path), "/customers/%s/batches/%s",
		    req->customer, req->tracking);
	else
		snprintf(path, sizeof(path), "/");
	fill_common(p, req, path);
	snprintf(key, sizeof(key), "error.%s.title", ei->key);
	title = i18n_text(loc, key);
	tdict_set(tpage_layout(p), "TITLE", title);
	tdict_set(body, "TITLE", title);
	snprintf(key, sizeof(key), "error.%s.message", ei->key);
	tdict_set(body, "MESSAGE", i18n_text(loc, key));
	snprintf(n0, sizeof(n0), "%d", ei->http_status);
	i18n_format(text, sizeof(text), i18n_text(loc, "error.quote"), n0,
	    NULL);
	tdict_set(body, "QUOTE", text);
	tdict_set(body, "CORRELATION_ID", correlation_id);
	if (retry_after >= 0 && (s = tdict_section(body, "RETRY")) != NULL) {
		snprintf(n0, sizeof(n0), "%ld", retry_after);
		i18n_format(text, sizeof(text), i18n_text(loc, "error.retry"),
		    n0, NULL);
		tdict_set(s, "TEXT", text);
	}
	if (detail != NULL && detail[0] != '\0' &&
	    (s = tdict_section(body, "DETAIL")) != NULL) {
		tdict_set(s, "LABEL", i18n_text(loc, err == BS_ERR_SIGNIN ?
		    "error.signin_label" : "error.detail_label"));
		tdict_set(s, "TEXT", detail);
	}
	if (req->kind == ROUTE_BATCH && req->tracking[0] != '\0' &&
	    (s = tdict_section(body, "BATCH")) != NULL) {
		url_for(text, sizeof(text), path, req);
		tdict_set(s, "URL", text);
		tdict_set(s, "CUSTOMER", req->customer);
		tdict_set(s, "TRACKING", req->tracking);
	}
}
