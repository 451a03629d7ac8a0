/* test_guid.c: GUID normalisation, every paste form read (or refused, and why), and fresh v4 GUIDs. */
#include <stdio.h>
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

#define C "47021739-3426-40bf-9601-61b4b6d7c793"
#define T "0127ed8e-ff72-4983-a3d8-e8d8bd378932"
#define LOC "/customers/" C "/batchJobStatus/" T

static struct guid_read got;

/* What a paste reads as (into got). */
static enum guid_paste
paste(const char *s)
{
	guid_read_paste(s, strlen(s), &got);
	return got.kind;
}

/* Whether s reads as the pair C, T. */
static int
pair(const char *s)
{
	return paste(s) == GUID_PASTE_PAIR && strcmp(got.customer, C) == 0 &&
	    strcmp(got.id, T) == 0;
}

/* Whether s reads as the one GUID T. */
static int
one(const char *s)
{
	return paste(s) == GUID_PASTE_ID && strcmp(got.id, T) == 0 &&
	    got.customer[0] == '\0';
}

static void
test_paste_plain_location_gives_both_ids(void)
{
	CHECK(pair(LOC));
	CHECK(pair(LOC "/"));
	CHECK(pair("/v1" LOC));
	CHECK(pair(" https://api.partnercenter.microsoft.com/v1/customers/"
	    "47021739-3426-40BF-9601-61b4b6d7c793/batchjobstatus/"
	    "0127ED8E-ff72-4983-a3d8-e8d8bd378932/ "));
	CHECK(pair("http://localhost:8443" LOC));
	CHECK(pair("customers/" C "/batchJobStatus/" T));
}

static void
test_paste_header_line(void)
{
	CHECK(pair("Location: " LOC));
	CHECK(pair("location: https://api.partnercenter.microsoft.com/v1" LOC));
	CHECK(pair("LOCATION:" LOC "\r\n"));
	CHECK(pair("Location : " LOC));
}

/* A block of response headers, or a JSON object over lines: its one Location line. */
static void
test_paste_the_location_line_of_several(void)
{
	CHECK(pair("HTTP/1.1 202 Accepted\r\nLocation: " LOC "\r\n"
	    "Content-Length: 0\r\n\r\n"));
	CHECK(pair("{\n  \"batchId\": \"b1\",\n  \"Location\": \"" LOC
	    "\",\n  \"x\": 1\n}"));
	CHECK(pair("location: " LOC "\nRetry-After: 5"));
	/* Two Location lines: which one is meant would be a guess. */
	CHECK(paste("Location: " LOC "\nLocation: /customers/" C
	    "/batchJobStatus/" C) != GUID_PASTE_PAIR);
	/* Lines, none of them a Location: read as they are. */
	CHECK(paste("HTTP/1.1 202 Accepted\nContent-Length: 0") ==
	    GUID_PASTE_NOT_GUID);
}

static void
test_paste_query_and_fragment_are_ignored(void)
{
	CHECK(pair(LOC "?api-version=1.0"));
	CHECK(pair(LOC "#top"));
	CHECK(pair("https://h/v1" LOC "/?a=b#c"));
}

static void
test_paste_json_member(void)
{
	CHECK(pair("\"Location\": \"" LOC "\""));
	CHECK(pair("\"Location\": \"" LOC "\","));
	CHECK(pair("  \"location\":\"" LOC "\" ,\n"));
	CHECK(pair("{\"Location\": \"" LOC "\"}"));
}

static void
test_paste_our_own_batch_url(void)
{
	CHECK(pair("https://our-host/customers/" C "/batches/" T));
	CHECK(pair("https://our-host/tools/batchstatus/customers/" C "/batches/"
	    T));
	CHECK(pair("https://our-host/customers/" C "/batches/" T ".json"));
	CHECK(pair("https://our-host/customers/" C "/batches/" T ".CSV"));
	CHECK(pair("https://our-host:8443/customers/" C "/batches/" T
	    "?lang=ja-JP&status=failed"));
	CHECK(pair("/customers/" C "/batches/" T));
}

