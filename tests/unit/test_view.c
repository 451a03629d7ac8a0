/* test_view.c: the view model: statuses and their words, durations, times, counts and known errors, made from a batch alone. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "batch.h"
#include "t.h"
#include "tpages.h"
#include "view.h"

#define C "47021739-3426-40bf-9601-61b4b6d7c793"
#define T "0127ed8e-ff72-4983-a3d8-e8d8bd378932"

static const char BODY[] = "{\"status\":\"PROCESSING\",\"startedTime\":"
    "\"2024-01-01T00:00:00\",\"devicesStatus\":["
    "{\"status\":\"finished\"},"
    "{\"status\":\"Finished_With_Errors\",\"errorCode\":\"808\"},"
    "{\"status\":\"finished_with_errors\",\"errorDescription\":\"ZtdDeviceDuplicated\"},"
    "{\"status\":\"paused\",\"errorCode\":\"999\",\"errorDescription\":\"New\"},"
    "{\"status\":\"in-progress\"}]}";

static void
test_known_statuses_in_any_case(void)
{
	struct status_info si;
	char lbl[VIEW_LABEL_MAX];

	si = status_of("FINISHED");
	CHECK_STR(si.key, "finished");
	CHECK_STR(si.css, "status-finished");
	CHECK(!si.running);
	si = status_of("queued");
	CHECK(si.running);
	CHECK_STR(view_status_label(&si, LOC_EN_US, lbl, sizeof(lbl)), "Queued");
	si = status_of("in-progress");
	CHECK_STR(view_status_label(&si, LOC_EN_US, lbl, sizeof(lbl)),
	    "In progress");
}

/* One Partner Center adds later keeps its text, said to be unknown; no status at all says so in the reader's words. */
static void
test_unknown_status_kept_as_it_came(void)
{
	struct status_info si;
	char lbl[VIEW_LABEL_MAX];

	si = status_of("archived");
	CHECK(si.label == NULL);
	CHECK_STR(view_status_label(&si, LOC_EN_US, lbl, sizeof(lbl)),
	    "Unknown status: archived");
	CHECK_STR(view_status_label(&si, LOC_JA_JP, lbl, sizeof(lbl)),
	    "不明な状態: archived");
	CHECK_STR(si.css, "status-other");
	si = status_of("");
	CHECK_STR(view_status_label(&si, LOC_EN_US, lbl, sizeof(lbl)), "(none)");
}

/* How long ago, in one rounded unit and the reader's words; nothing for a time ahead of now. */
static void
test_ago_in_one_rounded_unit(void)
{
	char s[64];

	view_ago(1000, 1000 - 59, LOC_EN_US, s, sizeof(s));
	CHECK_STR(s, "just now");
	view_ago(1000, 1000 - 12 * 60 - 59, LOC_EN_US, s, sizeof(s));
	CHECK_STR(s, "12 min ago");
	view_ago(100000, 100000 - 3 * 3600 - 1, LOC_EN_US, s, sizeof(s));
	CHECK_STR(s, "3 h ago");
	view_ago(1000000, 1000000 - 5 * 86400, LOC_HU_HU, s, sizeof(s));
	CHECK_STR(s, "5 nap ezelőtt");
	view_ago(1000, 1001, LOC_EN_US, s, sizeof(s));
	CHECK_STR(s, "");
}

static void
test_durations_in_the_readers_units(void)
{
	char s[64];

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
}

static void
test_times_human_and_iso(void)
{
	char s[64];

	view_time_human(1500976800, s, sizeof(s));
	CHECK_STR(s, "2017-07-25 10:00:00 UTC");
	view_time_iso(1500976800, s, sizeof(s));
	CHECK_STR(s, "2017-07-25T10:00:00Z");
}

/* Counts: known statuses in a fixed order, then the unknown as they came; failures and known errors per device. */
static void
test_build_counts_failures_and_errors(void)
{
	struct batch		 b;
	struct batch_view	 v;
	char			 err[256];

	CHECK(batch_parse(BODY, strlen(BODY), BATCH_MAX_DEVICES_DEFAULT,
	    &b, err, sizeof(err)) == 0);
	CHECK(view_batch_build(&v, &b, C, T, 1704067200 + 125) == 0);
	CHECK_STR(v.customer, C);
	CHECK_STR(v.status.key, "processing");
	CHECK(v.running);
	CHECK(v.duration == 125);	/* running for, since no completedTime */
	CHECK(v.nfailed == 3);
	CHECK(v.ndone == 3);		/* finished, with or without errors */
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
}

