/* test_page_batch.c: the batch page: hostile values inert, the table paged, filtered and searched, the links keeping the reader's view. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "pages.h"
#include "t.h"
#include "tpages.h"

#define C "47021739-3426-40bf-9601-61b4b6d7c793"
#define T "0127ed8e-ff72-4983-a3d8-e8d8bd378932"
#define HOSTILE "<script>alert(1)</script>\\\"><img src=x onerror=alert(1)>{{X}}"

/* The page of a batch body, in loc, with these links and table view. */
static const char *
page_at(const char *body, const struct link_ctx *lc,
    const struct table_view *t, enum locale loc, int64_t now)
{
	struct batch		 b;
	struct batch_view	 v;
	char			 err[128];
	const char		*out;
	struct tpage		*p;

	if (batch_parse(body, strlen(body), BATCH_MAX_DEVICES_DEFAULT, &b,
	    err, sizeof(err)) != 0)
		return NULL;
	if (view_batch_build(&v, &b, C, T, now) == -1) {
		batch_free(&b);
		return NULL;
	}
	if ((p = tpage_new("batch", loc)) != NULL)
		page_batch_fill(p, &v, lc, t, loc);
	out = tpages_render(p);
	view_batch_free(&v);
	batch_free(&b);
	return out;
}

static const char *
page_of(const char *body, const struct link_ctx *lc,
    const struct table_view *t, enum locale loc)
{
	return page_at(body, lc, t, loc, 0);
}

/* Every value from Partner Center is escaped for its context; nothing it sends becomes markup. */
static void
test_hostile_values_are_inert(void)
{
	static const char body[] = "{\"status\":\"" "<b>\\\"x" "\","
	    "\"startedTime\":\"<i>soon</i>\",\"devicesStatus\":[{"
	    "\"serialNumber\":\"" HOSTILE "\",\"productKey\":\"" HOSTILE "\","
	    "\"status\":\"" HOSTILE "\",\"errorCode\":\"" HOSTILE "\","
	    "\"errorDescription\":\"" HOSTILE "\"}]}";
	struct link_ctx		 lc = { "", "", 0 };
	struct table_view	 t = { "", "", 1, "" };
	const char		*out = page_of(body, &lc, &t, LOC_EN_US);

	CHECK_CONTAINS(out, "<!DOCTYPE html>");
	CHECK_CONTAINS(out, T);
	CHECK_LACKS(out, "<script>");
	CHECK_LACKS(out, "<img");
	CHECK_LACKS(out, "<b>");
	CHECK_LACKS(out, "<i>");
	CHECK_CONTAINS(out, "&lt;script&gt;alert(1)&lt;/script&gt;");
	CHECK_CONTAINS(out, "{{X}}");	/* shown, not expanded */
	CHECK_CONTAINS(out, "&lt;i&gt;soon&lt;/i&gt;");
	CHECK_CONTAINS(out, "class=\"badge status-other\"");
	CHECK_CONTAINS(out, "<table id=\"devices\">");
}

/* A body of n finished devices S0000...: the seed for paging. */
static char *
many(int n)
{
	struct buf	 big;
	int		 k;

	buf_init(&big);
	buf_puts(&big, "{\"status\":\"finished\",\"devicesStatus\":[");
	for (k = 0; k < n; k++)
		buf_printf(&big, "%s{\"serialNumber\":\"S%04d\","
		    "\"status\":\"finished\"}", k ? "," : "", k);
	buf_puts(&big, "]}");
	return big.data;
}

static int
rows(const char *out)
{
	int n = 0;

	for (; out != NULL && (out = strstr(out, "<td class=\"serial\"")) != NULL;
	    out++)
		n++;
	return n;
}

/* 1,201 devices: pages of 500, the last one holds 201, links go both ways. */
static void
test_table_pages_of_500(void)
{
	struct link_ctx		 lc = { "", "", 0 };
	struct table_view	 t = { "", "", 3, "" };
	char			*body = many(1201);
	const char		*out = page_of(body, &lc, &t, LOC_EN_US);

	CHECK(rows(out) == 201);
	CHECK_CONTAINS(out, "Devices 1001–1201 of 1201");
	CHECK_CONTAINS(out, "page=2\" rel=\"prev\"");
	CHECK_LACKS(out, "rel=\"next\"");
	CHECK_CONTAINS(out, "S1200");
	CHECK_LACKS(out, ">S0999<");
	free(body);
}

