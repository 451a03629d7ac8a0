/* tfetch.h: the unit tests' serving context: a fetch_ctx with its cache, CPU pool and I/O loop, as main.c builds them. */
#ifndef BATCHSTATUS_TFETCH_H
#define BATCHSTATUS_TFETCH_H

#include <string.h>

#include "fetch.h"

/*
 * Fills f for an upstream at base: timeout_ms the one deadline, cpu
 * threads, the cache's options; tokens are the test's (set f->tokens).
 * 0, or -1 when something could not start.
 */
static int
tfetch_start(struct fetch_ctx *f, const char *base, long timeout_ms, long cpu,
    const struct cache_opts *co)
{
	struct pc_loop_opts lo;

	memset(&lo, 0, sizeof(lo));
	lo.max_connections = 64;
	lo.connect_timeout_ms = 500;
	lo.user_agent = "batchstatus/test";
	memset(f, 0, sizeof(*f));
	f->up.base_url = base;
	f->up.timeout_ms = timeout_ms;
	f->up.max_body_bytes = 100000;
	f->up.app_name = "batchstatus/test";
	f->max_devices = 100;
	f->max_waiting = 64;
	f->max_retry_after = 300;
	if ((f->cache = cache_new(co)) == NULL ||
	    (f->cpu = cpu_start(cpu)) == NULL ||
	    (f->loop = pc_loop_start(&lo)) == NULL)
		return -1;
	return 0;
}

/* After everything that used f ended: the loop first (nobody waits on it), then the pool. */
static void
tfetch_stop(struct fetch_ctx *f)
{
	pc_loop_stop(f->loop);
	cpu_stop(f->cpu);
	cache_free(f->cache);
}

#endif
