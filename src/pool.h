/* pool.h: the worker threads, from a few up to a maximum as requests wait. */
#ifndef POOL_H
#define POOL_H

#include "cache.h"
#include "token.h"
#include "upstream.h"

struct pool_opts {
	int			 listen_fd;
	long			 max_threads;	/* BATCHSTATUS_THREADS */
	long			 min_spare;	/* threads started at once (and never fewer) */
	long			 max_runnable;	/* no new thread while this many are busy other than waiting on Partner Center */
	long			 max_spare;	/* a thread that finishes while this many are free ends */
	struct upstream_opts	 upstream;	/* each thread has its own client */
	struct token_source	*tokens;
	struct cache		*cache;
};

struct pool;

/* Starts min_spare threads; NULL when not even one could start. */
struct pool	*pool_start(const struct pool_opts *);
/* After FCGX_ShutdownPending() and shutdown(listen_fd): waits for every thread to end. */
void		 pool_stop(struct pool *);
long		 pool_threads(struct pool *);

#endif
