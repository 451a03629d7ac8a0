/* test_cache.c: many waiting requests for one batch make one call; finished batches are kept, running ones briefly, errors never; 429 pauses calls; held answers stand in for failed calls; admission. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "clock.h"
#include "t.h"

static int	calls;		/* fills started */
static int	admit_ok = 1;	/* what admit answers */

static int
admit(void *arg)
{
	(void)arg;
	return admit_ok;
}

/* Parses body into b (the batch an upstream call would bring). */
/* cache_fill_done with a batch, as the fetch hands one over: what the cache refuses is freed. */
static struct cache_waiter *
fill_done(struct cache *c, struct cache_entry *fill, enum bs_error err,
    struct batch *b, uint64_t hash, long retry_after, int64_t now)
{
	struct resource		 r;
	struct cache_waiter	*list;

	memset(&r, 0, sizeof(r));
	r.batch = *b;
	memset(b, 0, sizeof(*b));
	list = cache_fill_done(c, fill, err, &r, hash, retry_after, now);
	resource_free(&r);
	return list;
}

static struct batch
parsed(const char *body)
{
	struct batch	 b;
	char		 err[64];

	CHECK(batch_parse(body, strlen(body), BATCH_MAX_DEVICES_DEFAULT, &b, err,
	    sizeof(err)) == BATCH_OK);
	return b;
}

/*
 * One request for key, as the server makes it: answered at once, or it
 * makes the call (which answers with body, or fails with err) and gets
 * the outcome with everyone who waited.
 */
static enum bs_error
get(struct cache *c, const char *key, const char *body, enum bs_error err,
    long retry_after, enum metric_cache *how)
{
	struct cache_waiter	 w, *list;
	struct cache_result	 r;
	struct cache_entry	*fill;
	struct batch		 b;
	enum bs_error		 e;

	switch (cache_lookup(c, key, clock_ms(), &w, admit, NULL, &r, &fill)) {
	case CACHE_READY:
		break;
	case CACHE_FULL:
		*how = r.how;
		return BS_ERR_BUSY;
	case CACHE_WAIT:
		CHECK(!"nobody else is calling");
		return BS_ERR_INTERNAL;
	case CACHE_FILL:
		calls++;
		memset(&b, 0, sizeof(b));
		if (body != NULL)
			b = parsed(body);
		list = fill_done(c, fill, body != NULL ? BS_OK : err, &b,
		    42, retry_after, clock_ms());
		CHECK(list == &w && w.next == NULL);
		r = w.result;
		break;
	}
	e = r.err;
	*how = r.how;
	if (e == BS_OK)
		CHECK(r.batch != NULL && r.hash != 0);
	cache_release(c, &r);
	return e;
}

/* A cache with these options, and the counters and admission from the start. */
static struct cache *
cache_with(const struct cache_opts *o)
{
	calls = 0;
	admit_ok = 1;
	return cache_new(o);
}

/* The server's kind of times: finished 60 s, running 0.3 s. */
static struct cache *
fresh_cache(void)
{
	struct cache_opts o = { 60000, 300, 1 << 20, 0, { 0 } };

	return cache_with(&o);
}

/* Finished batches (batch.c's table says which, in any case) are kept long; the rest briefly. */
static void
test_finished_statuses_are_final(void)
{
	struct cache_opts	 o = { 60000, 3000, 1 << 20, 0, { 0 } };
	struct cache		*c = cache_with(&o);

	CHECK(cache_keep_seconds(c, "finished") == 60);
	CHECK(cache_keep_seconds(c, "FINISHED_WITH_ERRORS") == 60);
	CHECK(cache_keep_seconds(c, "processing") == 3);
	CHECK(cache_keep_seconds(c, "archived") == 3);
	cache_free(c);
}

