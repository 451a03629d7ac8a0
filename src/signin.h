/* signin.h: one call to the Entra ID token endpoint (client credentials or refresh token) and what its answer means. */
#ifndef BATCHSTATUS_SIGNIN_H
#define BATCHSTATUS_SIGNIN_H

#include <stddef.h>

#define SIGNIN_RESOURCE	"https://api.partnercenter.microsoft.com"

struct signin_opts {
	const char	*token_url;	/* {authority}/{tenant}/oauth2/token or .../v2.0/token */
	int		 v2;		/* scope=.../.default instead of resource=... */
	const char	*client_id;
	const char	*ca_file;	/* NULL or "": the system's CAs */
	long		 timeout_ms;
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
 * POSTs grant_type=client_credentials (refresh_token NULL) or
 * grant_type=refresh_token to the token endpoint. Always fills a.
 */
void	signin_request(const struct signin_opts *, const char *client_secret,
	    const char *refresh_token, struct signin_answer *a);

void	signin_answer_free(struct signin_answer *);

#endif
