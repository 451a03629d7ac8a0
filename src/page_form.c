/* page_form.c: the lookup form (empty, or again with what was wrong), and a lookup's 303 to the canonical batch URL. */
#include "pages.h"

#include <stdio.h>

static const char *const form_keys[MSG__MAX] = {
	[MSG_CUSTOMER_MISSING] = "form.msg.customer_missing",
	[MSG_CUSTOMER_INVALID] = "form.msg.customer_invalid",
	[MSG_TRACKING_MISSING] = "form.msg.tracking_missing",
	[MSG_TRACKING_INVALID] = "form.msg.tracking_invalid",
	[MSG_CUSTOMER_MISMATCH] = "form.msg.customer_mismatch",
	[MSG_TRACKING_MISMATCH] = "form.msg.tracking_mismatch",
	[MSG_DEVICE_BATCH] = "form.msg.device_batch",
	[MSG_LOCATION_BAD_ID] = "form.msg.location_bad_id",
	[MSG_LOCATION_NOT_STATUS] = "form.msg.location_not_status",
	[MSG_TOO_LONG] = "form.msg.too_long",
	[MSG_CONTROL_CHARS] = "form.msg.control_chars",
	[MSG_BAD_ENCODING] = "form.msg.bad_encoding",
};

const char *
page_form_message(enum form_msg m, enum locale loc)
{
	if ((int)m <= MSG_NONE || m >= MSG__MAX || form_keys[m] == NULL)
		return "";
	return i18n_text(loc, form_keys[m]);
}

/* Each field's section in form.tpl, and the id its message has (aria-describedby). */
static const char *const field_sections[FIELD__MAX] = {
	[FIELD_CUSTOMER] = "CUSTOMER_INVALID",
	[FIELD_TRACKING] = "TRACKING_INVALID",
};

void
page_form_fill(struct tpage *p, const struct request *req,
    const char *correlation_id)
{
	struct tdict	*body = tpage_body(p), *s;
	char		 url[1024];
	int		 f, nbad = 0, focused = 0;

	for (f = 0; f < FIELD__MAX; f++)
		if (req->msg[f] != MSG_NONE)
			nbad++;
	links_fill_layout(p, &req->link, req->locale, "/", NULL);
	link_search_url(url, sizeof(url), &req->link, "");
	tdict_set(body, "FIND_URL", url);
	tdict_set(tpage_layout(p), "TITLE", i18n_text(req->locale,
	    nbad > 0 ? "form.title_error" : "form.title"));
	tdict_set(body, "CUSTOMER", req->form_customer);
	tdict_set(body, "TRACKING", req->form_tracking);
	if (req->link.lang[0] != '\0' &&
	    (s = tdict_section(body, "LANG_FIELD")) != NULL)
		tdict_set(s, "TAG", req->link.lang);
	if (req->link.embed)
		tdict_show(body, "EMBED_FIELD");
	if (nbad == 0)
		return;
	/* The summary up top (announced); each field's own message beside it. */
	if ((s = tdict_section(body, "MESSAGE")) != NULL) {
		tdict_set(s, "TEXT", i18n_text(req->locale, nbad > 1 ?
		    "form.msg.summary_both" : "form.msg.summary_one"));
		tdict_set(s, "CORRELATION_ID", correlation_id);
	}
	for (f = 0; f < FIELD__MAX; f++) {
		if (req->msg[f] == MSG_NONE ||
		    (s = tdict_section(body, field_sections[f])) == NULL)
			continue;
		tdict_set(s, "TEXT", page_form_message(req->msg[f],
		    req->locale));
		/* The first field to fix has the focus. */
		if (!focused) {
			tdict_show(s, "FOCUS");
			focused = 1;
		}
	}
}

static void
form(struct handler_job *hj, struct fetch_ctx *fetch, int status)
{
	struct response	*res = &hj->res;
	struct tpage	*p;

	res->status = status;
	res->content_type = "text/html; charset=utf-8";
	res->outcome = status == 200 ? "form" : "bad_input";
	if ((p = tpage_new("form", hj->req.locale)) != NULL) {
		page_form_fill(p, &hj->req, res->correlation_id);
		page_recent_fill(tpage_body(p), hj, fetch);
	}
	page_render(res, p, hj->req.locale);
}

void
page_form(struct handler_job *hj, struct fetch_ctx *fetch)
{
	form(hj, fetch, 200);
}

void
page_bad_input(struct handler_job *hj, struct fetch_ctx *fetch)
{
	form(hj, fetch, 400);
}

void
page_lookup(struct handler_job *hj, struct fetch_ctx *fetch)
{
	const struct request	*req = &hj->req;
	struct response		*res = &hj->res;
	char			 path[1024];
	const char		*suffix = (req->route->flags & ROUTE_UPSTREAM) ?
				    req->format->suffix : "";

	(void)fetch;
	res->status = 303;
	res->outcome = "redirect";
	/* To the canonical page, or the export the non-canonical URL asked for. */
	if (!(req->route->flags & ROUTE_UPSTREAM) || req->route->res == RES_BATCH)
		link_batch_path(path, sizeof(path), req->customer,
		    req->tracking, suffix);
	else if (req->route->res == RES_DEVICES)
		link_device_batch_path(path, sizeof(path), req->customer,
		    req->batch_id, suffix);
	else
		link_customer_path(path, sizeof(path), req->customer);
	/* The reader's language, embed mode and table view survive the redirect. */
	link_url(res->location, sizeof(res->location), &req->link, NULL, path,
	    &req->table);
	res->content_type = "text/plain; charset=utf-8";
	buf_printf(&res->body, "See %s\n", res->location);
}