static void
test_one_call_for_a_crowd(void)
{
	struct cache		*c = fresh_cache();
	struct cache_waiter	 w[50], *list, *x;
	struct cache_result	 r;
	struct cache_entry	*fill = NULL, *f;
	struct batch		 b;
	int			 i, waits = 0, n = 0, ok = 0, coalesced = 0;

	for (i = 0; i < 50; i++)
		switch (cache_lookup(c, "c/t", clock_ms(), &w[i], admit, NULL,
		    &r, &f)) {
		case CACHE_FILL:
			CHECK(fill == NULL && i == 0);
			fill = f;
			break;
		case CACHE_WAIT:
			waits++;
			break;
		default:
			CHECK(!"a crowd waits");
		}
	CHECK(fill != NULL && waits == 49);
	b = parsed("{\"status\":\"processing\"}");
	list = fill_done(c, fill, BS_OK, &b, 7, -1, clock_ms());
	CHECK(b.arena == NULL);	/* moved into the cache */
	for (x = list; x != NULL; x = x->next) {
		n++;
		ok += x->result.err == BS_OK && x->result.batch != NULL &&
		    strcmp(x->result.batch->status, "processing") == 0;
		coalesced += x->result.how == MC_COALESCED;
	}
	/* In the order they came: the first made the call. */
	CHECK(list == &w[0] && w[0].result.how == MC_MISS);
	CHECK(n == 50 && ok == 50 && coalesced == 49);
	for (i = 0; i < 50; i++)
		cache_release(c, &w[i].result);
	cache_free(c);
}

/* A running batch is kept 0.3 s, a finished one 60 s. */
static void
test_running_kept_briefly_finished_kept(void)
{
	struct cache		*c = fresh_cache();
	enum metric_cache	 how;

	CHECK(get(c, "c/t", "{\"status\":\"processing\"}", BS_OK, -1, &how) ==
	    BS_OK && how == MC_MISS && calls == 1);
	CHECK(get(c, "c/t", NULL, BS_OK, -1, &how) == BS_OK && how == MC_HIT);
	usleep(400 * 1000);
	CHECK(get(c, "c/t", "{\"status\":\"processing\"}", BS_OK, -1, &how) ==
	    BS_OK && how == MC_MISS && calls == 2);
	CHECK(get(c, "c/f", "{\"status\":\"Finished\"}", BS_OK, -1, &how) ==
	    BS_OK && how == MC_MISS && calls == 3);
	usleep(400 * 1000);
	CHECK(get(c, "c/f", NULL, BS_OK, -1, &how) == BS_OK && how == MC_HIT &&
	    calls == 3);
	cache_free(c);
}

static void
test_errors_are_not_kept(void)
{
	struct cache		*c = fresh_cache();
	enum metric_cache	 how;

	CHECK(get(c, "c/e", NULL, BS_ERR_UPSTREAM_STATUS, -1, &how) ==
	    BS_ERR_UPSTREAM_STATUS && calls == 1);
	CHECK(get(c, "c/e", NULL, BS_ERR_UPSTREAM_STATUS, -1, &how) ==
	    BS_ERR_UPSTREAM_STATUS && calls == 2);
	cache_free(c);
}

static void
test_a_429_pauses_every_call(void)
{
	struct cache		*c = fresh_cache();
	struct cache_waiter	 w;
	struct cache_result	 r;
	struct cache_entry	*fill;
	enum metric_cache	 how;

	CHECK(get(c, "c/f", "{\"status\":\"Finished\"}", BS_OK, -1, &how) ==
	    BS_OK && calls == 1);
	CHECK(get(c, "c/x", NULL, BS_ERR_THROTTLED, 2, &how) ==
	    BS_ERR_THROTTLED && calls == 2);
	CHECK(get(c, "c/y", NULL, BS_OK, -1, &how) == BS_ERR_THROTTLED &&
	    how == MC_THROTTLED && calls == 2);
	CHECK(cache_lookup(c, "c/y", clock_ms(), &w, admit, NULL, &r, &fill) ==
	    CACHE_READY);
	CHECK(r.retry_after >= 1 && r.retry_after <= 2);
	cache_release(c, &r);
	/* What is kept still serves. */
	CHECK(get(c, "c/f", NULL, BS_OK, -1, &how) == BS_OK && how == MC_HIT);
	usleep(2100 * 1000);
	CHECK(get(c, "c/y", "{\"status\":\"finished\"}", BS_OK, -1, &how) ==
	    BS_OK && how == MC_MISS && calls == 3);
	cache_free(c);
}

