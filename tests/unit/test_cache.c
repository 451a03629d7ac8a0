/* test_cache.c: many waiting requests for one batch make one call; finished batches are kept, running ones briefly, errors never; 429 pauses calls; admission. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "clock.h"
#include "t.h"

static int	calls;		/* fills started */
static int	admit_ok = 1;	/* what admit answers */
static int	admitted;

static int
admit(void *arg)
{
	(void)arg;
	admitted += admit_ok;
	return admit_ok;
}

/* Parses body into b (the batch an upstream call would bring). */
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
		list = cache_fill_done(c, fill, body != NULL ? BS_OK : err, &b,
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

static void
one_call_for_a_crowd(struct cache *c)
{
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
	list = cache_fill_done(c, fill, BS_OK, &b, 7, -1, clock_ms());
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
}

static void
running_kept_briefly_finished_kept(struct cache *c)
{
	enum metric_cache how;

	CHECK(get(c, "c/t", NULL, BS_OK, -1, &how) == BS_OK && how == MC_HIT);
	usleep(400 * 1000);
	CHECK(get(c, "c/t", "{\"status\":\"processing\"}", BS_OK, -1, &how) ==
	    BS_OK && how == MC_MISS && calls == 1);
	CHECK(get(c, "c/f", "{\"status\":\"Finished\"}", BS_OK, -1, &how) ==
	    BS_OK && how == MC_MISS && calls == 2);
	usleep(400 * 1000);
	CHECK(get(c, "c/f", NULL, BS_OK, -1, &how) == BS_OK && how == MC_HIT &&
	    calls == 2);
}

static void
errors_are_not_kept(struct cache *c)
{
	enum metric_cache how;

	CHECK(get(c, "c/e", NULL, BS_ERR_UPSTREAM_STATUS, -1, &how) ==
	    BS_ERR_UPSTREAM_STATUS && calls == 3);
	CHECK(get(c, "c/e", NULL, BS_ERR_UPSTREAM_STATUS, -1, &how) ==
	    BS_ERR_UPSTREAM_STATUS && calls == 4);
}

static void
a_429_pauses_every_call(struct cache *c)
{
	struct cache_waiter	 w;
	struct cache_result	 r;
	struct cache_entry	*fill;
	enum metric_cache	 how;

	CHECK(get(c, "c/x", NULL, BS_ERR_THROTTLED, 2, &how) ==
	    BS_ERR_THROTTLED && calls == 5);
	CHECK(get(c, "c/y", NULL, BS_OK, -1, &how) == BS_ERR_THROTTLED &&
	    how == MC_THROTTLED && calls == 5);
	CHECK(cache_lookup(c, "c/y", clock_ms(), &w, admit, NULL, &r, &fill) ==
	    CACHE_READY);
	CHECK(r.retry_after >= 1 && r.retry_after <= 2);
	cache_release(c, &r);
	/* What is kept still serves. */
	CHECK(get(c, "c/f", NULL, BS_OK, -1, &how) == BS_OK && how == MC_HIT);
	usleep(2100 * 1000);
	CHECK(get(c, "c/y", "{\"status\":\"finished\"}", BS_OK, -1, &how) ==
	    BS_OK && how == MC_MISS && calls == 6);
}

static void
admission_refused_starts_nothing(struct cache *c)
{
	struct cache_waiter	 w;
	struct cache_result	 r;
	struct cache_entry	*fill;
	enum metric_cache	 how;

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
		CHECK(cache_fill_done(c, fill, BS_ERR_TIMEOUT, &b, 0, -1,
		    clock_ms()) == &w);
		cache_release(c, &w.result);
	}
}

static void
memory_bound(void)
{
	struct cache_opts	 o = { 60000, 300, 500000 };
	struct cache		*c = cache_new(&o);
	static char		 big[300000];
	enum metric_cache	 how;
	long			 entries, bytes, ev;
	size_t			 n;

	/* Old batches go first; one larger than the bound is not kept. Each holds ~216 KB. */
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
cache_off_still_one_call_for_a_crowd(void)
{
	struct cache_opts	 o = { 0, 0, 1 << 20 };
	struct cache		*c = cache_new(&o);
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
	CHECK(cache_fill_done(c, fill, BS_OK, &b, 1, -1, clock_ms()) == &w[0]);
	for (i = 0; i < 3; i++) {
		CHECK(w[i].result.batch != NULL);
		cache_release(c, &w[i].result);
	}
	CHECK(get(c, "c/t", "{\"status\":\"finished\"}", BS_OK, -1, &how) ==
	    BS_OK && how == MC_MISS);
	cache_free(c);
}

int
main(void)
{
	struct cache_opts	 o = { 60000, 300, 1 << 20 };
	struct cache		*c = cache_new(&o);

	CHECK(cache_is_final("finished") && cache_is_final("FINISHED_WITH_ERRORS"));
	CHECK(!cache_is_final("processing") && !cache_is_final(""));
	one_call_for_a_crowd(c);
	running_kept_briefly_finished_kept(c);
	errors_are_not_kept(c);
	a_429_pauses_every_call(c);
	admission_refused_starts_nothing(c);
	cache_free(c);
	memory_bound();
	cache_off_still_one_call_for_a_crowd();
	return t_done("test_cache");
}
