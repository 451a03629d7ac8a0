/* test_batch.c: BatchUploadDetails parsing: the docs' example, odd shapes that must work, wrong shapes that must not, the device limit and the parser's memory. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "buf.h"
#include "clock.h"
#include "t.h"

/* Sanitizers and valgrind hold freed memory and shadow it: RSS bounds are looser there. */
#if defined(__SANITIZE_ADDRESS__)
#define T_INSTRUMENTED() 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define T_INSTRUMENTED() 1
#endif
#endif
#if !defined(T_INSTRUMENTED) && defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define T_INSTRUMENTED() RUNNING_ON_VALGRIND
#endif
#endif
#ifndef T_INSTRUMENTED
#define T_INSTRUMENTED() 0
#endif

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
	return batch_parse(s, strlen(s), BATCH_MAX_DEVICES_DEFAULT, &b, err,
	    sizeof(err));
}

static int
parse_n(const char *s, size_t n, size_t max)
{
	batch_free(&b);
	err[0] = '\0';
	return batch_parse(s, n, max, &b, err, sizeof(err));
}

static int
parse_max(const char *s, size_t max)
{
	return parse_n(s, strlen(s), max);
}

static int64_t
when(const char *s)
{
	int64_t t;

	return batch_parse_time(s, &t) == 0 ? t : -1;
}

static long
maxrss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* What one parse did in a child process: a fresh high-water mark of RSS for it alone. */
struct run {
	int	 rc;
	size_t	 ndevices, nskipped, bytes;
	long	 grew_kb, peak_kb;	/* peak RSS growth over the parse; the child's peak */
	double	 ms;
	char	 err[128];
};

