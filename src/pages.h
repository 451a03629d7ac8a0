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
/* page_customers.c: the customer search; page_customer.c: a customer and its device batches; page_device_batch.c: a device batch's devices. */
page_fn		page_customers, page_customer, page_device_batch;
/* page_recent.c: /recent/forget: the recent-lookups cookie cleared, back to the form. */
page_fn		page_forget;
/* page_follow.c: the follow button's POST; page_following.c: /following; page_feed.c: a customer's Atom feed of followed batches. */
page_fn		page_follow, page_following, page_feed;
/* The batch page's follow button, or its "followed" note (page_follow.c). */
void	page_follow_fill(struct tdict *body, struct handler_job *,
	    struct fetch_ctx *, const struct batch_view *);
/* A customer page's list of its followed batches (page_following.c). */
void	page_following_fill(struct tdict *body, const struct request *,
	    struct fetch_ctx *, const char *customer, int64_t now);
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
/* What the listing pages share (page_customers.c): the stale and cut-short notices; the error page when the listing is not at hand (1: answered). */
void	page_listing_notice(struct tdict *body, const struct cache_result *,
	    const struct dir_list *, int64_t now, enum locale);
int	page_listing_failed(struct handler_job *, struct fetch_ctx *,
	    struct cache_result *);
/* The customer's name its ROUTE_NAME lookup brought (page_customer.c), or NULL. */
const struct dir_customer *page_customer_name(const struct handler_job *);
/* A time as <time> with "ago" in section key_AT, or its raw text (or missing) in key (page_batch.c). */
void	page_set_time(struct tdict *d, const char *key, int has, int64_t t,
	    const char *raw, const char *missing, int64_t now, enum locale loc);

/* The batch page's note of a lookup in the recent list (a Set-Cookie when the list changes); the form's list of them. */
void	page_recent_note(struct handler_job *, struct fetch_ctx *,
	    const char *outcome);
void	page_recent_fill(struct tdict *body, const struct handler_job *,
	    struct fetch_ctx *);

/* The sentence the form shows for a message. */
const char	*page_form_message(enum form_msg, enum locale);

#endif
