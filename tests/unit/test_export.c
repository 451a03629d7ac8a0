/* test_export.c: the JSON (normalised, valid) and the CSV (RFC 4180, formula-safe), in the reader's language; JSON error bodies. */
#include <json-c/json.h>
#include <string.h>

#include "batch.h"
#include "export.h"
#include "t.h"
#include "tpages.h"

#define C "47021739-3426-40bf-9601-61b4b6d7c793"
#define T "0127ed8e-ff72-4983-a3d8-e8d8bd378932"

static const char BODY[] = "{\"status\":\"Finished\",\"startedTime\":"
    "\"2017-07-25T10:00:00\",\"completedTime\":\"2017-07-25T10:10:00\","
    "\"devicesStatus\":[{\"serialNumber\":\"1234567890\",\"productKey\":"
    "\"12345-67890-09876-54321-13579\",\"status\":\"finished_with_errors\","
    "\"errorCode\":\"808\",\"errorDescription\":"
    "\"ZtdDeviceAssignedToOtherTenant\"},"
    "{\"serialNumber\":\"a,b\\\"c\\r\\nd\",\"productKey\":\"=HYPERLINK(1)\","
    "\"status\":\"<b>x</b>\",\"errorCode\":\"-1\",\"errorDescription\":\"@x\","
    "\"deviceId\":\"\xe8\xa8\xad\xe5\x82\x99\"}]}";

/* The seed batch, parsed and viewed. */
struct fixture {
	struct batch		 b;
	struct batch_view	 v;
	struct buf		 out;
};

static void
setup(struct fixture *f)
{
	char err[64];

	CHECK(batch_parse(BODY, strlen(BODY), BATCH_MAX_DEVICES_DEFAULT,
	    &f->b, err, sizeof(err)) == 0);
	CHECK(view_batch_build(&f->v, &f->b, C, T, 0) == 0);
	buf_init(&f->out);
}

static void
teardown(struct fixture *f)
{
	buf_free(&f->out);
	view_batch_free(&f->v);
	batch_free(&f->b);
}

/* Field x of the JSON's device i (i < 0: of the batch). */
static json_object *
field(json_object *j, int i, const char *name)
{
	json_object *x = NULL;

	if (i >= 0) {
		if (!json_object_object_get_ex(j, "devices", &x))
			return NULL;
		j = json_object_array_get_idx(x, (size_t)i);
	}
	return json_object_object_get_ex(j, name, &x) ? x : NULL;
}

static const char *
field_str(json_object *j, int i, const char *name)
{
	json_object *x = field(j, i, name);

	return x != NULL ? json_object_get_string(x) : NULL;
}

static void
test_json_fields_normalised(void)
{
	struct fixture	 f;
	json_object	*j, *x;

	setup(&f);
	CHECK(export_json(&f.v, NULL, LOC_EN_US, &f.out) == 0);
	CHECK((j = json_tokener_parse(f.out.data)) != NULL);
	CHECK_STR(field_str(j, -1, "status"), "finished");
	CHECK_STR(field_str(j, -1, "statusLabel"), "Finished");
	CHECK_STR(field_str(j, -1, "batchTrackingId"), T);
	CHECK_STR(field_str(j, -1, "startedTime"), "2017-07-25T10:00:00Z");
	CHECK((x = field(j, -1, "durationSeconds")) != NULL &&
	    json_object_get_int(x) == 600);
	CHECK((x = field(j, -1, "devices")) != NULL &&
	    json_object_array_length(x) == 2);
	CHECK(json_object_object_get_ex(json_object_array_get_idx(x, 0),
	    "deviceId", &x) && x == NULL);
	CHECK_STR(field_str(j, 1, "serialNumber"), "a,b\"c\r\nd");
	CHECK_STR(field_str(j, 1, "status"), "<b>x</b>");
	/* Both devices failed (808, and -1 unknown): Partner Center's "finished" is not the outcome. */
	CHECK_STR(field_str(j, -1, "outcome"), "all_failed");
	CHECK((x = field(j, -1, "registeredCount")) != NULL &&
	    json_object_get_int(x) == 0);
	CHECK((x = field(j, -1, "failedCount")) != NULL &&
	    json_object_get_int(x) == 2);
	json_object_put(j);
	teardown(&f);
}

