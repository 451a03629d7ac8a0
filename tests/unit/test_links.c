/* test_links.c: every URL a page links to: the mount point, the reader's language and embed mode, the table's view percent-encoded; the form filled in. */
#include <stdio.h>
#include <string.h>

#include "errcodes.h"
#include "links.h"
#include "t.h"

static void
test_plain_path(void)
{
	struct link_ctx	 lc = { "", "", 0 };
	char		 url[256];

	link_url(url, sizeof(url), &lc, NULL, "/", NULL);
	CHECK_STR(url, "/");
}

static void
test_mount_point_language_and_embed(void)
{
	struct link_ctx	 lc = { "/tools/bs", "ja-JP", 1 };
	char		 url[256];

	link_url(url, sizeof(url), &lc, NULL, "/x", NULL);
	CHECK_STR(url, "/tools/bs/x?lang=ja-JP&embed=1");
	/* The language switcher: another tag instead of the reader's. */
	link_url(url, sizeof(url), &lc, "hu-HU", "/x", NULL);
	CHECK_STR(url, "/tools/bs/x?lang=hu-HU&embed=1");
}

static void
test_table_view_encoded(void)
{
	struct link_ctx		 lc = { "", "", 0 };
	struct table_view	 t = { "finished_with_errors", "a&b c/\xe6\x97\xa5", 2, "" };
	char			 url[256];

	link_url(url, sizeof(url), &lc, NULL, "/p", &t);
	CHECK_STR(url, "/p?status=finished_with_errors&q=a%26b%20c%2F%E6%97%A5"
	    "&page=2");
	t.page = 1;
	t.filter[0] = '\0';
	link_url(url, sizeof(url), &lc, NULL, "/p", &t);
	CHECK_STR(url, "/p?q=a%26b%20c%2F%E6%97%A5");
}

/* The exports' ?code= is kept after the status, before the search. */
static void
test_code_kept(void)
{
	struct link_ctx		 lc = { "", "ja-JP", 0 };
	struct table_view	 t = { "failed", "", 1, "808" };
	char			 url[256];

	link_url(url, sizeof(url), &lc, NULL, "/p.csv", &t);
	CHECK_STR(url, "/p.csv?lang=ja-JP&status=failed&code=808");
	t.filter[0] = '\0';
	snprintf(t.search, sizeof(t.search), "x");
	link_url(url, sizeof(url), &lc, NULL, "/p.csv", &t);
	CHECK_STR(url, "/p.csv?lang=ja-JP&code=808&q=x");
}

/* A link that does not fit is cut, never overrun. */
static void
test_too_long_is_cut(void)
{
	struct link_ctx		 lc = { "/tools/bs", "ja-JP", 1 };
	struct table_view	 t = { "failed", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 9, "808" };
	char			 url[40];

	memset(url, 'Z', sizeof(url));
	link_url(url, 24, &lc, NULL, "/customers/c/batches/t", &t);
	CHECK(strlen(url) < 24);
	CHECK(url[30] == 'Z');
}

static void
test_batch_path(void)
{
	char path[128];

	link_batch_path(path, sizeof(path), "c", "t", ".csv");
	CHECK_STR(path, "/customers/c/batches/t.csv");
}

/* Microsoft's documentation in the reader's language, as learn.microsoft.com spells it. */
static void
test_microsofts_page_in_the_readers_language(void)
{
	char url[256];

	link_doc_url(url, sizeof(url), ERRCODE_DOC_ANY, LOC_JA_JP);
	CHECK_STR(url, "https://learn.microsoft.com/ja-jp/autopilot/troubleshooting-faq");
	link_doc_url(url, sizeof(url), "x/y", LOC_ZH_TW);
	CHECK_STR(url, "https://learn.microsoft.com/zh-tw/x/y");
	link_doc_url(url, 20, "x/y", LOC_EN_US);
	CHECK_STR(url, "https://learn.micro");
}

/* The form filled in: what was typed, percent-encoded, beside the language and embed mode. */
static void
test_form_url_carries_what_was_typed(void)
{
	struct link_ctx	 plain = { "", "", 0 }, lc = { "/tools/bs", "ja-JP", 1 };
	char		 url[256];

	link_form_url(url, sizeof(url), &plain, "c1", "t 1/&");
	CHECK_STR(url, "/?customer=c1&tracking=t%201%2F%26&edit=1");
	link_form_url(url, sizeof(url), &lc, "", "\xe6\x97\xa5");
	CHECK_STR(url, "/tools/bs/?lang=ja-JP&embed=1&tracking=%E6%97%A5&edit=1");
	link_form_url(url, sizeof(url), &plain, "", "");
	CHECK_STR(url, "/");
	memset(url, 'Z', sizeof(url));
	link_form_url(url, 20, &plain, "ccccccccccccccccccccccccc", "t");
	CHECK(strlen(url) < 20 && url[25] == 'Z');
}

int
main(void)
{
	T_RUN(test_plain_path);
	T_RUN(test_mount_point_language_and_embed);
	T_RUN(test_table_view_encoded);
	T_RUN(test_code_kept);
	T_RUN(test_too_long_is_cut);
	T_RUN(test_batch_path);
	T_RUN(test_microsofts_page_in_the_readers_language);
	T_RUN(test_form_url_carries_what_was_typed);
	return t_done("test_links");
}
