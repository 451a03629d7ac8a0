/* shared.c: the only file that knows hiredis: one thread, one epoll loop, one connection to Redis, each command bounded by a short timeout. */
#include "shared.h"

#include <errno.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "metrics.h"
#include "text.h"
#include "wipe.h"

#define KEY_PREFIX	SHARED_KEY_PREFIX
#define RECONNECT_MS	1000
#define KEY_MAX		128

/*
 * The three scripts: each one round trip, atomic in Redis. claim: the
 * entry, else the pause, else the lock (taken, or its time left).
 */
static const char CLAIM[] =
    "local v = redis.call('GET', KEYS[1]) "
    "if v then return {1, v} end "
    "local p = redis.call('PTTL', KEYS[2]) "
    "if p > 0 then return {2, p} end "
    "if redis.call('SET', KEYS[3], ARGV[1], 'NX', 'PX', ARGV[2]) then "
    "return {3, 0} end "
    "return {4, redis.call('PTTL', KEYS[3])}";
static const char PUBLISH[] =
    "if tonumber(ARGV[2]) > 0 then "
    "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end "
    "if redis.call('GET', KEYS[2]) == ARGV[3] then "
    "redis.call('DEL', KEYS[2]) end return 1";
static const char RELEASE[] =
    "local ms = tonumber(ARGV[2]) "
    "if ms > 0 and redis.call('PTTL', KEYS[2]) < ms then "
    "redis.call('SET', KEYS[2], '1', 'PX', ms) end "
    "if redis.call('GET', KEYS[1]) == ARGV[1] then "
    "redis.call('DEL', KEYS[1]) end return 1";

/* The token: another node's, else the sign-in's lock; the newest refresh token beside. */
static const char TOKEN_CLAIM[] =
    "local v = redis.call('GET', KEYS[1]) "
    "local r = redis.call('GET', KEYS[2]) or '' "
    "if v then return {1, v, r} end "
    "if redis.call('SET', KEYS[3], ARGV[1], 'NX', 'PX', ARGV[2]) then "
    "return {3, '', r} end "
    "return {4, '', r}";
static const char TOKEN_PUBLISH[] =
    "if tonumber(ARGV[2]) > 0 then "
    "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end "
    "if ARGV[3] ~= '' then redis.call('SET', KEYS[2], ARGV[3]) end "
    "if redis.call('GET', KEYS[3]) == ARGV[4] then "
    "redis.call('DEL', KEYS[3]) end return 1";

/* The follower's lease: renewed by its holder, else taken when free. */
static const char LEASE[] =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then "
    "redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end "
    "if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then "
    "return 1 end return 0";

/* Let go of the lease, if this node still holds it. */
static const char UNLEASE[] =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then "
    "redis.call('DEL', KEYS[1]) end return 1";

#define TOKEN_KEY	SHARED_TOKEN_KEY
#define REFRESH_KEY	SHARED_REFRESH_KEY
#define SIGNIN_LOCK	"signin"	/* the lock's key: lock:signin (batch keys have a slash) */

enum cmd_kind { CMD_CLAIM, CMD_PUBLISH, CMD_RELEASE, CMD_HELLO, CMD_TOKEN_CLAIM,
	CMD_TOKEN_PUBLISH, CMD_LEASE, CMD_UNLEASE, CMD_FOLLOW_PUT, CMD_FOLLOW_DEL,
	CMD_FOLLOWS };

/* One command, queued by any thread, sent and answered on the Redis thread. */
struct cmd {
	struct cmd	*next;
	enum cmd_kind	 kind;
	char		 key[KEY_MAX], token[48];
	long		 ms;
	char		*data;		/* CMD_PUBLISH, CMD_TOKEN_PUBLISH: owned */
	size_t		 len;
	char		*data2;		/* CMD_TOKEN_PUBLISH: the refresh token's entry, owned */
	size_t		 len2;
	void		(*done)(void *, const struct shared_claim *);
	/* CMD_FOLLOWS: each field and value of the hash, before done. */
	void		(*each)(void *, const char *, size_t, const char *, size_t);
	void		*arg;
	int64_t		 deadline_ms;	/* set when sent */
	struct shared	*s;
};

