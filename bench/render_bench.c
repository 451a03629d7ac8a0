/*
 * render_bench.c: the server's own cost of one batch page, without nginx or
 * Partner Center: batch_parse + view_batch_build + tpage_new("batch") /
 * page_batch_fill / tpage_render, timed over several runs, median reported.
 * Links the server's objects (every build/obj/ object but main.o); see bench/run.sh.
 *
 *   render_bench [--templates DIR] [--runs N] SPEC...   time each SPEC
 *   render_bench --write N FILE                         write an N-device batch
 *
 * SPEC is a device count (the batch is generated here) or a JSON file.
 * Prints one line per SPEC: "RENDER {json}" with the medians in ms: the
 * page (parse + view + render, what the server spends), each step, and,
 * apart, json-c's own tokenizer on the same bytes as one tree (a
 * diagnostic: batch_parse has json-c read one value at a time instead, so
 * that its memory follows the devices, not the body).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json.h>

#include "batch.h"
#include "buf.h"
#include "clock.h"
#include "i18n.h"
#include "render.h"
#include "pages.h"
#include "route.h"
#include "view.h"

static const char *const errs[][2] = {
	{ "801", "InvalidZtdRequestBody" },
	{ "802", "InvalidZtdHardwareHash" },
	{ "803", "MissingZtdSerialNumberAndProductKey" },
	{ "806", "ZtdDeviceAlreadyAssigned" },
	{ "807", "ZtdDeviceIsNotRegistered" },
	{ "808", "ZtdDeviceAssignedToOtherTenant" },
	{ "809", "ZtdProfileIsNotRegistered" },
	{ "810", "ZtdProfileAssignedToOtherTenant" },
	{ "811", "ZtdDeviceRegisteredByOtherTenant" },
	{ "812", "ZtdDeviceNotFound" },
	{ "813", "ZtdDeviceIsNotUnique" },
	{ "814", "ZtdDeviceAlreadyAadRegistered" },
	{ "", "ZtdDeviceDuplicated" },
	{ "999", "SomethingNew" },
};
#define NERRS (sizeof(errs) / sizeof(errs[0]))

/*
 * A finished_with_errors BatchUploadDetails of n devices: one in ten
 * failed (the error codes in turn, an unknown one among them), the rest
 * finished. Deterministic, so every run measures the same bytes.
 */
static void
gen_batch(struct buf *o, long n)
{
	long i;

	buf_printf(o, "{\n    \"batchTrackingId\": \"dddd%04ld-0000-4000-8000-%012ld\",\n"
	    "    \"status\": \"finished_with_errors\",\n"
	    "    \"startedTime\": \"2024-03-01T08:00:00\",\n"
	    "    \"completedTime\": \"2024-03-01T09:12:34\",\n"
	    "    \"devicesStatus\": [", n >= 10000 ? 9999L : n, n);
	for (i = 0; i < n; i++) {
		const char *status = "finished", *code = "", *desc = "";

		if (i % 10 == 3) {
			status = "finished_with_errors";
			code = errs[(i / 10) % NERRS][0];
			desc = errs[(i / 10) % NERRS][1];
		}
		buf_printf(o, "%s\n        {\n"
		    "            \"deviceId\": \"5d1c7a8e-%04lx-4c55-9a55-%012lx\",\n"
		    "            \"serialNumber\": \"SN%010ld\",\n"
		    "            \"productKey\": \"PK%03ld-%05ld-%05ld-%05ld-%05ld\",\n"
		    "            \"status\": \"%s\",\n"
		    "            \"errorCode\": \"%s\",\n"
		    "            \"errorDescription\": \"%s\",\n"
		    "            \"attributes\": { \"objectType\": \"DeviceUploadDetails\" }\n"
		    "        }", i ? "," : "", (unsigned long)(i & 0xffff),
		    (unsigned long)i, 4000000000L + i, i % 1000, (i * 7) % 100000,
		    (i * 13) % 100000, (i * 17) % 100000, i % 100000, status,
		    code, desc);
	}
	buf_printf(o, "\n    ],\n    \"attributes\": { \"objectType\": \"BatchUploadDetails\" }\n}\n");
}

static int
read_file(const char *path, struct buf *o)
{
	FILE	*f = fopen(path, "rb");
	char	 tmp[65536];
	size_t	 n;

	if (f == NULL)
		return -1;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_append(o, tmp, n);
	fclose(f);
	return o->failed ? -1 : 0;
}

/* json-c alone: tokenize the body into a tree and free it. */
static double
jsonc_only(const struct buf *in)
{
	struct json_tokener	*tok;
	json_object		*o;
	double			 t0 = clock_ms_exact(), t1;

	if ((tok = json_tokener_new_ex(BATCH_MAX_DEPTH)) == NULL)
		return -1;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, in->data, (int)in->len);
	json_object_put(o);
	json_tokener_free(tok);
	t1 = clock_ms_exact();
	return o == NULL ? -1 : t1 - t0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One page, as page_batch.c makes it; -1 on any failure. */
