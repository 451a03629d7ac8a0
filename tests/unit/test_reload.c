/* test_reload.c: a reload is all or nothing: new catalogs, templates and live settings together, or, when anything is bad, the running ones stay. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allow.h"
#include "i18n.h"
#include "log.h"
#include "reload.h"
#include "render.h"
#include "route.h"
#include "pages.h"
#include "t.h"
#include "view.h"

extern char **environ;

/*
 * Each test's directory: two copies of the real templates and catalogs,
 * a/ as they are and b/ with other words for the form's button, so a
 * page shows which set is in force; a token file and a settings file.
 */
static char	dir[32], tpl_a[64], tpl_b[64], tokfile[64], settings[64], errlog[64];
static int	saved_stderr = -1;

static void
sh(const char *fmt, const char *arg)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), fmt, arg, arg, arg, arg);
	CHECK(system(cmd) == 0);
}

static char *
slurp(const char *path)
{
	static char	 data[65536];
	FILE		*f = fopen(path, "r");
	size_t		 n = f ? fread(data, 1, sizeof(data) - 1, f) : 0;

	if (f)
		fclose(f);
	data[n] = '\0';
	return data;
}

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	chmod(path, 0600);
}

/* What reload_run logged (on fd 2): captured to a file, our own FAIL lines passed on. */
static void
capture(void)
{
	int fd;

	fflush(stderr);
	saved_stderr = dup(2);
	fd = open(errlog, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
}

static const char *
release(void)
{
	const char *log, *l;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	log = slurp(errlog);
	for (l = log; (l = strstr(l, "FAIL ")) != NULL; l++)
		fprintf(stderr, "%.*s\n", (int)strcspn(l, "\n"), l);
	return log;
}

static void
up(void)
{
	char	*names[64], *e;
	int	 n = 0, i;

	/* Only this test's settings: no BATCHSTATUS_* from the environment. */
	for (i = 0; environ[i] != NULL && n < 64; i++)
		if (strncmp(environ[i], "BATCHSTATUS_", 12) == 0 &&
		    (e = strchr(environ[i], '=')) != NULL)
			names[n++] = strndup(environ[i], (size_t)(e - environ[i]));
	for (i = 0; i < n; i++) {
		unsetenv(names[i]);
		free(names[i]);
	}
	snprintf(dir, sizeof(dir), "/tmp/bs-reload-XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	snprintf(tpl_a, sizeof(tpl_a), "%s/a", dir);
	snprintf(tpl_b, sizeof(tpl_b), "%s/b", dir);
	snprintf(tokfile, sizeof(tokfile), "%s/token", dir);
	snprintf(settings, sizeof(settings), "%s/settings", dir);
	snprintf(errlog, sizeof(errlog), "%s/stderr", dir);
	sh("cp -r templates %s/a && cp -r templates %s/b", dir);
	sh("sed -i 's/^form.submit = .*/form.submit = Press here/' %s/b/i18n/*.catalog", dir);
	put(tokfile, "unit-test-token\n");
}

static void
down(void)
{
	sh("rm -rf %s", dir);
	render_free();
	i18n_free();
	allow_free();
	log_set_level(LOG_INFO);
}

/* The form as it renders now, in English. */
static const char *
form(void)
{
	static struct buf	 out;
	struct request		 req;
	struct tpage		*p;

	memset(&req, 0, sizeof(req));
	buf_free(&out);
	if ((p = tpage_new("form", LOC_EN_US)) == NULL)
		return "(no pages)";
	page_form_fill(p, &req, "aaaa0000-bb11-2222-33cc-444444dddddd");
	if (tpage_render(p, &out) != 0)
		buf_puts(&out, "(render failed)");
	tpage_free(p);
	return out.data;
}

/* Catalogs then templates, the words written in: a second set replaces the first whole. */
static void
test_pages_are_replaced_whole(void)
{
	char err[512];

	up();
	CHECK(reload_pages(tpl_a, err, sizeof(err)) == 0);
	CHECK_CONTAINS(form(), ">Show status</button>");
	CHECK(reload_pages(tpl_b, err, sizeof(err)) == 0);
	CHECK_CONTAINS(form(), ">Press here</button>");
	CHECK_STR(i18n_text(LOC_EN_US, "form.submit"), "Press here");
	render_retired_free();
	i18n_retired_free();
	down();
}

/* A catalog missing a key: refused, naming it; the catalogs and pages in force stay. */
static void
test_a_bad_catalog_keeps_the_pages_in_force(void)
{
	char err[512];

	up();
	CHECK(reload_pages(tpl_a, err, sizeof(err)) == 0);
	sh("sed -i '/^form.submit = /d' %s/b/i18n/hu-HU.catalog", dir);
	CHECK(reload_pages(tpl_b, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "hu-HU.catalog");
	CHECK_CONTAINS(form(), ">Show status</button>");
	CHECK_STR(i18n_text(LOC_EN_US, "form.submit"), "Show status");
	down();
}

/* Good catalogs, a broken template: refused, and the catalogs already read are put back. */
static void
test_a_bad_template_puts_the_catalogs_back(void)
{
	char err[512];

	up();
	CHECK(reload_pages(tpl_a, err, sizeof(err)) == 0);
	sh("printf '{{%%%%AUTOESCAPE context=\"HTML\"}}\\n{{#OPEN}}never closed\\n' > %s/b/form.tpl", dir);
	capture();	/* ctemplate says why on stderr */
	CHECK(reload_pages(tpl_b, err, sizeof(err)) == -1);
	release();
	CHECK_CONTAINS(err, "form.tpl");
	CHECK_STR(i18n_text(LOC_EN_US, "form.submit"), "Show status");
	CHECK_CONTAINS(form(), ">Show status</button>");
	down();
}

/* The cache's times in ms, from the settings' seconds. */
static void
test_cache_options_follow_the_settings(void)
{
	struct config		 c;
	struct cache_opts	 o;

	memset(&c, 0, sizeof(c));
	c.cache_finished_seconds = 600;
	c.cache_running_seconds = 5;
	c.cache_max_bytes = 1 << 20;
	c.stale_seconds = 3600;
	reload_cache_opts(&c, &o);
	CHECK(o.finished_ms == 600000 && o.running_ms == 5000 &&
	    o.max_bytes == 1 << 20 && o.stale_ms == 3600000);
}

/* A running server's parts, as main builds them, from the settings file as it is now. */
struct server {
	struct config		 cfg;
	struct fetch_ctx	 f;
	struct reload_ctx	 rc;
};

static void
server_up(struct server *s)
{
	struct cache_opts	 co;
	struct token_opts	 to;
	char			 err[2048];

	memset(s, 0, sizeof(*s));
	CHECK(config_load(&s->cfg, settings, err, sizeof(err)) == 0);
	CHECK(reload_pages(s->cfg.templates_dir, err, sizeof(err)) == 0);
	reload_cache_opts(&s->cfg, &co);
	s->f.cache = cache_new(&co);
	s->f.cpu = cpu_start(1);
	memset(&to, 0, sizeof(to));
	to.kind = TOKEN_FROM_FILE;
	to.token_file = tokfile;
	s->f.tokens = token_source_new(&to);
	s->f.up.timeout_ms = s->cfg.upstream_timeout_ms;
	s->f.up.max_body_bytes = s->cfg.max_body_bytes;
	s->f.max_devices = s->cfg.max_devices;
	s->f.max_retry_after = s->cfg.max_retry_after;
	s->rc.config_path = settings;
	s->rc.cfg = &s->cfg;
	s->rc.fetch = &s->f;
	s->rc.tokens = s->f.tokens;
	s->rc.cpu = s->f.cpu;
}

static void
server_down(struct server *s)
{
	cpu_stop(s->f.cpu);
	cache_free(s->f.cache);
	token_source_free(s->f.tokens);
}

/* The settings file: the token, templates a/, and the lines given. */
static void
settings_with(const char *lines)
{
	char text[1024];

	snprintf(text, sizeof(text), "token_file = %s\ntemplates_dir = %s\n%s",
	    tokfile, tpl_a, lines);
	put(settings, text);
}

/* Live settings in force at once, new pages with them; one that needs a restart is said so and stays. */
static void
test_a_reload_puts_the_live_settings_in_force(void)
{
	struct server	 s;
	char		 more[256];
	const char	*log;

	up();
	settings_with("");
	server_up(&s);
	CHECK(s.f.up.timeout_ms == 15000 && s.f.max_devices == 100000);
	snprintf(more, sizeof(more), "templates_dir = %s\nupstream_timeout_ms = 2000\n"
	    "max_devices = 7\nmax_body_bytes = 64k\nmax_retry_after = 60\n"
	    "log_level = warn\nthreads = 3\n", tpl_b);
	settings_with(more);
	capture();
	CHECK(reload_run(&s.rc) == 0);
	log = release();
	CHECK(s.f.up.timeout_ms == 2000 && s.f.max_devices == 7);
	CHECK(s.f.up.max_body_bytes == 65536 && s.f.max_retry_after == 60);
	CHECK(s.cfg.upstream_timeout_ms == 2000 && s.cfg.log_level_n == LOG_WARN);
	CHECK(!log_enabled(LOG_INFO) && log_enabled(LOG_WARN));
	CHECK(s.cfg.threads == 0);	/* a restart's */
	CHECK_CONTAINS(log, "BATCHSTATUS_THREADS changed: it takes effect at the "
	    "next restart");
	CHECK_CONTAINS(log, "BATCHSTATUS_UPSTREAM_TIMEOUT_MS changed");
	CHECK_CONTAINS(form(), ">Press here</button>");
	server_down(&s);
	down();
}

/* A bad value: logged naming the setting, nothing changed, the same pages. */
static void
test_a_bad_setting_changes_nothing(void)
{
	struct server	 s;
	char		 more[256];
	const char	*log;

	up();
	settings_with("");
	server_up(&s);
	snprintf(more, sizeof(more), "templates_dir = %s\nupstream_timeout_ms = 2000\n"
	    "max_devices = 0\n", tpl_b);
	settings_with(more);
	capture();
	CHECK(reload_run(&s.rc) == -1);
	log = release();
	CHECK_CONTAINS(log, "BATCHSTATUS_MAX_DEVICES");
	CHECK_CONTAINS(log, "nothing was changed");
	CHECK(s.f.up.timeout_ms == 15000 && s.f.max_devices == 100000);
	CHECK(s.cfg.upstream_timeout_ms == 15000);
	CHECK_CONTAINS(form(), ">Show status</button>");
	server_down(&s);
	down();
}

/* New pages read, then a bad allow-list: the pages are put back, the list in force stays. */
static void
test_a_bad_allow_list_puts_the_pages_back(void)
{
	struct server	 s;
	char		 more[256], list[80], err[256];
	const char	*log;

	up();
	snprintf(list, sizeof(list), "%s/allowed", dir);
	put(list, "47021739-3426-40bf-9601-61b4b6d7c793\n");
	CHECK(allow_load(list, err, sizeof(err)) == 0);
	settings_with("");
	server_up(&s);
	put(list, "not-a-guid\n");
	snprintf(more, sizeof(more), "templates_dir = %s\nallowed_customers = %s\n"
	    "max_devices = 7\n", tpl_b, list);
	settings_with(more);
	capture();
	CHECK(reload_run(&s.rc) == -1);
	log = release();
	CHECK_CONTAINS(log, "BATCHSTATUS_ALLOWED_CUSTOMERS");
	CHECK_CONTAINS(form(), ">Show status</button>");
	CHECK_STR(i18n_text(LOC_EN_US, "form.submit"), "Show status");
	CHECK(allow_count() == 1 &&
	    allow_customer("47021739-3426-40bf-9601-61b4b6d7c793"));
	CHECK(s.f.max_devices == 100000);
	server_down(&s);
	down();
}

/* Templates that do not load: logged naming the setting, nothing changed. */
static void
test_a_bad_templates_dir_changes_nothing(void)
{
	struct server	 s;
	const char	*log;

	up();
	settings_with("");
	server_up(&s);
	settings_with("templates_dir = /nonexistent\nmax_devices = 7\n");	/* the later line wins */
	capture();
	CHECK(reload_run(&s.rc) == -1);
	log = release();
	CHECK_CONTAINS(log, "BATCHSTATUS_TEMPLATES_DIR");
	CHECK(s.f.max_devices == 100000);
	CHECK_CONTAINS(form(), ">Show status</button>");
	server_down(&s);
	down();
}

int
main(void)
{
	T_RUN(test_pages_are_replaced_whole);
	T_RUN(test_a_bad_catalog_keeps_the_pages_in_force);
	T_RUN(test_a_bad_template_puts_the_catalogs_back);
	T_RUN(test_cache_options_follow_the_settings);
	T_RUN(test_a_reload_puts_the_live_settings_in_force);
	T_RUN(test_a_bad_setting_changes_nothing);
	T_RUN(test_a_bad_allow_list_puts_the_pages_back);
	T_RUN(test_a_bad_templates_dir_changes_nothing);
	return t_done("test_reload");
}