struct shared {
	struct shared_opts	 o;
	char			 url[1024], *password;
	char			 host[256], path[512];
	int			 port, db;
	pthread_t		 thread;
	int			 ep, wake;
	pthread_mutex_t		 mu;
	struct cmd		*queue, **queue_tail;	/* under mu */
	int			 stopping;		/* under mu */
	/* The Redis thread's own. */
	redisAsyncContext	*ac;
	int			 events;		/* EPOLLIN/EPOLLOUT wanted on ac's fd */
	int			 ready;			/* connected and greeted */
	int64_t			 connect_deadline_ms, next_connect_ms;
	struct cmd		*sent, **sent_tail;	/* answers come in this order */
	int			 up;			/* atomic: for shared_up */
	int			 said_down;
};

int
shared_url_ok(const char *url, char *err, size_t errsz)
{
	const char	*p;
	char		*end;
	long		 v;

	if (strncmp(url, "redis+unix:/", 12) == 0) {
		p = url + 11;
		if (strlen(p) >= 400 || strchr(p, ' ') != NULL)
			goto bad;
		if ((p = strchr(p, '?')) != NULL) {
			if (strncmp(p, "?db=", 4) != 0)
				goto bad;
			v = strtol(p + 4, &end, 10);
			if (end == p + 4 || *end != '\0' || v < 0 || v > 15)
				goto bad;
		}
		return 0;
	}
	if (strncmp(url, "redis://", 8) == 0) {
		p = url + 8;
		if ((p = strchr(p, ':')) == NULL || p == url + 8 ||
		    (size_t)(p - url - 8) >= 256)
			goto bad;
		v = strtol(p + 1, &end, 10);
		if (end == p + 1 || v < 1 || v > 65535)
			goto bad;
		if (*end == '\0')
			return 0;
		if (*end != '/')
			goto bad;
		p = end + 1;
		if (*p == '\0')
			return 0;
		v = strtol(p, &end, 10);
		if (end == p || *end != '\0' || v < 0 || v > 15)
			goto bad;
		return 0;
	}
bad:
	snprintf(err, errsz, "must be redis://HOST:PORT[/DB] or "
	    "redis+unix:/PATH[?db=N] (DB 0-15)");
	return -1;
}

static void
parse_url(struct shared *s)
{
	const char *p, *q;

	if (strncmp(s->url, "redis+unix:", 11) == 0) {
		p = s->url + 11;
		q = strchr(p, '?');
		snprintf(s->path, sizeof(s->path), "%.*s",
		    (int)(q != NULL ? (size_t)(q - p) : strlen(p)), p);
		s->db = q != NULL ? atoi(q + 4) : 0;
		return;
	}
	p = s->url + 8;
	q = strchr(p, ':');
	snprintf(s->host, sizeof(s->host), "%.*s", (int)(q - p), p);
	s->port = atoi(q + 1);
	q = strchr(q, '/');
	s->db = q != NULL && q[1] != '\0' ? atoi(q + 1) : 0;
}

/* --- the event hooks hiredis calls ------------------------------------ */

static void
update_events(struct shared *s)
{
	struct epoll_event ev;

	if (s->ac == NULL)
		return;	/* being freed */
	memset(&ev, 0, sizeof(ev));
	ev.events = (uint32_t)s->events;
	ev.data.ptr = s->ac;
	(void)epoll_ctl(s->ep, EPOLL_CTL_MOD, s->ac->c.fd, &ev);
}

static void ev_add_read(void *p) { struct shared *s = p; s->events |= EPOLLIN; update_events(s); }
static void ev_del_read(void *p) { struct shared *s = p; s->events &= ~EPOLLIN; update_events(s); }
static void ev_add_write(void *p) { struct shared *s = p; s->events |= EPOLLOUT; update_events(s); }
static void ev_del_write(void *p) { struct shared *s = p; s->events &= ~EPOLLOUT; update_events(s); }

static void
ev_cleanup(void *p)
{
	struct shared *s = p;

	if (s->ac != NULL)
		(void)epoll_ctl(s->ep, EPOLL_CTL_DEL, s->ac->c.fd, NULL);
	s->events = 0;
}

