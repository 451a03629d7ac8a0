/* test_query.c: query values decoded, and the declared page options: defaults, validators, a bad value leaving what was there. */
#include <stdio.h>
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
	CHECK(t.code[0] == '\0');
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

/* ?status= in any case is one view: FAILED, Failed and failed read as failed. */
static void
test_status_is_kept_in_lower_case(void)
{
	struct link_ctx		lc;
	struct table_view	t;

	options("status=FAILED", &lc, &t);
	CHECK_STR(t.filter, "failed");
	options("status=Finished_With_Errors", &lc, &t);
	CHECK_STR(t.filter, "finished_with_errors");
	options("status=In-Progress", &lc, &t);
	CHECK_STR(t.filter, "in-progress");
}

/* A value pasted from a spreadsheet: spaces, tabs and no-break spaces at either end go, inside ones stay. */
static void
test_values_are_trimmed(void)
{
	struct link_ctx		lc;
	struct table_view	t;

	options("q=SN-1%20", &lc, &t);
	CHECK_STR(t.search, "SN-1");
	options("q=%09%C2%A0SN%201%C2%A0%09%0D%0A", &lc, &t);
	CHECK_STR(t.search, "SN 1");
	options("q=%E3%80%80%E6%97%A5%E3%80%80&status=failed%20&page=2+", &lc, &t);
	CHECK_STR(t.search, "\xe6\x97\xa5");
	CHECK_STR(t.filter, "failed");
	CHECK(t.page == 2);
	/* A control inside a value still makes it unusable. */
	options("q=a%09b", &lc, &t);
	CHECK(t.search[0] == '\0');
	/* Only blanks: nothing to search for. */
	options("q=%20%C2%A0%09", &lc, &t);
	CHECK(t.search[0] == '\0');
}

static void
test_trim_in_place(void)
{
	char v[32] = "\xef\xbb\xbf x\xe2\x80\xaf";

	CHECK(query_trim(v, strlen(v)) == 1);
	CHECK_STR(v, "x");
	/* A zero-width space from Teams at either end, a figure space from a spreadsheet. */
	snprintf(v, sizeof(v), "\xe2\x80\x8bSN-1\xe2\x80\x87\xe2\x80\x8b");
	CHECK(query_trim(v, strlen(v)) == 4);
	CHECK_STR(v, "SN-1");
	snprintf(v, sizeof(v), "\xc2");	/* half a no-break space: not a blank */
	CHECK(query_trim(v, strlen(v)) == 1);
	CHECK(query_trim(v, 0) == 0 && v[0] == '\0');
}

/* ?code=: an error's digits or a word, letters and digits only, bounded; a documented name becomes its code. */
static void
test_code_validated_and_canonical(void)
{
	struct link_ctx		lc;
	struct table_view	t;

	options("code=808", &lc, &t);
	CHECK_STR(t.code, "808");
	options("code=ztddeviceassignedtoothertenant", &lc, &t);
	CHECK_STR(t.code, "808");
	options("code=ZtdDeviceAssignedToAnotherTenant", &lc, &t);
	CHECK_STR(t.code, "808");
	/* A named-only error keeps the name as the table spells it. */
	options("code=ZTDDEVICEDUPLICATED", &lc, &t);
	CHECK_STR(t.code, "ZtdDeviceDuplicated");
	/* One nobody documented stays as it came. */
	options("code=999&code=NewThing", &lc, &t);
	CHECK_STR(t.code, "NewThing");
	options("code=80%208", &lc, &t);
	CHECK(t.code[0] == '\0');
	options("code=-1", &lc, &t);
	CHECK(t.code[0] == '\0');
	options("code=%3Cb%3E", &lc, &t);
	CHECK(t.code[0] == '\0');
	options("code=" "0123456789012345678901234567890123456789" "012345678",
	    &lc, &t);
	CHECK(t.code[0] == '\0');
	options("code=" "0123456789012345678901234567890123456789" "01234567",
	    &lc, &t);
	CHECK(strlen(t.code) == TABLE_CODE_MAX);
	/* The rule alone, as the what-to-fix links ask it. */
	CHECK(query_code_ok("808", 3) && query_code_ok("SomethingNew", 12));
	CHECK(!query_code_ok("", 0) && !query_code_ok("x y", 3) &&
	    !query_code_ok("0x-1", 4));
}

int
main(void)
{
	T_RUN(test_decode_escapes_and_plus);
	T_RUN(test_clean_refuses_controls_nul_and_bad_utf8);
	T_RUN(test_defaults);
	T_RUN(test_each_option_read);
	T_RUN(test_unusable_values_are_ignored);
	T_RUN(test_status_is_kept_in_lower_case);
	T_RUN(test_values_are_trimmed);
	T_RUN(test_trim_in_place);
	T_RUN(test_code_validated_and_canonical);
	return t_done("test_query");
}
