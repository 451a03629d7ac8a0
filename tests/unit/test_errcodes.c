/* test_errcodes.c: every documented error code and name finds its explanation; unknown ones find none. */
#include <string.h>

#include "errcodes.h"
#include "t.h"

/* Each documented code: its own entry, a one-line explanation worth reading, and the same entry by name. */
static void
test_every_documented_code_is_found_by_code_and_by_name(void)
{
	static const char *const codes[] = { "801", "802", "803", "806", "807",
	    "808", "809", "810", "811", "812", "813", "814" };
	const struct errcode *e;
	size_t i;
	int ok = 1;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		e = errcode_find(codes[i], "");
		if (e == NULL || strcmp(e->code, codes[i]) != 0 ||
		    strncmp(e->key, "err.", 4) != 0 || strcmp(e->key + 4,
		    codes[i]) != 0)
			ok = 0;
		/* Found by name alone, too; and with Microsoft's page about it. */
		if (e == NULL || errcode_find("", e->name) != e ||
		    e->doc == NULL || e->doc[0] == '\0' || e->doc[0] == '/' ||
		    strstr(e->doc, "://") != NULL)
			ok = 0;
	}
	CHECK(ok);
}

/* 808 by its name, the old spelling, any case, and a code with blanks. */
static void
test_a_name_is_found_in_any_spelling(void)
{
	const struct errcode *e;

	e = errcode_find("808", "ZtdDeviceAssignedToOtherTenant");
	CHECK(e != NULL && strcmp(e->name, "ZtdDeviceAssignedToOtherTenant") == 0);
	CHECK(errcode_find("", "ZtdDeviceAssignedToAnotherTenant") == e);
	CHECK(errcode_find("", "ztddeviceassignedtoothertenant") == e);
	CHECK(errcode_find(" 808 ", "") == e);
}

/* Errors that come by name only, or with a code that is not theirs. */
static void
test_errors_known_by_name_only(void)
{
	const struct errcode *e;

	e = errcode_find("", "ZtdDeviceDuplicated");
	CHECK(e != NULL && strcmp(e->key, "err.duplicated") == 0);
	e = errcode_find("0", "StorageError");
	CHECK(e != NULL && strcmp(e->name, "StorageError") == 0);
}

static void
test_unknown_codes_and_names_find_none(void)
{
	CHECK(errcode_find("999", "SomethingNew") == NULL);
	CHECK(errcode_find("", "") == NULL);
	CHECK(errcode_find(NULL, NULL) == NULL);
	CHECK(errcode_find("804", "") == NULL);
	CHECK(errcode_find("8080", "") == NULL);
}

/* The import errors Microsoft has a page for link there; the rest to Autopilot's troubleshooting. */
static void
test_806_and_808_have_their_own_page(void)
{
	CHECK_CONTAINS(errcode_find("806", "")->doc, "import-windows-autopilot-device-csv-files-errors");
	CHECK_CONTAINS(errcode_find("", "ZtdDeviceAssignedToAnotherTenant")->doc,
	    "import-windows-autopilot-device-csv-files-errors");
	CHECK_STR(errcode_find("812", "")->doc, ERRCODE_DOC_ANY);
}

int
main(void)
{
	T_RUN(test_every_documented_code_is_found_by_code_and_by_name);
	T_RUN(test_a_name_is_found_in_any_spelling);
	T_RUN(test_errors_known_by_name_only);
	T_RUN(test_unknown_codes_and_names_find_none);
	T_RUN(test_806_and_808_have_their_own_page);
	return t_done("test_errcodes");
}
