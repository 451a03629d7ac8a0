/* batch.h: the BatchUploadDetails model as plain C structs; nothing above this sees JSON. */
#ifndef BATCHSTATUS_BATCH_H
#define BATCHSTATUS_BATCH_H

#include <stddef.h>
#include <stdint.h>

#define BATCH_MAX_DEPTH	32	/* JSON nesting limit; the real shape needs 4 */

/* Every string is valid UTF-8, never NULL ("" when absent or null). */
struct device {
	const char	*device_id;
	const char	*serial_number;
	const char	*product_key;
	const char	*status;	/* as it came */
	const char	*error_code;	/* a JSON number arrives as its text */
	const char	*error_description;
};

struct batch {
	const char	*tracking_id;	/* as upstream said it */
	const char	*status;	/* as it came */
	int		 has_started, has_completed;
	int64_t		 started, completed;	/* seconds since the epoch, UTC */
	const char	*started_raw, *completed_raw;	/* as it came, for times we cannot read */
	struct device	*devices;	/* its own allocation, freed by batch_free */
	size_t		 ndevices;
	size_t		 nskipped;	/* entries of devicesStatus that were not objects */
	size_t		 bytes;		/* memory held (arena and devices), for the cache's bound */
	int64_t		 fetched_at;	/* when Partner Center gave this answer (set by fetch); 0 unknown */
	void		*arena;		/* owns every string above */
};

/*
 * What a batch or device status means: the one table (batch.c). Partner
 * Center writes them in any letter case; one it adds later is not here,
 * and is shown as it came.
 */
struct batch_status {
	const char	*key;		/* the wire value, lower case: finished_with_errors */
	const char	*label;		/* its catalog key: status.finished_with_errors */
	const char	*css;		/* its badge class: status-finished_with_errors */
	int		 running;	/* still moving: the page reloads itself, the cache keeps it briefly */
	int		 final;		/* never changes again: kept long, validated by ETag */
};

/* The known statuses, in the order counts are shown; NULL past the last. */
const struct batch_status *batch_status_at(size_t i);
/* The known status raw names in any case, or NULL. */
const struct batch_status *batch_status_find(const char *raw);
/* Whether a batch (or device) of this raw status is final. */
int	batch_status_final(const char *raw);

#define BATCH_MAX_DEVICES_DEFAULT	100000	/* entries of devicesStatus, see batch_parse */

enum batch_parse_result { BATCH_OK = 0, BATCH_BAD = -1, BATCH_TOO_MANY = -2 };

/*
 * Parses a BatchUploadDetails body: an optional UTF-8 BOM, then strict,
 * UTF-8-validated JSON of at most BATCH_MAX_DEPTH levels. Missing and
 * null fields, unknown fields and any letter case of statuses are fine;
 * a body of another shape is not. Duplicate keys: the last one wins,
 * devicesStatus too (only the last one's devices are kept).
 *
 * Returns BATCH_OK; or BATCH_BAD with a short reason in err (no body
 * text in it: "empty body", "not JSON: ...", "wrong shape: ...", "body
 * too large", "out of memory"); or BATCH_TOO_MANY when a devicesStatus
 * array has more than max_devices entries (objects and skipped
 * non-objects alike), with err saying how many were allowed. That is
 * found as the entry past the limit is reached, and the rest of the body
 * is not read, so it wins over any error later in the body, and also
 * when a later devicesStatus would have replaced that array. On any
 * error *out is empty (no devices, nothing to free, though batch_free
 * is harmless).
 *
 * Peak memory is bounded by the devices kept, not by the body's bytes:
 * about 48 bytes a device plus its strings, and besides only a few MiB
 * for the value being read (json-c is given one value at a time, a
 * container of at most 16 KiB whole; a long string costs its length).
 * The body is not copied.
 */
int	batch_parse(const char *body, size_t len, size_t max_devices,
	    struct batch *out, char *err, size_t errsz);
void	batch_free(struct batch *);
/*
 * For a batch made another way (pack.c): one block of n bytes its strings
 * may live in, freed by batch_free and counted in b->bytes; NULL when out
 * of memory or b has one already.
 */
void	*batch_arena(struct batch *, size_t n);

/*
 * Reads "YYYY-MM-DDTHH:MM:SS[.fff][Z|+hh:mm|-hh:mm]" (no zone means
 * UTC, as Partner Center's examples are) into seconds since the epoch.
 * Returns 0, or -1 when it is not such a time, or not one of the years 1
 * to 9999 once in UTC (the model then keeps it as its text, unreadable).
 */
int	batch_parse_time(const char *s, int64_t *out);

#endif
