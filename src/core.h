/* core.h: the serving core: accept, route at once, answer on the CPU pool what needs no Partner Center, park the rest; a clean stop. */
#ifndef BATCHSTATUS_CORE_H
#define BATCHSTATUS_CORE_H

#include <stdint.h>

#include "cpu.h"
#include "fetch.h"
#include "handler.h"

/*
 * accept threads: fcgi_accept, route ──┬── CPU pool: answer, write, finish
 *                                      └── park (fetch.c) ── I/O loop ── CPU pool: parse, render, write, finish
 * Two accept threads take requests as fast as they come, up to
 * max_requests accepted and not yet answered (beyond that the listen
 * backlog holds them), and route each at once (cheap: no render, no
 * write): a request that waits on Partner Center parks right there, a few
 * kilobytes of state, not a thread; one that can be answered goes to the
 * CPU pool.
 */
struct core_opts {
	int			 listen_fd;	/* -1: no accept thread (core_serve_local only) */
	long			 max_requests;	/* accepted and unanswered at most */
	struct fetch_ctx	*fetch;
	struct cpu_pool		*cpu;
};

struct core;

struct core	*core_start(const struct core_opts *);
/*
 * Stops accepting (shutting the listening socket), then waits until every
 * accepted request, parked ones included, has its answer written.
 */
void		 core_stop(struct core *);
/* Requests accepted and not yet answered. */
long		 core_in_use(struct core *);

/*
 * One request through the same path as an accepted one, without FastCGI
 * (tests, and no socket is involved): blocks until it is answered, parked
 * or not. The caller frees res->body and res->set_cookie.
 */
void		 core_serve_local(struct core *, const struct http_in *,
		    int64_t now, struct response *res);

#endif
