/* signin.h: the Entra ID token endpoint's request (client credentials or refresh token) and what its answer means. */
#ifndef BATCHSTATUS_SIGNIN_H
#define BATCHSTATUS_SIGNIN_H

#include <stddef.h>

#include "buf.h"
#include "pc_http.h"

#define SIGNIN_RESOURCE	"https://api.partnercenter.microsoft.com"
#define SIGNIN_MAX_BODY	(64 * 1024)	/* a token answer is a few KiB */

struct signin_opts {
	const char	*token_url;	/* {authority}/{tenant}/oauth2/token or .../v2.0/token */
	int		 v2;		/* scope=.../.default instead of resource=... */
	const char	*client_id;
	const char	*ca_file;	/* NULL or "": the system's CAs */
	long		 timeout_ms;	/* one sign-in call, whoever waits for it */
};

struct signin_answer {
	int	 ok;
	char	*access_token;		/* on ok; wiped by signin_answer_free */
	char	*refresh_token;		/* NULL unless the answer carried one */
	long	 expires_in;		/* seconds */
	long	 http_status;		/* 0: no HTTP answer */
	long	 elapsed_ms;
	/* When !ok, for pages and logs; never a secret. */
	char	 error[48];		/* OAuth "error" (invalid_client), or a word of ours */
	char	 aadsts[24];		/* AADSTS7000215, or "" */
	char	 detail[256];		/* transport failure or what was wrong with the answer */
};

/*
 * Reads a token endpoint answer (status and body) into a. Returns 0 when it
 * holds a usable access token, else -1 with error/aadsts/detail set.
 */
int	signin_parse(long http_status, const char *body, size_t len,
	    struct signin_answer *a);

/*
 * The x-www-form-urlencoded body of a token request into form:
 * grant_type=client_credentials (refresh_token NULL) or refresh_token,
 * the client's ID and secret, and resource= (v1) or scope= (v2). The
 * caller wipes the form. -1 when memory ran out.
 */
int	signin_form(const struct signin_opts *, const char *client_secret,
	    const char *refresh_token, struct buf *form);

/*
 * What a finished call to the token endpoint means: a transport failure
 * (error "timeout", "tls" or "unreachable") or the answer read by
 * signin_parse. Always fills a.
 */
void	signin_result(const struct pc_result *, struct signin_answer *a);

void	signin_answer_free(struct signin_answer *);

#endif
