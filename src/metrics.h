/* metrics.h: counters of what the server did, shown in Prometheus text format at /metrics. */
#ifndef BATCHSTATUS_METRICS_H
#define BATCHSTATUS_METRICS_H

#include "buf.h"
#include "errors.h"

#define METRICS_MAX_ROUTES	24	/* rows of requests_total: distinct route names (route.c's table), "other" included */

enum metric_cache {
	MC_HIT,		/* served from the cache */
	MC_MISS,	/* this request made the upstream call */
	MC_COALESCED,	/* waited for another request's call */
	MC_THROTTLED,	/* not called: waiting out a 429's Retry-After */
	MC_STALE,	/* not called: an earlier answer stands in (the pause, or a call that just failed) */
	MC__MAX
};

/* route: a metric name of route.c's table (route_metric_name); status: one errors.c lists, or counted as "other". */
void	metrics_request(const char *route, int status);
void	metrics_upstream(enum bs_error outcome, long elapsed_ms);
void	metrics_cache(enum metric_cache);
/* "hit", "miss", "coalesced", "throttled", "stale": the word for logs and labels. */
const char	*metrics_cache_name(enum metric_cache);
void	metrics_busy(int delta);	/* a CPU worker started (+1) or finished (-1) a task */
void	metrics_set_threads(long);	/* CPU workers */
void	metrics_token(int ok);	/* a sign-in call renewed the token (1) or failed (0) */
void	metrics_stale(enum bs_error why);	/* a held answer was served in place of why */
enum metric_shared {
	MS_HIT,		/* another node's answer, from Redis: no call */
	MS_LOCKED,	/* this node took the lock and called */
	MS_WAITED,	/* waited for another node's call */
	MS_PAUSED,	/* another node's 429 paused this one */
	MS_FORGED,	/* an entry failed its seal: ignored */
	MS_ALONE,	/* Redis was away: called alone */
	MS_DOWN,	/* Redis went away (or refused, or was too slow) */
	MS_UP,		/* Redis answered (again) */
	MS__MAX
};
void	metrics_shared(enum metric_shared);
/* Redis answers now (1) or not (0); -1: no BATCHSTATUS_SHARED, the shared lines are left out. */
void	metrics_shared_up(int up);
void	metrics_admitted(void);	/* a request was parked to wait on Partner Center */
void	metrics_shed(void);	/* a request that needed Partner Center was refused: too many waiting */
void	metrics_in_flight(int delta);	/* a call entered (+1) or left (-1) the I/O loop */
void	metrics_upstream_connects(long n);	/* new connections opened to an upstream */
/* The counters, and the gauges their owners keep: the cache's size, the requests parked now. */
void	metrics_write(struct buf *, long cache_entries, long cache_bytes,
	    long cache_evictions, long waiting);
/* Notifications' gauges and counters (follow.c keeps them): batches followed now, follows begun, notifications sent, tries retried, notifications failed. */
void	metrics_write_notify(struct buf *, long followed, long started,
	    long sent, long retried, long failed);

#endif
