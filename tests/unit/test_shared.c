/* test_shared.c: the Redis client without Redis: URLs, a Redis away (everything answers down at once), and a fake Redis's answers read right. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "shared.h"
#include "t.h"

/* --- a fake Redis: RESP commands in, scripted answers out ------------------ */

static int		 fake_fd = -1, fake_port;
static pthread_mutex_t	 fake_mu = PTHREAD_MUTEX_INITIALIZER;
static char		 fake_seen[4096];	/* commands so far: "AUTH SELECT PING EVAL ..." */
static char		 last_argv[10][256];	/* the last EVAL's arguments, and the last publish's */
static size_t		 last_len[10];
static int		 last_argc;
static char		 pub_argv[10][256];
static size_t		 pub_len[10];
static int		 pub_argc;

/* The answer to an EVAL, by its first key (*len: its bytes; an entry holds a NUL), or NULL: none. */
static const char *
eval_answer(char argv[][256], int argc, size_t *len)
{
	static const char entry[] = "*2\r\n:1\r\n$5\r\nhe\0lo\r\n";
	const char *a = ":1\r\n";	/* publish, release */

	if (argc < 4)
		a = "-ERR wrong number of arguments\r\n";
	else if (strcmp(argv[3], SHARED_BATCH_KEY "c/entry") == 0) {
		*len = sizeof(entry) - 1;
		return entry;
	} else if (strcmp(argv[3], SHARED_BATCH_KEY "c/paused") == 0)
		a = "*2\r\n:2\r\n:1500\r\n";
	else if (strcmp(argv[3], SHARED_BATCH_KEY "c/locked") == 0)
		a = "*2\r\n:3\r\n:0\r\n";
	else if (strcmp(argv[3], SHARED_BATCH_KEY "c/busy") == 0)
		a = "*2\r\n:4\r\n:800\r\n";
	else if (strcmp(argv[3], SHARED_BATCH_KEY "c/error") == 0)
		a = "-ERR boom\r\n";
	else if (strcmp(argv[3], SHARED_BATCH_KEY "c/odd") == 0)
		a = "*2\r\n:9\r\n:0\r\n";
	else if (strcmp(argv[3], SHARED_BATCH_KEY "c/silent") == 0)
		return NULL;
	else if (strcmp(argv[3], SHARED_FOLLOWER_KEY) == 0)
		a = strcmp(argv[4], "tk-lead") == 0 ? ":1\r\n" : ":0\r\n";
	else if (strcmp(argv[3], SHARED_TOKEN_KEY) == 0 && argc == 8)
		a = "*3\r\n:1\r\n$3\r\ntok\r\n$7\r\nrefresh\r\n";
	*len = strlen(a);
	return a;
}

/* Reads one RESP array of bulk strings; the number of arguments, or -1 at the end. */
static int
read_command(FILE *in, char argv[][256], size_t *lens)
{
	char	 line[64];
	int	 n, i;
	long	 len;

	if (fgets(line, sizeof(line), in) == NULL || line[0] != '*')
		return -1;
	n = atoi(line + 1);
	for (i = 0; i < n; i++) {
		if (fgets(line, sizeof(line), in) == NULL || line[0] != '$')
			return -1;
		len = atol(line + 1);
		/* Long arguments (the scripts) are read and kept cut. */
		for (long k = 0; k < len + 2; k++) {
			int c = fgetc(in);

			if (c == EOF)
				return -1;
			if (i < 10 && k < 255)
				argv[i][k] = (char)c;
		}
		if (i < 10) {
			lens[i] = (size_t)len;
			argv[i][len < 255 ? len : 255] = '\0';
		}
	}
	return n;
}

