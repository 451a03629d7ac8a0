/* errcodes.h: Autopilot device registration error codes and what to tell a user about each. */
#ifndef BATCHSTATUS_ERRCODES_H
#define BATCHSTATUS_ERRCODES_H

struct errcode {
	const char	*code;		/* "808", or "" for the named-only errors */
	const char	*name;		/* ZtdDeviceAssignedToOtherTenant */
	const char	*key;		/* its catalog key (err.808): what it means, what to do, in the reader's words */
	int		 registered;	/* not a failure: the device is registered all the same (806, already this tenant's) */
	const char	*doc;		/* Microsoft's page about it: a learn.microsoft.com path (link_doc_url) */
};

/* Microsoft's page for any Autopilot registration trouble: for the errors without one of their own, and for unknown ones. */
#define ERRCODE_DOC_ANY	"autopilot/troubleshooting-faq"

/*
 * Finds the documented error for a device's errorCode and/or
 * errorDescription (either may be empty; names match in any case, with
 * known alternative spellings). Returns NULL for anything unknown, which
 * the page then shows as it came.
 */
const struct errcode	*errcode_find(const char *code, const char *description);

#endif
