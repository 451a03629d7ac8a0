/*
 * fuzz_route.c: libFuzzer harness for route_request over arbitrary REQUEST_URIs.
 *
 * The input (cut at its first NUL, as a C string from FastCGI would be) is
 * routed as GET and as HEAD; paths, percent-encoding and every query
 * option (lang, embed, status, code, q, page, customer, tracking) are reached
 * from the seeds. Invariants (abort when broken): HEAD routes exactly as
 * GET does; on BS_OK with a batch or redirect, customer and tracking are
 * canonical GUIDs (36 characters, lower case) and a batch URL spells them
 * so; lang is "" or one of en-US zh-TW ja-JP hu-HU; page >= 1; the status
 * filter is short, clean and lower case; the code is "" or letters and
 * digits, at most TABLE_CODE_MAX; the search is short, clean and has no
 * blank at either end (query_trim); on BS_ERR_BAD_INPUT the values
 * kept for the form are valid UTF-8 without control characters and the
 * message is a known one. Seeds: tests/fuzz/corpus/route/. Run: `make fuzz`.
 */
#include "fuzz.h"

#include "route.h"

static struct request get, head;

static int
lang_ok(const char *l)
{
	return l[0] == '\0' || strcmp(l, "en-US") == 0 ||
	    strcmp(l, "zh-TW") == 0 || strcmp(l, "ja-JP") == 0 ||
	    strcmp(l, "hu-HU") == 0;
}

/* Kept in lower case: one spelling per view. */
static int
filter_ok(const char *f)
{
	size_t n = strnlen(f, sizeof(get.table.filter));

	if (n >= sizeof(get.table.filter))
		return 0;
	for (; *f != '\0'; f++)
		if (!((*f >= 'a' && *f <= 'z') ||
		    (*f >= '0' && *f <= '9') || *f == '_' || *f == '-' ||
		    *f == ' '))
			return 0;
	return 1;
}

/* ?code=: letters and digits, bounded. */
static int
code_ok(const char *c)
{
	size_t n = strnlen(c, sizeof(get.table.code));

	if (n > TABLE_CODE_MAX)
		return 0;
	for (; *c != '\0'; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9')))
			return 0;
	return 1;
}

/* Trimmed: no ASCII blank, no-break or ideographic space at either end. */
static int
trimmed_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return 1;
	if ((unsigned char)s[0] <= 0x20 || (unsigned char)s[n - 1] <= 0x20)
		return 0;
	if (strncmp(s, "\xc2\xa0", 2) == 0 || strncmp(s, "\xe3\x80\x80", 3) == 0)
		return 0;
	if ((n >= 2 && strcmp(s + n - 2, "\xc2\xa0") == 0) ||
	    (n >= 3 && strcmp(s + n - 3, "\xe3\x80\x80") == 0))
		return 0;
	return 1;
}

