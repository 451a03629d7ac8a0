/* token.c: the bearer token from a file (re-read when it changes) or from the sign-in endpoint (renewed early through the I/O loop, one renewal at a time, backoff on failure). */
#include "token.h"

#include <errno.h>
#include <stddef.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "buf.h"
#include "clock.h"
#include "guid.h"
#include "log.h"
#include "metrics.h"
#include "seal.h"
#include "secret.h"
#include "shared.h"
#include "text.h"
#include "wipe.h"

#define BACKOFF_FIRST_MS	1000
#define BACKOFF_MAX_MS		60000
#define RENEW_MARGIN_MAX_MS	300000	/* five minutes before expiry at most */
#define SECRET_MAX		4096
#define REFUSED_RENEW_MS	60000	/* after a renewed token is refused too, refusals renew nothing this long */

struct token_source {
	pthread_mutex_t		 lock;
	struct token_opts	 o;
	struct pc_loop		*loop;
	struct cpu_pool		*cpu;
	char			*token;		/* NULL until there is one */
	/* TOKEN_FROM_FILE */
	struct stat		 seen;		/* of the file we read it from */
	int			 warned;	/* the last failure was logged */
	int			 bad;		/* the file as seen is unusable: wait for it to change */
	/* TOKEN_APP, TOKEN_APP_USER; times on the monotonic clock */
	int64_t			 renew_at_ms, expires_at_ms, retry_at_ms;
	int64_t			 refused_at_ms;	/* the last renewal a 401 caused */
	char			*refresh;	/* App+User: the newest refresh token (the file may lag) */
	long			 backoff_ms;
	int			 renewing;
	struct token_waiter	*waiters;	/* for the renewal in flight */
	struct cpu_task		 answered;	/* the renewal's answer, read on a CPU worker */
	struct pc_result	 result;	/* that answer, handed over by the loop */
	char			 failure[80];	/* the last sign-in failure, for pages */
	/* BATCHSTATUS_SHARED: one sign-in per token lifetime for all nodes, and the newest refresh token. */
	struct shared		*shared;
	const struct seal_key	*key;
	char			 sh_lock[GUID_LEN + 1];
	int			 sh_locked;	/* this node holds the sign-in's lock */
	int64_t			 sh_started_ms;
	char			*sh_known;	/* the refresh token this node would sign in with */
	char			*sh_entry, *sh_refresh;	/* Redis's answer: copies */
	size_t			 sh_entry_len, sh_refresh_len;
	enum shared_claim_what	 sh_what;
	struct cpu_task		 sh_task;
	struct pc_timer		 sh_retry;
};

#define TOKEN_NAME	SHARED_TOKEN_KEY	/* what the seals name: the Redis keys */
#define REFRESH_NAME	SHARED_REFRESH_KEY
#define SHARED_POLL_MS	100	/* asks Redis again this often while another node signs in */

