/* links.c: every URL a page links to, and the chrome every page carries (home, root, language switcher). */
#include "links.h"

#include "directory.h"

#include <stdio.h>
#include <string.h>

#include "render.h"

/* Appends s percent-encoded (all but unreserved characters) for a query value. */
static size_t
put_encoded(char *out, size_t outsz, size_t o, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0' && o + 4 < outsz; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
		    c == '~')
			out[o++] = (char)c;
		else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return o;
}

void
link_url(char *out, size_t outsz, const struct link_ctx *c, const char *lang,
    const char *path, const struct table_view *t)
{
	size_t	 o;
	char	 sep = '?';

	if (lang == NULL)
		lang = c->lang;
	/* Mounted under a prefix (/tools/batchstatus): every link carries it. */
	o = (size_t)snprintf(out, outsz, "%s%s", c->prefix, path);
	if (o >= outsz)
		return;
	if (lang[0] != '\0') {
		o += (size_t)snprintf(out + o, outsz - o, "%clang=%s", sep, lang);
		sep = '&';
	}
	if (c->embed && o < outsz) {
		o += (size_t)snprintf(out + o, outsz - o, "%cembed=1", sep);
		sep = '&';
	}
	if (t == NULL)
		return;
	if (t->filter[0] != '\0' && o < outsz) {
		o += (size_t)snprintf(out + o, outsz - o, "%cstatus=", sep);
		o = put_encoded(out, outsz, o < outsz ? o : outsz - 1, t->filter);
		sep = '&';
	}
	if (t->code[0] != '\0' && o < outsz) {
		o += (size_t)snprintf(out + o, outsz - o, "%ccode=", sep);
		o = put_encoded(out, outsz, o < outsz ? o : outsz - 1, t->code);
		sep = '&';
	}
	if (t->search[0] != '\0' && o < outsz) {
		o += (size_t)snprintf(out + o, outsz - o, "%cq=", sep);
		o = put_encoded(out, outsz, o < outsz ? o : outsz - 1, t->search);
		sep = '&';
	}
	if (t->page > 1 && o < outsz)
		snprintf(out + o, outsz - o, "%cpage=%ld", sep, t->page);
}

void
link_batch_path(char *out, size_t outsz, const char *customer,
    const char *tracking, const char *suffix)
{
	snprintf(out, outsz, "/customers/%s/batches/%s%s", customer, tracking,
	    suffix);
}

void
link_customer_path(char *out, size_t outsz, const char *customer)
{
	snprintf(out, outsz, "/customers/%s", customer);
}

void
link_device_batch_path(char *out, size_t outsz, const char *customer,
    const char *batch_id, const char *suffix)
{
	char	 enc[3 * DIR_BATCH_ID_MAX + 1];
	size_t	 n;
	int	 len;

	if ((len = dir_segment_encode(batch_id, strlen(batch_id), enc,
	    sizeof(enc) - 2)) < 0) {
		snprintf(out, outsz, "/customers/%s", customer);
		return;
	}
	n = (size_t)len;
	/* "x.csv" as a name must not read as x's CSV: its last dot is %2E. */
	if ((n >= 4 && strcmp(enc + n - 4, ".csv") == 0) ||
	    (n >= 5 && strcmp(enc + n - 5, ".json") == 0)) {
		char *dot = strrchr(enc, '.');

		memmove(dot + 3, dot + 1, strlen(dot + 1) + 1);
		memcpy(dot, "%2E", 3);
	}
	snprintf(out, outsz, "/customers/%s/device-batches/%s%s", customer,
	    enc, suffix);
}

void
link_search_url(char *out, size_t outsz, const struct link_ctx *c,
    const char *q)
{
	struct table_view t;

	memset(&t, 0, sizeof(t));
	snprintf(t.search, sizeof(t.search), "%s", q);
	link_url(out, outsz, c, NULL, "/customers", &t);
}

void
link_doc_url(char *out, size_t outsz, const char *doc, enum locale loc)
{
	char	 lang[8];
	size_t	 i;

	/* learn.microsoft.com spells its languages in lower case: ja-jp. */
	snprintf(lang, sizeof(lang), "%s", i18n_tag(loc));
	for (i = 0; lang[i] != '\0'; i++)
		if (lang[i] >= 'A' && lang[i] <= 'Z')
			lang[i] = (char)(lang[i] - 'A' + 'a');
	snprintf(out, outsz, "https://learn.microsoft.com/%s/%s", lang, doc);
}

void
link_form_url(char *out, size_t outsz, const struct link_ctx *c,
    const char *customer, const char *tracking)
{
	size_t	 o;

	link_url(out, outsz, c, NULL, "/", NULL);
	o = strlen(out);
	if (customer[0] != '\0' && o + 1 < outsz) {
		o += (size_t)snprintf(out + o, outsz - o, "%ccustomer=",
		    strchr(out, '?') != NULL ? '&' : '?');
		o = put_encoded(out, outsz, o < outsz ? o : outsz - 1, customer);
	}
	if (tracking[0] != '\0' && o + 1 < outsz) {
		o += (size_t)snprintf(out + o, outsz - o, "%ctracking=",
		    strchr(out, '?') != NULL ? '&' : '?');
		o = put_encoded(out, outsz, o < outsz ? o : outsz - 1, tracking);
	}
	/* Filled in to be changed: the lookup would only send it back here. */
	if ((customer[0] != '\0' || tracking[0] != '\0') && o + 8 < outsz)
		snprintf(out + o, outsz - o, "&edit=1");
}

void
links_fill_layout(struct tpage *p, const struct link_ctx *c, enum locale loc,
    const char *self_path, const struct table_view *t)
{
	struct tdict	*layout = tpage_layout(p), *s, *o;
	char		 url[1024];
	int		 l;

	/* The catalog's words are in the page's template already (render_init). */
	link_url(url, sizeof(url), c, NULL, "/", NULL);
	tdict_set(layout, "HOME_URL", url);
	tdict_set(tpage_body(p), "HOME_URL", url);
	snprintf(url, sizeof(url), "%s/", c->prefix);
	tdict_set(layout, "ROOT", url);
	tdict_set(tpage_body(p), "ROOT", url);
	/* Embedded in a portal: the batch alone, no site header, footer or form. */
	tdict_show(layout, c->embed ? "EMBED" : "CHROME");
	tdict_show(tpage_body(p), c->embed ? "EMBED" : "CHROME");
	for (l = 0; l < LOC__MAX; l++) {
		if ((s = tdict_section(layout, "LANG")) == NULL)
			return;
		if ((o = tdict_section(s, l == (int)loc ? "CURRENT" :
		    "OTHER")) == NULL)
			return;
		link_url(url, sizeof(url), c, i18n_tag((enum locale)l),
		    self_path, t);
		tdict_set(o, "URL", url);
		tdict_set(o, "TAG", i18n_tag((enum locale)l));
		tdict_set(o, "NAME", i18n_text((enum locale)l, "lang.name"));
	}
}