/* --- answers ------------------------------------------------------------ */

static void
finish(struct cmd *c, const struct shared_claim *cl)
{
	struct shared_claim down = { CLAIM_DOWN, NULL, 0, 0, NULL, 0 };

	if (c->done != NULL)
		c->done(c->arg, cl != NULL ? cl : &down);
	wipe_free(c->data, c->len);
	free(c->data2);
	free(c);
}

/* Redis went away or is too slow: every node goes on alone; said once. */
static void
went_down(struct shared *s, const char *why)
{
	__atomic_store_n(&s->up, 0, __ATOMIC_RELAXED);
	metrics_shared_up(0);
	s->ready = 0;
	if (!s->said_down) {
		log_warn("shared: Redis %s: %s; this node serves from its own "
		    "cache and calls alone until it is back", s->url, why);
		metrics_shared(MS_DOWN);
	}
	s->said_down = 1;
}

static struct cmd *
sent_pop(struct shared *s)
{
	struct cmd *c = s->sent;

	if (c != NULL && (s->sent = c->next) == NULL)
		s->sent_tail = &s->sent;
	return c;
}

static void
on_reply(redisAsyncContext *ac, void *r, void *priv)
{
	struct shared		*s = ac->ev.data;
	redisReply		*rep = r;
	struct cmd		*c;
	struct shared_claim	 cl;

	(void)priv;
	if ((c = sent_pop(s)) == NULL)
		return;
	if (rep == NULL || rep->type == REDIS_REPLY_ERROR) {
		/* Said once: a refusal (a wrong password) repeats at every reconnect. */
		if (rep != NULL && !s->said_down)
			log_err("shared: Redis %s %s: %.200s", s->url,
			    c->kind == CMD_HELLO ? "refused this node" :
			    "failed a command", rep->str);
		if (rep != NULL && c->kind == CMD_HELLO)
			went_down(s, "refused");
		finish(c, NULL);
		return;
	}
	if (c->kind == CMD_HELLO) {
		if (!s->ready && rep->type == REDIS_REPLY_STATUS &&
		    strcmp(rep->str, "PONG") == 0) {
			log_notice("shared: Redis %s %s: sharing kept batches, the "
			    "calls' lock and the 429 pause", s->url, s->said_down ?
			    "is back" : "answers");
			s->ready = 1;
			s->said_down = 0;
			__atomic_store_n(&s->up, 1, __ATOMIC_RELAXED);
			metrics_shared_up(1);
			metrics_shared(MS_UP);
		}
		finish(c, NULL);
		return;
	}
	memset(&cl, 0, sizeof(cl));
	if (c->kind == CMD_LEASE) {
		cl.what = rep->type != REDIS_REPLY_INTEGER ? CLAIM_DOWN :
		    rep->integer == 1 ? CLAIM_LOCKED : CLAIM_BUSY;
		finish(c, &cl);
		return;
	}
	if (c->kind == CMD_FOLLOWS) {
		size_t i;

		if (rep->type != REDIS_REPLY_ARRAY) {
			finish(c, NULL);
			return;
		}
		for (i = 0; i + 1 < rep->elements; i += 2)
			if (rep->element[i]->type == REDIS_REPLY_STRING &&
			    rep->element[i + 1]->type == REDIS_REPLY_STRING &&
			    c->each != NULL)
				c->each(c->arg, rep->element[i]->str,
				    rep->element[i]->len, rep->element[i + 1]->str,
				    rep->element[i + 1]->len);
		cl.what = CLAIM_ENTRY;
		finish(c, &cl);
		return;
	}
	if (c->kind != CMD_CLAIM && c->kind != CMD_TOKEN_CLAIM) {
		finish(c, NULL);
		return;
	}
	cl.what = CLAIM_DOWN;
	if (c->kind == CMD_TOKEN_CLAIM && rep->type == REDIS_REPLY_ARRAY &&
	    rep->elements == 3 && rep->element[2]->type == REDIS_REPLY_STRING) {
		cl.data2 = rep->element[2]->str;
		cl.len2 = rep->element[2]->len;
	}
	if (rep->type == REDIS_REPLY_ARRAY && rep->elements >= 2 &&
	    rep->element[0]->type == REDIS_REPLY_INTEGER) {
		switch (rep->element[0]->integer) {
		case 1:
			if (rep->element[1]->type == REDIS_REPLY_STRING) {
				cl.what = CLAIM_ENTRY;
				cl.data = rep->element[1]->str;
				cl.len = rep->element[1]->len;
			}
			break;
		case 2:
		case 4:
			cl.what = rep->element[0]->integer == 2 ? CLAIM_PAUSED :
			    CLAIM_BUSY;
			cl.ms = rep->element[1]->type == REDIS_REPLY_INTEGER ?
			    (long)rep->element[1]->integer : 0;
			break;
		case 3:
			cl.what = CLAIM_LOCKED;
			break;
		}
	}
	finish(c, &cl);
}

