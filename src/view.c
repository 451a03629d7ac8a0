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
view_duration(long s, char *out, size_t outsz)
{
	long	 d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60;
	long	 sec = s % 60;
	size_t	 n = 0;

	out[0] = '\0';
	if (s < 0) {
		snprintf(out, outsz, "unknown");
		return;
	}
	if (d > 0)
		n += (size_t)snprintf(out + n, outsz - n, "%ld d ", d);
	if (h > 0 && n < outsz)
		n += (size_t)snprintf(out + n, outsz - n, "%ld h ", h);
	/* Seconds stop mattering once a batch has run for hours. */
	if (m > 0 && d == 0 && n < outsz)
		n += (size_t)snprintf(out + n, outsz - n, "%ld min ", m);
	if ((sec > 0 || s == 0) && d == 0 && h == 0 && n < outsz)
		n += (size_t)snprintf(out + n, outsz - n, "%ld s ", sec);
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
	char		 tmp[128];
	size_t		 i;

	snprintf(tmp, sizeof(tmp), "Batch %s", v->tracking);
	tdict_set(layout, "TITLE", tmp);
	if (v->running) {
		s = tdict_section(layout, "REFRESH");
		if (s != NULL)
			tdict_set_long(s, "SECONDS", 30);
	}

	tdict_set(body, "CUSTOMER", v->customer);
	tdict_set(body, "TRACKING", v->tracking);
	tdict_set(body, "STATUS_LABEL", v->status.label);
	tdict_set(body, "STATUS_CLASS", v->status.css);
	snprintf(tmp, sizeof(tmp), "/customers/%s/batches/%s", v->customer,
	    v->tracking);
	tdict_set(body, "URL", tmp);
	set_time(body, "STARTED", b->has_started, b->started, b->started_raw,
	    "not started yet");
	set_time(body, "COMPLETED", b->has_completed, b->completed,
	    b->completed_raw, v->running ? "not yet" : "—");
	if (v->duration >= 0) {
		s = tdict_section(body, "DURATION");
		if (s != NULL) {
			view_duration(v->duration, tmp, sizeof(tmp));
			tdict_set(s, "TEXT", tmp);
			tdict_set(s, "LABEL", b->has_completed ? "Took" :
			    "Running for");
		}
	}
	if (v->running)
		tdict_show(body, "RUNNING");

	tdict_set_long(body, "DEVICE_TOTAL", (long)b->ndevices);
	tdict_set_long(body, "FAILED_TOTAL", (long)v->nfailed);
	for (i = 0; i < v->ncounts; i++) {
		if ((s = tdict_section(body, "COUNT")) == NULL)
			return;
		tdict_set(s, "LABEL", v->counts[i].si.label);
		tdict_set(s, "CLASS", v->counts[i].si.css);
		tdict_set_long(s, "N", (long)v->counts[i].n);
	}
	if (b->nskipped > 0) {
		if ((s = tdict_section(body, "SKIPPED")) != NULL)
			tdict_set_long(s, "N", (long)b->nskipped);
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
		tdict_set(s, "STATUS_LABEL", v->dev_status[i].label);
		tdict_set(s, "STATUS_CLASS", v->dev_status[i].css);
		tdict_set(s, "ERROR_CODE", d->error_code);
		tdict_set(s, "ERROR_DESCRIPTION", d->error_description);
		if (v->dev_error[i] != NULL &&
		    (e = tdict_section(s, "EXPLANATION")) != NULL)
			tdict_set(e, "TEXT", v->dev_error[i]->explanation);
	}
}

const char *
view_form_message(enum form_msg m)
{
	switch (m) {
	case MSG_CUSTOMER_MISSING:
		return "Enter the customer ID (a GUID), or paste the upload's "
		    "whole Location value into the tracking field.";
	case MSG_CUSTOMER_INVALID:
		return "The customer ID must be a GUID, like "
		    "47021739-3426-40bf-9601-61b4b6d7c793.";
	case MSG_TRACKING_MISSING:
		return "Enter the batch tracking ID, or paste the upload's "
		    "Location value.";
	case MSG_TRACKING_INVALID:
		return "The batch tracking ID must be a GUID, or the upload's "
		    "Location value (/customers/{customer-id}/batchJobStatus/"
		    "{tracking-id}).";
	case MSG_CUSTOMER_MISMATCH:
		return "The customer ID differs from the one in the Location "
		    "value. Leave the customer field empty, or correct it.";
	case MSG_TOO_LONG:
		return "That value is far too long to be an ID.";
	case MSG_CONTROL_CHARS:
		return "That value has control characters in it; an ID never "
		    "does.";
	case MSG_BAD_ENCODING:
		return "That value is not properly encoded.";
	default:
		return "";
	}
}

void
view_fill_form(struct tpage *p, const struct request *req,
    const char *correlation_id)
{
	struct tdict *body = tpage_body(p), *s;

	tdict_set(tpage_layout(p), "TITLE", req->msg != MSG_NONE ?
	    "Check the IDs" : "Look up a batch");
	tdict_set(body, "CUSTOMER", req->form_customer);
	tdict_set(body, "TRACKING", req->form_tracking);
	if (req->msg != MSG_NONE) {
		if ((s = tdict_section(body, "MESSAGE")) != NULL) {
			tdict_set(s, "TEXT", view_form_message(req->msg));
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
	struct tdict		*body = tpage_body(p), *s;
	char			 url[128];

	tdict_set(tpage_layout(p), "TITLE", ei->title);
	tdict_set(body, "TITLE", ei->title);
	tdict_set(body, "MESSAGE", ei->message);
	tdict_set_long(body, "STATUS", ei->http_status);
	tdict_set(body, "CORRELATION_ID", correlation_id);
	if (retry_after >= 0 && (s = tdict_section(body, "RETRY")) != NULL)
		tdict_set_long(s, "SECONDS", retry_after);
	if (detail != NULL && detail[0] != '\0' &&
	    (s = tdict_section(body, "DETAIL")) != NULL) {
		tdict_set(s, "LABEL", err == BS_ERR_SIGNIN ? "Sign-in error" :
		    "Error");
		tdict_set(s, "TEXT", detail);
	}
	if (req != NULL && req->kind == ROUTE_BATCH && req->tracking[0] != '\0') {
		if ((s = tdict_section(body, "BATCH")) != NULL) {
			snprintf(url, sizeof(url), "/customers/%s/batches/%s",
			    req->customer, req->tracking);
			tdict_set(s, "URL", url);
			tdict_set(s, "CUSTOMER", req->customer);
			tdict_set(s, "TRACKING", req->tracking);
		}
	}
}