/* Hundreds of distinct unknown statuses: bounded counts, an "other" bucket, every device counted once. */
static void
test_unknown_statuses_are_bounded(void)
{
	static char		 big[200000];
	struct batch		 b;
	struct batch_view	 v;
	char			 err[256], lbl[VIEW_LABEL_MAX];
	size_t			 i, n = 0, total = 0;

	n += (size_t)snprintf(big + n, sizeof(big) - n, "{\"devicesStatus\":[");
	for (i = 0; i < 300; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n,
		    "%s{\"status\":\"s%zu\"}", i ? "," : "", i);
	snprintf(big + n, sizeof(big) - n, "]}");
	CHECK(batch_parse(big, strlen(big), BATCH_MAX_DEVICES_DEFAULT,
	    &b, err, sizeof(err)) == 0);
	CHECK(view_batch_build(&v, &b, C, T, 0) == 0);
	CHECK(v.ncounts == VIEW_MAX_COUNTS);
	for (i = 0; i < v.ncounts; i++)
		total += v.counts[i].n;
	CHECK(total == 300);
	CHECK_STR(v.counts[VIEW_MAX_COUNTS - 1].si.key, "other");
	CHECK_STR(view_status_label(&v.counts[VIEW_MAX_COUNTS - 1].si,
	    LOC_EN_US, lbl, sizeof(lbl)), "Other");
	view_batch_free(&v);
	batch_free(&b);
}

/* The outcome of a batch body, from its devices. */
static enum view_outcome
outcome(const char *body, size_t *registered, size_t *failed)
{
	struct batch		 b;
	struct batch_view	 v;
	char			 err[256];
	enum view_outcome	 o;

	if (batch_parse(body, strlen(body), BATCH_MAX_DEVICES_DEFAULT, &b, err,
	    sizeof(err)) != BATCH_OK || view_batch_build(&v, &b, C, T, 0) == -1)
		return OUTCOME__MAX;
	o = v.outcome;
	*registered = v.nregistered;
	*failed = v.nfailed;
	view_batch_free(&v);
	batch_free(&b);
	return o;
}

#define OK_DEV	"{\"status\":\"finished\"}"
#define BAD_DEV	"{\"status\":\"finished_with_errors\",\"errorCode\":\"808\"}"
#define DUP_DEV	"{\"status\":\"finished_with_errors\",\"errorCode\":\"806\"}"

/* Partner Center says "finished" while devices failed: the outcome comes from the devices. */
static void
test_outcome_from_the_devices(void)
{
	size_t r, f;

	CHECK(outcome("{\"status\":\"finished\",\"devicesStatus\":[" BAD_DEV
	    "]}", &r, &f) == OUTCOME_ALL_FAILED && r == 0 && f == 1);
	CHECK(outcome("{\"status\":\"finished\",\"devicesStatus\":[" OK_DEV
	    "," BAD_DEV "]}", &r, &f) == OUTCOME_SOME_FAILED && r == 1 && f == 1);
	CHECK(outcome("{\"status\":\"finished\",\"devicesStatus\":[" OK_DEV
	    "," OK_DEV "]}", &r, &f) == OUTCOME_ALL_REGISTERED && r == 2 && f == 0);
	CHECK(outcome("{\"status\":\"finished\",\"devicesStatus\":[]}", &r,
	    &f) == OUTCOME_NO_DEVICES);
	CHECK(outcome("{\"status\":\"processing\",\"devicesStatus\":[" OK_DEV
	    "]}", &r, &f) == OUTCOME_RUNNING);
	CHECK(outcome("{\"status\":\"queued\"}", &r, &f) == OUTCOME_RUNNING);
	/* A status we do not know, devices not done: we cannot tell. */
	CHECK(outcome("{\"status\":\"paused\",\"devicesStatus\":["
	    "{\"status\":\"in-progress\"}]}", &r, &f) == OUTCOME_UNKNOWN);
	/* ...but devices all done say it even so. */
	CHECK(outcome("{\"status\":\"paused\",\"devicesStatus\":[" OK_DEV
	    "]}", &r, &f) == OUTCOME_ALL_REGISTERED);
	CHECK_STR(view_outcome_word(OUTCOME_SOME_FAILED), "some_failed");
	CHECK_STR(view_outcome_word(OUTCOME__MAX), "unknown");
}

/* 806 (already this tenant's): registered all the same, not a failure. */
static void
test_806_counts_as_registered(void)
{
	size_t r, f;

	CHECK(outcome("{\"status\":\"finished\",\"devicesStatus\":[" DUP_DEV
	    "," OK_DEV "]}", &r, &f) == OUTCOME_ALL_REGISTERED && r == 2 && f == 0);
	CHECK(outcome("{\"status\":\"finished\",\"devicesStatus\":[" DUP_DEV
	    "," BAD_DEV "]}", &r, &f) == OUTCOME_SOME_FAILED && r == 1 && f == 1);
}

