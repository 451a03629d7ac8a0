/* test_cache.c: many requests for one batch make one call; finished batches are kept, running ones briefly, errors never; 429 pauses calls. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "t.h"

static int		 calls;		/* fill calls made, under lock */
static pthread_mutex_t	 calls_lock = PTHREAD_MUTEX_INITIALIZER;
static const char	*answer;	/* the body fill parses; NULL: fail */
static enum bs_error	 fail_with;
static long		 fill_sleep_ms;

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static enum bs_error
fill(void *arg, struct batch *out, uint64_t *hash, long *retry_after)
{
	char err[64];

	(void)arg;
	pthread_mutex_lock(&calls_lock);
	calls++;
	pthread_mutex_unlock(&calls_lock);
	if (fill_sleep_ms > 0)
		usleep((useconds_t)fill_sleep_ms * 1000);
	*hash = 42;
	if (answer == NULL) {
		if (fail_with == BS_ERR_THROTTLED)
			*retry_after = 2;
		return fail_with;
	}
	return batch_parse(answer, strlen(answer), BATCH_MAX_DEVICES_DEFAULT, out,
	    err, sizeof(err)) == BATCH_OK ?
	    BS_OK : BS_ERR_BAD_BODY;
}

struct viewer {
	struct cache		*c;
	struct cache_result	 r;
	int			 ok;
};

static void *
view(void *arg)
{
	struct viewer *v = arg;

	cache_get(v->c, "c/t", now_ms(), fill, NULL, &v->r);
	v->ok = v->r.err == BS_OK && v->r.batch != NULL &&
	    strcmp(v->r.batch->status, "processing") == 0;
	return NULL;
}

static enum bs_error
get(struct cache *c, const char *key, enum metric_cache *how)
{
	struct cache_result	 r;
	enum bs_error		 e;

	cache_get(c, key, now_ms(), fill, NULL, &r);
	e = r.err;
	*how = r.how;
	cache_release(c, &r);
	return e;
}

int
main(void)
{
	struct cache_opts	 o = { 60000, 300, 1 << 20, 3000 };
	struct cache		*c = cache_new(&o);
	struct viewer		 v[50];
	pthread_t		 th[50];
	enum metric_cache	 how;
	long			 entries, bytes, ev;
	int			 i, all_ok = 1, coalesced = 0;
	static char		 big[300000];
	size_t			 n;

	CHECK(cache_is_final("finished") && cache_is_final("FINISHED_WITH_ERRORS"));
	CHECK(!cache_is_final("processing") && !cache_is_final(""));

	/* 50 concurrent viewers of one batch: one call, everyone gets its answer. */
	answer = "{\"status\":\"processing\"}";
	fill_sleep_ms = 200;
	for (i = 0; i < 50; i++) {
		v[i].c = c;
		pthread_create(&th[i], NULL, view, &v[i]);
	}
	for (i = 0; i < 50; i++) {
		pthread_join(th[i], NULL);
		all_ok &= v[i].ok;
		coalesced += v[i].r.how == MC_COALESCED;
		cache_release(c, &v[i].r);
	}
	CHECK(calls == 1);
	CHECK(all_ok);
	CHECK(coalesced == 49);
	fill_sleep_ms = 0;

	/* A running batch is kept briefly, then fetched again. */
	CHECK(get(c, "c/t", &how) == BS_OK && how == MC_HIT && calls == 1);
	usleep(400 * 1000);
	CHECK(get(c, "c/t", &how) == BS_OK && how == MC_MISS && calls == 2);

	/* A finished one stays. */
	answer = "{\"status\":\"Finished\"}";
	CHECK(get(c, "c/f", &how) == BS_OK && how == MC_MISS && calls == 3);
	usleep(400 * 1000);
	CHECK(get(c, "c/f", &how) == BS_OK && how == MC_HIT && calls == 3);

	/* Errors are not kept. */
	answer = NULL;
	fail_with = BS_ERR_UPSTREAM_STATUS;
	CHECK(get(c, "c/e", &how) == BS_ERR_UPSTREAM_STATUS && calls == 4);
	CHECK(get(c, "c/e", &how) == BS_ERR_UPSTREAM_STATUS && calls == 5);

	/* A 429 stops every call until Retry-After has passed; the cache still serves. */
	fail_with = BS_ERR_THROTTLED;
	CHECK(get(c, "c/x", &how) == BS_ERR_THROTTLED && calls == 6);
	CHECK(get(c, "c/y", &how) == BS_ERR_THROTTLED && how == MC_THROTTLED &&
	    calls == 6);
	{
		struct cache_result r;

		cache_get(c, "c/y", now_ms(), fill, NULL, &r);
		CHECK(r.retry_after >= 1 && r.retry_after <= 2);
		cache_release(c, &r);
	}
	CHECK(get(c, "c/f", &how) == BS_OK && how == MC_HIT);
	usleep(2100 * 1000);
	answer = "{\"status\":\"finished\"}";
	CHECK(get(c, "c/y", &how) == BS_OK && how == MC_MISS && calls == 7);
	cache_free(c);

	/* The memory bound: old batches go first; one larger than the bound is not kept. Each holds ~216 KB. */
	o.max_bytes = 500000;
	c = cache_new(&o);
	n = (size_t)snprintf(big, sizeof(big), "{\"status\":\"finished\","
	    "\"devicesStatus\":[{\"serialNumber\":\"");
	memset(big + n, 'x', 150000);
	strcpy(big + n + 150000, "\"}]}");
	answer = big;
	calls = 0;
	CHECK(get(c, "k/1", &how) == BS_OK);
	CHECK(get(c, "k/2", &how) == BS_OK);
	CHECK(get(c, "k/1", &how) == BS_OK && how == MC_HIT);	/* k/1 now most recent */
	CHECK(get(c, "k/3", &how) == BS_OK);	/* evicts k/2 */
	cache_stats(c, &entries, &bytes, &ev);
	CHECK(entries == 2 && ev == 1 && bytes > 400000 && bytes <= 500000);
	CHECK(get(c, "k/1", &how) == BS_OK && how == MC_HIT);
	CHECK(get(c, "k/2", &how) == BS_OK && how == MC_MISS);
	cache_free(c);
	o.max_bytes = 1000;
	c = cache_new(&o);
	CHECK(get(c, "k/1", &how) == BS_OK && how == MC_MISS);
	CHECK(get(c, "k/1", &how) == BS_OK && how == MC_MISS);
	cache_stats(c, &entries, &bytes, &ev);
	CHECK(entries == 0 && bytes == 0);
	cache_free(c);

	/* Cache off (both times 0): still one call for a crowd, nothing kept. */
	o.finished_ms = o.running_ms = 0;
	o.max_bytes = 1 << 20;
	c = cache_new(&o);
	answer = "{\"status\":\"processing\"}";
	fill_sleep_ms = 200;
	calls = 0;
	for (i = 0; i < 20; i++) {
		v[i].c = c;
		pthread_create(&th[i], NULL, view, &v[i]);
	}
	for (i = 0; i < 20; i++) {
		pthread_join(th[i], NULL);
		cache_release(c, &v[i].r);
	}
	CHECK(calls == 1);
	fill_sleep_ms = 0;
	CHECK(get(c, "c/t", &how) == BS_OK && how == MC_MISS && calls == 2);
	cache_free(c);
	return t_done("test_cache");
}