static char *
dup_opt(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

struct token_source *
token_source_new(const struct token_opts *o)
{
	struct token_source *ts;

	if ((ts = calloc(1, sizeof(*ts))) == NULL)
		return NULL;
	ts->o = *o;
	/* Our own copies: the caller's strings need not outlive this call. */
	ts->o.token_file = dup_opt(o->token_file);
	ts->o.client_secret_file = dup_opt(o->client_secret_file);
	ts->o.refresh_token_file = dup_opt(o->refresh_token_file);
	ts->o.signin.token_url = dup_opt(o->signin.token_url);
	ts->o.signin.client_id = dup_opt(o->signin.client_id);
	ts->o.signin.ca_file = dup_opt(o->signin.ca_file);
	if ((o->token_file && !ts->o.token_file) ||
	    (o->client_secret_file && !ts->o.client_secret_file) ||
	    (o->refresh_token_file && !ts->o.refresh_token_file) ||
	    (o->signin.token_url && !ts->o.signin.token_url) ||
	    (o->signin.client_id && !ts->o.signin.client_id) ||
	    (o->signin.ca_file && !ts->o.signin.ca_file)) {
		token_source_free(ts);
		return NULL;
	}
	pthread_mutex_init(&ts->lock, NULL);
	return ts;
}

static void
forget(struct token_source *ts)
{
	wipe_str(ts->token);
	ts->token = NULL;
}

void
token_source_free(struct token_source *ts)
{
	if (ts == NULL)
		return;
	forget(ts);
	wipe_str(ts->refresh);
	pc_result_free(&ts->result);
	wipe_str(ts->sh_known);
	wipe_free(ts->sh_entry, ts->sh_entry_len);
	free(ts->sh_refresh);
	pthread_mutex_destroy(&ts->lock);
	free((char *)ts->o.token_file);
	free((char *)ts->o.client_secret_file);
	free((char *)ts->o.refresh_token_file);
	free((char *)ts->o.signin.token_url);
	free((char *)ts->o.signin.client_id);
	free((char *)ts->o.signin.ca_file);
	free(ts);
}

void
token_source_reload(struct token_source *ts)
{
	pthread_mutex_lock(&ts->lock);
	/* The token file is read again at the next use, whatever its times say. */
	memset(&ts->seen, 0, sizeof(ts->seen));
	ts->bad = 0;
	ts->warned = 0;
	/* A sign-in that failed (a secret being replaced) is tried again at once. */
	ts->backoff_ms = 0;
	ts->retry_at_ms = 0;
	pthread_mutex_unlock(&ts->lock);
}

void
token_source_start(struct token_source *ts, struct pc_loop *loop,
    struct cpu_pool *cpu)
{
	ts->loop = loop;
	ts->cpu = cpu;
}

/* Hands out a copy of the current token; the lock is held. */
static enum token_step
copy_out(struct token_source *ts, char **out, enum bs_error *err,
    enum bs_error e)
{
	if (ts->token == NULL || (*out = strdup(ts->token)) == NULL) {
		*err = ts->token == NULL ? e : BS_ERR_INTERNAL;
		return TOKEN_FAILED;
	}
	return TOKEN_READY;
}

/* --- a token from a file ------------------------------------------------ */

/*
 * Whether the file is the one last read, unchanged. mtime alone misses a
 * rewrite in place that puts the old mtime back (touch -r, a restore,
 * rsync -t of the same size); ctime moves on every write and every
 * utimensat, and no one can set it back.
 */
static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size && a->st_mode == b->st_mode &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Reads and checks the file; on success replaces the cached token. */
static int
reload(struct token_source *ts, const struct stat *st)
{
	char	*buf, why[320];

	if ((buf = malloc(TOKEN_MAX)) == NULL)
		return -1;
	if (secret_check(ts->o.token_file, why, sizeof(why)) == -1 ||
	    secret_read(ts->o.token_file, buf, TOKEN_MAX, why,
	    sizeof(why)) == -1) {
		log_err("token file: %s", why);
		free(buf);
		return -1;
	}
	forget(ts);
	ts->token = strdup(buf);
	wipe_free(buf, TOKEN_MAX);
	if (ts->token == NULL)
		return -1;
	ts->seen = *st;
	log_info("token: read from %s", ts->o.token_file);
	return 0;
}

static enum token_step
file_get(struct token_source *ts, char **out, enum bs_error *err)
{
	struct stat	 st;

	if (stat(ts->o.token_file, &st) == -1) {
		if (!ts->warned)
			log_err("token file %s: %s", ts->o.token_file,
			    strerror(errno));
		ts->warned = 1;
		/* Keep serving with the token we have: a rotation may be under way. */
		return copy_out(ts, out, err, BS_ERR_TOKEN);
	}
	if (!same_file(&st, &ts->seen) || (ts->token == NULL && !ts->bad)) {
		ts->warned = 0;
		ts->bad = reload(ts, &st) == -1;
		if (ts->bad) {
			/* An unusable new file must not silently keep an old token alive. */
			forget(ts);
			ts->seen = st;
		}
	}
	if (ts->bad) {
		*err = BS_ERR_TOKEN;
		return TOKEN_FAILED;
	}
	return copy_out(ts, out, err, BS_ERR_TOKEN);
}

/* --- a token from the sign-in endpoint ----------------------------------- */

/* Takes the answer in; the lock is held. */
static void
apply_answer(struct token_source *ts, struct signin_answer *a, int64_t now,
    char **rotated)
{
	const char	*grant = ts->o.kind == TOKEN_APP_USER ?
	    "refresh_token" : "client_credentials";
	const char	*ver = ts->o.signin.v2 ? "v2" : "v1";
	long		 margin;

	if (!a->ok) {
		ts->backoff_ms = ts->backoff_ms == 0 ? BACKOFF_FIRST_MS :
		    ts->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
		    ts->backoff_ms * 2;
		ts->retry_at_ms = now + ts->backoff_ms;
		snprintf(ts->failure, sizeof(ts->failure), "%s%s%s", a->error,
		    a->aadsts[0] ? " " : "", a->aadsts);
		log_warn("token: sign-in failed (%s, %s): %s%s%s, %s, %ld ms; "
		    "next try in %ld s", grant, ver, a->error,
		    a->aadsts[0] ? " " : "", a->aadsts, a->detail,
		    a->elapsed_ms, ts->backoff_ms / 1000);
		metrics_token(0);
		return;
	}
	forget(ts);
	ts->token = a->access_token;
	a->access_token = NULL;
	/* Renew early: a quarter of the lifetime before expiry, five minutes at most. */
	margin = a->expires_in * 1000 / 4;
	if (margin > RENEW_MARGIN_MAX_MS)
		margin = RENEW_MARGIN_MAX_MS;
	ts->expires_at_ms = now + a->expires_in * 1000;
	ts->renew_at_ms = ts->expires_at_ms - margin;
	ts->backoff_ms = 0;
	ts->retry_at_ms = 0;
	ts->failure[0] = '\0';
	log_info("token: renewed (%s, %s) in %ld ms; valid %ld s, renewing "
	    "%ld s before expiry", grant, ver, a->elapsed_ms, a->expires_in,
	    margin / 1000);
	metrics_token(1);
	if (ts->o.kind == TOKEN_APP_USER && a->refresh_token != NULL) {
		/* Kept in memory first: the next renewal needs it even if saving fails. */
		wipe_str(ts->refresh);
		ts->refresh = a->refresh_token;
		a->refresh_token = NULL;
		*rotated = strdup(ts->refresh);
	}
}

/* Saves a rotated refresh token, without the lock (fsync is slow); the caller is the only renewer. */
static void
save_refresh(struct token_source *ts, char *value)
{
	char why[320];

	if (secret_replace(ts->o.refresh_token_file, value, why,
	    sizeof(why)) == -1)
		log_err("token: the sign-in rotated the refresh token but it "
		    "could not be saved, so a restart will fail to sign in: %s",
		    why);
	else
		log_info("token: rotated refresh token saved to %s",
		    ts->o.refresh_token_file);
	wipe_str(value);
}

/*
 * The renewal ended (a's answer, on a CPU worker): the token or the
 * backoff is taken in, a rotated refresh token saved, and everyone who
 * waited is woken to ask again.
 */
/* The renewal is over (whichever way): everyone who waited asks again. */
static void
wake_waiters(struct token_source *ts)
{
	struct token_waiter *w, *next;

	pthread_mutex_lock(&ts->lock);
	ts->renewing = 0;
	ts->sh_locked = 0;
	wipe_str(ts->sh_known);
	ts->sh_known = NULL;
	w = ts->waiters;
	ts->waiters = NULL;
	pthread_mutex_unlock(&ts->lock);
	for (; w != NULL; w = next) {
		next = w->next;
		w->wake(w);
	}
}

/*
 * Shared mode, after this node's sign-in: the token for the others until
 * they should renew (sealed: encrypted with the shared key), and a rotated
 * refresh token, which every node then signs in with; the lock let go.
 */
static void
publish_token(struct token_source *ts, int ok, const char *rotated)
{
	struct buf	 entry, refresh;
	char		*plain = NULL;
	long		 ttl = 0;
	int64_t		 now = clock_ms(), left;

	if (ts->shared == NULL)
		return;
	buf_init(&entry);
	buf_init(&refresh);
	pthread_mutex_lock(&ts->lock);
	if (ok && ts->token != NULL && (plain = malloc(strlen(ts->token) +
	    32)) != NULL) {
		left = ts->expires_at_ms - now;
		sprintf(plain, "%lld %s", (long long)((int64_t)time(NULL) * 1000 +
		    left), ts->token);
		ttl = (long)(ts->renew_at_ms - now);
	}
	pthread_mutex_unlock(&ts->lock);
	if (plain != NULL && ttl > 0 && seal_secret(ts->key, TOKEN_NAME, plain,
	    strlen(plain), &entry) == 0 && (rotated == NULL ||
	    seal_secret(ts->key, REFRESH_NAME, rotated, strlen(rotated),
	    &refresh) == 0))
		shared_token_publish(ts->shared, entry.data, entry.len, ttl,
		    rotated != NULL ? refresh.data : NULL, refresh.len,
		    ts->sh_lock);
	else if (ts->sh_locked)
		shared_token_release(ts->shared, ts->sh_lock);
	if (plain != NULL) {
		wipe_str(plain);
	}
	if (entry.data != NULL)
	wipe_buf(&entry);
	buf_free(&refresh);
}

static void
renewal_done(struct token_source *ts, struct signin_answer *a)
{
	char	*rotated = NULL;
	int	 ok = a->ok;

	pthread_mutex_lock(&ts->lock);
	apply_answer(ts, a, clock_ms(), &rotated);
	pthread_mutex_unlock(&ts->lock);
	signin_answer_free(a);
	publish_token(ts, ok, rotated);
	/* Others use the new token meanwhile; renewing keeps writers single. */
	if (rotated != NULL)
		save_refresh(ts, rotated);
	wake_waiters(ts);
}

static void	begin_renewal(struct token_source *, const char *);
static void	ask_shared_token(struct token_source *);
static void	retry_shared_token(void *);

/* Another node's token, still good: taken as if this node had signed in (no call, no count). */
static int
take_shared_token(struct token_source *ts, const char *plain)
{
	long long	 expires_epoch_ms;
	const char	*sp = strchr(plain, ' ');
	int64_t		 now = clock_ms(), left;
	long		 margin;

	if (sp == NULL || sscanf(plain, "%lld", &expires_epoch_ms) != 1 ||
	    sp[1] == '\0')
		return -1;
	left = expires_epoch_ms - (int64_t)time(NULL) * 1000;
	if (left < 1000)
		return -1;	/* about to expire: sign in instead */
	pthread_mutex_lock(&ts->lock);
	forget(ts);
	if ((ts->token = strdup(sp + 1)) == NULL) {
		pthread_mutex_unlock(&ts->lock);
		return -1;
	}
	margin = (long)(left / 4 > RENEW_MARGIN_MAX_MS ? RENEW_MARGIN_MAX_MS :
	    left / 4);
	ts->expires_at_ms = now + left;
	ts->renew_at_ms = ts->expires_at_ms - margin;
	ts->backoff_ms = 0;
	ts->retry_at_ms = 0;
	ts->failure[0] = '\0';
	pthread_mutex_unlock(&ts->lock);
	log_info("token: another node's, from Redis; valid %lld s",
	    (long long)(left / 1000));
	return 0;
}

/* Redis's answer about the token (a CPU worker). */
static void
shared_token_task(struct cpu_task *t)
{
	struct token_source	*ts = (struct token_source *)(void *)
	    ((char *)t - offsetof(struct token_source, sh_task));
	char			*plain = NULL, *newest = NULL, *known;
	size_t			 n;

	/* The newest refresh token, whoever rotated it, is the one to sign in with. */
	if (ts->sh_refresh != NULL && ts->sh_refresh_len > 0 &&
	    unseal_secret(ts->key, REFRESH_NAME, ts->sh_refresh,
	    ts->sh_refresh_len, &newest, &n) == -1)
		log_err("token: the refresh token in Redis fails its seal: "
		    "ignored");
	/* Kept as this node's newest too: it is the one to use should Redis be away at the next renewal. */
	if (newest != NULL && ts->o.kind == TOKEN_APP_USER) {
		char *copy = strdup(newest);

		pthread_mutex_lock(&ts->lock);
		if (copy != NULL) {
			wipe_str(ts->refresh);
			ts->refresh = copy;
		}
		pthread_mutex_unlock(&ts->lock);
	}
	switch (ts->sh_what) {
	case CLAIM_ENTRY:
		if (unseal_secret(ts->key, TOKEN_NAME, ts->sh_entry,
		    ts->sh_entry_len, &plain, &n) == 0 &&
		    take_shared_token(ts, plain) == 0) {
			wipe_free(plain, n);
			wipe_str(newest);
			wake_waiters(ts);
			return;
		}
		if (plain == NULL)
			log_err("token: the token in Redis fails its seal: "
			    "ignored; signing in");
		else
			wipe_free(plain, n);
		break;
	case CLAIM_BUSY:
		/* Another node signs in: its token shortly, or this node's own after the sign-in's timeout. */
		if (clock_ms() - ts->sh_started_ms + SHARED_POLL_MS <
		    ts->o.signin.timeout_ms) {
			wipe_str(newest);
			pc_timer_set(ts->loop, &ts->sh_retry, clock_ms() +
			    SHARED_POLL_MS, retry_shared_token, ts);
			return;
		}
		break;
	case CLAIM_LOCKED:
		ts->sh_locked = 1;
		break;
	default:
		break;
	}
	known = newest != NULL ? newest : ts->sh_known;
	begin_renewal(ts, known);
	wipe_str(newest);
}

/* The loop's thread: time to ask Redis again. */
static void
retry_shared_token(void *arg)
{
	ask_shared_token(arg);
}

/* Redis's thread: copies, then the CPU pool reads them. */
static void
on_token_claim(void *arg, const struct shared_claim *cl)
{
	struct token_source *ts = arg;

	free(ts->sh_entry);
	free(ts->sh_refresh);
	ts->sh_entry = ts->sh_refresh = NULL;
	ts->sh_entry_len = ts->sh_refresh_len = 0;
	ts->sh_what = cl->what;
	if (cl->what == CLAIM_ENTRY && (ts->sh_entry = bytes_dup(cl->data,
	    cl->len)) != NULL)
		ts->sh_entry_len = cl->len;
	else if (cl->what == CLAIM_ENTRY)
		ts->sh_what = CLAIM_DOWN;
	if (cl->len2 > 0 && (ts->sh_refresh = bytes_dup(cl->data2,
	    cl->len2)) != NULL)
		ts->sh_refresh_len = cl->len2;
	ts->sh_task.fn = shared_token_task;
	cpu_post(ts->cpu, &ts->sh_task, CPU_WORK);
}

static void
ask_shared_token(struct token_source *ts)
{
	/* The lock outlives one sign-in call: a node that died holding it costs one. */
	shared_token_claim(ts->shared, ts->sh_lock, ts->o.signin.timeout_ms +
	    5000, on_token_claim, ts);
}

/* Shared mode's renewal (renewing is set): Redis first; begin_renewal if this node signs in. */
static void
shared_renewal(struct token_source *ts, const char *known)
{
	ts->sh_known = known != NULL ? strdup(known) : NULL;
	ts->sh_started_ms = clock_ms();
	ts->sh_locked = 0;
	guid_new(ts->sh_lock);
	ask_shared_token(ts);
}

void
token_source_share(struct token_source *ts, struct shared *s,
    const struct seal_key *key)
{
	if (ts->o.kind == TOKEN_FROM_FILE)
		return;	/* each node reads its own file */
	ts->shared = s;
	ts->key = key;
}

static void
answered(struct cpu_task *t)
{
	struct token_source	*ts = (struct token_source *)(void *)
	    ((char *)t - offsetof(struct token_source, answered));
	struct signin_answer	 a;

	signin_result(&ts->result, &a);
	/* The answer carried the token: wipe it (a failed call has no body). */
	if (ts->result.body != NULL)
		explicit_bzero(ts->result.body, ts->result.len);
	pc_result_free(&ts->result);
	renewal_done(ts, &a);
}

/* The loop's thread: the answer goes to a CPU worker (json-c, maybe an fsync). */
static void
on_answer(void *arg, struct pc_result *r)
{
	struct token_source *ts = arg;

	ts->result = *r;
	r->body = NULL;
	ts->answered.fn = answered;
	cpu_post(ts->cpu, &ts->answered, CPU_WORK);
}

static void
fail_answer(struct signin_answer *a, const char *error, const char *detail)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->error, sizeof(a->error), "%s", error);
	snprintf(a->detail, sizeof(a->detail), "%.250s", detail);
}