/* A search narrows the table; filter links keep the search, the pager keeps both. */
static void
test_search_and_filter_links_keep_the_view(void)
{
	struct link_ctx		 lc = { "/tools/bs", "ja-JP", 1 };
	struct table_view	 t = { "", "S001", 1, "" };
	char			*body = many(20);
	const char		*out = page_of(body, &lc, &t, LOC_JA_JP);

	CHECK(rows(out) == 10);
	CHECK_CONTAINS(out, "href=\"/tools/bs/customers/" C "/batches/" T
	    "?lang=ja-JP&amp;embed=1&amp;status=failed&amp;q=S001\"");
	CHECK_CONTAINS(out, "lang=\"ja-JP\"");
	free(body);
}

static void
test_no_device_matches(void)
{
	struct link_ctx		 lc = { "", "", 0 };
	struct table_view	 t = { "failed", "", 1, "" };
	char			*body = many(3);
	const char		*out = page_of(body, &lc, &t, LOC_EN_US);

	CHECK(rows(out) == 0);
	CHECK_CONTAINS(out, i18n_text(LOC_EN_US, "batch.none_match"));
	free(body);
}

/* A time the model could not read (year 0 here) is shown as it came, marked so; a read one in UTC. */
static void
test_unreadable_time_is_marked(void)
{
	struct link_ctx		 lc = { "", "", 0 };
	struct table_view	 t = { "", "", 1, "" };
	const char		*out = page_of("{\"status\":\"finished\","
	    "\"startedTime\":\"0000-01-01T23:59:00Z\",\"completedTime\":"
	    "\"2017-07-25T10:10:00\"}", &lc, &t, LOC_EN_US);
	char			 want[256];

	snprintf(want, sizeof(want), i18n_text(LOC_EN_US,
	    "batch.time_unreadable"), "0000-01-01T23:59:00Z");
	CHECK(strstr(want, "0000-01-01T23:59:00Z") == NULL ||
	    strstr(out, "0000-01-01T23:59:00Z (") != NULL);
	CHECK_CONTAINS(out, "0000-01-01T23:59:00Z");
	CHECK_CONTAINS(out, "not a time this page can read");
	CHECK_LACKS(out, "0-01-01 23:59:00");
	CHECK_CONTAINS(out, "2017-07-25 10:10:00 UTC");
}

/* The headline says what the devices came to, in the page's words and colour. */
static void
test_headline_from_the_devices(void)
{
	struct link_ctx		 lc = { "", "", 0 };
	struct table_view	 t = { "", "", 1, "" };
	const char		*out;

	out = page_of("{\"status\":\"finished\",\"devicesStatus\":[{\"status\":"
	    "\"finished_with_errors\",\"errorCode\":\"808\"}]}", &lc, &t, LOC_EN_US);
	CHECK_CONTAINS(out, "class=\"headline outcome-all_failed\"");
	CHECK_CONTAINS(out, "Finished — its one device failed");
	out = page_of("{\"status\":\"finished\",\"devicesStatus\":[{\"status\":"
	    "\"finished\"},{\"status\":\"finished_with_errors\",\"errorCode\":"
	    "\"808\"},{\"status\":\"finished\"}]}", &lc, &t, LOC_EN_US);
	CHECK_CONTAINS(out, "outcome-some_failed");
	CHECK_CONTAINS(out, "Finished — 1 of 3 devices failed");
	/* 806 alone: Partner Center says "with errors", the devices say finished. */
	out = page_of("{\"status\":\"finished_with_errors\",\"devicesStatus\":[{"
	    "\"status\":\"finished_with_errors\",\"errorCode\":\"806\"},{"
	    "\"status\":\"finished\"}]}", &lc, &t, LOC_EN_US);
	CHECK_CONTAINS(out, "outcome-all_registered");
	CHECK_CONTAINS(out, "Finished — all 2 devices registered");
	/* Its own label, in green, in the device's row. */
	CHECK_CONTAINS(out, "<span class=\"badge status-already_registered\">"
	    "Already registered (806)</span>");
	out = page_of("{\"status\":\"processing\",\"devicesStatus\":[{\"status\":"
	    "\"finished\"},{\"status\":\"queued\"}]}", &lc, &t, LOC_JA_JP);
	CHECK_CONTAINS(out, "outcome-running");
	CHECK_LACKS(out, "outcome.running");
}

