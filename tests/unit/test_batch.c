/* test_batch.c: BatchUploadDetails parsing: the docs' example, odd shapes that must work, wrong shapes that must not. */
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "t.h"

static const char SEED[] =
    "{\n"
    "    \"batchTrackingId\": \"0127ed8e-ff72-4983-a3d8-e8d8bd378932\",\n"
    "    \"status\": \"finished\",\n"
    "    \"startedTime\": \"2017-07-25T10:00:00\",\n"
    "    \"completedTime\": \"2017-07-25T10:10:00\",\n"
    "    \"devicesStatus\": [{\n"
    "            \"serialNumber\": \"1234567890\",\n"
    "            \"productKey\": \"12345-67890-09876-54321-13579\",\n"
    "            \"status\": \"finished_with_errors\",\n"
    "            \"errorCode\": \"808\",\n"
    "            \"errorDescription\": \"ZtdDeviceAssignedToOtherTenant\",\n"
    "            \"attributes\": {\n"
    "                \"objectType\": \"DeviceUploadDetails\"\n"
    "            }\n"
    "        }\n"
    "    ],\n"
    "    \"attributes\": {\n"
    "        \"objectType\": \"BatchUploadDetails\"\n"
    "    }\n"
    "}";

static struct batch b;
static char err[128];

static int
parse(const char *s)
{
	batch_free(&b);
	err[0] = '\0';
	return batch_parse(s, strlen(s), &b, err, sizeof(err));
}

static int64_t
when(const char *s)
{
	int64_t t;

	return batch_parse_time(s, &t) == 0 ? t : -1;
}

