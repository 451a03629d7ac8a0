/* test_fetch.c: parked requests and their batch: one call for a crowd, one deadline over sign-in + call + retry, the one retry (after a refused token only), the device limit, admission. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "fetch.h"
#include "t.h"
#include "tfetch.h"
#include "tserver.h"

#define C	"47021739-3426-40bf-9601-61b4b6d7c793"
#define BATCH	"{\"batchTrackingId\":\"x\",\"status\":\"finished\"," \
    "\"devicesStatus\":[{\"serialNumber\":\"a\"},{\"serialNumber\":\"b\"}," \
    "{\"serialNumber\":\"c\"}]}"

/* What the fake Partner Center and sign-in do; read by the server's threads. */
static long	pc_delay_ms, signin_delay_ms;
static int	pc_silent;		/* the batch call never answers */
static int	signins;		/* tokens handed out */
static char	answers[2][2048];

static const char *
answer(int which, const char *status, const char *body)
{
	tserver_write(answers[which], sizeof(answers[which]), "HTTP/1.1 %s\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
	    status, strlen(body), body);
	return answers[which];
}

static const char *
serve(const char *req, long *delay_ms)
{
	static __thread char	 mine[2048];
	char			 body[256];

	if (strncmp(req, "POST /tenant/oauth2/token", 25) == 0) {
		int n = __atomic_add_fetch(&signins, 1, __ATOMIC_RELAXED);

		*delay_ms = TGET(signin_delay_ms);
		snprintf(body, sizeof(body), "{\"token_type\":\"Bearer\","
		    "\"expires_in\":3599,\"access_token\":\"tok-%d\"}", n);
		snprintf(mine, sizeof(mine), "HTTP/1.1 200 OK\r\nContent-Type: "
		    "application/json\r\nContent-Length: %zu\r\n\r\n%s",
		    strlen(body), body);
		return mine;
	}
	*delay_ms = TGET(pc_delay_ms);
	if (TGET(pc_silent))
		return NULL;
	/* The first token is refused, as after a revocation. */
	if (strstr(req, "/batchJobStatus/40100000-") != NULL &&
	    strstr(req, "Bearer tok-1\r\n") != NULL)
		return "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n";
	/* Every token refused, as when the app lacks a permission. */
	if (strstr(req, "/batchJobStatus/40100001-") != NULL)
		return "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n";
	/* The first token refused late (600 ms), the retry never answered. */
	if (strstr(req, "/batchJobStatus/40100002-") != NULL) {
		if (strstr(req, "Bearer tok-1\r\n") == NULL)
			return NULL;
		*delay_ms = 600;
		return "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n";
	}
	if (strstr(req, "/batchJobStatus/50300000-") != NULL)
		return "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n";
	if (strstr(req, "/batchJobStatus/40400000-") != NULL)
		return "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
	return answers[0];
}

/* A request parked for its batch, and the test waiting for it. */
struct req {
	struct fetch_waiter	 w;
	struct cache_result	 r;
	int			 done, parked;
	int64_t			 took_ms, t0;
};

static pthread_mutex_t	mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	cv = PTHREAD_COND_INITIALIZER;