/* A device batch URL names a batch by its name, not a tracking ID. */
static void
test_paste_device_batch_url_is_told_apart(void)
{
	CHECK(paste("https://api.partnercenter.microsoft.com/v1/customers/" C
	    "/deviceBatches/my-batch/devices") == GUID_PASTE_DEVICE_BATCH);
	CHECK(paste("/customers/" C "/deviceBatches/" T) ==
	    GUID_PASTE_DEVICE_BATCH);
	CHECK(paste("/v1/customers/" C "/deviceBatches") ==
	    GUID_PASTE_DEVICE_BATCH);
	CHECK(got.customer[0] == '\0' && got.id[0] == '\0');
}

static void
test_paste_quotes_and_brackets(void)
{
	CHECK(pair("\"" LOC "\""));
	CHECK(pair("'" LOC "'"));
	CHECK(pair("<" LOC ">"));
	CHECK(pair("\xe2\x80\x9c" LOC "\xe2\x80\x9d"));	/* “…” */
	CHECK(pair("\xe2\x80\x98" LOC "\xe2\x80\x99"));	/* ‘…’ */
	CHECK(one("\"" T "\""));
	CHECK(one("\xe2\x80\x9c" T "\xe2\x80\x9d"));
	CHECK(one("<" T ">"));
	CHECK(one("`" T "`"));
	CHECK(one("\xc2\xab" T "\xc2\xbb"));	/* «…» */
	CHECK(one("\"" T "\","));
}

static void
test_paste_urn_braces_and_bare_hex(void)
{
	CHECK(one("urn:uuid:" T));
	CHECK(one("URN:UUID:0127ED8E-FF72-4983-A3D8-E8D8BD378932"));
	CHECK(one("{" T "}"));
	CHECK(one("<urn:uuid:{" T "}>"));
	CHECK(one("0127ed8eff724983a3d8e8d8bd378932"));
	CHECK(one("0127ED8EFF724983A3D8E8D8BD378932"));
	CHECK(one("{0127ed8eff724983a3d8e8d8bd378932}"));
	CHECK(paste("0127ed8eff724983a3d8e8d8bd37893") == GUID_PASTE_NOT_GUID);
	CHECK(paste("0127ed8eff724983a3d8e8d8bd3789320") ==
	    GUID_PASTE_NOT_GUID);
	CHECK(paste("0127ed8eff724983a3d8e8d8bd37893g") == GUID_PASTE_NOT_GUID);
}

/* Zero-width and non-breaking spaces, at the ends or inside; tabs and newlines around. */
static void
test_paste_invisible_and_odd_spaces(void)
{
	static const char *const zw[] = { "\xe2\x80\x8b", "\xe2\x80\x8c",
	    "\xe2\x80\x8d", "\xe2\x81\xa0", "\xef\xbb\xbf" };
	char	 s[200];
	size_t	 i;

	for (i = 0; i < sizeof(zw) / sizeof(zw[0]); i++) {
		snprintf(s, sizeof(s), "%s0127ed8e-ff72-%s4983-a3d8-e8d8bd378932%s",
		    zw[i], zw[i], zw[i]);
		CHECK(one(s));
	}
	CHECK(one("\xc2\xa0" T "\xc2\xa0"));
	CHECK(one("\xe2\x80\xaf" T "\xe2\x80\xaf"));
	CHECK(one("\t\n " T " \r\n\t"));
	CHECK(one("\xe3\x80\x80" T "\xe3\x80\x80"));	/* the ideographic space */
	CHECK(one("\xe2\x80\x87" T "\xe2\x80\x87"));	/* a figure space */
	CHECK(pair("\xef\xbb\xbf" "Location:\xc2\xa0" LOC "\xe2\x80\x8b\n"));
	/* A space is not invisible: inside a GUID it breaks it. */
	CHECK(paste("0127ed8e-ff72-4983 -a3d8-e8d8bd378932") ==
	    GUID_PASTE_NOT_GUID);
	CHECK(paste("0127ed8e-ff72-4983\xc2\xa0-a3d8-e8d8bd378932") ==
	    GUID_PASTE_NOT_GUID);
}

/* The dashes Word and Outlook make of a hyphen are hyphens in a GUID; an em dash is not one. */
static void
test_paste_typographic_hyphens(void)
{
	static const char *const dash[] = { "\xe2\x80\x90", "\xe2\x80\x91",
	    "\xe2\x80\x92", "\xe2\x80\x93", "\xe2\x88\x92", "\xef\xbc\x8d" };
	char	 s[200];
	size_t	 i;

	for (i = 0; i < sizeof(dash) / sizeof(dash[0]); i++) {
		snprintf(s, sizeof(s), "0127ed8e%sff72%s4983-a3d8%se8d8bd378932",
		    dash[i], dash[i], dash[i]);
		CHECK(one(s));
	}
	CHECK(paste("0127ed8e\xe2\x80\x94" "ff72-4983-a3d8-e8d8bd378932") ==
	    GUID_PASTE_NOT_GUID);	/* U+2014, the em dash */
}