static struct run
run_child(const char *body, size_t len, size_t max)
{
	struct run	 r;
	int		 fd[2], status;
	pid_t		 pid;

	memset(&r, 0, sizeof(r));
	r.rc = 99;
	fflush(NULL);
	if (pipe(fd) == -1 || (pid = fork()) == -1) {
		snprintf(r.err, sizeof(r.err), "no fork");
		return r;
	}
	if (pid == 0) {
		struct batch	 cb;
		long		 before;
		double		 t0;

		close(fd[0]);
		before = maxrss_kb();
		t0 = clock_ms_exact();
		r.rc = batch_parse(body, len, max, &cb, r.err, sizeof(r.err));
		r.ms = clock_ms_exact() - t0;
		r.peak_kb = maxrss_kb();
		r.grew_kb = r.peak_kb - before;
		r.ndevices = cb.ndevices;
		r.nskipped = cb.nskipped;
		r.bytes = cb.bytes;
		batch_free(&cb);
		if (write(fd[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	if (read(fd[0], &r, sizeof(r)) != (ssize_t)sizeof(r))
		snprintf(r.err, sizeof(r.err), "the child died");
	close(fd[0]);
	waitpid(pid, &status, 0);
	return r;
}

/* {"status":"finished","devicesStatus":[{},{},...]} of len bytes (n entries). */
static char *
empty_objects_body(size_t len, size_t *n)
{
	static const char head[] = "{\"status\":\"finished\",\"devicesStatus\":[";
	char	*s = malloc(len + 1), *p;
	size_t	 i, k = (len - (sizeof(head) - 1) - 3) / 3 + 1;

	memcpy(s, head, sizeof(head) - 1);
	p = s + sizeof(head) - 1;
	for (i = 0; i < k; i++) {
		memcpy(p, i ? ",{}" : "{}", i ? 3 : 2);
		p += i ? 3 : 2;
	}
	memcpy(p, "]}", 3);
	p += 2;
	*n = k;
	*s = '{';
	/* Pad with whitespace to exactly len bytes. */
	while ((size_t)(p - s) < len)
		*p++ = ' ';
	*p = '\0';
	return s;
}

/*
 * The body that took the whole-tree parser 2.4 GB: 4 MiB of empty
 * objects. The default limit stops it; without a limit it parses, and
 * either way the parse grows RSS by a small multiple of the devices
 * (1.4 million of them, 48 bytes each), never hundreds of times the body.
 */
static void
test_memory_empty_objects(void)
{
	size_t		 n, len = 4u << 20;
	long		 bound = T_INSTRUMENTED() ? 1024 * 1024 : 256 * 1024;
	char		*body = empty_objects_body(len, &n);
	struct run	 r;

	CHECK(strlen(body) == len && n > 1000000);
	r = run_child(body, len, BATCH_MAX_DEVICES_DEFAULT);
	printf("test_batch: 4 MiB of {} (%zu entries), default limit: rc %d, "
	    "%.1f ms, RSS +%ld KiB\n", n, r.rc, r.ms, r.grew_kb);
	CHECK(r.rc == BATCH_TOO_MANY);
	CHECK_CONTAINS(r.err, "100000");
	CHECK(r.grew_kb < bound);
	r = run_child(body, len, SIZE_MAX);
	printf("test_batch: 4 MiB of {} (%zu entries), no limit: rc %d, "
	    "%.1f ms, RSS +%ld KiB, %zu bytes held\n", n, r.rc, r.ms,
	    r.grew_kb, r.bytes);
	CHECK(r.rc == BATCH_OK && r.ndevices == n && r.nskipped == 0);
	CHECK(r.bytes >= n * sizeof(struct device));
	CHECK(r.grew_kb < bound);
	/* Nearly the same bytes as a top-level array: read, never built. */
	*strrchr(body, '}') = ' ';
	r = run_child(strchr(body, '['), strlen(strchr(body, '[')), SIZE_MAX);
	printf("test_batch: the same as a top-level array: rc %d, %.1f ms, "
	    "RSS +%ld KiB\n", r.rc, r.ms, r.grew_kb);
	CHECK(r.rc == BATCH_BAD);
	CHECK_CONTAINS(r.err, "wrong shape");
	CHECK(r.grew_kb < bound);
	free(body);
}

/* An unknown field as big as the body costs nothing kept, nor a tree of it. */
static void
test_memory_big_unknown_field(void)
{
	struct buf	 o;
	struct run	 r;
	size_t		 i;
	long		 bound = T_INSTRUMENTED() ? 1024 * 1024 : 64 * 1024;

	buf_init(&o);
	buf_puts(&o, "{\"status\":\"finished\",\"future\":[");
	for (i = 0; i < 1000000; i++)
		buf_puts(&o, i ? ",{}" : "{}");
	buf_puts(&o, "],\"devicesStatus\":[{\"serialNumber\":\"s\",\"more\":[");
	for (i = 0; i < 300000; i++)
		buf_puts(&o, i ? ",{\"a\":[1]}" : "{\"a\":[1]}");
	buf_puts(&o, "]}]}");
	CHECK(!o.failed);
	r = run_child(o.data, o.len, BATCH_MAX_DEVICES_DEFAULT);
	printf("test_batch: %zu bytes of unknown fields: rc %d, %.1f ms, "
	    "RSS +%ld KiB\n", o.len, r.rc, r.ms, r.grew_kb);
	CHECK(r.rc == BATCH_OK && r.ndevices == 1 && r.nskipped == 0);
	CHECK(r.grew_kb < bound);
	buf_free(&o);
}

/* A finished_with_errors batch of n devices, as Partner Center writes them (bench/render_bench.c's shape). */
static void
gen_batch(struct buf *o, size_t n)
{
	static const char *const errs[][2] = {
		{ "806", "ZtdDeviceAlreadyAssigned" },
		{ "808", "ZtdDeviceAssignedToOtherTenant" },
		{ "812", "ZtdDeviceNotFound" },
		{ "", "ZtdDeviceDuplicated" },
	};
	size_t i;

	buf_printf(o, "{\n    \"batchTrackingId\": \"dddd0001-0000-4000-8000-%012zu\",\n"
	    "    \"status\": \"finished_with_errors\",\n"
	    "    \"startedTime\": \"2024-03-01T08:00:00\",\n"
	    "    \"completedTime\": \"2024-03-01T09:12:34\",\n"
	    "    \"devicesStatus\": [", n);
	for (i = 0; i < n; i++) {
		const char *status = "finished", *code = "", *desc = "";

		if (i % 10 == 3) {
			status = "finished_with_errors";
			code = errs[(i / 10) % 4][0];
			desc = errs[(i / 10) % 4][1];
		}
		buf_printf(o, "%s\n        {\n"
		    "            \"deviceId\": \"5d1c7a8e-%04zx-4c55-9a55-%012zx\",\n"
		    "            \"serialNumber\": \"SN%010zu\",\n"
		    "            \"productKey\": \"PK%03zu-%05zu-%05zu-%05zu-%05zu\",\n"
		    "            \"status\": \"%s\",\n"
		    "            \"errorCode\": \"%s\",\n"
		    "            \"errorDescription\": \"%s\",\n"
		    "            \"attributes\": { \"objectType\": \"DeviceUploadDetails\" }\n"
		    "        }", i ? "," : "", i & 0xffff, i, 4000000000u + i,
		    i % 1000, (i * 7) % 100000, (i * 13) % 100000,
		    (i * 17) % 100000, i % 100000, status, code, desc);
	}
	buf_printf(o, "\n    ],\n    \"attributes\": { \"objectType\": \"BatchUploadDetails\" }\n}\n");
}

/* 100,000 real-looking devices, the default limit exactly: they parse, in well under 384 MiB. */
static void
test_realistic_batch(void)
{
	struct buf	 o;
	struct run	 r;
	long		 bound = T_INSTRUMENTED() ? 1024 * 1024 : 384 * 1024;
	double		 t0;

	buf_init(&o);
	gen_batch(&o, BATCH_MAX_DEVICES_DEFAULT);
	CHECK(!o.failed);
	r = run_child(o.data, o.len, BATCH_MAX_DEVICES_DEFAULT);
	printf("test_batch: %d realistic devices (%zu bytes): rc %d, %.1f ms, "
	    "RSS +%ld KiB (peak %ld KiB with the body), %zu bytes held\n",
	    BATCH_MAX_DEVICES_DEFAULT, o.len, r.rc, r.ms, r.grew_kb,
	    r.peak_kb, r.bytes);
	CHECK(r.rc == BATCH_OK && r.ndevices == BATCH_MAX_DEVICES_DEFAULT);
	CHECK(r.peak_kb < bound);
	/* And here, for the fields. */
	t0 = clock_ms_exact();
	CHECK(parse_n(o.data, o.len, BATCH_MAX_DEVICES_DEFAULT) == BATCH_OK);
	printf("test_batch: the same in this process: %.1f ms\n", clock_ms_exact() - t0);
	CHECK(b.ndevices == BATCH_MAX_DEVICES_DEFAULT && b.nskipped == 0);
	if (b.ndevices == BATCH_MAX_DEVICES_DEFAULT) {
		CHECK_STR(b.devices[99999].serial_number, "SN4000099999");
		CHECK_STR(b.devices[99963].error_code, "806");
		CHECK_STR(b.devices[13].error_description,
		    "ZtdDeviceAssignedToOtherTenant");
		CHECK_STR(b.devices[1].product_key, "PK001-00007-00013-00017-00001");
		CHECK_STR(b.devices[2].device_id,
		    "5d1c7a8e-0002-4c55-9a55-000000000002");
	}
	CHECK_STR(b.status, "finished_with_errors");
	CHECK(b.has_completed && b.completed == 1709284354);
	CHECK(b.bytes >= b.ndevices * sizeof(struct device));
	/* One more is too many. */
	o.len -= strlen("\n    ],\n    \"attributes\": { \"objectType\": "
	    "\"BatchUploadDetails\" }\n}\n");
	o.data[o.len] = '\0';
	buf_puts(&o, ",{}]}");
	CHECK(parse_n(o.data, o.len, BATCH_MAX_DEVICES_DEFAULT) ==
	    BATCH_TOO_MANY);
	CHECK(parse_n(o.data, o.len, BATCH_MAX_DEVICES_DEFAULT + 1) == BATCH_OK);
	CHECK(b.ndevices == BATCH_MAX_DEVICES_DEFAULT + 1);
	buf_free(&o);
	batch_free(&b);
}

/* max_devices counts entries, objects and not; exactly the limit is fine. */
/*
 * The cache counts what a batch really holds: a one-device batch is a few
 * hundred bytes (not the parser's 64 KiB block), and its strings survive
 * being moved into a block of just their size.
 */
static void
test_bytes_held(void)
{
	CHECK(parse(SEED) == 0);
	CHECK(b.bytes > 200 && b.bytes < 1024);
	CHECK_STR(b.devices[0].serial_number, "1234567890");
	CHECK_STR(b.devices[0].error_description,
	    "ZtdDeviceAssignedToOtherTenant");
	CHECK_STR(b.tracking_id, "0127ed8e-ff72-4983-a3d8-e8d8bd378932");
	CHECK_STR(b.devices[0].device_id, "");
	CHECK(parse("{\"status\":\"queued\"}") == 0 && b.bytes < 256);
	batch_free(&b);
}

static void
test_limit(void)
{
	const char *three = "{\"devicesStatus\":[{},{\"status\":\"a\"},{}]}";
	const char *mixed = "{\"devicesStatus\":[{},1,\"x\",null,[]]}";

	CHECK(parse_max(three, 3) == BATCH_OK && b.ndevices == 3);
	CHECK(parse_max(three, 4) == BATCH_OK && b.ndevices == 3);
	CHECK(parse_max(three, 2) == BATCH_TOO_MANY);
	CHECK_CONTAINS(err, "too many devices");
	CHECK_CONTAINS(err, " 2 ");
	CHECK(b.ndevices == 0 && b.nskipped == 0 && b.devices == NULL &&
	    b.arena == NULL && b.bytes == 0);
	CHECK(parse_max(mixed, 5) == BATCH_OK && b.ndevices == 1 &&
	    b.nskipped == 4);
	CHECK(parse_max(mixed, 4) == BATCH_TOO_MANY);
	CHECK(parse_max(mixed, 1) == BATCH_TOO_MANY);
	CHECK(parse_max("{\"devicesStatus\":[1,2]}", 1) == BATCH_TOO_MANY);
	CHECK(parse_max("{\"devicesStatus\":[]}", 0) == BATCH_OK);
	CHECK(parse_max("{\"devicesStatus\":null}", 0) == BATCH_OK);
	CHECK(parse_max("{\"devicesStatus\":[null]}", 0) == BATCH_TOO_MANY);
	CHECK_CONTAINS(err, " 0 ");
	/* Only the entries of devicesStatus count. */
	CHECK(parse_max("{\"status\":\"a\",\"x\":[1,2,3],\"devicesStatus\":"
	    "[{\"a\":[1,2,3],\"b\":{\"c\":[{},{}]}}]}", 1) == BATCH_OK);
	CHECK(b.ndevices == 1);
	/* Found on the entry past the limit: before a later syntax error... */
	CHECK(parse_max("{\"devicesStatus\":[{},{},{}, x", 2) == BATCH_TOO_MANY);
	/* ...but not before an earlier one. */
	CHECK(parse_max("{\"devicesStatus\":[{},x,{},{}]}", 2) == BATCH_BAD);
	CHECK_CONTAINS(err, "not JSON");
	/* The default limit exactly, and one more. */
	{
		struct buf	o;
		size_t		i;

		buf_init(&o);
		buf_puts(&o, "{\"devicesStatus\":[");
		for (i = 0; i < BATCH_MAX_DEVICES_DEFAULT; i++)
			buf_puts(&o, i ? ",{}" : "{}");
		buf_puts(&o, "]}");
		CHECK(parse_n(o.data, o.len, BATCH_MAX_DEVICES_DEFAULT) ==
		    BATCH_OK && b.ndevices == BATCH_MAX_DEVICES_DEFAULT);
		o.len -= 2;
		buf_puts(&o, ",7]}");
		CHECK(parse_n(o.data, o.len, BATCH_MAX_DEVICES_DEFAULT) ==
		    BATCH_TOO_MANY);
		CHECK_CONTAINS(err, "100000");
		buf_free(&o);
	}
	batch_free(&b);
}

/* devicesStatus twice: the last one's devices only, as for any key. */
static void
test_duplicate_devices_status(void)
{
	CHECK(parse("{\"devicesStatus\":[{\"serialNumber\":\"a\"},{}],"
	    "\"status\":\"x\",\"devicesStatus\":[{\"serialNumber\":\"b\"},7]}") ==
	    BATCH_OK);
	CHECK(b.ndevices == 1 && b.nskipped == 1);
	CHECK_STR(b.devices[0].serial_number, "b");
	CHECK(parse("{\"devicesStatus\":[{},{},3],\"devicesStatus\":null}") ==
	    BATCH_OK);
	CHECK(b.ndevices == 0 && b.nskipped == 0 && b.devices == NULL);
	CHECK(parse("{\"devicesStatus\":[{}],\"devicesStatus\":[]}") == BATCH_OK);
	CHECK(b.ndevices == 0);
	/* A wrong type is forgotten with the rest of the first... */
	CHECK(parse("{\"devicesStatus\":[{\"status\":7}],\"devicesStatus\":"
	    "[{\"status\":\"ok\"}]}") == BATCH_OK);
	CHECK(b.ndevices == 1);
	CHECK_STR(b.devices[0].status, "ok");
	CHECK(parse("{\"devicesStatus\":\"nope\",\"devicesStatus\":[{}]}") ==
	    BATCH_OK);
	CHECK(b.ndevices == 1);
	/* ...and a wrong last one is wrong. */
	CHECK(parse("{\"devicesStatus\":[{}],\"devicesStatus\":\"nope\"}") ==
	    BATCH_BAD);
	CHECK_CONTAINS(err, "wrong shape");
	CHECK(parse("{\"devicesStatus\":[{}],\"devicesStatus\":[{\"status\":"
	    "[]}]}") == BATCH_BAD);
	/* The limit is for each array; one over it stops the parse. */
	CHECK(parse_max("{\"devicesStatus\":[{},{}],\"devicesStatus\":[{},{}]}",
	    2) == BATCH_OK && b.ndevices == 2);
	CHECK(parse_max("{\"devicesStatus\":[{},{},{}],\"devicesStatus\":[{}]}",
	    2) == BATCH_TOO_MANY);
	CHECK(parse_max("{\"devicesStatus\":[{}],\"devicesStatus\":[{},{},{}]}",
	    2) == BATCH_TOO_MANY);
	batch_free(&b);
}

/* Keys are JSON strings, escapes and all. */
static void
test_escaped_keys(void)
{
	CHECK(parse("{\"devices\\u0053tatus\":[{\"serial\\u004eumber\":\"x\"},1],"
	    "\"st\\u0061tus\":\"done\"}") == BATCH_OK);
	CHECK(b.ndevices == 1 && b.nskipped == 1);
	if (b.ndevices == 1)
		CHECK_STR(b.devices[0].serial_number, "x");
	CHECK_STR(b.status, "done");
	CHECK(parse("{\"\\u0064evicesStatus\":[{}],\"devicesStatus\\/\":[1]}") ==
	    BATCH_OK);
	CHECK(b.ndevices == 1 && b.nskipped == 0);
	/* Another letter case is another (unknown) key. */
	CHECK(parse("{\"status\":\"a\",\"devicesstatus\":[{},{}]}") == BATCH_OK);
	CHECK(b.ndevices == 0 && b.nskipped == 0);
	CHECK(parse("{\"status\":\"a\",\"devicesStatus\\u\":[]}") == BATCH_BAD);
	CHECK_CONTAINS(err, "not JSON");
	batch_free(&b);
}

/* Commas between members and entries, exactly one, none trailing: anywhere. */
static void
test_commas(void)
{
	static const char *const bad[] = {
		"{\"status\":\"a\",}",
		"{\"status\":\"a\" \"batchTrackingId\":\"b\"}",
		"{,\"status\":\"a\"}",
		"{\"status\":\"a\",,\"batchTrackingId\":\"b\"}",
		"{\"status\":\"a\"\"batchTrackingId\":\"b\"}",
		"{\"devicesStatus\":[{},]}",
		"{\"devicesStatus\":[{} {}]}",
		"{\"devicesStatus\":[{}{}]}",
		"{\"devicesStatus\":[,{}]}",
		"{\"devicesStatus\":[{},,{}]}",
		"{\"devicesStatus\":[1 2]}",
		"{\"devicesStatus\":[{\"status\":\"a\",}]}",
		"{\"devicesStatus\":[{\"status\":\"a\" \"errorCode\":1}]}",
		"{\"status\":\"a\",\"x\":[1,2,]}",
		"{\"status\":\"a\",\"x\":{\"y\":1,}}",
		"{\"status\":\"a\",\"x\":[[1]2]}",
		NULL
	};
	size_t i;

	for (i = 0; bad[i] != NULL; i++) {
		CHECK(parse(bad[i]) == BATCH_BAD);
		CHECK_CONTAINS(err, "not JSON");
	}
	CHECK(parse("{\"status\":\"a\",\"devicesStatus\":[]}") == BATCH_OK);
	CHECK(parse("{\"status\":\"a\",\"devicesStatus\":[{}]}") == BATCH_OK);
	CHECK(parse("{\"status\":\"a\",\"x\":{},\"y\":[],\"z\":[[],{}]}") ==
	    BATCH_OK);
	batch_free(&b);
}

/* Space, tab, CR and LF anywhere between tokens; nothing else. */
static void
test_whitespace(void)
{
	const char *ws = "{ \"status\" : \"a\" , \"devicesStatus\" : [ { "
	    "\"status\" : \"b\" } , 1 , [ ] ] , \"x\" : { } } ";
	char	 s[256];
	size_t	 i, n;
	int	 k;

	CHECK(parse("{\"status\":\"a\",\"devicesStatus\":[{\"status\":\"b\"},1,[]],"
	    "\"x\":{}}") == BATCH_OK && b.ndevices == 1 && b.nskipped == 2);
	/* Each blank as each of JSON's four whitespace bytes, and as all of them. */
	for (k = 0; k < 5; k++) {
		for (i = n = 0; ws[i] != '\0'; i++) {
			if (ws[i] != ' ')
				s[n++] = ws[i];
			else if (k < 4)
				s[n++] = " \t\r\n"[k];
			else {
				memcpy(s + n, " \t\r\n", 4);
				n += 4;
			}
		}
		s[n] = '\0';
		CHECK(parse(s) == BATCH_OK && b.ndevices == 1 && b.nskipped == 2);
		CHECK_STR(b.status, "a");
	}
	CHECK(parse("\r\n\t {\"status\":\"a\"}\r\n\t ") == BATCH_OK);
	CHECK(parse("\xef\xbb\xbf \n{\"status\":\"a\"}") == BATCH_OK);
	/* Vertical tab, form feed, NBSP are not JSON whitespace. */
	CHECK(parse("{\"status\":\"a\"\v}") == BATCH_BAD);
	CHECK(parse("\f{\"status\":\"a\"}") == BATCH_BAD);
	CHECK(parse("{\"status\":\"a\",\"devicesStatus\":[\v{}]}") == BATCH_BAD);
	CHECK(parse("{\"status\":\"a\",\"devicesStatus\":[{}\f]}") == BATCH_BAD);
	CHECK(parse("{\"status\":\xc2\xa0\"a\"}") == BATCH_BAD);
	CHECK_CONTAINS(err, "not JSON");
	CHECK(parse(" \t\r\n") == BATCH_BAD);
	CHECK_CONTAINS(err, "ends too early");
	batch_free(&b);
}

/* A key is a double-quoted string: not a number, a word, null, a container, nor 'single-quoted'. */
static void
test_key_not_string(void)
{
	static const char *const bad[] = {
		"{1:\"a\"}", "{status:\"a\"}", "{null:\"a\"}", "{true:1}",
		"{{}:1}", "{[]:1}", "{'status':\"a\"}", "{\"status\"}",
		"{\"status\" \"a\"}", "{\"status\":}", "{\"status\"::\"a\"}",
		"{\"status\"=\"a\"}",
		"{\"devicesStatus\":[{serialNumber:\"x\"}]}",
		"{\"devicesStatus\":[{'serialNumber':\"x\"}]}",
		"{\"devicesStatus\":[{7:\"x\"}]}",
		"{\"status\":\"a\",\"x\":{'y':1}}",
		NULL
	};
	size_t i;

	for (i = 0; bad[i] != NULL; i++) {
		CHECK(parse(bad[i]) == BATCH_BAD);
		CHECK_CONTAINS(err, "not JSON");
	}
	CHECK(parse("{1:\"a\"}") == BATCH_BAD);
	CHECK_STR(err, "not JSON: quoted object property name expected");
	/* A quote inside a string is only a character. */
	CHECK(parse("{\"status\":\"it's\",\"devicesStatus\":[{\"errorDescription\":"
	    "\"the device's owner\",\"o'k\":\"'\"}]}") == BATCH_OK);
	CHECK_STR(b.status, "it's");
	CHECK_STR(b.devices[0].error_description, "the device's owner");
	batch_free(&b);
}

/* Cut anywhere inside the object, a body "ends too early". */
static void
test_cut_short(void)
{
	static const char doc[] = "{\"status\":\"a\",\"n\":-12.5e3,\"t\":true,"
	    "\"f\":false,\"z\":null,\"s\":\"\\u00e9\\n\",\"devicesStatus\":[{"
	    "\"errorCode\":808},[1,{}],\"x\"]}";
	size_t	 i, fails = 0;

	for (i = 1; i < sizeof(SEED) - 1; i++)
		if (parse_n(SEED, i, BATCH_MAX_DEVICES_DEFAULT) != BATCH_BAD ||
		    strcmp(err, "not JSON: it ends too early") != 0)
			fails++;
	CHECK(fails == 0);
	for (i = 1; i < sizeof(doc) - 1; i++)
		if (parse_n(doc, i, BATCH_MAX_DEVICES_DEFAULT) != BATCH_BAD ||
		    strcmp(err, "not JSON: it ends too early") != 0)
			fails++;
	CHECK(fails == 0);
	CHECK(parse(doc) == BATCH_OK && b.ndevices == 1 && b.nskipped == 2);
	CHECK(parse("{") == BATCH_BAD);
	CHECK_STR(err, "not JSON: it ends too early");
	batch_free(&b);
}

/* Only whitespace may follow the object. */
static void
test_after_the_object(void)
{
	CHECK(parse("{\"status\":\"a\"}x") == BATCH_BAD);
	CHECK_CONTAINS(err, "not JSON");
	CHECK(parse("{\"status\":\"a\"},") == BATCH_BAD);
	CHECK(parse("{\"status\":\"a\"}}") == BATCH_BAD);
	CHECK(parse("{\"status\":\"a\"} {\"status\":\"b\"}") == BATCH_BAD);
	CHECK(parse("{\"status\":\"a\"}\n\"x\"") == BATCH_BAD);
	CHECK(parse_n("{\"status\":\"a\"}\0", 15, 10) == BATCH_BAD);
	CHECK_CONTAINS(err, "not JSON");
	CHECK(parse_n("{\"status\":\"a\"\0}", 15, 10) == BATCH_BAD);
	CHECK_CONTAINS(err, "not JSON");
	CHECK(parse_n("{\"status\":\"a\\u0000\"}", 20, 10) == BATCH_OK);
	CHECK_STR(b.status, "a\xef\xbf\xbd");
	/* Another top value is read (for its syntax) but is the wrong shape. */
	CHECK(parse("[{\"status\":\"a\"}]") == BATCH_BAD);
	CHECK_STR(err, "wrong shape: not a JSON object");
	CHECK(parse("null") == BATCH_BAD);
	CHECK_STR(err, "wrong shape: not a JSON object");
	CHECK(parse(" -42") == BATCH_BAD);
	CHECK_STR(err, "wrong shape: not a JSON object");
	CHECK(parse("\"x\" ") == BATCH_BAD);
	CHECK_STR(err, "wrong shape: not a JSON object");
	CHECK(parse("[1,2,") == BATCH_BAD);
	CHECK_STR(err, "not JSON: it ends too early");
	CHECK(parse("[1,2]]") == BATCH_BAD);
	CHECK_CONTAINS(err, "not JSON");
	CHECK(parse("nul") == BATCH_BAD);
	CHECK_CONTAINS(err, "not JSON");
	CHECK(parse("<html>") == BATCH_BAD);
	CHECK_CONTAINS(err, "not JSON");
	batch_free(&b);
}

/* s with a member key: value added after where (the value about 28 KiB when NULL). */
static char *
padded(const char *s, const char *where, const char *key, const char *value)
{
	struct buf	 o;
	const char	*at = strstr(s, where);
	size_t		 i;

	buf_init(&o);
	buf_append(&o, s, (size_t)(at - s) + strlen(where));
	buf_printf(&o, "\"%s\":", key);
	if (value != NULL)
		buf_puts(&o, value);
	else {
		buf_puts(&o, "[");
		for (i = 0; i < 2000; i++)
			buf_puts(&o, i ? ",{\"a\":[1,\"b\"]}" : "{\"a\":[1,\"b\"]}");
		buf_puts(&o, "]");
	}
	buf_puts(&o, ",");
	buf_puts(&o, at + strlen(where));
	return buf_steal(&o, NULL);
}

static void
check_digits_as_sent(void)
{
	CHECK(b.ndevices == 1);
	if (b.ndevices != 1)
		return;
	CHECK_STR(b.devices[0].product_key, "12345678901234567890123");
	CHECK_STR(b.devices[0].serial_number, "-98765432109876543210");
	CHECK_STR(b.devices[0].error_code, "18446744073709551615");
	CHECK_STR(b.devices[0].device_id, "-9223372036854775808");
	CHECK_STR(b.devices[0].error_description, "1.5e400");
}

/*
 * A number where text is wanted is shown as it came: json-c saturates an
 * integer out of range (it keeps a double's text), which must not reach
 * the page as 18446744073709551615, whether the device is read whole or
 * walked (too big for one json-c call).
 */
static void
test_an_integer_out_of_range_keeps_its_digits(void)
{
	static const char body[] = "{\"status\":\"finished\",\"devicesStatus\":"
	    "[{\"productKey\":12345678901234567890123,"
	    "\"serialNumber\":-98765432109876543210,"
	    "\"errorCode\":18446744073709551615,"
	    "\"errorDescription\":1.5e400,"
	    "\"deviceId\":-9223372036854775808 }]}";
	char *big;

	CHECK(parse(body) == 0);
	check_digits_as_sent();
	big = padded(body, "[{", "pad", NULL);
	CHECK(strlen(big) > 16384);
	CHECK(parse(big) == 0);
	check_digits_as_sent();
	free(big);
	/* In range, a number is json-c's as before. */
	CHECK(parse("{\"devicesStatus\":[{\"productKey\":9223372036854775807,"
	    "\"errorCode\":808}]}") == 0 && b.ndevices == 1);
	CHECK_STR(b.devices[0].product_key, "9223372036854775807");
	CHECK_STR(b.devices[0].error_code, "808");
	batch_free(&b);
}

/*
 * A time outside the years 1 to 9999 (in UTC) is not read as a time: it is
 * kept as it came, for the page to show as unreadable, never printed as
 * "0-01-01T23:59:00Z".
 */
static void
test_a_time_out_of_range_is_kept_as_it_came(void)
{
	CHECK(when("0000-01-01T23:59:00Z") == -1);
	CHECK(when("0001-01-01T00:30:00+01:00") == -1);
	CHECK(when("9999-12-31T23:30:00-01:00") == -1);
	CHECK(when("9999-12-31T23:59:60Z") == -1);
	CHECK(when("0001-01-01T00:00:00Z") == -62135596800LL);
	CHECK(when("9999-12-31T23:59:59Z") == 253402300799LL);
	CHECK(when("9999-12-31T23:59:59+01:00") == 253402300799LL - 3600);
	CHECK(parse("{\"status\":\"finished\",\"startedTime\":"
	    "\"0000-01-01T23:59:00Z\",\"completedTime\":"
	    "\"9999-12-31T23:59:59-00:01\"}") == 0);
	CHECK(!b.has_started && !b.has_completed);
	CHECK_STR(b.started_raw, "0000-01-01T23:59:00Z");
	CHECK_STR(b.completed_raw, "9999-12-31T23:59:59-00:01");
	batch_free(&b);
}

/*
 * Values too big for one json-c call are walked piece by piece: the same
 * results and the same errors as a small one, whatever the field.
 */
static void
test_big_values(void)
{
	static const char dev[] = "{\"status\":\"finished\",\"devicesStatus\":"
	    "[{\"serialNumber\":\"a\\u0000b\",\"status\":7,\"status\":\"ok\","
	    "\"errorCode\":808,\"productKey\":true,\"deviceId\":null,"
	    "\"errorDescription\":\"it's\",\"attributes\":{\"objectType\":"
	    "\"DeviceUploadDetails\"}},{},5]}";
	char	*s;
	size_t	 i;
	struct buf o;

	/* A big unknown field in a device, before its fields. */
	s = padded(dev, "[{", "pad", NULL);
	CHECK(strlen(s) > 20000);
	CHECK(parse(s) == BATCH_OK && b.ndevices == 2 && b.nskipped == 1);
	if (b.ndevices == 2) {
		CHECK_STR(b.devices[0].serial_number, "a\xef\xbf\xbd" "b");
		CHECK_STR(b.devices[0].status, "ok");
		CHECK_STR(b.devices[0].error_code, "808");
		CHECK_STR(b.devices[0].product_key, "true");
		CHECK_STR(b.devices[0].device_id, "");
		CHECK_STR(b.devices[0].error_description, "it's");
	}
	free(s);
	/* The same at the top. */
	s = padded(dev, "{", "pad", NULL);
	CHECK(parse(s) == BATCH_OK && b.ndevices == 2 && b.nskipped == 1);
	CHECK_STR(b.status, "finished");
	free(s);
	/* A big value where text is wanted is the wrong type, as a small one is. */
	s = padded("{\"status\":\"a\",\"devicesStatus\":[{\"x\":1}]}", "[{",
	    "Status", NULL);
	CHECK(parse(s) == BATCH_OK && b.ndevices == 1);	/* another key */
	free(s);
	s = padded("{\"status\":\"a\",\"devicesStatus\":[{\"x\":1}]}", "[{",
	    "status", NULL);
	CHECK(parse(s) == BATCH_BAD);
	CHECK_STR(err, "wrong shape: a field has the wrong type");
	free(s);
	s = padded("{\"status\":\"a\",\"devicesStatus\":[{\"x\":1}]}", "[{",
	    "status", "{\"big\":[1]}");
	CHECK(parse(s) == BATCH_BAD);
	CHECK_STR(err, "wrong shape: a field has the wrong type");
	free(s);
	s = padded("{\"status\":\"a\"}", "{", "batchTrackingId", NULL);
	CHECK(parse(s) == BATCH_BAD);
	CHECK_STR(err, "wrong shape: a field has the wrong type");
	free(s);
	s = padded("{\"status\":\"a\"}", "{", "devicesStatus", "{}");
	CHECK(parse(s) == BATCH_BAD);
	CHECK_STR(err, "wrong shape: a field has the wrong type");
	free(s);
	s = padded("{\"status\":\"a\"}", "{", "status\"\"", NULL);
	CHECK(parse(s) == BATCH_BAD);
	CHECK_CONTAINS(err, "not JSON");
	free(s);
	/* A big attributes of another resource, or of none. */
	buf_init(&o);
	buf_puts(&o, "{\"status\":\"a\",\"attributes\":{\"x\":[");
	for (i = 0; i < 5000; i++)
		buf_puts(&o, i ? ",1" : "1");
	buf_puts(&o, "],\"objectType\":\"Collection\"}}");
	CHECK(parse(o.data) == BATCH_BAD);
	CHECK_STR(err, "wrong shape: an object that is not a BatchUploadDetails");
	memcpy(strstr(o.data, "Collection"), "batchUploa", 10);
	CHECK(parse(o.data) == BATCH_BAD);
	memcpy(strstr(o.data, "batchUploa"), "Collection", 10);
	memcpy(strstr(o.data, "\"objectType\""), "\"objectTypf\"", 12);
	CHECK(parse(o.data) == BATCH_OK);
	buf_free(&o);
	/* A quote json-c would take for a key: the value is walked, and refused. */
	s = padded(dev, "[{", "pad", "[1,2,[3,{\"a\":[]}],{'k':1}]");
	CHECK(parse(s) == BATCH_BAD);
	CHECK_STR(err, "not JSON: quoted object property name expected");
	free(s);
	/* Errors deep inside a big value: json-c's reasons, as when it read it whole. */
	buf_init(&o);
	buf_puts(&o, "{\"status\":\"a\",\"x\":[");
	for (i = 0; i < 10000; i++)
		buf_puts(&o, "{\"a\":1},");
	buf_puts(&o, "{\"a\":1,}]}");
	CHECK(parse(o.data) == BATCH_BAD);
	CHECK_STR(err, "not JSON: unexpected character");
	o.data[o.len - 4] = ' ';	/* {"a":1 }]} */
	CHECK(parse(o.data) == BATCH_OK);
	o.data[o.len - 5] = 'x';	/* {"a":x }]} */
	CHECK(parse(o.data) == BATCH_BAD);
	CHECK_CONTAINS(err, "not JSON");
	o.data[o.len - 5] = '1';
	o.data[o.len - 4] = 'x';	/* {"a":1x}]}: json-c's own reason */
	CHECK(parse(o.data) == BATCH_BAD);
	CHECK_STR(err, "not JSON: number expected");
	for (i = 1; i < o.len - 1; i += 997)
		CHECK(parse_n(o.data, i, 10) == BATCH_BAD &&
		    strcmp(err, "not JSON: it ends too early") == 0);
	buf_free(&o);
	batch_free(&b);
}

/*
 * At most BATCH_MAX_DEPTH levels, the top object being level 0 (so a value
 * at depth BATCH_MAX_DEPTH is one too deep), as json-c counted them: in
 * values read whole and in values walked piece by piece (big).
 */
static void
test_depth(void)
{
	struct buf	 o;
	int		 k, big, i, j, deepest;
	const char	*pad = "\"0123456789abcdef0123456789abcdef0123456789"
	    "abcdef0123456789abcdef\"";

	for (big = 0; big < 2; big++) {
		for (k = BATCH_MAX_DEPTH - 4; k <= BATCH_MAX_DEPTH + 1; k++) {
			/* {"status":"a","x":[[...]]}: k arrays, the innermost at depth k. */
			buf_init(&o);
			buf_puts(&o, "{\"status\":\"a\",\"x\":");
			for (i = 0; i < k; i++)
				buf_puts(&o, "[");
			for (j = 0; big && j < 400; j++)
				buf_printf(&o, "%s%s", j ? "," : "", pad);
			for (i = 0; i < k; i++)
				buf_puts(&o, "]");
			buf_puts(&o, "}");
			deepest = k + big;
			if (deepest < BATCH_MAX_DEPTH)
				CHECK(parse(o.data) == BATCH_OK);
			else {
				CHECK(parse(o.data) == BATCH_BAD);
				CHECK_STR(err, "not JSON: nesting too deep");
			}
			buf_free(&o);
			/* {"devicesStatus":[{"x":{"y":...{"y":V}...}}]}: the device at
			 * depth 2, k - 2 objects in it, V at depth k + 1. */
			buf_init(&o);
			buf_puts(&o, "{\"devicesStatus\":[{\"x\":");
			for (i = 0; i < k - 2; i++)
				buf_puts(&o, "{\"y\":");
			buf_puts(&o, big ? pad : "{}");
			for (j = 1; big && j < 400; j++)
				buf_printf(&o, ",\"z\":%s", pad);
			for (i = 0; i < k - 2; i++)
				buf_puts(&o, "}");
			buf_puts(&o, "}]}");
			deepest = k + 1;
			if (deepest < BATCH_MAX_DEPTH)
				CHECK(parse(o.data) == BATCH_OK && b.ndevices == 1);
			else {
				CHECK(parse(o.data) == BATCH_BAD);
				CHECK_STR(err, "not JSON: nesting too deep");
			}
			buf_free(&o);
		}
	}
	batch_free(&b);
}

/* Partner Center's documented example, every field. */
static void
test_the_documented_example(void)
{
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
	batch_free(&b);
}

/* A UTF-8 BOM first, as some Partner Center answers have. */
static void
test_a_bom_first(void)
{
	char *bom;

	bom = malloc(sizeof(SEED) + 3);
	memcpy(bom, "\xef\xbb\xbf", 3);
	memcpy(bom + 3, SEED, sizeof(SEED));
	CHECK(parse(bom) == 0 && b.ndevices == 1);
	free(bom);
	batch_free(&b);
}

/* Missing, null, unknown, numbers for strings, entries that are not devices. */
static void
test_odd_shapes_that_must_work(void)
{
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
	batch_free(&b);
}

/* Wrong shapes are errors, with a reason and no crash. */
static void
test_wrong_shapes_are_errors(void)
{
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
	/* (Was "== -1 || b.ndevices == 0": the second half held for any answer, so it could not fail.) */
	CHECK(parse("{'a':1}") == -1);
	CHECK(parse("<html><body>Sign in</body></html>") == -1);
	CHECK(parse("{\"status\":1}\n  ") == -1);	/* status must be text */
	CHECK(parse("{\"status\":\"a\"}\n  ") == 0);
	batch_free(&b);
}

/* UTF-8 is checked whole: overlongs, surrogates, cut sequences, and bad bytes on either side of the eight-byte fast path. */
static void
test_utf8_is_checked_whole(void)
{
	CHECK(parse("{\"serialNumber\":\"\xff\xfe\"}") == -1);
	CHECK_CONTAINS(err, "UTF-8");
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
	batch_free(&b);
}

/* Another resource is not a batch, however valid its JSON. */
static void
test_another_resource_is_not_a_batch(void)
{
	CHECK(parse("{}") == -1);
	CHECK_CONTAINS(err, "wrong shape");
	CHECK(parse("{\"totalCount\":1,\"items\":[],\"attributes\":"
	    "{\"objectType\":\"Collection\"}}") == -1);
	CHECK(parse("{\"status\":\"finished\",\"attributes\":"
	    "{\"objectType\":\"DeviceBatch\"}}") == -1);
	CHECK(parse("{\"status\":\"finished\",\"attributes\":"
	    "{\"objectType\":\"batchuploaddetails\"}}") == 0);
	batch_free(&b);
}

/* 100,000 open brackets: refused, nothing held. */
static void
test_deep_brackets_are_refused(void)
{
	char	*deep;
	size_t	 i;

	deep = malloc(200003);
	deep[0] = '{';
	memcpy(deep + 1, "\"x\":", 4);
	for (i = 5; i < 100005; i++)
		deep[i] = '[';
	deep[i] = '\0';
	CHECK(parse(deep) == -1);
	free(deep);
	CHECK(b.ndevices == 0 && b.devices == NULL);
	batch_free(&b);
}

/* Times: zones, offsets, leap days; impossible dates and trailing junk refused. */
static void
test_times(void)
{
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
}

/* The one table of what a status means: running, final, its words and badge; any letter case. */
static void
test_status_table(void)
{
	const struct batch_status	*bs;
	size_t				 i;

	CHECK(batch_status_final("finished") &&
	    batch_status_final("FINISHED_WITH_ERRORS"));
	CHECK(!batch_status_final("processing") && !batch_status_final(""));
	CHECK(!batch_status_final("archived"));
	CHECK((bs = batch_status_find("Queued")) != NULL && bs->running &&
	    !bs->final);
	CHECK_STR(bs->label, "status.queued");
	CHECK(batch_status_find("paused") == NULL);
	/* Never both running and final; every one has its words and badge. */
	for (i = 0; (bs = batch_status_at(i)) != NULL; i++) {
		CHECK(!(bs->running && bs->final));
		CHECK(strncmp(bs->label, "status.", 7) == 0);
		CHECK(strncmp(bs->css, "status-", 7) == 0);
		CHECK(batch_status_find(bs->key) == bs);
	}
	CHECK(i == 6);
}

int
main(void)
{
	/* First, while this process is small: they measure its memory. */
	T_RUN(test_memory_empty_objects);
	T_RUN(test_memory_big_unknown_field);
	T_RUN(test_realistic_batch);
	T_RUN(test_bytes_held);

	T_RUN(test_the_documented_example);
	T_RUN(test_a_bom_first);
	T_RUN(test_odd_shapes_that_must_work);
	T_RUN(test_wrong_shapes_are_errors);
	T_RUN(test_utf8_is_checked_whole);
	T_RUN(test_another_resource_is_not_a_batch);
	T_RUN(test_deep_brackets_are_refused);
	T_RUN(test_times);

	T_RUN(test_limit);
	T_RUN(test_duplicate_devices_status);
	T_RUN(test_escaped_keys);
	T_RUN(test_commas);
	T_RUN(test_whitespace);
	T_RUN(test_key_not_string);
	T_RUN(test_cut_short);
	T_RUN(test_after_the_object);
	T_RUN(test_big_values);
	T_RUN(test_depth);
	T_RUN(test_status_table);
	T_RUN(test_an_integer_out_of_range_keeps_its_digits);
	T_RUN(test_a_time_out_of_range_is_kept_as_it_came);
	return t_done("test_batch");
}
