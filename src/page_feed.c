/* page_feed.c: /customers/{customer}/feed.atom: the customer's followed batches and what each came to, as an Atom feed (RFC 4287) written by hand. */
#include "pages.h"

#include <stdio.h>
#include <string.h>

#include "follow.h"

#define FEED_MAX	100	/* entries at most */

/*
 * Text as XML character data or an attribute value: the five escapes, and
 * the characters XML 1.0 does not allow (C0 controls but tab, LF, CR)
 * dropped. The text is valid UTF-8 already (the model's promise).
 */
static void
xml_text(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&#39;"); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\t' ||
			    *s == '\n' || *s == '\r')
				buf_putc(b, *s);
		}
}

static void
xml_time(struct buf *b, int64_t t)
{
	char iso[40];

	view_time_iso(t, iso, sizeof(iso));
	buf_puts(b, iso);
}

static const char *
entry_state(const struct follow_item *it)
{
	if (it->f.ended == 0)
		return "running";
	if (!it->notified)
		return "notifying";
	return strcmp(it->f.outcome, "still_running") == 0 ? "still_running" :
	    "notified";
}

static void
feed_entry(struct buf *b, const struct request *req, const char *base,
    const struct link_ctx *lc, const struct follow_item *it)
{
	enum locale	 loc = req->locale;
	char		 path[160], url[1024], key[64], text[512];

	link_batch_path(path, sizeof(path), it->f.customer, it->f.tracking, "");
	link_url(url, sizeof(url), lc, NULL, path, NULL);
	buf_puts(b, "<entry>\n<id>urn:batchstatus:batch:");
	buf_printf(b, "%s:%s:%lld</id>\n<title>", it->f.customer,
	    it->f.tracking, (long long)it->f.since);
	snprintf(key, sizeof(key), "following.state.%s", entry_state(it));
	if (it->f.ended != 0 && it->f.outcome[0] != '\0' &&
	    strcmp(it->f.outcome, "still_running") != 0)
		view_headline_of(it->f.outcome, it->f.status, (size_t)it->f.total,
		    (size_t)it->f.failed, loc, text, sizeof(text));
	else
		snprintf(text, sizeof(text), "%s", i18n_text(loc, key));
	xml_text(b, text);
	buf_puts(b, "</title>\n<updated>");
	xml_time(b, it->f.ended != 0 ? it->f.ended : it->f.since);
	buf_puts(b, "</updated>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
	xml_text(b, base);
	xml_text(b, url);
	buf_puts(b, "\"/>\n<summary>");
	xml_text(b, i18n_text(loc, key));
	buf_puts(b, " — ");
	xml_text(b, it->f.tracking);
	buf_puts(b, "</summary>\n</entry>\n");
}

void
page_feed(struct handler_job *hj, struct fetch_ctx *fetch)
{
	static __thread struct follow_item items[FEED_MAX];
	struct response		*res = &hj->res;
	const struct request	*req = &hj->req;
	struct buf		*b = &res->body;
	const char		*base, *name = "";
	struct link_ctx		 lc;
	char			 title[512], path[160], url[1024];
	int64_t			 updated = 0;
	size_t			 i, n;

	if (fetch == NULL || fetch->follow == NULL) {
		page_error_show(res, BS_ERR_NO_ROUTE, req, -1, NULL);
		return;
	}
	n = follow_list(fetch->follow, req->customer, NULL, items, FEED_MAX);
	for (i = 0; i < n; i++) {
		int64_t t = items[i].f.ended != 0 ? items[i].f.ended :
		    items[i].f.since;

		if (t > updated)
			updated = t;
		if (name[0] == '\0')
			name = items[i].f.name;
	}
	if (updated == 0)
		updated = hj->now;
	/* Absolute links when the public URL is known; else relative to the feed. */
	base = follow_public_url(fetch->follow);
	/* The public URL has the mount point in it already. */
	lc = req->link;
	if (base[0] != '\0')
		lc.prefix[0] = '\0';
	res->status = 200;
	res->content_type = req->format->content_type;
	res->outcome = "ok";
	if (res->head)
		return;
	buf_printf(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"%s\">\n"
	    "<id>urn:batchstatus:customer:%s:followed</id>\n<title>",
	    i18n_tag(req->locale), req->customer);
	i18n_format(title, sizeof(title), i18n_text(req->locale, "feed.title"),
	    name[0] != '\0' ? name : req->customer, NULL);
	xml_text(b, title);
	buf_puts(b, "</title>\n<updated>");
	xml_time(b, updated);
	buf_puts(b, "</updated>\n<author><name>batchstatus</name></author>\n"
	    "<generator>batchstatus</generator>\n<link rel=\"self\" "
	    "type=\"application/atom+xml\" href=\"");
	snprintf(path, sizeof(path), "/customers/%s/feed.atom", req->customer);
	link_url(url, sizeof(url), &lc, NULL, path, NULL);
	xml_text(b, base);
	xml_text(b, url);
	buf_puts(b, "\"/>\n");
	for (i = 0; i < n; i++)
		feed_entry(b, req, base, &lc, &items[i]);
	buf_puts(b, "</feed>\n");
	if (b->failed) {
		buf_reset(b);
		page_error_show(res, BS_ERR_INTERNAL, req, -1, NULL);
	}
}
