/* view.h: what a page shows, derived from the model and the request: labels, times, counts, explanations. */
#ifndef BATCHSTATUS_VIEW_H
#define BATCHSTATUS_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "errcodes.h"
#include "errors.h"
#include "i18n.h"
#include "render.h"
#include "route.h"

#define VIEW_MAX_COUNTS	24	/* known statuses + distinct unknown ones; the rest are "other" */

struct status_info {
	const char	*key;	/* normalised wire value: finished_with_errors */
	const char	*label;	/* Finished with errors */
	const char	*css;	/* status-finished_with_errors, or status-other */
	int		 running;	/* queued or processing: the page refreshes itself */
};

struct status_count {
	struct status_info	 si;
	size_t			 n;
};

struct batch_view {
	const struct batch	*b;
	const struct request	*req;		/* language, links */
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
	size_t			 nfailed;	/* devices with an error code or description */
	size_t			 ndone;		/* devices finished, with or without errors */
	struct status_info	*dev_status;	/* per device */
	const struct errcode	**dev_error;	/* per device: the known error, or NULL */
};

/* Known statuses match in any case; anything else keeps its text and gets status-other. */
struct status_info	status_of(const char *raw);

int	view_batch_build(struct batch_view *, const struct batch *,
	    const struct request *, int64_t now);
void	view_batch_free(struct batch_view *);

/* path under the request's mount point, with its language, embed mode and table view. */
void	view_link(char *out, size_t outsz, const struct request *, const char *path);

/* "2017-07-25 10:00:00 UTC", "2017-07-25T10:00:00Z", "1 h 5 min" (units in the locale's words) */
void	view_time_human(int64_t t, char *out, size_t outsz);
void	view_time_iso(int64_t t, char *out, size_t outsz);
void	view_duration(long secs, enum locale, char *out, size_t outsz);

/* Why a held answer stands in ("throttled", "unavailable", "timeout"), or NULL when it is fresh. */
const char	*view_stale_reason(const struct batch_view *);
/* How often a running batch's page reloads: 5 s at first, backing off to 60 s the longer it runs. */
long	view_refresh_seconds(const struct batch_view *);
void	view_fill_batch(struct tpage *, const struct batch_view *);
void	view_fill_form(struct tpage *, const struct request *,
	    const char *correlation_id);
/* req: never NULL (its locale and lang at least). detail: our own short words (a sign-in error code), or NULL. */
void	view_fill_error(struct tpage *, enum bs_error, const struct request *,
	    const char *correlation_id, long retry_after, const char *detail);
/* The sentence the form shows for a message. */
const char	*view_form_message(enum form_msg, enum locale);

#endif