static void
resumed(struct fetch_waiter *w)
{
	struct req *q = (struct req *)(void *)w;

	pthread_mutex_lock(&mu);
	q->r = w->cw.result;
	q->took_ms = clock_ms() - q->t0;
	q->done = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

static void
ask(struct fetch_ctx *ctx, struct req *q, const char *tracking)
{
	memset(q, 0, sizeof(*q));
	q->w.resume = resumed;
	q->t0 = clock_ms();
	if (fetch_get(ctx, C, tracking, "aaaa0000-bb11-2222-33cc-444444dddddd",
	    &q->w, &q->r) == FETCH_PARKED)
		q->parked = 1;
	else {
		q->done = 1;
		q->took_ms = clock_ms() - q->t0;
	}
}

static void
wait_for(struct req *q)
{
	pthread_mutex_lock(&mu);
	while (!q->done)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
}

static struct fetch_ctx		 ctx;
static struct token_source	*tokens;
static const char		 secret[] = "/tmp/bs-fetch-secret";

/* A fresh client-credentials source signing in at the fake, for ctx. */
static void
signin_tokens(void)
{
	static char		 url[96];
	struct token_opts	 o;

	memset(&o, 0, sizeof(o));
	o.kind = TOKEN_APP;
	o.client_secret_file = secret;
	snprintf(url, sizeof(url), "%s/tenant/oauth2/token", ctx.up.base_url);
	o.signin.token_url = url;
	o.signin.client_id = "client";
	o.signin.timeout_ms = 3000;
	tokens = token_source_new(&o);
	token_source_start(tokens, ctx.loop, ctx.cpu);
	ctx.tokens = tokens;
}

/*
 * Each test's own serving context (cache, pool, loop) and a fresh sign-in
 * source, against the one fake (started by the first test; it holds
 * nothing but the knobs, reset here, and the sign-in count, from 0 here
 * so the first token is tok-1). The deadline is 1000 ms.
 */
static void
up(void)
{
	struct cache_opts	 co = { 60000, 0, 1 << 20, 0, { 60000, 60000, 60000, 60000 } };
	static char		 base[64];
	static int		 port;
	FILE			*f;

	umask(077);
	f = fopen(secret, "w");
	fputs("unit-test-secret\n", f);
	fclose(f);
	answer(0, "200 OK", BATCH);
	CHECK(pc_http_global_init() == 0);
	if (port == 0)
		CHECK((port = tserver_start(serve)) > 0);
	TSET(pc_delay_ms, 0);
	TSET(signin_delay_ms, 0);
	TSET(pc_silent, 0);
	__atomic_store_n(&signins, 0, __ATOMIC_RELAXED);
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
	CHECK(tfetch_start(&ctx, base, 1000, 2, &co) == 0);
	signin_tokens();
}

static void
down(void)
{
	tfetch_stop(&ctx);
	token_source_free(tokens);
	tokens = NULL;
	pc_http_global_cleanup();
	unlink(secret);
}

/* One batch asked for and answered, so the source holds a token (tok-1 after up()). */
static void
signed_in(void)
{
	struct req q;

	ask(&ctx, &q, "c0ffee00-0000-4000-8000-0000000000ff");
	wait_for(&q);
	CHECK(q.r.err == BS_OK);
	fetch_release(&ctx, &q.r);
}

static void
test_one_call_for_a_crowd(void)
{
	struct req	 q[30];
	int		 i, before, parked = 0, ok = 0, miss = 0;

	up();
	before = tserver_count();
	TSET(pc_delay_ms, 300);
	for (i = 0; i < 30; i++)
		ask(&ctx, &q[i], "c0ffee00-0000-4000-8000-000000000001");
	for (i = 0; i < 30; i++) {
		wait_for(&q[i]);
		parked += q[i].parked;
		ok += q[i].r.err == BS_OK && q[i].r.batch != NULL &&
		    q[i].r.batch->ndevices == 3;
		if (q[i].r.how == MC_MISS) {
			miss++;
			CHECK(q[i].w.trace.calls == 1 &&
			    q[i].w.trace.status == 200);
		} else
			CHECK(q[i].w.trace.calls == 0);
		fetch_release(&ctx, &q[i].r);
	}
	TSET(pc_delay_ms, 0);
	CHECK(parked == 30 && ok == 30 && miss == 1);
	/* The sign-in and the one call. */
	CHECK(tserver_count() == before + 2);
	CHECK(fetch_waiting(&ctx) == 0);
	/* Kept now: answered at once, not parked. */
	ask(&ctx, &q[0], "c0ffee00-0000-4000-8000-000000000001");
	CHECK(!q[0].parked && q[0].r.err == BS_OK && q[0].r.how == MC_HIT);
	fetch_release(&ctx, &q[0].r);
	down();
}

/* A slow sign-in and a call that never answers end together at the one deadline. */
static void
test_one_deadline_for_signin_and_call(void)
{
	struct req q;

	up();
	signed_in();
	CHECK(token_refused(tokens, "tok-1", 0) == 1);	/* the next needs a sign-in */
	TSET(signin_delay_ms, 600);
	TSET(pc_silent, 1);
	ask(&ctx, &q, "c0ffee00-0000-4000-8000-000000000002");
	wait_for(&q);
	CHECK(q.parked && q.r.err == BS_ERR_TIMEOUT);
	/* The call got what the sign-in left of the 1000 ms, not a deadline of its own. */
	CHECK(q.w.trace.calls == 1 && q.w.trace.budget_ms <= 450);
	CHECK(q.took_ms >= 900 && q.took_ms < 1600);
	fetch_release(&ctx, &q.r);
	TSET(pc_silent, 0);
	TSET(signin_delay_ms, 0);
	down();
}

/* A sign-in slower than the deadline: the request ends at its deadline; the sign-in goes on for the next ones. */
static void
test_signin_past_the_deadline(void)
{
	struct req	 q;
	int		 before;

	up();
	signed_in();
	CHECK(token_refused(tokens, "tok-1", 0) == 1);
	TSET(signin_delay_ms, 1500);
	before = signins;
	ask(&ctx, &q, "c0ffee00-0000-4000-8000-000000000003");
	wait_for(&q);
	CHECK(q.parked && q.r.err == BS_ERR_TIMEOUT);
	CHECK(q.w.trace.calls == 0);
	CHECK(q.took_ms >= 900 && q.took_ms < 1400);
	fetch_release(&ctx, &q.r);
	usleep(800 * 1000);	/* the sign-in ends meanwhile */
	TSET(signin_delay_ms, 0);
	ask(&ctx, &q, "c0ffee00-0000-4000-8000-000000000003");
	wait_for(&q);
	CHECK(q.r.err == BS_OK);
	CHECK(signins == before + 1);
	fetch_release(&ctx, &q.r);
	down();
}

/* A refused token (401) is renewed and the call made once more. */
static void
test_refused_token_renewed_once(void)
{
	struct req	 q;
	int		 before;

	/* A fresh source: its first token is tok-1, which the fake refuses. */
	up();
	before = tserver_count();
	ask(&ctx, &q, "40100000-0000-4000-8000-000000000001");
	wait_for(&q);
	CHECK(q.r.err == BS_OK);
	CHECK(q.w.trace.calls == 2 && q.w.trace.status == 200);
	/* Two sign-ins, two calls. */
	CHECK(signins == 2 && tserver_count() == before + 4);
	fetch_release(&ctx, &q.r);
	down();
}

/*
 * The retry after a refused token is the only one, and it shares the
 * deadline: tok-1 refused after 600 ms, the retry with tok-2 unanswered,
 * the request ends at the 1000 ms, the retry given what was left.
 */
static void
test_the_retry_shares_the_one_deadline(void)
{
	struct req q;

	up();
	ask(&ctx, &q, "40100002-0000-4000-8000-000000000001");
	wait_for(&q);
	CHECK(q.parked && q.r.err == BS_ERR_TIMEOUT);
	CHECK(q.w.trace.calls == 2 && signins == 2);
	CHECK(q.w.trace.budget_ms > 0 && q.w.trace.budget_ms <= 400);
	CHECK(q.took_ms >= 900 && q.took_ms < 1600);
	fetch_release(&ctx, &q.r);
	down();
}

/* A renewed token refused too: no second retry, the credentials are the answer. */
static void
test_a_renewed_token_refused_again_is_not_retried(void)
{
	struct req	 q;
	int		 before;

	up();
	before = tserver_count();
	ask(&ctx, &q, "40100001-0000-4000-8000-000000000001");
	wait_for(&q);
	CHECK(q.r.err == BS_ERR_CREDENTIALS);
	CHECK(q.w.trace.calls == 2 && q.w.trace.status == 401);
	/* Two sign-ins, two calls, nothing more. */
	CHECK(signins == 2 && tserver_count() == before + 4);
	fetch_release(&ctx, &q.r);
	down();
}

/* Only a refused token is retried: a 5xx is the answer at once (a held answer may stand in, not a second call). */
static void
test_a_failed_call_is_not_retried(void)
{
	struct req	 q;
	int		 before;

	up();
	signed_in();
	before = tserver_count();
	ask(&ctx, &q, "50300000-0000-4000-8000-000000000001");
	wait_for(&q);
	CHECK(q.r.err == BS_ERR_UPSTREAM_STATUS);
	CHECK(q.w.trace.calls == 1 && q.w.trace.status == 503);
	CHECK(tserver_count() == before + 1);
	fetch_release(&ctx, &q.r);
	down();
}

static void
test_too_many_devices(void)
{
	struct req q;

	up();
	ctx.max_devices = 2;
	ask(&ctx, &q, "c0ffee00-0000-4000-8000-000000000004");
	wait_for(&q);
	CHECK(q.r.err == BS_ERR_TOO_LARGE);
	fetch_release(&ctx, &q.r);
	ctx.max_devices = 100;
	down();
}

static void
test_errors_reach_everyone_waiting(void)
{
	struct req	 q[3];
	int		 i;

	up();
	TSET(pc_delay_ms, 200);
	for (i = 0; i < 3; i++)
		ask(&ctx, &q[i], "40400000-0000-4000-8000-000000000001");
	for (i = 0; i < 3; i++) {
		wait_for(&q[i]);
		CHECK(q[i].r.err == BS_ERR_NO_SUCH_BATCH);
		fetch_release(&ctx, &q[i].r);
	}
	TSET(pc_delay_ms, 0);
	down();
}

/* Past max_waiting a request that would wait is refused at once; the others complete. */
static void
test_admission(void)
{
	struct req	 q[4];
	int		 i, before;

	/* Signed in first: the two calls are all the fake sees. */
	up();
	signed_in();
	before = tserver_count();
	ctx.max_waiting = 3;
	ctx.max_retry_after = 300;
	TSET(pc_delay_ms, 400);
	ask(&ctx, &q[0], "c0ffee00-0000-4000-8000-000000000010");
	ask(&ctx, &q[1], "c0ffee00-0000-4000-8000-000000000011");
	ask(&ctx, &q[2], "c0ffee00-0000-4000-8000-000000000011");	/* coalesced: parked too */
	CHECK(fetch_waiting(&ctx) == 3);
	ask(&ctx, &q[3], "c0ffee00-0000-4000-8000-000000000012");
	CHECK(!q[3].parked && q[3].r.err == BS_ERR_BUSY && q[3].r.retry_after > 0);
	CHECK(q[3].took_ms < 100);
	for (i = 0; i < 3; i++) {
		wait_for(&q[i]);
		CHECK(q[i].parked && q[i].r.err == BS_OK);
		fetch_release(&ctx, &q[i].r);
	}
	fetch_release(&ctx, &q[3].r);
	CHECK(tserver_count() == before + 2);	/* nothing asked for the shed one */
	CHECK(fetch_waiting(&ctx) == 0);
	TSET(pc_delay_ms, 0);
	ctx.max_waiting = 64;
	ctx.max_retry_after = 300;
	down();
}

int
main(void)
{
	T_RUN(test_one_call_for_a_crowd);
	T_RUN(test_one_deadline_for_signin_and_call);
	T_RUN(test_signin_past_the_deadline);
	T_RUN(test_refused_token_renewed_once);
	T_RUN(test_the_retry_shares_the_one_deadline);
	T_RUN(test_a_renewed_token_refused_again_is_not_retried);
	T_RUN(test_a_failed_call_is_not_retried);
	T_RUN(test_too_many_devices);
	T_RUN(test_errors_reach_everyone_waiting);
	T_RUN(test_admission);
	return t_done("test_fetch");
}
