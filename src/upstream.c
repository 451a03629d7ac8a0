/* upstream.c: the batch-status GET we send Partner Center (path, documented headers) and what its answer means. */
#include "upstream.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "wipe.h"

int
upstream_call_init(struct upstream_call *c, const struct upstream_opts *o,
    const char *customer, const char *tracking, const char *correlation_id,
    const char *token)
{
	struct buf	 auth;
	size_t		 i = 0;

	memset(c, 0, sizeof(*c));
	guid_new(c->request_id);
	snprintf(c->url, sizeof(c->url), "%s/v1/customers/%s/batchJobStatus/%s",
	    o->base_url, customer, tracking);
	buf_init(&auth);
	/* One allocation: the token is never copied by a realloc. */
	if (buf_reserve(&auth, strlen(token) + 32) == -1 ||
	    buf_printf(&auth, "Authorization: Bearer %s", token) == -1) {
		buf_free(&auth);
		return -1;
	}
	c->auth = buf_steal(&auth, NULL);
	c->headers[i++] = c->auth;
	c->headers[i++] = "Accept: application/json";
	snprintf(c->lines[0], sizeof(c->lines[0]), "MS-RequestId: %s",
	    c->request_id);
	snprintf(c->lines[1], sizeof(c->lines[1]), "MS-CorrelationId: %s",
	    correlation_id);
	snprintf(c->lines[2], sizeof(c->lines[2]), "X-Locale: %s",
	    UPSTREAM_LOCALE);
	snprintf(c->lines[3], sizeof(c->lines[3]),
	    "MS-PartnerCenter-Application: %.100s", o->app_name);
	snprintf(c->lines[4], sizeof(c->lines[4]), "MS-Contract-Version: v1");
	for (size_t k = 0; k < 5; k++)
		c->headers[i++] = c->lines[k];
	c->headers[i] = NULL;
	return 0;
}

void
upstream_call_wipe(struct upstream_call *c)
{
	wipe_str(c->auth);
	c->auth = NULL;
	c->headers[0] = NULL;
}

enum bs_error
upstream_classify(const struct pc_result *r)
{
	switch (r->outcome) {
	case PC_ANSWER:
		break;
	case PC_TIMEOUT:
		return BS_ERR_TIMEOUT;
	case PC_CONNECT:
		return BS_ERR_UNREACHABLE;
	case PC_TLS:
		return BS_ERR_TLS;
	case PC_TOO_LARGE:
		return BS_ERR_TOO_LARGE;
	case PC_BAD_HEADER:
		return BS_ERR_BAD_HEADER;
	default:
		return BS_ERR_INTERNAL;
	}
	if (r->http_status == 200)
		return BS_OK;
	if (r->http_status == 404)
		return BS_ERR_NO_SUCH_BATCH;
	if (r->http_status == 401 || r->http_status == 403)
		return BS_ERR_CREDENTIALS;
	if (r->http_status == 429)
		return BS_ERR_THROTTLED;
	return BS_ERR_UPSTREAM_STATUS;
}

long
upstream_parse_retry_after(const char *v, long now)
{
	char	*end;
	long	 secs, when;

	while (*v == ' ' || *v == '\t')
		v++;
	if (isdigit((unsigned char)*v)) {
		/* Too many digits saturate (ERANGE): a huge number is still a number. */
		secs = strtol(v, &end, 10);
		while (*end == ' ' || *end == '\t')
			end++;
		if (*end != '\0')
			return -1;
	} else {
		if ((when = pc_http_date(v)) == -1)
			return -1;
		/* A date already gone says nothing about when to come back. */
		if ((secs = when - now) < 0)
			return -1;
	}
	return secs > 86400 ? 86400 : secs;
}

long
upstream_pause_seconds(const char *v, long now, long max)
{
	long secs = v != NULL ? upstream_parse_retry_after(v, now) : -1;

	if (max < 1)
		max = 1;
	if (secs < 0)
		secs = UPSTREAM_PAUSE_DEFAULT;
	if (secs < 1)
		secs = 1;
	return secs > max ? max : secs;
}