/*
 * Starts the one renewal (renewing is set): reads the secrets (small local
 * files, read at every renewal so a rotated secret is picked up without a
 * restart), builds the form and hands the POST to the loop. Without the
 * lock. known: the newest refresh token we hold, or NULL.
 */
static void
begin_renewal(struct token_source *ts, const char *known)
{
	struct signin_answer	 a;
	struct pc_request	 req;
	struct buf		 form;
	static const char *const headers[] = { "Accept: application/json",
	    NULL };
	char			*secret = NULL, *refresh = NULL, why[320];
	int			 user = ts->o.kind == TOKEN_APP_USER, ok = 0;

	buf_init(&form);
	if ((secret = malloc(SECRET_MAX)) == NULL ||
	    (user && (refresh = malloc(TOKEN_MAX)) == NULL))
		fail_answer(&a, "internal", "out of memory");
	else if (secret_check(ts->o.client_secret_file, why, sizeof(why)) == -1 ||
	    secret_read(ts->o.client_secret_file, secret, SECRET_MAX, why,
	    sizeof(why)) == -1 ||
	    (user && known == NULL && (secret_check(ts->o.refresh_token_file,
	    why, sizeof(why)) == -1 || secret_read(ts->o.refresh_token_file,
	    refresh, TOKEN_MAX, why, sizeof(why)) == -1)))
		fail_answer(&a, "secret_file", why);
	else {
		if (user && known != NULL)
			snprintf(refresh, TOKEN_MAX, "%s", known);
		/* Room for it all at once: the secrets are never copied by a realloc. */
		if (buf_reserve(&form, 3 * (strlen(secret) + (refresh ?
		    strlen(refresh) : 0)) + 1024) == -1 ||
		    signin_form(&ts->o.signin, secret, refresh, &form) == -1)
			fail_answer(&a, "internal", "out of memory");
		else {
			memset(&req, 0, sizeof(req));
			req.url = ts->o.signin.token_url;
			req.headers = headers;
			req.post = form.data;
			req.post_len = form.len;
			req.timeout_ms = ts->o.signin.timeout_ms;
			req.max_body = SIGNIN_MAX_BODY;
			if (ts->loop != NULL && pc_loop_submit(ts->loop, &req,
			    on_answer, ts) == 0)
				ok = 1;
			else
				fail_answer(&a, "internal", "the I/O loop is "
				    "not running");
		}
	}
	wipe_free(secret, SECRET_MAX);
	wipe_free(refresh, TOKEN_MAX);
	if (form.data != NULL)
	wipe_buf(&form);
	if (!ok)
		renewal_done(ts, &a);
}

