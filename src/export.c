/* export.c: the batch as JSON through json-c's writer and CSV by hand (CRLF, quoting, spreadsheet-formula guard), in the reader's language; and JSON error bodies. */
#include "export.h"

#include <json-c/json.h>
#include <string.h>

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

int
export_json(const struct batch_view *v, enum locale loc, struct buf *out)
{
	const struct batch	*b = v->b;
	json_object		*root, *devs, *counts, *d;
	size_t			 i;
	int			 bad = 0;

	if ((root = json_object_new_object()) == NULL)
		return -1;
	put(root, "customerId", json_object_new_string(v->customer), &bad);
	put(root, "batchTrackingId", json_object_new_string(v->tracking), &bad);
	put(root, "status", json_object_new_string(v->status.key), &bad);
	put(root, "statusLabel", json_object_new_string(view_status_label(
	    &v->status, loc)), &bad);
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
	for (i = 0; counts != NULL && i < v->ncounts; i++)
		put(counts, v->counts[i].si.key,
		    json_object_new_int64((int64_t)v->counts[i].n), &bad);
	put(root, "deviceCounts", counts, &bad);
	if (b->nskipped > 0)
		put(root, "skippedEntries",
		    json_object_new_int64((int64_t)b->nskipped), &bad);

	if ((devs = json_object_new_array_ext((int)b->ndevices)) == NULL)
		bad = 1;
	for (i = 0; devs != NULL && !bad && i < b->ndevices; i++) {
		const struct device *dv = &b->devices[i];

		if ((d = json_object_new_object()) == NULL) {
			bad = 1;
			break;
		}
		put(d, "deviceId", str_or_null(dv->device_id), &bad);
		put(d, "serialNumber", json_object_new_string(dv->serial_number),
		    &bad);
		put(d, "productKey", json_object_new_string(dv->product_key),
		    &bad);
		put(d, "status", json_object_new_string(v->dev_status[i].key),
		    &bad);
		put(d, "errorCode", json_object_new_string(dv->error_code), &bad);
		put(d, "errorDescription",
		    json_object_new_string(dv->error_description), &bad);
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
export_csv(const struct batch_view *v, enum locale loc, struct buf *out)
{
	const struct batch	*b = v->b;
	size_t			 i;

	buf_puts(out, "serialNumber,productKey,status,errorCode,"
	    "errorDescription,explanation,deviceId\r\n");
	for (i = 0; i < b->ndevices && !out->failed; i++) {
		const struct device *d = &b->devices[i];

		csv_field(out, d->serial_number, 0);
		csv_field(out, d->product_key, 0);
		csv_field(out, v->dev_status[i].key, 0);
		csv_field(out, d->error_code, 0);
		csv_field(out, d->error_description, 0);
		csv_field(out, explanation(v, i, loc) != NULL ?
		    explanation(v, i, loc) : "", 0);
		csv_field(out, d->device_id, 1);
	}
	return out->failed ? -1 : 0;
}