/* A known error is explained from the catalog; an unknown one is null, not a guess. */
static void
test_json_explains_known_errors_only(void)
{
	struct fixture	 f;
	json_object	*j;

	setup(&f);
	CHECK(export_json(&f.v, NULL, LOC_EN_US, &f.out) == 0);
	CHECK((j = json_tokener_parse(f.out.data)) != NULL);
	CHECK_CONTAINS(field_str(j, 0, "explanation"), "another tenant");
	CHECK(field(j, 1, "explanation") == NULL);
	json_object_put(j);
	teardown(&f);
}

/* ?lang=ja-JP: the labels and explanations are Japanese, the fields and codes are not. */
static void
test_exports_speak_the_readers_language(void)
{
	struct fixture	 f;
	json_object	*j;

	setup(&f);
	CHECK(export_json(&f.v, NULL, LOC_JA_JP, &f.out) == 0);
	CHECK((j = json_tokener_parse(f.out.data)) != NULL);
	CHECK_STR(field_str(j, -1, "statusLabel"), i18n_text(LOC_JA_JP,
	    "status.finished"));
	CHECK_STR(field_str(j, 0, "explanation"), i18n_text(LOC_JA_JP,
	    "err.808"));
	CHECK(strcmp(field_str(j, 0, "explanation"), i18n_text(LOC_EN_US,
	    "err.808")) != 0);
	CHECK_STR(field_str(j, 0, "status"), "finished_with_errors");
	json_object_put(j);
	buf_reset(&f.out);
	CHECK(export_csv(&f.v, NULL, LOC_JA_JP, &f.out) == 0);
	CHECK_CONTAINS(f.out.data, i18n_text(LOC_JA_JP, "err.808"));
	CHECK_LACKS(f.out.data, "another tenant");
	teardown(&f);
}

/* Fresh: stale is false; asOf is when Partner Center gave the data (unknown here). */
static void
test_json_fresh_answer(void)
{
	struct fixture	 f;
	json_object	*j, *x;

	setup(&f);
	CHECK(export_json(&f.v, NULL, LOC_EN_US, &f.out) == 0);
	CHECK((j = json_tokener_parse(f.out.data)) != NULL);
	CHECK((x = field(j, -1, "stale")) != NULL &&
	    json_object_is_type(x, json_type_boolean) &&
	    !json_object_get_boolean(x));
	CHECK(json_object_object_get_ex(j, "asOf", &x) && x == NULL);
	CHECK(!json_object_object_get_ex(j, "retryAfter", &x));
	json_object_put(j);
	teardown(&f);
}

/* A held answer standing in for a failed call: asOf, the reason, and the next try. */
static void
test_json_stale_answer(void)
{
	struct fixture	 f;
	json_object	*j, *x;

	setup(&f);
	f.b.fetched_at = 1500000000;
	f.v.stale = BS_ERR_THROTTLED;
	f.v.retry_after = 42;
	CHECK(export_json(&f.v, NULL, LOC_EN_US, &f.out) == 0);
	CHECK((j = json_tokener_parse(f.out.data)) != NULL);
	CHECK_STR(field_str(j, -1, "asOf"), "2017-07-14T02:40:00Z");
	CHECK_STR(field_str(j, -1, "stale"), "throttled");
	CHECK((x = field(j, -1, "retryAfter")) != NULL &&
	    json_object_get_int(x) == 42);
	json_object_put(j);
	f.v.stale = BS_ERR_TIMEOUT;
	buf_reset(&f.out);
	CHECK(export_json(&f.v, NULL, LOC_EN_US, &f.out) == 0);
	CHECK_CONTAINS(f.out.data, "\"stale\":\"timeout\"");
	f.v.stale = BS_ERR_UNREACHABLE;
	buf_reset(&f.out);
	CHECK(export_json(&f.v, NULL, LOC_EN_US, &f.out) == 0);
	CHECK_CONTAINS(f.out.data, "\"stale\":\"unavailable\"");
	teardown(&f);
}

