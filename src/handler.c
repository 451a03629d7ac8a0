/* handler.c: routes a request, fetches and views the batch, and renders the answer or the right error page. */
#include "handler.h"

#include <stdio.h>
#include <string.h>

#include "batch.h"
#include "export.h"
#include "render.h"
#include "route.h"
#include "view.h"

static const char HTML[] = "text/html; charset=utf-8";

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

static void
render_page(struct response *res, struct tpage *p)
{
	if (p == NULL || tpage_render(p, &res->body) == -1)
		internal_failure(res);
	tpage_free(p);
}

static void
error_page(struct response *res, enum bs_error e, const struct request *req,
    long retry_after)
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
		/* A script asked for JSON: it gets its error as JSON too. */
		res->content_type = "application/json; charset=utf-8";
		buf_printf(&res->body, "{\"error\":\"%s\",\"status\":%d,"
		    "\"correlationId\":\"%s\"", ei->key, ei->http_status,
		    res->correlation_id);
		if (retry_after >= 0)
			buf_printf(&res->body, ",\"retryAfter\":%ld",
			    retry_after);
		buf_puts(&res->body, "}\n");
		return;
	}
	res->content_type = HTML;
	if ((p = tpage_new("error")) != NULL)
		view_fill_error(p, e, req, res->correlation_id, retry_after);
	render_page(res, p);
}

static void
form_page(struct response *res, const struct request *req, int status)
{
	struct tpage *p;

	res->status = status;
	res->content_type = HTML;
	res->outcome = status == 200 ? "form" : "bad_input";
	if ((p = tpage_new("form")) != NULL)
		view_fill_form(p, req, res->correlation_id);
	render_page(res, p);
}

static void
redirect(struct response *res, const struct request *req)
{
	static const char *const suffix[] = { "", ".json", ".csv" };

	res->status = 303;
	res->outcome = "redirect";
	snprintf(res->location, sizeof(res->location),
	    "/customers/%s/batches/%s%s", req->customer, req->tracking,
	    suffix[req->format]);
	res->content_type = "text/plain; charset=utf-8";
	buf_printf(&res->body, "See %s\n", res->location);
}

static void
batch_page(struct response *res, struct fetch_ctx *fetch,
    const struct request *req, int64_t now)
{
	struct batch		 b;
	struct batch_view	 v;
	struct tpage		*p;
	long			 retry_after;
	enum bs_error		 e;
	int			 rc;

	if (fetch == NULL) {
		error_page(res, BS_ERR_INTERNAL, req, -1);
		return;
	}
	e = fetch_batch(fetch, req->customer, req->tracking,
	    res->correlation_id, &b, &retry_after);
	if (e != BS_OK) {
		error_page(res, e, req, retry_after);
		return;
	}
	if (view_batch_build(&v, &b, req, now) == -1) {
		batch_free(&b);
		error_page(res, BS_ERR_INTERNAL, req, -1);
		return;
	}
	res->status = 200;
	res->outcome = "ok";
	switch (req->format) {
	case FORMAT_JSON:
		res->content_type = "application/json; charset=utf-8";
		rc = export_json(&v, &res->body);
		break;
	case FORMAT_CSV:
		res->content_type = "text/csv; charset=utf-8; header=present";
		snprintf(res->disposition, sizeof(res->disposition),
		    "attachment; filename=\"batch-%s.csv\"", req->tracking);
		rc = export_csv(&v, &res->body);
		break;
	default:
		res->content_type = HTML;
		rc = 0;
		if ((p = tpage_new("batch")) != NULL)
			view_fill_batch(p, &v);
		render_page(res, p);
		break;
	}
	view_batch_free(&v);
	batch_free(&b);
	if (rc == -1) {
		res->disposition[0] = '\0';
		error_page(res, BS_ERR_INTERNAL, req, -1);
	}
}

void
handle_request(struct fetch_ctx *fetch, const char *method, const char *uri,
    int64_t now, struct response *res)
{
	struct request	 req;
	enum bs_error	 e;

	memset(res, 0, sizeof(*res));
	buf_init(&res->body);
	res->retry_after = -1;
	guid_new(res->correlation_id);

	e = route_request(method, uri, &req);
	res->head = req.head;
	switch (e) {
	case BS_OK:
		break;
	case BS_ERR_BAD_INPUT:
		form_page(res, &req, 400);
		return;
	default:
		error_page(res, e, NULL, -1);
		return;
	}
	switch (req.kind) {
	case ROUTE_FORM:
		form_page(res, &req, 200);
		break;
	case ROUTE_REDIRECT:
		redirect(res, &req);
		break;
	case ROUTE_BATCH:
		batch_page(res, fetch, &req, now);
		break;
	}
}
