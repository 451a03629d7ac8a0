/* handler.c: routes a request and answers it, or parks it for its batch and answers when the batch is here. */
#include "handler.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "allow.h"
#include "batch.h"
#include "cache.h"
#include "export.h"
#include "render.h"
#include "route.h"
#include "text.h"
#include "view.h"

static const char HTML[] = "text/html; charset=utf-8";

#define ERROR_REFRESH_SECONDS	30	/* a 502/503/504 batch page without Retry-After reloads after this */

/* Last resort when even the error template fails: plain text, no template. */
static void
internal_failure(struct response *res)
{
	buf_reset(&res->body);
	res->status = 500;
	res->content_type = "text/plain; charset=utf-8";
	res->outcome = "render_failed";
	res->body.failed = 0;
	buf_printf(&res->body, "Internal error. Correlation ID: %s\n",
	    res->correlation_id);
}

/* HEAD gets the status and headers GET would, with nothing rendered. */
static void
render_page(struct response *res, struct tpage *p)
{
	if (p == NULL || (!res->head && tpage_render(p, &res->body) == -1))
		internal_failure(res);
	tpage_free(p);
}

static void
error_page(struct response *res, enum bs_error e, const struct request *req,
    long retry_after, const char *detail)
{
	const struct error_info	*ei = error_info(e);
	struct tpage		*p;

	res->status = ei->http_status;
	res->outcome = ei->key;
	res->retry_after = retry_after;
	res->allow = e == BS_ERR_METHOD;
	buf_reset(&res->body);
	if (req != NULL && req->kind == ROUTE_BATCH &&
	    req->format == FORMAT_JSON) {
		/* A script asked for JSON: it gets its error as JSON too (no data: no asOf). */
		res->content_type = "application/json; charset=utf-8";
		buf_printf(&res->body, "{\"error\":\"%s\",\"status\":%d,"
		    "\"correlationId\":\"%s\",\"asOf\":null,\"stale\":false",
		    ei->key, ei->http_status, res->correlation_id);
		if (retry_after >= 0)
			buf_printf(&res->body, ",\"retryAfter\":%ld",
			    retry_after);
		/* Only ever our own words and codes: safe to print unquoted. */
		if (detail != NULL && detail[0] != '\0')
			buf_printf(&res->body, ",\"detail\":\"%s\"", detail);
		buf_puts(&res->body, "}\n");
		return;
	}
	res->content_type = HTML;
	/* A watched batch page that met a passing failure tries again by itself. */
	if (req != NULL && req->kind == ROUTE_BATCH && ei->http_status >= 502 &&
	    ei->http_status <= 504)
		res->refresh = retry_after > 0 ? retry_after : ERROR_REFRESH_SECONDS;
	if ((p = tpage_new("error", req != NULL ? req->locale : LOC_EN_US)) != NULL)
		view_fill_error(p, e, req, res->correlation_id, retry_after,
		    detail);
	render_page(res, p);
}

static void
form_page(struct response *res, const struct request *req, int status)
{
	struct tpage *p;

	res->status = status;
	res->content_type = HTML;
	res->outcome = status == 200 ? "form" : "bad_input";
	if ((p = tpage_new("form", req->locale)) != NULL)
		view_fill_form(p, req, res->correlation_id);
	render_page(res, p);
}

static void
redirect(struct response *res, const struct request *req)
{
	static const char *const suffix[] = { "", ".json", ".csv" };
	char			 path[160];

	res->status = 303;
	res->outcome = "redirect";
	snprintf(path, sizeof(path), "/customers/%s/batches/%s%s",
	    req->customer, req->tracking, suffix[req->format]);
	/* The reader's language, embed mode and table view survive the redirect. */
	view_link(res->location, sizeof(res->location), req, path);
	res->content_type = "text/plain; charset=utf-8";
	buf_printf(&res->body, "See %s\n", res->location);
}

/*
 * Page ETags mix in a salt of the pages' making (the templates, catalogs
 * and build; see reload_pages): when they change, a browser must not keep
 * a page made by the old ones, and nodes with the same ones agree.
 * Atomic: a reload sets it while pages are answered.
 */
static uint64_t		etag_salt;

void
handler_pages_changed(uint64_t salt)
{
	__atomic_store_n(&etag_salt, salt, __ATOMIC_RELAXED);
}

int
etag_matches(const char *inm, const char *etag)
{
	size_t		 n = strlen(etag), len;
	const char	*p = inm, *e;

	if (inm == NULL || etag[0] == '\0')
		return 0;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return 1;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		e = p;
		while (*e != '\0' && *e != ',')
			e++;
		len = (size_t)(e - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == n && memcmp(p, etag, n) == 0)
			return 1;
		p = e;
	}
	return 0;
}

