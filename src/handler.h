/* handler.h: one request from raw method and URI to a finished response, in the project's one direction. */
#ifndef BATCHSTATUS_HANDLER_H
#define BATCHSTATUS_HANDLER_H

#include <stdint.h>

#include "buf.h"
#include "fetch.h"
#include "guid.h"

struct response {
	int		 status;
	const char	*content_type;
	char		 location[160];		/* for redirects */
	char		 disposition[128];	/* Content-Disposition for downloads */
	long		 retry_after;		/* -1: none */
	int		 allow;			/* send Allow: GET, HEAD */
	int		 head;			/* HEAD: headers only */
	char		 correlation_id[GUID_LEN + 1];
	const char	*outcome;		/* a short word for the log */
	struct buf	 body;
};

/*
 * validate -> route -> fetch -> model -> view -> template. Never fails:
 * every problem becomes a page with the right status. fetch may be NULL
 * in tests that never reach upstream. The caller frees res->body.
 */
void	handle_request(struct fetch_ctx *fetch, const char *method,
	    const char *uri, int64_t now, struct response *res);

#endif
