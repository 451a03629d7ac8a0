/* test_page_error.c: the error page: its words from the catalog, the retry and correlation ID, a sign-in's code escaped; a 404's likely causes and swapped link; the form filled in; JSON for JSON routes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allow.h"
#include "pages.h"
#include "t.h"
#include "tpages.h"

#define C "47021739-3426-40bf-9601-61b4b6d7c793"
#define T "0127ed8e-ff72-4983-a3d8-e8d8bd378932"
#define CORR "aaaa0000-bb11-2222-33cc-444444dddddd"

/* A request routed to the batch page (or its export). */
static void
batch_request(struct request *req, const char *uri)
{
	struct http_in in = { "GET", uri, NULL, NULL, NULL, 0, NULL, 0, 0, NULL, NULL, NULL, NULL, 0, 0 };

	CHECK(route_request(&in, req) == BS_OK);
}

/* s as ctemplate's HTML escaping writes it. */
static const char *
escaped(const char *s)
{
	static char	 out[2048];
	size_t		 n = 0;

	for (; *s != '\0' && n + 8 < sizeof(out); s++)
		switch (*s) {
		case '&': n += (size_t)snprintf(out + n, 8, "&amp;"); break;
		case '"': n += (size_t)snprintf(out + n, 8, "&quot;"); break;
		case '\'': n += (size_t)snprintf(out + n, 8, "&#39;"); break;
		case '<': n += (size_t)snprintf(out + n, 8, "&lt;"); break;
		case '>': n += (size_t)snprintf(out + n, 8, "&gt;"); break;
		default: out[n++] = *s;
		}
	out[n] = '\0';
	return out;
}

static const char *
error_of(enum bs_error e, const struct request *req, long retry,
    const char *detail)
{
	struct tpage *p;

	if ((p = tpage_new("error", req->locale)) != NULL)
		page_error_fill(p, e, req, CORR, retry, detail);
	return tpages_render(p);
}

/* The error page: title, message, retry, correlation ID, and the batch it was about. */
static void
test_page_says_what_and_when_to_retry(void)
{
	struct request	 req;
	const char	*out;

	batch_request(&req, "/customers/" C "/batches/" T);
	out = error_of(BS_ERR_THROTTLED, &req, 57, NULL);
	CHECK_CONTAINS(out, "<code class=\"copyable\" id=\"correlation-id\">" CORR "</code>");
	CHECK_CONTAINS(out, "Try again in 57 s");
	CHECK_CONTAINS(out, escaped(i18n_text(LOC_EN_US,
	    "error.throttled.message")));
	CHECK_CONTAINS(out, "/customers/" C "/batches/" T);
	CHECK_LACKS(out, "error-detail");
}

/* A sign-in failure names its code, escaped like every value. */
static void
test_signin_code_is_escaped(void)
{
	struct request	 req;
	const char	*out;

	batch_request(&req, "/customers/" C "/batches/" T);
	out = error_of(BS_ERR_SIGNIN, &req, -1, "invalid_client AADSTS7000215<b>");
	CHECK_CONTAINS(out, "Sign-in error: <code id=\"error-detail\">"
	    "invalid_client AADSTS7000215&lt;b&gt;</code>");
	CHECK_CONTAINS(out, "Sign-in to Partner Center failed");
}

/* Every error's title and message, in every language: the words live only in the catalogs. */
static void
test_every_error_in_every_language(void)
{
	struct request	 req;
	const char	*out;
	char		 key[64];
	int		 e, l;

	for (l = 0; l < LOC__MAX; l++)
		for (e = BS_ERR_BAD_INPUT; e < BS_ERR__MAX; e++) {
			memset(&req, 0, sizeof(req));
			req.locale = (enum locale)l;
			out = error_of((enum bs_error)e, &req, -1, NULL);
			snprintf(key, sizeof(key), "error.%s.title",
			    error_info((enum bs_error)e)->key);
			CHECK_CONTAINS(out, escaped(i18n_text((enum locale)l,
			    key)));
			CHECK_LACKS(out, key);
		}
}

/* A JSON route's error is JSON; a batch page's passing failure reloads itself. */
static void
test_show_picks_json_or_html(void)
{
	struct request	 req;
	struct response	 res;

	memset(&res, 0, sizeof(res));
	buf_init(&res.body);
	batch_request(&req, "/customers/" C "/batches/" T ".json");
	page_error_show(&res, BS_ERR_TIMEOUT, &req, -1, NULL);
	CHECK(res.status == 504);
	CHECK_STR(res.content_type, "application/json; charset=utf-8");
	CHECK_CONTAINS(res.body.data, "\"error\":\"timeout\"");
	CHECK(res.refresh == 0);
	batch_request(&req, "/customers/" C "/batches/" T);
	page_error_show(&res, BS_ERR_TIMEOUT, &req, -1, NULL);
	CHECK_STR(res.content_type, "text/html; charset=utf-8");
	CHECK(res.refresh == 30);
	page_error_show(&res, BS_ERR_THROTTLED, &req, 12, NULL);
	CHECK(res.status == 503 && res.refresh == 12 && res.retry_after == 12);
	buf_free(&res.body);
}

