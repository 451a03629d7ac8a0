/* pc_http.c: the I/O loop over one libcurl multi handle (epoll + curl_multi_socket_action) and its timers; the only file that speaks libcurl. */
#include "pc_http.h"

#define SYSTEM_CA_DIR	"/etc/ssl/certs"	/* Debian's ca-certificates, hashed for OpenSSL */

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "log.h"
#include "metrics.h"
#include "wipe.h"

#define EASY_SPARE_MAX	64	/* idle easy handles kept for the next calls */
#define EVENTS_MAX	128
#define FIRE_MAX	64	/* timers fired per turn; the rest on the next */
#define NUDGE_MS	1000	/* a socket quiet this long with calls on it is read anyway */

/* One call, from submission to its callback. */
struct xfer {
	struct xfer		*next;		/* the submission queue */
	struct xfer		*prev_run, *next_run;	/* running: the loop's list */
	CURL			*easy;
	struct curl_slist	*headers;
	char			*url;
	char			*post;
	size_t			 post_len;
	long			 timeout_ms, max_body;
	int64_t			 submitted_ms;
	struct buf		 body;
	int			 too_large;
	int			 in_header;	/* a status line came, its header section has not ended */
	struct pc_result	 res;
	pc_done_fn		 done;
	void			*arg;
	char			 errbuf[CURL_ERROR_SIZE];
};

struct spare {
	struct spare	*next;
	CURL		*easy;
};

/* A socket libcurl watches (a connection with calls on it), and when it last had an event. */
struct watched {
	curl_socket_t	 fd;
	int64_t		 last_ms;
};

struct pc_loop {
	struct pc_loop_opts	 o;
	char			*ca_file, *user_agent;	/* our copies */
	pthread_t		 thread;
	CURLM			*multi;
	CURLSH			*share;		/* TLS sessions, used by the loop's thread only */
	int			 epfd, evfd;
	/* Loop thread only. */
	int64_t			 curl_at_ms;	/* libcurl's next timeout; -1: none */
	struct xfer		*running;
	struct spare		*spares;
	long			 nspares;
	struct watched		*watched;
	size_t			 nwatched, capwatched;
	int64_t			 nudge_at_ms;
	/* Under mu. */
	pthread_mutex_t		 mu;
	struct xfer		*queue, *queue_tail;
	struct pc_timer		*timers;	/* sorted by at_ms */
	int			 stopping, woken;
};

int
pc_http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void
pc_http_global_cleanup(void)
{
	curl_global_cleanup();
}

long
pc_http_date(const char *s)
{
	time_t t = curl_getdate(s, NULL);

	return t == (time_t)-1 ? -1 : (long)t;
}

void
pc_result_free(struct pc_result *r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
}

/* Wakes the loop from epoll_wait; mu is held. */
static void
wake_locked(struct pc_loop *l)
{
	uint64_t one = 1;

	if (l->woken)
		return;
	l->woken = 1;
	(void)!write(l->evfd, &one, sizeof(one));
}

/* --- libcurl's callbacks (no libcurl calls inside them) ------------------ */

/* Where s is in the watched list, or nwatched. */
static size_t
watched_at(struct pc_loop *l, curl_socket_t s)
{
	size_t i;

	for (i = 0; i < l->nwatched && l->watched[i].fd != s; i++)
		;
	return i;
}

static void
watch(struct pc_loop *l, curl_socket_t s, int on)
{
	size_t		 i = watched_at(l, s);
	struct watched	*w;

	if (!on) {
		if (i < l->nwatched)
			l->watched[i] = l->watched[--l->nwatched];
		return;
	}
	if (i < l->nwatched)
		return;
	if (l->nwatched == l->capwatched) {
		if ((w = realloc(l->watched, (l->capwatched * 2 + 16) *
		    sizeof(*w))) == NULL)
			return;	/* only the nudge below misses it */
		l->watched = w;
		l->capwatched = l->capwatched * 2 + 16;
	}
	l->watched[l->nwatched].fd = s;
	l->watched[l->nwatched++].last_ms = clock_ms();
}

