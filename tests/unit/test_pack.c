/* test_pack.c: a batch survives the compact form whole; anything cut, grown or bent is refused. */
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "pack.h"
#include "t.h"

static const char BODY[] = "{\"batchTrackingId\":\"0127ed8e\",\"status\":\"Finished\","
    "\"startedTime\":\"2017-07-25T10:00:00\",\"completedTime\":\"soon\","
    "\"devicesStatus\":[{\"serialNumber\":\"SN-1\",\"productKey\":\"PK\","
    "\"status\":\"finished_with_errors\",\"errorCode\":808,"
    "\"errorDescription\":\"\\u65e5\\u672c\",\"deviceId\":\"d1\"},{},7]}";

static void
test_round_trip_keeps_everything(void)
{
	struct batch	 a, b;
	struct buf	 out;
	char		 err[128];

	CHECK(batch_parse(BODY, strlen(BODY), 100, &a, err, sizeof(err)) == 0);
	a.fetched_at = 1700000000;
	buf_init(&out);
	CHECK(pack_batch(&a, &out) == 0);
	CHECK(unpack_batch(out.data, out.len, 100, &b) == 0);
	CHECK_STR(b.tracking_id, "0127ed8e");
	CHECK_STR(b.status, "Finished");
	CHECK(b.has_started && b.started == a.started && !b.has_completed);
	CHECK_STR(b.completed_raw, "soon");
	CHECK(b.fetched_at == 1700000000 && b.nskipped == 1 && b.ndevices == 2);
	CHECK_STR(b.devices[0].error_code, "808");
	CHECK_STR(b.devices[0].error_description, "\xe6\x97\xa5\xe6\x9c\xac");
	CHECK_STR(b.devices[0].device_id, "d1");
	CHECK_STR(b.devices[1].serial_number, "");
	/* Counted for the cache like a parsed one: about the same size. */
	CHECK(b.bytes > 0 && b.bytes < a.bytes + 256);
	/* A limit on devices holds here too. */
	batch_free(&b);
	CHECK(unpack_batch(out.data, out.len, 1, &b) == -1);
	buf_free(&out);
	batch_free(&a);
}

static void
test_bent_input_is_refused(void)
{
	struct batch	 a, b;
	struct buf	 out;
	char		 err[128], *c;
	size_t		 i;

	CHECK(batch_parse(BODY, strlen(BODY), 100, &a, err, sizeof(err)) == 0);
	buf_init(&out);
	CHECK(pack_batch(&a, &out) == 0);
	/* Cut anywhere, or one byte more: refused. */
	for (i = 0; i < out.len; i++)
		CHECK(unpack_batch(out.data, i, 100, &b) == -1);
	c = malloc(out.len + 1);
	memcpy(c, out.data, out.len);
	c[out.len] = 'x';
	CHECK(unpack_batch(c, out.len + 1, 100, &b) == -1);
	/* A NUL or broken UTF-8 in a string, a huge count, another magic. */
	memcpy(c, out.data, out.len);
	i = (size_t)((char *)memmem(c, out.len, "SN-1", 4) - c);
	c[i + 1] = '\0';
	CHECK(unpack_batch(c, out.len, 100, &b) == -1);
	c[i + 1] = (char)0xff;
	CHECK(unpack_batch(c, out.len, 100, &b) == -1);
	memcpy(c, out.data, out.len);
	c[4] = (char)0xff;
	c[5] = (char)0xff;
	CHECK(unpack_batch(c, out.len, 1u << 30, &b) == -1);
	memcpy(c, out.data, out.len);
	c[0] = 'X';
	CHECK(unpack_batch(c, out.len, 100, &b) == -1);
	free(c);
	buf_free(&out);
	batch_free(&a);
}

/* The shared entry: the answer's hash rides in front of the batch. */
static void
test_an_entry_keeps_its_hash(void)
{
	struct batch	 a, b;
	struct buf	 out;
	uint64_t	 hash = 0;
	char		 err[128];

	CHECK(batch_parse(BODY, strlen(BODY), 100, &a, err, sizeof(err)) == 0);
	buf_init(&out);
	CHECK(pack_entry(&a, 0x0123456789abcdefULL, &out) == 0);
	CHECK(unpack_entry(out.data, out.len, 100, &b, &hash) == 0);
	CHECK(hash == 0x0123456789abcdefULL && b.ndevices == 2);
	CHECK_STR(b.tracking_id, "0127ed8e");
	batch_free(&b);
	CHECK(unpack_entry(out.data, 7, 100, &b, &hash) == -1);
	CHECK(unpack_entry(out.data, out.len - 1, 100, &b, &hash) == -1);
	buf_free(&out);
	batch_free(&a);
}

int
main(void)
{
	T_RUN(test_round_trip_keeps_everything);
	T_RUN(test_an_entry_keeps_its_hash);
	T_RUN(test_bent_input_is_refused);
	return t_done("test_pack");
}
