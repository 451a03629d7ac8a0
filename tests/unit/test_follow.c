/* test_follow.c: the follow form's tokens; a followed batch polled through fetch until final, then one notification per target (a 4xx not retried, a 503 retried with the same Idempotency-Key); what was told stays told after a restart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "follow.h"
#include "t.h"
#include "tfetch.h"
#include "tserver.h"

#define C	"47021739-3426-40bf-9601-61b4b6d7c793"
#define T1	"0127ed8e-ff72-4983-a3d8-e8d8bd378932"
#define T2	"9a0e1c7b-5c1d-4e2f-8a3b-000000000002"
#define BATCH(status) "{\"batchTrackingId\":\"x\",\"status\":\"" status "\"," \
    "\"devicesStatus\":[{\"serialNumber\":\"a\",\"status\":\"finished\"}," \
    "{\"serialNumber\":\"b\",\"status\":\"finished_with_errors\"," \
    "\"errorCode\":\"808\",\"errorDescription\":\"ZtdDeviceAssignedToOtherTenant\"}]}"
#define CUSTOMER "{\"id\":\"" C "\",\"companyProfile\":{\"companyName\":\"Contoso\"}}"

/* What the fake does; read by the server's threads. */
static int	finished;		/* the batch answers final */
static int	batch_calls;
static int	hits[3];		/* POSTs to /hook-ok, /hook-503once, /hook-400 */
static char	keys[3][2][64];		/* the first two Idempotency-Keys each got, under keys_mu */
static pthread_mutex_t keys_mu = PTHREAD_MUTEX_INITIALIZER;

/* Whether target i's first two tries carried one key (and, if other >= 0, not target other's). */
static int
same_key(int i, int other)
{
	int same;

	pthread_mutex_lock(&keys_mu);
	same = keys[i][0][0] != '\0' && strcmp(keys[i][0], keys[i][1]) == 0 &&
	    (other < 0 || strcmp(keys[i][0], keys[other][0]) != 0);
	pthread_mutex_unlock(&keys_mu);
	return same;
}

static const char *
ok_json(const char *body)
{
	static __thread char b[2048];

	snprintf(b, sizeof(b), "HTTP/1.1 200 OK\r\nContent-Type: "
	    "application/json\r\nContent-Length: %zu\r\n\r\n%s", strlen(body),
	    body);
	return b;
}

static void
note_hook(int i, const char *req)
{
	const char	*k = strstr(req, "Idempotency-Key: ");
	int		 n = __atomic_fetch_add(&hits[i], 1, __ATOMIC_SEQ_CST);

	pthread_mutex_lock(&keys_mu);
	if (k != NULL && n < 2)
		sscanf(k + 17, "%63[^\r\n]", keys[i][n]);
	pthread_mutex_unlock(&keys_mu);
}

static const char *
serve(const char *req, long *delay_ms)
{
	*delay_ms = 0;
	if (strncmp(req, "POST /tenant/oauth2/token", 25) == 0)
		return ok_json("{\"token_type\":\"Bearer\",\"expires_in\":3599,"
		    "\"access_token\":\"tok\"}");
	if (strncmp(req, "POST /hook-ok ", 14) == 0) {
		note_hook(0, req);
		return ok_json("{}");
	}
	if (strncmp(req, "POST /hook-503once ", 19) == 0) {
		note_hook(1, req);
		return TGET(hits[1]) == 1 ? "HTTP/1.1 503 Busy\r\n"
		    "Content-Length: 0\r\n\r\n" : ok_json("{}");
	}
	if (strncmp(req, "POST /hook-400 ", 15) == 0) {
		note_hook(2, req);
		return "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
	}
	if (strstr(req, "/batchJobStatus/") != NULL) {
		__atomic_add_fetch(&batch_calls, 1, __ATOMIC_SEQ_CST);
		return TGET(finished) ? ok_json(BATCH("finished_with_errors")) :
		    ok_json(BATCH("processing"));
	}
	if (strncmp(req, "GET /v1/customers/" C " ", 55) == 0)
		return ok_json(CUSTOMER);
	return "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
}

static struct fetch_ctx		 ctx;
static struct token_source	*tokens;
static const char		 secret[] = "/tmp/bs-follow-secret";
static char			 dir[64];
static struct seal_key		 key;
static struct notify_targets	 targets;