static int
on_socket(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct pc_loop		*l = userp;
	struct epoll_event	 ev;

	(void)e;
	(void)socketp;
	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, s, NULL);
		watch(l, s, 0);
		return 0;
	}
	watch(l, s, 1);
	memset(&ev, 0, sizeof(ev));
	ev.data.fd = s;
	ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0) |
	    ((what & CURL_POLL_OUT) ? EPOLLOUT : 0);
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, s, &ev) == -1 && errno == ENOENT &&
	    epoll_ctl(l->epfd, EPOLL_CTL_ADD, s, &ev) == -1)
		log_warn("pc_http: epoll cannot watch socket %d: %s", (int)s,
		    strerror(errno));
	return 0;
}

static int
on_timer(CURLM *m, long timeout_ms, void *userp)
{
	struct pc_loop *l = userp;

	(void)m;
	l->curl_at_ms = timeout_ms < 0 ? -1 : clock_ms() + timeout_ms;
	return 0;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct xfer	*x = arg;
	size_t		 len = size * n;

	if (x->body.len + len > (size_t)x->max_body) {
		x->too_large = 1;
		return 0;	/* a short count aborts the transfer */
	}
	if (buf_append(&x->body, p, len) == -1)
		return 0;
	return len;
}

/* Copies header value "Name: value\r\n" into out when its name matches. */
static int
header_value(const char *line, size_t len, const char *name, char *out,
    size_t outsz)
{
	size_t nlen = strlen(name), vlen;

	if (len <= nlen || line[nlen] != ':' ||
	    strncasecmp(line, name, nlen) != 0)
		return 0;
	line += nlen + 1;
	len -= nlen + 1;
	while (len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n' ||
	    line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	vlen = len < outsz - 1 ? len : outsz - 1;
	memcpy(out, line, vlen);
	out[vlen] = '\0';
	return 1;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct xfer	*x = arg;
	size_t		 len = size * n;

	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		/* A new answer (after a 100 Continue, say): forget the last one's headers. */
		x->res.retry_after[0] = '\0';
		x->res.content_type[0] = '\0';
		x->in_header = 1;
	} else if (len <= 2 && (p[0] == '\r' || p[0] == '\n'))
		x->in_header = 0;	/* the blank line that ends a header section */
	else if (!header_value(p, len, "Retry-After", x->res.retry_after,
	    sizeof(x->res.retry_after)))
		header_value(p, len, "Content-Type", x->res.content_type,
		    sizeof(x->res.content_type));
	return len;
}

/* Every new connection's socket, before it connects: counted as it opens, not when its first call ends. */
static int
on_sockopt(void *arg, curl_socket_t fd, curlsocktype purpose)
{
	(void)arg;
	(void)fd;
	if (purpose == CURLSOCKTYPE_IPCXN)
		metrics_upstream_connects(1);
	return CURL_SOCKOPT_OK;
}

/* --- one call -------------------------------------------------------------- */

/* Frees a header list after zeroing it: one of its lines may carry the token. */
static void
wipe_headers(struct curl_slist *l)
{
	struct curl_slist *h;

	for (h = l; h != NULL; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	curl_slist_free_all(l);
}

static void
xfer_free(struct xfer *x)
{
	wipe_headers(x->headers);
	wipe_free(x->post, x->post_len);
	free(x->url);
	buf_free(&x->body);
	pc_result_free(&x->res);
	free(x);
}

static int
tls_failure(CURLcode rc)
{
	switch (rc) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_USE_SSL_FAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
		return 1;
	default:
		return 0;
	}
}

static enum pc_outcome
classify(CURLcode rc, const struct xfer *x)
{
	if (tls_failure(rc))
		return PC_TLS;
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return PC_TIMEOUT;
	case CURLE_FILESIZE_EXCEEDED:
		return PC_TOO_LARGE;
	case CURLE_WRITE_ERROR:
		return x->too_large ? PC_TOO_LARGE : PC_INTERNAL;
	/*
	 * libcurl 7.88 says "out of memory" of a header line over its 100 KiB
	 * (CURL_MAX_HTTP_HEADER) and fails a header section over 300 KiB as a
	 * receive error; 8.6 and later say CURLE_TOO_LARGE of both. Within a
	 * header section that is the answer's fault, not this server's.
	 */
	case CURLE_OUT_OF_MEMORY:
		return x->in_header ? PC_BAD_HEADER : PC_INTERNAL;
	case CURLE_RECV_ERROR:
		return x->in_header && strncmp(x->errbuf, "Too large response "
		    "headers", 26) == 0 ? PC_BAD_HEADER : PC_CONNECT;
#if LIBCURL_VERSION_NUM >= 0x080600
	case CURLE_TOO_LARGE:
		return PC_BAD_HEADER;
#endif
	default:
		return PC_CONNECT;
	}
}

