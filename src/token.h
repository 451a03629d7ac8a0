/* token.h: where the bearer token comes from; it never leaves the server and is never logged. */
#ifndef BATCHSTATUS_TOKEN_H
#define BATCHSTATUS_TOKEN_H

#include <stddef.h>

#define TOKEN_MAX	16384	/* JWTs from Entra ID are a few KiB */

struct token_source;

/* A token read from a file, read again whenever the file changes (rotation). */
struct token_source	*token_source_file(const char *path);
void			 token_source_free(struct token_source *);
/*
 * Copies the current token into out (NUL-terminated). Returns 0, or -1
 * when there is none usable (the reason is logged, never the token).
 */
int			 token_get(struct token_source *, char *out, size_t outsz);

#endif