/* The batch's answer (or the error) is here: the page, the export, or the 304. */
static void
batch_answer(struct handler_job *hj, struct fetch_ctx *fetch,
    struct cache_result *cr)
{
	static const char	 variant[] = { 'h', 'j', 'c' };
	struct response		*res = &hj->res;
	const struct request	*req = &hj->req;
	struct batch_view	 v;
	char			 detail[80];
	struct tpage		*p;
	int			 rc;

	res->cache = metrics_cache_name(cr->how);
	res->up_status = hj->w.trace.calls > 0 ? hj->w.trace.status : 0;
	res->up_ms = hj->w.trace.ms;
	if (cr->err != BS_OK) {
		detail[0] = '\0';
		if (cr->err == BS_ERR_SIGNIN)
			token_failure(fetch->tokens, detail, sizeof(detail));
		if (cr->err == BS_ERR_BUSY)
			res->cache = NULL;	/* shed: the cache was never asked to wait */
		error_page(res, cr->err, req, cr->retry_after, detail);
		fetch_release(fetch, cr);
		return;
	}
	/*
	 * A finished batch never changes, so its page can be validated; a
	 * running one's times move. A held answer standing in for a failed
	 * call carries a notice that will change: neither validated nor kept
	 * by nginx.
	 */
	if (cr->stale == BS_OK && cache_is_final(cr->batch->status)) {
		/* The page differs by language too; the exports do not. */
		snprintf(res->etag, sizeof(res->etag), "\"%016llx-%c%d\"",
		    (unsigned long long)(cr->hash ^ __atomic_load_n(&etag_salt,
		    __ATOMIC_RELAXED)),
		    variant[req->format], req->format == FORMAT_HTML ?
		    (int)req->locale : 0);
		res->cache_control = "private, no-cache";
		/* nginx may keep it as long as we do: it serves repeats without waking us. */
		res->edge_seconds = cache_keep_seconds(fetch->cache,
		    cr->batch->status);
		if (etag_matches(hj->in->if_none_match, res->etag)) {
			res->status = 304;
			res->outcome = "not_modified";
			/* nginx must never keep a bodiless 304 and serve it to everyone. */
			res->edge_seconds = 0;
			fetch_release(fetch, cr);
			return;
		}
	}
	if (view_batch_build(&v, cr->batch, req, hj->now) == -1) {
		fetch_release(fetch, cr);
		res->etag[0] = '\0';
		error_page(res, BS_ERR_INTERNAL, req, -1, NULL);
		return;
	}
	v.stale = cr->stale;
	v.retry_after = cr->retry_after;
	if (cr->stale != BS_OK) {
		metrics_stale(cr->stale);
		res->cache = "stale";
	}
	if (v.running && req->format == FORMAT_HTML) {
		/* No JavaScript: the browser reloads on the Refresh header. */
		v.refresh_seconds = view_refresh_seconds(&v);
		res->refresh = v.refresh_seconds;
	}
	res->status = 200;
	res->outcome = res->head ? "head" : cr->stale != BS_OK ? "stale" : "ok";
	rc = 0;
	switch (req->format) {
	case FORMAT_JSON:
		res->content_type = "application/json; charset=utf-8";
		if (!res->head)
			rc = export_json(&v, &res->body);
		break;
	case FORMAT_CSV:
		res->content_type = "text/csv; charset=utf-8; header=present";
		snprintf(res->disposition, sizeof(res->disposition),
		    "attachment; filename=\"batch-%s.csv\"", req->tracking);
		if (!res->head)
			rc = export_csv(&v, &res->body);
		break;
	default:
		res->content_type = HTML;
		if (res->head)
			break;	/* the headers are known: nothing to fill or render */
		if ((p = tpage_new("batch", req->locale)) != NULL)
			view_fill_batch(p, &v);
		render_page(res, p);
		break;
	}
	view_batch_free(&v);
	fetch_release(fetch, cr);
	if (rc == -1 || res->status != 200) {
		res->disposition[0] = '\0';
		res->etag[0] = '\0';
		res->cache_control = NULL;
		res->edge_seconds = 0;
		if (rc == -1)
			error_page(res, BS_ERR_INTERNAL, req, -1, NULL);
	}
}

/* Asks for the batch: at hand now (kept, paused, shed: in w.cw.result), or the request parks. */
static enum handler_step
batch_page(struct handler_job *hj, struct fetch_ctx *fetch)
{
	if (fetch == NULL) {
		hj->answer = ANSWER_ERROR;
		hj->error = BS_ERR_INTERNAL;
		return HANDLER_ANSWER;
	}
	hj->answer = ANSWER_BATCH;
	if (fetch_get(fetch, hj->req.customer, hj->req.tracking,
	    hj->res.correlation_id, &hj->w,
	    &hj->w.cw.result) == FETCH_PARKED)
		return HANDLER_PARKED;
	return HANDLER_ANSWER;
}

