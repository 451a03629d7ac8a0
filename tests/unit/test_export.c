/* test_export.c: the JSON (normalised, valid) and the CSV (RFC 4180, formula-safe). */
#include <json-c/json.h>
#include <string.h>

#include "batch.h"
#include "export.h"
#include "t.h"

static const char BODY[] = "{\"status\":\"Finished\",\"startedTime\":"
    "\"2017-07-25T10:00:00\",\"completedTime\":\"2017-07-25T10:10:00\","
    "\"devicesStatus\":[{\"serialNumber\":\"1234567890\",\"productKey\":"
    "\"12345-67890-09876-54321-13579\",\"status\":\"finished_with_errors\","
    "\"errorCode\":\"808\",\"errorDescription\":"
    "\"ZtdDeviceAssignedToOtherTenant\"},"
    "{\"serialNumber\":\"a,b\\\"c\\r\\nd\",\"productKey\":\"=HYPERLINK(1)\","
    "\"status\":\"<b>x</b>\",\"errorCode\":\"-1\",\"errorDescription\":\"@x\","
    "\"deviceId\":\"\xe8\xa8\xad\xe5\x82\x99\"}]}";

int
main(void)
{
	struct batch		 b;
	struct batch_view	 v;
	struct request		 req;
	struct buf		 out;
	json_object		*j, *d, *x;
	char			 err[64];

	memset(&req, 0, sizeof(req));
	strcpy(req.customer, "47021739-3426-40bf-9601-61b4b6d7c793");
	strcpy(req.tracking, "0127ed8e-ff72-4983-a3d8-e8d8bd378932");
	CHECK(batch_parse(BODY, strlen(BODY), BATCH_MAX_DEVICES_DEFAULT,
	    &b, err, sizeof(err)) == 0);
	CHECK(view_batch_build(&v, &b, &req, 0) == 0);

	buf_init(&out);
	CHECK(export_json(&v, &out) == 0);
	j = json_tokener_parse(out.data);
	CHECK(j != NULL);
	CHECK(json_object_object_get_ex(j, "status", &x) &&
	    strcmp(json_object_get_string(x), "finished") == 0);
	CHECK(json_object_object_get_ex(j, "batchTrackingId", &x) &&
	    strcmp(json_object_get_string(x), req.tracking) == 0);
	CHECK(json_object_object_get_ex(j, "startedTime", &x) &&
	    strcmp(json_object_get_string(x), "2017-07-25T10:00:00Z") == 0);
	CHECK(json_object_object_get_ex(j, "durationSeconds", &x) &&
	    json_object_get_int(x) == 600);
	CHECK(json_object_object_get_ex(j, "devices", &x) &&
	    json_object_array_length(x) == 2);
	d = json_object_array_get_idx(x, 0);
	CHECK(json_object_object_get_ex(d, "explanation", &x) &&
	    strstr(json_object_get_string(x), "another tenant") != NULL);
	CHECK(json_object_object_get_ex(d, "deviceId", &x) && x == NULL);
	json_object_object_get_ex(j, "devices", &x);
	d = json_object_array_get_idx(x, 1);
	CHECK(json_object_object_get_ex(d, "serialNumber", &x) &&
	    strcmp(json_object_get_string(x), "a,b\"c\r\nd") == 0);
	CHECK(json_object_object_get_ex(d, "status", &x) &&
	    strcmp(json_object_get_string(x), "<b>x</b>") == 0);
	CHECK(json_object_object_get_ex(d, "explanation", &x) && x == NULL);
	/* Fresh: stale is false; asOf is when Partner Center gave the data (unknown here). */
	CHECK(json_object_object_get_ex(j, "stale", &x) &&
	    json_object_is_type(x, json_type_boolean) && !json_object_get_boolean(x));
	CHECK(json_object_object_get_ex(j, "asOf", &x) && x == NULL);
	CHECK(!json_object_object_get_ex(j, "retryAfter", &x));
	json_object_put(j);

	/* A held answer standing in for a 429: asOf, the reason, and the next try. */
	b.fetched_at = 1500000000;
	v.stale = BS_ERR_THROTTLED;
	v.retry_after = 42;
	buf_reset(&out);
	CHECK(export_json(&v, &out) == 0);
	j = json_tokener_parse(out.data);
	CHECK(j != NULL);
	CHECK(json_object_object_get_ex(j, "asOf", &x) &&
	    strcmp(json_object_get_string(x), "2017-07-14T02:40:00Z") == 0);
	CHECK(json_object_object_get_ex(j, "stale", &x) &&
	    strcmp(json_object_get_string(x), "throttled") == 0);
	CHECK(json_object_object_get_ex(j, "retryAfter", &x) &&
	    json_object_get_int(x) == 42);
	json_object_put(j);
	v.stale = BS_ERR_TIMEOUT;
	buf_reset(&out);
	CHECK(export_json(&v, &out) == 0);
	CHECK_CONTAINS(out.data, "\"stale\":\"timeout\"");
	v.stale = BS_ERR_UNREACHABLE;
	buf_reset(&out);
	CHECK(export_json(&v, &out) == 0);
	CHECK_CONTAINS(out.data, "\"stale\":\"unavailable\"");
	v.stale = BS_OK;
	b.fetched_at = 0;

	buf_reset(&out);
	CHECK(export_csv(&v, &out) == 0);
	CHECK(strncmp(out.data, "serialNumber,productKey,status,errorCode,"
	    "errorDescription,explanation,deviceId\r\n", 69) == 0);
	CHECK_CONTAINS(out.data, "\r\n1234567890,12345-67890-09876-54321-13579,"
	    "finished_with_errors,808,ZtdDeviceAssignedToOtherTenant,The device");
	/* Quoted with doubled quotes; formulas defused with an apostrophe. */
	CHECK_CONTAINS(out.data, "\r\n\"a,b\"\"c\r\nd\",'=HYPERLINK(1),<b>x</b>,"
	    "'-1,'@x,,\xe8\xa8\xad\xe5\x82\x99\r\n");
	CHECK(out.len > 2 && strcmp(out.data + out.len - 2, "\r\n") == 0);
	buf_free(&out);
	view_batch_free(&v);
	batch_free(&b);
	return t_done("test_export");
}
