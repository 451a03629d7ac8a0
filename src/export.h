/* export.h: the batch as JSON (normalised fields) and its device table as CSV (RFC 4180). */
#ifndef BATCHSTATUS_EXPORT_H
#define BATCHSTATUS_EXPORT_H

#include "buf.h"
#include "view.h"

/* Both return 0, or -1 when out of memory. */
int	export_json(const struct batch_view *, struct buf *out);
int	export_csv(const struct batch_view *, struct buf *out);

#endif
