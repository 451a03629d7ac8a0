/* upstream.h: the Partner Center calls (a batch's status, customers, their device batches and devices): the table of what we ask, the request we send, its paging and what its answer means (the I/O loop in pc_http.c sends it). */
#ifndef BATCHSTATUS_UPSTREAM_H
#define BATCHSTATUS_UPSTREAM_H

#include <stddef.h>

#include "directory.h"
#include "errors.h"
#include "guid.h"
#include "pc_http.h"

/* What one fetch asks Partner Center for: one row of upstream.c's table each. */
enum res_kind {
	RES_BATCH,		/* a batch upload's status */
	RES_SEARCH,		/* customers whose name or domain starts with a text */
	RES_CUSTOMER,		/* one customer: its name and domain */
	RES_DEVICE_BATCHES,	/* a customer's device batches */
	RES_DEVICES,		/* a device batch's devices */
	RES__MAX
};

#define UPSTREAM_Q_MAX		100	/* bytes of search text sent */
#define UPSTREAM_SEARCH_SIZE	100	/* customers asked for a page */

/* One thing to fetch: the key of its cache entry and its call. */
struct upstream_ask {
	enum res_kind	 kind;
	char		 customer[GUID_LEN + 1];	/* all but RES_SEARCH */
	char		 tracking[GUID_LEN + 1];	/* RES_BATCH */
	char		 batch_id[DIR_BATCH_ID_MAX + 1];	/* RES_DEVICES: the uploader's name, raw UTF-8 */
	enum dir_field	 field;				/* RES_SEARCH */
	char		 q[UPSTREAM_Q_MAX + 1];		/* RES_SEARCH: what the names start with (any case) */
};

/* A row of the table: what a kind is called, how it is parsed and paged. */
struct upstream_kind {
	const char	*name;		/* for logs: "batch", "search", ... */
	enum dir_kind	 dir;		/* how its pages are read (all but RES_BATCH) */
	int		 paged;		/* follows continuation tokens */
};

const struct upstream_kind *upstream_kind(enum res_kind);
/* The cache's key for ask: its kind and IDs (search text folded to lower case). -1 when it does not fit. */
int		 upstream_key(const struct upstream_ask *, char *out, size_t outsz);
/* The same ask for a batch: kind RES_BATCH and its two IDs. */
void		 upstream_ask_batch(struct upstream_ask *, const char *customer,
		    const char *tracking);

struct upstream_opts {
	const char	*base_url;	/* no trailing slash */
	long		 timeout_ms;	/* one user request's whole fetch: sign-in, call and retry */
	long		 max_body_bytes;
	const char	*app_name;	/* MS-PartnerCenter-Application */
	long		 max_pages;	/* a paged listing's pages at most (BATCHSTATUS_MAX_PAGES) */
};

/* One GET, ready for pc_loop_submit: its URL and header lines (one carries the token). */
struct upstream_call {
	char		 url[4096];
	const char	*headers[10];		/* NULL-terminated, pointing into the lines below */
	char		 request_id[GUID_LEN + 1];	/* the fresh MS-RequestId sent */
	char		*auth;			/* "Authorization: Bearer ..."; wiped by upstream_call_wipe */
	char		 lines[5][160];
	char		*continuation;		/* "MS-ContinuationToken: ..." for a next page; NULL: the first */
};

/*
 * The GET for ask, with the bearer token and the documented headers:
 * {base}/v1/customers/{customer}/batchJobStatus/{tracking},
 * /v1/customers?size=N&filter=... (or, for a next page,
 * ?size=N&seekOperation=Next), /v1/customers/{customer},
 * .../deviceBatches, .../deviceBatches/{batch, percent-encoded}/devices.
 * continuation: the token a page gave for the next (sent as
 * MS-ContinuationToken), or NULL for the first page. X-Locale is always
 * UPSTREAM_LOCALE: one answer per key serves every reader, whose words
 * all come from our catalogs. Returns 0, or -1 when memory ran out or
 * the URL did not fit. Wipe it when handed over.
 */
int		 upstream_call_init(struct upstream_call *,
		    const struct upstream_opts *, const struct upstream_ask *,
		    const char *continuation, const char *correlation_id,
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

/* What an answer to a call of kind means for the user: BS_OK for a 200, else the error. */
enum bs_error	 upstream_classify(const struct pc_result *, enum res_kind);

/* After a page: whether to ask for the next one. */
enum upstream_paging {
	PAGING_DONE,		/* no next page: the listing is whole */
	PAGING_NEXT,		/* ask for the next page with this token */
	PAGING_BOUND,		/* max_pages read: stop, the listing is cut short */
	PAGING_REPEATED,	/* the same token again: stop rather than loop, cut short */
};
/* prev: the token sent for the page just read (NULL: the first); next: the one it gave ("" none); pages: read so far. */
enum upstream_paging upstream_paging(const char *prev, const char *next,
		    size_t pages, size_t max_pages);

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
