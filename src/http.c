/* http.c: FastCGI parameters in, status line, security headers and body out. */
#include "http.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "metrics.h"

/* Set once by http_init, before threads; read-only after. */
static char CSP[1200] = "default-src 'self'; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'self'; form-action 'self'";

void
http_init(const char *frame_ancestors)
{
	snprintf(CSP, sizeof(CSP), "default-src 'self'; object-src 'none'; "
	    "base-uri 'self'; frame-ancestors 'self'%s%s; form-action 'self'",
	    frame_ancestors[0] ? " " : "", frame_ancestors);
}

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Unknown";
	}
}

void
http_write(FCGX_Stream *out, const struct response *res)
{
	FCGX_FPrintF(out, "Status: %d %s\r\n", res->status, reason(res->status));
	if (res->status != 304) {
		FCGX_FPrintF(out, "Content-Type: %s\r\n", res->content_type ?
		    res->content_type : "text/plain; charset=utf-8");
		/* libfcgi's printf has no %zu */
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
		FCGX_PutS("Allow: GET, HEAD\r\n", out);
	FCGX_PutS("\r\n", out);
	if (!res->head && res->status != 304 && res->body.len > 0)
		FCGX_PutStr(res->body.data, (int)res->body.len, out);
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * The path as asked, with query values left out (the names stay): IDs in
 * a query are the user's typing, and a log is no place for free text.
 */
static void
path_for_log(const char *uri, char *out, size_t outsz)
{
	size_t	 o = 0;
	int	 in_value = 0, in_query = 0;

	for (; *uri != '\0' && o + 4 < outsz; uri++) {
		char c = *uri;

		if (!in_query && c == '?')
			in_query = 1;
		else if (in_query && c == '=') {
			if (!in_value)
				out[o++] = c;
			in_value = 1;
			continue;
		} else if (in_query && c == '&')
			in_value = 0;
		if (!in_value)
			out[o++] = c;
	}
	if (*uri != '\0') {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* One line per request: who to quote, what was asked, the answer, and what it cost upstream. */
static void
log_request(const struct http_in *in, const struct response *res, long ms)
{
	char	path[320], up[48];

	path_for_log(in->uri, path, sizeof(path));
	if (res->up_status > 0)
		snprintf(up, sizeof(up), "%ld up_ms=%ld", res->up_status,
		    res->up_ms);
	else if (res->up_status < 0)
		snprintf(up, sizeof(up), "failed up_ms=%ld", res->up_ms);
	else
		snprintf(up, sizeof(up), "-");
	log_info("request corr=%s %.16s %s route=%s -> %d %s cache=%s up=%s "
	    "ms=%ld", res->correlation_id, in->method, path,
	    metrics_route_name(res->route), res->status,
	    res->outcome ? res->outcome : "-", res->cache ? res->cache : "-",
	    up, ms);
}

void
http_serve(FCGX_Request *r, struct fetch_ctx *fetch)
{
	const char	*cl, *te;
	struct response	 res;
	struct http_in	 in;
	struct timespec	 t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	metrics_busy(1);
	/*
	 * FCGX_GetParam's strings live until FCGX_Finish_r, after this
	 * returns: used in place, not copied. nginx bounds their length.
	 */
	in.method = FCGX_GetParam("REQUEST_METHOD", r->envp);
	in.uri = FCGX_GetParam("REQUEST_URI", r->envp);
	in.if_none_match = FCGX_GetParam("HTTP_IF_NONE_MATCH", r->envp);
	in.accept_language = FCGX_GetParam("HTTP_ACCEPT_LANGUAGE", r->envp);
	in.script_name = FCGX_GetParam("SCRIPT_NAME", r->envp);
	cl = FCGX_GetParam("CONTENT_LENGTH", r->envp);
	te = FCGX_GetParam("HTTP_TRANSFER_ENCODING", r->envp);
	in.has_body = (cl != NULL && cl[0] != '\0' && strcmp(cl, "0") != 0) ||
	    (te != NULL && te[0] != '\0');
	if (in.method == NULL)
		in.method = "GET";
	if (in.uri == NULL)
		in.uri = "";
	handle_request(fetch, &in, (int64_t)time(NULL), &res);
	http_write(r->out, &res);
	metrics_request(res.route, res.status);
	if (log_enabled(LOG_INFO))
		log_request(&in, &res, ms_since(&t0));
	buf_free(&res.body);
	metrics_busy(-1);
}