static int
one_page(const struct buf *in, const struct request *req, struct buf *out,
    size_t *ndev, double *t_parse, double *t_view, double *t_render)
{
	struct batch		 b;
	struct batch_view	 v;
	struct tpage		*p;
	char			 err[256];
	double			 t0, t1, t2, t3;
	int			 rc;

	buf_reset(out);
	t0 = clock_ms_exact();
	if (batch_parse(in->data, in->len, BATCH_MAX_DEVICES_DEFAULT, &b, err,
	    sizeof(err)) != BATCH_OK) {
		fprintf(stderr, "render_bench: batch_parse: %s\n", err);
		return -1;
	}
	t1 = clock_ms_exact();
	if (view_batch_build(&v, &b, req->customer, req->tracking,
	    (int64_t)time(NULL)) == -1) {
		batch_free(&b);
		return -1;
	}
	t2 = clock_ms_exact();
	rc = -1;
	if ((p = tpage_new("batch", LOC_EN_US)) != NULL) {
		page_batch_fill(p, &v, &req->link, &req->table, LOC_EN_US);
		rc = tpage_render(p, out);
		tpage_free(p);
	}
	t3 = clock_ms_exact();
	*ndev = b.ndevices;
	view_batch_free(&v);
	batch_free(&b);
	*t_parse = t1 - t0;
	*t_view = t2 - t1;
	*t_render = t3 - t2;
	return rc;
}

int
main(int argc, char *argv[])
{
	const struct render_words words = { LOC__MAX, i18n_word };
	const char	*tdir = "templates";
	char		 idir[1100];
	char		 err[512];
	int		 i, runs = 20;

	if (argc == 4 && strcmp(argv[1], "--write") == 0) {
		struct buf	 o;
		FILE		*f;

		buf_init(&o);
		gen_batch(&o, atol(argv[2]));
		if (o.failed || (f = fopen(argv[3], "wb")) == NULL ||
		    fwrite(o.data, 1, o.len, f) != o.len || fclose(f) != 0) {
			fprintf(stderr, "render_bench: cannot write %s\n", argv[3]);
			return 1;
		}
		buf_free(&o);
		return 0;
	}
	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--templates") == 0 && i + 1 < argc)
			tdir = argv[++i];
		else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
			runs = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: render_bench [--templates DIR] "
			    "[--runs N] COUNT|FILE...\n"
			    "       render_bench --write COUNT FILE\n");
			return 2;
		}
	}
	if (runs < 1 || runs > 10000 || i == argc) {
		fprintf(stderr, "render_bench: nothing to do\n");
		return 2;
	}
	snprintf(idir, sizeof(idir), "%s/i18n", tdir);
	if (i18n_load(idir, err, sizeof(err)) == -1 ||
	    render_init(tdir, &words, err, sizeof(err)) == -1) {
		fprintf(stderr, "render_bench: render_init: %s\n", err);
		return 1;
	}
	for (; i < argc; i++) {
		struct buf	 in, out;
		struct request	 req;
		double		*tot, *tp, *tv, *tr, *tj, a, b, c;
		size_t		 ndev = 0;
		int		 r;
		char		*end;
		long		 n = strtol(argv[i], &end, 10);

		buf_init(&in);
		buf_init(&out);
		if (*end == '\0' && n >= 0)
			gen_batch(&in, n);
		else if (read_file(argv[i], &in) == -1) {
			fprintf(stderr, "render_bench: cannot read %s\n", argv[i]);
			return 1;
		}
		memset(&req, 0, sizeof(req));
		req.table.page = 1;
		strcpy(req.customer, "47021739-3426-40bf-9601-61b4b6d7c793");
		strcpy(req.tracking, "dddd9999-0000-4000-8000-000000000000");
		tot = calloc((size_t)runs, sizeof(double));
		tp = calloc((size_t)runs, sizeof(double));
		tv = calloc((size_t)runs, sizeof(double));
		tr = calloc((size_t)runs, sizeof(double));
		tj = calloc((size_t)runs, sizeof(double));
		if (!tot || !tp || !tv || !tr || !tj)
			return 1;
		/* One untimed run first: page faults and lazy initialisation. */
		if (one_page(&in, &req, &out, &ndev, &a, &b, &c) == -1) {
			fprintf(stderr, "render_bench: %s: the page failed\n",
			    argv[i]);
			return 1;
		}
		for (r = 0; r < runs; r++) {
			if (one_page(&in, &req, &out, &ndev, &tp[r], &tv[r],
			    &tr[r]) == -1)
				return 1;
			tot[r] = tp[r] + tv[r] + tr[r];
		}
		for (r = 0; r < runs; r++)
			tj[r] = jsonc_only(&in);
		printf("RENDER {\"spec\": \"%s\", \"devices\": %zu, "
		    "\"json_bytes\": %zu, \"html_bytes\": %zu, \"runs\": %d, "
		    "\"median_ms\": %.3f, \"parse_ms\": %.3f, \"view_ms\": %.3f, "
		    "\"render_ms\": %.3f, \"jsonc_ms\": %.3f}\n", argv[i], ndev,
		    in.len, out.len, runs, median(tot, runs), median(tp, runs),
		    median(tv, runs), median(tr, runs), median(tj, runs));
		fflush(stdout);
		free(tot);
		free(tp);
		free(tv);
		free(tr);
		free(tj);
		buf_free(&in);
		buf_free(&out);
	}
	return 0;
}
