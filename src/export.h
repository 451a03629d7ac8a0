/* export.h: the batch as JSON (normalised fields) and its device table as CSV (RFC 4180), in the reader's language; error bodies as JSON. */
#ifndef BATCHSTATUS_EXPORT_H
#define BATCHSTATUS_EXPORT_H

#include "buf.h"
#include "view.h"

/* All return 0, or -1 when out of memory. Labels and explanations come from loc's catalog. */
int	export_json(const struct batch_view *, enum locale, struct buf *out);
int	export_csv(const struct batch_view *, enum locale, struct buf *out);
/* {"error":word,"status":N,"correlationId":…,"asOf":null,"stale":false[,"retryAfter":N][,"detail":…]} */
int	export_error_json(struct buf *out, enum bs_error, const char *correlation_id,
	    long retry_after, const char *detail);

#endif