/* An easy handle for the next call: a spare one, reset, or a new one. Loop thread. */
static CURL *
easy_take(struct pc_loop *l)
{
	struct spare	*s = l->spares;
	CURL		*e;

	if (s == NULL)
		return curl_easy_init();
	l->spares = s->next;
	l->nspares--;
	e = s->easy;
	free(s);
	curl_easy_reset(e);
	return e;
}

static void
easy_give(struct pc_loop *l, CURL *e)
{
	struct spare *s;

	if (l->nspares >= EASY_SPARE_MAX || (s = malloc(sizeof(*s))) == NULL) {
		curl_easy_cleanup(e);
		return;
	}
	s->easy = e;
	s->next = l->spares;
	l->spares = s;
	l->nspares++;
}

/* Sets every option of the call on its handle; the loop's thread (the share is not locked). */
static void
xfer_setup(struct pc_loop *l, struct xfer *x)
{
	CURL	*c = x->easy;
	long	 left, conn;

	/* The budget runs from submission: time spent queued counts. */
	left = x->timeout_ms - (long)(clock_ms() - x->submitted_ms);
	if (left < 1)
		left = 1;
	conn = l->o.connect_timeout_ms > 0 && l->o.connect_timeout_ms < left ?
	    l->o.connect_timeout_ms : left;
	curl_easy_setopt(c, CURLOPT_URL, x->url);
	curl_easy_setopt(c, CURLOPT_PRIVATE, x);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	/* The file's CAs beside the system's (a private CA for one host, public ones for webhooks). */
	if (l->ca_file != NULL) {
		curl_easy_setopt(c, CURLOPT_CAINFO, l->ca_file);
		curl_easy_setopt(c, CURLOPT_CAPATH, SYSTEM_CA_DIR);
	}
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, conn);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, left);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max_body);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	/*
	 * HTTP/2 when the server offers it (ALPN), and then one connection for
	 * many calls: a call waits for the TLS handshake in progress to say
	 * whether it may share the connection. Plain http:// (local tests) is
	 * HTTP/1.1, and waiting there would mean waiting for a first answer.
	 */
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	if (strncasecmp(x->url, "https://", 8) == 0)
		curl_easy_setopt(c, CURLOPT_PIPEWAIT, 1L);
	/*
	 * CURLOPT_BUFFERSIZE stays at libcurl's 16 KiB: below it, 7.88's
	 * HTTP/2 copies a DATA frame of up to 16 KiB into the smaller buffer
	 * (a heap overflow under ASan with 4 KiB) or stalls a paused stream.
	 */
	curl_easy_setopt(c, CURLOPT_USERAGENT, l->user_agent);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(c, CURLOPT_SOCKOPTFUNCTION, on_sockopt);
	if (l->share != NULL)
		curl_easy_setopt(c, CURLOPT_SHARE, l->share);
	if (x->post != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, x->post);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)x->post_len);
	} else
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
}

