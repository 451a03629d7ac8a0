/* fcgi.c: libfcgi: the socket, a request's parameters in, its status line, security headers and body out. */
#include "fcgi.h"

#include <errno.h>
#include <fcgiapp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

struct fcgi_conn {
	FCGX_Request	 r;
	char		 body[HTTP_BODY_MAX];	/* a POST's form body */
};

/* Set once by http_init, before threads; read-only after. */
static char CSP[1200] = "default-src 'self'; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'self'; form-action 'self'";

int
fcgi_init(const char *frame_ancestors)
{
	snprintf(CSP, sizeof(CSP), "default-src 'self'; object-src 'none'; "
	    "base-uri 'self'; frame-ancestors 'self'%s%s; form-action 'self'",
	    frame_ancestors[0] ? " " : "", frame_ancestors);
	/*
	 * FCGX_Finish_r shuts our side down, then waits (poll, up to 2 s by
	 * default) for nginx to close its side before closing: a CPU thread
	 * blocked for every answer, half a millisecond each under load, was
	 * this server's ceiling. nginx has sent its whole request by then
	 * (libfcgi has read it), so nothing is left to drain: close at once.
	 */
	setenv("LIBFCGI_OS_CLOSE_POLL_TIMEOUT", "0", 0);
	return FCGX_Init() == 0 ? 0 : -1;
}

