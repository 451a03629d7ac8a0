/*
 * fuzz_config.c: libFuzzer harness for the configuration file.
 *
 * Each input is written to a file in a private temporary directory and read
 * by config_load. At start-up every BATCHSTATUS_* variable is unset, then
 * BATCHSTATUS_TOKEN_FILE names a 0600 token file made here, so that a file
 * without a token source still gets through to the later checks.
 * Invariants (abort when broken): a failure comes with a message; a success
 * leaves every string NUL-terminated in its field, the numbers in their
 * documented ranges, a known log level and token endpoint, and a
 * non-empty templates_dir. Seeds: tests/fuzz/corpus/config/ (the example
 * configuration and variations). Run: `make fuzz`.
 */
#include <fcntl.h>
#include <unistd.h>

#include "fuzz.h"

#include "config.h"

extern char **environ;

static char	dir[] = "/tmp/bs-fuzz-config-XXXXXX";
static char	conf[64], token[64];

static void
cleanup(void)
{
	unlink(conf);
	unlink(token);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	 name[128];
	size_t	 i;
	int	 fd, again = 1;

	(void)argc;
	(void)argv;
	while (again) {
		again = 0;
		for (i = 0; environ[i] != NULL; i++) {
			if (strncmp(environ[i], "BATCHSTATUS_", 12) == 0) {
				snprintf(name, sizeof(name), "%.*s",
				    (int)strcspn(environ[i], "="), environ[i]);
				unsetenv(name);
				again = 1;
				break;
			}
		}
	}
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(conf, sizeof(conf), "%s/batchstatus.conf", dir);
	snprintf(token, sizeof(token), "%s/token", dir);
	if ((fd = open(token, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    write(fd, "eyJ0eXAi.fuzz.token\n", 20) != 20 || close(fd) == -1)
		abort();
	setenv("BATCHSTATUS_TOKEN_FILE", token, 1);
	atexit(cleanup);
	return 0;
}

#define TERMINATED(f)	FUZZ_CHECK(strnlen((f), sizeof(f)) < sizeof(f))

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config	 cfg;
	char			 err[512];
	int			 fd, rc;

	if ((fd = open(conf, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);

	err[0] = '\0';
	rc = config_load(&cfg, conf, err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -1);
	TERMINATED(err);
	if (rc == -1) {
		FUZZ_CHECK(err[0] != '\0');
		return 0;
	}
	TERMINATED(cfg.cloud);
	TERMINATED(cfg.pc_base_url);
	TERMINATED(cfg.authority_url);
	TERMINATED(cfg.token_file);
	TERMINATED(cfg.tenant_id);
	TERMINATED(cfg.client_id);
	TERMINATED(cfg.client_secret_file);
	TERMINATED(cfg.refresh_token_file);
	TERMINATED(cfg.token_endpoint);
	TERMINATED(cfg.log_level);
	TERMINATED(cfg.frame_ancestors);
	TERMINATED(cfg.base_path);
	TERMINATED(cfg.ca_file);
	TERMINATED(cfg.listen);
	TERMINATED(cfg.templates_dir);
	TERMINATED(cfg.page_gate_dir);
	TERMINATED(cfg.token_url);
	FUZZ_CHECK(cfg.page_gate_dir[0] == '\0' || cfg.page_gate_dir[0] == '/');
	TERMINATED(cfg.shared);
	FUZZ_CHECK(cfg.shared_timeout_ms >= 5 && cfg.shared_timeout_ms <= 5000);
	FUZZ_CHECK(cfg.shared[0] == '\0' || cfg.shared_key_file[0] != '\0');
	FUZZ_CHECK(strcmp(cfg.token_file, token) == 0);
	FUZZ_CHECK(cfg.templates_dir[0] != '\0');
	FUZZ_CHECK(strcmp(cfg.token_endpoint, "v1") == 0 ||
	    strcmp(cfg.token_endpoint, "v2") == 0);
	FUZZ_CHECK(strcmp(cfg.log_level, "error") == 0 ||
	    strcmp(cfg.log_level, "warn") == 0 ||
	    strcmp(cfg.log_level, "info") == 0 ||
	    strcmp(cfg.log_level, "debug") == 0);
	FUZZ_CHECK(cfg.upstream_timeout_ms >= 100 &&
	    cfg.upstream_timeout_ms <= 50000);
	FUZZ_CHECK(cfg.connect_timeout_ms > 0 &&
	    cfg.connect_timeout_ms <= cfg.upstream_timeout_ms);
	FUZZ_CHECK(cfg.threads >= 0 && cfg.threads <= 256);
	FUZZ_CHECK(cfg.max_waiting >= 1 && cfg.max_waiting <= 65536);
	FUZZ_CHECK(cfg.max_devices >= 1 && cfg.max_devices <= 10000000);
	FUZZ_CHECK(cfg.max_retry_after >= 1 && cfg.max_retry_after <= 86400);
	FUZZ_CHECK(cfg.stale_seconds >= 0 && cfg.stale_seconds <= 7 * 86400);
	FUZZ_CHECK(cfg.upstream_connections >= 1 &&
	    cfg.upstream_connections <= 4096);
	FUZZ_CHECK(cfg.max_body_bytes >= 1024 &&
	    cfg.max_body_bytes <= 1024L * 1024 * 1024);
	FUZZ_CHECK(cfg.cache_finished_seconds >= 0 &&
	    cfg.cache_running_seconds >= 0 && cfg.cache_max_bytes >= 0);
	FUZZ_CHECK(!fuzz_has_control(cfg.frame_ancestors));
	FUZZ_CHECK(strpbrk(cfg.frame_ancestors, ";,\"'") == NULL);
	FUZZ_CHECK(cfg.base_path[0] == '\0' || (cfg.base_path[0] == '/' &&
	    cfg.base_path[strlen(cfg.base_path) - 1] != '/'));
	FUZZ_CHECK(!fuzz_has_control(cfg.pc_base_url) &&
	    !fuzz_has_control(cfg.authority_url));
	return 0;
}
