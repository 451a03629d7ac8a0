/*
 * fuzz_notify.c: libFuzzer harness for the notification targets file
 * (notify_targets_parse: what an operator writes) and the bodies built
 * from Partner Center's and customers' text (notify_body). Invariants
 * (abort when broken): at most NOTIFY_TARGETS_MAX targets, each an
 * https:// URL of visible ASCII within NOTIFY_URL_MAX; every body of
 * every format, made with the input's lines as its strings, is one JSON
 * value json-c reads back whole. Seeds: tests/fuzz/corpus/notify/. Run:
 * `make fuzz`.
 */
#include "fuzz.h"

#include <json-c/json.h>
#include <strings.h>

#include "notify.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct notify_targets	 t;
	struct notice		 n;
	struct buf		 b;
	json_object		*o;
	char			 err[256], *text, *parts[6];
	size_t			 i, k;
	int			 f;

	if (notify_targets_parse((const char *)data, size, &t, err,
	    sizeof(err)) == 0) {
		FUZZ_CHECK(t.n <= NOTIFY_TARGETS_MAX);
		for (i = 0; i < t.n; i++) {
			FUZZ_CHECK(strncasecmp(t.t[i].url, "https://", 8) == 0);
			FUZZ_CHECK(strlen(t.t[i].url) <= NOTIFY_URL_MAX);
			for (k = 0; t.t[i].url[k] != '\0'; k++)
				FUZZ_CHECK((unsigned char)t.t[i].url[k] > 0x20 &&
				    (unsigned char)t.t[i].url[k] < 0x7f);
			FUZZ_CHECK((unsigned)t.t[i].format < NOTIFY__MAX);
		}
	} else
		FUZZ_CHECK(err[0] != '\0');

	/* The input's lines as the strings of a notice (json-c escapes what it must). */
	if ((text = fuzz_strndup(data, size)) == NULL)
		return 0;
	for (i = 0; i < 6; i++)
		parts[i] = "";
	for (i = 0, parts[0] = text; i + 1 < 6; i++) {
		char *nl = strchr(parts[i], '\n');

		if (nl == NULL)
			break;
		*nl = '\0';
		parts[i + 1] = nl + 1;
	}
	memset(&n, 0, sizeof(n));
	n.kind = size % 2 ? NOTICE_FINISHED : NOTICE_STILL_RUNNING;
	n.customer = parts[0];
	n.customer_name = parts[1];
	n.tracking = parts[2];
	n.status = n.outcome = parts[3];
	n.title = n.link_text = n.customer_label = n.tracking_label =
	    n.errors_label = n.counts_text = parts[4];
	n.headline = parts[5];
	n.url = size % 3 ? parts[1] : "";
	n.errors[0].code = parts[2];
	n.errors[0].name = parts[3];
	n.errors[0].explanation = parts[5];
	n.errors[0].n = size;
	n.nerrors = size % 4 ? 1 : 0;
	n.at = (int64_t)size * 1000;
	for (f = 0; f < NOTIFY__MAX; f++) {
		buf_init(&b);
		/* Bytes that are not UTF-8 pass through json-c's writer and its lenient reader alike. */
		if (notify_body((enum notify_format)f, &n, &b) == 0) {
			FUZZ_CHECK(b.data != NULL);
			o = json_tokener_parse(b.data);
			FUZZ_CHECK(o != NULL);
			json_object_put(o);
		}
		buf_free(&b);
	}
	free(text);
	return 0;
}