/* "What to fix" above the table: a row per kind, with what to do, even for a code nobody documented. */
static void
test_what_to_fix(void)
{
	struct link_ctx		 lc = { "", "", 0 };
	struct table_view	 t = { "", "", 1, "" };
	const char		*out;

	out = page_of("{\"status\":\"finished\",\"devicesStatus\":["
	    "{\"status\":\"finished_with_errors\",\"errorCode\":\"808\"},"
	    "{\"status\":\"finished_with_errors\",\"errorCode\":\"808\"},"
	    "{\"status\":\"finished_with_errors\",\"errorCode\":\"999\"}]}",
	    &lc, &t, LOC_EN_US);
	CHECK_CONTAINS(out, "id=\"what-to-fix\"");
	/* Each cell carries its column's name, for the cards of a narrow screen. */
	CHECK_CONTAINS(out, "<td class=\"fix-code\" data-label=\"Error code\">808"
	    "</td><td class=\"fix-name\" data-label=\"Error\">"
	    "ZtdDeviceAssignedToOtherTenant</td><td class=\"fix-n\" "
	    "data-label=\"Devices\">2</td>");
	CHECK_CONTAINS(out, "<td class=\"fix-code\" data-label=\"Error code\">999</td>");
	CHECK_CONTAINS(out, "Not a documented code");
	/* Microsoft's page: its own for 808, Autopilot's troubleshooting for one nobody documented. */
	CHECK_CONTAINS(out, "<a class=\"doc\" href=\"https://learn.microsoft.com/en-us/"
	    "troubleshoot/mem/intune/device-enrollment/"
	    "import-windows-autopilot-device-csv-files-errors\" rel=\"external noopener\">");
	CHECK_CONTAINS(out, "href=\"https://learn.microsoft.com/en-us/autopilot/troubleshooting-faq\"");
	CHECK_LACKS(out, "target=\"_blank\"");
	lc.embed = 1;
	out = page_of("{\"status\":\"finished\",\"devicesStatus\":["
	    "{\"status\":\"finished_with_errors\",\"errorCode\":\"808\"}]}",
	    &lc, &t, LOC_JA_JP);
	CHECK_CONTAINS(out, "href=\"https://learn.microsoft.com/ja-jp/troubleshoot/");
	CHECK_CONTAINS(out, "rel=\"external noopener\" target=\"_blank\">");
	lc.embed = 0;
	/* Nothing failed: nothing to fix. */
	out = page_of("{\"status\":\"finished\",\"devicesStatus\":[{\"status\":"
	    "\"finished\"}]}", &lc, &t, LOC_EN_US);
	CHECK_LACKS(out, "what-to-fix");
}

/* Embedded in a portal, "Link to this batch" is the page itself, opened outside the portal's frame. */
static void
test_embedded_link_to_this_batch_leaves_the_portal(void)
{
	struct link_ctx		 lc = { "/bs", "hu-HU", 1 };
	struct table_view	 t = { "", "", 1, "" };
	const char		*out = page_of("{\"status\":\"finished\"}", &lc, &t,
	    LOC_HU_HU);

	CHECK_CONTAINS(out, "<a href=\"/bs/customers/" C "/batches/" T
	    "?lang=hu-HU\" target=\"_top\" id=\"self-link\">");
	lc.embed = 0;
	out = page_of("{\"status\":\"finished\"}", &lc, &t, LOC_HU_HU);
	CHECK_CONTAINS(out, "<a href=\"/bs/customers/" C "/batches/" T
	    "?lang=hu-HU\" id=\"self-link\">");
}