int
main(void)
{
	char	*deep, *bom;
	size_t	 i;

	CHECK(parse(SEED) == 0);
	CHECK_STR(b.tracking_id, "0127ed8e-ff72-4983-a3d8-e8d8bd378932");
	CHECK_STR(b.status, "finished");
	CHECK(b.has_started && b.started == 1500976800);
	CHECK(b.has_completed && b.completed == 1500977400);
	CHECK(b.ndevices == 1 && b.nskipped == 0);
	CHECK_STR(b.devices[0].serial_number, "1234567890");
	CHECK_STR(b.devices[0].product_key, "12345-67890-09876-54321-13579");
	CHECK_STR(b.devices[0].status, "finished_with_errors");
	CHECK_STR(b.devices[0].error_code, "808");
	CHECK_STR(b.devices[0].error_description,
	    "ZtdDeviceAssignedToOtherTenant");
	CHECK_STR(b.devices[0].device_id, "");

	/* A UTF-8 BOM first, as some Partner Center answers have. */
	bom = malloc(sizeof(SEED) + 3);
	memcpy(bom, "\xef\xbb\xbf", 3);
	memcpy(bom + 3, SEED, sizeof(SEED));
	CHECK(parse(bom) == 0 && b.ndevices == 1);
	free(bom);

	/* Missing, null, unknown, numbers for strings, entries that are not devices. */
	CHECK(parse("{\"status\":\"queued\"}") == 0 && b.ndevices == 0 &&
	    !b.has_started);
	CHECK(parse("{\"batchTrackingId\":\"x\"}") == 0);
	CHECK_STR(b.status, "");
	CHECK(parse("{\"status\":null,\"startedTime\":null,\"devicesStatus\":null,"
	    "\"completedTime\":null,\"batchTrackingId\":null}") == 0);
	CHECK(parse("{\"status\":\"Finished_With_Errors\",\"future\":{\"a\":[1,"
	    "{\"b\":null}]},\"devicesStatus\":[{\"errorCode\":808,"
	    "\"serialNumber\":null,\"extra\":[1,2]},{},\"text\",7,null,"
	    "{\"status\":\"PAUSED\",\"errorCode\":true}]}") == 0);
	CHECK_STR(b.status, "Finished_With_Errors");
	CHECK(b.ndevices == 3 && b.nskipped == 3);
	CHECK_STR(b.devices[0].error_code, "808");
	CHECK_STR(b.devices[0].serial_number, "");
	CHECK_STR(b.devices[2].status, "PAUSED");
	CHECK_STR(b.devices[2].error_code, "true");
	/* "\u0000" must not cut a string short. */
	CHECK(parse("{\"devicesStatus\":[{\"serialNumber\":\"a\\u0000b\"}]}") == 0);
	CHECK_STR(b.devices[0].serial_number, "a\xef\xbf\xbd" "b");
	/* Times with zones and fractions; an unreadable time is kept as text. */
	CHECK(parse("{\"status\":\"x\",\"startedTime\":\"2024-03-01T08:00:00.1234567Z\","
	    "\"completedTime\":\"yesterday\"}") == 0);
	CHECK(b.has_started && b.started == 1709280000);
	CHECK(!b.has_completed);
	CHECK_STR(b.completed_raw, "yesterday");

	/* Wrong shapes are errors, with a reason and no crash. */
	CHECK(parse("") == -1);
	CHECK(parse("\xef\xbb\xbf") == -1);
	CHECK(parse("[1,2,3]") == -1);
	CHECK_CONTAINS(err, "shape");
	CHECK(parse("\"finished\"") == -1);
	CHECK(parse("42") == -1);
	CHECK(parse("null") == -1);
	CHECK(parse("{\"status\":42}") == -1);
	CHECK(parse("{\"status\":\"x\",\"devicesStatus\":\"nope\"}") == -1);
	CHECK(parse("{\"devicesStatus\":{}}") == -1);
	CHECK(parse("{\"startedTime\":12}") == -1);
	CHECK(parse("{\"devicesStatus\":[{\"serialNumber\":{}}]}") == -1);
	CHECK(parse("{\"devicesStatus\":[{\"status\":7}]}") == -1);
	CHECK(parse("{\"status\": \"fini") == -1);
	CHECK_CONTAINS(err, "not JSON");
	CHECK(parse("{\"a\":1} x") == -1);
	CHECK(parse("{\"a\":1}{}") == -1);
	CHECK(parse("{'a':1}") == -1 || b.ndevices == 0);
	CHECK(parse("<html><body>Sign in</body></html>") == -1);
	CHECK(parse("{\"serialNumber\":\"\xff\xfe\"}") == -1);
	CHECK_CONTAINS(err, "UTF-8");
	/* UTF-8 is checked whole: overlongs, surrogates, cut sequences, and
	 * bad bytes on either side of the eight-byte fast path. */
	CHECK(parse("{\"serialNumber\":\"\xc0\xaf\"}") == -1);
	CHECK(parse("{\"serialNumber\":\"\xed\xa0\x80\"}") == -1);
	CHECK(parse("{\"serialNumber\":\"\xf4\x90\x80\x80\"}") == -1);
	CHECK(parse("{\"serialNumber\":\"abc\xe6\x97\"}") == -1);
	CHECK(parse("{\"serialNumber\":\"abcdefgh\x80\"}") == -1);
	CHECK(parse("{\"a\":1}\xff") == -1);
	CHECK(parse("{\"devicesStatus\":[{\"serialNumber\":\"\xe6\x97\xa5"
	    "\xe6\x9c\xac \xc3\xa9 \xf0\x9f\x98\x80 abcdefghij\"}]}") == 0);
	CHECK(b.ndevices == 1);
	if (b.ndevices == 1)
		CHECK_STR(b.devices[0].serial_number, "\xe6\x97\xa5\xe6\x9c\xac "
		    "\xc3\xa9 \xf0\x9f\x98\x80 abcdefghij");
	CHECK(parse("{\"status\":1}\n  ") == -1);	/* status must be text */
	CHECK(parse("{\"status\":\"a\"}\n  ") == 0);
	/* Another resource is not a batch, however valid its JSON. */
	CHECK(parse("{}") == -1);
	CHECK_CONTAINS(err, "wrong shape");
	CHECK(parse("{\"totalCount\":1,\"items\":[],\"attributes\":"
	    "{\"objectType\":\"Collection\"}}") == -1);
	CHECK(parse("{\"status\":\"finished\",\"attributes\":"
	    "{\"objectType\":\"DeviceBatch\"}}") == -1);
	CHECK(parse("{\"status\":\"finished\",\"attributes\":"
	    "{\"objectType\":\"batchuploaddetails\"}}") == 0);
	deep = malloc(200003);
	deep[0] = '{';
	memcpy(deep + 1, "\"x\":", 4);
	for (i = 5; i < 100005; i++)
		deep[i] = '[';
	deep[i] = '\0';
	CHECK(parse(deep) == -1);
	free(deep);
	CHECK(b.ndevices == 0 && b.devices == NULL);

	/* Times. */
	CHECK(when("2017-07-25T10:00:00") == 1500976800);
	CHECK(when("2017-07-25T10:00:00Z") == 1500976800);
	CHECK(when("2017-07-25 10:00:00") == 1500976800);
	CHECK(when("2017-07-25T12:00:00+02:00") == 1500976800);
	CHECK(when("2017-07-25T05:30:00-0430") == 1500976800);
	CHECK(when("2000-02-29T00:00:00") == 951782400);
	CHECK(when("1970-01-01T00:00:00") == 0);
	CHECK(when("2001-02-29T00:00:00") == -1);
	CHECK(when("2017-13-01T00:00:00") == -1);
	CHECK(when("2017-07-25T24:00:00") == -1);
	CHECK(when("2017-07-25") == -1);
	CHECK(when("2017-07-25T10:00:00.") == -1);
	CHECK(when("2017-07-25T10:00:00Zjunk") == -1);
	CHECK(when("") == -1);
	batch_free(&b);
	return t_done("test_batch");
}