static void
on_disconnect(const redisAsyncContext *ac, int status)
{
	struct shared *s = ac->ev.data;
	struct cmd *c;

	(void)status;
	s->ac = NULL;	/* hiredis frees it */
	s->events = 0;
	while ((c = sent_pop(s)) != NULL)
		finish(c, NULL);
	went_down(s, "the connection closed");
	s->next_connect_ms = clock_ms() + RECONNECT_MS;
}

static void
on_connect(const redisAsyncContext *ac, int status)
{
	struct shared *s = ac->ev.data;

	if (status != REDIS_OK) {
		/* hiredis frees the context after this. */
		s->ac = NULL;
		s->events = 0;
		went_down(s, ac->errstr);
		s->next_connect_ms = clock_ms() + RECONNECT_MS;
	}
}

/* --- sending ----------------------------------------------------------- */

static int
send_argv(struct shared *s, struct cmd *c, int argc, const char **argv,
    const size_t *lens)
{
	/* The timeout is for progress: a large entry gets the time its bytes take (64 MB/s). */
	c->deadline_ms = clock_ms() + s->o.timeout_ms + (int64_t)(c->len >> 16);
	if (redisAsyncCommandArgv(s->ac, on_reply, NULL, argc, argv, lens) !=
	    REDIS_OK)
		return -1;
	c->next = NULL;
	*s->sent_tail = c;
	s->sent_tail = &c->next;
	return 0;
}

#define TEXT	((size_t)-1)	/* an argument that is a string: its length is strlen's */

/*
 * EVAL script with nkeys keys, then the other arguments: n in all, each
 * text, or bytes of the length given in lens (lens NULL: all text).
 */
static int
send_eval(struct shared *s, struct cmd *c, const char *script,
    const char *nkeys, int n, const char *const *args, const size_t *lens)
{
	const char	*argv[16];
	size_t		 alens[16];
	int		 i;

	if (n + 3 > 16)
		return -1;
	argv[0] = "EVAL";
	argv[1] = script;
	argv[2] = nkeys;
	for (i = 0; i < n; i++)
		argv[3 + i] = args[i] != NULL ? args[i] : "";
	for (i = 0; i < n + 3; i++)
		alens[i] = i < 3 || lens == NULL || lens[i - 3] == TEXT ?
		    strlen(argv[i]) : args[i - 3] != NULL ? lens[i - 3] : 0;
	return send_argv(s, c, n + 3, argv, alens);
}

