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
static const struct route_format forget_formats[] = {
	{ "", FORMAT_PAGE, HTML, 'h', "forget" },
};
static const struct route_format customers_formats[] = {
	{ "", FORMAT_PAGE, HTML, 'h', "customers" },
};
static const struct route_format customer_formats[] = {
	{ "", FORMAT_PAGE, HTML, 'h', "customer" },
};
static const struct route_format route_devices_formats[] = {
	{ "", FORMAT_PAGE, HTML, 'h', "devices_html" },
	{ ".json", FORMAT_JSON, "application/json; charset=utf-8", 'j', "devices_json" },
	{ ".csv", FORMAT_CSV, "text/csv; charset=utf-8; header=present", 'c', "devices_csv" },
};
static const struct route_format follow_formats[] = {
	{ "", FORMAT_PAGE, HTML, 'h', "follow" },
};
static const struct route_format following_formats[] = {
	{ "", FORMAT_PAGE, HTML, 'h', "following" },
};
static const struct route_format feed_formats[] = {
	{ "", FORMAT_TEXT, "application/atom+xml; charset=utf-8", 'a', "feed" },
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
	/* The form filled in with IDs, to change them: the error pages' way back. */
	{ "/", ROUTE_IDS_QUERY | ROUTE_EDIT, form_formats, N(form_formats),
	  page_form, RES_BATCH },
	/* The form's lookup: IDs or a pasted Location in the query. */
	{ "/", ROUTE_IDS_QUERY, lookup_formats, N(lookup_formats), page_lookup,
	  RES_BATCH },
	{ "/", 0, form_formats, N(form_formats), page_form, RES_BATCH },
	{ "/healthz", 0, health_formats, N(health_formats), page_health,
	  RES_BATCH },
	{ "/recent/forget", 0, forget_formats, N(forget_formats), page_forget,
	  RES_BATCH },
	{ "/metrics", 0, metrics_formats, N(metrics_formats), page_metrics,
	  RES_BATCH },
	{ "/customers/{customer}/batches/{tracking}",
	  ROUTE_ANY_CASE | ROUTE_CANONICAL | ROUTE_ALLOWED | ROUTE_UPSTREAM |
	  ROUTE_NAME, route_batch_formats, N(route_batch_formats),
	  page_batch, RES_BATCH },
	/* Notifications (BATCHSTATUS_NOTIFY_FILE): the follow button's POST, what is followed, a customer's feed. */
	{ "/customers/{customer}/batches/{tracking}/follow",
	  ROUTE_ANY_CASE | ROUTE_ALLOWED | ROUTE_POST, follow_formats,
	  N(follow_formats), page_follow, RES_BATCH },
	{ "/following", 0, following_formats, N(following_formats),
	  page_following, RES_BATCH },
	{ "/customers/{customer}/feed.atom", ROUTE_ANY_CASE | ROUTE_ALLOWED,
	  feed_formats, N(feed_formats), page_feed, RES_BATCH },
	/* Finding a batch without its GUIDs: customers by name, their device batches, their devices. */
	{ "/customers", ROUTE_UPSTREAM, customers_formats, N(customers_formats),
	  page_customers, RES_SEARCH },
	{ "/customers/{customer}",
	  ROUTE_ANY_CASE | ROUTE_CANONICAL | ROUTE_ALLOWED | ROUTE_UPSTREAM |
	  ROUTE_NAME, customer_formats, N(customer_formats),
	  page_customer, RES_DEVICE_BATCHES },
	{ "/customers/{customer}/device-batches/{batch}",
	  ROUTE_ANY_CASE | ROUTE_CANONICAL | ROUTE_ALLOWED | ROUTE_UPSTREAM |
	  ROUTE_NAME, route_devices_formats, N(route_devices_formats),
	  page_device_batch, RES_DEVICES },
	/* A Partner Center path pasted after our host. */
	{ "/customers/{customer}/batchJobStatus/{tracking}", ROUTE_ANY_CASE,
	  lookup_formats, N(lookup_formats), page_lookup, RES_BATCH },
	{ "/v1/customers/{customer}/batchJobStatus/{tracking}", ROUTE_ANY_CASE,
	  lookup_formats, N(lookup_formats), page_lookup, RES_BATCH },
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

/* Copies s for showing back in the form: tabs and line breaks become spaces, invalid UTF-8 and other controls '?'; cut at a character boundary. */
static void
keep_for_form(char *dst, size_t dstsz, const char *s, size_t len)
{
	size_t i = 0, n = 0, k;

	while (i < len) {
		k = utf8_seq((const unsigned char *)s + i, len - i);
		if (k == 1 && (s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) {
			if (n + 1 >= dstsz)
				break;
			dst[n++] = ' ';
			i++;
			continue;
		}
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

/* The form again: each field's message, MSG_NONE for a field that was fine. */
static enum bs_error
bad(struct request *req, enum form_msg customer, enum form_msg tracking)
{
	req->msg[FIELD_CUSTOMER] = customer;
	req->msg[FIELD_TRACKING] = tracking;
	return BS_ERR_BAD_INPUT;
}

/*
 * Reads one query value into out (decoded, checked). Returns MSG_NONE,
 * or the reason it cannot be used; the form copy is kept either way.
 * With blanks_ok, tabs and line breaks pass (a paste brings them along;
 * guid_read_paste drops them); any other control character never does.
 */
static enum form_msg
take_value(const char *raw, size_t rawlen, char *form, char *out,
    size_t outsz, int blanks_ok)
{
	size_t	 n, i;
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
	if (strlen(out) != n)
		return MSG_CONTROL_CHARS;
	for (i = 0; i < n; i++)
		if (query_has_control(out + i, 1) && !(blanks_ok &&
		    (out[i] == '\t' || out[i] == '\r' || out[i] == '\n')))
			return MSG_CONTROL_CHARS;
	return MSG_NONE;
}

/* Whether the query has a parameter starting with what (a name and '=', or a name=value). */
static int
has_param(const char *query, const char *what)
{
	const char	*p = query;
	size_t		 n = strlen(what);

	while (*p != '\0') {
		size_t seglen = strcspn(p, "&");

		if (strncmp(p, what, n) == 0 && (what[n - 1] == '=' ||
		    seglen == n))
			return 1;
		p += seglen;
		if (*p == '&')
			p++;
	}
	return 0;
}

/* Whether the query names a customer or tracking ID: the form's lookup rather than the empty form. */
static int
has_ids(const char *query)
{
	return has_param(query, "customer=") || has_param(query, "tracking=");
}

/*
 * The query's first customer= and tracking= values, decoded into customer
 * and tracking (and kept for the form); *mc and *mt say why one's bytes
 * cannot be used, or MSG_NONE.
 */
static void
read_fields(const char *query, struct request *req, char *customer,
    char *tracking, size_t sz, enum form_msg *mc, enum form_msg *mt)
{
	const char	*p = query, *amp, *eq;
	int		 seen_c = 0, seen_t = 0;

	*mc = *mt = MSG_NONE;
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
				*mc = take_value(v, vlen, req->form_customer,
				    customer, sz, 1);
			} else if (klen == 8 && memcmp(p, "tracking", 8) == 0 &&
			    !seen_t) {
				seen_t = 1;
				*mt = take_value(v, vlen, req->form_tracking,
				    tracking, sz, 1);
			}
		}
		p += seglen;
		if (*p == '&')
			p++;
	}
}

/* What a field's paste that is no ID says (MSG_NONE for an ID or a pair). */
static enum form_msg
paste_msg(const struct guid_read *g, enum form_field f)
{
	switch (g->kind) {
	case GUID_PASTE_EMPTY:
		return f == FIELD_CUSTOMER ? MSG_CUSTOMER_MISSING :
		    MSG_TRACKING_MISSING;
	case GUID_PASTE_DEVICE_BATCH:
		return MSG_DEVICE_BATCH;
	case GUID_PASTE_BAD_ID:
		return MSG_LOCATION_BAD_ID;
	case GUID_PASTE_NOT_STATUS:
		return MSG_LOCATION_NOT_STATUS;
	case GUID_PASTE_NOT_GUID:
		return f == FIELD_CUSTOMER ? MSG_CUSTOMER_INVALID :
		    MSG_TRACKING_INVALID;
	case GUID_PASTE_ID:
	case GUID_PASTE_PAIR:
		break;
	}
	return MSG_NONE;
}

/* Whether a paste was an address (a Location, a URL) that named no batch status. */
static int
is_address(const struct guid_read *g)
{
	return g->kind == GUID_PASTE_DEVICE_BATCH ||
	    g->kind == GUID_PASTE_BAD_ID || g->kind == GUID_PASTE_NOT_STATUS;
}

/*
 * The other field beside a Location (a pair) in one of them: empty, or
 * the same ID as the Location's (its customer in the customer field, its
 * tracking ID in the tracking field), or the same Location. MSG_NONE, or
 * why not.
 */
static enum form_msg
beside_pair(const struct guid_read *pair, const struct guid_read *other,
    enum form_field f)
{
	const char *want = f == FIELD_CUSTOMER ? pair->customer : pair->id;

	switch (other->kind) {
	case GUID_PASTE_EMPTY:
		return MSG_NONE;
	case GUID_PASTE_ID:
		if (strcmp(other->id, want) == 0)
			return MSG_NONE;
		break;
	case GUID_PASTE_PAIR:
		if (strcmp(other->customer, pair->customer) == 0 &&
		    strcmp(other->id, pair->id) == 0)
			return MSG_NONE;
		break;
	default:
		return paste_msg(other, f);
	}
	return f == FIELD_CUSTOMER ? MSG_CUSTOMER_MISMATCH :
	    MSG_TRACKING_MISMATCH;
}

/*
 * The form's lookup: an ID in each field, or a whole Location (or our
 * batch URL) in either, the other empty or agreeing. Every field that
 * cannot be used gets its message, both at once.
 */
static enum bs_error
route_lookup(const char *query, struct request *req)
{
	char		 customer[ROUTE_VALUE_MAX + 1] = "";
	char		 tracking[ROUTE_VALUE_MAX + 1] = "";
	struct guid_read rc, rt;
	enum form_msg	 mc, mt;

	read_fields(query, req, customer, tracking, sizeof(customer), &mc, &mt);
	if (mc != MSG_NONE || mt != MSG_NONE) {
		/* A field whose bytes are fine may still be no ID: say so too. */
		if (mc == MSG_NONE) {
			guid_read_paste(customer, strlen(customer), &rc);
			mc = rc.kind == GUID_PASTE_EMPTY ? MSG_NONE :
			    paste_msg(&rc, FIELD_CUSTOMER);
		}
		if (mt == MSG_NONE) {
			guid_read_paste(tracking, strlen(tracking), &rt);
			mt = rt.kind == GUID_PASTE_EMPTY ? MSG_NONE :
			    paste_msg(&rt, FIELD_TRACKING);
		}
		return bad(req, mc, mt);
	}
	guid_read_paste(customer, strlen(customer), &rc);
	guid_read_paste(tracking, strlen(tracking), &rt);
	if (rt.kind == GUID_PASTE_PAIR || rc.kind == GUID_PASTE_PAIR) {
		/* The Location in the tracking field wins when both hold one. */
		const struct guid_read *pair = rt.kind == GUID_PASTE_PAIR ?
		    &rt : &rc;

		if (pair == &rt)
			mc = beside_pair(pair, &rc, FIELD_CUSTOMER);
		else
			mt = beside_pair(pair, &rt, FIELD_TRACKING);
		if (mc != MSG_NONE || mt != MSG_NONE)
			return bad(req, mc, mt);
		memcpy(req->customer, pair->customer, sizeof(pair->customer));
		memcpy(req->tracking, pair->id, sizeof(pair->id));
		return BS_OK;
	}
	mc = paste_msg(&rc, FIELD_CUSTOMER);
	mt = paste_msg(&rt, FIELD_TRACKING);
	/* A Location that could not be read: the other field, empty, lacks nothing. */
	if (rc.kind == GUID_PASTE_EMPTY && is_address(&rt))
		mc = MSG_NONE;
	if (rt.kind == GUID_PASTE_EMPTY && is_address(&rc))
		mt = MSG_NONE;
	if (mc != MSG_NONE || mt != MSG_NONE)
		return bad(req, mc, mt);
	memcpy(req->customer, rc.id, sizeof(rc.id));
	memcpy(req->tracking, rt.id, sizeof(rt.id));
	return BS_OK;
}

/* The form filled in to be changed: whatever was there, shown back, nothing checked nor looked up. */
static enum bs_error
route_edit(const char *query, struct request *req)
{
	char		 customer[ROUTE_VALUE_MAX + 1], tracking[ROUTE_VALUE_MAX + 1];
	enum form_msg	 mc, mt;

	read_fields(query, req, customer, tracking, sizeof(customer), &mc, &mt);
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

	m = take_value(seg, len, form, dec, sizeof(dec), 0);
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

/* The IDs in the path's {customer} and {tracking} segments (each bad one flagged); whether spelled canonically. */
static enum bs_error
path_ids(const struct route *r, int n, const char *const *seg,
    const size_t *seglen, struct request *req, int *canonical)
{
	const char	*pseg[MAX_SEGMENTS];
	size_t		 plen[MAX_SEGMENTS], len;
	enum form_msg	 m;
	int		 i, batch_bad = 0;

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
		if (strncmp(pseg[i], "{batch}", plen[i]) == 0) {
			/* A name, not an ID: any spelling of it is its own (no redirect). */
			if (dir_segment_decode(seg[i], len, req->batch_id,
			    sizeof(req->batch_id)) == -1)
				batch_bad = 1;
		} else if (strncmp(pseg[i], "{customer}", plen[i]) == 0) {
			if ((m = path_guid(seg[i], len, req->form_customer,
			    req->customer)) != MSG_NONE)
				req->msg[FIELD_CUSTOMER] =
				    m == MSG_TRACKING_INVALID ?
				    MSG_CUSTOMER_INVALID : m;
			else if (len != GUID_LEN || memcmp(seg[i],
			    req->customer, GUID_LEN) != 0)
				*canonical = 0;
		} else {
			if ((m = path_guid(seg[i], len, req->form_tracking,
			    req->tracking)) != MSG_NONE)
				req->msg[FIELD_TRACKING] = m;
			else if (len != GUID_LEN || memcmp(seg[i],
			    req->tracking, GUID_LEN) != 0)
				*canonical = 0;
		}
	}
	if (req->msg[FIELD_CUSTOMER] != MSG_NONE ||
	    req->msg[FIELD_TRACKING] != MSG_NONE) {
		/* Neither ID may be used: nothing half-valid leaves routing. */
		req->customer[0] = req->tracking[0] = req->batch_id[0] = '\0';
		return BS_ERR_BAD_INPUT;
	}
	if (batch_bad) {
		req->batch_id[0] = '\0';
		return BS_ERR_BAD_BATCH_ID;
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
	int		 n, canonical, post = 0;
	enum bs_error	 e;
	struct query_opts o = { &req->link, &req->table };

	if (strcmp(method, "HEAD") == 0)
		req->head = 1;
	else if (strcmp(method, "POST") == 0)
		post = 1;
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
		if ((r->flags & ROUTE_EDIT) && !has_param(q + 1, "edit=1"))
			continue;
		if (!match(r, n, seg, seglen, req))
			continue;
		req->route = r;
		req->metric = req->format->metric;
		/* A form's POST route takes nothing else, and nothing else takes a POST. */
		if (post != ((r->flags & ROUTE_POST) != 0))
			return BS_ERR_METHOD;
		if (r->flags & ROUTE_EDIT)
			return route_edit(q + 1, req);
		if (r->flags & ROUTE_IDS_QUERY)
			return route_lookup(q + 1, req);
		if (r->res == RES_SEARCH)
			req->search_by = strchr(req->table.search, '.') != NULL ?
			    DIR_FIELD_DOMAIN : DIR_FIELD_COMPANY_NAME;
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
	/* GET and HEAD have no body here; a form's POST only a small one (its page says). */
	if (in->has_body && !(req->route->flags & ROUTE_POST))
		return BS_ERR_BODY;
	/* Checked before the cache and Partner Center are asked anything. */
	if ((req->route->flags & ROUTE_ALLOWED) && !req->redirect &&
	    !allow_customer(req->customer))
		return BS_ERR_CUSTOMER_NOT_ALLOWED;
	return BS_OK;
}

void
route_ask(const struct request *req, struct upstream_ask *a)
{
	memset(a, 0, sizeof(*a));
	a->kind = req->route != NULL ? req->route->res : RES_BATCH;
	memcpy(a->customer, req->customer, sizeof(a->customer));
	memcpy(a->tracking, req->tracking, sizeof(a->tracking));
	snprintf(a->batch_id, sizeof(a->batch_id), "%s", req->batch_id);
	a->field = req->search_by;
	snprintf(a->q, sizeof(a->q), "%s", req->table.search);
}
