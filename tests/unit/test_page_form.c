/* test_page_form.c: the form: hostile input inert in attributes, its messages in every language, the catalog's words written in. */
#include <stdio.h>
#include <string.h>

#include "pages.h"
#include "t.h"
#include "tpages.h"

#define CORR "aaaa0000-bb11-2222-33cc-444444dddddd"

static const char *
form_of(const struct request *req)
{
	struct tpage *p;

	if ((p = tpage_new("form", req->locale)) != NULL)
		page_form_fill(p, req, CORR);
	return tpages_render(p);
}

/* The form keeps hostile input inert inside attribute values, marks the field and quotes the correlation ID. */
static void
test_hostile_input_is_inert(void)
{
	struct request	 req;
	const char	*out;

	memset(&req, 0, sizeof(req));
	strcpy(req.form_customer, "\"><script>alert(1)</script>");
	strcpy(req.form_tracking, "' onfocus='alert(1)");
	req.msg[FIELD_CUSTOMER] = MSG_CUSTOMER_INVALID;
	out = form_of(&req);
	CHECK_LACKS(out, "<script>");
	CHECK_LACKS(out, "' onfocus='");
	CHECK_CONTAINS(out, "value=\"&quot;&gt;&lt;script&gt;");
	CHECK_CONTAINS(out, "aria-invalid=\"true\"");
	CHECK_CONTAINS(out, "role=\"alert\"");
	CHECK_CONTAINS(out, "<code class=\"copyable\" id=\"correlation-id\">" CORR "</code>");
}

/* The n-th (from 0) occurrence of needle in hay, or NULL. */
static const char *
nth(const char *hay, const char *needle, int n)
{
	const char *p = hay;

	while (p != NULL && (p = strstr(p, needle)) != NULL && n-- > 0)
		p++;
	return p;
}

/* The <input> tag of a field, as rendered (a static buffer: the last call's). */
static const char *
input_of(const char *out, const char *id)
{
	static char	 tag[1024];
	char		 want[32];
	const char	*p, *e;

	snprintf(want, sizeof(want), "<input id=\"%s\"", id);
	if ((p = strstr(out, want)) == NULL || (e = strchr(p, '>')) == NULL ||
	    (size_t)(e - p) >= sizeof(tag))
		return "";
	memcpy(tag, p, (size_t)(e - p));
	tag[e - p] = '\0';
	return tag;
}

/* Both fields bad: each marked, each pointing at its own message, the first one focused. */
static void
test_both_bad_fields_are_flagged_at_once(void)
{
	struct request	 req;
	const char	*out, *c, *t;

	memset(&req, 0, sizeof(req));
	req.msg[FIELD_CUSTOMER] = MSG_CUSTOMER_INVALID;
	req.msg[FIELD_TRACKING] = MSG_LOCATION_BAD_ID;
	out = form_of(&req);
	c = input_of(out, "customer");
	CHECK_CONTAINS(c, "aria-invalid=\"true\"");
	CHECK_CONTAINS(c, "aria-describedby=\"customer-message\"");
	CHECK_CONTAINS(c, "autofocus");
	t = input_of(out, "tracking");	/* (the same buffer: c is spent) */
	CHECK_CONTAINS(t, "aria-invalid=\"true\"");
	CHECK_CONTAINS(t, "aria-describedby=\"tracking-message\"");
	CHECK_LACKS(t, "autofocus");
	CHECK_CONTAINS(out, "id=\"customer-message\">");
	CHECK_CONTAINS(out, i18n_text(LOC_EN_US, "form.msg.customer_invalid"));
	CHECK_CONTAINS(out, i18n_text(LOC_EN_US, "form.msg.location_bad_id"));
	CHECK_CONTAINS(out, "id=\"form-message\">" );
	CHECK_CONTAINS(out, i18n_text(LOC_EN_US, "form.msg.summary_both"));
	CHECK(nth(out, "id=\"customer-message\"", 1) == NULL);
	CHECK(nth(out, "id=\"tracking-message\"", 1) == NULL);
	CHECK(nth(out, "autofocus", 1) == NULL);
}

/* Only the tracking field bad: it alone is marked and focused; the customer stays as it was. */
static void
test_one_bad_field_is_the_one_flagged(void)
{
	struct request	 req;
	const char	*out;

	memset(&req, 0, sizeof(req));
	req.msg[FIELD_TRACKING] = MSG_DEVICE_BATCH;
	out = form_of(&req);
	CHECK_LACKS(input_of(out, "customer"), "aria-invalid");
	CHECK_LACKS(input_of(out, "customer"), "autofocus");
	CHECK_CONTAINS(input_of(out, "tracking"), "autofocus");
	CHECK_CONTAINS(input_of(out, "tracking"),
	    "aria-describedby=\"tracking-message\"");
	CHECK_LACKS(out, "customer-message");
	CHECK_CONTAINS(out, i18n_text(LOC_EN_US, "form.msg.summary_one"));
	/* The empty form has none of it. */
	memset(&req, 0, sizeof(req));
	out = form_of(&req);
	CHECK_LACKS(out, "aria-invalid");
	CHECK_LACKS(out, "form-message");
	CHECK_LACKS(out, "autofocus");
}

/* The catalog's words are written into each language's templates, escaped; no marker is left. */
static void
test_words_come_from_the_catalog(void)
{
	struct request	 req;
	const char	*out;

	memset(&req, 0, sizeof(req));
	req.locale = LOC_HU_HU;
	out = form_of(&req);
	CHECK_CONTAINS(out, i18n_text(LOC_HU_HU, "form.submit"));
	CHECK_CONTAINS(out, "lang=\"hu-HU\"");
	CHECK_LACKS(out, "{{T_");
	CHECK_LACKS(out, i18n_text(LOC_EN_US, "form.submit"));
}

/* The reader's ?lang= and ?embed= ride along as hidden fields. */
static void
test_chosen_language_and_embed_are_kept(void)
{
	struct request	 req;
	const char	*out;

	memset(&req, 0, sizeof(req));
	strcpy(req.link.lang, "ja-JP");
	req.link.embed = 1;
	req.locale = LOC_JA_JP;
	out = form_of(&req);
	CHECK_CONTAINS(out, "value=\"ja-JP\"");
	CHECK_CONTAINS(out, "name=\"embed\"");
}

/* Every message in every language, and never the bare key. */
static void
test_every_message_in_every_language(void)
{
	int i, l;

	for (i = MSG_CUSTOMER_MISSING; i < MSG__MAX; i++) {
		CHECK(strlen(page_form_message((enum form_msg)i, LOC_EN_US)) > 10);
		for (l = 0; l < LOC__MAX; l++)
			CHECK(strncmp(page_form_message((enum form_msg)i,
			    (enum locale)l), "form.", 5) != 0);
	}
	CHECK_STR(page_form_message(MSG_NONE, LOC_EN_US), "");
}

int
main(void)
{
	if (tpages_init() == -1)
		return 1;
	T_RUN(test_hostile_input_is_inert);
	T_RUN(test_both_bad_fields_are_flagged_at_once);
	T_RUN(test_one_bad_field_is_the_one_flagged);
	T_RUN(test_words_come_from_the_catalog);
	T_RUN(test_chosen_language_and_embed_are_kept);
	T_RUN(test_every_message_in_every_language);
	tpages_done();
	return t_done("test_page_form");
}
