/*
 * fuzz_batch.c: libFuzzer harness for the BatchUploadDetails path: the
 * upstream body -> batch_parse -> view_batch_build -> export_json,
 * export_csv and the rendered HTML page (ctemplate, so this one is linked
 * with clang++).
 *
 * At start-up it loads the templates and catalogs from ./templates (run
 * from the top of the tree, or set FUZZ_TEMPLATES_DIR). Each accepted body
 * is viewed twice: page 1 unfiltered, and page 2 filtered to failed
 * devices with a search, in another language. Invariants (abort when
 * broken): a rejected body comes with a reason; with a limit of 3
 * devices, a body gives BATCH_OK with at most 3 entries (and the same
 * devices with the default limit), BATCH_TOO_MANY (more than 3 entries)
 * or the same rejection as with the default limit; every string of the
 * model is valid UTF-8; the JSON export parses again (json-c, strict); the CSV
 * export and the page render succeed; the page never holds a <script or
 * an unescaped input tag. Seeds: tests/fuzz/corpus/batch/ (every JSON
 * fixture of tests/fixtures and the documentation's example).
 * Run: `make fuzz`.
 */
#include <json-c/json.h>

#include "fuzz.h"

#include "batch.h"
#include "buf.h"
#include "export.h"
#include "i18n.h"
#include "render.h"
#include "route.h"
#include "pages.h"
#include "view.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const struct render_words words = { LOC__MAX, i18n_word };
	const char	*dir = getenv("FUZZ_TEMPLATES_DIR");
	char		 sub[1024], err[512];

	(void)argc;
	(void)argv;
	if (dir == NULL)
		dir = "templates";
	snprintf(sub, sizeof(sub), "%s/i18n", dir);
	if (i18n_load(sub, err, sizeof(err)) == -1 ||
	    render_init(dir, &words, err, sizeof(err)) == -1) {
		fprintf(stderr, "fuzz_batch: %s (run from the top of the tree "
		    "or set FUZZ_TEMPLATES_DIR)\n", err);
		exit(2);
	}
	return 0;
}

static void
check_utf8(const char *s)
{
	FUZZ_CHECK(s != NULL);
	FUZZ_CHECK(fuzz_utf8_valid(s, strlen(s)));
}

static void
check_json(const struct buf *b)
{
	struct json_tokener	*tok;
	json_object		*root;

	FUZZ_CHECK(!b->failed && b->data != NULL);
	tok = json_tokener_new();
	FUZZ_CHECK(tok != NULL);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, b->data, (int)b->len);
	if (json_tokener_get_error(tok) != json_tokener_success) {
		fprintf(stderr, "export_json: %s\n%.2000s\n",
		    json_tokener_error_desc(json_tokener_get_error(tok)),
		    b->data);
		FUZZ_CHECK(!"export_json wrote JSON that does not parse");
	}
	FUZZ_CHECK(json_object_is_type(root, json_type_object));
	json_object_put(root);
	json_tokener_free(tok);
}

#define OWN_SCRIPT	"static/batchstatus.js"

