/* fetch.h: a batch or a listing for a request: kept, or fetched from Partner Center while the request waits parked (token, call, one retry, parse), within one deadline. */
#ifndef BATCHSTATUS_FETCH_H
#define BATCHSTATUS_FETCH_H

#include <stddef.h>

#include "batch.h"
#include "cache.h"
#include "cpu.h"
#include "errors.h"
#include "follow.h"
#include "pc_http.h"
#include "seal.h"
#include "shared.h"
#include "token.h"
#include "upstream.h"

struct fetch_ctx {
	struct cache		*cache;
	struct token_source	*tokens;
	struct pc_loop		*loop;
	struct cpu_pool		*cpu;
	/*
	 * up.timeout_ms (the one deadline of a request's fetch),
	 * up.max_body_bytes, max_devices and max_retry_after follow a
	 * reload: read and written atomically.
	 */
	struct upstream_opts	 up;
	long			 max_devices;	/* BATCHSTATUS_MAX_DEVICES */
	long			 max_waiting;	/* BATCHSTATUS_MAX_WAITING: parked requests at most */
	long			 max_retry_after;	/* BATCHSTATUS_MAX_RETRY_AFTER: a 429 pauses at most this long (s); atomic */
	long			 waiting;	/* parked now; atomic */
	/* BATCHSTATUS_SHARED: other nodes' answers, the calls' lock and the 429 pause; NULL alone. */
	struct shared		*shared;
	const struct seal_key	*key;		/* seals what goes to Redis */
	const struct seal_key	*recent_key;	/* signs the recent-lookups cookie; NULL: the list is off */
	struct follow		*follow;	/* BATCHSTATUS_NOTIFY_FILE: following batches; NULL: off */
};

/* This request's own Partner Center call, for its log line (calls 0: none). */
struct fetch_trace {
	long	status;		/* HTTP status of the last attempt; -1: no answer */
	long	ms;		/* time the fetch took: sign-in wait, calls and retry */
	long	budget_ms;	/* what was left of the deadline when the last call started */
	int	calls;
};

/* A request parked for its batch; it lives in the request. */
struct fetch_waiter {
	struct cache_waiter	 cw;		/* cw.result: the answer, once resumed */
	struct fetch_trace	 trace;		/* filled for the request whose lookup made the call */
	struct cpu_task		 task;
	struct fetch_ctx	*ctx;
	int			 counted;	/* it counts in ctx->waiting (not a FETCH_QUIET lookup) */
	/* Called on a CPU worker when cw.result is ready. */
	void			(*resume)(struct fetch_waiter *);
};

enum fetch_step {
	FETCH_READY,	/* *out holds the answer (or the error) now */
	FETCH_PARKED,	/* w->resume(w) follows; until then the caller must not touch the request */
};

/*
 * One batch for a request: from the cache, or from the call in flight for
 * it, or from a call started now. The answer is at hand (FETCH_READY:
 * kept, the 429 pause, or BS_ERR_BUSY when max_waiting requests are
 * parked already), or the request is parked (FETCH_PARKED) and w->resume
 * comes on a CPU worker, within the deadline, with w->cw.result filled.
 * Release every answer with fetch_release.
 */
enum fetch_step	fetch_get(struct fetch_ctx *, const char *customer,
		    const char *tracking, const char *correlation_id,
		    struct fetch_waiter *w,
		    struct cache_result *out);
/* How fetch_ask may treat a request. */
enum fetch_flag {
	FETCH_QUIET	= 1 << 0,	/* beside another lookup (a page's customer name): not admitted or counted on its own */
	FETCH_PEEK	= 1 << 1,	/* never parks: what is held, or the call started for later (BS_ERR_BUSY now) */
	FETCH_HELD	= 1 << 2,	/* only what is held (BS_ERR_BUSY when nothing is): no call, no waiting */
};

/*
 * fetch_get for any ask (a batch, or a listing followed page by page
 * within the same deadline), with flags (enum fetch_flag). With
 * FETCH_PEEK, w is not parked and only its trace is used.
 */
enum fetch_step	fetch_ask(struct fetch_ctx *, const struct upstream_ask *,
		    const char *correlation_id, unsigned flags,
		    struct fetch_waiter *w, struct cache_result *out);
void		fetch_release(struct fetch_ctx *, struct cache_result *);
/* Requests parked now. */
long		fetch_waiting(struct fetch_ctx *);

#endif
