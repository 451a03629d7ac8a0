/* upstream.h: the Partner Center batch-status call: the request we send and what its answer means (the I/O loop in pc_http.c sends it). */
#ifndef BATCHSTATUS_UPSTREAM_H
#define BATCHSTATUS_UPSTREAM_H

#include <stddef.h>

#include "errors.h"
#include "guid.h"
#include "pc_http.h"

struct upstream_opts {
	const char	*base_url;	/* no trailing slash */
	long		 timeout_ms;	/* one user request's whole fetch: sign-in, call and retry */
	long		 max_body_bytes;
	const char	*app_name;	/* MS-PartnerCenter-Application */
};

/* One GET, ready for pc_loop_submit: its URL and header lines (one carries the token). */
struct upstream_call {
	char		 url[1024];
	const char	*headers[8];		/* NULL-terminated, pointing into the lines below */
	char		 request_id[GUID_LEN + 1];	/* the fresh MS-RequestId sent */
	char		*auth;			/* "Authorization: Bearer ..."; wiped by upstream_call_wipe */
	char		 lines[5][160];
};

/*
 * GET {base}/v1/customers/{customer}/batchJobStatus/{tracking} with the
 * bearer token and the documented headers. X-Locale is always
 * UPSTREAM_LOCALE: one answer per batch serves every reader, whose words
 * all come from our catalogs. Returns 0, or -1 when memory ran out. Wipe
 * it when handed over.
 */
int		 upstream_call_init(struct upstream_call *,
		    const struct upstream_opts *, const char *customer,
		    const char *tracking, const char *correlation_id,
		    const char *token);
void		 upstream_call_wipe(struct upstream_call *);

/*
 * The one locale Partner Center is asked in. Its answer is codes and
 * statuses (and an English errorDescription shown as Partner Center's
 * own text); the cache keeps one answer per batch for readers of every
 * language, so asking in the first reader's language would let them
 * decide for everyone.
 */
#define UPSTREAM_LOCALE	"en-US"

/* What an answer means for the user: BS_OK for a 200, else the error. */
enum bs_error	 upstream_classify(const struct pc_result *);

#define UPSTREAM_PAUSE_DEFAULT	30	/* seconds, when a 429 says nothing usable */

/* Reads a Retry-After value (seconds or an HTTP date, at most 86400); -1 when unreadable, negative or past. */
long		 upstream_parse_retry_after(const char *value, long now);
/*
 * How long a 429 pauses every call: its Retry-After clamped to [1, max];
 * UPSTREAM_PAUSE_DEFAULT (within max) when the header is absent (NULL or
 * ""), garbage, negative or a date gone by.
 */
long		 upstream_pause_seconds(const char *value, long now, long max);

#endif
