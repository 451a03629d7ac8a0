/* errcodes.c: the documented device registration errors (801-814, ZtdDeviceDuplicated, StorageError) and their advice. */
#include "errcodes.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

static const struct errcode codes[] = {
	{ "801", "InvalidZtdRequestBody", "err.801",
	  "The upload request was malformed or had no tenant ID: upload the device again." },
	{ "802", "InvalidZtdHardwareHash", "err.802",
	  "The hardware hash is invalid: collect it again on the device and re-upload." },
	{ "803", "MissingZtdSerialNumberAndProductKey", "err.803",
	  "Serial number and product key are missing or invalid: supply one of them (or the hardware hash) and re-upload." },
	{ "806", "ZtdDeviceAlreadyAssigned", "err.806",
	  "The device is already registered to this customer: nothing to do." },
	{ "807", "ZtdDeviceIsNotRegistered", "err.807",
	  "The device is not in this customer's tenant, so it cannot be changed or removed: check the customer." },
	{ "808", "ZtdDeviceAssignedToOtherTenant", "err.808",
	  "The device is registered to another tenant: that tenant (or its partner) must deregister it first." },
	{ "809", "ZtdProfileIsNotRegistered", "err.809",
	  "The Autopilot profile is not registered to this tenant: create or pick a profile of this customer." },
	{ "810", "ZtdProfileAssignedToOtherTenant", "err.810",
	  "The Autopilot profile belongs to another tenant: use one of this customer's profiles." },
	{ "811", "ZtdDeviceRegisteredByOtherTenant", "err.811",
	  "The device was registered by another tenant, so you cannot delete it: ask that tenant or its partner." },
	{ "812", "ZtdDeviceNotFound", "err.812",
	  "No hardware hash matches this manufacturer, model and serial number: upload the hardware hash instead." },
	{ "813", "ZtdDeviceIsNotUnique", "err.813",
	  "The hardware hash matches more than one device: collect the hash again and re-upload." },
	{ "814", "ZtdDeviceAlreadyAadRegistered", "err.814",
	  "The device object already exists in Azure AD (Entra ID): remove it there, then re-upload." },
	{ "", "ZtdDeviceDuplicated", "err.duplicated",
	  "The same hardware hash appears twice in this upload: remove the duplicate line and upload again." },
	{ "", "StorageError", "err.storage",
	  "A temporary Partner Center service error: upload the device again later." },
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
