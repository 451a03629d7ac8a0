/* pages.h: every page the route table names (one file each: page_<name>.c), and what they share to become a response. */
#ifndef BATCHSTATUS_PAGES_H
#define BATCHSTATUS_PAGES_H

#include "errors.h"
#include "fetch.h"
#include "handler.h"
#include "links.h"
#include "render.h"
#include "route.h"
#include "view.h"

/* page_form.c: the empty form; the form again with what was wrong (400); a lookup's 303 to the canonical batch URL. */
page_fn		page_form, page_bad_input, page_lookup;
/* page_batch.c: the batch (its page, JSON or CSV), or its error, once fetch has it. */
page_fn		page_batch;
/* page_ops.c: /healthz and /metrics, for operators. */
page_fn		page_health, page_metrics;
/* page_error.c: the error page of hj->error. */
page_fn		page_error;

/* The error page (or, for a JSON route, the JSON error) of e. detail: our own short words (a sign-in error code), or NULL. */
void	page_error_show(struct response *, enum bs_error, const struct request *,
	    long retry_after, const char *detail);
/* Renders p into res->body (nothing for HEAD) and frees it; a page that cannot be made becomes a plain 500 in loc's words. */
void	page_render(struct response *, struct tpage *p, enum locale loc);

/* The fills, for the tests and fuzzers that render pages without a request. */
void	page_form_fill(struct tpage *, const struct request *, const char *correlation_id);
void	page_batch_fill(struct tpage *, const struct batch_view *,
	    const struct link_ctx *, const struct table_view *, enum locale);
void	page_error_fill(struct tpage *, enum bs_error, const struct request *,
	    const char *correlation_id, long retry_after, const char *detail);
/* The sentence the form shows for a message. */
const char	*page_form_message(enum form_msg, enum locale);

#endif
