/* test_etag.c: If-None-Match matching, a final batch's ETag and its 304, and what nginx may keep. */
#include <string.h>

#include "etag.h"
#include "handler.h"
#include "t.h"

static void
test_if_none_match_lists_weak_tags_and_star(void)
{
	CHECK(etag_matches("\"abc-h\"", "\"abc-h\""));
	CHECK(etag_matches("\"x\", W/\"abc-h\"", "\"abc-h\""));
	CHECK(etag_matches("*", "\"abc-h\""));
	CHECK(etag_matches(" \"x\" ,\t\"abc-h\" ", "\"abc-h\""));
	CHECK(!etag_matches("\"abc-j\"", "\"abc-h\""));
	CHECK(!etag_matches("abc-h", "\"abc-h\""));
	CHECK(!etag_matches(NULL, "\"abc-h\""));
	CHECK(!etag_matches("\"abc-h\"", ""));
}

static void
test_final_page_is_validated_and_kept(void)
{
	struct response res;

	memset(&res, 0, sizeof(res));
	etag_pages_changed(0);
	CHECK(etag_final(&res, 0x1234, 'h', 2, 0xabc, 600, NULL) == 0);
	CHECK_STR(res.etag, "\"0000000000001234-h2-00000abc\"");
	CHECK_STR(res.cache_control, "private, no-cache");
	CHECK(res.edge_seconds == 600);
}

/* A 304 has no body, so nginx must not keep it and serve it to everyone. */
static void
test_matching_tag_is_a_304_nginx_never_keeps(void)
{
	struct response res;

	memset(&res, 0, sizeof(res));
	etag_pages_changed(0);
	CHECK(etag_final(&res, 0x1234, 'j', 0, 7, 600,
	    "W/\"0000000000001234-j0-00000007\"") == 1);
	CHECK(res.status == 304);
	CHECK_STR(res.outcome, "not_modified");
	CHECK(res.edge_seconds == 0);
}

/* New templates or catalogs: every ETag changes, so no browser keeps a page of the old ones. */
static void
test_pages_changed_changes_every_tag(void)
{
	struct response a, b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	etag_pages_changed(1);
	etag_final(&a, 0x1234, 'h', 0, 0, 60, NULL);
	etag_pages_changed(2);
	etag_final(&b, 0x1234, 'h', 0, 0, 60, NULL);
	CHECK(strcmp(a.etag, b.etag) != 0);
	CHECK(etag_final(&b, 0x1234, 'h', 0, 0, 60, a.etag) == 0);
	etag_pages_changed(0);
}

/* The same batch filtered another way is another body: another ETag, and one does not validate the other. */
static void
test_each_view_its_own_tag(void)
{
	struct response a, b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	etag_pages_changed(0);
	etag_final(&a, 0x1234, 'c', 1, etag_view("?status=failed"), 60, NULL);
	etag_final(&b, 0x1234, 'c', 1, etag_view("?code=808"), 60, NULL);
	CHECK(strcmp(a.etag, b.etag) != 0);
	CHECK(etag_final(&b, 0x1234, 'c', 1, etag_view("?code=808"), 60,
	    a.etag) == 0);
	/* The default view adds nothing: the page's and its exports' differ by their letter. */
	CHECK(etag_view("") == 0);
	CHECK(etag_view("?status=failed") != 0);
	etag_final(&a, 0x1234, 'c', 1, etag_view(""), 60, NULL);
	CHECK_STR(a.etag, "\"0000000000001234-c1\"");
	CHECK(etag_view("?status=failed") == etag_view("?status=failed"));
}

static void
test_none_drops_validation_and_keeping(void)
{
	struct response res;

	memset(&res, 0, sizeof(res));
	etag_final(&res, 1, 'c', 0, 0, 60, NULL);
	snprintf(res.disposition, sizeof(res.disposition), "attachment");
	etag_none(&res);
	CHECK(res.etag[0] == '\0' && res.disposition[0] == '\0');
	CHECK(res.cache_control == NULL && res.edge_seconds == 0);
}

int
main(void)
{
	T_RUN(test_if_none_match_lists_weak_tags_and_star);
	T_RUN(test_final_page_is_validated_and_kept);
	T_RUN(test_matching_tag_is_a_304_nginx_never_keeps);
	T_RUN(test_pages_changed_changes_every_tag);
	T_RUN(test_each_view_its_own_tag);
	T_RUN(test_none_drops_validation_and_keeping);
	return t_done("test_etag");
}
