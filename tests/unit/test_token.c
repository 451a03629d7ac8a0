/* test_token.c: the token file is read, trimmed, re-read when it changes, and refused when unusable; a sign-in source renews through the I/O loop. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "t.h"
#include "token.h"
#include "tserver.h"
#include "wipe.h"

/* token_get on a file source: BS_OK with the token copied into tok, or the error. */
static enum bs_error
get(struct token_source *ts, char *tok, size_t toksz)
{
	enum bs_error	 e;
	char		*t;

	tok[0] = '\0';
	if (token_get(ts, &t, &e, NULL) != TOKEN_READY)
		return e;
	snprintf(tok, toksz, "%s", t);
	wipe_str(t);
	return BS_OK;
}

static void
write_file(const char *path, const char *text)
{
	char	 tmp[640];	/* room for any path signin_source makes, and ".new" */
	FILE	*f;

	/* Write and rename, as a rotating agent would: a new inode each time. */
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "w");
	fputs(text, f);
	fclose(f);
	rename(tmp, path);
}

/* Writes text over the file's bytes, the same inode: as an editor or a restore may. */
static void
rewrite_in_place(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC);

	CHECK(fd != -1);
	if (fd == -1)
		return;
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

/*
 * A rewrite in place that puts the old mtime back (same inode, same size,
 * same mtime) is still a change: its ctime moved, and the new token is read.
 */
static void
test_an_in_place_rewrite_with_the_old_mtime_is_seen(void)
{
	char			 dir[] = "/tmp/bs-token-XXXXXX", path[600];
	char			 tok[TOKEN_MAX];
	struct token_source	*ts;
	struct token_opts	 o;
	struct stat		 was, now;
	struct timespec		 times[2];
	int			 fd;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/token", dir);
	CHECK((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) != -1);
	close(fd);
	rewrite_in_place(path, "token-aaaa\n");
	memset(&o, 0, sizeof(o));
	o.kind = TOKEN_FROM_FILE;
	o.token_file = path;
	ts = token_source_new(&o);
	CHECK(get(ts, tok, sizeof(tok)) == BS_OK);
	CHECK_STR(tok, "token-aaaa");
	CHECK(stat(path, &was) == 0);
	/* File times tick with the kernel's coarse clock: let it move on. */
	usleep(30 * 1000);
	rewrite_in_place(path, "token-bbbb\n");
	times[0] = was.st_atim;
	times[1] = was.st_mtim;
	CHECK(utimensat(AT_FDCWD, path, times, 0) == 0);
	CHECK(stat(path, &now) == 0);
	CHECK(now.st_ino == was.st_ino && now.st_size == was.st_size &&
	    now.st_mtim.tv_sec == was.st_mtim.tv_sec &&
	    now.st_mtim.tv_nsec == was.st_mtim.tv_nsec);
	CHECK(get(ts, tok, sizeof(tok)) == BS_OK);
	CHECK_STR(tok, "token-bbbb");
	token_source_free(ts);
	unlink(path);
	rmdir(dir);
}

/* --- a sign-in source, through a real I/O loop and CPU pool ---------------- */

static const char	*signin_answer;	/* the token endpoint's answer */
static long		 signin_delay_ms;

static const char *
token_endpoint(const char *request, long *delay_ms)
{
	(void)request;
	*delay_ms = TGET(signin_delay_ms);
	return TGET(signin_answer);
}

struct waiter {
	struct token_waiter	 w;
	int			 woken;
};

static pthread_mutex_t	woken_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	woken_cv = PTHREAD_COND_INITIALIZER;

static void
woken(struct token_waiter *tw)
{
	struct waiter *w = (struct waiter *)(void *)tw;

	pthread_mutex_lock(&woken_mu);
	w->woken++;
	pthread_cond_broadcast(&woken_cv);
	pthread_mutex_unlock(&woken_mu);
}

/* Waits (at most 5 s) until every waiter of ws[0..n) was woken once. */
static int
all_woken(struct waiter *ws, int n)
{
	int64_t		 until = clock_ms() + 5000;
	int		 i, all = 0;

	pthread_mutex_lock(&woken_mu);
	while (!all && clock_ms() < until) {
		for (all = 1, i = 0; i < n; i++)
			all &= ws[i].woken == 1;
		if (!all) {
			pthread_mutex_unlock(&woken_mu);
			usleep(10 * 1000);
			pthread_mutex_lock(&woken_mu);
		}
	}
	pthread_mutex_unlock(&woken_mu);
	return all;
}

/* The token endpoint answers with this status line and JSON body from now on. */
static void
answer_json(const char *status, const char *body)
{
	static char ans[2][1024];
	static int  which;

	/* Two buffers: a connection thread may still be sending the last one. */
	which = !which;
	tserver_write(ans[which], sizeof(ans[which]), "HTTP/1.1 %s\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
	    status, strlen(body), body);
	TSET(signin_answer, ans[which]);
}