static int
send_cmd(struct shared *s, struct cmd *c)
{
	char		 k1[KEY_MAX + 32], k2[KEY_MAX + 32], k3[KEY_MAX + 32];
	char		 n1[24];

	snprintf(n1, sizeof(n1), "%ld", c->ms);
	switch (c->kind) {
	case CMD_HELLO:
		return -1;	/* sent by connect_now */
	case CMD_CLAIM: {
		const char *a[] = { k1, k2, k3, c->token, n1 };

		snprintf(k1, sizeof(k1), SHARED_BATCH_KEY "%s", c->key);
		snprintf(k2, sizeof(k2), KEY_PREFIX "pause");
		snprintf(k3, sizeof(k3), KEY_PREFIX "lock:%s", c->key);
		return send_eval(s, c, CLAIM, "3", 5, a, NULL);
	}
	case CMD_PUBLISH: {
		/* The entry is bytes. */
		const char *a[] = { k1, k2, c->data, n1, c->token };
		const size_t l[] = { TEXT, TEXT, c->len, TEXT, TEXT };

		snprintf(k1, sizeof(k1), SHARED_BATCH_KEY "%s", c->key);
		snprintf(k2, sizeof(k2), KEY_PREFIX "lock:%s", c->key);
		return send_eval(s, c, PUBLISH, "2", 5, a, l);
	}
	case CMD_TOKEN_CLAIM: {
		const char *a[] = { TOKEN_KEY, REFRESH_KEY, k3, c->token, n1 };

		snprintf(k3, sizeof(k3), KEY_PREFIX "lock:" SIGNIN_LOCK);
		return send_eval(s, c, TOKEN_CLAIM, "3", 5, a, NULL);
	}
	case CMD_TOKEN_PUBLISH: {
		/* The entries are bytes. */
		const char *a[] = { TOKEN_KEY, REFRESH_KEY, k3, c->data, n1,
		    c->data2, c->token };
		const size_t l[] = { TEXT, TEXT, TEXT, c->len, TEXT, c->len2,
		    TEXT };

		snprintf(k3, sizeof(k3), KEY_PREFIX "lock:" SIGNIN_LOCK);
		return send_eval(s, c, TOKEN_PUBLISH, "3", 7, a, l);
	}
	case CMD_LEASE: {
		const char *a[] = { SHARED_FOLLOWER_KEY, c->token, n1 };

		return send_eval(s, c, LEASE, "1", 3, a, NULL);
	}
	case CMD_UNLEASE: {
		const char *a[] = { SHARED_FOLLOWER_KEY, c->token };

		return send_eval(s, c, UNLEASE, "1", 2, a, NULL);
	}
	case CMD_FOLLOW_PUT: {
		/* ms: 1 replaces, 0 only adds. The entry is bytes. */
		const char	*argv[] = { c->ms ? "HSET" : "HSETNX",
				    SHARED_FOLLOWS_KEY, c->key, c->data };
		const size_t	 l[] = { strlen(argv[0]), strlen(argv[1]),
				    strlen(c->key), c->len };

		return send_argv(s, c, 4, argv, l);
	}
	case CMD_FOLLOW_DEL: {
		const char	*argv[] = { "HDEL", SHARED_FOLLOWS_KEY, c->key };
		const size_t	 l[] = { 4, strlen(argv[1]), strlen(c->key) };

		return send_argv(s, c, 3, argv, l);
	}
	case CMD_FOLLOWS: {
		const char	*argv[] = { "HGETALL", SHARED_FOLLOWS_KEY };
		const size_t	 l[] = { 7, strlen(argv[1]) };

		return send_argv(s, c, 2, argv, l);
	}
	case CMD_RELEASE: {
		const char *a[] = { k1, k2, c->token, n1 };

		snprintf(k1, sizeof(k1), KEY_PREFIX "lock:%s", c->key);
		snprintf(k2, sizeof(k2), KEY_PREFIX "pause");
		return send_eval(s, c, RELEASE, "2", 4, a, NULL);
	}
	}
	return -1;
}

/* A greeting: AUTH, SELECT, then PING; the PING's answer says the connection is usable. */
static void
greet(struct shared *s)
{
	const char	*argv[2];
	size_t		 lens[2];
	char		 db[8];
	struct cmd	*c;

	if (s->password != NULL) {
		argv[0] = "AUTH";
		argv[1] = s->password;
		lens[0] = 4;
		lens[1] = strlen(s->password);
		if ((c = calloc(1, sizeof(*c))) != NULL) {
			c->kind = CMD_HELLO;
			c->done = NULL;
			if (send_argv(s, c, 2, argv, lens) == -1)
				free(c);
		}
	}
	if (s->db != 0) {
		snprintf(db, sizeof(db), "%d", s->db);
		argv[0] = "SELECT";
		argv[1] = db;
		lens[0] = 6;
		lens[1] = strlen(db);
		if ((c = calloc(1, sizeof(*c))) != NULL) {
			c->kind = CMD_HELLO;
			if (send_argv(s, c, 2, argv, lens) == -1)
				free(c);
		}
	}
	argv[0] = "PING";
	lens[0] = 4;
	if ((c = calloc(1, sizeof(*c))) != NULL) {
		c->kind = CMD_HELLO;
		if (send_argv(s, c, 1, argv, lens) == -1)
			free(c);
	}
}