static void
test_admission_refused_starts_nothing(void)
{
	struct cache		*c = fresh_cache();
	struct cache_waiter	 w;
	struct cache_result	 r;
	struct cache_entry	*fill;
	enum metric_cache	 how;

	CHECK(get(c, "c/f", "{\"status\":\"Finished\"}", BS_OK, -1, &how) ==
	    BS_OK && how == MC_MISS);
	admit_ok = 0;
	CHECK(cache_lookup(c, "c/new", clock_ms(), &w, admit, NULL, &r, &fill) ==
	    CACHE_FULL && fill == NULL);
	/* A kept batch needs no waiting: admission is not asked. */
	CHECK(get(c, "c/f", NULL, BS_OK, -1, &how) == BS_OK && how == MC_HIT);
	admit_ok = 1;
	CHECK(get(c, "c/new", "{\"status\":\"finished\"}", BS_OK, -1, &how) ==
	    BS_OK && how == MC_MISS);
	/* Joining a call in flight is admitted too. */
	CHECK(cache_lookup(c, "c/fly", clock_ms(), &w, admit, NULL, &r, &fill) ==
	    CACHE_FILL);
	admit_ok = 0;
	{
		struct cache_waiter	 w2;
		struct cache_entry	*f2;

		CHECK(cache_lookup(c, "c/fly", clock_ms(), &w2, admit, NULL, &r,
		    &f2) == CACHE_FULL);
	}
	admit_ok = 1;
	{
		struct batch b;

		memset(&b, 0, sizeof(b));
		CHECK(fill_done(c, fill, BS_ERR_TIMEOUT, &b, 0, -1,
		    clock_ms()) == &w);
		cache_release(c, &w.result);
	}
	cache_free(c);
}

/* Old batches go first; one larger than the bound is not kept. */
static void
test_memory_bound(void)
{
	struct cache_opts	 o = { 60000, 300, 500000, 0, { 0 } };
	struct cache		*c;
	static char		 big[300000];
	enum metric_cache	 how;
	long			 entries, bytes, ev;
	size_t			 n;

	/* Each holds ~216 KB. */
	c = cache_with(&o);
	n = (size_t)snprintf(big, sizeof(big), "{\"status\":\"finished\","
	    "\"devicesStatus\":[{\"serialNumber\":\"");
	memset(big + n, 'x', 150000);
	strcpy(big + n + 150000, "\"}]}");
	CHECK(get(c, "k/1", big, BS_OK, -1, &how) == BS_OK);
	CHECK(get(c, "k/2", big, BS_OK, -1, &how) == BS_OK);
	CHECK(get(c, "k/1", big, BS_OK, -1, &how) == BS_OK && how == MC_HIT);
	CHECK(get(c, "k/3", big, BS_OK, -1, &how) == BS_OK);	/* evicts k/2 */
	cache_stats(c, &entries, &bytes, &ev);
	CHECK(entries == 2 && ev == 1 && bytes > 400000 && bytes <= 500000);
	CHECK(get(c, "k/1", big, BS_OK, -1, &how) == BS_OK && how == MC_HIT);
	CHECK(get(c, "k/2", big, BS_OK, -1, &how) == BS_OK && how == MC_MISS);
	cache_free(c);
	o.max_bytes = 1000;
	c = cache_new(&o);
	CHECK(get(c, "k/1", big, BS_OK, -1, &how) == BS_OK && how == MC_MISS);
	CHECK(get(c, "k/1", big, BS_OK, -1, &how) == BS_OK && how == MC_MISS);
	cache_stats(c, &entries, &bytes, &ev);
	CHECK(entries == 0 && bytes == 0);
	cache_free(c);
}

static void
test_cache_off_still_one_call_for_a_crowd(void)
{
	struct cache_opts	 o = { 0, 0, 1 << 20, 0, { 0 } };
	struct cache		*c = cache_with(&o);
	struct cache_waiter	 w[3];
	struct cache_result	 r;
	struct cache_entry	*fill, *f;
	struct batch		 b;
	enum metric_cache	 how;
	int			 i;

	CHECK(cache_lookup(c, "c/t", clock_ms(), &w[0], admit, NULL, &r,
	    &fill) == CACHE_FILL);
	for (i = 1; i < 3; i++)
		CHECK(cache_lookup(c, "c/t", clock_ms(), &w[i], admit, NULL, &r,
		    &f) == CACHE_WAIT);
	b = parsed("{\"status\":\"processing\"}");
	CHECK(fill_done(c, fill, BS_OK, &b, 1, -1, clock_ms()) == &w[0]);
	for (i = 0; i < 3; i++) {
		CHECK(w[i].result.batch != NULL);
		cache_release(c, &w[i].result);
	}
	CHECK(get(c, "c/t", "{\"status\":\"finished\"}", BS_OK, -1, &how) ==
	    BS_OK && how == MC_MISS);
	cache_free(c);
}

/*
 * One request for key at now (ms), as get() but on a clock the test
 * holds, leaving the result for the test to read (release it).
 */
