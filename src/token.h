/* token.h: where the bearer token comes from (a file, or the sign-in endpoint), cached and renewed; it never leaves the server and is never logged. */
#ifndef BATCHSTATUS_TOKEN_H
#define BATCHSTATUS_TOKEN_H

#include <stddef.h>

#include "errors.h"
#include "signin.h"

#define TOKEN_MAX	16384	/* JWTs from Entra ID are a few KiB */

enum token_kind {
	TOKEN_FROM_FILE,	/* a token someone else renews, re-read when the file changes */
	TOKEN_APP,		/* client credentials */
	TOKEN_APP_USER,		/* a refresh token, rotated in its file */
};

struct token_opts {
	enum token_kind		 kind;
	const char		*token_file;		/* TOKEN_FROM_FILE */
	const char		*client_secret_file;	/* TOKEN_APP, TOKEN_APP_USER */
	const char		*refresh_token_file;	/* TOKEN_APP_USER */
	struct signin_opts	 signin;
};

struct token_source;

struct token_source	*token_source_new(const struct token_opts *);
void			 token_source_free(struct token_source *);

/*
 * Copies a usable token into out (NUL-terminated). From the sign-in
 * endpoint it is renewed before it expires, by one caller while the others
 * keep using the old one or wait; after a failed sign-in no call is made
 * until a backoff (1 s doubling to 60 s) has passed. Returns BS_OK,
 * BS_ERR_TOKEN (the file is unusable) or BS_ERR_SIGNIN.
 */
enum bs_error		 token_get(struct token_source *, char *out,
			    size_t outsz);

/*
 * Partner Center refused token (401): it is dropped if it is still the
 * current one. again: it was itself the renewal for this call, refused
 * too; then refusals renew nothing for a minute. Returns 1 when asking
 * token_get again may give another token.
 */
int			 token_refused(struct token_source *, const char *token,
			    int again);

/* The last sign-in failure, fit for a page: "invalid_client AADSTS7000215", or "". */
void			 token_failure(struct token_source *, char *out,
			    size_t outsz);

#endif
