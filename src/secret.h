/* secret.h: files that hold secrets: their permissions, reading them, replacing them atomically. */
#ifndef BATCHSTATUS_SECRET_H
#define BATCHSTATUS_SECRET_H

#include <stddef.h>

/*
 * 0 when path is a regular file that neither group nor others may read or
 * write; otherwise -1 with a message naming the file and the fix.
 */
int	secret_check(const char *path, char *err, size_t errsz);

/*
 * Reads a one-line secret: surrounding white space is dropped, and it must
 * be non-empty visible ASCII shorter than outsz. Returns 0, or -1 with the
 * reason in err (never any of the file's content). out is wiped on failure.
 */
int	secret_read(const char *path, char *out, size_t outsz, char *err,
	    size_t errsz);

/*
 * Replaces the file's content with value and a newline: a temporary file
 * in the same directory (mode 0600), fsync, rename over path, fsync of the
 * directory. A crash leaves the old or the new file, never half of one.
 */
int	secret_replace(const char *path, const char *value, char *err,
	    size_t errsz);

#endif