/* The lock is held; it is dropped while a renewal starts. */
static enum token_step
signin_get(struct token_source *ts, char **out, enum bs_error *err,
    struct token_waiter *w)
{
	int64_t	 now = clock_ms();
	char	*known;
	int	 usable;

	if (ts->token != NULL && now < ts->renew_at_ms)
		return copy_out(ts, out, err, BS_ERR_SIGNIN);
	usable = ts->token != NULL && now < ts->expires_at_ms;
	/* Past the renewal time but not expired: usable while one renewal runs or a backoff lasts. */
	if (usable && (ts->renewing || now < ts->retry_at_ms))
		return copy_out(ts, out, err, BS_ERR_SIGNIN);
	if (!ts->renewing && now < ts->retry_at_ms) {
		*err = BS_ERR_SIGNIN;
		return TOKEN_FAILED;
	}
	if (!usable) {
		if (w == NULL) {
			*err = BS_ERR_SIGNIN;
			return TOKEN_FAILED;
		}
		w->next = ts->waiters;
		ts->waiters = w;
	}
	if (ts->renewing)
		return TOKEN_WAIT;
	ts->renewing = 1;
	known = ts->refresh != NULL ? strdup(ts->refresh) : NULL;
	pthread_mutex_unlock(&ts->lock);
	if (ts->shared != NULL)
		shared_renewal(ts, known);
	else
		begin_renewal(ts, known);
	wipe_str(known);
	pthread_mutex_lock(&ts->lock);
	if (!usable)
		return TOKEN_WAIT;
	/* This caller started the renewal early: it goes on with the current token. */
	return copy_out(ts, out, err, BS_ERR_SIGNIN);
}

