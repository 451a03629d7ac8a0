/* test_config.c: settings from defaults, a file and the environment; a bad value names its setting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "config.h"
#include "token.h"
#include "t.h"

static struct config cfg;
static char err[2048];
static char secret[32];	/* this test's secret file: made by up(), removed by down() */
static const char *const more[] = {
	"BATCHSTATUS_CLOUD", "BATCHSTATUS_AUTHORITY_URL", "BATCHSTATUS_TENANT_ID",
	"BATCHSTATUS_CLIENT_ID", "BATCHSTATUS_CLIENT_SECRET_FILE",
	"BATCHSTATUS_REFRESH_TOKEN_FILE", "BATCHSTATUS_TOKEN_ENDPOINT",
	"BATCHSTATUS_LOG_LEVEL", "BATCHSTATUS_FRAME_ANCESTORS", "BATCHSTATUS_MAX_WAITING",
	"BATCHSTATUS_MAX_DEVICES", "BATCHSTATUS_UPSTREAM_CONNECTIONS",
	"BATCHSTATUS_MAX_RETRY_AFTER", "BATCHSTATUS_STALE_SECONDS",
	"BATCHSTATUS_PAGE_GATE_DIR", "BATCHSTATUS_SHARED", "BATCHSTATUS_SHARED_KEY_FILE",
	"BATCHSTATUS_SHARED_PASSWORD_FILE", "BATCHSTATUS_SHARED_TIMEOUT_MS",
};

static void
clear(void)
{
	unsetenv("BATCHSTATUS_PC_BASE_URL");
	unsetenv("BATCHSTATUS_UPSTREAM_TIMEOUT_MS");
	unsetenv("BATCHSTATUS_MAX_BODY_BYTES");
	unsetenv("BATCHSTATUS_LISTEN");
	unsetenv("BATCHSTATUS_CA_FILE");
	unsetenv("BATCHSTATUS_THREADS");
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		unsetenv(more[i]);
	setenv("BATCHSTATUS_TOKEN_FILE", secret, 1);
}

/* A secret file (mode 0600, as mkstemp makes it) for the settings that name one. */
static void
up(void)
{
	int fd;

	snprintf(secret, sizeof(secret), "/tmp/bs-secret-XXXXXX");
	fd = mkstemp(secret);	/* mode 0600 */
	CHECK(fd != -1 && write(fd, "s3cret\n", 7) == 7);
	close(fd);
	clear();
}

/* The environment is the process's: leave none of ours for the next test. */
static void
down(void)
{
	clear();
	unsetenv("BATCHSTATUS_TOKEN_FILE");
	unlink(secret);
}

/* App-only settings: tenant, client, and the secret file. */
static int
load_app(const char *name, const char *value)
{
	clear();
	unsetenv("BATCHSTATUS_TOKEN_FILE");
	setenv("BATCHSTATUS_TENANT_ID", "contoso.onmicrosoft.com", 1);
	setenv("BATCHSTATUS_CLIENT_ID", "1950a258-227b-4e31-a9cf-717495945fc2", 1);
	setenv("BATCHSTATUS_CLIENT_SECRET_FILE", secret, 1);
	if (name != NULL)
		setenv(name, value, 1);
	err[0] = '\0';
	return config_load(&cfg, NULL, err, sizeof(err));
}

static int
load_env(const char *name, const char *value)
{
	clear();
	setenv(name, value, 1);
	err[0] = '\0';
	return config_load(&cfg, NULL, err, sizeof(err));
}

static char	changes[512];

static void
changed(const char *name, int live, void *arg)
{
	(void)arg;
	snprintf(changes + strlen(changes), sizeof(changes) - strlen(changes),
	    "%s%s ", name, live ? "" : "(restart)");
}

