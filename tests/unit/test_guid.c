/* test_guid.c: GUID normalisation, Location values, and fresh v4 GUIDs. */
#include <string.h>

#include "guid.h"
#include "t.h"

static const char *
norm(const char *in)
{
	static char out[GUID_LEN + 1];

	return guid_parse(in, strlen(in), out) == 0 ? out : NULL;
}

static void
test_parse_normalises_case_braces_and_blanks(void)
{
	CHECK_STR(norm("47021739-3426-40bf-9601-61b4b6d7c793"),
	    "47021739-3426-40bf-9601-61b4b6d7c793");
	CHECK_STR(norm("47021739-3426-40BF-9601-61B4B6D7C793"),
	    "47021739-3426-40bf-9601-61b4b6d7c793");
	CHECK_STR(norm("  {47021739-3426-40bf-9601-61b4b6d7c793}\t"),
	    "47021739-3426-40bf-9601-61b4b6d7c793");
	CHECK(norm("{47021739-3426-40bf-9601-61b4b6d7c793") == NULL);
	CHECK(norm("47021739-3426-40bf-9601-61b4b6d7c79") == NULL);
	CHECK(norm("47021739-3426-40bf-9601-61b4b6d7c7930") == NULL);
	CHECK(norm("4702173934-26-40bf-9601-61b4b6d7c793") == NULL);
	CHECK(norm("47021739-3426-40bf-9601-61b4b6d7c79g") == NULL);
	CHECK(norm("470217393426540bf596016161b4b6d7c793") == NULL);
	CHECK(norm("") == NULL);
	CHECK(norm("../../etc/passwd") == NULL);
}

static void
test_parse_refuses_an_embedded_nul(void)
{
	char c[GUID_LEN + 1];

	CHECK(guid_parse("47021739-3426-40bf-9601-61b4b6d7c793\0x", 38, c) == -1);
}

static void
test_location_gives_both_ids(void)
{
	char c[GUID_LEN + 1], t[GUID_LEN + 1];
	const char *loc;

	loc = "/customers/47021739-3426-40bf-9601-61b4b6d7c793/batchJobStatus/"
	    "0127ed8e-ff72-4983-a3d8-e8d8bd378932";
	CHECK(guid_parse_location(loc, strlen(loc), c, t) == 0);
	CHECK_STR(c, "47021739-3426-40bf-9601-61b4b6d7c793");
	CHECK_STR(t, "0127ed8e-ff72-4983-a3d8-e8d8bd378932");
	loc = " https://api.partnercenter.microsoft.com/v1/customers/"
	    "47021739-3426-40BF-9601-61b4b6d7c793/batchjobstatus/"
	    "0127ED8E-ff72-4983-a3d8-e8d8bd378932/ ";
	CHECK(guid_parse_location(loc, strlen(loc), c, t) == 0);
	CHECK_STR(t, "0127ed8e-ff72-4983-a3d8-e8d8bd378932");
	loc = "/v1/customers/47021739-3426-40bf-9601-61b4b6d7c793/batchJobStatus/"
	    "0127ed8e-ff72-4983-a3d8-e8d8bd378932";
	CHECK(guid_parse_location(loc, strlen(loc), c, t) == 0);
	loc = "http://localhost:8443/customers/47021739-3426-40bf-9601-"
	    "61b4b6d7c793/batchJobStatus/0127ed8e-ff72-4983-a3d8-e8d8bd378932";
	CHECK(guid_parse_location(loc, strlen(loc), c, t) == 0);
}

/* Wrong words, extra segments, bad GUIDs, junk hosts. */
static void
test_location_refuses_what_is_not_one(void)
{
	char c[GUID_LEN + 1], t[GUID_LEN + 1];
	const char *loc;

	loc = "/customers/47021739-3426-40bf-9601-61b4b6d7c793/batches/"
	    "0127ed8e-ff72-4983-a3d8-e8d8bd378932";
	CHECK(guid_parse_location(loc, strlen(loc), c, t) == -1);
	loc = "/customers/47021739-3426-40bf-9601-61b4b6d7c793/batchJobStatus/"
	    "0127ed8e-ff72-4983-a3d8-e8d8bd378932/devices";
	CHECK(guid_parse_location(loc, strlen(loc), c, t) == -1);
	loc = "/customers/x/batchJobStatus/0127ed8e-ff72-4983-a3d8-e8d8bd378932";
	CHECK(guid_parse_location(loc, strlen(loc), c, t) == -1);
	loc = "https://a b/customers/47021739-3426-40bf-9601-61b4b6d7c793/"
	    "batchJobStatus/0127ed8e-ff72-4983-a3d8-e8d8bd378932";
	CHECK(guid_parse_location(loc, strlen(loc), c, t) == -1);
	loc = "https:///customers/47021739-3426-40bf-9601-61b4b6d7c793/"
	    "batchJobStatus/0127ed8e-ff72-4983-a3d8-e8d8bd378932";
	CHECK(guid_parse_location(loc, strlen(loc), c, t) == -1);
	CHECK(guid_parse_location("0127ed8e-ff72-4983-a3d8-e8d8bd378932", 36,
	    c, t) == -1);
}

/* Fresh GUIDs: canonical, version 4, variant 10xx, different each time. */
static void
test_new_is_canonical_v4_and_fresh(void)
{
	char a[GUID_LEN + 1], b[GUID_LEN + 1];
	int i, ok = 1;

	for (i = 0; i < 1000; i++) {
		guid_new(a);
		guid_new(b);
		if (norm(a) == NULL || strcmp(norm(a), a) != 0 || a[14] != '4' ||
		    strchr("89ab", a[19]) == NULL || strcmp(a, b) == 0)
			ok = 0;
	}
	CHECK(ok);
}

int
main(void)
{
	T_RUN(test_parse_normalises_case_braces_and_blanks);
	T_RUN(test_parse_refuses_an_embedded_nul);
	T_RUN(test_location_gives_both_ids);
	T_RUN(test_location_refuses_what_is_not_one);
	T_RUN(test_new_is_canonical_v4_and_fresh);
	return t_done("test_guid");
}
