/* fcgi.h: the FastCGI side: the listening socket, accepting one request, writing its answer; the only file that knows libfcgi. */
#ifndef BATCHSTATUS_FCGI_H
#define BATCHSTATUS_FCGI_H

#include "handler.h"

/* One request's FastCGI connection. The struct is reused for request after request, never for two at once. */
struct fcgi_conn;

/* Once, before threads: the library, and who may frame the pages ('self' plus these origins, checked by config). */
int		 fcgi_init(const char *frame_ancestors);

/*
 * The listening socket: listen ("unix:/path" or "host:port") made here
 * with room for backlog waiting connections (the kernel's somaxconn caps
 * it), or "" for fd 0 as spawn-fcgi and systemd hand it over (its backlog
 * raised the same way). *unix_path is the path to unlink at exit, or NULL.
 * -1 with the reason logged.
 */
int		 fcgi_listen(const char *listen, int backlog,
		    const char **unix_path);
/* Wakes every accept (they return -1) and lets no new request in. */
void		 fcgi_shutdown(int listen_fd);

struct fcgi_conn *fcgi_conn_new(int listen_fd);
void		 fcgi_conn_free(struct fcgi_conn *);

/*
 * Waits for the next request and reads its parameters into in (the
 * strings live until fcgi_finish). Returns 0, or -1 when the socket
 * failed or was shut.
 */
int		 fcgi_accept(struct fcgi_conn *, struct http_in *in);
/* Writes the status line, headers (security headers included) and body; it may block while nginx reads. */
void		 fcgi_write(struct fcgi_conn *, const struct response *);
/* Ends the request (libfcgi drains for up to 2 s): on a CPU worker, never on the I/O loop. */
void		 fcgi_finish(struct fcgi_conn *);

#endif