/* "What to fix": failures by kind, most devices first; 806 is none; one we do not know keeps its code. */
static void
test_failures_grouped_by_kind(void)
{
	static const char body[] = "{\"status\":\"finished\",\"devicesStatus\":["
	    "{\"status\":\"finished_with_errors\",\"errorCode\":\"802\"},"
	    "{\"status\":\"finished_with_errors\",\"errorCode\":\"808\"},"
	    "{\"status\":\"finished_with_errors\",\"errorDescription\":"
	    "\"ZtdDeviceAssignedToOtherTenant\"},"
	    "{\"status\":\"finished_with_errors\",\"errorCode\":\"999\","
	    "\"errorDescription\":\"SomethingNew\"},"
	    "{\"status\":\"finished_with_errors\",\"errorCode\":\"806\"},"
	    "{\"status\":\"finished\"}]}";
	struct batch		 b;
	struct batch_view	 v;
	char			 err[256];

	CHECK(batch_parse(body, strlen(body), BATCH_MAX_DEVICES_DEFAULT, &b, err,
	    sizeof(err)) == BATCH_OK);
	CHECK(view_batch_build(&v, &b, C, T, 0) == 0);
	CHECK(v.nfixes == 3);
	CHECK(v.fixes[0].e != NULL && strcmp(v.fixes[0].e->code, "808") == 0 &&
	    v.fixes[0].n == 2);
	CHECK(v.fixes[1].e != NULL && strcmp(v.fixes[1].e->code, "802") == 0 &&
	    v.fixes[1].n == 1);
	CHECK(v.fixes[2].e == NULL && strcmp(v.fixes[2].code, "999") == 0 &&
	    strcmp(v.fixes[2].description, "SomethingNew") == 0);
	view_batch_free(&v);
	batch_free(&b);
}

/* A running page reloads often at first, rarely once it has run long. */
static void
test_refresh_backs_off(void)
{
	struct batch		 b;
	struct batch_view	 v;

	memset(&b, 0, sizeof(b));
	memset(&v, 0, sizeof(v));
	b.has_started = 1;
	b.started = 1000;
	v.b = &b;
	v.now = 1010;
	CHECK(view_refresh_seconds(&v) == 5);
	v.now = 1000 + 3600;
	CHECK(view_refresh_seconds(&v) == 60);
}

/* A body with every field a search or filter reads, for the filter tests. */
static const char FILTER_BODY[] = "{\"status\":\"finished\",\"devicesStatus\":["
    "{\"deviceId\":\"aaaaaaaa-1111-4111-8111-000000000001\",\"serialNumber\":"
    "\"SN-ONE\",\"productKey\":\"PK-AAAA\",\"status\":\"finished\"},"
    "{\"deviceId\":\"bbbbbbbb-2222-4222-8222-000000000002\",\"serialNumber\":"
    "\"SN-TWO\",\"productKey\":\"PK-BBBB\",\"status\":\"Finished_With_Errors\","
    "\"errorCode\":\"808\"},"
    "{\"serialNumber\":\"SN-THREE\",\"status\":\"finished_with_errors\","
    "\"errorDescription\":\"ZtdDeviceAssignedToAnotherTenant\"},"
    "{\"serialNumber\":\"SN-FOUR\",\"errorCode\":\"999\","
    "\"errorDescription\":\"NewThing\"},"
    "{\"serialNumber\":\"SN-FIVE\",\"status\":\"Paused\"},"
    "{\"serialNumber\":\"SN-SIX\",\"status\":\"paused\"}]}";

/* Which of the devices f lets through, as a string of their numbers from 1: "23". */
static const char *
shown(const struct view_filter *f)
{
	static char		 out[16];
	struct batch		 b;
	struct batch_view	 v;
	char			 err[256];
	size_t			 i, n = 0;

	out[0] = '\0';
	if (batch_parse(FILTER_BODY, strlen(FILTER_BODY),
	    BATCH_MAX_DEVICES_DEFAULT, &b, err, sizeof(err)) != 0)
		return "unparsed";
	if (view_batch_build(&v, &b, C, T, 0) == 0) {
		for (i = 0; i < b.ndevices && n + 1 < sizeof(out); i++)
			if (view_device_shown(&v, f, i))
				out[n++] = (char)('1' + i);
		out[n] = '\0';
		view_batch_free(&v);
	}
	batch_free(&b);
	return out;
}

static void
test_filter_by_status_in_any_case(void)
{
	struct view_filter f = { "", "", "" };

	CHECK_STR(shown(&f), "123456");
	f.status = "failed";
	CHECK_STR(shown(&f), "234");
	f.status = "FAILED";	/* query.c lowers it; the view does not depend on that */
	CHECK_STR(shown(&f), "234");
	f.status = "finished_with_errors";
	CHECK_STR(shown(&f), "23");
	f.status = "paused";	/* one nobody documented, in two spellings */
	CHECK_STR(shown(&f), "56");
	f.status = "finished";
	CHECK_STR(shown(&f), "1");
}