/* Hands a finished call to its callback and recycles its handle. Loop thread. */
static void
xfer_finish(struct pc_loop *l, struct xfer *x, CURLcode rc)
{
	struct pc_result	*r = &x->res;
	long			 ver = 0, connects = 0;

	curl_multi_remove_handle(l->multi, x->easy);
	if (x->prev_run != NULL)
		x->prev_run->next_run = x->next_run;
	else
		l->running = x->next_run;
	if (x->next_run != NULL)
		x->next_run->prev_run = x->prev_run;
	curl_easy_getinfo(x->easy, CURLINFO_HTTP_VERSION, &ver);
	curl_easy_getinfo(x->easy, CURLINFO_NUM_CONNECTS, &connects);
	r->elapsed_ms = (long)(clock_ms() - x->submitted_ms);
	r->new_connections = connects;
	if (rc == CURLE_OK && x->body.failed)
		rc = CURLE_OUT_OF_MEMORY;
	if (rc != CURLE_OK) {
		r->outcome = classify(rc, x);
		snprintf(r->detail, sizeof(r->detail), "%s%s%s%s",
		    r->outcome == PC_BAD_HEADER ? "an answer header over "
		    "libcurl's limit: " : "", curl_easy_strerror(rc),
		    x->errbuf[0] ? ": " : "", x->errbuf);
	} else {
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE,
		    &r->http_status);
		r->http_version = ver == CURL_HTTP_VERSION_2_0 ? 2 :
		    ver == CURL_HTTP_VERSION_3 ? 3 : 1;
		r->outcome = PC_ANSWER;
		if (x->body.data == NULL)
			buf_append(&x->body, "", 0);
		r->body = buf_steal(&x->body, &r->len);
		if (r->body == NULL) {
			r->outcome = PC_INTERNAL;
			snprintf(r->detail, sizeof(r->detail), "out of memory");
		}
	}
	/* The handle forgets this call's header list (the token) before it is reused. */
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, NULL);
	easy_give(l, x->easy);
	x->easy = NULL;
	metrics_in_flight(-1);
	x->done(x->arg, r);
	xfer_free(x);
}

/* Starts what was submitted since the last turn. Loop thread. */
static void
start_queued(struct pc_loop *l, struct xfer *q)
{
	struct xfer	*x, *next;
	CURLMcode	 mc;

	for (x = q; x != NULL; x = next) {
		next = x->next;
		x->next = NULL;
		if ((x->easy = easy_take(l)) == NULL) {
			x->res.outcome = PC_INTERNAL;
			snprintf(x->res.detail, sizeof(x->res.detail),
			    "out of memory");
			metrics_in_flight(-1);
			x->done(x->arg, &x->res);
			xfer_free(x);
			continue;
		}
		xfer_setup(l, x);
		x->prev_run = NULL;
		x->next_run = l->running;
		if (l->running != NULL)
			l->running->prev_run = x;
		l->running = x;
		if ((mc = curl_multi_add_handle(l->multi, x->easy)) != CURLM_OK) {
			snprintf(x->errbuf, sizeof(x->errbuf), "%s",
			    curl_multi_strerror(mc));
			xfer_finish(l, x, CURLE_FAILED_INIT);
		}
	}
}