static void *
fake_conn(void *arg)
{
	int		 c = (int)(long)arg, argc;
	FILE		*in = fdopen(dup(c), "r");
	char		 argv[10][256];
	size_t		 lens[10];
	const char	*ans;
	size_t		 len = 0;

	while ((argc = read_command(in, argv, lens)) > 0) {
		pthread_mutex_lock(&fake_mu);
		strncat(fake_seen, argv[0], sizeof(fake_seen) - strlen(fake_seen) - 2);
		strcat(fake_seen, " ");
		if (strcmp(argv[0], "EVAL") == 0) {
			last_argc = argc;
			memcpy(last_argv, argv, sizeof(last_argv));
			memcpy(last_len, lens, sizeof(last_len));
		}
		/* The publish script: two keys, the batch's and its lock. */
		if (strcmp(argv[0], "EVAL") == 0 && strcmp(argv[2], "2") == 0 &&
		    strncmp(argv[3], SHARED_BATCH_KEY, strlen(SHARED_BATCH_KEY)) == 0) {
			pub_argc = argc;
			memcpy(pub_argv, argv, sizeof(pub_argv));
			memcpy(pub_len, lens, sizeof(pub_len));
		}
		pthread_mutex_unlock(&fake_mu);
		if (strncmp(argv[0], "HSET", 4) == 0) {
			pub_argc = argc;
			memcpy(pub_argv, argv, sizeof(pub_argv));
			memcpy(pub_len, lens, sizeof(pub_len));
		}
		if (strcmp(argv[0], "PING") == 0)
			ans = "+PONG\r\n";
		else if (strcmp(argv[0], "HGETALL") == 0) {
			static const char all[] = "*4\r\n$3\r\nc/a\r\n$3\r\nv\0x\r\n"
			    "$3\r\nc/b\r\n$0\r\n\r\n";

			ans = all;
			len = sizeof(all) - 1;
			(void)!write(c, ans, len);
			continue;
		}
		else if (strcmp(argv[0], "EVAL") == 0)
			ans = eval_answer(argv, argc, &len);
		else
			ans = "+OK\r\n";
		if (ans == NULL)
			continue;	/* silent */
		if (strcmp(argv[0], "EVAL") != 0)
			len = strlen(ans);
		(void)!write(c, ans, len);
	}
	fclose(in);
	close(c);
	return NULL;
}

static void *
fake_accept(void *arg)
{
	pthread_t	 t;
	int		 c;

	(void)arg;
	while ((c = accept(fake_fd, NULL, NULL)) >= 0)
		if (pthread_create(&t, NULL, fake_conn, (void *)(long)c) == 0)
			pthread_detach(t);
		else
			close(c);
	return NULL;
}