static void
test_csv_rows_and_header(void)
{
	struct fixture f;

	setup(&f);
	CHECK(export_csv(&f.v, NULL, LOC_EN_US, &f.out) == 0);
	/* A byte-order mark first: Excel reads the file as UTF-8 then. */
	CHECK(strncmp(f.out.data, "\xef\xbb\xbf" "serialNumber,productKey,status,"
	    "errorCode,errorDescription,explanation,deviceId,batchTrackingId,"
	    "batchStatus\r\n", 3 + 108) == 0);
	CHECK_CONTAINS(f.out.data, "\r\n1234567890,12345-67890-09876-54321-13579,"
	    "finished_with_errors,808,ZtdDeviceAssignedToOtherTenant,The device");
	/* Every row says which batch it is of, and what Partner Center says of that batch. */
	CHECK_CONTAINS(f.out.data, ",," T ",finished\r\n");
	CHECK(f.out.len > 2 && strcmp(f.out.data + f.out.len - 2, "\r\n") == 0);
	teardown(&f);
}

/* Quoted with doubled quotes; formulas defused with an apostrophe. */
static void
test_csv_quotes_and_defuses_formulas(void)
{
	struct fixture f;

	setup(&f);
	CHECK(export_csv(&f.v, NULL, LOC_EN_US, &f.out) == 0);
	CHECK_CONTAINS(f.out.data, "\r\n\"a,b\"\"c\r\nd\",'=HYPERLINK(1),<b>x</b>,"
	    "'-1,'@x,,\xe8\xa8\xad\xe5\x82\x99," T ",finished\r\n");
	teardown(&f);
}

/* A batch with a device that has nothing but its status, another with no status either. */
static const char SPARSE[] = "{\"devicesStatus\":[{\"status\":\"finished\"},"
    "{\"serialNumber\":\"S2\",\"errorCode\":\"808\"}]}";

/* A value Partner Center did not give is null, never "": the batch's, each device's, the filter's. */
static void
test_json_null_for_every_missing_value(void)
{
	static const char *const fields[] = { "deviceId", "serialNumber",
	    "productKey", "errorCode", "errorDescription", "explanation" };
	struct batch		 b;
	struct batch_view	 v;
	struct buf		 out;
	json_object		*j, *x;
	char			 err[64];
	size_t			 i;

	buf_init(&out);
	CHECK(batch_parse(SPARSE, strlen(SPARSE), BATCH_MAX_DEVICES_DEFAULT, &b,
	    err, sizeof(err)) == 0);
	CHECK(view_batch_build(&v, &b, C, T, 0) == 0);
	CHECK(export_json(&v, NULL, LOC_EN_US, &out) == 0);
	CHECK_LACKS(out.data, "\"\"");
	CHECK((j = json_tokener_parse(out.data)) != NULL);
	CHECK(json_object_object_get_ex(j, "status", &x) && x == NULL);
	CHECK(json_object_object_get_ex(j, "statusLabel", &x) && x == NULL);
	CHECK(json_object_object_get_ex(j, "startedTime", &x) && x == NULL);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		CHECK(field(j, 0, fields[i]) == NULL &&
		    json_object_object_get_ex(json_object_array_get_idx(
		    field(j, -1, "devices"), 0), fields[i], &x));
	CHECK(json_object_object_get_ex(json_object_array_get_idx(
	    field(j, -1, "devices"), 1), "status", &x) && x == NULL);
	/* Devices without a status are counted under the word ?status= names them by. */
	CHECK((x = field(j, -1, "deviceCounts")) != NULL &&
	    json_object_object_get_ex(x, "none", &x) &&
	    json_object_get_int(x) == 1);
	CHECK((x = field(j, -1, "filter")) != NULL &&
	    json_object_object_get_ex(x, "status", &x) && x == NULL);
	json_object_put(j);
	view_batch_free(&v);
	batch_free(&b);
	buf_free(&out);
}

