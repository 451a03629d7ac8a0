/* metrics.c: lock-free counters (requests, upstream calls and latency, cache, parked requests, the loop, busy threads) and their text format. */
#include "metrics.h"

#include <stddef.h>
#include <string.h>

static const char *const cache_names[MC__MAX] = {
	"hit", "miss", "coalesced", "throttled", "stale",
};
/* Upper bounds in milliseconds; Partner Center answers in hundreds of them. */
static const long buckets_ms[] = { 25, 50, 100, 250, 500, 1000, 2500, 5000,
	10000, 30000 };
#define NBUCKETS (sizeof(buckets_ms) / sizeof(buckets_ms[0]))

/* By route.c's metric names and errors.c's statuses; the last column: any other status. */
static unsigned long	requests[METRICS_MAX_ROUTES][HTTP_NSTATUS + 1];
static unsigned long	upstream[BS_ERR__MAX];
static unsigned long	latency[NBUCKETS + 1];
static unsigned long	latency_sum_ms;
static unsigned long	cache[MC__MAX];
static unsigned long	stale[BS_ERR__MAX];
static unsigned long	shared[MS__MAX];
static int		shared_state = -1;	/* atomic; -1: not configured */
static const char *const shared_names[MS__MAX] = {
	"hit", "locked", "waited", "paused", "forged", "alone", "down", "up",
};
static long		busy, threads, in_flight;
static unsigned long	admitted, shed, connects;
static unsigned long	signins[2];	/* failed, renewed */

#define ADD(x, n) __atomic_add_fetch(&(x), (n), __ATOMIC_RELAXED)
#define GET(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

/*
 * The route's row: names (route.c's table's, static strings) take rows as
 * they are first counted, so this file needs no list of its own. More
 * names than rows (route.c's test keeps them fewer) share the last.
 */
static const char	*row_names[METRICS_MAX_ROUTES];