static void
collect_done(struct pc_loop *l)
{
	CURLMsg		*m;
	struct xfer	*x;
	int		 left;

	while ((m = curl_multi_info_read(l->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		x = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (x != NULL)
			xfer_finish(l, x, m->data.result);
	}
}

/* Fires the timers that are due; returns the next one's time, or -1. */
static int64_t
fire_timers(struct pc_loop *l, int64_t now)
{
	void		(*fn[FIRE_MAX])(void *);
	void		*arg[FIRE_MAX];
	struct pc_timer	*t;
	int		 n = 0, i;
	int64_t		 next;

	pthread_mutex_lock(&l->mu);
	while ((t = l->timers) != NULL && t->at_ms <= now && n < FIRE_MAX) {
		l->timers = t->next;
		t->armed = 0;
		t->next = NULL;
		fn[n] = t->fn;
		arg[n++] = t->arg;
	}
	next = l->timers != NULL ? (n == FIRE_MAX ? now : l->timers->at_ms) : -1;
	pthread_mutex_unlock(&l->mu);
	for (i = 0; i < n; i++)
		fn[i](arg[i]);
	return next;
}

/*
 * libcurl 7.88's HTTP/2 can leave a stream's data in its own buffers with
 * nothing on the socket to wake it (a stream paused on a full receive
 * buffer: the last few KiB of a large answer then waited for the deadline,
 * measured with a 4 KiB buffer). A socket with calls on it that has been
 * quiet for NUDGE_MS is handed to libcurl as readable anyway: a read that
 * finds nothing costs it an EAGAIN; a stalled stream goes on.
 */
static void
nudge_quiet(struct pc_loop *l)
{
	int64_t	 now = clock_ms();
	size_t	 i;
	int	 running;

	if (now < l->nudge_at_ms)
		return;
	l->nudge_at_ms = now + NUDGE_MS;
	/* From the end: an action may remove the socket it was given (swap-remove). */
	for (i = l->nwatched; i-- > 0;)
		if (i < l->nwatched && now - l->watched[i].last_ms >= NUDGE_MS) {
			l->watched[i].last_ms = now;
			curl_multi_socket_action(l->multi, l->watched[i].fd,
			    CURL_CSELECT_IN, &running);
		}
}

static void *
loop_main(void *arg)
{
	struct pc_loop		*l = arg;
	struct epoll_event	 ev[EVENTS_MAX];
	struct xfer		*q;
	int64_t			 now, next, at;
	int			 i, n, running, flags, stop;
	size_t			 k;
	uint64_t		 drained;

	for (;;) {
		pthread_mutex_lock(&l->mu);
		q = l->queue;
		l->queue = l->queue_tail = NULL;
		stop = l->stopping;
		pthread_mutex_unlock(&l->mu);
		if (stop) {
			/* Whatever was queued meanwhile goes with the rest. */
			while (q != NULL) {
				struct xfer *x = q;

				q = q->next;
				metrics_in_flight(-1);
				xfer_free(x);
			}
			break;
		}
		start_queued(l, q);

		now = clock_ms();
		next = fire_timers(l, now);
		at = l->curl_at_ms;
		if (next >= 0 && (at < 0 || next < at))
			at = next;
		if (l->nwatched > 0 && (at < 0 || l->nudge_at_ms < at))
			at = l->nudge_at_ms;
		n = epoll_wait(l->epfd, ev, EVENTS_MAX, at < 0 ? -1 :
		    at <= now ? 0 : (int)(at - now > 60000 ? 60000 : at - now));
		for (i = 0; i < n; i++) {
			if (ev[i].data.fd == l->evfd) {
				(void)!read(l->evfd, &drained, sizeof(drained));
				pthread_mutex_lock(&l->mu);
				l->woken = 0;
				pthread_mutex_unlock(&l->mu);
				continue;
			}
			if ((k = watched_at(l, ev[i].data.fd)) < l->nwatched)
				l->watched[k].last_ms = clock_ms();
			flags = ((ev[i].events & EPOLLIN) ? CURL_CSELECT_IN : 0) |
			    ((ev[i].events & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
			    ((ev[i].events & (EPOLLERR | EPOLLHUP)) ?
			    CURL_CSELECT_ERR : 0);
			curl_multi_socket_action(l->multi, ev[i].data.fd, flags,
			    &running);
		}
		if (l->curl_at_ms >= 0 && clock_ms() >= l->curl_at_ms) {
			l->curl_at_ms = -1;
			curl_multi_socket_action(l->multi, CURL_SOCKET_TIMEOUT, 0,
			    &running);
		}
		nudge_quiet(l);
		collect_done(l);
	}
	return NULL;
}

struct pc_loop *
pc_loop_start(const struct pc_loop_opts *o)
{
	struct pc_loop		*l;
	struct epoll_event	 ev;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->o = *o;
	l->epfd = l->evfd = -1;
	l->curl_at_ms = -1;
	pthread_mutex_init(&l->mu, NULL);
	if (o->ca_file != NULL && o->ca_file[0] != '\0' &&
	    (l->ca_file = strdup(o->ca_file)) == NULL)
		goto fail;
	if ((l->user_agent = strdup(o->user_agent ? o->user_agent :
	    "batchstatus")) == NULL)
		goto fail;
	if ((l->multi = curl_multi_init()) == NULL ||
	    (l->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (l->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1)
		goto fail;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = l->evfd;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->evfd, &ev) == -1)
		goto fail;
	/* TLS sessions shared by every handle: a new connection resumes one. */
	if ((l->share = curl_share_init()) != NULL)
		curl_share_setopt(l->share, CURLSHOPT_SHARE,
		    CURL_LOCK_DATA_SSL_SESSION);
	curl_multi_setopt(l->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(l->multi, CURLMOPT_SOCKETDATA, l);
	curl_multi_setopt(l->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(l->multi, CURLMOPT_TIMERDATA, l);
	curl_multi_setopt(l->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	curl_multi_setopt(l->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    o->max_connections);
	/* Idle connections kept for reuse: as many as may be open. */
	curl_multi_setopt(l->multi, CURLMOPT_MAXCONNECTS, o->max_connections);
	if (pthread_create(&l->thread, NULL, loop_main, l) != 0)
		goto fail;
	return l;
fail:
	if (l->share != NULL)
		curl_share_cleanup(l->share);
	if (l->multi != NULL)
		curl_multi_cleanup(l->multi);
	if (l->epfd != -1)
		close(l->epfd);
	if (l->evfd != -1)
		close(l->evfd);
	free(l->ca_file);
	free(l->user_agent);
	pthread_mutex_destroy(&l->mu);
	free(l);
	return NULL;
}

void
pc_loop_stop(struct pc_loop *l)
{
	struct xfer	*x;
	struct spare	*s;

	if (l == NULL)
		return;
	pthread_mutex_lock(&l->mu);
	l->stopping = 1;
	wake_locked(l);
	pthread_mutex_unlock(&l->mu);
	pthread_join(l->thread, NULL);
	while ((x = l->running) != NULL) {
		l->running = x->next_run;
		curl_multi_remove_handle(l->multi, x->easy);
		curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, NULL);
		curl_easy_cleanup(x->easy);
		metrics_in_flight(-1);
		xfer_free(x);
	}
	while ((s = l->spares) != NULL) {
		l->spares = s->next;
		curl_easy_cleanup(s->easy);
		free(s);
	}
	curl_multi_cleanup(l->multi);
	free(l->watched);
	if (l->share != NULL)
		curl_share_cleanup(l->share);
	close(l->epfd);
	close(l->evfd);
	free(l->ca_file);
	free(l->user_agent);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

int
pc_loop_submit(struct pc_loop *l, const struct pc_request *req, pc_done_fn done,
    void *arg)
{
	struct xfer		*x;
	struct curl_slist	*h;
	size_t			 i;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return -1;
	buf_init(&x->body);
	x->done = done;
	x->arg = arg;
	x->timeout_ms = req->timeout_ms;
	x->max_body = req->max_body;
	x->submitted_ms = clock_ms();
	if ((x->url = strdup(req->url)) == NULL)
		goto fail;
	for (i = 0; req->headers != NULL && req->headers[i] != NULL; i++) {
		if ((h = curl_slist_append(x->headers, req->headers[i])) == NULL)
			goto fail;
		x->headers = h;
	}
	if (req->post != NULL) {
		if ((x->post = malloc(req->post_len + 1)) == NULL)
			goto fail;
		memcpy(x->post, req->post, req->post_len);
		x->post[req->post_len] = '\0';
		x->post_len = req->post_len;
	}
	pthread_mutex_lock(&l->mu);
	if (l->stopping) {
		pthread_mutex_unlock(&l->mu);
		goto fail;
	}
	if (l->queue_tail != NULL)
		l->queue_tail->next = x;
	else
		l->queue = x;
	l->queue_tail = x;
	metrics_in_flight(1);
	wake_locked(l);
	pthread_mutex_unlock(&l->mu);
	return 0;
fail:
	xfer_free(x);
	return -1;
}

void
pc_timer_set(struct pc_loop *l, struct pc_timer *t, int64_t at_ms,
    void (*fn)(void *), void *arg)
{
	struct pc_timer **pp;

	pthread_mutex_lock(&l->mu);
	t->at_ms = at_ms;
	t->fn = fn;
	t->arg = arg;
	t->armed = 1;
	for (pp = &l->timers; *pp != NULL && (*pp)->at_ms <= at_ms;
	    pp = &(*pp)->next)
		;
	t->next = *pp;
	*pp = t;
	if (l->timers == t)
		wake_locked(l);
	pthread_mutex_unlock(&l->mu);
}

int
pc_timer_cancel(struct pc_loop *l, struct pc_timer *t)
{
	struct pc_timer	**pp;
	int		  was = 0;

	pthread_mutex_lock(&l->mu);
	if (t->armed) {
		for (pp = &l->timers; *pp != NULL && *pp != t; pp = &(*pp)->next)
			;
		if (*pp == t)
			*pp = t->next;
		t->armed = 0;
		t->next = NULL;
		was = 1;
	}
	pthread_mutex_unlock(&l->mu);
	return was;
}
