/* links.h: every URL a page links to, built in one place (cgit's ui-shared.c): the mount point, the reader's language and embed mode, the table's view. */
#ifndef BATCHSTATUS_LINKS_H
#define BATCHSTATUS_LINKS_H

#include <stddef.h>

#include "i18n.h"

/* What every link keeps: written by routing (route.c), read by the pages. */
struct link_ctx {
	char		 prefix[128];	/* where the app is mounted: "" or /tools/batchstatus */
	char		 lang[8];	/* ?lang= when it named one of our languages: its tag; else "" */
	int		 embed;		/* ?embed=1: the batch alone, for portals */
};

#define TABLE_CODE_MAX	48	/* longest ?code=: the longest documented error name is 35 */

/*
 * Which devices a list shows. The page's table: ?status= (canonical: a
 * status's key in lower case, "failed", or "none" for devices without
 * one), ?q= (text, trimmed), ?page= (from 1). The exports: ?status= and
 * ?code= (an error's digits, or a word; a documented error's name becomes
 * its code). "" (and page 1) for none.
 */
struct table_view {
	char		 filter[32];
	char		 search[65];
	long		 page;
	char		 code[TABLE_CODE_MAX + 1];
};

/*
 * path under the mount point, with the reader's language (lang: NULL for
 * the one in c; a tag to switch) and embed mode, and when t is given its
 * filter, code, search and page, in that order. Query values are percent-encoded; a result
 * that does not fit is cut, never overrun.
 */
void	link_url(char *out, size_t outsz, const struct link_ctx *c,
	    const char *lang, const char *path, const struct table_view *t);

/* "/customers/{c}/batches/{t}{suffix}": the batch page's path (suffix "" or ".json"/".csv"). */
void	link_batch_path(char *out, size_t outsz, const char *customer,
	    const char *tracking, const char *suffix);

/* Microsoft's documentation page at doc (a learn.microsoft.com path, errcodes.h) in the reader's language. */
void	link_doc_url(char *out, size_t outsz, const char *doc, enum locale);
/*
 * The form at the root, filled in: "/?customer=...&tracking=...&edit=1"
 * (each percent-encoded, an empty one left out; edit=1: shown to be
 * changed, not looked up again) under the mount point, with the reader's
 * language and embed mode; nothing typed: the plain form. For a page that
 * sends the user back to the form with what they typed. Cut, never
 * overrun, when it does not fit.
 */
void	link_form_url(char *out, size_t outsz, const struct link_ctx *c,
	    const char *customer, const char *tracking);

struct tpage;
/*
 * The chrome every page has: home and root links, embed or full layout,
 * and the language switcher (each language's link to self_path, keeping
 * t when given).
 */
void	links_fill_layout(struct tpage *, const struct link_ctx *, enum locale,
	    const char *self_path, const struct table_view *t);

/* /customers/{customer}: a customer's page. */
void	link_customer_path(char *out, size_t outsz, const char *customer);
/*
 * /customers/{customer}/device-batches/{name}{suffix}: the name
 * percent-encoded as one segment, and a final ".json"/".csv" in it
 * encoded too (its dot as %2E), so no name reads as an export's suffix.
 */
void	link_device_batch_path(char *out, size_t outsz, const char *customer,
	    const char *batch_id, const char *suffix);
/* /customers?q=...: a customer search, with the reader's language and embed mode. */
void	link_search_url(char *out, size_t outsz, const struct link_ctx *c,
	    const char *q);

#endif