/* A 200 with a token answer of the given lifetime. */
static void
answer_token(const char *token, int lifetime)
{
	char body[256];

	snprintf(body, sizeof(body), "{\"token_type\":\"Bearer\",\"expires_in\":"
	    "\"%d\",\"access_token\":\"%s\"}", lifetime, token);
	answer_json("200 OK", body);
}

static struct token_source *
signin_source(const char *dir, int port)
{
	static char		 secret[600], url[128];
	struct token_opts	 o;

	snprintf(secret, sizeof(secret), "%s/secret", dir);
	write_file(secret, "unit-test-secret\n");
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/tenant/oauth2/token",
	    port);
	memset(&o, 0, sizeof(o));
	o.kind = TOKEN_APP;
	o.client_secret_file = secret;
	o.signin.token_url = url;
	o.signin.client_id = "client";
	o.signin.timeout_ms = 3000;
	return token_source_new(&o);
}

/* One test's sign-in source, with its I/O loop and CPU pool, against the one fake endpoint. */
static struct pc_loop		*loop;
static struct cpu_pool		*cpu;
static char			 sdir[32];

static struct token_source *
signin_up(void)
{
	static int		 port;
	struct pc_loop_opts	 lo;
	struct token_source	*ts;

	umask(077);	/* the client secret is written 0600, or the source refuses it */
	snprintf(sdir, sizeof(sdir), "/tmp/bs-token-XXXXXX");
	CHECK(mkdtemp(sdir) != NULL);
	CHECK(pc_http_global_init() == 0);
	if (port == 0)
		CHECK((port = tserver_start(token_endpoint)) > 0);
	TSET(signin_delay_ms, 0);
	memset(&lo, 0, sizeof(lo));
	lo.max_connections = 4;
	lo.connect_timeout_ms = 1000;
	lo.user_agent = "batchstatus/test";
	loop = pc_loop_start(&lo);
	cpu = cpu_start(2);
	CHECK(loop != NULL && cpu != NULL);
	ts = signin_source(sdir, port);
	token_source_start(ts, loop, cpu);
	return ts;
}

static void
signin_down(struct token_source *ts)
{
	char path[64];

	pc_loop_stop(loop);
	cpu_stop(cpu);
	token_source_free(ts);
	pc_http_global_cleanup();
	snprintf(path, sizeof(path), "%s/secret", sdir);
	unlink(path);
	rmdir(sdir);
}

/* The source signs in (the endpoint handing out token) and holds it. */
static void
signed_in(struct token_source *ts, const char *token)
{
	struct waiter	 w;
	enum bs_error	 e;
	char		*t;

	answer_token(token, 3599);
	memset(&w, 0, sizeof(w));
	w.w.wake = woken;
	CHECK(token_get(ts, &t, &e, &w.w) == TOKEN_WAIT && all_woken(&w, 1));
	CHECK(token_get(ts, &t, &e, NULL) == TOKEN_READY && strcmp(t, token) == 0);
	wipe_str(t);
}

/* Many callers without a token wait for one sign-in, then all have the token. */
static void
test_one_signin_for_many_waiters(void)
{
	struct token_source	*ts = signin_up();
	struct waiter	 ws[10];
	enum bs_error	 e;
	char		*t;
	int		 i, before = tserver_count(), waits = 0;

	answer_token("tok-1", 3599);
	TSET(signin_delay_ms, 200);
	for (i = 0; i < 10; i++) {
		memset(&ws[i], 0, sizeof(ws[i]));
		ws[i].w.wake = woken;
		waits += token_get(ts, &t, &e, &ws[i].w) == TOKEN_WAIT;
	}
	CHECK(waits == 10);
	CHECK(all_woken(ws, 10));
	CHECK(tserver_count() == before + 1);
	CHECK(token_get(ts, &t, &e, NULL) == TOKEN_READY);
	CHECK_STR(t, "tok-1");
	wipe_str(t);
	TSET(signin_delay_ms, 0);
	signin_down(ts);
}

