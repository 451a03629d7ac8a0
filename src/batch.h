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
	struct device	*devices;
	size_t		 ndevices;
	size_t		 nskipped;	/* entries of devicesStatus that were not objects */
	size_t		 bytes;		/* memory held, for the cache's bound */
	int64_t		 fetched_at;	/* when Partner Center gave this answer (set by fetch); 0 unknown */
	void		*arena;		/* owns every string above */
};

/*
 * Parses a BatchUploadDetails body: an optional UTF-8 BOM, then strict,
 * UTF-8-validated JSON of at most BATCH_MAX_DEPTH levels. Missing and
 * null fields, unknown fields and any letter case of statuses are fine;
 * a body of another shape is not. Returns 0, or -1 with a short reason
 * in err (no body text in it) and *out empty.
 */
int	batch_parse(const char *body, size_t len, struct batch *out,
	    char *err, size_t errsz);
void	batch_free(struct batch *);

/*
 * Reads "YYYY-MM-DDTHH:MM:SS[.fff][Z|+hh:mm|-hh:mm]" (no zone means
 * UTC, as Partner Center's examples are) into seconds since the epoch.
 * Returns 0, or -1 when it is not such a time.
 */
int	batch_parse_time(const char *s, int64_t *out);

#endif
