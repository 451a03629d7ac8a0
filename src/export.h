/* export.h: the batch as JSON (normalised fields) and its device table as CSV (RFC 4180), in the reader's language; error bodies as JSON. */
#ifndef BATCHSTATUS_EXPORT_H
#define BATCHSTATUS_EXPORT_H

#include "buf.h"
#include "directory.h"
#include "view.h"

/*
 * All return 0, or -1 when out of memory. Labels and explanations come
 * from loc's catalog. f picks the devices (?status=, ?code=); NULL or
 * all "" is every device. The JSON has null for every value missing
 * (never ""), and says which filter made it; the CSV starts with a UTF-8
 * byte-order mark (Excel reads it as UTF-8 then), its columns the
 * device's (serial number and product key first, as an upload names
 * them), then the batch's tracking ID and status on every row.
 */
int	export_json(const struct batch_view *, const struct view_filter *f,
	    enum locale, struct buf *out);
int	export_csv(const struct batch_view *, const struct view_filter *f,
	    enum locale, struct buf *out);

/*
 * The name an export is saved as: batch-<customer>-<tracking>-<YYYYMMDD>
 * (the date, in UTC, of when Partner Center gave the data, else of now),
 * then -<status> and -<code> when f filters, then suffix (".csv").
 * Only letters, digits, '-', '_' and '.': safe inside a quoted
 * Content-Disposition filename.
 */
void	export_filename(char *out, size_t outsz, const struct batch_view *,
	    const struct view_filter *f, const char *suffix);
/* {"error":word,"status":N,"correlationId":…,"asOf":null,"stale":false[,"retryAfter":N][,"detail":…]} */
int	export_error_json(struct buf *out, enum bs_error, const char *correlation_id,
	    long retry_after, const char *detail);

/* A device batch's devices (issue 15): whether d matches the search q (serial, product key, maker, model, profile or ID; any case). */
int	export_device_shown(const struct dir_device *d, const char *q);
/* Every device of the listing that q lets through, as JSON (null for what is missing) or CSV; the hardware hash never, only whether there is one. */
int	export_devices_json(const struct dir_list *, const char *customer,
	    const char *batch_id, const char *q, struct buf *out);
int	export_devices_csv(const struct dir_list *, const char *batch_id,
	    const char *q, struct buf *out);

#endif
