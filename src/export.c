/* export.c: the batch as JSON through json-c's writer and CSV by hand (CRLF, quoting, spreadsheet-formula guard), in the reader's language; and JSON error bodies. */
#include "export.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const struct view_filter every = { "", "", "" };

static json_object *
str_or_null(const char *s)
{
	return s[0] != '\0' ? json_object_new_string(s) : NULL;
}

static json_object *
time_or_null(int has, int64_t t, const char *raw)
{
	char iso[64];

	if (!has)
		return str_or_null(raw);
	view_time_iso(t, iso, sizeof(iso));
	return json_object_new_string(iso);
}

/* json-c adds to objects without reporting allocation failures; count them ourselves. */
static void
put(json_object *o, const char *key, json_object *v, int *bad)
{
	if (json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		*bad = 1;
	}
}

/* The explanation of a device's known error in the reader's language, or NULL. */
static const char *
explanation(const struct batch_view *v, size_t i, enum locale loc)
{
	return v->dev_error[i] != NULL ? i18n_text(loc, v->dev_error[i]->key) :
	    NULL;
}

/* Writes o, plain and without escaped slashes, and a newline. */
static int
write_json(json_object *o, struct buf *out)
{
	const char *s;

	s = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	return s == NULL || buf_puts(out, s) == -1 || buf_putc(out, '\n') ?
	    -1 : 0;
}

int
export_error_json(struct buf *out, enum bs_error e, const char *correlation_id,
    long retry_after, const char *detail)
{
	const struct error_info	*ei = error_info(e);
	json_object		*root;
	int			 bad = 0;

	if ((root = json_object_new_object()) == NULL)
		return -1;
	put(root, "error", json_object_new_string(ei->key), &bad);
	put(root, "status", json_object_new_int(ei->http_status), &bad);
	put(root, "correlationId", json_object_new_string(correlation_id),
	    &bad);
	/* No data: nothing it is as of, and nothing held stands in. */
	put(root, "asOf", NULL, &bad);
	put(root, "stale", json_object_new_boolean(0), &bad);
	if (retry_after >= 0)
		put(root, "retryAfter", json_object_new_int64(retry_after),
		    &bad);
	if (detail != NULL && detail[0] != '\0')
		put(root, "detail", json_object_new_string(detail), &bad);
	if (!bad && write_json(root, out) == -1)
		bad = 1;
	json_object_put(root);
	return bad ? -1 : 0;
}

/* A status's label in the reader's words, or null when there is no status at all. */
static json_object *
label_or_null(const struct status_info *si, enum locale loc)
{
	char lbl[VIEW_LABEL_MAX];

	return si->key[0] != '\0' ? json_object_new_string(view_status_label(si,
	    loc, lbl, sizeof(lbl))) : NULL;
}

int
export_json(const struct batch_view *v, const struct view_filter *f,
    enum locale loc, struct buf *out)
{
	const struct batch	*b = v->b;
	json_object		*root, *devs, *counts, *d, *filter;
	char			 word[64];
	size_t			 i;
	int			 bad = 0;

	if (f == NULL)
		f = &every;
	if ((root = json_object_new_object()) == NULL)
		return -1;
	put(root, "customerId", json_object_new_string(v->customer), &bad);
	put(root, "customerName", v->customer_name != NULL ?
	    str_or_null(v->customer_name) : NULL, &bad);
	put(root, "batchTrackingId", json_object_new_string(v->tracking), &bad);
	put(root, "status", str_or_null(v->status.key), &bad);
	put(root, "statusLabel", label_or_null(&v->status, loc), &bad);
	put(root, "running", json_object_new_boolean(v->running), &bad);
	/* When Partner Center gave this data, and whether it stands in for a failed call. */
	put(root, "asOf", b->fetched_at > 0 ? time_or_null(1, b->fetched_at, "") :
	    NULL, &bad);
	put(root, "stale", v->stale != BS_OK ? json_object_new_string(
	    view_stale_reason(v)) : json_object_new_boolean(0), &bad);
	if (v->stale != BS_OK)
		put(root, "retryAfter", json_object_new_int64(v->retry_after),
		    &bad);
	put(root, "startedTime", time_or_null(b->has_started, b->started,
	    b->started_raw), &bad);
	put(root, "completedTime", time_or_null(b->has_completed, b->completed,
	    b->completed_raw), &bad);
	put(root, "durationSeconds", v->duration >= 0 ?
	    json_object_new_int64(v->duration) : NULL, &bad);
	put(root, "deviceCount", json_object_new_int64((int64_t)b->ndevices),
	    &bad);
	put(root, "failedCount", json_object_new_int64((int64_t)v->nfailed),
	    &bad);
	/* What it came to, from the devices: Partner Center's status alone says "finished" while devices failed. */
	put(root, "outcome", json_object_new_string(view_outcome_word(
	    v->outcome)), &bad);
	put(root, "registeredCount", json_object_new_int64((int64_t)
	    v->nregistered), &bad);
	if ((counts = json_object_new_object()) == NULL)
		bad = 1;
	/* By ?status= word: "none" for devices without a status, as the filter names them. */
	for (i = 0; counts != NULL && i < v->ncounts; i++) {
		view_status_word(&v->counts[i].si, word, sizeof(word));
		put(counts, word, json_object_new_int64((int64_t)v->counts[i].n),
		    &bad);
	}
	put(root, "deviceCounts", counts, &bad);
	if (b->nskipped > 0)
		put(root, "skippedEntries",
		    json_object_new_int64((int64_t)b->nskipped), &bad);
	/* Which devices "devices" holds: the counts above are always the whole batch's. */
	if ((filter = json_object_new_object()) == NULL)
		bad = 1;
	else {
		put(filter, "status", str_or_null(f->status), &bad);
		put(filter, "code", str_or_null(f->code), &bad);
	}
	put(root, "filter", filter, &bad);