static void
up(void)
{
	struct cache_opts	 co = { 60000, 0, 1 << 20, 0, { 60000, 60000, 60000, 60000 } };
	struct token_opts	 o;
	static char		 base[64], url[96];
	static int		 port;
	char			 err[256];
	FILE			*f;
	size_t			 i;

	umask(077);
	f = fopen(secret, "w");
	fputs("unit-test-secret\n", f);
	fclose(f);
	CHECK(pc_http_global_init() == 0);
	CHECK(i18n_load("templates/i18n", err, sizeof(err)) == 0);
	if (port == 0)
		CHECK((port = tserver_start(serve)) > 0);
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
	CHECK(tfetch_start(&ctx, base, 2000, 2, &co) == 0);
	memset(&o, 0, sizeof(o));
	o.kind = TOKEN_APP;
	o.client_secret_file = secret;
	snprintf(url, sizeof(url), "%s/tenant/oauth2/token", base);
	o.signin.token_url = url;
	o.signin.client_id = "client";
	o.signin.timeout_ms = 3000;
	tokens = token_source_new(&o);
	token_source_start(tokens, ctx.loop, ctx.cpu);
	ctx.tokens = tokens;
	memset(&targets, 0, sizeof(targets));
	for (i = 0; i < 3; i++) {
		targets.t[i].format = (enum notify_format)i;
		snprintf(targets.t[i].url, sizeof(targets.t[i].url), "%s/%s",
		    base, i == 0 ? "hook-ok" : i == 1 ? "hook-503once" :
		    "hook-400");
	}
	targets.n = 3;
	memset(&key, 0, sizeof(key));
	key.len = 32;
	memcpy(key.bytes, "0123456789abcdef0123456789abcdef", 32);
	snprintf(dir, sizeof(dir), "/tmp/bs-follow-XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	memset(hits, 0, sizeof(hits));
	pthread_mutex_lock(&keys_mu);
	memset(keys, 0, sizeof(keys));
	pthread_mutex_unlock(&keys_mu);
	TSET(finished, 0);
	TSET(batch_calls, 0);
}

/* The follower's clock: the real one, moved on by the tests that need a day to pass. */
static long long clock_shift;

static int64_t
shifted_now(void)
{
	return (int64_t)time(NULL) + __atomic_load_n(&clock_shift, __ATOMIC_SEQ_CST);
}

static struct follow *
start(void)
{
	struct follow_opts	 o;
	struct follow		*fl;
	char			 err[256];

	memset(&o, 0, sizeof(o));
	o.fetch = &ctx;
	o.loop = ctx.loop;
	o.cpu = ctx.cpu;
	o.targets = &targets;
	o.state_dir = dir;
	o.key = &key;
	o.public_url = "https://tools.example/batchstatus/";
	o.follow_hours = 24;
	o.send_timeout_ms = 2000;
	o.now = shifted_now;
	fl = follow_start(&o, err, sizeof(err));
	CHECK(fl != NULL);
	if (fl == NULL)
		fprintf(stderr, "follow_start: %s\n", err);
	return fl;
}

static void
down(void)
{
	char cmd[128];

	tfetch_stop(&ctx);
	token_source_free(tokens);
	pc_http_global_cleanup();
	unlink(secret);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	i18n_free();
}

/* Waits up to ms for cond (re-evaluated every 50 ms). */
#define WAIT_FOR(cond, ms) do {						\
	int w_;								\
	for (w_ = 0; w_ < (ms) / 50 && !(cond); w_++)			\
		usleep(50 * 1000);					\
} while (0)

static void
test_tokens_are_bound_to_the_batch_and_a_day(void)
{
	struct follow	*fl;
	char		 tok[FOLLOW_TOKEN_MAX + 1], bad[FOLLOW_TOKEN_MAX + 8];
	int64_t		 now = 1800000000;

	up();
	if ((fl = start()) == NULL) {
		down();
		return;
	}
	follow_token(fl, C, T1, now, tok);
	CHECK(follow_token_ok(fl, C, T1, tok, now));
	CHECK(follow_token_ok(fl, C, T1, tok, now + 23 * 3600));
	CHECK(!follow_token_ok(fl, C, T1, tok, now + 25 * 3600));
	CHECK(!follow_token_ok(fl, C, T1, tok, now - 2 * 3600));
	CHECK(!follow_token_ok(fl, C, T2, tok, now));
	snprintf(bad, sizeof(bad), "%s", tok);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == '0' ? '1' : '0';
	CHECK(!follow_token_ok(fl, C, T1, bad, now));
	snprintf(bad, sizeof(bad), "%lld.%s", (long long)(now / 3600 + 1),
	    strchr(tok, '.') + 1);
	CHECK(!follow_token_ok(fl, C, T1, bad, now));
	CHECK(!follow_token_ok(fl, C, T1, "", now));
	CHECK(!follow_token_ok(fl, C, T1, NULL, now));
	CHECK(!follow_token_ok(fl, C, T1, "x.y", now));
	CHECK(!follow_token_ok(fl, C, T1, "-1.00", now));
	follow_stop(fl);
	down();
}

static int
refuse_all(const char *customer)
{
	(void)customer;
	return 0;
}

