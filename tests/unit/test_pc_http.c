/* test_pc_http.c: the I/O loop against a tiny local server: what is sent, answers, body caps, deadlines, failures, connection reuse, timers. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "pc_http.h"
#include "t.h"
#include "tserver.h"

#define OK_JSON "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" \
    "Content-Length: 2\r\n\r\n{}"

static const char	*answer;	/* what the server sends; NULL: nothing */
static long		 answer_delay_ms;
static char		 base[64];
static struct pc_loop	*loop;

static const char *
serve(const char *request, long *delay_ms)
{
	(void)request;
	*delay_ms = TGET(answer_delay_ms);
	return TGET(answer);
}

/* One call made through the loop, waited for here. */
struct waited {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int			 done;
	struct pc_result	 r;
};

static void
on_done(void *arg, struct pc_result *r)
{
	struct waited *w = arg;

	pthread_mutex_lock(&w->mu);
	w->r = *r;
	r->body = NULL;
	w->done = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void
call_post(const char *path, const char *post, long timeout_ms, long max_body,
    struct pc_result *out)
{
	static const char *const headers[] = { "Authorization: Bearer sekrit",
	    "X-Locale: hu-HU", NULL };
	struct pc_request	 req;
	struct waited		 w;
	char			 url[128];

	memset(&w, 0, sizeof(w));
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	snprintf(url, sizeof(url), "%s%s", base, path);
	memset(&req, 0, sizeof(req));
	req.url = url;
	req.headers = headers;
	req.post = post;
	req.post_len = post ? strlen(post) : 0;
	req.timeout_ms = timeout_ms;
	req.max_body = max_body;
	if (pc_loop_submit(loop, &req, on_done, &w) != 0) {
		memset(out, 0, sizeof(*out));
		out->outcome = PC_INTERNAL;
		return;
	}
	pthread_mutex_lock(&w.mu);
	while (!w.done)
		pthread_cond_wait(&w.cv, &w.mu);
	pthread_mutex_unlock(&w.mu);
	*out = w.r;
	pthread_cond_destroy(&w.cv);
	pthread_mutex_destroy(&w.mu);
}

/*
 * Each test's own loop, against the one fake server (started by the first
 * test: it keeps no state but the knobs, which up() resets).
 */
static int	port;	/* the fake server's */

static void
up(void)
{
	struct pc_loop_opts o;

	CHECK(pc_http_global_init() == 0);
	if (port == 0)
		CHECK((port = tserver_start(serve)) > 0);
	TSET(answer, NULL);
	TSET(answer_delay_ms, 0);
	memset(&o, 0, sizeof(o));
	o.max_connections = 64;
	o.connect_timeout_ms = 500;
	o.user_agent = "batchstatus/test";
	CHECK((loop = pc_loop_start(&o)) != NULL);
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
}

static void
down(void)
{
	pc_loop_stop(loop);
	loop = NULL;
	pc_http_global_cleanup();
}

static void
call(const char *resp, struct pc_result *out)
{
	TSET(answer, resp);
	call_post("/v1/x", NULL, 700, 100000, out);
}

static void
test_sends_what_it_is_given(void)
{
	struct pc_result	 r;
	char			 got[8192];

	up();
	call(OK_JSON, &r);
	CHECK(r.outcome == PC_ANSWER && r.http_status == 200);
	CHECK(r.len == 2 && strcmp(r.body, "{}") == 0);
	CHECK_STR(r.content_type, "application/json");
	CHECK(r.http_version == 1);
	tserver_last_request(got, sizeof(got));
	CHECK(strncmp(got, "GET /v1/x HTTP/1.1\r\n", 20) == 0);
	CHECK_CONTAINS(got, "\r\nAuthorization: Bearer sekrit\r\n");
	CHECK_CONTAINS(got, "\r\nX-Locale: hu-HU\r\n");
	CHECK_CONTAINS(got, "\r\nUser-Agent: batchstatus/test\r\n");
	pc_result_free(&r);
	/* A POST carries its form. */
	TSET(answer, OK_JSON);
	call_post("/token", "grant_type=client_credentials&a=b", 700, 1000, &r);
	tserver_last_request(got, sizeof(got));
	CHECK(strncmp(got, "POST /token HTTP/1.1\r\n", 22) == 0);
	CHECK_CONTAINS(got, "\r\n\r\ngrant_type=client_credentials&a=b");
	pc_result_free(&r);
	down();
}

static void
test_keeps_the_connection_alive(void)
{
	struct pc_result r;

	up();
	call(OK_JSON, &r);
	pc_result_free(&r);
	call(OK_JSON, &r);
	CHECK(r.outcome == PC_ANSWER && r.new_connections == 0);
	pc_result_free(&r);
	down();
}

static void
test_hands_over_retry_after(void)
{
	struct pc_result r;

	up();
	call("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 57\r\n"
	    "Content-Length: 0\r\n\r\n", &r);
	CHECK(r.outcome == PC_ANSWER && r.http_status == 429);
	CHECK_STR(r.retry_after, "57");
	pc_result_free(&r);
	call("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", &r);
	CHECK(r.http_status == 404 && r.retry_after[0] == '\0');
	CHECK(r.body != NULL && r.len == 0);
	pc_result_free(&r);
	down();
}

static void
test_caps_the_body(void)
{
	static char		 big[200000], big2[200000];	/* one each: the server may still be sending the first */
	static const char	 len_head[] = "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 199900\r\nConnection: close\r\n\r\n";
	static const char	 nolen_head[] = "HTTP/1.1 200 OK\r\n"
	    "Connection: close\r\n\r\n";
	struct pc_result	 r;

	up();
	/* By Content-Length up front, and while streaming without one. */
	memset(big, 'x', sizeof(big) - 1);
	memcpy(big, len_head, sizeof(len_head) - 1);
	call(big, &r);
	CHECK(r.outcome == PC_TOO_LARGE && r.body == NULL);
	memset(big2, 'x', sizeof(big2) - 1);
	memcpy(big2, nolen_head, sizeof(nolen_head) - 1);
	call(big2, &r);
	CHECK(r.outcome == PC_TOO_LARGE);
	down();
}

static void
test_keeps_its_deadline(void)
{
	struct pc_result	 r;
	int64_t			 t0 = clock_ms();

	up();
	/* A server that never answers: the call's own budget, from submission. */
	call(NULL, &r);
	CHECK(r.outcome == PC_TIMEOUT);
	CHECK(clock_ms() - t0 >= 650 && clock_ms() - t0 < 5000);
	CHECK(r.elapsed_ms >= 650);
	/* One that answers too late. */
	TSET(answer_delay_ms, 1200);
	call(OK_JSON, &r);
	TSET(answer_delay_ms, 0);
	CHECK(r.outcome == PC_TIMEOUT);
	down();
}

static void
test_names_what_failed(void)
{
	struct pc_result r;

	up();
	call("", &r);	/* hangs up without a word */
	CHECK(r.outcome == PC_CONNECT);
	CHECK(r.detail[0] != '\0');
	down();
}

/* Fills buf with an answer whose headers are n lines of len bytes each, then a small body. */
static void
long_headers(char *buf, size_t bufsz, int n, size_t len)
{
	size_t	 off;
	int	 i;

	off = (size_t)snprintf(buf, bufsz, "HTTP/1.1 200 OK\r\n");
	for (i = 0; i < n; i++) {
		off += (size_t)snprintf(buf + off, bufsz - off, "X-Big-%d: ", i);
		memset(buf + off, 'a', len);
		off += len;
		off += (size_t)snprintf(buf + off, bufsz - off, "\r\n");
	}
	snprintf(buf + off, bufsz - off, "Content-Length: 2\r\n"
	    "Connection: close\r\n\r\n{}");
}

/*
 * A header line over libcurl's 100 KiB, or a header section over its
 * 300 KiB, is the answer's fault: PC_BAD_HEADER, said so in the detail,
 * not the "out of memory" of this server (libcurl 7.88's words for it).
 */
static void
test_an_overlong_header_is_a_bad_header(void)
{
	/* One buffer each: the server may still be sending the first. */
	static char		 one[200 * 1024], many[420 * 1024];
	static char		 fine[64 * 1024];
	struct pc_result	 r;

	long_headers(one, sizeof(one), 1, 150 * 1024);
	call(one, &r);
	CHECK(r.outcome == PC_BAD_HEADER);
	CHECK_CONTAINS(r.detail, "header");
	pc_result_free(&r);
	long_headers(many, sizeof(many), 8, 50 * 1024);
	call(many, &r);
	CHECK(r.outcome == PC_BAD_HEADER);
	CHECK_CONTAINS(r.detail, "Too large response headers");
	pc_result_free(&r);
	/* Long but within the limits: an answer like any other. */
	long_headers(fine, sizeof(fine), 1, 60 * 1024);
	call(fine, &r);
	CHECK(r.outcome == PC_ANSWER && r.http_status == 200);
	pc_result_free(&r);
}

/* Calls at once all get their answers: nobody waits for another's. */
static void
test_many_calls_at_once(void)
{
	struct pc_request	 req;
	struct waited		 w[40];
	int			 i, ok = 0;
	char			 url[128];

	up();
	TSET(answer, OK_JSON);
	TSET(answer_delay_ms, 300);
	snprintf(url, sizeof(url), "%s/v1/many", base);
	for (i = 0; i < 40; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		pthread_mutex_init(&w[i].mu, NULL);
		pthread_cond_init(&w[i].cv, NULL);
		memset(&req, 0, sizeof(req));
		req.url = url;
		req.timeout_ms = 5000;
		req.max_body = 100;
		CHECK(pc_loop_submit(loop, &req, on_done, &w[i]) == 0);
	}
	for (i = 0; i < 40; i++) {
		pthread_mutex_lock(&w[i].mu);
		while (!w[i].done)
			pthread_cond_wait(&w[i].cv, &w[i].mu);
		pthread_mutex_unlock(&w[i].mu);
		ok += w[i].r.outcome == PC_ANSWER && w[i].r.http_status == 200 &&
		    w[i].r.elapsed_ms < 3000;
		pc_result_free(&w[i].r);
		pthread_cond_destroy(&w[i].cv);
		pthread_mutex_destroy(&w[i].mu);
	}
	TSET(answer_delay_ms, 0);
	CHECK(ok == 40);
	down();
}

static pthread_mutex_t	fired_mu = PTHREAD_MUTEX_INITIALIZER;
static char		fired[16];

static void
fire(void *arg)
{
	pthread_mutex_lock(&fired_mu);
	strncat(fired, arg, sizeof(fired) - strlen(fired) - 1);
	pthread_mutex_unlock(&fired_mu);
}

static void
test_timers_fire_in_order_and_cancel(void)
{
	struct pc_timer	 a, b, c;
	int64_t		 now = clock_ms();

	up();
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	fired[0] = '\0';
	pc_timer_set(loop, &a, now + 200, fire, "a");
	pc_timer_set(loop, &b, now + 50, fire, "b");
	pc_timer_set(loop, &c, now + 100, fire, "c");
	CHECK(pc_timer_cancel(loop, &c) == 1);
	usleep(400 * 1000);
	pthread_mutex_lock(&fired_mu);
	CHECK_STR(fired, "ba");
	pthread_mutex_unlock(&fired_mu);
	CHECK(pc_timer_cancel(loop, &a) == 0);	/* it has fired */
	down();
}

static void
test_http_date(void)
{
	CHECK(pc_http_date("Wed, 21 Oct 2015 07:28:00 GMT") == 1445412480);
	CHECK(pc_http_date("soon") == -1);
}

/* TLS against a server that does not speak it. */
static void
test_tls_to_a_plain_server_is_a_tls_failure(void)
{
	struct pc_result r;

	up();
	T_RUN(test_an_overlong_header_is_a_bad_header);
	snprintf(base, sizeof(base), "https://127.0.0.1:%d", port);
	call("HTTP/1.1 200 OK\r\n\r\n", &r);
	CHECK(r.outcome == PC_TLS);
	down();
}

/* Nothing listening. */
static void
test_nothing_listening_is_a_connect_failure(void)
{
	struct pc_result r;

	up();
	snprintf(base, sizeof(base), "http://127.0.0.1:1");
	call(OK_JSON, &r);
	CHECK(r.outcome == PC_CONNECT);
	down();
}

int
main(void)
{
	T_RUN(test_sends_what_it_is_given);
	T_RUN(test_keeps_the_connection_alive);
	T_RUN(test_hands_over_retry_after);
	T_RUN(test_caps_the_body);
	T_RUN(test_keeps_its_deadline);
	T_RUN(test_names_what_failed);
	T_RUN(test_many_calls_at_once);
	T_RUN(test_timers_fire_in_order_and_cancel);
	T_RUN(test_http_date);
	T_RUN(test_tls_to_a_plain_server_is_a_tls_failure);
	T_RUN(test_nothing_listening_is_a_connect_failure);
	return t_done("test_pc_http");
}