	if ((devs = json_object_new_array_ext((int)b->ndevices)) == NULL)
		bad = 1;
	for (i = 0; devs != NULL && !bad && i < b->ndevices; i++) {
		const struct device *dv = &b->devices[i];

		if (!view_device_shown(v, f, i))
			continue;
		if ((d = json_object_new_object()) == NULL) {
			bad = 1;
			break;
		}
		put(d, "deviceId", str_or_null(dv->device_id), &bad);
		put(d, "serialNumber", str_or_null(dv->serial_number), &bad);
		put(d, "productKey", str_or_null(dv->product_key), &bad);
		put(d, "status", str_or_null(v->dev_status[i].key), &bad);
		put(d, "errorCode", str_or_null(dv->error_code), &bad);
		put(d, "errorDescription", str_or_null(dv->error_description),
		    &bad);
		put(d, "explanation", explanation(v, i, loc) != NULL ?
		    json_object_new_string(explanation(v, i, loc)) : NULL, &bad);
		if (json_object_array_add(devs, d) != 0) {
			json_object_put(d);
			bad = 1;
		}
	}
	put(root, "devices", devs, &bad);
	if (!bad && write_json(root, out) == -1)
		bad = 1;
	json_object_put(root);
	return bad ? -1 : 0;
}

/*
 * One CSV field. A cell a spreadsheet would take for a formula (= + - @,
 * or a leading tab/CR) gets a leading apostrophe: upstream strings are
 * not ours to execute on someone's desktop.
 */
