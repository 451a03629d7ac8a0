/* metrics.h: counters of what the server did, shown in Prometheus text format at /metrics. */
#ifndef BATCHSTATUS_METRICS_H
#define BATCHSTATUS_METRICS_H

#include "buf.h"
#include "errors.h"

enum metric_route {
	MR_FORM, MR_LOOKUP, MR_BATCH_HTML, MR_BATCH_JSON, MR_BATCH_CSV,
	MR_METRICS, MR_HEALTH, MR_OTHER, MR__MAX
};

enum metric_cache {
	MC_HIT,		/* served from the cache */
	MC_MISS,	/* this request made the upstream call */
	MC_COALESCED,	/* waited for another request's call */
	MC_THROTTLED,	/* not called: waiting out a 429's Retry-After */
	MC__MAX
};

void	metrics_request(enum metric_route, int status);
void	metrics_upstream(enum bs_error outcome, long elapsed_ms);
void	metrics_cache(enum metric_cache);
/* "hit", "miss", "coalesced", "throttled": the word for logs and labels. */
const char	*metrics_cache_name(enum metric_cache);
const char	*metrics_route_name(enum metric_route);
void	metrics_busy(int delta);	/* a worker started (+1) or finished (-1) a request */
void	metrics_set_threads(long);
void	metrics_token(int ok);	/* a sign-in call renewed the token (1) or failed (0) */
/* A worker began (+1) or ended (-1) waiting on a Partner Center call, its own or another's. */
void	metrics_waiting(int delta);
long	metrics_waiting_now(void);
void	metrics_write(struct buf *, long cache_entries, long cache_bytes,
	    long cache_evictions);

#endif