static size_t
route_row(const char *route)
{
	const char	*n, *expected;
	size_t		 i;

	if (route == NULL)
		route = "other";
	for (i = 0; i < METRICS_MAX_ROUTES - 1; i++) {
		if ((n = __atomic_load_n(&row_names[i], __ATOMIC_ACQUIRE)) == NULL) {
			expected = NULL;
			if (__atomic_compare_exchange_n(&row_names[i], &expected,
			    route, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
				return i;
			n = expected;
		}
		if (strcmp(n, route) == 0)
			return i;
	}
	expected = NULL;
	__atomic_compare_exchange_n(&row_names[i], &expected, route, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	return i;
}

void
metrics_request(const char *route, int status)
{
	int i = http_status_index(status);

	ADD(requests[route_row(route)][i >= 0 ? i : HTTP_NSTATUS], 1);
}

void
metrics_upstream(enum bs_error outcome, long ms)
{
	size_t i;

	if ((int)outcome < 0 || outcome >= BS_ERR__MAX)
		outcome = BS_ERR_INTERNAL;
	ADD(upstream[outcome], 1);
	for (i = 0; i < NBUCKETS && ms > buckets_ms[i]; i++)
		;
	ADD(latency[i], 1);
	ADD(latency_sum_ms, (unsigned long)(ms > 0 ? ms : 0));
}

void
metrics_cache(enum metric_cache c)
{
	ADD(cache[c], 1);
}

const char *
metrics_cache_name(enum metric_cache c)
{
	return (int)c >= 0 && c < MC__MAX ? cache_names[c] : "unknown";
}

void
metrics_busy(int delta)
{
	ADD(busy, delta);
}

void
metrics_stale(enum bs_error why)
{
	if ((int)why > 0 && why < BS_ERR__MAX)
		ADD(stale[why], 1);
}

void
metrics_shared(enum metric_shared m)
{
	if ((int)m >= 0 && m < MS__MAX)
		ADD(shared[m], 1);
}

void
metrics_shared_up(int up)
{
	__atomic_store_n(&shared_state, up, __ATOMIC_RELAXED);
}

/* Only with BATCHSTATUS_SHARED: whether Redis answers, and how shared lookups went. */
static void
write_shared(struct buf *b)
{
	int i, st = __atomic_load_n(&shared_state, __ATOMIC_RELAXED);

	if (st < 0)
		return;
	buf_printf(b, "# HELP batchstatus_shared_up Whether Redis (BATCHSTATUS_SHARED) "
	    "answers now.\n"
	    "# TYPE batchstatus_shared_up gauge\n"
	    "batchstatus_shared_up %d\n"
	    "# HELP batchstatus_shared_total Lookups through Redis by outcome, "
	    "and Redis going away (down) and answering (up).\n"
	    "# TYPE batchstatus_shared_total counter\n", st);
	for (i = 0; i < MS__MAX; i++)
		buf_printf(b, "batchstatus_shared_total{result=\"%s\"} %lu\n",
		    shared_names[i], GET(shared[i]));
}

void
metrics_admitted(void)
{
	ADD(admitted, 1);
}

void
metrics_shed(void)
{
	ADD(shed, 1);
}

void
metrics_in_flight(int delta)
{
	ADD(in_flight, delta);
}

void
metrics_upstream_connects(long n)
{
	ADD(connects, (unsigned long)n);
}

void
metrics_token(int ok)
{
	ADD(signins[ok ? 1 : 0], 1);
}

void
metrics_set_threads(long n)
{
	__atomic_store_n(&threads, n, __ATOMIC_RELAXED);
}

/* Stale answers by the reason a page and the JSON give: one line per word of the error table. */
static void
write_stale(struct buf *b)
{
	static const char *const words[] = { "throttled", "unavailable",
	    "timeout" };
	unsigned long	 n;
	size_t		 w;
	int		 i;

	buf_puts(b, "# HELP batchstatus_stale_answers_total Batch answers "
	    "served from data held before, because the call failed or could "
	    "not be made, by reason.\n"
	    "# TYPE batchstatus_stale_answers_total counter\n");
	for (w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
		n = 0;
		for (i = 0; i < BS_ERR__MAX; i++)
			if (error_info((enum bs_error)i)->stale != NULL &&
			    strcmp(error_info((enum bs_error)i)->stale,
			    words[w]) == 0)
				n += GET(stale[i]);
		buf_printf(b, "batchstatus_stale_answers_total{reason=\"%s\"} "
		    "%lu\n", words[w], n);
	}
}

void
metrics_write(struct buf *b, long entries, long bytes, long evictions,
    long waiting)
{
	unsigned long	 cum = 0;
	size_t		 r, i;

	buf_puts(b, "# HELP batchstatus_requests_total Requests answered, "
	    "by route and HTTP status.\n"
	    "# TYPE batchstatus_requests_total counter\n");
	for (r = 0; r < METRICS_MAX_ROUTES; r++)
		for (i = 0; i <= HTTP_NSTATUS; i++) {
			const char *name = __atomic_load_n(&row_names[r],
			    __ATOMIC_ACQUIRE);
			unsigned long n = GET(requests[r][i]);

			if (name == NULL || n == 0)
				continue;
			if (i < HTTP_NSTATUS)
				buf_printf(b, "batchstatus_requests_total{route=\"%s\","
				    "status=\"%d\"} %lu\n", name,
				    http_status_at((int)i)->code, n);
			else
				buf_printf(b, "batchstatus_requests_total{route=\"%s\","
				    "status=\"other\"} %lu\n", name, n);
		}
	buf_puts(b, "# HELP batchstatus_upstream_calls_total Partner Center "
	    "calls made, by outcome.\n"
	    "# TYPE batchstatus_upstream_calls_total counter\n");
	for (i = 0; i < BS_ERR__MAX; i++)
		if (i != BS_ERR_BAD_INPUT && i != BS_ERR_NO_ROUTE &&
		    i != BS_ERR_METHOD && i != BS_ERR_BUSY)
			buf_printf(b, "batchstatus_upstream_calls_total{outcome="
			    "\"%s\"} %lu\n", error_info((enum bs_error)i)->key,
			    GET(upstream[i]));
	buf_puts(b, "# HELP batchstatus_upstream_latency_seconds Time of a "
	    "Partner Center call.\n"
	    "# TYPE batchstatus_upstream_latency_seconds histogram\n");
	for (i = 0; i <= NBUCKETS; i++) {
		cum += GET(latency[i]);
		if (i < NBUCKETS)
			buf_printf(b, "batchstatus_upstream_latency_seconds_bucket"
			    "{le=\"%g\"} %lu\n", buckets_ms[i] / 1000.0, cum);
		else
			buf_printf(b, "batchstatus_upstream_latency_seconds_bucket"
			    "{le=\"+Inf\"} %lu\n", cum);
	}
	buf_printf(b, "batchstatus_upstream_latency_seconds_sum %.3f\n"
	    "batchstatus_upstream_latency_seconds_count %lu\n",
	    GET(latency_sum_ms) / 1000.0, cum);
	buf_printf(b, "# HELP batchstatus_token_requests_total Calls to the "
	    "sign-in endpoint for a Partner Center token, by outcome.\n"
	    "# TYPE batchstatus_token_requests_total counter\n"
	    "batchstatus_token_requests_total{outcome=\"renewed\"} %lu\n"
	    "batchstatus_token_requests_total{outcome=\"failed\"} %lu\n",
	    GET(signins[1]), GET(signins[0]));
	buf_puts(b, "# HELP batchstatus_cache_requests_total Batch requests by "
	    "how the cache served them.\n"
	    "# TYPE batchstatus_cache_requests_total counter\n");
	for (i = 0; i < MC__MAX; i++)
		buf_printf(b, "batchstatus_cache_requests_total{result=\"%s\"} "
		    "%lu\n", cache_names[i], GET(cache[i]));
	buf_printf(b, "# HELP batchstatus_cache_entries Batches held.\n"
	    "# TYPE batchstatus_cache_entries gauge\n"
	    "batchstatus_cache_entries %ld\n"
	    "# HELP batchstatus_cache_bytes Memory the held batches use.\n"
	    "# TYPE batchstatus_cache_bytes gauge\n"
	    "batchstatus_cache_bytes %ld\n"
	    "# HELP batchstatus_cache_evictions_total Batches dropped to stay "
	    "within the memory bound.\n"
	    "# TYPE batchstatus_cache_evictions_total counter\n"
	    "batchstatus_cache_evictions_total %ld\n"
	    "# HELP batchstatus_threads_busy CPU worker threads running a task.\n"
	    "# TYPE batchstatus_threads_busy gauge\n"
	    "batchstatus_threads_busy %ld\n"
	    "# HELP batchstatus_threads CPU worker threads.\n"
	    "# TYPE batchstatus_threads gauge\n"
	    "batchstatus_threads %ld\n"
	    "# HELP batchstatus_requests_waiting Requests parked, waiting on "
	    "Partner Center (their own call or another request's).\n"
	    "# TYPE batchstatus_requests_waiting gauge\n"
	    "batchstatus_requests_waiting %ld\n"
	    "# HELP batchstatus_requests_admitted_total Requests admitted to "
	    "wait on Partner Center.\n"
	    "# TYPE batchstatus_requests_admitted_total counter\n"
	    "batchstatus_requests_admitted_total %lu\n"
	    "# HELP batchstatus_requests_shed_total Requests that needed "
	    "Partner Center refused with a 503: BATCHSTATUS_MAX_WAITING were "
	    "waiting.\n"
	    "# TYPE batchstatus_requests_shed_total counter\n"
	    "batchstatus_requests_shed_total %lu\n"
	    "# HELP batchstatus_upstream_in_flight Calls in the I/O loop "
	    "(Partner Center and sign-in), queued for a connection included.\n"
	    "# TYPE batchstatus_upstream_in_flight gauge\n"
	    "batchstatus_upstream_in_flight %ld\n"
	    "# HELP batchstatus_upstream_connections_total Connections "
	    "opened to Partner Center and the sign-in endpoint.\n"
	    "# TYPE batchstatus_upstream_connections_total counter\n"
	    "batchstatus_upstream_connections_total %lu\n",
	    entries, bytes, evictions, GET(busy), GET(threads), waiting,
	    GET(admitted), GET(shed), GET(in_flight), GET(connects));
	write_stale(b);
	write_shared(b);
}

void
metrics_write_notify(struct buf *b, long followed, long started, long sent,
    long retried, long failed)
{
	buf_printf(b, "# HELP batchstatus_followed Batches followed until they "
	    "finish, now.\n"
	    "# TYPE batchstatus_followed gauge\n"
	    "batchstatus_followed %ld\n"
	    "# HELP batchstatus_follows_total Batches followed since the start.\n"
	    "# TYPE batchstatus_follows_total counter\n"
	    "batchstatus_follows_total %ld\n"
	    "# HELP batchstatus_notifications_total Notifications, by what "
	    "became of them: sent (a target accepted it), retried (a try "
	    "failed and is made again), failed (given up).\n"
	    "# TYPE batchstatus_notifications_total counter\n"
	    "batchstatus_notifications_total{result=\"sent\"} %ld\n"
	    "batchstatus_notifications_total{result=\"retried\"} %ld\n"
	    "batchstatus_notifications_total{result=\"failed\"} %ld\n",
	    followed, started, sent, retried, failed);
}