static void
connect_now(struct shared *s)
{
	struct epoll_event	ev;
	redisAsyncContext	*ac;

	s->next_connect_ms = clock_ms() + RECONNECT_MS;
	ac = s->path[0] != '\0' ? redisAsyncConnectUnix(s->path) :
	    redisAsyncConnect(s->host, s->port);
	if (ac == NULL)
		return;
	if (ac->err) {
		went_down(s, ac->errstr);
		redisAsyncFree(ac);
		return;
	}
	s->ac = ac;
	s->events = 0;
	ac->ev.data = s;
	ac->ev.addRead = ev_add_read;
	ac->ev.delRead = ev_del_read;
	ac->ev.addWrite = ev_add_write;
	ac->ev.delWrite = ev_del_write;
	ac->ev.cleanup = ev_cleanup;
	memset(&ev, 0, sizeof(ev));
	ev.data.ptr = ac;
	(void)epoll_ctl(s->ep, EPOLL_CTL_ADD, ac->c.fd, &ev);
	redisAsyncSetConnectCallback(ac, on_connect);
	redisAsyncSetDisconnectCallback(ac, on_disconnect);
	s->connect_deadline_ms = clock_ms() + s->o.timeout_ms;
	greet(s);
}

/* The oldest command unanswered past its timeout: Redis is too slow; drop the connection. */
static void
check_timeouts(struct shared *s, int64_t now)
{
	if (s->ac == NULL)
		return;
	if ((s->sent != NULL && now >= s->sent->deadline_ms) ||
	    (!s->ready && now >= s->connect_deadline_ms)) {
		redisAsyncContext *ac = s->ac;

		went_down(s, "no answer within the timeout");
		/* Every callback gets NULL (on_reply finishes its command), then on_disconnect. */
		redisAsyncFree(ac);
		s->ac = NULL;
		s->next_connect_ms = now + RECONNECT_MS;
	}
}

static void *
loop(void *arg)
{
	struct shared		*s = arg;
	struct epoll_event	 evs[4];
	struct cmd		*q, *c;
	int64_t			 now, wait;
	uint64_t		 n;
	int			 i, k, stop;

	for (;;) {
		now = clock_ms();
		wait = 1000;
		if (s->ac == NULL)
			wait = s->next_connect_ms - now;
		else if (s->sent != NULL)
			wait = s->sent->deadline_ms - now;
		else if (!s->ready)
			wait = s->connect_deadline_ms - now;
		k = epoll_wait(s->ep, evs, 4, (int)(wait < 0 ? 0 : wait > 1000 ?
		    1000 : wait));
		for (i = 0; i < k; i++) {
			if (evs[i].data.ptr == NULL) {
				(void)!read(s->wake, &n, sizeof(n));
				continue;
			}
			if (s->ac == NULL || evs[i].data.ptr != s->ac)
				continue;
			if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
				redisAsyncHandleRead(s->ac);
			if (s->ac != NULL && (evs[i].events & EPOLLOUT))
				redisAsyncHandleWrite(s->ac);
			/* Bytes moved: Redis is answering, a large reply just takes time. */
			if (s->sent != NULL && s->ready &&
			    s->sent->deadline_ms < clock_ms() + s->o.timeout_ms)
				s->sent->deadline_ms = clock_ms() + s->o.timeout_ms;
		}
		now = clock_ms();
		check_timeouts(s, now);
		pthread_mutex_lock(&s->mu);
		q = s->queue;
		s->queue = NULL;
		s->queue_tail = &s->queue;
		stop = s->stopping;
		pthread_mutex_unlock(&s->mu);
		if (!stop && s->ac == NULL && now >= s->next_connect_ms)
			connect_now(s);
		for (; q != NULL; q = c) {
			c = q->next;
			/* Not usable now: answer at once, nothing waits on Redis. */
			if (stop || s->ac == NULL || !s->ready ||
			    send_cmd(s, q) == -1)
				finish(q, NULL);
		}
		if (stop)
			break;
	}
	if (s->ac != NULL) {
		redisAsyncFree(s->ac);
		s->ac = NULL;
	}
	while ((c = sent_pop(s)) != NULL)
		finish(c, NULL);
	return NULL;
}

