/* reload.h: SIGHUP: the settings file, allow-list, token file, catalogs and templates read again, checked, then put in force together. */
#ifndef BATCHSTATUS_RELOAD_H
#define BATCHSTATUS_RELOAD_H

#include <stddef.h>

#include "cache.h"
#include "config.h"
#include "cpu.h"
#include "fetch.h"
#include "token.h"

/* What a reload changes; main owns it all. */
struct reload_ctx {
	const char		*config_path;	/* NULL: environment only */
	struct config		*cfg;		/* in force: its live settings are updated */
	struct fetch_ctx	*fetch;
	struct token_source	*tokens;
	struct cpu_pool		*cpu;
};

/*
 * Catalogs (<dir>/i18n) then templates, the catalogs' words written in:
 * both in force on success; on failure -1 with a message, and the ones in
 * force before stay. What they replace is freed by reload_run (or left).
 */
int	reload_pages(const char *templates_dir, char *err, size_t errsz);

/* The cache's bounds and times from the settings. */
void	reload_cache_opts(const struct config *, struct cache_opts *);

/*
 * Reads everything again (settings from the file and the environment,
 * the allow-list, catalogs, templates) and checks it all before anything
 * changes: a bad new configuration is logged naming the setting (or file
 * and line) and the running one stays (-1). Else it is put in force at
 * once: the allow-list and nginx's page gate, log level, cache, deadlines
 * and bounds, the token file (read again at the next use), new pages; a
 * changed setting that needs a restart is logged as such. Requests in
 * flight carry on; nothing is dropped. From main's thread, never a task.
 */
int	reload_run(struct reload_ctx *);

#endif
