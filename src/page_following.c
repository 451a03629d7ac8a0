/* page_following.c: /following, every batch this server follows and what each came to; the same list, of one customer, on its page. */
#include "pages.h"

#include <stdio.h>
#include <string.h>

#include "allow.h"
#include "follow.h"

#define LIST_MAX	200	/* rows a page lists at most */

/* The state word of a follow: its row's class and catalog key (following.state.<word>). */
static const char *
state_word(const struct follow_item *it)
{
	if (it->f.ended == 0)
		return "running";
	if (!it->notified)
		return "notifying";
	return strcmp(it->f.outcome, "still_running") == 0 ? "still_running" :
	    "notified";
}

void
page_following_fill(struct tdict *body, const struct request *req,
    struct fetch_ctx *fetch, const char *customer, int64_t now)
{
	static __thread struct follow_item items[LIST_MAX];
	enum locale	 loc = req->locale;
	struct tdict	*s = NULL, *r, *h;
	char		 path[160], url[1024], key[64], text[512];
	size_t		 i, n, shown = 0;

	/* Only customers this server may show; the newest LIST_MAX of those. */
	n = follow_list(fetch->follow, customer, allow_customer, items, LIST_MAX);
	for (i = 0; i < n; i++) {
		const struct follow_item *it = &items[i];

		if ((s == NULL && (s = tdict_section(body, "FOLLOWING")) ==
		    NULL) || (r = tdict_section(s, "ITEM")) == NULL)
			return;
		link_batch_path(path, sizeof(path), it->f.customer,
		    it->f.tracking, "");
		link_url(url, sizeof(url), &req->link, NULL, path, NULL);
		tdict_set(r, "URL", url);
		tdict_set(r, "TRACKING", it->f.tracking);
		link_customer_path(path, sizeof(path), it->f.customer);
		link_url(url, sizeof(url), &req->link, NULL, path, NULL);
		tdict_set(r, "CUSTOMER_URL", url);
		tdict_set(r, "CUSTOMER", it->f.name[0] != '\0' ? it->f.name :
		    it->f.customer);
		page_set_time(r, "SINCE", 1, it->f.since, "", "", now, loc);
		snprintf(key, sizeof(key), "following.state.%s",
		    state_word(it));
		tdict_set(r, "STATE", i18n_text(loc, key));
		tdict_set(r, "STATE_CLASS", state_word(it));
		if (it->f.ended != 0 && strcmp(it->f.outcome, "still_running") &&
		    it->f.outcome[0] != '\0' &&
		    (h = tdict_section(r, "HEADLINE")) != NULL) {
			view_headline_of(it->f.outcome, it->f.status,
			    (size_t)it->f.total, (size_t)it->f.failed, loc, text,
			    sizeof(text));
			tdict_set(h, "TEXT", text);
		}
		shown++;
	}
	if (shown == 0)
		tdict_show(body, "NONE");
	if (customer != NULL) {
		snprintf(path, sizeof(path), "/customers/%s/feed.atom", customer);
		link_url(url, sizeof(url), &req->link, NULL, path, NULL);
		tdict_set(body, "FEED_URL", url);
	}
}

void
page_following(struct handler_job *hj, struct fetch_ctx *fetch)
{
	struct response		*res = &hj->res;
	const struct request	*req = &hj->req;
	struct tpage		*p;

	if (fetch == NULL || fetch->follow == NULL) {
		page_error_show(res, BS_ERR_NO_ROUTE, req, -1, NULL);
		return;
	}
	res->status = 200;
	res->content_type = req->format->content_type;
	res->outcome = "ok";
	if ((p = tpage_new("following", req->locale)) != NULL) {
		links_fill_layout(p, &req->link, req->locale, "/following", NULL);
		tdict_set(tpage_layout(p), "TITLE", i18n_text(req->locale,
		    "following.title"));
		page_following_fill(tpage_body(p), req, fetch, NULL, hj->now);
	}
	page_render(res, p, req->locale);
}
