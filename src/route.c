/* route.c: the route table and its matcher: REQUEST_URI and query to a typed request; all input validation happens here, before anything else runs. */
#include "route.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "allow.h"
#include "buf.h"
#include "pages.h"
#include "text.h"

static const char HTML[] = "text/html; charset=utf-8";

static const struct route_format form_formats[] = {
	{ "", FORMAT_PAGE, HTML, 'h', "form" },
};
static const struct route_format lookup_formats[] = {
	{ "", FORMAT_PAGE, HTML, 'h', "lookup" },
};
const struct route_format route_batch_formats[] = {
	{ "", FORMAT_PAGE, HTML, 'h', "batch_html" },
	{ ".json", FORMAT_JSON, "application/json; charset=utf-8", 'j', "batch_json" },
	{ ".csv", FORMAT_CSV, "text/csv; charset=utf-8; header=present", 'c', "batch_csv" },
};
static const struct route_format metrics_formats[] = {
	{ "", FORMAT_TEXT, "text/plain; version=0.0.4; charset=utf-8", 'm', "metrics" },
};
static const struct route_format health_formats[] = {
	{ "", FORMAT_TEXT, "text/plain; charset=utf-8", 'z', "healthz" },
};
#define N(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Every page, first match wins. {customer} and {tracking} are GUIDs in
 * any spelling guid_parse takes; the last segment may end in a format's
 * suffix. A new page is a row here and a file page_<name>.c (pages.h).
 */
static const struct route routes[] = {
	/* The form's lookup: IDs or a pasted Location in the query. */
	{ "/", ROUTE_IDS_QUERY, lookup_formats, N(lookup_formats), page_lookup },
	{ "/", 0, form_formats, N(form_formats), page_form },
	{ "/healthz", 0, health_formats, N(health_formats), page_health },
	{ "/metrics", 0, metrics_formats, N(metrics_formats), page_metrics },
	{ "/customers/{customer}/batches/{tracking}",
	  ROUTE_ANY_CASE | ROUTE_CANONICAL | ROUTE_ALLOWED | ROUTE_UPSTREAM,
	  route_batch_formats, N(route_batch_formats),
	  page_batch },
	/* A Partner Center path pasted after our host. */
	{ "/customers/{customer}/batchJobStatus/{tracking}", ROUTE_ANY_CASE,
	  lookup_formats, N(lookup_formats), page_lookup },
	{ "/v1/customers/{customer}/batchJobStatus/{tracking}", ROUTE_ANY_CASE,
	  lookup_formats, N(lookup_formats), page_lookup },
};

const char *
route_metric_name(size_t want)
{
	size_t	 i, f, j, k, seen = 0;

	for (i = 0; i < N(routes); i++)
		for (f = 0; f < routes[i].nformats; f++) {
			const char *m = routes[i].formats[f].metric;
			int dup = 0;

			/* Distinct names, in the table's order. */
			for (j = 0; j <= i && !dup; j++)
				for (k = 0; k < routes[j].nformats; k++) {
					if (j == i && k == f)
						break;
					if (strcmp(routes[j].formats[k].metric,
					    m) == 0) {
						dup = 1;
						break;
					}
				}
			if (!dup && seen++ == want)
				return m;
		}
	return want == seen ? "other" : NULL;
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

	rc = query_decode(raw, rawlen, out, outsz, &n, 1);
	if (rc == -2) {
		keep_for_form(form, ROUTE_VALUE_MAX + 1, raw, rawlen);
		return MSG_TOO_LONG;
	}
	if (rc == -1) {
		keep_for_form(form, ROUTE_VALUE_MAX + 1, raw, rawlen);
		return MSG_BAD_ENCODING;
	}
	keep_for_form(form, ROUTE_VALUE_MAX + 1, out, n);
	if (query_has_control(out, n) || strlen(out) != n)
		return MSG_CONTROL_CHARS;
	return MSG_NONE;
}

/* Whether the query names a customer or tracking ID: the form's lookup rather than the empty form. */
static int
has_ids(const char *query)
{
	const char *p = query;

	while (*p != '\0') {
		if (strncmp(p, "customer=", 9) == 0 ||
		    strncmp(p, "tracking=", 9) == 0)
			return 1;
		p += strcspn(p, "&");
		if (*p == '&')
			p++;
	}
	return 0;
}

