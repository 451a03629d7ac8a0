/* route.c: REQUEST_URI and query to a typed request; all input validation happens here, before anything else runs. */
#include "route.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"

int
route_decode(const char *s, size_t len, char *out, size_t outsz,
    size_t *outlen, int plus_is_space)
{
	size_t	 i, n = 0;
	int	 hi, lo;
	char	 c;

	for (i = 0; i < len; i++) {
		c = s[i];
		if (c == '%') {
			if (i + 2 >= len)
				return -1;
			hi = hex_digit(s[i + 1]);
			lo = hex_digit(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && plus_is_space)
			c = ' ';
		if (n + 1 >= outsz)
			return -2;
		out[n++] = c;
	}
	out[n] = '\0';
	*outlen = n;
	return 0;
}

static int
has_control(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

/* Copies s for showing back in the form: invalid UTF-8 and controls become '?', cut at a character boundary. */
static void
keep_for_form(char *dst, size_t dstsz, const char *s, size_t len)
{
	size_t i = 0, n = 0, k;

	while (i < len) {
		k = utf8_seq((const unsigned char *)s + i, len - i);
		if (k == 0 || (k == 1 && ((unsigned char)s[i] < 0x20 ||
		    s[i] == 0x7f))) {
			if (n + 1 >= dstsz)
				break;
			dst[n++] = '?';
			i += k ? k : 1;
			continue;
		}
		if (n + k >= dstsz)
			break;
		memcpy(dst + n, s + i, k);
		n += k;
		i += k;
	}
	dst[n] = '\0';
}

static int
is_blank_str(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t')
			return 0;
	return 1;
}

static enum bs_error
bad(struct request *req, enum form_msg msg, enum form_msg field)
{
	req->msg = msg;
	req->msg_field = field;
	return BS_ERR_BAD_INPUT;
}

/*
 * Reads one query value into out (decoded, checked). Returns MSG_NONE,
 * or the reason it cannot be used; the form copy is kept either way.
 */
static enum form_msg
take_value(const char *raw, size_t rawlen, char *form, char *out,
    size_t outsz)
{
	size_t	 n;
	int	 rc;

	rc = route_decode(raw, rawlen, out, outsz, &n, 1);
	if (rc == -2) {
		keep_for_form(form, ROUTE_VALUE_MAX + 1, raw, rawlen);
		return MSG_TOO_LONG;
	}
	if (rc == -1) {
		keep_for_form(form, ROUTE_VALUE_MAX + 1, raw, rawlen);
		return MSG_BAD_ENCODING;
	}
	keep_for_form(form, ROUTE_VALUE_MAX + 1, out, n);
	if (has_control(out, n) || strlen(out) != n)
		return MSG_CONTROL_CHARS;
	return MSG_NONE;
}

/* Whether the query holds no customer or tracking (the form, in a chosen language, maybe embedded). */
static int
no_ids(const char *query)
{
	const char *p = query;

	while (*p != '\0') {
		if (strncmp(p, "customer=", 9) == 0 ||
		    strncmp(p, "tracking=", 9) == 0)
			return 0;
		p += strcspn(p, "&");
		if (*p == '&')
			p++;
	}
	return 1;
}

/* Whether a decoded value is short, valid UTF-8 without control characters. */
static int
clean_value(const char *v, size_t n)
{
	return utf8_valid(v, n) && !has_control(v, n) && strlen(v) == n;
}

/*
 * The page options of the query, wherever they appear: lang (one of our
 * languages by any tag that names it), and for the batch page embed=1,
 * status=<a status or "failed">, q=<serial number text>, page=<n>. A value
 * we cannot use is ignored: these only shape the view.
 */
static void
take_options(const char *query, struct request *req)
{
	const char	*p = query, *v;
	char		 dec[ROUTE_VALUE_MAX + 1];
	size_t		 seglen, klen, vlen, n, i;
	int		 l;

	while (p != NULL && *p != '\0') {
		seglen = strcspn(p, "&");
		v = memchr(p, '=', seglen);
		klen = v ? (size_t)(v - p) : seglen;
		vlen = v ? seglen - klen - 1 : 0;
		v = v ? v + 1 : p + seglen;
		if (route_decode(v, vlen, dec, sizeof(dec), &n, 1) != 0 ||
		    !clean_value(dec, n))
			n = 0, dec[0] = '\0';
		if (klen == 4 && memcmp(p, "lang", 4) == 0 && n > 0 &&
		    (l = i18n_from_tag(dec, n)) >= 0)
			snprintf(req->lang, sizeof(req->lang), "%s",
			    i18n_tag((enum locale)l));
		else if (klen == 5 && memcmp(p, "embed", 5) == 0)
			req->embed = n == 1 && dec[0] == '1';
		else if (klen == 6 && memcmp(p, "status", 6) == 0 &&
		    n > 0 && n < sizeof(req->filter)) {
			/* Statuses we do not know come as Partner Center wrote them. */
			for (i = 0; i < n; i++)
				if (!isalnum((unsigned char)dec[i]) &&
				    dec[i] != '_' && dec[i] != '-' && dec[i] != ' ')
					break;
			if (i == n)
				memcpy(req->filter, dec, n + 1);
		} else if (klen == 1 && p[0] == 'q' && n < sizeof(req->search))
			memcpy(req->search, dec, n + 1);
		else if (klen == 4 && memcmp(p, "page", 4) == 0 && n > 0 &&
		    n < 8 && strspn(dec, "0123456789") == n)
			req->page = atol(dec);
		p += seglen;
		if (*p == '&')
			p++;
	}
	if (req->page < 1)
		req->page = 1;
}

static enum bs_error
route_lookup(const char *query, struct request *req)
{
	char		 customer[ROUTE_VALUE_MAX + 1] = "";
	char		 tracking[ROUTE_VALUE_MAX + 1] = "";
	char		 lc[GUID_LEN + 1], lt[GUID_LEN + 1];
	const char	*p = query, *amp, *eq;
	enum form_msg	 mc = MSG_NONE, mt = MSG_NONE;
	int		 seen_c = 0, seen_t = 0;

	while (*p != '\0') {
		size_t seglen;

		amp = strchr(p, '&');
		seglen = amp ? (size_t)(amp - p) : strlen(p);
		eq = memchr(p, '=', seglen);
		if (eq != NULL) {
			size_t klen = (size_t)(eq - p);
			const char *v = eq + 1;
			size_t vlen = seglen - klen - 1;

			if (klen == 8 && memcmp(p, "customer", 8) == 0 &&
			    !seen_c) {
				seen_c = 1;
				mc = take_value(v, vlen, req->form_customer,
				    customer, sizeof(customer));
			} else if (klen == 8 && memcmp(p, "tracking", 8) == 0 &&
			    !seen_t) {
				seen_t = 1;
				mt = take_value(v, vlen, req->form_tracking,
				    tracking, sizeof(tracking));
			}
		}
		p += seglen;
		if (*p == '&')
			p++;
	}
	if (!seen_c && !seen_t) {
		req->kind = ROUTE_FORM;
		return BS_OK;
	}
	if (mt != MSG_NONE)
		return bad(req, mt, MSG_TRACKING_INVALID);
	if (mc != MSG_NONE)
		return bad(req, mc, MSG_CUSTOMER_INVALID);

	if (is_blank_str(tracking))
		return bad(req, MSG_TRACKING_MISSING, MSG_TRACKING_INVALID);
	if (guid_parse_location(tracking, strlen(tracking), lc, lt) == 0) {
		if (!is_blank_str(customer)) {
			if (guid_parse(customer, strlen(customer),
			    req->customer) == -1)
				return bad(req, MSG_CUSTOMER_INVALID,
				    MSG_CUSTOMER_INVALID);
			if (strcmp(req->customer, lc) != 0)
				return bad(req, MSG_CUSTOMER_MISMATCH,
				    MSG_CUSTOMER_INVALID);
		}
		memcpy(req->customer, lc, sizeof(lc));
		memcpy(req->tracking, lt, sizeof(lt));
		req->kind = ROUTE_REDIRECT;
		return BS_OK;
	}
	if (is_blank_str(customer))
		return bad(req, MSG_CUSTOMER_MISSING, MSG_CUSTOMER_INVALID);
	if (guid_parse(customer, strlen(customer), req->customer) == -1)
		return bad(req, MSG_CUSTOMER_INVALID, MSG_CUSTOMER_INVALID);
	if (guid_parse(tracking, strlen(tracking), req->tracking) == -1)
		return bad(req, MSG_TRACKING_INVALID, MSG_TRACKING_INVALID);
	req->kind = ROUTE_REDIRECT;
	return BS_OK;
}

#define MAX_SEGMENTS 6

/* Splits a path into segments; returns the count, or -1 when there are too many. */
static int
split_path(const char *path, size_t len, const char *seg[MAX_SEGMENTS],
    size_t seglen[MAX_SEGMENTS])
{
	size_t	 i = 1, start;
	int	 n = 0;

	if (len == 1)
		return 0;
	while (i <= len) {
		start = i;
		while (i < len && path[i] != '/')
			i++;
		if (n == MAX_SEGMENTS)
			return -1;
		seg[n] = path + start;
		seglen[n] = i - start;
		n++;
		i++;
	}
	return n;
}

static int
seg_is(const char *seg, size_t len, const char *word)
{
	return strlen(word) == len && strncasecmp(seg, word, len) == 0;
}

/* A GUID in a path segment, percent-decoded; MSG_NONE or why not. */
static enum form_msg
path_guid(const char *seg, size_t len, char *form, char out[GUID_LEN + 1])
{
	char		 dec[ROUTE_VALUE_MAX + 1];
	enum form_msg	 m;

	m = take_value(seg, len, form, dec, sizeof(dec));
	if (m != MSG_NONE)
		return m;
	return guid_parse(dec, strlen(dec), out) == 0 ? MSG_NONE :
	    MSG_TRACKING_INVALID;
}

static enum bs_error
route_ids(const char *cseg, size_t clen, const char *tseg, size_t tlen,
    struct request *req)
{
	enum form_msg m;

	if ((m = path_guid(cseg, clen, req->form_customer,
	    req->customer)) != MSG_NONE)
		return bad(req, m == MSG_TRACKING_INVALID ?
		    MSG_CUSTOMER_INVALID : m, MSG_CUSTOMER_INVALID);
	if ((m = path_guid(tseg, tlen, req->form_tracking,
	    req->tracking)) != MSG_NONE)
		return bad(req, m, MSG_TRACKING_INVALID);
	return BS_OK;
}

enum bs_error
route_request(const char *method, const char *uri, struct request *req)
{
	const char	*q, *seg[MAX_SEGMENTS];
	size_t		 plen, seglen[MAX_SEGMENTS], tlen;
	int		 n;
	enum bs_error	 e;

	memset(req, 0, sizeof(*req));
	if (strcmp(method, "HEAD") == 0)
		req->head = 1;
	else if (strcmp(method, "GET") != 0)
		return BS_ERR_METHOD;
	if (uri[0] != '/')
		return BS_ERR_NO_ROUTE;
	q = strchr(uri, '?');
	plen = q ? (size_t)(q - uri) : strlen(uri);
	if (q != NULL)
		take_options(q + 1, req);
	else
		req->page = 1;
	if (plen > 1024 || (n = split_path(uri, plen, seg, seglen)) < 0)
		return BS_ERR_NO_ROUTE;

	if (n == 1 && seglen[0] == 7 && memcmp(seg[0], "metrics", 7) == 0) {
		req->kind = ROUTE_METRICS;
		return BS_OK;
	}
	if (n == 1 && seglen[0] == 7 && memcmp(seg[0], "healthz", 7) == 0) {
		req->kind = ROUTE_HEALTH;
		return BS_OK;
	}
	if (n == 0) {
		if (q == NULL || q[1] == '\0' || no_ids(q + 1)) {
			req->kind = ROUTE_FORM;
			return BS_OK;
		}
		return route_lookup(q + 1, req);
	}
	/* /customers/{c}/batches/{t}[.json|.csv] */
	if (n == 4 && seg_is(seg[0], seglen[0], "customers") &&
	    seg_is(seg[2], seglen[2], "batches")) {
		tlen = seglen[3];
		req->format = FORMAT_HTML;
		if (tlen > 5 && strncmp(seg[3] + tlen - 5, ".json", 5) == 0) {
			req->format = FORMAT_JSON;
			tlen -= 5;
		} else if (tlen > 4 &&
		    strncmp(seg[3] + tlen - 4, ".csv", 4) == 0) {
			req->format = FORMAT_CSV;
			tlen -= 4;
		}
		if ((e = route_ids(seg[1], seglen[1], seg[3], tlen, req)) !=
		    BS_OK)
			return e;
		req->kind = ROUTE_BATCH;
		/* A valid but non-canonical spelling (upper case, braces) redirects. */
		if (seglen[1] != GUID_LEN || tlen != GUID_LEN ||
		    memcmp(seg[1], req->customer, GUID_LEN) != 0 ||
		    memcmp(seg[3], req->tracking, GUID_LEN) != 0 ||
		    memcmp(seg[0], "customers", 9) != 0 ||
		    memcmp(seg[2], "batches", 7) != 0)
			req->kind = ROUTE_REDIRECT;
		return BS_OK;
	}
	/* A Partner Center path pasted after our host: [/v1]/customers/{c}/batchJobStatus/{t} */
	if (n >= 4 && n <= 5) {
		int o = n - 4;

		if ((o == 0 || seg_is(seg[0], seglen[0], "v1")) &&
		    seg_is(seg[o], seglen[o], "customers") &&
		    seg_is(seg[o + 2], seglen[o + 2], "batchJobStatus")) {
			if ((e = route_ids(seg[o + 1], seglen[o + 1],
			    seg[o + 3], seglen[o + 3], req)) != BS_OK)
				return e;
			req->kind = ROUTE_REDIRECT;
			return BS_OK;
		}
	}
	return BS_ERR_NO_ROUTE;
}
