/* page_error.c: the error page of every failure (or its JSON, for a JSON route), and the last resort when even that cannot be made. */
#include "pages.h"

#include "allow.h"

#include <stdio.h>
#include <string.h>

#include "export.h"

#define ERROR_REFRESH_SECONDS	30	/* a 502/503/504 batch page without Retry-After reloads after this */

/* Last resort when even the error template fails: plain text, no template, still the catalog's words. */
static void
internal_failure(struct response *res, enum locale loc)
{
	buf_reset(&res->body);
	res->status = 500;
	res->content_type = "text/plain; charset=utf-8";
	res->outcome = "render_failed";
	res->body.failed = 0;
	buf_printf(&res->body, "%s\n%s: %s\n", i18n_text(loc,
	    "error.internal.title"), i18n_text(loc, "common.correlation"),
	    res->correlation_id);
}

void
page_render(struct response *res, struct tpage *p, enum locale loc)
{
	/* HEAD gets the status and headers GET would, with nothing rendered. */
	if (p == NULL || (!res->head && tpage_render(p, &res->body) == -1))
		internal_failure(res, loc);
	tpage_free(p);
}

/* Whether the request was for a batch (its page or an export): its error then names the batch. */
static int
for_batch(const struct request *req)
{
	return req->route != NULL && (req->route->flags & ROUTE_UPSTREAM) &&
	    req->tracking[0] != '\0';
}

/*
 * Partner Center's 404 for a batch: what probably happened (another
 * customer's batch, the IDs swapped, a batch older than it keeps), the
 * swapped lookup one click away, and the form again with both IDs in it.
 */
static void
not_found_hints(struct tdict *body, const struct request *req)
{
	struct tdict	*s, *w;
	char		 path[128], url[512];

	if ((s = tdict_section(body, "LIKELY")) == NULL)
		return;
	/* Swapped, the tracking ID is the customer: offered only when it may be shown here. */
	if (strcmp(req->customer, req->tracking) != 0 &&
	    allow_customer(req->tracking) &&
	    (w = tdict_section(s, "SWAP")) != NULL) {
		/* The page, as the "try again" link: a person clicks it. */
		link_batch_path(path, sizeof(path), req->tracking,
		    req->customer, "");
		link_url(url, sizeof(url), &req->link, NULL, path, NULL);
		tdict_set(w, "URL", url);
	}
	/* Embedded in a portal: no form (as on the batch page). */
	if (!req->link.embed && (s = tdict_section(body, "LOOKUP")) != NULL) {
		tdict_set(s, "CUSTOMER", req->customer);
		tdict_set(s, "TRACKING", req->tracking);
		if (req->link.lang[0] != '\0' &&
		    (w = tdict_section(s, "LANG_FIELD")) != NULL)
			tdict_set(w, "TAG", req->link.lang);
	}
}

void
page_error_fill(struct tpage *p, enum bs_error err, const struct request *req,
    const char *correlation_id, long retry_after, const char *detail)
{
	const struct error_info	*ei = error_info(err);
	enum locale		 loc = req->locale;
	struct tdict		*body = tpage_body(p), *s;
	char			 key[64], text[512], n0[32], path[128];
	const char		*title, *typed_customer, *typed_tracking;

	if (for_batch(req))
		link_batch_path(path, sizeof(path), req->customer,
		    req->tracking, "");
	else
		snprintf(path, sizeof(path), "/");
	links_fill_layout(p, &req->link, loc, path, NULL);
	snprintf(key, sizeof(key), "error.%s.title", ei->key);
	title = i18n_text(loc, key);
	tdict_set(tpage_layout(p), "TITLE", title);
	tdict_set(body, "TITLE", title);
	snprintf(key, sizeof(key), "error.%s.message", ei->key);
	tdict_set(body, "MESSAGE", i18n_text(loc, key));
	snprintf(n0, sizeof(n0), "%d", ei->http_status);
	i18n_format(text, sizeof(text), i18n_text(loc, "error.quote"), n0,
	    NULL);
	tdict_set(body, "QUOTE", text);
	tdict_set(body, "CORRELATION_ID", correlation_id);
	if (retry_after >= 0 && (s = tdict_section(body, "RETRY")) != NULL) {
		snprintf(n0, sizeof(n0), "%ld", retry_after);
		i18n_format(text, sizeof(text), i18n_text(loc, "error.retry"),
		    n0, NULL);
		tdict_set(s, "TEXT", text);
	}
	if (detail != NULL && detail[0] != '\0' &&
	    (s = tdict_section(body, "DETAIL")) != NULL) {
		tdict_set(s, "LABEL", i18n_text(loc, err == BS_ERR_SIGNIN ?
		    "error.signin_label" : "error.detail_label"));
		tdict_set(s, "TEXT", detail);
	}
	if (for_batch(req) && (s = tdict_section(body, "BATCH")) != NULL) {
		link_url(text, sizeof(text), &req->link, NULL, path, NULL);
		tdict_set(s, "URL", text);
		tdict_set(s, "CUSTOMER", req->customer);
		tdict_set(s, "TRACKING", req->tracking);
	}
	if (err == BS_ERR_NO_SUCH_BATCH && for_batch(req))
		not_found_hints(body, req);
	/* Back to the form with what was typed: nobody retypes two GUIDs. */
	typed_customer = for_batch(req) ? req->customer : req->form_customer;
	typed_tracking = for_batch(req) ? req->tracking : req->form_tracking;
	link_form_url(text, sizeof(text), &req->link, typed_customer,
	    typed_tracking);
	tdict_set(body, "FORM_URL", text);
}

void
page_error_show(struct response *res, enum bs_error e,
    const struct request *req, long retry_after, const char *detail)
{
	const struct error_info	*ei = error_info(e);
	struct tpage		*p;

	res->status = ei->http_status;
	res->outcome = ei->key;
	res->retry_after = retry_after;
	res->allow = e != BS_ERR_METHOD ? 0 : req->route != NULL &&
	    (req->route->flags & ROUTE_POST) ? 2 : 1;
	buf_reset(&res->body);
	if (req->format != NULL && req->format->kind == FORMAT_JSON) {
		/* A script asked for JSON: it gets its error as JSON too. */
		res->content_type = req->format->content_type;
		if (export_error_json(&res->body, e, res->correlation_id,
		    retry_after, detail) == -1)
			internal_failure(res, req->locale);
		return;
	}
	res->content_type = "text/html; charset=utf-8";
	/* A watched batch page that met a passing failure tries again by itself. */
	if (for_batch(req) && ei->http_status >= 502 && ei->http_status <= 504)
		res->refresh = retry_after > 0 ? retry_after :
		    ERROR_REFRESH_SECONDS;
	if ((p = tpage_new("error", req->locale)) != NULL)
		page_error_fill(p, e, req, res->correlation_id, retry_after,
		    detail);
	page_render(res, p, req->locale);
}

void
page_error(struct handler_job *hj, struct fetch_ctx *fetch)
{
	(void)fetch;
	page_error_show(&hj->res, hj->error, &hj->req, -1, NULL);
}