static enum cache_step
get_at(struct cache *c, const char *key, const char *status, enum bs_error err,
    long retry_after, int64_t now, struct cache_result *r)
{
	struct cache_waiter	 w;
	struct cache_entry	*fill;
	struct batch		 b;
	char			 body[64];
	enum cache_step		 step;

	step = cache_lookup(c, key, now, &w, admit, NULL, r, &fill);
	if (step != CACHE_FILL)
		return step;
	calls++;
	memset(&b, 0, sizeof(b));
	if (status != NULL) {
		snprintf(body, sizeof(body), "{\"status\":\"%s\"}", status);
		b = parsed(body);
		b.fetched_at = now / 1000;
	}
	CHECK(fill_done(c, fill, status != NULL ? BS_OK : err, &b, 7,
	    retry_after, now) == &w);
	*r = w.result;
	return CACHE_FILL;
}

static struct cache *
stale_cache(void)
{
	struct cache_opts o = { 600000, 5000, 1 << 20, 3600000, { 0 } };

	return cache_with(&o);
}

static void
test_a_failed_refresh_answers_what_was_held(void)
{
	struct cache		*c = stale_cache();
	struct cache_result	 r;

	CHECK(get_at(c, "c/run", "processing", BS_OK, -1, 1000, &r) == CACHE_FILL);
	CHECK(r.err == BS_OK && r.stale == BS_OK);
	cache_release(c, &r);
	/* Expired: the refresh fails with a 5xx, and the held answer stands in. */
	CHECK(get_at(c, "c/run", NULL, BS_ERR_UPSTREAM_STATUS, -1, 7000, &r) ==
	    CACHE_FILL && calls == 2);
	CHECK(r.err == BS_OK && r.batch != NULL && r.stale ==
	    BS_ERR_UPSTREAM_STATUS && r.batch->fetched_at == 1);
	/* A running batch is asked again as often as it is kept (5 s). */
	CHECK(r.retry_after == 5);
	cache_release(c, &r);
	/* Until then nobody calls: the held answer, marked, at once. */
	CHECK(get_at(c, "c/run", NULL, BS_OK, -1, 8000, &r) == CACHE_READY &&
	    calls == 2);
	CHECK(r.err == BS_OK && r.how == MC_STALE && r.stale ==
	    BS_ERR_UPSTREAM_STATUS && r.retry_after == 4);
	cache_release(c, &r);
	/* Then one call again; its answer is fresh. */
	CHECK(get_at(c, "c/run", "finished", BS_OK, -1, 12001, &r) ==
	    CACHE_FILL && calls == 3);
	CHECK(r.err == BS_OK && r.stale == BS_OK);
	cache_release(c, &r);
	CHECK(get_at(c, "c/run", NULL, BS_OK, -1, 13000, &r) == CACHE_READY &&
	    r.how == MC_HIT && r.stale == BS_OK);
	cache_release(c, &r);
	cache_free(c);
}

static void
test_a_429_answers_what_was_held_until_the_pause_ends(void)
{
	struct cache		*c = stale_cache();
	struct cache_result	 r;

	CHECK(get_at(c, "c/fin", "finished", BS_OK, -1, 1000, &r) == CACHE_FILL);
	cache_release(c, &r);
	CHECK(get_at(c, "c/fin", NULL, BS_ERR_THROTTLED, 60, 700000, &r) ==
	    CACHE_FILL);
	CHECK(r.err == BS_OK && r.stale == BS_ERR_THROTTLED &&
	    r.retry_after == 60);
	cache_release(c, &r);
	/* The pause is partner-wide: a batch held answers stale, one not held gets the pause. */
	CHECK(get_at(c, "c/fin", NULL, BS_OK, -1, 710000, &r) == CACHE_READY);
	CHECK(r.err == BS_OK && r.stale == BS_ERR_THROTTLED &&
	    r.retry_after == 50 && r.how == MC_STALE);
	cache_release(c, &r);
	CHECK(get_at(c, "c/other", NULL, BS_OK, -1, 710000, &r) == CACHE_READY);
	CHECK(r.err == BS_ERR_THROTTLED && r.batch == NULL &&
	    r.retry_after == 50 && r.how == MC_THROTTLED && calls == 2);
	cache_release(c, &r);
	cache_free(c);
}