static void
metrics_page(struct response *res, struct fetch_ctx *fetch)
{
	long entries = 0, bytes = 0, evictions = 0;

	if (fetch != NULL && fetch->cache != NULL)
		cache_stats(fetch->cache, &entries, &bytes, &evictions);
	res->status = 200;
	res->outcome = "metrics";
	res->content_type = "text/plain; version=0.0.4; charset=utf-8";
	metrics_write(&res->body, entries, bytes, evictions,
	    fetch != NULL ? fetch_waiting(fetch) : 0);
}

static enum metric_route
metric_route(const struct request *req, enum bs_error e)
{
	static const enum metric_route formats[] = { MR_BATCH_HTML,
	    MR_BATCH_JSON, MR_BATCH_CSV };

	if (e != BS_OK && e != BS_ERR_BAD_INPUT)
		return MR_OTHER;
	switch (req->kind) {
	case ROUTE_FORM:
		return e == BS_OK ? MR_FORM : MR_LOOKUP;
	case ROUTE_REDIRECT:
		return MR_LOOKUP;
	case ROUTE_BATCH:
		return formats[req->format];
	case ROUTE_METRICS:
		return MR_METRICS;
	case ROUTE_HEALTH:
		return MR_HEALTH;
	}
	return MR_OTHER;
}

static char base_path[128];	/* set once before threads */

int
handler_set_base_path(const char *path)
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

enum handler_step
handler_route(struct handler_job *hj, struct fetch_ctx *fetch,
    const struct http_in *in, int64_t now)
{
	struct request	*req = &hj->req;
	struct response	*res = &hj->res;
	enum bs_error	 e;
	struct buf	 tmp;
	char		 prefix[sizeof(req->prefix)];
	const char	*uri;

	hj->in = in;
	hj->now = now;
	memset(res, 0, sizeof(*res));
	buf_init(&res->body);
	res->retry_after = -1;
	guid_new(res->correlation_id);

	buf_init(&tmp);
	uri = strip_prefix(in, prefix, sizeof(prefix), &tmp);
	e = route_request(in->method, uri, req);
	buf_free(&tmp);
	memcpy(req->prefix, prefix, sizeof(req->prefix));
	/* ?lang= wins; then the browser's Accept-Language; then en-US. */
	req->locale = req->lang[0] != '\0' ?
	    (enum locale)i18n_from_tag(req->lang, strlen(req->lang)) :
	    i18n_negotiate(in->accept_language);
	res->content_language = i18n_tag(req->locale);
	res->head = req->head;
	res->route = metric_route(req, e);
	/* Only GET and HEAD are served, and neither has a body here. */
	if (e == BS_OK && in->has_body)
		e = BS_ERR_BODY;
	hj->error = e;
	switch (e) {
	case BS_OK:
		break;
	case BS_ERR_BAD_INPUT:
		hj->answer = ANSWER_BAD_INPUT;
		return HANDLER_ANSWER;
	default:
		hj->answer = ANSWER_ERROR;
		return HANDLER_ANSWER;
	}
	switch (req->kind) {
	case ROUTE_FORM:
		hj->answer = ANSWER_FORM;
		break;
	case ROUTE_REDIRECT:
		hj->answer = ANSWER_REDIRECT;
		break;
	case ROUTE_BATCH:
		/* Checked before the cache and Partner Center are asked anything. */
		if (!allow_customer(req->customer)) {
			hj->answer = ANSWER_ERROR;
			hj->error = BS_ERR_CUSTOMER_NOT_ALLOWED;
			break;
		}
		return batch_page(hj, fetch);
	case ROUTE_METRICS:
		hj->answer = ANSWER_METRICS;
		break;
	case ROUTE_HEALTH:
		hj->answer = ANSWER_HEALTH;
		break;
	}
	return HANDLER_ANSWER;
}

void
handler_answer(struct handler_job *hj, struct fetch_ctx *fetch)
{
	struct response	*res = &hj->res;

	switch (hj->answer) {
	case ANSWER_FORM:
		form_page(res, &hj->req, 200);
		break;
	case ANSWER_BAD_INPUT:
		form_page(res, &hj->req, 400);
		break;
	case ANSWER_REDIRECT:
		redirect(res, &hj->req);
		break;
	case ANSWER_ERROR:
		error_page(res, hj->error, &hj->req, -1, NULL);
		break;
	case ANSWER_BATCH:
		batch_answer(hj, fetch, &hj->w.cw.result);
		break;
	case ANSWER_METRICS:
		metrics_page(res, fetch);
		break;
	case ANSWER_HEALTH:
		res->status = 200;
		res->outcome = "health";
		res->content_type = "text/plain; charset=utf-8";
		buf_puts(&res->body, "ok\n");
		break;
	}
}
