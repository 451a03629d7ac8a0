/* test_fcgi.c: the FastCGI side over a real socket: parameters in, the status line with its reason phrase, headers and body out. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fcgi.h"
#include "log.h"
#include "t.h"

/* What the client thread sends and what came back. */
struct client {
	char		 path[108];
	const char	*uri;
	char		 out[8192];
	size_t		 outlen;
};

static void
record(unsigned char *b, size_t *n, int kind, const void *content, size_t len)
{
	unsigned char h[8] = { 1, (unsigned char)kind, 0, 1,
	    (unsigned char)(len >> 8), (unsigned char)len, 0, 0 };

	memcpy(b + *n, h, 8);
	memcpy(b + *n + 8, content, len);
	*n += 8 + len;
}

static size_t
param(unsigned char *p, const char *k, const char *v)
{
	size_t kl = strlen(k), vl = strlen(v);

	p[0] = (unsigned char)kl;
	p[1] = (unsigned char)vl;
	memcpy(p + 2, k, kl);
	memcpy(p + 2 + kl, v, vl);
	return 2 + kl + vl;
}

static int
read_all(int fd, unsigned char *b, size_t n)
{
	size_t	 got = 0;
	ssize_t	 r;

	while (got < n) {
		if ((r = read(fd, b + got, n - got)) <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* One FastCGI request as nginx sends it, and the stdout records of the answer, as a client would. */
static void *
client(void *arg)
{
	struct client		*c = arg;
	struct sockaddr_un	 sa;
	unsigned char		 b[4096], params[1024], h[8], content[65536];
	size_t			 n = 0, pl = 0, clen, plen;
	const unsigned char	 begin[8] = { 0, 1, 0, 0, 0, 0, 0, 0 };
	int			 fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", c->path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1)
		return NULL;
	pl += param(params + pl, "REQUEST_METHOD", "GET");
	pl += param(params + pl, "REQUEST_URI", c->uri);
	pl += param(params + pl, "HTTP_ACCEPT_LANGUAGE", "ja");
	record(b, &n, 1, begin, 8);
	record(b, &n, 4, params, pl);
	record(b, &n, 4, "", 0);
	record(b, &n, 5, "", 0);
	if (write(fd, b, n) != (ssize_t)n) {
		close(fd);
		return NULL;
	}
	for (;;) {
		if (read_all(fd, h, 8) == -1)
			break;
		clen = (size_t)h[4] << 8 | h[5];
		plen = h[6];
		if (read_all(fd, content, clen + plen) == -1)
			break;
		if (h[1] == 6 && c->outlen + clen < sizeof(c->out)) {
			memcpy(c->out + c->outlen, content, clen);
			c->outlen += clen;
		}
		if (h[1] == 3)
			break;
	}
	c->out[c->outlen] = '\0';
	close(fd);
	return NULL;
}

/* A listening socket in a fresh directory, a connection for it, and a client asking uri. */
struct rig {
	char		 dir[32], listen[64];
	int		 fd;
	struct fcgi_conn *conn;
	struct client	 c;
	pthread_t	 th;
};

static int
rig_start(struct rig *r, const char *uri)
{
	const char *unlink_path;

	memset(r, 0, sizeof(*r));
	snprintf(r->dir, sizeof(r->dir), "/tmp/bs-fcgi-XXXXXX");
	if (mkdtemp(r->dir) == NULL)
		return -1;
	snprintf(r->listen, sizeof(r->listen), "unix:%s/s", r->dir);
	snprintf(r->c.path, sizeof(r->c.path), "%s/s", r->dir);
	r->c.uri = uri;
	if ((r->fd = fcgi_listen(r->listen, 8, &unlink_path)) == -1 ||
	    (r->conn = fcgi_conn_new(r->fd)) == NULL)
		return -1;
	return pthread_create(&r->th, NULL, client, &r->c) == 0 ? 0 : -1;
}

static void
rig_stop(struct rig *r)
{
	pthread_join(r->th, NULL);
	fcgi_conn_free(r->conn);
	close(r->fd);
	unlink(r->c.path);
	rmdir(r->dir);
}

/* The parameters nginx sends arrive as the handler reads them. */
static void
test_parameters_come_in(void)
{
	struct rig	 r;
	struct http_in	 in;
	struct response	 res;

	CHECK(rig_start(&r, "/customers/x?lang=hu") == 0);
	CHECK(fcgi_accept(r.conn, &in) == 0);
	CHECK_STR(in.method, "GET");
	CHECK_STR(in.uri, "/customers/x?lang=hu");
	CHECK_STR(in.accept_language, "ja");
	CHECK(in.if_none_match == NULL && !in.has_body);
	memset(&res, 0, sizeof(res));
	buf_init(&res.body);
	res.status = 200;
	fcgi_write(r.conn, &res);
	fcgi_finish(r.conn);
	rig_stop(&r);
}

/* Every status goes out with its reason phrase from errors.c (no "403 Unknown"), and the headers say what the response does. */
static void
test_status_line_headers_and_body(void)
{
	static const int	 statuses[] = { 403, 303, 503 };
	static const char *const lines[] = { "Status: 403 Forbidden\r\n",
	    "Status: 303 See Other\r\n", "Status: 503 Service Unavailable\r\n" };
	struct rig		 r;
	struct http_in		 in;
	struct response		 res;
	size_t			 i;

	for (i = 0; i < 3; i++) {
		CHECK(rig_start(&r, "/") == 0);
		CHECK(fcgi_accept(r.conn, &in) == 0);
		memset(&res, 0, sizeof(res));
		buf_init(&res.body);
		res.status = statuses[i];
		res.content_type = "text/html; charset=utf-8";
		res.content_language = "ja-JP";
		res.retry_after = i == 2 ? 30 : -1;
		if (i == 1)
			snprintf(res.location, sizeof(res.location), "/x?lang=ja-JP");
		buf_puts(&res.body, "<p>hello</p>");
		fcgi_write(r.conn, &res);
		fcgi_finish(r.conn);
		rig_stop(&r);
		buf_free(&res.body);
		CHECK(strncmp(r.c.out, lines[i], strlen(lines[i])) == 0);
		CHECK_CONTAINS(r.c.out, "Content-Type: text/html; charset=utf-8\r\n");
		CHECK_CONTAINS(r.c.out, "Content-Length: 12\r\n");
		CHECK_CONTAINS(r.c.out, "Content-Language: ja-JP\r\n");
		CHECK_CONTAINS(r.c.out, "X-Content-Type-Options: nosniff\r\n");
		CHECK_CONTAINS(r.c.out, "\r\n\r\n<p>hello</p>");
		if (i == 1)
			CHECK_CONTAINS(r.c.out, "Location: /x?lang=ja-JP\r\n");
		if (i == 2)
			CHECK_CONTAINS(r.c.out, "Retry-After: 30\r\n");
	}
}

/* A 304 has no body and says nothing of one. */
static void
test_not_modified_has_no_body(void)
{
	struct rig	 r;
	struct http_in	 in;
	struct response	 res;

	CHECK(rig_start(&r, "/") == 0);
	CHECK(fcgi_accept(r.conn, &in) == 0);
	memset(&res, 0, sizeof(res));
	buf_init(&res.body);
	res.status = 304;
	res.retry_after = -1;
	snprintf(res.etag, sizeof(res.etag), "\"abc-h0\"");
	fcgi_write(r.conn, &res);
	fcgi_finish(r.conn);
	rig_stop(&r);
	CHECK(strncmp(r.c.out, "Status: 304 Not Modified\r\n", 26) == 0);
	CHECK_LACKS(r.c.out, "Content-Length");
	CHECK_CONTAINS(r.c.out, "ETag: \"abc-h0\"\r\n");
	CHECK(strstr(r.c.out, "\r\n\r\n") != NULL &&
	    strstr(r.c.out, "\r\n\r\n")[4] == '\0');
}

int
main(void)
{
	log_set_level(LOG_WARN);	/* "listening on …" for every rig is not news */
	if (fcgi_init("") != 0) {
		fprintf(stderr, "FAIL set-up: fcgi_init\n");
		return 1;
	}
	T_RUN(test_parameters_come_in);
	T_RUN(test_status_line_headers_and_body);
	T_RUN(test_not_modified_has_no_body);
	return t_done("test_fcgi");
}