/* Times are <time datetime> in UTC with how long ago in the reader's words; none ago for a clock ahead of ours. */
static void
test_times_say_when_and_how_long_ago(void)
{
	struct link_ctx		 lc = { "", "", 0 };
	struct table_view	 t = { "", "", 1, "" };
	static const char	 body[] = "{\"status\":\"finished\","
	    "\"startedTime\":\"2026-12-01T10:00:00Z\","
	    "\"completedTime\":\"2026-12-01T10:12:00Z\"}";
	const int64_t		 now = 1796120640;	/* 2026-12-01T10:24:00Z */
	const char		*out;

	out = page_at(body, &lc, &t, LOC_EN_US, now);
	CHECK_CONTAINS(out, "<time datetime=\"2026-12-01T10:00:00Z\">"
	    "2026-12-01 10:00:00 UTC</time> <span class=\"ago\">(24 min ago)"
	    "</span>");
	CHECK_CONTAINS(out, "<time datetime=\"2026-12-01T10:12:00Z\">"
	    "2026-12-01 10:12:00 UTC</time> <span class=\"ago\">(12 min ago)");
	out = page_at(body, &lc, &t, LOC_JA_JP, now + 3 * 86400);
	CHECK_CONTAINS(out, "(3 日前)");
	out = page_at(body, &lc, &t, LOC_HU_HU, now - 3600);
	CHECK_CONTAINS(out, "<time datetime=\"2026-12-01T10:00:00Z\">");
	CHECK_LACKS(out, "class=\"ago\"");
}

/* A count of one reads as one where the language has the form: one device, one entry. */
static void
test_one_is_singular(void)
{
	struct link_ctx		 lc = { "", "", 0 };
	struct table_view	 t = { "", "", 1, "" };
	static const char	 body[] = "{\"status\":\"processing\","
	    "\"devicesStatus\":[{\"status\":\"queued\"},7]}";
	const char		*out;

	out = page_of(body, &lc, &t, LOC_EN_US);
	CHECK_CONTAINS(out, "0 of 1 device done");
	CHECK_LACKS(out, "1 devices");
	CHECK_CONTAINS(out, "answer was not a device and is not shown");
	out = page_of(body, &lc, &t, LOC_JA_JP);
	CHECK_CONTAINS(out, "1 台中 0 台のデバイスが完了");
}

