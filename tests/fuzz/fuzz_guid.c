/*
 * fuzz_guid.c: libFuzzer harness for GUID and Location parsing.
 *
 * The input, as arbitrary bytes, goes to guid_parse, guid_read_paste,
 * route_decode (the first byte picks the output size and whether '+' is a
 * space), and through route_request as a raw REQUEST_URI and as a
 * percent-encoded ?tracking= value (the form's "paste a Location" path).
 * Invariants (abort when broken): an accepted GUID is canonical and parses
 * again to itself; a paste gives canonical GUIDs exactly where its kind
 * says it has them, and the same reading again when read once more (the
 * cleaning is idempotent on what it yields); a decoded value fits its
 * buffer and is NUL-terminated; a redirect carries canonical GUIDs. Seeds: tests/fuzz/corpus/guid/. Run: `make fuzz` (tests/fuzz/run.sh).
 */
#include "fuzz.h"

#include "guid.h"
#include "pages.h"
#include "route.h"

static struct request req;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		 g[GUID_LEN + 1], again[GUID_LEN + 1];
	struct guid_read pr, pr2;
	char		*s, *out, *uri;
	size_t		 outsz, n, i, k;
	int		 rc;
	enum bs_error	 e;
	struct http_in	 in = { "GET", "", NULL, NULL, NULL, 0, NULL, 0, 0, NULL, NULL, NULL, NULL, 0, 0 };
	static const char hex[] = "0123456789ABCDEF";

	s = fuzz_strndup(data, size);

	if (guid_parse(s, size, g) == 0) {
		FUZZ_CHECK(fuzz_guid_canonical(g));
		FUZZ_CHECK(guid_parse(g, GUID_LEN, again) == 0);
		FUZZ_CHECK(memcmp(g, again, sizeof(g)) == 0);
	}
	guid_read_paste(s, size, &pr);
	FUZZ_CHECK(pr.kind >= GUID_PASTE_EMPTY && pr.kind <= GUID_PASTE_NOT_GUID);
	if (pr.kind == GUID_PASTE_ID || pr.kind == GUID_PASTE_PAIR) {
		FUZZ_CHECK(fuzz_guid_canonical(pr.id));
		FUZZ_CHECK(guid_parse(pr.id, GUID_LEN, again) == 0);
	} else
		FUZZ_CHECK(pr.id[0] == '\0');
	if (pr.kind == GUID_PASTE_PAIR)
		FUZZ_CHECK(fuzz_guid_canonical(pr.customer));
	else
		FUZZ_CHECK(pr.customer[0] == '\0');
	if (pr.kind == GUID_PASTE_ID) {
		guid_read_paste(pr.id, GUID_LEN, &pr2);
		FUZZ_CHECK(pr2.kind == GUID_PASTE_ID &&
		    strcmp(pr2.id, pr.id) == 0);
	}

	/* route_decode into a buffer of exactly outsz bytes (ASan sees any overrun). */
	if (size > 0) {
		outsz = 1 + (data[0] >> 1);
		if ((out = malloc(outsz)) == NULL)
			abort();
		rc = query_decode(s + 1, size - 1, out, outsz, &n, data[0] & 1);
		FUZZ_CHECK(rc == 0 || rc == -1 || rc == -2);
		if (rc == 0) {
			FUZZ_CHECK(n < outsz && n <= size - 1);
			FUZZ_CHECK(out[n] == '\0');
		}
		free(out);
	}

	/* The input as the raw REQUEST_URI. */
	in.uri = s;
	e = route_request(&in, &req);
	if (e == BS_OK && req.customer[0] != '\0') {
		FUZZ_CHECK(fuzz_guid_canonical(req.customer));
		/* /customers/{customer} has no tracking ID. */
		FUZZ_CHECK(req.tracking[0] == '\0' ||
		    fuzz_guid_canonical(req.tracking));
	}

	/* The input as the form's tracking field: "/?customer=&tracking=<percent-encoded>". */
	if ((uri = malloc(32 + 3 * size)) == NULL)
		abort();
	k = (size_t)sprintf(uri, "/?customer=&tracking=");
	for (i = 0; i < size; i++) {
		uri[k++] = '%';
		uri[k++] = hex[data[i] >> 4];
		uri[k++] = hex[data[i] & 15];
	}
	uri[k] = '\0';
	in.uri = uri;
	e = route_request(&in, &req);
	if (e == BS_OK) {
		FUZZ_CHECK(req.route != NULL && req.route->answer == page_lookup);
		FUZZ_CHECK(fuzz_guid_canonical(req.customer));
		FUZZ_CHECK(fuzz_guid_canonical(req.tracking));
		/* Accepted through the form's tracking field alone only when it reads as a pair: those IDs. */
		FUZZ_CHECK(pr.kind == GUID_PASTE_PAIR);
		FUZZ_CHECK(strcmp(pr.customer, req.customer) == 0 &&
		    strcmp(pr.id, req.tracking) == 0);
	}
	free(uri);
	free(s);
	return 0;
}
