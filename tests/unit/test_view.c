/* test_view.c: labels, durations, counts and explanations derived for a page. */
#include <string.h>

#include "batch.h"
#include "route.h"
#include "t.h"
#include "view.h"

static const char BODY[] = "{\"status\":\"PROCESSING\",\"startedTime\":"
    "\"2024-01-01T00:00:00\",\"devicesStatus\":["
    "{\"status\":\"finished\"},"
    "{\"status\":\"Finished_With_Errors\",\"errorCode\":\"808\"},"
    "{\"status\":\"finished_with_errors\",\"errorDescription\":\"ZtdDeviceDuplicated\"},"
    "{\"status\":\"paused\",\"errorCode\":\"999\",\"errorDescription\":\"New\"},"
    "{\"status\":\"in-progress\"}]}";

int
main(void)
{
	struct batch		 b;
	struct batch_view	 v;
	struct request		 req;
	struct status_info	 si;
	char			 s[64], err[256];
	size_t			 i;
	int			 ok;

	si = status_of("FINISHED");
	CHECK_STR(si.key, "finished");
	CHECK_STR(si.css, "status-finished");
	CHECK(!si.running);
	si = status_of("queued");
	CHECK(si.running);
	si = status_of("archived");
	CHECK_STR(si.label, "archived");
	CHECK_STR(si.css, "status-other");
	si = status_of("");
	CHECK_STR(si.label, "(none)");

	CHECK(i18n_load("templates/i18n", err, sizeof(err)) == 0);
	view_duration(600, LOC_EN_US, s, sizeof(s));
	CHECK_STR(s, "10 min");
	view_duration(0, LOC_EN_US, s, sizeof(s));
	CHECK_STR(s, "0 s");
	view_duration(3725, LOC_EN_US, s, sizeof(s));
	CHECK_STR(s, "1 h 2 min");
	view_duration(65, LOC_EN_US, s, sizeof(s));
	CHECK_STR(s, "1 min 5 s");
	view_duration(90061, LOC_EN_US, s, sizeof(s));
	CHECK_STR(s, "1 d 1 h");
	view_duration(90061, LOC_JA_JP, s, sizeof(s));
	CHECK_STR(s, "1 \xe6\x97\xa5 1 \xe6\x99\x82\xe9\x96\x93");
	view_time_human(1500976800, s, sizeof(s));
	CHECK_STR(s, "2017-07-25 10:00:00 UTC");
	view_time_iso(1500976800, s, sizeof(s));
	CHECK_STR(s, "2017-07-25T10:00:00Z");

	memset(&req, 0, sizeof(req));
	strcpy(req.customer, "47021739-3426-40bf-9601-61b4b6d7c793");
	strcpy(req.tracking, "0127ed8e-ff72-4983-a3d8-e8d8bd378932");
	CHECK(batch_parse(BODY, strlen(BODY), BATCH_MAX_DEVICES_DEFAULT,
	    &b, err, sizeof(err)) == 0);
	CHECK(view_batch_build(&v, &b, &req, 1704067200 + 125) == 0);
	CHECK_STR(v.status.key, "processing");
	CHECK(v.running);
	CHECK(v.duration == 125);	/* running for, since no completedTime */
	CHECK(v.nfailed == 3);
	/* Counts: known statuses in a fixed order, then the unknown as they came. */
	CHECK(v.ncounts == 4);
	CHECK_STR(v.counts[0].si.key, "in-progress");
	CHECK(v.counts[0].n == 1);
	CHECK_STR(v.counts[1].si.key, "finished");
	CHECK_STR(v.counts[2].si.key, "finished_with_errors");
	CHECK(v.counts[2].n == 2);
	CHECK_STR(v.counts[3].si.key, "paused");
	CHECK(v.dev_error[1] != NULL && strcmp(v.dev_error[1]->code, "808") == 0);
	CHECK(v.dev_error[2] != NULL);
	CHECK(v.dev_error[3] == NULL);
	CHECK(v.dev_error[0] == NULL);
	view_batch_free(&v);
	batch_free(&b);

	/* Hundreds of distinct unknown statuses: bounded counts, an "other" bucket. */
	{
		static char big[200000];
		size_t n = 0, total = 0;

		n += (size_t)snprintf(big + n, sizeof(big) - n,
		    "{\"devicesStatus\":[");
		for (i = 0; i < 300; i++)
			n += (size_t)snprintf(big + n, sizeof(big) - n,
			    "%s{\"status\":\"s%zu\"}", i ? "," : "", i);
		snprintf(big + n, sizeof(big) - n, "]}");
		CHECK(batch_parse(big, strlen(big), BATCH_MAX_DEVICES_DEFAULT,
		    &b, err, sizeof(err)) == 0);
		CHECK(view_batch_build(&v, &b, &req, 0) == 0);
		CHECK(v.ncounts == VIEW_MAX_COUNTS);
		ok = 1;
		for (i = 0; i < v.ncounts; i++)
			total += v.counts[i].n;
		CHECK(total == 300 && ok);
		CHECK_STR(v.counts[VIEW_MAX_COUNTS - 1].si.key, "other");
		view_batch_free(&v);
		batch_free(&b);
	}
	for (i = MSG_CUSTOMER_MISSING; i < MSG__MAX; i++) {
		int l;

		CHECK(strlen(view_form_message((enum form_msg)i, LOC_EN_US)) > 10);
		/* Every message in every language, and never the bare key. */
		for (l = 0; l < LOC__MAX; l++)
			CHECK(strncmp(view_form_message((enum form_msg)i,
			    (enum locale)l), "form.", 5) != 0);
	}
	i18n_free();
	return t_done("test_view");
}