enum token_step
token_get(struct token_source *ts, char **out, enum bs_error *err,
    struct token_waiter *w)
{
	enum token_step s;

	*out = NULL;
	*err = BS_OK;
	pthread_mutex_lock(&ts->lock);
	s = ts->o.kind == TOKEN_FROM_FILE ? file_get(ts, out, err) :
	    signin_get(ts, out, err, w);
	pthread_mutex_unlock(&ts->lock);
	return s;
}

int
token_cancel_wait(struct token_source *ts, struct token_waiter *w)
{
	struct token_waiter	**pp;
	int			  found = 0;

	pthread_mutex_lock(&ts->lock);
	for (pp = &ts->waiters; *pp != NULL; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			found = 1;
			break;
		}
	pthread_mutex_unlock(&ts->lock);
	return found;
}

int
token_refused(struct token_source *ts, const char *token, int again)
{
	int	 retry = 0;
	int64_t	 now = clock_ms();

	if (ts->o.kind == TOKEN_FROM_FILE)
		return 0;
	pthread_mutex_lock(&ts->lock);
	if (ts->token != NULL && strcmp(ts->token, token) == 0) {
		if (again) {
			/*
			 * A token renewed for this very call was refused too:
			 * a new one will be (a missing permission, say). For a
			 * minute, refusals renew nothing, or every request
			 * would cost a sign-in.
			 */
			ts->refused_at_ms = now;
			pthread_mutex_unlock(&ts->lock);
			log_warn("token: Partner Center refused a new token too; "
			    "not renewing on refusals for %d s (check the app's "
			    "Partner Center permissions)", REFUSED_RENEW_MS / 1000);
			return 0;
		}
		if (ts->refused_at_ms != 0 &&
		    now - ts->refused_at_ms < REFUSED_RENEW_MS) {
			pthread_mutex_unlock(&ts->lock);
			return 0;
		}
		log_warn("token: Partner Center refused the current token; "
		    "renewing it");
		forget(ts);
		ts->renew_at_ms = ts->expires_at_ms = 0;
	}
	/* Another token is there, or the next token_get asks for one. */
	retry = ts->token != NULL || now >= ts->retry_at_ms;
	pthread_mutex_unlock(&ts->lock);
	return retry;
}

void
token_failure(struct token_source *ts, char *out, size_t outsz)
{
	pthread_mutex_lock(&ts->lock);
	snprintf(out, outsz, "%s", ts->failure);
	pthread_mutex_unlock(&ts->lock);
}