/* A reload names what changed, and whether it waits for a restart. */
static void
test_changes_are_named_live_or_restart(void)
{
	struct config a, b;

	up();
	CHECK(config_load(&a, NULL, err, sizeof(err)) == 0);
	b = a;
	changes[0] = '\0';
	CHECK(config_changes(&a, &b, changed, NULL) == 0 && changes[0] == '\0');
	b.threads = 3;
	b.stale_seconds = 60;
	snprintf(b.log_level, sizeof(b.log_level), "warn");
	snprintf(b.listen, sizeof(b.listen), "unix:/run/x.sock");
	CHECK(config_changes(&a, &b, changed, NULL) == 4);
	CHECK_CONTAINS(changes, "BATCHSTATUS_THREADS(restart) ");
	CHECK_CONTAINS(changes, "BATCHSTATUS_STALE_SECONDS ");
	CHECK_CONTAINS(changes, "BATCHSTATUS_LOG_LEVEL ");
	CHECK_CONTAINS(changes, "BATCHSTATUS_LISTEN(restart) ");
	/* A reload takes the live ones only, and what derives from them. */
	b.log_level_n = 1;
	config_take_live(&a, &b);
	CHECK(a.stale_seconds == 60 && strcmp(a.log_level, "warn") == 0 &&
	    a.log_level_n == 1);
	CHECK(a.threads != 3 && strcmp(a.listen, "unix:/run/x.sock") != 0);
	changes[0] = '\0';
	CHECK(config_changes(&a, &b, changed, NULL) == 2);
	CHECK_CONTAINS(changes, "BATCHSTATUS_THREADS(restart) ");
	down();
}

static void
test_the_defaults(void)
{
	up();
	CHECK(config_load(&cfg, NULL, err, sizeof(err)) == 0);
	CHECK_STR(cfg.pc_base_url, "https://api.partnercenter.microsoft.com");
	CHECK(cfg.max_body_bytes == 32L * 1024 * 1024);
	CHECK(cfg.upstream_timeout_ms > 0 && cfg.upstream_timeout_ms < 60000);
	CHECK(cfg.connect_timeout_ms <= cfg.upstream_timeout_ms);
	CHECK(!cfg.base_is_http);
	/* The event-driven core's defaults (issue 11). */
	CHECK(cfg.threads == 0 && cfg.max_waiting == 4096);
	CHECK(cfg.max_devices == 100000 && cfg.upstream_connections == 64);
	/* The Partner Center budget's defaults (issue 12). */
	CHECK(cfg.max_retry_after == 300 && cfg.stale_seconds == 3600);
	CHECK(cfg.cache_max_bytes == 64L * 1024 * 1024);
	down();
}

/* https (http for local testing), no trailing slash, no query, no blank. */
static void
test_the_base_url_is_a_plain_http_url(void)
{
	up();
	CHECK(load_env("BATCHSTATUS_PC_BASE_URL", "https://example.test/") == 0);
	CHECK_STR(cfg.pc_base_url, "https://example.test");
	CHECK(load_env("BATCHSTATUS_PC_BASE_URL", "http://127.0.0.1:1") == 0 &&
	    cfg.base_is_http);
	CHECK(load_env("BATCHSTATUS_PC_BASE_URL", "ftp://x") == -1);
	CHECK_CONTAINS(err, "BATCHSTATUS_PC_BASE_URL");
	CHECK(load_env("BATCHSTATUS_PC_BASE_URL", "https://x/?a=b") == -1);
	CHECK(load_env("BATCHSTATUS_PC_BASE_URL", "https:// x") == -1);
	down();
}

/* The deadline: a number of ms in range; the connect part follows it. */
static void
test_the_upstream_timeout_is_a_bounded_number(void)
{
	up();
	CHECK(load_env("BATCHSTATUS_UPSTREAM_TIMEOUT_MS", "abc") == -1);
	CHECK_CONTAINS(err, "BATCHSTATUS_UPSTREAM_TIMEOUT_MS");
	CHECK(load_env("BATCHSTATUS_UPSTREAM_TIMEOUT_MS", "90000") == -1);
	CHECK(load_env("BATCHSTATUS_UPSTREAM_TIMEOUT_MS", "-5") == -1);
	CHECK(load_env("BATCHSTATUS_UPSTREAM_TIMEOUT_MS", "2000") == 0 &&
	    cfg.upstream_timeout_ms == 2000 && cfg.connect_timeout_ms == 2000);
	down();
}

static void
test_sizes_take_units_and_refuse_junk(void)
{
	up();
	CHECK(load_env("BATCHSTATUS_MAX_BODY_BYTES", "64k") == 0 &&
	    cfg.max_body_bytes == 65536);
	CHECK(load_env("BATCHSTATUS_MAX_BODY_BYTES", "16MiB") == 0 &&
	    cfg.max_body_bytes == 16L * 1024 * 1024);
	CHECK(load_env("BATCHSTATUS_MAX_BODY_BYTES", "12q") == -1);
	CHECK_CONTAINS(err, "BATCHSTATUS_MAX_BODY_BYTES");
	CHECK(load_env("BATCHSTATUS_MAX_BODY_BYTES", "99999999999999999999") ==
	    -1);
	down();
}