struct shared *
shared_start(const struct shared_opts *o)
{
	struct shared		*s;
	struct epoll_event	 ev;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->o = *o;
	snprintf(s->url, sizeof(s->url), "%s", o->url);
	s->o.url = s->url;
	if (o->password != NULL && (s->password = strdup(o->password)) == NULL) {
		free(s);
		return NULL;
	}
	s->o.password = NULL;
	parse_url(s);
	s->queue_tail = &s->queue;
	s->sent_tail = &s->sent;
	pthread_mutex_init(&s->mu, NULL);
	s->ep = epoll_create1(EPOLL_CLOEXEC);
	s->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	if (s->ep == -1 || s->wake == -1 ||
	    epoll_ctl(s->ep, EPOLL_CTL_ADD, s->wake, &ev) == -1 ||
	    pthread_create(&s->thread, NULL, loop, s) != 0) {
		if (s->ep != -1)
			close(s->ep);
		if (s->wake != -1)
			close(s->wake);
		free(s->password);
		free(s);
		return NULL;
	}
	return s;
}

static void
wake(struct shared *s)
{
	uint64_t one = 1;

	(void)!write(s->wake, &one, sizeof(one));
}

void
shared_stop(struct shared *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->stopping = 1;
	pthread_mutex_unlock(&s->mu);
	wake(s);
	pthread_join(s->thread, NULL);
	close(s->ep);
	close(s->wake);
	pthread_mutex_destroy(&s->mu);
	wipe_str(s->password);
	free(s);
}

static void
enqueue(struct shared *s, struct cmd *c)
{
	int stop;

	c->s = s;
	c->next = NULL;
	pthread_mutex_lock(&s->mu);
	if (!(stop = s->stopping)) {
		*s->queue_tail = c;
		s->queue_tail = &c->next;
	}
	pthread_mutex_unlock(&s->mu);
	if (stop)
		finish(c, NULL);
	else
		wake(s);
}

static struct cmd *
new_cmd(enum cmd_kind kind, const char *key, const char *token, long ms)
{
	struct cmd *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->kind = kind;
	snprintf(c->key, sizeof(c->key), "%s", key);
	snprintf(c->token, sizeof(c->token), "%s", token != NULL ? token : "");
	c->ms = ms;
	return c;
}

void
shared_claim(struct shared *s, const char *key, const char *token,
    long lock_ms, void (*done)(void *, const struct shared_claim *),
    void *arg)
{
	struct shared_claim	 down = { CLAIM_DOWN, NULL, 0, 0, NULL, 0 };
	struct cmd		*c;

	if (!__atomic_load_n(&s->up, __ATOMIC_RELAXED) ||
	    (c = new_cmd(CMD_CLAIM, key, token, lock_ms)) == NULL) {
		done(arg, &down);	/* away: no wait at all */
		return;
	}
	c->done = done;
	c->arg = arg;
	enqueue(s, c);
}

void
shared_publish(struct shared *s, const char *key, const void *data,
    size_t len, long ttl_ms, const char *token)
{
	struct cmd *c;

	if (!__atomic_load_n(&s->up, __ATOMIC_RELAXED) ||
	    (c = new_cmd(CMD_PUBLISH, key, token, ttl_ms)) == NULL)
		return;
	if (ttl_ms > 0 && (c->data = bytes_dup(data, len)) == NULL) {
		free(c);
		return;
	}
	c->len = len;
	enqueue(s, c);
}

void
shared_release(struct shared *s, const char *key, const char *token,
    long pause_ms)
{
	struct cmd *c;

	if (!__atomic_load_n(&s->up, __ATOMIC_RELAXED) ||
	    (c = new_cmd(CMD_RELEASE, key, token, pause_ms)) == NULL)
		return;
	enqueue(s, c);
}

