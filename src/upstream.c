/* upstream.c: the table of Partner Center calls, the GET we send for each (path, paging, documented headers) and what its answer means. */
#include "upstream.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "wipe.h"

static const struct upstream_kind kinds[RES__MAX] = {
	[RES_BATCH] = { "batch", DIR__MAX, 0 },
	[RES_SEARCH] = { "search", DIR_CUSTOMERS, 1 },
	[RES_CUSTOMER] = { "customer", DIR_CUSTOMER, 0 },
	[RES_DEVICE_BATCHES] = { "device_batches", DIR_DEVICE_BATCHES, 0 },
	[RES_DEVICES] = { "devices", DIR_DEVICES, 1 },
};

/* The letters that start each kind's cache key. */
static const char key_letter[RES__MAX] = {
	[RES_BATCH] = 'b', [RES_SEARCH] = 's', [RES_CUSTOMER] = 'c',
	[RES_DEVICE_BATCHES] = 'l', [RES_DEVICES] = 'd',
};

const struct upstream_kind *
upstream_kind(enum res_kind k)
{
	return (int)k >= 0 && k < RES__MAX ? &kinds[k] : &kinds[RES_BATCH];
}

void
upstream_ask_batch(struct upstream_ask *a, const char *customer,
    const char *tracking)
{
	memset(a, 0, sizeof(*a));
	a->kind = RES_BATCH;
	snprintf(a->customer, sizeof(a->customer), "%s", customer);
	snprintf(a->tracking, sizeof(a->tracking), "%s", tracking);
}

int
upstream_key(const struct upstream_ask *a, char *out, size_t outsz)
{
	char	 q[UPSTREAM_Q_MAX + 1];
	size_t	 i;
	int	 n = -1;

	switch (a->kind) {
	case RES_BATCH:
		/* A batch's key is the two IDs alone, as it always was (nodes share it). */
		n = snprintf(out, outsz, "%s/%s", a->customer, a->tracking);
		break;
	case RES_SEARCH:
		/* Partner Center's starts_with ignores case: so does the key (ASCII; the rest as typed). */
		for (i = 0; a->q[i] != '\0' && i < UPSTREAM_Q_MAX; i++)
			q[i] = (char)tolower((unsigned char)a->q[i]);
		q[i] = '\0';
		n = snprintf(out, outsz, "%c/%d/%s", key_letter[a->kind],
		    (int)a->field, q);
		break;
	case RES_CUSTOMER:
	case RES_DEVICE_BATCHES:
		n = snprintf(out, outsz, "%c/%s", key_letter[a->kind],
		    a->customer);
		break;
	case RES_DEVICES:
		n = snprintf(out, outsz, "%c/%s/%s", key_letter[a->kind],
		    a->customer, a->batch_id);
		break;
	default:
		break;
	}
	return n < 0 || (size_t)n >= outsz ? -1 : n;
}

/* The call's URL; -1 when it does not fit. */
static int
call_url(char *url, size_t sz, const struct upstream_opts *o,
    const struct upstream_ask *a, const char *continuation)
{
	char	 enc[3 * DIR_BATCH_ID_MAX + 1], filter[3072];
	int	 n = -1;

	switch (a->kind) {
	case RES_BATCH:
		n = snprintf(url, sz, "%s/v1/customers/%s/batchJobStatus/%s",
		    o->base_url, a->customer, a->tracking);
		break;
	case RES_SEARCH:
		if (continuation != NULL)
			n = snprintf(url, sz, "%s/v1/customers?size=%d"
			    "&seekOperation=Next", o->base_url,
			    UPSTREAM_SEARCH_SIZE);
		else if (dir_filter_query(a->field, a->q, filter,
		    sizeof(filter)) >= 0)
			n = snprintf(url, sz, "%s/v1/customers?size=%d&filter=%s",
			    o->base_url, UPSTREAM_SEARCH_SIZE, filter);
		break;
	case RES_CUSTOMER:
		n = snprintf(url, sz, "%s/v1/customers/%s", o->base_url,
		    a->customer);
		break;
	case RES_DEVICE_BATCHES:
		n = snprintf(url, sz, "%s/v1/customers/%s/deviceBatches",
		    o->base_url, a->customer);
		break;
	case RES_DEVICES:
		if (dir_segment_encode(a->batch_id, strlen(a->batch_id), enc,
		    sizeof(enc)) >= 0)
			n = snprintf(url, sz, "%s/v1/customers/%s/deviceBatches/"
			    "%s/devices", o->base_url, a->customer, enc);
		break;
	default:
		break;
	}
	return n < 0 || (size_t)n >= sz ? -1 : 0;
}

int
upstream_call_init(struct upstream_call *c, const struct upstream_opts *o,
    const struct upstream_ask *a, const char *continuation,
    const char *correlation_id, const char *token)
{
	struct buf	 auth, cont;
	size_t		 i = 0;

	memset(c, 0, sizeof(*c));
	guid_new(c->request_id);
	if (call_url(c->url, sizeof(c->url), o, a, continuation) == -1)
		return -1;
	buf_init(&auth);
	/* One allocation: the token is never copied by a realloc. */
	if (buf_reserve(&auth, strlen(token) + 32) == -1 ||
	    buf_printf(&auth, "Authorization: Bearer %s", token) == -1) {
		buf_free(&auth);
		return -1;
	}
	c->auth = buf_steal(&auth, NULL);
	if (continuation != NULL) {
		buf_init(&cont);
		if (buf_printf(&cont, "MS-ContinuationToken: %s",
		    continuation) == -1) {
			buf_free(&cont);
			upstream_call_wipe(c);
			return -1;
		}
		c->continuation = buf_steal(&cont, NULL);
	}
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
	if (c->continuation != NULL)
		c->headers[i++] = c->continuation;
	c->headers[i] = NULL;
	return 0;
}

enum upstream_paging
upstream_paging(const char *prev, const char *next, size_t pages,
    size_t max_pages)
{
	if (next == NULL || next[0] == '\0')
		return PAGING_DONE;
	if (prev != NULL && strcmp(prev, next) == 0)
		return PAGING_REPEATED;
	if (pages >= max_pages)
		return PAGING_BOUND;
	return PAGING_NEXT;
}

void
upstream_call_wipe(struct upstream_call *c)
{
	wipe_str(c->auth);
	c->auth = NULL;
	free(c->continuation);
	c->continuation = NULL;
	c->headers[0] = NULL;
}

enum bs_error
upstream_classify(const struct pc_result *r, enum res_kind k)
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
		return k == RES_BATCH ? BS_ERR_NO_SUCH_BATCH :
		    k == RES_DEVICES ? BS_ERR_NO_SUCH_DEVICE_BATCH :
		    BS_ERR_NO_SUCH_CUSTOMER;
	/* The batch call works with either sign-in; the others may refuse App-only. */
	if (r->http_status == 403 && k != RES_BATCH)
		return BS_ERR_SIGNIN_KIND;
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