/* How many times needle is in hay. */
static int
count(const char *hay, const char *needle)
{
	int n = 0;

	for (; hay != NULL && (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

static const char NONE_BODY[] = "{\"status\":\"finished\",\"devicesStatus\":["
    "{\"serialNumber\":\"S-A\",\"status\":\"finished\"},"
    "{\"serialNumber\":\"S-B\"},"
    "{\"serialNumber\":\"S-C\",\"deviceId\":"
    "\"cccccccc-3333-4333-8333-000000000003\",\"productKey\":\"PK-C\","
    "\"status\":\"finished_with_errors\",\"errorCode\":\"808\"}]}";

/* A device without a status gets its own chip ("none"): All alone is current, or that chip alone. */
static void
test_one_chip_is_current(void)
{
	struct link_ctx		 lc = { "", "", 0 };
	struct table_view	 t = { "", "", 1, "" };
	const char		*out = page_of(NONE_BODY, &lc, &t, LOC_EN_US);

	CHECK(count(out, "\" aria-current=\"true\">") == 1);
	CHECK_CONTAINS(out, "class=\"filter status-all\" aria-current=\"true\"");
	CHECK_CONTAINS(out, "?status=none\"");
	snprintf(t.filter, sizeof(t.filter), "none");
	out = page_of(NONE_BODY, &lc, &t, LOC_EN_US);
	CHECK(count(out, "\" aria-current=\"true\">") == 1);
	CHECK_CONTAINS(out, "?status=none\" class=\"filter status-other\" aria-current");
	CHECK(rows(out) == 1);
	CHECK_CONTAINS(out, ">S-B<");
	snprintf(t.filter, sizeof(t.filter), "failed");
	out = page_of(NONE_BODY, &lc, &t, LOC_EN_US);
	CHECK(count(out, "\" aria-current=\"true\">") == 1);
	CHECK_CONTAINS(out, "?status=failed\" class=\"filter status-finished_with_errors\" aria-current");
}

/* Clear takes the search away and keeps the status; without a search there is nothing to clear. */
static void
test_clear_keeps_the_status(void)
{
	struct link_ctx		 lc = { "", "hu-HU", 0 };
	struct table_view	 t = { "failed", "S-", 1, "" };
	const char		*out = page_of(NONE_BODY, &lc, &t, LOC_HU_HU);

	CHECK_CONTAINS(out, "?lang=hu-HU&amp;status=failed\" class=\"clear\"");
	t.search[0] = '\0';
	out = page_of(NONE_BODY, &lc, &t, LOC_HU_HU);
	CHECK_LACKS(out, "class=\"clear\"");
}

/* The device ID has its column (to match against Intune), and a search finds a device by it, its product key or its code. */
static void
test_device_id_column_and_search(void)
{
	struct link_ctx		 lc = { "", "", 0 };
	struct table_view	 t = { "", "CCCCCCCC-3333", 1, "" };
	const char		*out = page_of(NONE_BODY, &lc, &t, LOC_EN_US);

	CHECK_CONTAINS(out, i18n_text(LOC_EN_US, "batch.col.device_id"));
	CHECK_CONTAINS(out, "<td class=\"device-id\" data-label=\"Device ID\">cccccccc-3333-4333-8333-000000000003</td>");
	CHECK(rows(out) == 1);
	snprintf(t.search, sizeof(t.search), "pk-c");
	CHECK(rows(page_of(NONE_BODY, &lc, &t, LOC_EN_US)) == 1);
	snprintf(t.search, sizeof(t.search), "808");
	CHECK(rows(page_of(NONE_BODY, &lc, &t, LOC_EN_US)) == 1);
}

/* ?code= is the exports': the page's table and links ignore it. */
static void
test_code_is_not_the_pages(void)
{
	struct link_ctx		 lc = { "", "", 0 };
	struct table_view	 t = { "", "", 1, "808" };
	const char		*out = page_of(NONE_BODY, &lc, &t, LOC_EN_US);

	CHECK(rows(out) == 3);
	CHECK(count(out, "code=808") == 1);	/* the what-to-fix row's CSV alone */
}

/* Each row of "what to fix" links its devices as CSV, the section all failed ones; both keep the language. */
static void
test_what_to_fix_links_its_devices(void)
{
	struct link_ctx		 lc = { "/tools/bs", "ja-JP", 0 };
	struct table_view	 t = { "", "", 1, "" };
	const char		*out;
	char			 want[256];

	out = page_of("{\"status\":\"finished\",\"devicesStatus\":["
	    "{\"status\":\"finished_with_errors\",\"errorCode\":\"808\"},"
	    "{\"status\":\"finished_with_errors\",\"errorDescription\":"
	    "\"ZtdDeviceDuplicated\"},"
	    "{\"status\":\"finished_with_errors\",\"errorCode\":\"x y\"}]}",
	    &lc, &t, LOC_JA_JP);
	CHECK_CONTAINS(out, "<td class=\"fix-csv\" data-label=\"CSV\"><a href=\""
	    "/tools/bs/customers/" C "/batches/" T ".csv?lang=ja-JP&amp;code=808\">");
	i18n_format(want, sizeof(want), i18n_text(LOC_JA_JP, "batch.fix.csv"),
	    "808", NULL);
	CHECK_CONTAINS(out, want);
	CHECK_CONTAINS(out, ".csv?lang=ja-JP&amp;code=ZtdDeviceDuplicated\"");
	/* A code ?code= cannot take: no link rather than a wrong one. */
	CHECK_CONTAINS(out, "<td class=\"fix-csv\" data-label=\"CSV\"></td>");
	CHECK_CONTAINS(out, "id=\"failed-csv\"");
	CHECK_CONTAINS(out, ".csv?lang=ja-JP&amp;status=failed\" id=\"failed-csv\"");
	CHECK_CONTAINS(out, i18n_text(LOC_JA_JP, "batch.fix.failed_csv"));
}

int
main(void)
{
	if (tpages_init() == -1)
		return 1;
	T_RUN(test_hostile_values_are_inert);
	T_RUN(test_table_pages_of_500);
	T_RUN(test_search_and_filter_links_keep_the_view);
	T_RUN(test_no_device_matches);
	T_RUN(test_unreadable_time_is_marked);
	T_RUN(test_headline_from_the_devices);
	T_RUN(test_what_to_fix);
	T_RUN(test_embedded_link_to_this_batch_leaves_the_portal);
	T_RUN(test_times_say_when_and_how_long_ago);
	T_RUN(test_one_is_singular);
	T_RUN(test_one_chip_is_current);
	T_RUN(test_clear_keeps_the_status);
	T_RUN(test_device_id_column_and_search);
	T_RUN(test_code_is_not_the_pages);
	T_RUN(test_what_to_fix_links_its_devices);
	tpages_done();
	return t_done("test_page_batch");
}
