/* upstream.c: the Partner Center GET over libcurl: headers, TLS, deadline, body cap, and what went wrong. */
#include "upstream.h"

#include <curl/curl.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"

struct upstream {
	CURL			*curl;
	struct upstream_opts	 opts;
	char			 app_header[128];
};

struct transfer {
	struct buf		 body;
	long			 max;
	int			 too_large;
	struct upstream_result	*res;
};

/* DNS answers and TLS sessions are shared by every thread's handle; connections are not. */
static CURLSH		*share;
static pthread_mutex_t	 share_locks[CURL_LOCK_DATA_LAST];

static void
share_lock(CURL *c, curl_lock_data data, curl_lock_access access, void *arg)
{
	(void)c;
	(void)access;
	(void)arg;
	pthread_mutex_lock(&share_locks[data]);
}

static void
share_unlock(CURL *c, curl_lock_data data, void *arg)
{
	(void)c;
	(void)arg;
	pthread_mutex_unlock(&share_locks[data]);
}

int
upstream_global_init(void)
{
	int i;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&share_locks[i], NULL);
	if ((share = curl_share_init()) == NULL)
		return -1;
	curl_share_setopt(share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	return 0;
}

void
upstream_global_cleanup(void)
{
	int i;

	curl_share_cleanup(share);
	share = NULL;
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&share_locks[i]);
	curl_global_cleanup();
}

static size_t	on_body(char *, size_t, size_t, void *);
static size_t	on_header(char *, size_t, size_t, void *);

struct upstream *
upstream_new(const struct upstream_opts *opts)
{
	struct upstream	*u;
	CURL		*c;

	if ((u = calloc(1, sizeof(*u))) == NULL)
		return NULL;
	if ((u->curl = curl_easy_init()) == NULL) {
		free(u);
		return NULL;
	}
	u->opts = *opts;
	snprintf(u->app_header, sizeof(u->app_header),
	    "MS-PartnerCenter-Application: %s", opts->app_name);
	c = u->curl;
	/* What never changes between calls is set once: the handle keeps its connection alive. */
	curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, u->opts.app_name);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (u->opts.ca_file != NULL && u->opts.ca_file[0] != '\0')
		curl_easy_setopt(c, CURLOPT_CAINFO, u->opts.ca_file);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    u->opts.connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, u->opts.timeout_ms);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)u->opts.max_body_bytes);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	/* Hundreds of handles wait at once; their receive buffers add up. */
	curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 8192L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	if (share != NULL)
		curl_easy_setopt(c, CURLOPT_SHARE, share);
	return u;
}

void
upstream_free(struct upstream *u)
{
	if (u == NULL)
		return;
	curl_easy_cleanup(u->curl);
	free(u);
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct transfer	*t = arg;
	size_t		 len = size * n;

	if (t->body.len + len > (size_t)t->max) {
		t->too_large = 1;
		return 0;	/* a short count aborts the transfer */
	}
	if (buf_append(&t->body, p, len) == -1)
		return 0;
	return len;
}

long
upstream_parse_retry_after(const char *v, long now)
{
	char	*end;
	long	 secs;
	time_t	 when;

	while (*v == ' ' || *v == '\t')
		v++;
	if (isdigit((unsigned char)*v)) {
		secs = strtol(v, &end, 10);
		while (*end == ' ' || *end == '\t')
			end++;
		if (*end != '\0')
			return -1;
	} else {
		if ((when = curl_getdate(v, NULL)) == -1)
			return -1;
		secs = (long)when - now;
	}
	if (secs < 0)
		secs = 0;
	return secs > 86400 ? 86400 : secs;
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
	    line[len - 1] == ' '))
		len--;
	vlen = len < outsz - 1 ? len : outsz - 1;
	memcpy(out, line, vlen);
	out[vlen] = '\0';
	return 1;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct transfer	*t = arg;
	size_t		 len = size * n;
	char		 v[128];

	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		/* A new answer (after a 100 Continue, say): forget the last one's headers. */
		t->res->retry_after = -1;
		t->res->content_type[0] = '\0';
	} else if (header_value(p, len, "Retry-After", v, sizeof(v)))
		t->res->retry_after = upstream_parse_retry_after(v,
		    (long)time(NULL));
	else
		header_value(p, len, "Content-Type", t->res->content_type,
		    sizeof(t->res->content_type));
	return len;
}

