/* test_query.c: query values decoded, and the declared page options: defaults, validators, a bad value leaving what was there. */
#include <string.h>

#include "query.h"
#include "t.h"

static void
options(const char *q, struct link_ctx *lc, struct table_view *t)
{
	struct query_opts o = { lc, t };

	memset(lc, 0, sizeof(*lc));
	memset(t, 0, sizeof(*t));
	query_options(q, &o);
}

static void
test_decode_escapes_and_plus(void)
{
	char	 out[16];
	size_t	 n;

	CHECK(query_decode("a%20b+c", 7, out, sizeof(out), &n, 1) == 0);
	CHECK_STR(out, "a b c");
	CHECK(n == 5);
	CHECK(query_decode("a+b", 3, out, sizeof(out), &n, 0) == 0);
	CHECK_STR(out, "a+b");
	CHECK(query_decode("%4", 2, out, sizeof(out), &n, 1) == -1);
	CHECK(query_decode("%zz", 3, out, sizeof(out), &n, 1) == -1);
	CHECK(query_decode("0123456789abcdef", 16, out, sizeof(out), &n, 1) == -2);
}

static void
test_clean_refuses_controls_nul_and_bad_utf8(void)
{
	CHECK(query_clean("SN-1 \xe6\x97\xa5", 8));
	CHECK(!query_clean("a\nb", 3));
	CHECK(!query_clean("a\0b", 3));
	CHECK(!query_clean("\xff", 1));
	CHECK(query_has_control("\x7f", 1));
}

static void
test_defaults(void)
{
	struct link_ctx		lc;
	struct table_view	t;

	options("", &lc, &t);
	CHECK(lc.lang[0] == '\0' && lc.embed == 0);
	CHECK(t.filter[0] == '\0' && t.search[0] == '\0' && t.page == 1);
}

static void
test_each_option_read(void)
{
	struct link_ctx		lc;
	struct table_view	t;

	options("lang=HU&embed=1&status=finished_with_errors&q=SN%2B1&page=7",
	    &lc, &t);
	CHECK_STR(lc.lang, "hu-HU");
	CHECK(lc.embed == 1);
	CHECK_STR(t.filter, "finished_with_errors");
	CHECK_STR(t.search, "SN+1");
	CHECK(t.page == 7);
}

/* A value an option cannot use leaves its default or an earlier usable value: options never make an error. */
static void
test_unusable_values_are_ignored(void)
{
	struct link_ctx		lc;
	struct table_view	t;

	options("lang=ja&lang=klingon&status=%3Cb%3E&page=x&page=123456789"
	    "&q=%0a&embed=2", &lc, &t);
	CHECK_STR(lc.lang, "ja-JP");
	CHECK(t.filter[0] == '\0');
	CHECK(t.page == 1);
	CHECK(t.search[0] == '\0');
	CHECK(lc.embed == 0);
	options("page=0", &lc, &t);
	CHECK(t.page == 1);
	options("q=" "0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789", &lc, &t);
	CHECK(t.search[0] == '\0');
}

int
main(void)
{
	T_RUN(test_decode_escapes_and_plus);
	T_RUN(test_clean_refuses_controls_nul_and_bad_utf8);
	T_RUN(test_defaults);
	T_RUN(test_each_option_read);
	T_RUN(test_unusable_values_are_ignored);
	return t_done("test_query");
}