/* Partner Center's 404: the likely causes, the swapped lookup, and the form filled in. */
static void
test_not_found_says_what_probably_happened(void)
{
	struct request	 req;
	const char	*out;

	batch_request(&req, "/customers/" C "/batches/" T);
	out = error_of(BS_ERR_NO_SUCH_BATCH, &req, -1, NULL);
	CHECK_CONTAINS(out, "id=\"likely-causes\"");
	CHECK_CONTAINS(out, escaped(i18n_text(LOC_EN_US,
	    "error.no_such_batch.wrong_customer")));
	CHECK_CONTAINS(out, escaped(i18n_text(LOC_EN_US,
	    "error.no_such_batch.swapped")));
	CHECK_CONTAINS(out, escaped(i18n_text(LOC_EN_US,
	    "error.no_such_batch.expired")));
	CHECK_CONTAINS(out, "<a href=\"/customers/" T "/batches/" C
	    "\" id=\"swapped-link\">");
	CHECK_CONTAINS(out, "<input id=\"customer\" name=\"customer\" "
	    "type=\"text\" value=\"" C "\"");
	CHECK_CONTAINS(out, "<input id=\"tracking\" name=\"tracking\" "
	    "type=\"text\" value=\"" T "\"");
	CHECK_CONTAINS(out, "href=\"/?customer=" C "&amp;tracking=" T
	    "&amp;edit=1\" id=\"back-to-form\"");
}

/* The swapped link and the back link keep the mount point, the language and embed mode; embedded, no form. */
static void
test_not_found_links_keep_language_and_embed(void)
{
	struct request	 req;
	const char	*out;

	CHECK(route_set_base_path("/tools/bs") == 0);
	batch_request(&req, "/tools/bs/customers/" C "/batches/" T
	    "?lang=ja&embed=1");
	req.locale = LOC_JA_JP;
	out = error_of(BS_ERR_NO_SUCH_BATCH, &req, -1, NULL);
	CHECK_CONTAINS(out, "href=\"/tools/bs/customers/" T "/batches/" C
	    "?lang=ja-JP&amp;embed=1\" id=\"swapped-link\"");
	CHECK_CONTAINS(out, "href=\"/tools/bs/?lang=ja-JP&amp;embed=1&amp;"
	    "customer=" C "&amp;tracking=" T "&amp;edit=1\" "
	    "id=\"back-to-form\"");
	CHECK_CONTAINS(out, escaped(i18n_text(LOC_JA_JP,
	    "error.no_such_batch.swap_link")));
	CHECK_LACKS(out, "<form");
	CHECK(route_set_base_path("") == 0);
	/* Not embedded, in Japanese: the form keeps the language. */
	batch_request(&req, "/customers/" C "/batches/" T "?lang=ja");
	req.locale = LOC_JA_JP;
	out = error_of(BS_ERR_NO_SUCH_BATCH, &req, -1, NULL);
	CHECK_CONTAINS(out, "<input type=\"hidden\" name=\"lang\" "
	    "value=\"ja-JP\">");
}

/* With an allow-list, the swapped lookup is offered only when the tracking ID is a customer this server shows. */
static void
test_swapped_link_only_to_an_allowed_customer(void)
{
	struct request	 req;
	const char	*out;
	char		 path[] = "/tmp/bs-allow-XXXXXX", err[256];
	int		 fd = mkstemp(path);
	FILE		*f = fd >= 0 ? fdopen(fd, "w") : NULL;

	CHECK(f != NULL);
	if (f == NULL)
		return;
	fprintf(f, "%s\n", C);
	fclose(f);
	CHECK(allow_load(path, err, sizeof(err)) == 0);
	batch_request(&req, "/customers/" C "/batches/" T);
	out = error_of(BS_ERR_NO_SUCH_BATCH, &req, -1, NULL);
	CHECK_CONTAINS(out, "id=\"likely-causes\"");
	CHECK_LACKS(out, "swapped-link");
	/* Both allowed: offered again. */
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f != NULL) {
		fprintf(f, "%s\n%s\n", C, T);
		fclose(f);
	}
	CHECK(allow_load(path, err, sizeof(err)) == 0);
	out = error_of(BS_ERR_NO_SUCH_BATCH, &req, -1, NULL);
	CHECK_CONTAINS(out, "id=\"swapped-link\"");
	allow_free();
	unlink(path);
}

/* Other errors have no such hints, but their back link still carries what was asked. */
static void
test_back_link_is_filled_in_on_every_error(void)
{
	struct request	 req;
	const char	*out;

	batch_request(&req, "/customers/" C "/batches/" T);
	out = error_of(BS_ERR_THROTTLED, &req, 5, NULL);
	CHECK_LACKS(out, "likely-causes");
	CHECK_LACKS(out, "swapped-link");
	CHECK_CONTAINS(out, "href=\"/?customer=" C "&amp;tracking=" T
	    "&amp;edit=1\" id=\"back-to-form\"");
	/* What the user typed, when it was no batch: encoded. */
	memset(&req, 0, sizeof(req));
	strcpy(req.form_customer, "a b&c");
	out = error_of(BS_ERR_BAD_INPUT, &req, -1, NULL);
	CHECK_CONTAINS(out, "href=\"/?customer=a%20b%26c&amp;edit=1\" "
	    "id=\"back-to-form\"");
	/* Nothing typed: the plain form. */
	memset(&req, 0, sizeof(req));
	out = error_of(BS_ERR_NO_ROUTE, &req, -1, NULL);
	CHECK_CONTAINS(out, "href=\"/\" id=\"back-to-form\"");
}

int
main(void)
{
	if (tpages_init() == -1)
		return 1;
	T_RUN(test_page_says_what_and_when_to_retry);
	T_RUN(test_signin_code_is_escaped);
	T_RUN(test_every_error_in_every_language);
	T_RUN(test_show_picks_json_or_html);
	T_RUN(test_not_found_says_what_probably_happened);
	T_RUN(test_not_found_links_keep_language_and_embed);
	T_RUN(test_swapped_link_only_to_an_allowed_customer);
	T_RUN(test_back_link_is_filled_in_on_every_error);
	tpages_done();
	return t_done("test_page_error");
}
