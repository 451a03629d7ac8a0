/* upstream.h: one Partner Center GET of a batch's status over libcurl (signin.c is the other libcurl user). */
#ifndef BATCHSTATUS_UPSTREAM_H
#define BATCHSTATUS_UPSTREAM_H

#include <stddef.h>

#include "guid.h"

enum upstream_outcome {
	UP_ANSWER,	/* an HTTP answer arrived whole: see http_status */
	UP_TIMEOUT,	/* the overall deadline passed */
	UP_CONNECT,	/* DNS, refused, reset, or the peer hung up unanswered */
	UP_TLS,		/* handshake or certificate verification failed */
	UP_TOO_LARGE,	/* the body passed max_body_bytes */
	UP_INTERNAL,	/* out of memory or a libcurl misuse */
};

struct upstream_opts {
	const char	*base_url;	/* no trailing slash */
	const char	*ca_file;	/* NULL or "": the system's CAs */
	long		 timeout_ms, connect_timeout_ms;
	long		 max_body_bytes;
	const char	*app_name;	/* MS-PartnerCenter-Application and User-Agent */
};

struct upstream_result {
	enum upstream_outcome	 outcome;
	long			 http_status;
	char			*body;		/* NUL-terminated; free with upstream_result_free */
	size_t			 len;
	long			 retry_after;	/* seconds, or -1 when absent */
	char			 request_id[GUID_LEN + 1];	/* the MS-RequestId we sent */
	char			 content_type[96];
	long			 elapsed_ms;
	char			 detail[320];	/* libcurl's words, for the log */
};

struct upstream;

int		 upstream_global_init(void);	/* once, before threads */
void		 upstream_global_cleanup(void);
/* A client for one thread; it keeps its connection alive between calls. */
struct upstream	*upstream_new(const struct upstream_opts *);
void		 upstream_free(struct upstream *);
/*
 * GET {base}/v1/customers/{customer}/batchJobStatus/{tracking} with the
 * bearer token and the documented headers (X-Locale: locale, a tag). Always fills res.
 */
void		 upstream_get(struct upstream *, const char *customer,
		    const char *tracking, const char *correlation_id,
		    const char *locale, const char *token,
		    struct upstream_result *res);
void		 upstream_result_free(struct upstream_result *);
/* Whether a libcurl result code (CURLcode) is a TLS handshake or certificate failure. */
int		 upstream_tls_failure(int curl_code);
/* Reads a Retry-After value (seconds or an HTTP date); -1 when unreadable. */
long		 upstream_parse_retry_after(const char *value, long now);

#endif
