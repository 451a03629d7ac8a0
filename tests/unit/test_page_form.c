/* test_page_form.c: the form: hostile input inert in attributes, its messages in every language, the catalog's words written in. */
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
	req.msg = MSG_CUSTOMER_INVALID;
	req.msg_field = MSG_CUSTOMER_INVALID;
	out = form_of(&req);
	CHECK_LACKS(out, "<script>");
	CHECK_LACKS(out, "' onfocus='");
	CHECK_CONTAINS(out, "value=\"&quot;&gt;&lt;script&gt;");
	CHECK_CONTAINS(out, "aria-invalid=\"true\"");
	CHECK_CONTAINS(out, "role=\"alert\"");
	CHECK_CONTAINS(out, "<code id=\"correlation-id\">" CORR "</code>");
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
	T_RUN(test_words_come_from_the_catalog);
	T_RUN(test_chosen_language_and_embed_are_kept);
	T_RUN(test_every_message_in_every_language);
	tpages_done();
	return t_done("test_page_form");
}