/* What the kernel allows at most as a listen backlog. */
static int
somaxconn(void)
{
	FILE	*f = fopen("/proc/sys/net/core/somaxconn", "r");
	int	 n = -1;

	if (f != NULL) {
		if (fscanf(f, "%d", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

int
fcgi_listen(const char *listen_on, int backlog, const char **unix_path)
{
	int		 fd, on = 0, max = somaxconn();
	socklen_t	 len = sizeof(on);
	mode_t		 old;

	*unix_path = NULL;
	if (max > 0 && backlog > max)
		log_warn("listen backlog: %d wanted, but net.core.somaxconn is "
		    "%d: a burst of more requests than that may be refused "
		    "(raise it with sysctl)", backlog, max);
	if (listen_on[0] == '\0') {
		if (getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == -1 ||
		    !on) {
			log_err("BATCHSTATUS_LISTEN is not set and fd 0 is not "
			    "a listening socket: set BATCHSTATUS_LISTEN "
			    "(unix:/path or host:port), or start under "
			    "spawn-fcgi or systemd");
			return -1;
		}
		/* listen() again only raises the backlog of the socket we were given. */
		if (listen(0, backlog) == -1)
			log_warn("fd 0: cannot raise the listen backlog: %s",
			    strerror(errno));
		log_info("listening on fd 0 (inherited), backlog %d", backlog);
		return 0;
	}
	/* nginx running as our user or group may connect; nobody else. */
	old = umask(0117);
	if (strncmp(listen_on, "unix:", 5) == 0) {
		*unix_path = listen_on + 5;
		fd = FCGX_OpenSocket(*unix_path, backlog);
	} else
		fd = FCGX_OpenSocket(listen_on, backlog);
	umask(old);
	if (fd < 0) {
		log_err("BATCHSTATUS_LISTEN %s: cannot listen: %s", listen_on,
		    strerror(errno));
		*unix_path = NULL;
		return -1;
	}
	log_info("listening on %s, backlog %d", listen_on, backlog);
	return fd;
}

void
fcgi_shutdown(int listen_fd)
{
	FCGX_ShutdownPending();
	/* Wakes the accept; requests in flight run to their end. */
	shutdown(listen_fd, SHUT_RDWR);
}

struct fcgi_conn *
fcgi_conn_new(int listen_fd)
{
	struct fcgi_conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if (FCGX_InitRequest(&c->r, listen_fd, 0) != 0) {
		free(c);
		return NULL;
	}
	return c;
}

void
fcgi_conn_free(struct fcgi_conn *c)
{
	if (c == NULL)
		return;
	FCGX_Free(&c->r, 1);
	free(c);
}

/*
 * A POST's form body: at most HTTP_BODY_MAX bytes are read (nginx has
 * them all by now); a longer one is not read at all, only flagged (libfcgi
 * drops the rest when the request ends).
 */
static void
read_body(struct fcgi_conn *c, const char *cl, struct http_in *in)
{
	char	*end;
	long	 n = cl != NULL && cl[0] != '\0' ? strtol(cl, &end, 10) : -1;
	int	 got;

	if (cl != NULL && cl[0] != '\0' && (*end != '\0' || n < 0)) {
		in->body_over = 1;
		return;
	}
	if (n > HTTP_BODY_MAX) {
		in->body_over = 1;
		return;
	}
	/* Without a length (chunked): what comes, up to the bound and one byte past it. */
	got = FCGX_GetStr(c->body, (int)sizeof(c->body), c->r.in);
	if (got < 0)
		got = 0;
	if (n < 0 && got == (int)sizeof(c->body) && FCGX_GetChar(c->r.in) != EOF) {
		in->body_over = 1;
		return;
	}
	in->body = c->body;
	in->body_len = (size_t)got;
}

int
fcgi_accept(struct fcgi_conn *c, struct http_in *in)
{
	const char *cl, *te, *https, *dest;

	if (FCGX_Accept_r(&c->r) < 0)
		return -1;
	/*
	 * FCGX_GetParam's strings live until FCGX_Finish_r: used in place,
	 * not copied (the struct is not accepted into again before that).
	 * nginx bounds their length.
	 */
	in->method = FCGX_GetParam("REQUEST_METHOD", c->r.envp);
	in->uri = FCGX_GetParam("REQUEST_URI", c->r.envp);
	in->if_none_match = FCGX_GetParam("HTTP_IF_NONE_MATCH", c->r.envp);
	in->accept_language = FCGX_GetParam("HTTP_ACCEPT_LANGUAGE", c->r.envp);
	in->script_name = FCGX_GetParam("SCRIPT_NAME", c->r.envp);
	in->cookie = FCGX_GetParam("HTTP_COOKIE", c->r.envp);
	dest = FCGX_GetParam("HTTP_SEC_FETCH_DEST", c->r.envp);
	in->navigation = dest != NULL && strcasecmp(dest, "document") == 0;
	https = FCGX_GetParam("HTTPS", c->r.envp);
	in->https = https != NULL && strcasecmp(https, "on") == 0;
	cl = FCGX_GetParam("CONTENT_LENGTH", c->r.envp);
	te = FCGX_GetParam("HTTP_TRANSFER_ENCODING", c->r.envp);
	in->has_body = (cl != NULL && cl[0] != '\0' && strcmp(cl, "0") != 0) ||
	    (te != NULL && te[0] != '\0');
	in->origin = FCGX_GetParam("HTTP_ORIGIN", c->r.envp);
	in->fetch_site = FCGX_GetParam("HTTP_SEC_FETCH_SITE", c->r.envp);
	in->host = FCGX_GetParam("HTTP_HOST", c->r.envp);
	in->body = NULL;
	in->body_len = 0;
	in->body_over = 0;
	if (in->has_body && in->method != NULL &&
	    strcmp(in->method, "POST") == 0)
		read_body(c, cl, in);
	if (in->method == NULL)
		in->method = "GET";
	if (in->uri == NULL)
		in->uri = "";
	return 0;
}

void
fcgi_finish(struct fcgi_conn *c)
{
	FCGX_Finish_r(&c->r);
}

void
fcgi_write(struct fcgi_conn *c, const struct response *res)
{
	FCGX_Stream *out = c->r.out;

	FCGX_FPrintF(out, "Status: %d %s\r\n", res->status, http_reason(res->status));
	if (res->status != 304) {
		FCGX_FPrintF(out, "Content-Type: %s\r\n", res->content_type ?
		    res->content_type : "text/plain; charset=utf-8");
		/* libfcgi's printf has no %zu. HEAD renders nothing: no length to tell. */
		if (!res->head)
			FCGX_FPrintF(out, "Content-Length: %lu\r\n",
			    (unsigned long)res->body.len);
	}
	FCGX_FPrintF(out, "X-Content-Type-Options: nosniff\r\n"
	    "Referrer-Policy: strict-origin-when-cross-origin\r\n"
	    "Content-Security-Policy: %s\r\n"
	    "Cache-Control: %s\r\n"
	    "X-Correlation-Id: %s\r\n", CSP,
	    res->cache_control ? res->cache_control : "no-store",
	    res->correlation_id);
	if (res->etag[0] != '\0')
		FCGX_FPrintF(out, "ETag: %s\r\n", res->etag);
	/* nginx's fastcgi_cache reads and strips it; the browser never sees it. */
	if (res->edge_seconds > 0)
		FCGX_FPrintF(out, "X-Accel-Expires: %ld\r\n", res->edge_seconds);
	if (res->location[0] != '\0')
		FCGX_FPrintF(out, "Location: %s\r\n", res->location);
	if (res->disposition[0] != '\0')
		FCGX_FPrintF(out, "Content-Disposition: %s\r\n",
		    res->disposition);
	if (res->retry_after >= 0)
		FCGX_FPrintF(out, "Retry-After: %ld\r\n", res->retry_after);
	if (res->set_cookie != NULL)
		FCGX_FPrintF(out, "Set-Cookie: %s\r\n", res->set_cookie);
	if (res->refresh > 0)
		FCGX_FPrintF(out, "Refresh: %ld\r\n", res->refresh);
	if (res->content_language != NULL && res->status != 304 &&
	    res->content_type != NULL &&
	    strncmp(res->content_type, "text/html", 9) == 0)
		FCGX_FPrintF(out, "Content-Language: %s\r\n",
		    res->content_language);
	/* Pages follow Accept-Language when the URL names no language. */
	FCGX_PutS("Vary: Accept-Language\r\n", out);
	if (res->allow)
		FCGX_PutS(res->allow == 2 ? "Allow: POST\r\n" :
		    "Allow: GET, HEAD\r\n", out);
	FCGX_PutS("\r\n", out);
	if (!res->head && res->status != 304 && res->body.len > 0)
		FCGX_PutStr(res->body.data, (int)res->body.len, out);
}