static void
test_listen_is_an_absolute_socket_or_host_and_port(void)
{
	up();
	CHECK(load_env("BATCHSTATUS_LISTEN", "unix:/run/bs.sock") == 0);
	CHECK(load_env("BATCHSTATUS_LISTEN", "127.0.0.1:9000") == 0);
	CHECK(load_env("BATCHSTATUS_LISTEN", "unix:relative") == -1);
	CHECK(load_env("BATCHSTATUS_LISTEN", "host:99999") == -1);
	CHECK_CONTAINS(err, "BATCHSTATUS_LISTEN");
	down();
}

static void
test_a_missing_file_names_its_setting(void)
{
	up();
	CHECK(load_env("BATCHSTATUS_CA_FILE", "/nonexistent/ca.pem") == -1);
	CHECK_CONTAINS(err, "BATCHSTATUS_CA_FILE");
	CHECK(load_env("BATCHSTATUS_TOKEN_FILE", "/nonexistent/token") == -1);
	CHECK_CONTAINS(err, "BATCHSTATUS_TOKEN_FILE");
	down();
}

/* The CPU pool: 0 is one thread per core; the bounds of the new core. */
static void
test_the_cores_bounds(void)
{
	up();
	CHECK(load_env("BATCHSTATUS_THREADS", "0") == 0 && cfg.threads == 0);
	CHECK(load_env("BATCHSTATUS_THREADS", "257") == -1);
	CHECK(load_env("BATCHSTATUS_MAX_WAITING", "0") == -1);
	CHECK(load_env("BATCHSTATUS_MAX_WAITING", "3") == 0 && cfg.max_waiting == 3);
	CHECK(load_env("BATCHSTATUS_MAX_DEVICES", "0") == -1);
	CHECK_CONTAINS(err, "BATCHSTATUS_MAX_DEVICES");
	CHECK(load_env("BATCHSTATUS_UPSTREAM_CONNECTIONS", "16") == 0 &&
	    cfg.upstream_connections == 16);
	down();
}

/* The Partner Center budget: a 429's pause at most, and how old a stand-in may be. */
static void
test_the_budgets_bounds(void)
{
	up();
	CHECK(load_env("BATCHSTATUS_MAX_RETRY_AFTER", "0") == -1);
	CHECK_CONTAINS(err, "BATCHSTATUS_MAX_RETRY_AFTER");
	CHECK(load_env("BATCHSTATUS_MAX_RETRY_AFTER", "99999999999999999999") == -1);
	CHECK(load_env("BATCHSTATUS_MAX_RETRY_AFTER", "60") == 0 &&
	    cfg.max_retry_after == 60);
	CHECK(load_env("BATCHSTATUS_STALE_SECONDS", "0") == 0 &&
	    cfg.stale_seconds == 0);
	CHECK(load_env("BATCHSTATUS_STALE_SECONDS", "-1") == -1);
	CHECK_CONTAINS(err, "BATCHSTATUS_STALE_SECONDS");
	down();
}

static void
test_the_page_gate_dir_is_absolute(void)
{
	up();
	CHECK(load_env("BATCHSTATUS_PAGE_GATE_DIR", "relative/gate") == -1);
	CHECK_CONTAINS(err, "BATCHSTATUS_PAGE_GATE_DIR");
	CHECK(load_env("BATCHSTATUS_PAGE_GATE_DIR", "/run/batchstatus-gate") == 0);
	CHECK_STR(cfg.page_gate_dir, "/run/batchstatus-gate");
	down();
}

