/* http.h: one FastCGI request read, handled and answered; the only place that touches libfcgi streams. */
#ifndef BATCHSTATUS_HTTP_H
#define BATCHSTATUS_HTTP_H

#include <fcgiapp.h>

#include "fetch.h"
#include "handler.h"

/* Who may frame the pages: 'self' plus these origins (space-separated, checked by config). Once, before threads. */
void	http_init(const char *frame_ancestors);

/* Serves one accepted request: reads its parameters, handles it, writes the answer, logs one line. */
void	http_serve(FCGX_Request *, struct fetch_ctx *);

/* Writes the status line, headers (security headers included) and body. */
void	http_write(FCGX_Stream *, const struct response *);

#endif
