/* reload.c: a reload, all or nothing: read and check everything new, then swap it in, then free the old once no request can hold it. */
#include "reload.h"

#include <stdio.h>
#include <string.h>

#include "allow.h"
#include "clock.h"
#include "gate.h"
#include "etag.h"
#include "i18n.h"
#include "log.h"
#include "render.h"
#include "text.h"

/* The build, in the pages' salt: a new build may make other markup from the same templates. */
#ifndef BATCHSTATUS_VERSION
#define BATCHSTATUS_VERSION "0.0.0"
#endif
#define BUILD_ID	BATCHSTATUS_VERSION " " __DATE__ " " __TIME__

/* What the pages are made of: the files' bytes and this build. */
static uint64_t
pages_salt(const char *templates_dir)
{
	static const char *const files[] = { "layout.tpl", "form.tpl",
	    "batch.tpl", "error.tpl", "i18n/en-US.catalog",
	    "i18n/zh-TW.catalog", "i18n/ja-JP.catalog", "i18n/hu-HU.catalog" };
	static const char build[] = BUILD_ID;
	char		 path[CONFIG_PATH_MAX + 32], buf[8192];
	uint64_t	 h = hash_bytes(build, sizeof(build) - 1);
	size_t		 i, n;
	FILE		*f;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", templates_dir, files[i]);
		if ((f = fopen(path, "rb")) == NULL)
			continue;
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			h = h * 1099511628211ULL ^ hash_bytes(buf, n);
		fclose(f);
	}
	return h;
}

int
reload_pages(const char *templates_dir, char *err, size_t errsz)
{
	const struct render_words	 words = { LOC__MAX, i18n_word };
	char				 dir[CONFIG_PATH_MAX + 8];

	snprintf(dir, sizeof(dir), "%s/i18n", templates_dir);
	/* The catalogs first: their words are written into the templates. */
	if (i18n_load(dir, err, errsz) == -1)
		return -1;
	if (render_init(templates_dir, &words, err, errsz) == -1) {
		i18n_revert();
		return -1;
	}
	etag_pages_changed(pages_salt(templates_dir));
	return 0;
}

void
reload_cache_opts(const struct config *cfg, struct cache_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->finished_ms = cfg->cache_finished_seconds * 1000;
	o->running_ms = cfg->cache_running_seconds * 1000;
	o->max_bytes = cfg->cache_max_bytes;
	o->stale_ms = cfg->stale_seconds * 1000;
	o->dir_ms[DIR_CUSTOMERS] = cfg->cache_search_seconds * 1000;
	o->dir_ms[DIR_CUSTOMER] = cfg->cache_customer_seconds * 1000;
	o->dir_ms[DIR_DEVICE_BATCHES] = cfg->cache_batch_list_seconds * 1000;
	o->dir_ms[DIR_DEVICES] = cfg->cache_devices_seconds * 1000;
}

static void
note_change(const char *name, int live, void *arg)
{
	(void)arg;
	if (live)
		log_notice("reload: %s changed", name);
	else
		log_warn("reload: %s changed: it takes effect at the next "
		    "restart; the running value stays", name);
}

/* Frees the catalogs and templates put out of force, once no task can still hold them. */
static void
drop_retired(struct reload_ctx *rc)
{
	if (cpu_quiesce(rc->cpu) == 0) {
		i18n_retired_free();
		render_retired_free();
	}
}

static void
store(long *setting, long v)
{
	__atomic_store_n(setting, v, __ATOMIC_RELAXED);
}

int
reload_run(struct reload_ctx *rc)
{
	struct config		 n;
	struct cache_opts	 co;
	struct fetch_ctx	*f = rc->fetch;
	char			 err[2048];

	log_notice("SIGHUP: reloading%s%s", rc->config_path != NULL ?
	    " the configuration file " : " (no configuration file: the "
	    "environment)", rc->config_path != NULL ? rc->config_path : "");
	if (config_load(&n, rc->config_path, err, sizeof(err)) == -1) {
		log_err("reload: configuration: %s: nothing was changed, the "
		    "running configuration stays", err);
		return -1;
	}
	/* Pages first (revertible), the allow-list last: it goes in force the moment it is read. */
	if (reload_pages(n.templates_dir, err, sizeof(err)) == -1) {
		log_err("reload: BATCHSTATUS_TEMPLATES_DIR (templates_dir): %s: "
		    "nothing was changed, the running configuration stays", err);
		drop_retired(rc);
		return -1;
	}
	if (allow_load(n.allowed_customers, err, sizeof(err)) == -1) {
		render_revert();
		i18n_revert();
		/* The files on disk are not the pages in force: a salt of no files, so no ETag matches. */
		etag_pages_changed(pages_salt("/nonexistent") ^
		    (uint64_t)clock_ms());
		log_err("reload: BATCHSTATUS_ALLOWED_CUSTOMERS (allowed_customers): "
		    "%s: nothing was changed, the running configuration stays", err);
		drop_retired(rc);
		return -1;
	}

	/* All read and checked: in force now. */
	if (gate_sync(rc->cfg->page_gate_dir, err, sizeof(err)) == -1)
		log_err("reload: BATCHSTATUS_PAGE_GATE_DIR (page_gate_dir): %s: "
		    "nginx serves no kept page of a customer whose file is "
		    "missing", err);
	(void)config_changes(rc->cfg, &n, note_change, NULL);
	config_take_live(rc->cfg, &n);
	log_set_level((enum log_level)n.log_level_n);
	reload_cache_opts(&n, &co);
	cache_set_opts(f->cache, &co);
	store(&f->up.timeout_ms, n.upstream_timeout_ms);
	store(&f->up.max_body_bytes, n.max_body_bytes);
	store(&f->max_devices, n.max_devices);
	store(&f->up.max_pages, n.max_pages);
	store(&f->max_retry_after, n.max_retry_after);
	token_source_reload(rc->tokens);
	if (allow_count() > 0)
		log_info("reload: customers: only the %zu in %s", allow_count(),
		    n.allowed_customers);
	else
		log_info("reload: customers: every customer's batches can be "
		    "read here");

	drop_retired(rc);
	log_notice("reload: done; catalogs and templates from %s",
	    n.templates_dir);
	return 0;
}