static void
test_a_finished_batch_is_told_once_per_target(void)
{
	struct follow		*fl;
	struct follow_item	 it, list[4];
	struct follow_counts	 n;

	up();
	if ((fl = start()) == NULL) {
		down();
		return;
	}
	CHECK(follow_add(fl, C, T1) == FOLLOW_ADDED);
	CHECK(follow_add(fl, C, T1) == FOLLOW_ALREADY);
	WAIT_FOR(TGET(batch_calls) >= 1, 10000);
	/* Still running: polled, nothing told. */
	CHECK(TGET(hits[0]) == 0);
	CHECK(follow_get(fl, C, T1, &it) && it.f.ended == 0);
	TSET(finished, 1);
	WAIT_FOR(TGET(hits[0]) >= 1 && TGET(hits[1]) >= 2 && TGET(hits[2]) >= 1,
	    30000);
	usleep(500 * 1000);
	CHECK(TGET(hits[0]) == 1);
	CHECK(TGET(hits[1]) == 2);		/* a 503, then accepted */
	CHECK(TGET(hits[2]) == 1);		/* a 400: not tried again */
	CHECK(same_key(1, 0));
	CHECK(follow_get(fl, C, T1, &it) && it.f.ended > 0 && it.notified);
	CHECK_STR(it.f.outcome, "some_failed");
	CHECK_STR(it.f.name, "Contoso");
	CHECK(it.f.total == 2 && it.f.failed == 1);
	follow_metrics(fl, &n);
	CHECK(n.followed == 0 && n.started == 1 && n.sent == 2 &&
	    n.retried == 1 && n.failed == 1);
	CHECK(follow_list(fl, C, NULL, list, 4) == 1);
	CHECK(follow_list(fl, "00000000-0000-4000-8000-000000000000", NULL, list,
	    4) == 0);
	CHECK(follow_list(fl, NULL, refuse_all, list, 4) == 0);
	follow_stop(fl);
	/* After a restart: what was told is known, and nobody is told again. */
	if ((fl = start()) != NULL) {
		CHECK(follow_get(fl, C, T1, &it) && it.f.ended > 0 && it.notified);
		CHECK(follow_add(fl, C, T1) == FOLLOW_ALREADY);
		usleep(600 * 1000);
		CHECK(TGET(hits[0]) == 1 && TGET(hits[1]) == 2);
		follow_stop(fl);
	}
	down();
}

static void
test_what_is_owed_is_sent_after_a_restart(void)
{
	struct follow		*fl;
	struct follow_item	 it;

	up();
	TSET(finished, 1);
	if ((fl = start()) == NULL) {
		down();
		return;
	}
	CHECK(follow_add(fl, C, T2) == FOLLOW_ADDED);
	/* The 503 target owes a second try when the server stops. */
	WAIT_FOR(TGET(hits[1]) >= 1, 15000);
	follow_stop(fl);
	CHECK(TGET(hits[1]) == 1);
	if ((fl = start()) == NULL) {
		down();
		return;
	}
	WAIT_FOR(TGET(hits[1]) >= 2, 15000);
	CHECK(TGET(hits[1]) == 2);
	CHECK(same_key(1, -1));
	WAIT_FOR(follow_get(fl, C, T2, &it) && it.notified, 3000);
	CHECK(follow_get(fl, C, T2, &it) && it.notified);
	CHECK(TGET(hits[0]) == 1);
	follow_stop(fl);
	down();
}

/* Followed for BATCHSTATUS_FOLLOW_HOURS and still running: one "still not finished" message to each target, and no more polls. */
static void
test_a_batch_followed_too_long_is_told_once_and_let_go(void)
{
	struct follow		*fl;
	struct follow_item	 it;
	int			 calls;

	up();
	__atomic_store_n(&clock_shift, 0, __ATOMIC_SEQ_CST);
	if ((fl = start()) == NULL) {
		down();
		return;
	}
	CHECK(follow_add(fl, C, T1) == FOLLOW_ADDED);
	WAIT_FOR(TGET(batch_calls) >= 1, 10000);
	CHECK(TGET(hits[0]) == 0);
	/* A day passes (24 h is the limit); the batch still runs. */
	__atomic_store_n(&clock_shift, 24LL * 3600 + 10, __ATOMIC_SEQ_CST);
	WAIT_FOR(TGET(hits[0]) >= 1, 15000);
	CHECK(TGET(hits[0]) == 1);
	CHECK(follow_get(fl, C, T1, &it) && it.f.ended > 0);
	CHECK_STR(it.f.outcome, "still_running");
	calls = TGET(batch_calls);
	usleep(6500 * 1000);
	CHECK(TGET(batch_calls) == calls);	/* let go: asked no more */
	CHECK(TGET(hits[0]) == 1);
	follow_stop(fl);
	__atomic_store_n(&clock_shift, 0, __ATOMIC_SEQ_CST);
	down();
}

int
main(void)
{
	T_RUN(test_tokens_are_bound_to_the_batch_and_a_day);
	T_RUN(test_a_finished_batch_is_told_once_per_target);
	T_RUN(test_what_is_owed_is_sent_after_a_restart);
	T_RUN(test_a_batch_followed_too_long_is_told_once_and_let_go);
	return t_done("test_follow");
}