/* A device without a status has its own word: "none", not the "" of every device. */
static void
test_filter_none_is_its_own(void)
{
	struct view_filter	 f = { "none", "", "" };
	struct status_info	 si = status_of("");
	char			 w[16];

	CHECK_STR(shown(&f), "4");
	view_status_word(&si, w, sizeof(w));
	CHECK_STR(w, "none");
	si = status_of("Paused");
	view_status_word(&si, w, sizeof(w));
	CHECK_STR(w, "paused");
	si = status_of("FINISHED_WITH_ERRORS");
	view_status_word(&si, w, 8);
	CHECK_STR(w, "finishe");
}

/* A word cut to fit is cut between characters, never inside one (the fuzzer's find: JSON with half a character). */
static void
test_a_cut_status_word_stays_utf8(void)
{
	struct status_info	 si = status_of("ab\xf0\x9f\x98\x80" "cd");
	char			 w[16];

	view_status_word(&si, w, 5);	/* room for "ab" and 2 of the emoji's 4 bytes */
	CHECK_STR(w, "ab");
	view_status_word(&si, w, 7);	/* the whole emoji fits */
	CHECK_STR(w, "ab\xf0\x9f\x98\x80");
	si = status_of("\xc5\x91\xc5\x91");
	view_status_word(&si, w, 4);
	CHECK_STR(w, "\xc5\x91");
}

/* Unknown statuses in two spellings count as one (one chip, one filter). */
static void
test_unknown_status_counted_once_in_any_case(void)
{
	struct batch		 b;
	struct batch_view	 v;
	char			 err[256];
	size_t			 i, paused = 0;

	CHECK(batch_parse(FILTER_BODY, strlen(FILTER_BODY),
	    BATCH_MAX_DEVICES_DEFAULT, &b, err, sizeof(err)) == 0);
	CHECK(view_batch_build(&v, &b, C, T, 0) == 0);
	for (i = 0; i < v.ncounts; i++)
		if (strcasecmp(v.counts[i].si.key, "paused") == 0)
			paused += v.counts[i].n == 2 ? 1 : 10;
	CHECK(paused == 1);
	view_batch_free(&v);
	batch_free(&b);
}

/* ?code=: a documented error by its code whatever name it came with; one nobody documented by its code or its name. */
static void
test_filter_by_code(void)
{
	struct view_filter f = { "", "808", "" };

	CHECK_STR(shown(&f), "23");
	f.code = "ZtdDeviceAssignedToOtherTenant";
	CHECK_STR(shown(&f), "23");
	f.code = "999";
	CHECK_STR(shown(&f), "4");
	f.code = "newthing";
	CHECK_STR(shown(&f), "4");
	f.code = "802";
	CHECK_STR(shown(&f), "");
	f.status = "finished";
	f.code = "808";
	CHECK_STR(shown(&f), "");
}

/* The search reads the serial number, product key, error code and device ID, in any case. */
static void
test_search_over_four_fields(void)
{
	struct view_filter f = { "", "", "sn-t" };

	CHECK_STR(shown(&f), "23");
	f.search = "pk-bbbb";
	CHECK_STR(shown(&f), "2");
	f.search = "999";
	CHECK_STR(shown(&f), "4");
	f.search = "AAAAAAAA-1111";
	CHECK_STR(shown(&f), "1");
	f.search = "NewThing";	/* the description is not searched: the code is */
	CHECK_STR(shown(&f), "");
	f.search = "SN-";
	f.status = "failed";
	CHECK_STR(shown(&f), "234");
}

int
main(void)
{
	if (tpages_catalogs() == -1)
		return 1;
	T_RUN(test_known_statuses_in_any_case);
	T_RUN(test_a_cut_status_word_stays_utf8);
	T_RUN(test_unknown_status_kept_as_it_came);
	T_RUN(test_durations_in_the_readers_units);
	T_RUN(test_ago_in_one_rounded_unit);
	T_RUN(test_times_human_and_iso);
	T_RUN(test_build_counts_failures_and_errors);
	T_RUN(test_unknown_statuses_are_bounded);
	T_RUN(test_refresh_backs_off);
	T_RUN(test_outcome_from_the_devices);
	T_RUN(test_806_counts_as_registered);
	T_RUN(test_failures_grouped_by_kind);
	T_RUN(test_filter_by_status_in_any_case);
	T_RUN(test_filter_none_is_its_own);
	T_RUN(test_unknown_status_counted_once_in_any_case);
	T_RUN(test_filter_by_code);
	T_RUN(test_search_over_four_fields);
	i18n_free();
	return t_done("test_view");
}