/* ?status=failed and ?code=: the devices of the filter, the counts still the batch's, the filter said. */
static void
test_exports_filtered(void)
{
	struct fixture		 f;
	struct view_filter	 failed = { "failed", "", "" };
	struct view_filter	 code = { "", "808", "" };
	struct view_filter	 none = { "finished", "", "" };
	json_object		*j, *x;

	setup(&f);
	CHECK(export_json(&f.v, &code, LOC_EN_US, &f.out) == 0);
	CHECK((j = json_tokener_parse(f.out.data)) != NULL);
	CHECK((x = field(j, -1, "devices")) != NULL &&
	    json_object_array_length(x) == 1);
	CHECK_STR(field_str(j, 0, "errorCode"), "808");
	CHECK((x = field(j, -1, "deviceCount")) != NULL &&
	    json_object_get_int(x) == 2);
	CHECK((x = field(j, -1, "filter")) != NULL &&
	    json_object_object_get_ex(x, "code", &x) &&
	    strcmp(json_object_get_string(x), "808") == 0);
	json_object_put(j);
	buf_reset(&f.out);
	CHECK(export_csv(&f.v, &failed, LOC_EN_US, &f.out) == 0);
	CHECK_CONTAINS(f.out.data, "\r\n1234567890,");
	CHECK_CONTAINS(f.out.data, "HYPERLINK");
	buf_reset(&f.out);
	CHECK(export_csv(&f.v, &code, LOC_EN_US, &f.out) == 0);
	CHECK_CONTAINS(f.out.data, "\r\n1234567890,");
	CHECK_LACKS(f.out.data, "HYPERLINK");
	buf_reset(&f.out);
	/* Nothing matches: the header alone, still a CSV. */
	CHECK(export_csv(&f.v, &none, LOC_EN_US, &f.out) == 0);
	CHECK(f.out.len == 3 + 108);
	teardown(&f);
}

/* batch-<customer>-<tracking>-<date>[-<status>][-<code>]<suffix>, the date of the data in UTC. */
static void
test_filename_names_batch_date_and_filter(void)
{
	struct fixture		 f;
	struct view_filter	 both = { "failed", "808", "" };
	struct view_filter	 odd = { "in progress", "", "" };
	char			 name[192];

	setup(&f);
	f.b.fetched_at = 1500000000;	/* 2017-07-14 02:40 UTC */
	export_filename(name, sizeof(name), &f.v, NULL, ".csv");
	CHECK_STR(name, "batch-" C "-" T "-20170714.csv");
	export_filename(name, sizeof(name), &f.v, &both, ".csv");
	CHECK_STR(name, "batch-" C "-" T "-20170714-failed-808.csv");
	export_filename(name, sizeof(name), &f.v, &odd, ".json");
	CHECK_STR(name, "batch-" C "-" T "-20170714-in_progress.json");
	/* Not yet fetched (a test, a made batch): today's date. */
	f.b.fetched_at = 0;
	f.v.now = 86400 * 365;
	export_filename(name, sizeof(name), &f.v, NULL, ".csv");
	CHECK_STR(name, "batch-" C "-" T "-19710101.csv");
	/* Too small: cut, never overrun, always terminated. */
	export_filename(name, 20, &f.v, &both, ".csv");
	CHECK(strlen(name) < 20);
	teardown(&f);
}

static void
test_error_json(void)
{
	struct buf	 out;
	json_object	*j, *x;

	buf_init(&out);
	CHECK(export_error_json(&out, BS_ERR_THROTTLED, T, 30, NULL) == 0);
	CHECK_STR(out.data, "{\"error\":\"throttled\",\"status\":503,"
	    "\"correlationId\":\"" T "\",\"asOf\":null,\"stale\":false,"
	    "\"retryAfter\":30}\n");
	buf_reset(&out);
	/* Whatever detail says is quoted as JSON text. */
	CHECK(export_error_json(&out, BS_ERR_SIGNIN, T, -1, "a\"b") == 0);
	CHECK((j = json_tokener_parse(out.data)) != NULL);
	CHECK(json_object_object_get_ex(j, "detail", &x) &&
	    strcmp(json_object_get_string(x), "a\"b") == 0);
	CHECK(!json_object_object_get_ex(j, "retryAfter", &x));
	json_object_put(j);
	buf_free(&out);
}

int
main(void)
{
	if (tpages_catalogs() == -1)
		return 1;
	T_RUN(test_json_fields_normalised);
	T_RUN(test_json_explains_known_errors_only);
	T_RUN(test_exports_speak_the_readers_language);
	T_RUN(test_json_fresh_answer);
	T_RUN(test_json_stale_answer);
	T_RUN(test_csv_rows_and_header);
	T_RUN(test_csv_quotes_and_defuses_formulas);
	T_RUN(test_json_null_for_every_missing_value);
	T_RUN(test_exports_filtered);
	T_RUN(test_filename_names_batch_date_and_filter);
	T_RUN(test_error_json);
	i18n_free();
	return t_done("test_export");
}
