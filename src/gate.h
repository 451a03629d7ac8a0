/* gate.h: tells nginx whose kept pages it may serve: one empty file per allowed customer (or "any") in a directory nginx tests with -f. */
#ifndef BATCHSTATUS_GATE_H
#define BATCHSTATUS_GATE_H

#include <stddef.h>

#define GATE_ANY	"any"	/* the file when every customer is allowed */

/*
 * Makes dir (created if missing, mode 0755: nginx's workers must see in)
 * hold exactly the files of the allow-list in force: "any" when every
 * customer is allowed, else one per allowed customer GUID. Files that are
 * no longer allowed go first, so a removed customer's pages stop at once;
 * names that are neither "any" nor a GUID are left alone. dir NULL or "":
 * nothing to do. -1 with a message on failure (what could be done is).
 */
int	gate_sync(const char *dir, char *err, size_t errsz);

#endif