void
shared_token_claim(struct shared *s, const char *token, long lock_ms,
    void (*done)(void *, const struct shared_claim *), void *arg)
{
	struct shared_claim	 down = { CLAIM_DOWN, NULL, 0, 0, NULL, 0 };
	struct cmd		*c;

	if (!__atomic_load_n(&s->up, __ATOMIC_RELAXED) ||
	    (c = new_cmd(CMD_TOKEN_CLAIM, SIGNIN_LOCK, token, lock_ms)) == NULL) {
		done(arg, &down);
		return;
	}
	c->done = done;
	c->arg = arg;
	enqueue(s, c);
}



void
shared_token_publish(struct shared *s, const void *entry, size_t len,
    long ttl_ms, const void *refresh, size_t rlen, const char *token)
{
	struct cmd *c;

	if (!__atomic_load_n(&s->up, __ATOMIC_RELAXED) ||
	    (c = new_cmd(CMD_TOKEN_PUBLISH, SIGNIN_LOCK, token, ttl_ms)) == NULL)
		return;
	if ((c->data = bytes_dup(entry, len)) == NULL ||
	    (refresh != NULL && (c->data2 = bytes_dup(refresh, rlen)) == NULL)) {
		finish(c, NULL);
		return;
	}
	c->len = len;
	c->len2 = refresh != NULL ? rlen : 0;
	enqueue(s, c);
}

void
shared_token_release(struct shared *s, const char *token)
{
	shared_release(s, SIGNIN_LOCK, token, 0);
}

int
shared_up(struct shared *s)
{
	return s != NULL && __atomic_load_n(&s->up, __ATOMIC_RELAXED);
}

void
shared_lease(struct shared *s, const char *token, long ttl_ms,
    void (*done)(void *, const struct shared_claim *), void *arg)
{
	struct shared_claim	 down = { CLAIM_DOWN, NULL, 0, 0, NULL, 0 };
	struct cmd		*c;

	if (!__atomic_load_n(&s->up, __ATOMIC_RELAXED) ||
	    (c = new_cmd(CMD_LEASE, "follower", token, ttl_ms)) == NULL) {
		done(arg, &down);
		return;
	}
	c->done = done;
	c->arg = arg;
	enqueue(s, c);
}

void
shared_follow_put(struct shared *s, const char *field, const void *data,
    size_t len, int replace)
{
	struct cmd *c;

	if (!__atomic_load_n(&s->up, __ATOMIC_RELAXED) ||
	    (c = new_cmd(CMD_FOLLOW_PUT, field, NULL, replace ? 1 : 0)) == NULL)
		return;
	if ((c->data = bytes_dup(data, len)) == NULL) {
		free(c);
		return;
	}
	c->len = len;
	enqueue(s, c);
}

void
shared_follow_del(struct shared *s, const char *field)
{
	struct cmd *c;

	if (!__atomic_load_n(&s->up, __ATOMIC_RELAXED) ||
	    (c = new_cmd(CMD_FOLLOW_DEL, field, NULL, 0)) == NULL)
		return;
	enqueue(s, c);
}

void
shared_follows(struct shared *s,
    void (*each)(void *, const char *, size_t, const char *, size_t),
    void (*done)(void *, const struct shared_claim *), void *arg)
{
	struct shared_claim	 down = { CLAIM_DOWN, NULL, 0, 0, NULL, 0 };
	struct cmd		*c;

	if (!__atomic_load_n(&s->up, __ATOMIC_RELAXED) ||
	    (c = new_cmd(CMD_FOLLOWS, "follows", NULL, 0)) == NULL) {
		done(arg, &down);
		return;
	}
	c->each = each;
	c->done = done;
	c->arg = arg;
	enqueue(s, c);
}

void
shared_unlease(struct shared *s, const char *token,
    void (*done)(void *, const struct shared_claim *), void *arg)
{
	struct shared_claim	 down = { CLAIM_DOWN, NULL, 0, 0, NULL, 0 };
	struct cmd		*c;

	if (!__atomic_load_n(&s->up, __ATOMIC_RELAXED) ||
	    (c = new_cmd(CMD_UNLEASE, "follower", token, 0)) == NULL) {
		done(arg, &down);
		return;
	}
	c->done = done;
	c->arg = arg;
	enqueue(s, c);
}