static void
one_view(const struct batch *b, const struct link_ctx *lc,
    const struct table_view *t, enum locale loc)
{
	struct batch_view	 v;
	struct buf		 out;
	struct tpage		*p;
	const char		*sc;
	size_t			 n;

	FUZZ_CHECK(view_batch_build(&v, b, "47021739-3426-40bf-9601-61b4b6d7c793",
	    "0127ed8e-ff72-4983-a3d8-e8d8bd378932", 1500998400) == 0);
	if (v.running)
		v.refresh_seconds = view_refresh_seconds(&v);
	buf_init(&out);
	FUZZ_CHECK(export_json(&v, NULL, loc, &out) == 0);
	check_json(&out);
	buf_reset(&out);
	/* Filtered the way the page's table and the exports are: still JSON. */
	{
		const struct view_filter f = { t->filter, t->code, t->search };

		FUZZ_CHECK(export_json(&v, &f, loc, &out) == 0);
		check_json(&out);
		buf_reset(&out);
		FUZZ_CHECK(export_csv(&v, &f, loc, &out) == 0);
		FUZZ_CHECK(!out.failed);
		buf_reset(&out);
	}
	FUZZ_CHECK(export_csv(&v, NULL, loc, &out) == 0);
	FUZZ_CHECK(!out.failed);
	buf_reset(&out);
	p = tpage_new("batch", LOC_EN_US);
	FUZZ_CHECK(p != NULL);
	page_batch_fill(p, &v, lc, t, loc);
	FUZZ_CHECK(tpage_render(p, &out) == 0);
	tpage_free(p);
	FUZZ_CHECK(out.data != NULL);
	/* The one script is the page's own, from static/; nothing upstream sent becomes one. */
	sc = strstr(out.data, "<script");
	FUZZ_CHECK(sc != NULL && strncmp(sc, "<script src=\"", 13) == 0);
	n = strcspn(sc + 13, "\"");
	FUZZ_CHECK(n >= sizeof(OWN_SCRIPT) - 1 && strncmp(sc + 13 + n -
	    (sizeof(OWN_SCRIPT) - 1), OWN_SCRIPT "\" defer></script>",
	    sizeof(OWN_SCRIPT "\" defer></script>") - 1) == 0);
	FUZZ_CHECK(strstr(sc + 1, "<script") == NULL);
	FUZZ_CHECK(strstr(out.data, "<img") == NULL);
	FUZZ_CHECK(strstr(out.data, "<iframe") == NULL);
	buf_free(&out);
	view_batch_free(&v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct link_ctx	 plain = { "", "", 0 };
	static const struct link_ctx	 mounted = { "/tools/batchstatus",
	    "ja-JP", 1 };
	static const struct table_view	 all = { "", "", 1, "" };
	static const struct table_view	 failed = { "failed", "1", 2, "808" };
	static const struct table_view	 none = { "none", "", 1, "ZtdDeviceDuplicated" };
	struct batch		 b;
	char			 err[256];
	size_t			 i, small_devices;
	int			 rc, small;

	/* A small limit on the same bytes: within it or BATCH_TOO_MANY. */
	err[0] = '\0';
	rc = batch_parse((const char *)data, size, 3, &b, err, sizeof(err));
	FUZZ_CHECK(rc == BATCH_OK || rc == BATCH_BAD || rc == BATCH_TOO_MANY);
	if (rc == BATCH_OK)
		FUZZ_CHECK(b.ndevices + b.nskipped <= 3);
	else {
		FUZZ_CHECK(err[0] != '\0' && b.ndevices == 0 && b.devices == NULL);
		FUZZ_CHECK(rc != BATCH_TOO_MANY || strstr(err, " 3 ") != NULL);
	}
	small = rc;
	small_devices = b.ndevices;
	batch_free(&b);

	err[0] = '\0';
	rc = batch_parse((const char *)data, size, BATCH_MAX_DEVICES_DEFAULT, &b,
	    err, sizeof(err));
	/* The limit changes nothing else: the same verdict within it. (With
	 * BATCH_TOO_MANY for 3, any verdict: the array past the limit may be
	 * one a later devicesStatus replaces.) */
	if (small == BATCH_OK)
		FUZZ_CHECK(rc == BATCH_OK && b.ndevices == small_devices);
	if (small == BATCH_BAD)
		FUZZ_CHECK(rc == BATCH_BAD);
	if (rc != BATCH_OK) {
		FUZZ_CHECK(rc == BATCH_BAD || rc == BATCH_TOO_MANY);
		FUZZ_CHECK(err[0] != '\0');
		FUZZ_CHECK(strnlen(err, sizeof(err)) < sizeof(err));
		FUZZ_CHECK(b.ndevices == 0);
		batch_free(&b);
		return 0;
	}
	FUZZ_CHECK(b.bytes >= b.ndevices * sizeof(struct device));
	check_utf8(b.tracking_id);
	check_utf8(b.status);
	check_utf8(b.started_raw);
	check_utf8(b.completed_raw);
	for (i = 0; i < b.ndevices; i++) {
		check_utf8(b.devices[i].device_id);
		check_utf8(b.devices[i].serial_number);
		check_utf8(b.devices[i].product_key);
		check_utf8(b.devices[i].status);
		check_utf8(b.devices[i].error_code);
		check_utf8(b.devices[i].error_description);
	}

	one_view(&b, &plain, &all, LOC_EN_US);
	one_view(&b, &mounted, &failed, LOC_JA_JP);
	one_view(&b, &plain, &none, LOC_HU_HU);

	batch_free(&b);
	return 0;
}
