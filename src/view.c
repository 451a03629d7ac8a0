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

/* path, with ?lang= when the user chose the language in the URL (kept in every link). */
static void
url_for(char *out, size_t outsz, const char *path, const struct request *req)
{
	if (req != NULL && req->lang[0] != '\0')
		snprintf(out, outsz, "%s?lang=%s", path, req->lang);
	else
		snprintf(out, outsz, "%s", path);
}

/* The catalog, <html lang>, home link and language switcher: every page has them. */
static void
fill_common(struct tpage *p, const struct request *req, const char *self_path)
{
	enum locale	 loc = req != NULL ? req->locale : LOC_EN_US;
	struct tdict	*layout = tpage_layout(p), *s, *o;
	char		 url[256];
	size_t		 i;
	int		 l;

	for (i = 0; i < i18n_count(); i++)
		tpage_set_static(p, i18n_var(i), i18n_value(loc, i));
	url_for(url, sizeof(url), "/", req);
	tdict_set(layout, "HOME_URL", url);
	tdict_set(tpage_body(p), "HOME_URL", url);
	for (l = 0; l < LOC__MAX; l++) {
		if ((s = tdict_section(layout, "LANG")) == NULL)
			return;
		if ((o = tdict_section(s, l == (int)loc ? "CURRENT" :
		    "OTHER")) == NULL)
			return;
		snprintf(url, sizeof(url), "%s?lang=%s", self_path,
		    i18n_tag((enum locale)l));
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

void
view_fill_batch(struct tpage *p, const struct batch_view *v)
{
	struct tdict	*body = tpage_body(p), *layout = tpage_layout(p);
	struct tdict	*s, *e;
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
	snprintf(tmp, sizeof(tmp), "%s.csv", path);
	tdict_set(body, "CSV_URL", tmp);
	snprintf(tmp, sizeof(tmp), "%s.json", path);
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
	if (b->ndevices == 0)
		tdict_show(body, "NO_DEVICES");
	else
		tdict_show(body, "HAS_DEVICES");
	for (i = 0; i < b->ndevices; i++) {
		const struct device *d = &b->devices[i];

		if ((s = tdict_section(body, "DEVICE")) == NULL)
			return;
		tdict_set_long(s, "N", (long)i + 1);
		tdict_set(s, "SERIAL", d->serial_number);
		tdict_set(s, "PRODUCT_KEY", d->product_key);
		tdict_set(s, "STATUS_LABEL", status_label(&v->dev_status[i],
		    loc));
		tdict_set(s, "STATUS_CLASS", v->dev_status[i].css);
		tdict_set(s, "ERROR_CODE", d->error_code);
		tdict_set(s, "ERROR_DESCRIPTION", d->error_description);
		if (v->dev_error[i] != NULL &&
		    (e = tdict_section(s, "EXPLANATION")) != NULL)
			tdict_set(e, "TEXT", i18n_text(loc,
			    v->dev_error[i]->key));
	}
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
