/* view.h: the view model: what the pages and the exports show of a batch (statuses, counts, times, durations), made from the model alone. */
#ifndef BATCHSTATUS_VIEW_H
#define BATCHSTATUS_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "errcodes.h"
#include "errors.h"
#include "i18n.h"

#define VIEW_MAX_COUNTS	24	/* known statuses + distinct unknown ones; the rest are "other" */

/* A status as shown: a known one from batch.c's table, or one we do not know kept as it came. */
struct status_info {
	const char	*key;	/* normalised wire value (finished_with_errors), or the raw text */
	const char	*label;	/* its catalog key; NULL: unknown, shown as it came */
	const char	*css;	/* status-finished_with_errors, or status-other */
	int		 running;	/* queued or processing: the page refreshes itself */
};

struct status_count {
	struct status_info	 si;
	size_t			 n;
};

/* What a batch came to, from its devices (Partner Center's own status says "finished" while devices failed). */
enum view_outcome {
	OUTCOME_RUNNING,	/* queued or processing */
	OUTCOME_ALL_REGISTERED,	/* every device registered (806, already this tenant's, counts) */
	OUTCOME_SOME_FAILED,
	OUTCOME_ALL_FAILED,
	OUTCOME_NO_DEVICES,
	OUTCOME_UNKNOWN,	/* a status we do not know, or devices still not done */
	OUTCOME__MAX
};

#define VIEW_MAX_FIXES	16	/* rows of "what to fix"; further kinds of failure join the last */

/* One kind of failure and how many devices have it: a row of "what to fix". */
struct fix_row {
	const struct errcode	*e;	/* the documented error, or NULL */
	const char		*code;	/* as it came, for one we do not know */
	const char		*description;
	size_t			 n;
};

struct batch_view {
	const struct batch	*b;
	const char		*customer, *tracking;	/* canonical, from the URL */
	struct status_info	 status;
	int64_t			 now;
	long			 duration;	/* seconds taken, or running so far; -1 unknown */
	int			 running;
	long			 refresh_seconds;	/* while running: the page reloads this often */
	enum bs_error		 stale;		/* BS_OK: fresh; else the failure this held answer stands in for */
	long			 retry_after;	/* stale: seconds until Partner Center is asked again */
	struct status_count	 counts[VIEW_MAX_COUNTS];
	size_t			 ncounts;
	size_t			 nfailed;	/* devices with an error code or description, but for one that leaves them registered (806) */
	size_t			 ndone;		/* devices finished, with or without errors */
	size_t			 nregistered;	/* devices finished without a failure */
	enum view_outcome	 outcome;
	struct fix_row		 fixes[VIEW_MAX_FIXES];	/* the failures by kind, most devices first */
	size_t			 nfixes;
	struct status_info	*dev_status;	/* per device */
	const struct errcode	**dev_error;	/* per device: the known error, or NULL */
	const char		*customer_name;	/* the customer's company name, when known (held by the page); else NULL */
};

/* Known statuses match in any case; anything else keeps its text and gets status-other. */
struct status_info	status_of(const char *raw);
/* A status in the reader's words: the catalog's for a known one; for one we do not know, "Unknown status: <its text>" written in buf. */
const char	*view_status_label(const struct status_info *, enum locale,
		    char *buf, size_t bufsz);
#define VIEW_LABEL_MAX	512	/* room for a label of a status we do not know (buf) */

/* customer and tracking: canonical, outliving the view. Returns 0, or -1 when out of memory. */
int	view_batch_build(struct batch_view *, const struct batch *,
	    const char *customer, const char *tracking, int64_t now);
void	view_batch_free(struct batch_view *);

/*
 * Which devices a list shows (the page's table, an export): what the
 * query's ?status=, ?code= and ?q= said, without the request. "" for
 * each lets every device through.
 */
struct view_filter {
	const char	*status;	/* "failed" (view_device_failed), a status's word (view_status_word), or "" */
	const char	*code;		/* an error's code or name (808, ZtdDeviceDuplicated, one nobody documented), or "" */
	const char	*search;	/* text in the serial number, product key, error code or device ID, in any case, or "" */
};

/* The ?status= word of a status: its key in lower case, "none" for a device without one; cut to fit outsz. */
void	view_status_word(const struct status_info *, char *out, size_t outsz);

/* Whether device i is one f lets through. */
int	view_device_shown(const struct batch_view *, const struct view_filter *f,
	    size_t i);

/* Whether device i failed: it has an error code or description, and not one that leaves it registered (806). */
int	view_device_failed(const struct batch_view *, size_t i);

/* "running", "all_registered", "some_failed", "all_failed", "no_devices", "unknown": JSON's outcome, the page's class and catalog key. */
const char	*view_outcome_word(enum view_outcome);

/*
 * The headline: one sentence that says whether it worked, from the
 * devices (Partner Center's "finished" alone does not say), e.g.
 * "Finished with errors — 3 of 120 devices failed"; a batch of one device
 * gets its own sentence, every language its words.
 */
void	view_headline(const struct batch_view *, enum locale, char *out,
	    size_t outsz);
/* The same from what a followed batch keeps: its outcome word, status as it came, devices, and those done (running) or failed. */
void	view_headline_of(const char *outcome, const char *status, size_t total,
	    size_t part, enum locale, char *out, size_t outsz);

/* "2017-07-25 10:00:00 UTC", "2017-07-25T10:00:00Z", "1 h 5 min" (units in the locale's words) */
void	view_time_human(int64_t t, char *out, size_t outsz);
void	view_time_iso(int64_t t, char *out, size_t outsz);
void	view_duration(long secs, enum locale, char *out, size_t outsz);
/* How long before now t was, in one rounded unit and the reader's words ("12 min ago"); "" when t is ahead of now. */
void	view_ago(int64_t now, int64_t t, enum locale, char *out, size_t outsz);

/* Why a held answer stands in ("throttled", "unavailable", "timeout"), or NULL when it is fresh. */
const char	*view_stale_reason(const struct batch_view *);
/* How often a running batch's page reloads: 5 s at first, backing off to 60 s the longer it runs. */
long	view_refresh_seconds(const struct batch_view *);

#endif