static void
check(enum bs_error e, const struct request *r, const char *uri)
{
	char want[GUID_LEN * 2 + 32];

	FUZZ_CHECK(e == BS_OK || e == BS_ERR_BAD_INPUT || e == BS_ERR_NO_ROUTE ||
	    e == BS_ERR_BAD_BATCH_ID);
	FUZZ_CHECK(r->locale >= 0 && r->locale < LOC__MAX);
	FUZZ_CHECK(strnlen(r->link.lang, sizeof(r->link.lang)) <
	    sizeof(r->link.lang));
	FUZZ_CHECK(strnlen(r->table.search, sizeof(r->table.search)) <
	    sizeof(r->table.search));
	FUZZ_CHECK(strnlen(r->form_customer, sizeof(r->form_customer)) <
	    sizeof(r->form_customer));
	FUZZ_CHECK(strnlen(r->form_tracking, sizeof(r->form_tracking)) <
	    sizeof(r->form_tracking));
	if (e == BS_OK) {
		FUZZ_CHECK(r->route != NULL && r->format != NULL);
		FUZZ_CHECK(r->metric != NULL);
		FUZZ_CHECK(lang_ok(r->link.lang));
		FUZZ_CHECK(r->table.page >= 1 && r->table.page <= 9999999);
		FUZZ_CHECK(r->link.embed == 0 || r->link.embed == 1);
		FUZZ_CHECK(filter_ok(r->table.filter));
		FUZZ_CHECK(code_ok(r->table.code));
		FUZZ_CHECK(trimmed_ok(r->table.search));
		FUZZ_CHECK(fuzz_utf8_valid(r->table.search,
		    strlen(r->table.search)));
		FUZZ_CHECK(!fuzz_has_control(r->table.search));
		/* A route with IDs: they are canonical, whatever the spelling. */
		if (r->customer[0] != '\0' || r->tracking[0] != '\0') {
			FUZZ_CHECK(fuzz_guid_canonical(r->customer));
			/* A customer's own pages have no tracking ID. */
			FUZZ_CHECK(r->tracking[0] == '\0' ||
			    fuzz_guid_canonical(r->tracking));
		}
		/* A device batch's name: one the model takes. */
		if (r->route->res == RES_DEVICES)
			FUZZ_CHECK(dir_batch_id_ok(r->batch_id,
			    strlen(r->batch_id)) == 0);
		/* The batch page itself (no redirect): spelled canonically. */
		if ((r->route->flags & ROUTE_UPSTREAM) && r->route->res ==
		    RES_BATCH && !r->redirect) {
			snprintf(want, sizeof(want), "/customers/%s/batches/%s",
			    r->customer, r->tracking);
			FUZZ_CHECK(strncmp(uri, want, strlen(want)) == 0);
		}
	} else if (e == BS_ERR_BAD_INPUT) {
		/* At least one field says why; each says something it can say. */
		FUZZ_CHECK(r->msg[FIELD_CUSTOMER] != MSG_NONE ||
		    r->msg[FIELD_TRACKING] != MSG_NONE);
		FUZZ_CHECK(r->msg[FIELD_CUSTOMER] >= MSG_NONE &&
		    r->msg[FIELD_CUSTOMER] < MSG__MAX);
		FUZZ_CHECK(r->msg[FIELD_TRACKING] >= MSG_NONE &&
		    r->msg[FIELD_TRACKING] < MSG__MAX);
		FUZZ_CHECK(r->msg[FIELD_CUSTOMER] != MSG_TRACKING_MISSING &&
		    r->msg[FIELD_CUSTOMER] != MSG_TRACKING_INVALID &&
		    r->msg[FIELD_CUSTOMER] != MSG_TRACKING_MISMATCH);
		FUZZ_CHECK(r->msg[FIELD_TRACKING] != MSG_CUSTOMER_MISSING &&
		    r->msg[FIELD_TRACKING] != MSG_CUSTOMER_INVALID &&
		    r->msg[FIELD_TRACKING] != MSG_CUSTOMER_MISMATCH);
		/* Nothing half-valid leaves routing on bad input. */
		FUZZ_CHECK(r->customer[0] == '\0' && r->tracking[0] == '\0');
		FUZZ_CHECK(fuzz_utf8_valid(r->form_customer,
		    strlen(r->form_customer)));
		FUZZ_CHECK(fuzz_utf8_valid(r->form_tracking,
		    strlen(r->form_tracking)));
		FUZZ_CHECK(!fuzz_has_control(r->form_customer));
		FUZZ_CHECK(!fuzz_has_control(r->form_tracking));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*uri = fuzz_strndup(data, size);
	enum bs_error	 eg, eh, ep;

	struct http_in	 in = { "GET", uri, NULL, NULL, NULL, 0, NULL, 0, 0, NULL, NULL, NULL, NULL, 0, 0 };

	eg = route_request(&in, &get);
	check(eg, &get, uri);
	in.method = "HEAD";
	eh = route_request(&in, &head);
	FUZZ_CHECK(eh == eg);
	FUZZ_CHECK(head.head == 1 && get.head == 0);
	head.head = 0;
	FUZZ_CHECK(memcmp(&get, &head, sizeof(get)) == 0);
	/* POST: only the follow button's route takes it, and nothing else does. */
	in.method = "POST";
	ep = route_request(&in, &head);
	if (eg == BS_ERR_NO_ROUTE)
		FUZZ_CHECK(ep == BS_ERR_NO_ROUTE);
	else if (get.route != NULL && (get.route->flags & ROUTE_POST))
		FUZZ_CHECK(eg == BS_ERR_METHOD && ep != BS_ERR_METHOD);
	else
		FUZZ_CHECK(ep == BS_ERR_METHOD);
	free(uri);
	return 0;
}