static void
test_paste_blank_is_empty(void)
{
	CHECK(paste("") == GUID_PASTE_EMPTY);
	CHECK(paste(" \t\r\n") == GUID_PASTE_EMPTY);
	CHECK(paste("\xe2\x80\x8b\xc2\xa0") == GUID_PASTE_EMPTY);
	CHECK(paste("\"\"") == GUID_PASTE_EMPTY);
}

/* A Location of the right shape whose ID is not a whole GUID: cut short, or mistyped. */
static void
test_paste_location_with_a_bad_id(void)
{
	CHECK(paste("/customers/" C "/batchJobStatus/0127ed8e-ff72-4983") ==
	    GUID_PASTE_BAD_ID);
	CHECK(paste("/customers/" C "/batchJobStatus/") == GUID_PASTE_BAD_ID);
	CHECK(paste("/customers/" C "/batchJobStatus") == GUID_PASTE_BAD_ID);
	CHECK(paste("/customers/x/batchJobStatus/" T) == GUID_PASTE_BAD_ID);
	CHECK(paste("Location:") == GUID_PASTE_BAD_ID);
	CHECK(got.customer[0] == '\0' && got.id[0] == '\0');
}

/* Addresses that are no status Location: other pages, other words, junk hosts. */
static void
test_paste_other_addresses_are_not_status(void)
{
	CHECK(paste(LOC "/devices") == GUID_PASTE_NOT_STATUS);
	CHECK(paste("/customers/" C "/batchesX/" T) == GUID_PASTE_NOT_STATUS);
	CHECK(paste("/customers/" C) == GUID_PASTE_NOT_STATUS);
	CHECK(paste("https://a b" LOC) == GUID_PASTE_NOT_STATUS);
	CHECK(paste("https://" LOC) == GUID_PASTE_NOT_STATUS);
	CHECK(paste("/a%20b" LOC) == GUID_PASTE_NOT_STATUS);
	CHECK(paste("https://example.com/") == GUID_PASTE_NOT_STATUS);
	CHECK(paste("Location: nope") == GUID_PASTE_NOT_STATUS);
	CHECK(got.customer[0] == '\0' && got.id[0] == '\0');
}

/* Everything else is no GUID; nothing is ever guessed out of it. */
static void
test_paste_anything_else_is_not_a_guid(void)
{
	CHECK(paste("nope") == GUID_PASTE_NOT_GUID);
	CHECK(paste("../../etc/passwd") == GUID_PASTE_NOT_GUID);
	CHECK(paste(T "/../x") == GUID_PASTE_NOT_GUID);
	CHECK(paste("tracking " T) == GUID_PASTE_NOT_GUID);
	CHECK(paste("{" T) == GUID_PASTE_NOT_GUID);
	CHECK(paste("<script>") == GUID_PASTE_NOT_GUID);
	CHECK(got.customer[0] == '\0' && got.id[0] == '\0');
	guid_read_paste(T "\0x", 38, &got);
	CHECK(got.kind == GUID_PASTE_NOT_GUID);
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
	T_RUN(test_paste_plain_location_gives_both_ids);
	T_RUN(test_paste_header_line);
	T_RUN(test_paste_the_location_line_of_several);
	T_RUN(test_paste_query_and_fragment_are_ignored);
	T_RUN(test_paste_json_member);
	T_RUN(test_paste_our_own_batch_url);
	T_RUN(test_paste_device_batch_url_is_told_apart);
	T_RUN(test_paste_quotes_and_brackets);
	T_RUN(test_paste_urn_braces_and_bare_hex);
	T_RUN(test_paste_invisible_and_odd_spaces);
	T_RUN(test_paste_typographic_hyphens);
	T_RUN(test_paste_blank_is_empty);
	T_RUN(test_paste_location_with_a_bad_id);
	T_RUN(test_paste_other_addresses_are_not_status);
	T_RUN(test_paste_anything_else_is_not_a_guid);
	T_RUN(test_new_is_canonical_v4_and_fresh);
	return t_done("test_guid");
}