/* Several nodes: a usable URL, and the key file required, closed to others. */
static void
test_shared_needs_a_usable_url_and_a_key_file(void)
{
	up();
	CHECK(load_env("BATCHSTATUS_SHARED", "redis://10.0.0.5:6379/2") == -1);
	CHECK_CONTAINS(err, "BATCHSTATUS_SHARED_KEY_FILE");
	setenv("BATCHSTATUS_SHARED_KEY_FILE", secret, 1);
	setenv("BATCHSTATUS_SHARED", "redis://10.0.0.5:6379/2", 1);
	CHECK(config_load(&cfg, NULL, err, sizeof(err)) == 0 &&
	    cfg.shared_timeout_ms == 50);
	setenv("BATCHSTATUS_SHARED", "redis+unix:/run/redis/redis.sock?db=3", 1);
	CHECK(config_load(&cfg, NULL, err, sizeof(err)) == 0);
	setenv("BATCHSTATUS_SHARED", "redis://host", 1);
	CHECK(config_load(&cfg, NULL, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "BATCHSTATUS_SHARED");
	setenv("BATCHSTATUS_SHARED", "redis://host:6379/16", 1);
	CHECK(config_load(&cfg, NULL, err, sizeof(err)) == -1);
	setenv("BATCHSTATUS_SHARED", "redis+unix:relative", 1);
	CHECK(config_load(&cfg, NULL, err, sizeof(err)) == -1);
	down();
}

static void
test_the_log_level_by_name(void)
{
	up();
	CHECK(load_env("BATCHSTATUS_LOG_LEVEL", "debug") == 0 &&
	    cfg.log_level_n == 3);
	CHECK(load_env("BATCHSTATUS_LOG_LEVEL", "loud") == -1);
	CHECK_CONTAINS(err, "BATCHSTATUS_LOG_LEVEL");
	down();
}

/* Origins only: nothing that could end the CSP directive or widen it to all. */
static void
test_frame_ancestors_are_origins_only(void)
{
	up();
	CHECK(load_env("BATCHSTATUS_FRAME_ANCESTORS",
	    "https://portal.example.com http://127.0.0.1:8081 https://*.corp.example") == 0);
	CHECK(load_env("BATCHSTATUS_FRAME_ANCESTORS", "*") == -1);
	CHECK_CONTAINS(err, "BATCHSTATUS_FRAME_ANCESTORS");
	CHECK(load_env("BATCHSTATUS_FRAME_ANCESTORS", "https://a.example; script-src *") == -1);
	CHECK(load_env("BATCHSTATUS_FRAME_ANCESTORS", "https://a.example/path") == -1);
	CHECK(load_env("BATCHSTATUS_FRAME_ANCESTORS", "'none'") == -1);
	CHECK(load_env("BATCHSTATUS_FRAME_ANCESTORS", "https://") == -1);
	down();
}

/* Clouds set the API base and the sign-in together; the endpoint's version picks the URL. */
static void
test_clouds_set_the_api_and_the_signin_together(void)
{
	up();
	CHECK(load_app(NULL, NULL) == 0 && cfg.token_kind == TOKEN_APP);
	CHECK_STR(cfg.token_url, "https://login.microsoftonline.com/"
	    "contoso.onmicrosoft.com/oauth2/token");
	CHECK(load_app("BATCHSTATUS_TOKEN_ENDPOINT", "v2") == 0);
	CHECK_STR(cfg.token_url, "https://login.microsoftonline.com/"
	    "contoso.onmicrosoft.com/oauth2/v2.0/token");
	CHECK(load_app("BATCHSTATUS_TOKEN_ENDPOINT", "v3") == -1);
	CHECK(load_app("BATCHSTATUS_CLOUD", "china") == 0);
	CHECK_STR(cfg.pc_base_url,
	    "https://partner.partnercenterapi.microsoftonline.cn");
	CHECK_STR(cfg.authority_url, "https://login.chinacloudapi.cn");
	CHECK(load_app("BATCHSTATUS_CLOUD", "usgov") == 0);
	CHECK_STR(cfg.pc_base_url, "https://api.partnercenter.microsoft.com");
	CHECK_STR(cfg.authority_url, "https://login.microsoftonline.us");
	CHECK(load_app("BATCHSTATUS_CLOUD", "germany") == 0);
	CHECK_STR(cfg.authority_url, "https://login.microsoftonline.de");
	CHECK(load_app("BATCHSTATUS_CLOUD", "mars") == -1);
	CHECK_CONTAINS(err, "BATCHSTATUS_CLOUD");
	down();
}

/* Either URL overrides its half of the cloud's pair. */
static void
test_the_authority_url_overrides_its_half(void)
{
	up();
	CHECK(load_app("BATCHSTATUS_CLOUD", "china") == 0);
	setenv("BATCHSTATUS_AUTHORITY_URL", "https://login.example/", 1);
	CHECK(config_load(&cfg, NULL, err, sizeof(err)) == 0);
	CHECK_STR(cfg.authority_url, "https://login.example");
	CHECK_STR(cfg.pc_base_url,
	    "https://partner.partnercenterapi.microsoftonline.cn");
	down();
}

/* One source of tokens, complete. */
static void
test_one_complete_source_of_tokens(void)
{
	up();
	CHECK(load_app("BATCHSTATUS_TOKEN_FILE", secret) == -1);
	CHECK_CONTAINS(err, "choose one");
	CHECK(load_app("BATCHSTATUS_TENANT_ID", "") == -1);
	CHECK_CONTAINS(err, "BATCHSTATUS_TENANT_ID");
	CHECK(load_app("BATCHSTATUS_TENANT_ID", "../evil") == -1);
	CHECK(load_app("BATCHSTATUS_CLIENT_ID", "a b") == -1);
	CHECK_CONTAINS(err, "BATCHSTATUS_CLIENT_ID");
	CHECK(load_app("BATCHSTATUS_CLIENT_SECRET_FILE", "/nonexistent/s") == -1);
	CHECK_CONTAINS(err, "BATCHSTATUS_CLIENT_SECRET_FILE");
	CHECK(load_app("BATCHSTATUS_REFRESH_TOKEN_FILE", secret) == 0 &&
	    cfg.token_kind == TOKEN_APP_USER);
	clear();
	unsetenv("BATCHSTATUS_TOKEN_FILE");
	CHECK(config_load(&cfg, NULL, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "no source of tokens");
	down();
}

/* A secret others may read refuses the start, naming the file and the fix. */
static void
test_a_secret_others_may_read_refuses_the_start(void)
{
	up();
	CHECK(chmod(secret, 0640) == 0);
	CHECK(load_app(NULL, NULL) == -1);
	CHECK_CONTAINS(err, secret);
	CHECK_CONTAINS(err, "chmod 600");
	CHECK(load_env("BATCHSTATUS_LOG_LEVEL", "info") == -1);
	CHECK_CONTAINS(err, "BATCHSTATUS_TOKEN_FILE");
	down();
}

/* A file: key = value, comments; the environment wins over it. */
static void
test_a_settings_file_and_the_environment_over_it(void)
{
	char	 path[] = "/tmp/bs-config-XXXXXX";
	FILE	*f;

	up();
	f = fdopen(mkstemp(path), "w");
	fprintf(f, "# settings\n\npc_base_url = https://file.test\n"
	    "upstream_timeout_ms=3000\n  max_body_bytes = 1m  \n");
	fclose(f);
	CHECK(config_load(&cfg, path, err, sizeof(err)) == 0);
	CHECK_STR(cfg.pc_base_url, "https://file.test");
	CHECK(cfg.upstream_timeout_ms == 3000);
	CHECK(cfg.max_body_bytes == 1024 * 1024);
	setenv("BATCHSTATUS_UPSTREAM_TIMEOUT_MS", "4000", 1);
	CHECK(config_load(&cfg, path, err, sizeof(err)) == 0 &&
	    cfg.upstream_timeout_ms == 4000);
	unlink(path);
	down();
}

/* An unknown key, a bad value, a line that is not key = value, no file: refused. */
static void
test_a_bad_settings_file_names_the_line(void)
{
	char	 path[] = "/tmp/bs-config-XXXXXX";
	FILE	*f;

	up();
	f = fdopen(mkstemp(path), "w");
	fprintf(f, "no_such_key = 1\n");
	fclose(f);
	CHECK(config_load(&cfg, path, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "no_such_key");
	f = fopen(path, "w");
	fprintf(f, "upstream_timeout_ms = soon\n");
	fclose(f);
	CHECK(config_load(&cfg, path, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "upstream_timeout_ms");
	f = fopen(path, "w");
	fprintf(f, "just words\n");
	fclose(f);
	CHECK(config_load(&cfg, path, err, sizeof(err)) == -1);
	unlink(path);
	CHECK(config_load(&cfg, path, err, sizeof(err)) == -1);
	down();
}

int
main(void)
{
	T_RUN(test_the_defaults);
	T_RUN(test_the_base_url_is_a_plain_http_url);
	T_RUN(test_the_upstream_timeout_is_a_bounded_number);
	T_RUN(test_sizes_take_units_and_refuse_junk);
	T_RUN(test_listen_is_an_absolute_socket_or_host_and_port);
	T_RUN(test_a_missing_file_names_its_setting);
	T_RUN(test_the_cores_bounds);
	T_RUN(test_the_budgets_bounds);
	T_RUN(test_the_page_gate_dir_is_absolute);
	T_RUN(test_shared_needs_a_usable_url_and_a_key_file);
	T_RUN(test_the_log_level_by_name);
	T_RUN(test_frame_ancestors_are_origins_only);
	T_RUN(test_clouds_set_the_api_and_the_signin_together);
	T_RUN(test_the_authority_url_overrides_its_half);
	T_RUN(test_one_complete_source_of_tokens);
	T_RUN(test_a_secret_others_may_read_refuses_the_start);
	T_RUN(test_a_settings_file_and_the_environment_over_it);
	T_RUN(test_a_bad_settings_file_names_the_line);
	T_RUN(test_changes_are_named_live_or_restart);
	return t_done("test_config");
}
