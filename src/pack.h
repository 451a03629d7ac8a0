/* pack.h: a batch to and from the compact form nodes share (through Redis): no JSON, no re-parse, strict on the way in. */
#ifndef BATCHSTATUS_PACK_H
#define BATCHSTATUS_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "buf.h"

/* Appends b in the compact form to out; -1 when out of memory. */
int	pack_batch(const struct batch *, struct buf *out);

/*
 * Reads the compact form back: every length checked against what is left,
 * every string valid UTF-8 without NUL, at most max_devices devices, nothing
 * after the end. Returns 0 with *out a batch to batch_free, or -1 (out
 * empty) for anything else.
 */
int	unpack_batch(const void *data, size_t len, size_t max_devices,
	    struct batch *out);

/*
 * What a node shares: the upstream answer's hash (so every node makes the
 * same ETags) before the batch. 0, or -1 as pack_batch and unpack_batch.
 */
int	pack_entry(const struct batch *, uint64_t hash, struct buf *out);
int	unpack_entry(const void *data, size_t len, size_t max_devices,
	    struct batch *out, uint64_t *hash);

#endif