/* The form's lookup: IDs, or a whole Location in the tracking field. */
static enum bs_error
route_lookup(const char *query, struct request *req)
{
	char		 customer[ROUTE_VALUE_MAX + 1] = "";
	char		 tracking[ROUTE_VALUE_MAX + 1] = "";
	struct guid_read rc, rt;
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
	if (mt != MSG_NONE)
		return bad(req, mt, MSG_TRACKING_INVALID);
	if (mc != MSG_NONE)
		return bad(req, mc, MSG_CUSTOMER_INVALID);

	guid_read_paste(customer, strlen(customer), &rc);
	guid_read_paste(tracking, strlen(tracking), &rt);
	if (rt.kind == GUID_PASTE_EMPTY)
		return bad(req, MSG_TRACKING_MISSING, MSG_TRACKING_INVALID);
	if (rt.kind == GUID_PASTE_PAIR) {
		if (rc.kind != GUID_PASTE_EMPTY) {
			if (rc.kind != GUID_PASTE_ID)
				return bad(req, MSG_CUSTOMER_INVALID,
				    MSG_CUSTOMER_INVALID);
			if (strcmp(rc.id, rt.customer) != 0)
				return bad(req, MSG_CUSTOMER_MISMATCH,
				    MSG_CUSTOMER_INVALID);
		}
		memcpy(req->customer, rt.customer, sizeof(rt.customer));
		memcpy(req->tracking, rt.id, sizeof(rt.id));
		return BS_OK;
	}
	if (rc.kind == GUID_PASTE_EMPTY)
		return bad(req, MSG_CUSTOMER_MISSING, MSG_CUSTOMER_INVALID);
	if (rc.kind != GUID_PASTE_ID)
		return bad(req, MSG_CUSTOMER_INVALID, MSG_CUSTOMER_INVALID);
	if (rt.kind != GUID_PASTE_ID)
		return bad(req, MSG_TRACKING_INVALID, MSG_TRACKING_INVALID);
	memcpy(req->customer, rc.id, sizeof(rc.id));
	memcpy(req->tracking, rt.id, sizeof(rt.id));
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

/*
 * Whether the path's segments fit the route's pattern (words, and the
 * last segment's suffix naming a format). IDs are not checked yet; the
 * format is set.
 */
static int
match(const struct route *r, int n, const char *const *seg,
    const size_t *seglen, struct request *req)
{
	const char	*pseg[MAX_SEGMENTS];
	size_t		 plen[MAX_SEGMENTS], len, sl, f;
	int		 np, i;

	if ((np = split_path(r->pattern, strlen(r->pattern), pseg, plen)) != n)
		return 0;
	req->format = &r->formats[0];
	for (i = 0; i < n; i++) {
		len = seglen[i];
		if (pseg[i][0] == '{') {
			/* The last segment may carry a format's suffix. */
			if (i == n - 1)
				for (f = 1; f < r->nformats; f++) {
					sl = strlen(r->formats[f].suffix);
					if (len > sl && strncmp(seg[i] + len - sl,
					    r->formats[f].suffix, sl) == 0) {
						req->format = &r->formats[f];
						break;
					}
				}
			continue;
		}
		if (len != plen[i] || ((r->flags & ROUTE_ANY_CASE) ?
		    strncasecmp(seg[i], pseg[i], len) :
		    strncmp(seg[i], pseg[i], len)) != 0)
			return 0;
	}
	return 1;
}

/* The IDs in the path's {customer} and {tracking} segments; whether spelled canonically. */
static enum bs_error
path_ids(const struct route *r, int n, const char *const *seg,
    const size_t *seglen, struct request *req, int *canonical)
{
	const char	*pseg[MAX_SEGMENTS];
	size_t		 plen[MAX_SEGMENTS], len;
	enum form_msg	 m;
	int		 i;

	split_path(r->pattern, strlen(r->pattern), pseg, plen);
	*canonical = 1;
	for (i = 0; i < n; i++) {
		len = seglen[i];
		if (i == n - 1)
			len -= strlen(req->format->suffix);
		if (pseg[i][0] != '{') {
			if (len != plen[i] || memcmp(seg[i], pseg[i], len) != 0)
				*canonical = 0;
			continue;
		}
		if (strncmp(pseg[i], "{customer}", plen[i]) == 0) {
			if ((m = path_guid(seg[i], len, req->form_customer,
			    req->customer)) != MSG_NONE)
				return bad(req, m == MSG_TRACKING_INVALID ?
				    MSG_CUSTOMER_INVALID : m,
				    MSG_CUSTOMER_INVALID);
			if (len != GUID_LEN || memcmp(seg[i], req->customer,
			    GUID_LEN) != 0)
				*canonical = 0;
		} else {
			if ((m = path_guid(seg[i], len, req->form_tracking,
			    req->tracking)) != MSG_NONE)
				return bad(req, m, MSG_TRACKING_INVALID);
			if (len != GUID_LEN || memcmp(seg[i], req->tracking,
			    GUID_LEN) != 0)
				*canonical = 0;
		}
	}
	return BS_OK;
}

static char base_path[128];	/* set once before threads */

int
route_set_base_path(const char *path)
{
	if (path[0] != '\0' && (!mount_path_ok(path) ||
	    strlen(path) >= sizeof(base_path)))
		return -1;
	snprintf(base_path, sizeof(base_path), "%s", path);
	return 0;
}

/*
 * The request's mount point: the setting, else nginx's SCRIPT_NAME; the
 * URI must start with it, and what follows is routed as if at the root.
 * Returns the URI to route ("" when it lies outside the mount point).
 */
static const char *
strip_prefix(const struct http_in *in, char *prefix, size_t prefixsz,
    struct buf *tmp)
{
	size_t	 n;
	int	 from_nginx = 0;

	snprintf(prefix, prefixsz, "%s", base_path);
	if (prefix[0] == '\0' && in->script_name != NULL &&
	    mount_path_ok(in->script_name) &&
	    strlen(in->script_name) < sizeof(base_path)) {
		snprintf(prefix, prefixsz, "%s", in->script_name);
		from_nginx = 1;
	}
	if ((n = strlen(prefix)) == 0)
		return in->uri;
	if (strncmp(in->uri, prefix, n) == 0 && in->uri[n] == '/')
		return in->uri + n;
	if (from_nginx) {
		/*
		 * nginx's stock fastcgi_params set SCRIPT_NAME to the whole
		 * (decoded) path: not a mount point. Route the URI as it is.
		 */
		prefix[0] = '\0';
		return in->uri;
	}
	if (strncmp(in->uri, prefix, n) != 0 ||
	    (in->uri[n] != '\0' && in->uri[n] != '?'))
		return "";
	/* /tools/batchstatus or /tools/batchstatus?x: the form at its root. */
	buf_printf(tmp, "/%s", in->uri + n);
	return tmp->data != NULL && !tmp->failed ? tmp->data : "";
}

/* The path and query after the mount point: the route, its IDs, its options. */
static enum bs_error
route_path(const char *method, const char *uri, struct request *req)
{
	const char	*q, *seg[MAX_SEGMENTS];
	size_t		 plen, seglen[MAX_SEGMENTS], i;
	int		 n, canonical;
	enum bs_error	 e;
	struct query_opts o = { &req->link, &req->table };

	if (strcmp(method, "HEAD") == 0)
		req->head = 1;
	else if (strcmp(method, "GET") != 0)
		return BS_ERR_METHOD;
	if (uri[0] != '/')
		return BS_ERR_NO_ROUTE;
	q = strchr(uri, '?');
	plen = q ? (size_t)(q - uri) : strlen(uri);
	query_options(q != NULL ? q + 1 : "", &o);
	if (plen > 1024 || (n = split_path(uri, plen, seg, seglen)) < 0)
		return BS_ERR_NO_ROUTE;
	for (i = 0; i < N(routes); i++) {
		const struct route *r = &routes[i];

		if ((r->flags & ROUTE_IDS_QUERY) &&
		    (q == NULL || !has_ids(q + 1)))
			continue;
		if (!match(r, n, seg, seglen, req))
			continue;
		req->route = r;
		req->metric = req->format->metric;
		if (r->flags & ROUTE_IDS_QUERY)
			return route_lookup(q + 1, req);
		if (strchr(r->pattern, '{') == NULL)
			return BS_OK;
		if ((e = path_ids(r, n, seg, seglen, req, &canonical)) != BS_OK)
			return e;
		/* A valid but non-canonical spelling (upper case, braces) redirects. */
		if ((r->flags & ROUTE_CANONICAL) && !canonical)
			req->redirect = 1;
		return BS_OK;
	}
	req->format = NULL;
	return BS_ERR_NO_ROUTE;
}

enum bs_error
route_request(const struct http_in *in, struct request *req)
{
	struct buf	 tmp;
	const char	*uri;
	enum bs_error	 e;

	memset(req, 0, sizeof(*req));
	req->metric = "other";
	buf_init(&tmp);
	uri = strip_prefix(in, req->link.prefix, sizeof(req->link.prefix), &tmp);
	e = route_path(in->method, uri, req);
	buf_free(&tmp);
	/* ?lang= wins; then the browser's Accept-Language; then en-US. */
	req->locale = req->link.lang[0] != '\0' ?
	    (enum locale)i18n_from_tag(req->link.lang, strlen(req->link.lang)) :
	    i18n_negotiate(in->accept_language);
	if (e == BS_ERR_BAD_INPUT)
		req->metric = "lookup";	/* the form answers it, as a lookup */
	if (e != BS_OK)
		return e;
	/* Only GET and HEAD are served, and neither has a body here. */
	if (in->has_body)
		return BS_ERR_BODY;
	/* Checked before the cache and Partner Center are asked anything. */
	if ((req->route->flags & ROUTE_ALLOWED) && !req->redirect &&
	    !allow_customer(req->customer))
		return BS_ERR_CUSTOMER_NOT_ALLOWED;
	return BS_OK;
}