/* Past its renewal time the token still serves while one renewal runs. */
static void
test_renewal_keeps_the_current_token(void)
{
	struct token_source	*ts = signin_up();
	struct waiter		 w;
	enum bs_error		 e;
	char			*t;
	int64_t			 until;
	int			 before;

	signed_in(ts, "tok-1");
	/* 2 s: renewed half a second before it expires. */
	answer_token("tok-2", 2);
	memset(&w, 0, sizeof(w));
	w.w.wake = woken;
	/* tok-1 is valid for an hour: no sign-in now. */
	before = tserver_count();
	CHECK(token_get(ts, &t, &e, &w.w) == TOKEN_READY);
	wipe_str(t);
	CHECK(tserver_count() == before);
	/* Make the fake hand out a short token next, and force a renewal. */
	CHECK(token_refused(ts, "tok-1", 0) == 1);
	CHECK(token_get(ts, &t, &e, &w.w) == TOKEN_WAIT);
	CHECK(all_woken(&w, 1));
	CHECK(token_get(ts, &t, &e, NULL) == TOKEN_READY);
	CHECK_STR(t, "tok-2");
	wipe_str(t);
	answer_token("tok-3", 3599);
	TSET(signin_delay_ms, 300);
	usleep(1600 * 1000);
	/* Due for renewal, not expired: the old token now, the renewal in the background. */
	before = tserver_count();
	CHECK(token_get(ts, &t, &e, NULL) == TOKEN_READY);
	CHECK_STR(t, "tok-2");
	wipe_str(t);
	CHECK(token_get(ts, &t, &e, NULL) == TOKEN_READY);
	CHECK_STR(t, "tok-2");
	wipe_str(t);
	until = clock_ms() + 3000;
	do {
		usleep(50 * 1000);
		CHECK(token_get(ts, &t, &e, NULL) == TOKEN_READY);
	} while (strcmp(t, "tok-3") != 0 && (wipe_str(t), 1) &&
	    clock_ms() < until);
	CHECK_STR(t, "tok-3");
	wipe_str(t);
	CHECK(tserver_count() == before + 1);
	TSET(signin_delay_ms, 0);
	signin_down(ts);
}

/* A failed sign-in: its waiters are woken to the failure, and a backoff follows. */
static void
test_failure_then_backoff(void)
{
	struct token_source	*ts = signin_up();
	struct waiter		 w;
	enum bs_error		 e;
	char			*t, why[80];
	int			 before;

	signed_in(ts, "tok-3");
	answer_json("401 Unauthorized", "{\"error\":\"invalid_client\","
	    "\"error_description\":\"AADSTS7000215: Invalid client secret.\"}");
	CHECK(token_refused(ts, "tok-3", 0) == 1);
	memset(&w, 0, sizeof(w));
	w.w.wake = woken;
	before = tserver_count();
	CHECK(token_get(ts, &t, &e, &w.w) == TOKEN_WAIT);
	CHECK(all_woken(&w, 1));
	CHECK(token_get(ts, &t, &e, &w.w) == TOKEN_FAILED && e == BS_ERR_SIGNIN);
	token_failure(ts, why, sizeof(why));
	CHECK_STR(why, "invalid_client AADSTS7000215");
	CHECK(tserver_count() == before + 1);
	/* Within the backoff: no call, no wait. */
	CHECK(token_get(ts, &t, &e, &w.w) == TOKEN_FAILED);
	CHECK(tserver_count() == before + 1);
	CHECK(w.woken == 1);
	signin_down(ts);
}

/* A waiter that gives up (its deadline) is taken out; its wake never comes. */
static void
test_a_waiter_can_leave(void)
{
	struct token_source	*ts = signin_up();
	struct waiter		 w, other;
	enum bs_error		 e;
	char			*t;

	answer_token("tok-4", 3599);
	TSET(signin_delay_ms, 300);
	memset(&w, 0, sizeof(w));
	memset(&other, 0, sizeof(other));
	w.w.wake = other.w.wake = woken;
	CHECK(token_get(ts, &t, &e, &w.w) == TOKEN_WAIT);
	CHECK(token_get(ts, &t, &e, &other.w) == TOKEN_WAIT);
	CHECK(token_cancel_wait(ts, &w.w) == 1);
	CHECK(token_cancel_wait(ts, &w.w) == 0);
	CHECK(all_woken(&other, 1));
	usleep(100 * 1000);
	CHECK(w.woken == 0);
	CHECK(token_get(ts, &t, &e, NULL) == TOKEN_READY);
	CHECK_STR(t, "tok-4");
	wipe_str(t);
	TSET(signin_delay_ms, 0);
	signin_down(ts);
}

/* --- a file source --------------------------------------------------------- */

/* Each test's own token file (not there until written) and a source reading it. */
static char	dir[32], path[64];

static struct token_source *
file_up(void)
{
	struct token_opts o;

	snprintf(dir, sizeof(dir), "/tmp/bs-token-XXXXXX");
	T_RUN(test_an_in_place_rewrite_with_the_old_mtime_is_seen);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/token", dir);
	memset(&o, 0, sizeof(o));
	o.kind = TOKEN_FROM_FILE;
	o.token_file = path;
	umask(077);
	return token_source_new(&o);
}

static void
file_down(struct token_source *ts)
{
	token_source_free(ts);
	unlink(path);
	rmdir(dir);
}