/* Starts the fake once (it keeps no state but what it saw, cleared here); its URL in url. */
static void
fake_redis(char *url, size_t urlsz, int db)
{
	struct sockaddr_in	 sa;
	socklen_t		 sl = sizeof(sa);
	pthread_t		 t;

	if (fake_fd == -1) {
		fake_fd = socket(AF_INET, SOCK_STREAM, 0);
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		CHECK(bind(fake_fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
		    listen(fake_fd, 16) == 0);
		getsockname(fake_fd, (struct sockaddr *)&sa, &sl);
		fake_port = ntohs(sa.sin_port);
		pthread_create(&t, NULL, fake_accept, NULL);
		pthread_detach(t);
	}
	pthread_mutex_lock(&fake_mu);
	fake_seen[0] = '\0';
	last_argc = pub_argc = 0;
	pthread_mutex_unlock(&fake_mu);
	snprintf(url, urlsz, "redis://127.0.0.1:%d/%d", fake_port, db);
}

/* --- claims, waited for ----------------------------------------------------- */

struct answer {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int			 done;
	struct shared_claim	 cl;
	char			 data[64], data2[64];
	int64_t			 at_ms;
};

static void
answered(void *arg, const struct shared_claim *cl)
{
	struct answer *a = arg;

	pthread_mutex_lock(&a->mu);
	a->cl = *cl;
	/* data is valid during the callback only: keep a copy. */
	if (cl->data != NULL && cl->len < sizeof(a->data))
		memcpy(a->data, cl->data, cl->len);
	if (cl->data2 != NULL && cl->len2 < sizeof(a->data2))
		memcpy(a->data2, cl->data2, cl->len2);
	a->cl.data = a->data;
	a->cl.data2 = a->data2;
	a->at_ms = clock_ms();
	a->done++;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

static void
answer_init(struct answer *a)
{
	memset(a, 0, sizeof(*a));
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
}

/* Waits at most 3 s; whether it was answered (exactly once). */
static int
wait_answer(struct answer *a)
{
	int64_t until = clock_ms() + 3000;

	pthread_mutex_lock(&a->mu);
	while (!a->done && clock_ms() < until) {
		pthread_mutex_unlock(&a->mu);
		usleep(5 * 1000);
		pthread_mutex_lock(&a->mu);
	}
	pthread_mutex_unlock(&a->mu);
	return a->done == 1;
}

static enum shared_claim_what
claim(struct shared *s, const char *key, struct answer *a)
{
	answer_init(a);
	shared_claim(s, key, "tk-1", 5000, answered, a);
	return wait_answer(a) ? a->cl.what : (enum shared_claim_what)-1;
}

/* A client of the fake, greeted (up) before the test goes on. */
static struct shared *
fake_client(long timeout_ms)
{
	static char		 url[64];
	struct shared_opts	 o = { url, NULL, timeout_ms };
	struct shared		*s;
	int64_t			 until;

	log_set_level(LOG_ERROR);	/* "Redis answers" and "went away" lines */
	fake_redis(url, sizeof(url), 0);
	CHECK((s = shared_start(&o)) != NULL);
	until = clock_ms() + 3000;
	while (s != NULL && !shared_up(s) && clock_ms() < until)
		usleep(5 * 1000);
	CHECK(shared_up(s));
	return s;
}

/* --- the tests ---------------------------------------------------------------- */

static void
test_urls_of_the_two_forms_only(void)
{
	static const char *const good[] = { "redis://10.0.0.5:6379/2",
	    "redis://host:6379", "redis://host:6379/", "redis://h:1/15",
	    "redis+unix:/run/redis/redis.sock", "redis+unix:/r.sock?db=15", NULL };
	static const char *const bad[] = { "redis://host", "redis://:6379",
	    "redis://host:0", "redis://host:65536", "redis://host:6379/16",
	    "redis://host:6379/x", "redis://host:6379x", "redis+unix:relative",
	    "redis+unix:/a b", "redis+unix:/x?db=16", "redis+unix:/x?d=1",
	    "redis+unix:/x?db=", "http://host:6379", "", NULL };
	char	 err[256];
	size_t	 i;

	for (i = 0; good[i] != NULL; i++)
		CHECK(shared_url_ok(good[i], err, sizeof(err)) == 0);
	for (i = 0; bad[i] != NULL; i++) {
		err[0] = '\0';
		CHECK(shared_url_ok(bad[i], err, sizeof(err)) == -1);
		CHECK_CONTAINS(err, "redis://HOST:PORT");
	}
}

/* Nothing listens: every claim is answered down at once (in the call), and nothing else waits. */
static void
test_with_redis_away_every_claim_is_down_at_once(void)
{
	struct shared_opts	 o = { "redis://127.0.0.1:1", "pw", 50 };
	struct shared		*s;
	struct answer		 a, t;

	log_set_level(LOG_ERROR);
	CHECK((s = shared_start(&o)) != NULL);
	usleep(100 * 1000);	/* its first connect has failed */
	CHECK(!shared_up(s));
	answer_init(&a);
	shared_claim(s, "c/t", "tk-1", 5000, answered, &a);
	CHECK(a.done == 1 && a.cl.what == CLAIM_DOWN);	/* before the call returned */
	answer_init(&t);
	shared_token_claim(s, "tk-1", 5000, answered, &t);
	CHECK(t.done == 1 && t.cl.what == CLAIM_DOWN);
	/* Publishing and releasing are dropped, not queued. */
	shared_publish(s, "c/t", "x", 1, 1000, "tk-1");
	shared_release(s, "c/t", "tk-1", 0);
	shared_token_publish(s, "e", 1, 1000, NULL, 0, "tk-1");
	shared_token_release(s, "tk-1");
	shared_stop(s);
	CHECK(!shared_up(NULL));
	log_set_level(LOG_INFO);
}

/* The greeting: the password, the database, then PING; the PONG makes it up. */
static void
test_the_greeting_authenticates_selects_then_pings(void)
{
	char			 url[64];
	struct shared_opts	 o = { url, "s3cret", 200 };
	struct shared		*s;
	int64_t			 until;

	log_set_level(LOG_ERROR);
	fake_redis(url, sizeof(url), 2);
	CHECK((s = shared_start(&o)) != NULL);
	until = clock_ms() + 3000;
	while (!shared_up(s) && clock_ms() < until)
		usleep(5 * 1000);
	CHECK(shared_up(s));
	pthread_mutex_lock(&fake_mu);
	CHECK_STR(fake_seen, "AUTH SELECT PING ");
	pthread_mutex_unlock(&fake_mu);
	shared_stop(s);
	log_set_level(LOG_INFO);
}

/* Each answer of the claim script read as what it means. */
static void
test_claim_answers_are_read_as_they_mean(void)
{
	struct shared	*s = fake_client(500);
	struct answer	 a;

	CHECK(claim(s, "c/entry", &a) == CLAIM_ENTRY);
	CHECK(a.cl.len == 5 && memcmp(a.data, "he\0lo", 5) == 0);	/* bytes, a NUL kept */
	CHECK(claim(s, "c/paused", &a) == CLAIM_PAUSED && a.cl.ms == 1500);
	CHECK(claim(s, "c/locked", &a) == CLAIM_LOCKED);
	CHECK(claim(s, "c/busy", &a) == CLAIM_BUSY && a.cl.ms == 800);
	/* An answer the script never gives: down, not a guess. */
	CHECK(claim(s, "c/odd", &a) == CLAIM_DOWN);
	/* What was asked: the batch's key, the pause, the lock, this call's token and the lock's time. */
	pthread_mutex_lock(&fake_mu);
	CHECK(last_argc == 8);
	CHECK_STR(last_argv[4], SHARED_KEY_PREFIX "pause");
	CHECK_STR(last_argv[5], SHARED_KEY_PREFIX "lock:c/odd");
	CHECK_STR(last_argv[6], "tk-1");
	CHECK_STR(last_argv[7], "5000");
	pthread_mutex_unlock(&fake_mu);
	shared_stop(s);
	log_set_level(LOG_INFO);
}

/* Redis refusing a command: that claim is down; the connection stays up for the next. */
static void
test_a_redis_error_is_down_for_that_claim(void)
{
	struct shared	*s = fake_client(500);
	struct answer	 a;

	CHECK(claim(s, "c/error", &a) == CLAIM_DOWN);
	CHECK(shared_up(s));
	CHECK(claim(s, "c/locked", &a) == CLAIM_LOCKED);
	shared_stop(s);
	log_set_level(LOG_INFO);
}

/* A Redis that does not answer: the claim is down within the timeout, and the node goes on alone. */
static void
test_a_silent_redis_is_down_within_the_timeout(void)
{
	struct shared	*s = fake_client(200);
	struct answer	 a;
	int64_t		 t0 = clock_ms();

	CHECK(claim(s, "c/silent", &a) == CLAIM_DOWN);
	CHECK(a.at_ms - t0 >= 150 && a.at_ms - t0 < 1000);
	CHECK(!shared_up(s));
	/* Asked again while away: at once. */
	answer_init(&a);
	shared_claim(s, "c/locked", "tk-1", 5000, answered, &a);
	CHECK(a.done == 1 && a.cl.what == CLAIM_DOWN);
	shared_stop(s);
	log_set_level(LOG_INFO);
}

/* A publish carries the entry's bytes whole (a NUL in them), its time to live and the lock's token. */
static void
test_a_publish_sends_the_entry_bytes(void)
{
	struct shared	*s = fake_client(500);
	struct answer	 a;

	shared_publish(s, "c/u", "ab\0cd", 5, 60000, "tk-7");
	/* One connection, in order: once a later claim is answered, the publish was read. */
	CHECK(claim(s, "c/locked", &a) == CLAIM_LOCKED);
	pthread_mutex_lock(&fake_mu);
	CHECK(pub_argc == 8);
	CHECK_STR(pub_argv[3], SHARED_BATCH_KEY "c/u");
	CHECK_STR(pub_argv[4], SHARED_KEY_PREFIX "lock:c/u");
	CHECK(pub_len[5] == 5 && memcmp(pub_argv[5], "ab\0cd", 5) == 0);
	CHECK_STR(pub_argv[6], "60000");
	CHECK_STR(pub_argv[7], "tk-7");
	pthread_mutex_unlock(&fake_mu);
	shared_stop(s);
	log_set_level(LOG_INFO);
}

/* The token's claim: another node's token, and the newest refresh token beside it. */
static void
test_the_token_claim_brings_the_refresh_token_too(void)
{
	struct shared	*s = fake_client(500);
	struct answer	 a;

	answer_init(&a);
	shared_token_claim(s, "tk-1", 5000, answered, &a);
	CHECK(wait_answer(&a));
	CHECK(a.cl.what == CLAIM_ENTRY && a.cl.len == 3 &&
	    memcmp(a.data, "tok", 3) == 0);
	CHECK(a.cl.len2 == 7 && memcmp(a.data2, "refresh", 7) == 0);
	shared_stop(s);
	log_set_level(LOG_INFO);
}

/* The follower's lease: held (renewed or taken) for this token, another node's otherwise; let go at a stop. */
static void
test_the_lease_is_ours_or_another_nodes(void)
{
	struct shared	*s = fake_client(500);
	struct answer	 a;

	answer_init(&a);
	shared_lease(s, "tk-lead", 10000, answered, &a);
	CHECK(wait_answer(&a) && a.cl.what == CLAIM_LOCKED);
	pthread_mutex_lock(&fake_mu);
	CHECK_STR(last_argv[3], SHARED_FOLLOWER_KEY);
	CHECK_STR(last_argv[5], "10000");
	pthread_mutex_unlock(&fake_mu);
	answer_init(&a);
	shared_lease(s, "tk-other", 10000, answered, &a);
	CHECK(wait_answer(&a) && a.cl.what == CLAIM_BUSY);
	/* Let go at a stop: the key and this node's token, nothing else. */
	answer_init(&a);
	shared_unlease(s, "tk-lead", answered, &a);
	CHECK(wait_answer(&a));
	pthread_mutex_lock(&fake_mu);
	CHECK(last_argc == 5);
	CHECK_STR(last_argv[3], SHARED_FOLLOWER_KEY);
	CHECK_STR(last_argv[4], "tk-lead");
	pthread_mutex_unlock(&fake_mu);
	shared_stop(s);
	log_set_level(LOG_INFO);
}

static char	follows_seen[256];
static size_t	follows_n;

static void
follows_each(void *arg, const char *field, size_t flen, const char *data,
    size_t len)
{
	(void)arg;
	snprintf(follows_seen + strlen(follows_seen), sizeof(follows_seen) -
	    strlen(follows_seen), "%.*s=%zu%s;", (int)flen, field, len,
	    len == 3 && memcmp(data, "v\0x", 3) == 0 ? "!" : "");
	follows_n++;
}

/* Followed batches: every field and its bytes read back, NULs kept; a put is HSETNX or HSET with the entry's bytes. */
static void
test_followed_batches_are_read_and_put_as_bytes(void)
{
	struct shared	*s = fake_client(500);
	struct answer	 a;

	follows_seen[0] = '\0';
	follows_n = 0;
	answer_init(&a);
	shared_follows(s, follows_each, answered, &a);
	CHECK(wait_answer(&a) && a.cl.what == CLAIM_ENTRY);
	CHECK(follows_n == 2);
	CHECK_STR(follows_seen, "c/a=3!;c/b=0;");
	shared_follow_put(s, "c/t", "x\0y", 3, 0);
	CHECK(claim(s, "c/locked", &a) == CLAIM_LOCKED);
	pthread_mutex_lock(&fake_mu);
	CHECK(pub_argc == 4);
	CHECK_STR(pub_argv[0], "HSETNX");
	CHECK_STR(pub_argv[1], SHARED_FOLLOWS_KEY);
	CHECK_STR(pub_argv[2], "c/t");
	CHECK(pub_len[3] == 3 && memcmp(pub_argv[3], "x\0y", 3) == 0);
	pthread_mutex_unlock(&fake_mu);
	shared_follow_put(s, "c/t", "z", 1, 1);
	CHECK(claim(s, "c/locked", &a) == CLAIM_LOCKED);
	pthread_mutex_lock(&fake_mu);
	CHECK_STR(pub_argv[0], "HSET");
	pthread_mutex_unlock(&fake_mu);
	shared_stop(s);
	log_set_level(LOG_INFO);
}

/* A stop answers what is still waiting on Redis: down, each exactly once, before it returns. */
static void
test_a_stop_answers_every_claim_still_waiting(void)
{
	struct shared	*s = fake_client(2000);
	struct answer	 a[3];
	int		 i;

	for (i = 0; i < 3; i++) {
		answer_init(&a[i]);
		shared_claim(s, "c/silent", "tk-1", 5000, answered, &a[i]);
	}
	usleep(50 * 1000);
	shared_stop(s);
	for (i = 0; i < 3; i++)
		CHECK(a[i].done == 1 && a[i].cl.what == CLAIM_DOWN);
	log_set_level(LOG_INFO);
}

int
main(void)
{
	T_RUN(test_urls_of_the_two_forms_only);
	T_RUN(test_with_redis_away_every_claim_is_down_at_once);
	T_RUN(test_the_greeting_authenticates_selects_then_pings);
	T_RUN(test_claim_answers_are_read_as_they_mean);
	T_RUN(test_a_redis_error_is_down_for_that_claim);
	T_RUN(test_a_silent_redis_is_down_within_the_timeout);
	T_RUN(test_a_publish_sends_the_entry_bytes);
	T_RUN(test_the_token_claim_brings_the_refresh_token_too);
	T_RUN(test_the_lease_is_ours_or_another_nodes);
	T_RUN(test_followed_batches_are_read_and_put_as_bytes);
	T_RUN(test_a_stop_answers_every_claim_still_waiting);
	return t_done("test_shared");
}
