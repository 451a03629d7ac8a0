/* token.h: where the bearer token comes from (a file, or the sign-in endpoint), cached and renewed without blocking a thread; it never leaves the server and is never logged. */
#ifndef BATCHSTATUS_TOKEN_H
#define BATCHSTATUS_TOKEN_H

#include <stddef.h>

#include "cpu.h"
#include "errors.h"
#include "pc_http.h"
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

/* Someone waiting for the renewal in flight; it lives in the waiter's own object. */
struct token_waiter {
	struct token_waiter	*next;
	/* Called once, on a CPU worker, when the renewal ended: ask token_get again. Must not block. */
	void			(*wake)(struct token_waiter *);
};

enum token_step {
	TOKEN_READY,	/* *token holds a copy: wipe and free it with wipe_str (wipe.h) */
	TOKEN_FAILED,	/* *err: BS_ERR_TOKEN (the file is unusable) or BS_ERR_SIGNIN */
	TOKEN_WAIT,	/* w joined the renewal in flight: w->wake comes later */
};

struct token_source;

struct token_source	*token_source_new(const struct token_opts *);
/* Sign-ins go through this loop, their answers are read on this pool. Once, before the first token_get. */
void			 token_source_start(struct token_source *,
			    struct pc_loop *, struct cpu_pool *);
/* After everything that used it has ended (the loop stopped first). */
void			 token_source_free(struct token_source *);
/* BATCHSTATUS_SHARED: signs in once for every node (the token, sealed, through Redis); nothing for a token file. Before the first token_get. */
struct shared;
struct seal_key;
void			 token_source_share(struct token_source *,
			    struct shared *, const struct seal_key *);
/* A reload: the token file is read again at the next use; a sign-in in its backoff is tried again at once. */
void			 token_source_reload(struct token_source *);

/*
 * A usable token, never blocking on the network. From the sign-in
 * endpoint it is renewed before it expires: the first caller past the
 * renewal time starts one sign-in and, like everyone meanwhile, keeps
 * using the current token; only when there is none (or it expired) do
 * callers wait (TOKEN_WAIT, w joins), all for the same sign-in. After a
 * failed sign-in no call is made until a backoff (1 s doubling to 60 s)
 * has passed. A file is read (small, local) right here.
 */
enum token_step		 token_get(struct token_source *, char **token,
			    enum bs_error *err, struct token_waiter *w);
/* Takes w out of the renewal's waiters: 1 when it was there (its wake will not come), 0 when its wake is under way. */
int			 token_cancel_wait(struct token_source *,
			    struct token_waiter *w);

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
