/*
 * fuzz_route.c: libFuzzer harness for route_request over arbitrary REQUEST_URIs.
 *
 * The input (cut at its first NUL, as a C string from FastCGI would be) is
 * routed as GET and as HEAD; paths, percent-encoding and every query
 * option (lang, embed, status, q, page, customer, tracking) are reached
 * from the seeds. Invariants (abort when broken): HEAD routes exactly as
 * GET does; on BS_OK with a batch or redirect, customer and tracking are
 * canonical GUIDs (36 characters, lower case) and a batch URL spells them
 * so; lang is "" or one of en-US zh-TW ja-JP hu-HU; page >= 1; the status
 * filter and search are short and clean; on BS_ERR_BAD_INPUT the values
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

static int
filter_ok(const char *f)
{
	size_t n = strnlen(f, sizeof(get.filter));

	if (n >= sizeof(get.filter))
		return 0;
	for (; *f != '\0'; f++)
		if (!((*f >= 'a' && *f <= 'z') || (*f >= 'A' && *f <= 'Z') ||
		    (*f >= '0' && *f <= '9') || *f == '_' || *f == '-' ||
		    *f == ' '))
			return 0;
	return 1;
}

static void
check(enum bs_error e, const struct request *r, const char *uri)
{
	char want[GUID_LEN * 2 + 32];

	FUZZ_CHECK(e == BS_OK || e == BS_ERR_BAD_INPUT || e == BS_ERR_NO_ROUTE);
	FUZZ_CHECK(strnlen(r->lang, sizeof(r->lang)) < sizeof(r->lang));
	FUZZ_CHECK(strnlen(r->search, sizeof(r->search)) < sizeof(r->search));
	FUZZ_CHECK(strnlen(r->form_customer, sizeof(r->form_customer)) <
	    sizeof(r->form_customer));
	FUZZ_CHECK(strnlen(r->form_tracking, sizeof(r->form_tracking)) <
	    sizeof(r->form_tracking));
	if (e == BS_OK) {
		FUZZ_CHECK(r->kind >= ROUTE_FORM && r->kind <= ROUTE_HEALTH);
		FUZZ_CHECK(lang_ok(r->lang));
		FUZZ_CHECK(r->page >= 1 && r->page <= 9999999);
		FUZZ_CHECK(r->embed == 0 || r->embed == 1);
		FUZZ_CHECK(filter_ok(r->filter));
		FUZZ_CHECK(fuzz_utf8_valid(r->search, strlen(r->search)));
		FUZZ_CHECK(!fuzz_has_control(r->search));
		FUZZ_CHECK(r->format == FORMAT_HTML || r->format == FORMAT_JSON ||
		    r->format == FORMAT_CSV);
		if (r->kind == ROUTE_BATCH || r->kind == ROUTE_REDIRECT) {
			FUZZ_CHECK(fuzz_guid_canonical(r->customer));
			FUZZ_CHECK(fuzz_guid_canonical(r->tracking));
		}
		if (r->kind == ROUTE_BATCH) {
			snprintf(want, sizeof(want), "/customers/%s/batches/%s",
			    r->customer, r->tracking);
			FUZZ_CHECK(strncmp(uri, want, strlen(want)) == 0);
		}
	} else if (e == BS_ERR_BAD_INPUT) {
		FUZZ_CHECK(r->msg > MSG_NONE && r->msg < MSG__MAX);
		FUZZ_CHECK(r->msg_field == MSG_CUSTOMER_INVALID ||
		    r->msg_field == MSG_TRACKING_INVALID);
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
	enum bs_error	 eg, eh;

	eg = route_request("GET", uri, &get);
	check(eg, &get, uri);
	eh = route_request("HEAD", uri, &head);
	FUZZ_CHECK(eh == eg);
	FUZZ_CHECK(head.head == 1 && get.head == 0);
	head.head = 0;
	FUZZ_CHECK(memcmp(&get, &head, sizeof(get)) == 0);
	FUZZ_CHECK(route_request("POST", uri, &head) == BS_ERR_METHOD);
	free(uri);
	return 0;
}