static void
test_no_file_yet_is_no_token(void)
{
	struct token_source	*ts = file_up();
	char			 tok[TOKEN_MAX];

	CHECK(get(ts, tok, sizeof(tok)) == BS_ERR_TOKEN);	/* no file yet */
	file_down(ts);
}

/* Trimmed, and read again when the file changes. */
static void
test_the_file_is_read_trimmed_and_again_when_it_changes(void)
{
	struct token_source	*ts = file_up();
	char			 tok[TOKEN_MAX];

	write_file(path, "  first-token\n");
	CHECK(get(ts, tok, sizeof(tok)) == BS_OK);
	CHECK_STR(tok, "first-token");
	write_file(path, "second.token-value_2\r\n");
	CHECK(get(ts, tok, sizeof(tok)) == BS_OK);
	CHECK_STR(tok, "second.token-value_2");
	file_down(ts);
}

/* A token that could split a header line is refused, and the old one is not kept. */
static void
test_an_unusable_token_is_refused_and_the_old_one_not_kept(void)
{
	struct token_source	*ts = file_up();
	char			 tok[TOKEN_MAX], *big;

	write_file(path, "second.token-value_2\r\n");
	CHECK(get(ts, tok, sizeof(tok)) == BS_OK);
	write_file(path, "abc\r\nX-Evil: 1");
	CHECK(get(ts, tok, sizeof(tok)) == BS_ERR_TOKEN);
	CHECK(get(ts, tok, sizeof(tok)) == BS_ERR_TOKEN);
	write_file(path, "");
	CHECK(get(ts, tok, sizeof(tok)) == BS_ERR_TOKEN);
	write_file(path, "tok\xc3\xa9n");
	CHECK(get(ts, tok, sizeof(tok)) == BS_ERR_TOKEN);
	big = malloc(TOKEN_MAX + 10);
	memset(big, 'a', TOKEN_MAX + 9);
	big[TOKEN_MAX + 9] = '\0';
	write_file(path, big);
	CHECK(get(ts, tok, sizeof(tok)) == BS_ERR_TOKEN);
	free(big);
	file_down(ts);
}

/* A token file others may read is refused, and the old token with it. */
static void
test_a_token_file_others_may_read_is_refused(void)
{
	struct token_source	*ts = file_up();
	char			 tok[TOKEN_MAX];

	write_file(path, "third");
	CHECK(get(ts, tok, sizeof(tok)) == BS_OK);
	CHECK_STR(tok, "third");
	CHECK(chmod(path, 0644) == 0);
	CHECK(get(ts, tok, sizeof(tok)) == BS_ERR_TOKEN);
	write_file(path, "third");
	CHECK(get(ts, tok, sizeof(tok)) == BS_OK);
	file_down(ts);
}

/* A file source has nothing to renew: a refusal is final. */
static void
test_a_refused_file_token_is_not_renewed(void)
{
	struct token_source	*ts = file_up();
	char			 tok[TOKEN_MAX];

	write_file(path, "third");
	CHECK(get(ts, tok, sizeof(tok)) == BS_OK);
	CHECK(token_refused(ts, "third", 0) == 0);
	file_down(ts);
}

/* While the file is briefly gone (rotation), the last good token serves. */
static void
test_while_the_file_is_gone_the_last_token_serves(void)
{
	struct token_source	*ts = file_up();
	char			 tok[TOKEN_MAX];

	write_file(path, "third");
	CHECK(get(ts, tok, sizeof(tok)) == BS_OK);
	unlink(path);
	CHECK(get(ts, tok, sizeof(tok)) == BS_OK);
	CHECK_STR(tok, "third");
	file_down(ts);
}

/*
 * token.c logs each refused file to fd 2: those lines go to /dev/null,
 * the FAIL lines (the stdio stream stderr) keep the terminal.
 */
static void
quiet_logs(void)
{
	int keep = dup(2), null = open("/dev/null", O_WRONLY);

	stderr = fdopen(keep, "w");
	setvbuf(stderr, NULL, _IONBF, 0);
	dup2(null, 2);
	close(null);
}

int
main(void)
{
	quiet_logs();
	T_RUN(test_no_file_yet_is_no_token);
	T_RUN(test_the_file_is_read_trimmed_and_again_when_it_changes);
	T_RUN(test_an_unusable_token_is_refused_and_the_old_one_not_kept);
	T_RUN(test_a_token_file_others_may_read_is_refused);
	T_RUN(test_a_refused_file_token_is_not_renewed);
	T_RUN(test_while_the_file_is_gone_the_last_token_serves);
	T_RUN(test_one_signin_for_many_waiters);
	T_RUN(test_renewal_keeps_the_current_token);
	T_RUN(test_failure_then_backoff);
	T_RUN(test_a_waiter_can_leave);
	return t_done("test_token");
}
