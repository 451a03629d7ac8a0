/* errcodes.c: the documented device registration errors (801-814, ZtdDeviceDuplicated, StorageError) and their catalog keys (the advice is in the catalogs). */
#include "errcodes.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

/* Microsoft's pages (learn.microsoft.com paths, links.c adds the reader's language). */
#define DOC_IMPORT	"troubleshoot/mem/intune/device-enrollment/import-windows-autopilot-device-csv-files-errors"

static const struct errcode codes[] = {
	{ "801", "InvalidZtdRequestBody", "err.801", 0, ERRCODE_DOC_ANY },
	{ "802", "InvalidZtdHardwareHash", "err.802", 0, ERRCODE_DOC_ANY },
	{ "803", "MissingZtdSerialNumberAndProductKey", "err.803", 0, ERRCODE_DOC_ANY },
	{ "806", "ZtdDeviceAlreadyAssigned", "err.806", 1, DOC_IMPORT },
	{ "807", "ZtdDeviceIsNotRegistered", "err.807", 0, ERRCODE_DOC_ANY },
	{ "808", "ZtdDeviceAssignedToOtherTenant", "err.808", 0, DOC_IMPORT },
	{ "809", "ZtdProfileIsNotRegistered", "err.809", 0, ERRCODE_DOC_ANY },
	{ "810", "ZtdProfileAssignedToOtherTenant", "err.810", 0, ERRCODE_DOC_ANY },
	{ "811", "ZtdDeviceRegisteredByOtherTenant", "err.811", 0, ERRCODE_DOC_ANY },
	{ "812", "ZtdDeviceNotFound", "err.812", 0, ERRCODE_DOC_ANY },
	{ "813", "ZtdDeviceIsNotUnique", "err.813", 0, ERRCODE_DOC_ANY },
	{ "814", "ZtdDeviceAlreadyAadRegistered", "err.814", 0, ERRCODE_DOC_ANY },
	{ "", "ZtdDeviceDuplicated", "err.duplicated", 0, ERRCODE_DOC_ANY },
	{ "", "StorageError", "err.storage", 0, ERRCODE_DOC_ANY },
};
#define NCODES (sizeof(codes) / sizeof(codes[0]))

/* Other spellings seen for the same errors. */
static const struct {
	const char	*alias;
	const char	*name;
} aliases[] = {
	{ "ZtdDeviceAssignedToAnotherTenant", "ZtdDeviceAssignedToOtherTenant" },
};

static const char *
trimmed(const char *s, size_t *len)
{
	while (*s == ' ')
		s++;
	*len = strlen(s);
	while (*len > 0 && s[*len - 1] == ' ')
		(*len)--;
	return s;
}

const struct errcode *
errcode_find(const char *code, const char *description)
{
	size_t		 i, clen, dlen;
	const char	*c = trimmed(code ? code : "", &clen);
	const char	*d = trimmed(description ? description : "", &dlen);

	if (clen > 0) {
		for (i = 0; i < NCODES; i++)
			if (codes[i].code[0] != '\0' &&
			    strlen(codes[i].code) == clen &&
			    memcmp(codes[i].code, c, clen) == 0)
				return &codes[i];
	}
	if (dlen == 0)
		return NULL;
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strlen(aliases[i].alias) == dlen &&
		    strncasecmp(aliases[i].alias, d, dlen) == 0) {
			d = aliases[i].name;
			dlen = strlen(d);
		}
	for (i = 0; i < NCODES; i++)
		if (strlen(codes[i].name) == dlen &&
		    strncasecmp(codes[i].name, d, dlen) == 0)
			return &codes[i];
	return NULL;
}
