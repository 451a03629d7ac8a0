/* test_errcodes.c: every documented error code and name finds its explanation; unknown ones find none. */
#include <string.h>

#include "errcodes.h"
#include "t.h"

int
main(void)
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
		/* Found by name alone, too. */
		if (e == NULL || errcode_find("", e->name) != e)
			ok = 0;
	}
	CHECK(ok);
	e = errcode_find("808", "ZtdDeviceAssignedToOtherTenant");
	CHECK(e != NULL && strcmp(e->name, "ZtdDeviceAssignedToOtherTenant") == 0);
	CHECK(errcode_find("", "ZtdDeviceAssignedToAnotherTenant") == e);
	CHECK(errcode_find("", "ztddeviceassignedtoothertenant") == e);
	CHECK(errcode_find(" 808 ", "") == e);
	e = errcode_find("", "ZtdDeviceDuplicated");
	CHECK(e != NULL && strcmp(e->key, "err.duplicated") == 0);
	e = errcode_find("0", "StorageError");
	CHECK(e != NULL && strcmp(e->name, "StorageError") == 0);
	CHECK(errcode_find("999", "SomethingNew") == NULL);
	CHECK(errcode_find("", "") == NULL);
	CHECK(errcode_find(NULL, NULL) == NULL);
	CHECK(errcode_find("804", "") == NULL);
	CHECK(errcode_find("8080", "") == NULL);
	return t_done("test_errcodes");
}