/* Appends one header; after a failed append it only remembers the failure. */
static struct curl_slist *
add_header(struct curl_slist *l, const char *line, int *nomem)
{
	struct curl_slist *n;

	if (*nomem)
		return l;
	if ((n = curl_slist_append(l, line)) == NULL)
		*nomem = 1;
	return n ? n : l;
}

/* Frees a header list after zeroing it: one of its lines carries the token. */
static void
wipe_headers(struct curl_slist *l)
{
	struct curl_slist *h;

	for (h = l; h != NULL; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	curl_slist_free_all(l);
}

int
upstream_tls_failure(int rc)
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

static enum upstream_outcome
classify(CURLcode rc, const struct transfer *t)
{
	if (upstream_tls_failure(rc))
		return UP_TLS;
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return UP_TIMEOUT;
	case CURLE_FILESIZE_EXCEEDED:
		return UP_TOO_LARGE;
	case CURLE_WRITE_ERROR:
		return t->too_large ? UP_TOO_LARGE : UP_INTERNAL;
	case CURLE_OUT_OF_MEMORY:
		return UP_INTERNAL;
	default:
		return UP_CONNECT;
	}
}

void
upstream_get(struct upstream *u, const char *customer, const char *tracking,
    const char *correlation_id, const char *locale, const char *token,
    struct upstream_result *res)
{
	struct transfer		 t;
	struct curl_slist	*hdrs = NULL;
	char			 url[1024], line[256], errbuf[CURL_ERROR_SIZE];
	struct buf		 auth;
	int			 nomem;
	CURLcode		 rc;
	curl_off_t		 total_us = 0;
	CURL			*c = u->curl;

	memset(res, 0, sizeof(*res));
	res->retry_after = -1;
	guid_new(res->request_id);
	memset(&t, 0, sizeof(t));
	buf_init(&t.body);
	t.max = u->opts.max_body_bytes;
	t.res = res;
	errbuf[0] = '\0';

	snprintf(url, sizeof(url), "%s/v1/customers/%s/batchJobStatus/%s",
	    u->opts.base_url, customer, tracking);
	buf_init(&auth);
	buf_printf(&auth, "Authorization: Bearer %s", token);
	nomem = auth.failed;
	hdrs = add_header(hdrs, auth.data, &nomem);
	hdrs = add_header(hdrs, "Accept: application/json", &nomem);
	snprintf(line, sizeof(line), "MS-RequestId: %s", res->request_id);
	hdrs = add_header(hdrs, line, &nomem);
	snprintf(line, sizeof(line), "MS-CorrelationId: %s", correlation_id);
	hdrs = add_header(hdrs, line, &nomem);
	snprintf(line, sizeof(line), "X-Locale: %.32s", locale);
	hdrs = add_header(hdrs, line, &nomem);
	hdrs = add_header(hdrs, u->app_header, &nomem);
	hdrs = add_header(hdrs, "MS-Contract-Version: v1", &nomem);
	/* The token lives in the list now; wipe our copy of it. */
	if (auth.data != NULL)
		explicit_bzero(auth.data, auth.cap);
	buf_free(&auth);
	if (nomem) {
		wipe_headers(hdrs);
		res->outcome = UP_INTERNAL;
		snprintf(res->detail, sizeof(res->detail), "out of memory");
		return;
	}

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);

	rc = curl_easy_perform(c);
	/* Nothing of this call may outlive it: the header list holds the token. */
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, NULL);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, NULL);
	wipe_headers(hdrs);

	curl_easy_getinfo(c, CURLINFO_TOTAL_TIME_T, &total_us);
	res->elapsed_ms = (long)(total_us / 1000);
	if (rc == CURLE_OK && t.body.failed)
		rc = CURLE_OUT_OF_MEMORY;
	if (rc != CURLE_OK) {
		res->outcome = classify(rc, &t);
		snprintf(res->detail, sizeof(res->detail), "%s%s%s",
		    curl_easy_strerror(rc), errbuf[0] ? ": " : "", errbuf);
		buf_free(&t.body);
		return;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->http_status);
	res->outcome = UP_ANSWER;
	if (t.body.data == NULL)
		buf_append(&t.body, "", 0);
	res->body = buf_steal(&t.body, &res->len);
	if (res->body == NULL) {
		res->outcome = UP_INTERNAL;
		snprintf(res->detail, sizeof(res->detail), "out of memory");
	}
}

void
upstream_result_free(struct upstream_result *res)
{
	free(res->body);
	res->body = NULL;
	res->len = 0;
}