static void
test_too_old_or_gone_is_not_answered(void)
{
	struct cache		*c = stale_cache();
	struct cache_result	 r;
	long			 entries, bytes, ev;

	CHECK(get_at(c, "c/old", "finished", BS_OK, -1, 1000, &r) == CACHE_FILL);
	cache_release(c, &r);
	/* Older than stale_ms (1 h): the failure is the answer, and nothing is held any more. */
	CHECK(get_at(c, "c/old", NULL, BS_ERR_TIMEOUT, -1, 3601001, &r) ==
	    CACHE_FILL);
	CHECK(r.err == BS_ERR_TIMEOUT && r.batch == NULL);
	cache_release(c, &r);
	cache_stats(c, &entries, &bytes, &ev);
	CHECK(entries == 0 && bytes == 0);
	/* A 404 means the batch is gone: what was held goes with it. */
	CHECK(get_at(c, "c/gone", "processing", BS_OK, -1, 1000, &r) ==
	    CACHE_FILL);
	cache_release(c, &r);
	CHECK(get_at(c, "c/gone", NULL, BS_ERR_NO_SUCH_BATCH, -1, 7000, &r) ==
	    CACHE_FILL && r.err == BS_ERR_NO_SUCH_BATCH);
	cache_release(c, &r);
	CHECK(get_at(c, "c/gone", NULL, BS_ERR_UPSTREAM_STATUS, -1, 8000, &r) ==
	    CACHE_FILL && r.err == BS_ERR_UPSTREAM_STATUS);
	cache_release(c, &r);
	/* Rejected credentials are not a passing failure: no stand-in. */
	CHECK(get_at(c, "c/cred", "processing", BS_OK, -1, 1000, &r) ==
	    CACHE_FILL);
	cache_release(c, &r);
	CHECK(get_at(c, "c/cred", NULL, BS_ERR_CREDENTIALS, -1, 7000, &r) ==
	    CACHE_FILL && r.err == BS_ERR_CREDENTIALS && r.batch == NULL);
	cache_release(c, &r);
	cache_free(c);
}

static void
test_busy_answers_what_was_held(void)
{
	struct cache		*c = stale_cache();
	struct cache_result	 r;

	CHECK(get_at(c, "c/b", "processing", BS_OK, -1, 1000, &r) == CACHE_FILL);
	cache_release(c, &r);
	admit_ok = 0;
	CHECK(get_at(c, "c/b", NULL, BS_OK, -1, 7000, &r) == CACHE_READY);
	CHECK(r.err == BS_OK && r.stale == BS_ERR_BUSY && r.how == MC_STALE);
	cache_release(c, &r);
	CHECK(get_at(c, "c/none", NULL, BS_OK, -1, 7000, &r) == CACHE_FULL);
	admit_ok = 1;
	cache_free(c);
}

static void
test_a_smaller_bound_evicts_at_once(void)
{
	struct cache_opts	 o = { 600000, 5000, 1 << 20, 3600000, { 0 } };
	struct cache		*c = cache_with(&o);
	struct cache_result	 r;
	long			 entries, bytes, ev;

	CHECK(get_at(c, "c/1", "finished", BS_OK, -1, 1000, &r) == CACHE_FILL);
	cache_release(c, &r);
	CHECK(get_at(c, "c/2", "finished", BS_OK, -1, 1000, &r) == CACHE_FILL);
	cache_release(c, &r);
	cache_stats(c, &entries, &bytes, &ev);
	CHECK(entries == 2 && ev == 0);
	o.max_bytes = bytes / 2 + 1;
	cache_set_opts(c, &o);
	cache_stats(c, &entries, &bytes, &ev);
	CHECK(entries == 1 && ev == 1);
	/* The most recent stays. */
	CHECK(get_at(c, "c/2", NULL, BS_OK, -1, 2000, &r) == CACHE_READY &&
	    r.how == MC_HIT);
	cache_release(c, &r);
	cache_free(c);
}

int
main(void)
{
	T_RUN(test_finished_statuses_are_final);
	T_RUN(test_one_call_for_a_crowd);
	T_RUN(test_running_kept_briefly_finished_kept);
	T_RUN(test_errors_are_not_kept);
	T_RUN(test_a_429_pauses_every_call);
	T_RUN(test_admission_refused_starts_nothing);
	T_RUN(test_memory_bound);
	T_RUN(test_cache_off_still_one_call_for_a_crowd);
	T_RUN(test_a_failed_refresh_answers_what_was_held);
	T_RUN(test_a_429_answers_what_was_held_until_the_pause_ends);
	T_RUN(test_too_old_or_gone_is_not_answered);
	T_RUN(test_busy_answers_what_was_held);
	T_RUN(test_a_smaller_bound_evicts_at_once);
	return t_done("test_cache");
}