static void
csv_field(struct buf *out, const char *s, int last)
{
	int quote = strpbrk(s, ",\"\r\n") != NULL;

	if (quote)
		buf_putc(out, '"');
	if (strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0')
		buf_putc(out, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			buf_putc(out, '"');
		buf_putc(out, *s);
	}
	if (quote)
		buf_putc(out, '"');
	buf_puts(out, last ? "\r\n" : ",");
}

int
export_csv(const struct batch_view *v, const struct view_filter *f,
    enum locale loc, struct buf *out)
{
	const struct batch	*b = v->b;
	size_t			 i;

	if (f == NULL)
		f = &every;
	/*
	 * Excel takes a CSV without a byte-order mark for the local code
	 * page and garbles every word not in it. Serial number and product
	 * key lead, named as an upload names a device's fields; the
	 * batch's own ID and status follow on every row, so a row taken
	 * out of the file still says where it came from.
	 */
	buf_puts(out, "\xef\xbb\xbf" "serialNumber,productKey,status,errorCode,"
	    "errorDescription,explanation,deviceId,batchTrackingId,"
	    "batchStatus\r\n");
	for (i = 0; i < b->ndevices && !out->failed; i++) {
		const struct device *d = &b->devices[i];

		if (!view_device_shown(v, f, i))
			continue;
		csv_field(out, d->serial_number, 0);
		csv_field(out, d->product_key, 0);
		csv_field(out, v->dev_status[i].key, 0);
		csv_field(out, d->error_code, 0);
		csv_field(out, d->error_description, 0);
		csv_field(out, explanation(v, i, loc) != NULL ?
		    explanation(v, i, loc) : "", 0);
		csv_field(out, d->device_id, 0);
		csv_field(out, v->tracking, 0);
		csv_field(out, v->status.key, 1);
	}
	return out->failed ? -1 : 0;
}

/* Appends "-" and s to out at o, its blanks as '_' and anything else unsafe in a filename dropped. */
static size_t
name_part(char *out, size_t outsz, size_t o, const char *s)
{
	if (s[0] == '\0' || o + 2 >= outsz)
		return o;
	out[o++] = '-';
	for (; *s != '\0' && o + 1 < outsz; s++)
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_')
			out[o++] = *s;
		else if (*s == ' ')
			out[o++] = '_';
	out[o] = '\0';
	return o;
}

void
export_filename(char *out, size_t outsz, const struct batch_view *v,
    const struct view_filter *f, const char *suffix)
{
	time_t		 t = (time_t)(v->b->fetched_at > 0 ? v->b->fetched_at :
			    v->now);
	struct tm	 tm;
	char		 date[48] = "";
	size_t		 o;
	int		 n;

	if (f == NULL)
		f = &every;
	if (gmtime_r(&t, &tm) != NULL)
		snprintf(date, sizeof(date), "%04d%02d%02d",
		    (tm.tm_year + 1900) % 10000, tm.tm_mon + 1, tm.tm_mday);
	n = snprintf(out, outsz, "batch-%s-%s", v->customer, v->tracking);
	if (n < 0 || (size_t)n >= outsz)
		return;
	o = name_part(out, outsz, (size_t)n, date);
	o = name_part(out, outsz, o, f->status);
	o = name_part(out, outsz, o, f->code);
	if (o + strlen(suffix) < outsz)
		memcpy(out + o, suffix, strlen(suffix) + 1);
}

int
export_device_shown(const struct dir_device *d, const char *q)
{
	return q[0] == '\0' || strcasestr(d->serial_number, q) != NULL ||
	    strcasestr(d->product_key, q) != NULL ||
	    strcasestr(d->manufacturer, q) != NULL ||
	    strcasestr(d->model, q) != NULL ||
	    strcasestr(d->profile, q) != NULL ||
	    strcasestr(d->id, q) != NULL;
}

int
export_devices_json(const struct dir_list *l, const char *customer,
    const char *batch_id, const char *q, struct buf *out)
{
	json_object	*root, *devs, *d;
	size_t		 i;
	int		 bad = 0;

	if ((root = json_object_new_object()) == NULL)
		return -1;
	put(root, "customerId", json_object_new_string(customer), &bad);
	put(root, "deviceBatchId", json_object_new_string(batch_id), &bad);
	put(root, "deviceCount", json_object_new_int64((int64_t)l->ndevices),
	    &bad);
	put(root, "complete", json_object_new_boolean(!l->truncated), &bad);
	put(root, "search", str_or_null(q), &bad);
	if ((devs = json_object_new_array_ext((int)l->ndevices)) == NULL)
		bad = 1;
	for (i = 0; devs != NULL && !bad && i < l->ndevices; i++) {
		const struct dir_device *dv = &l->devices[i];

		if (!export_device_shown(dv, q))
			continue;
		if ((d = json_object_new_object()) == NULL) {
			bad = 1;
			break;
		}
		put(d, "deviceId", str_or_null(dv->id), &bad);
		put(d, "serialNumber", str_or_null(dv->serial_number), &bad);
		put(d, "productKey", str_or_null(dv->product_key), &bad);
		put(d, "manufacturer", str_or_null(dv->manufacturer), &bad);
		put(d, "model", str_or_null(dv->model), &bad);
		put(d, "uploadedDate", time_or_null(dv->has_uploaded,
		    dv->uploaded, dv->uploaded_raw), &bad);
		put(d, "hasHardwareHash", json_object_new_boolean(dv->has_hash),
		    &bad);
		put(d, "profile", str_or_null(dv->profile), &bad);
		if (json_object_array_add(devs, d) != 0) {
			json_object_put(d);
			bad = 1;
		}
	}
	put(root, "devices", devs, &bad);
	if (!bad && write_json(root, out) == -1)
		bad = 1;
	json_object_put(root);
	return bad ? -1 : 0;
}

int
export_devices_csv(const struct dir_list *l, const char *batch_id,
    const char *q, struct buf *out)
{
	size_t i;

	/* As the batch's CSV: a byte-order mark, the upload's own column names first. */
	buf_puts(out, "\xef\xbb\xbf" "serialNumber,productKey,manufacturer,"
	    "model,uploadedDate,hasHardwareHash,profile,deviceId,"
	    "deviceBatchId\r\n");
	for (i = 0; i < l->ndevices && !out->failed; i++) {
		const struct dir_device *d = &l->devices[i];
		char iso[64];

		if (!export_device_shown(d, q))
			continue;
		if (d->has_uploaded)
			view_time_iso(d->uploaded, iso, sizeof(iso));
		else
			snprintf(iso, sizeof(iso), "%s", d->uploaded_raw);
		csv_field(out, d->serial_number, 0);
		csv_field(out, d->product_key, 0);
		csv_field(out, d->manufacturer, 0);
		csv_field(out, d->model, 0);
		csv_field(out, iso, 0);
		csv_field(out, d->has_hash ? "true" : "false", 0);
		csv_field(out, d->profile, 0);
		csv_field(out, d->id, 0);
		csv_field(out, batch_id, 1);
	}
	return out->failed ? -1 : 0;
}
