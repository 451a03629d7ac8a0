/* main.c: start-up (settings, templates, token, socket, worker pool) and a clean stop on SIGTERM/SIGINT. */
#include <errno.h>
#include <fcgiapp.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allow.h"
#include "cache.h"
#include "config.h"
#include "handler.h"
#include "http.h"
#include "i18n.h"
#include "log.h"
#include "metrics.h"
#include "pool.h"
#include "render.h"
#include "token.h"
#include "upstream.h"

#ifndef BATCHSTATUS_VERSION
#define BATCHSTATUS_VERSION "0.0.0"
#endif

#define APP_NAME "batchstatus/" BATCHSTATUS_VERSION

/* Exit statuses (documented in batchstatus(8)). */
#define EXIT_START	1	/* could not start: socket, templates, libraries */
#define EXIT_CONFIG	2	/* usage or configuration error */
#define EXIT_SIGNIN	3	/* --check-config --online: no token */

static void
usage(FILE *f)
{
	fprintf(f, "usage: batchstatus [--config FILE] [--check-config [--online]]\n"
	    "       batchstatus --version | --help\n"
	    "Serves Partner Center batch upload status pages over FastCGI.\n"
	    "Settings come from a key = value file (--config, or BATCHSTATUS_CONFIG)\n"
	    "and BATCHSTATUS_* variables, which win; see batchstatus(8).\n"
	    "  --check-config  check the settings, secret files and templates, then exit\n"
	    "                  (0 valid, 2 invalid); --check is the same\n"
	    "  --online        with --check-config: also obtain a token from the sign-in\n"
	    "                  endpoint (3 when that fails)\n");
}

static void
token_opts_from(const struct config *cfg, struct token_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->kind = (enum token_kind)cfg->token_kind;
	o->token_file = cfg->token_file;
	o->client_secret_file = cfg->client_secret_file;
	o->refresh_token_file = cfg->refresh_token_file;
	o->signin.token_url = cfg->token_url;
	o->signin.v2 = cfg->token_v2;
	o->signin.client_id = cfg->client_id;
	o->signin.ca_file = cfg->ca_file;
	o->signin.timeout_ms = cfg->upstream_timeout_ms;
}

/* Says where tokens come from, once, at start-up: never the token or a secret. */
static void
log_token_source(const struct config *cfg)
{
	switch (cfg->token_kind) {
	case TOKEN_FROM_FILE:
		log_info("token: from the file %s, re-read when it changes",
		    cfg->token_file);
		break;
	default:
		log_info("token: %s sign-in at %s for client %s (secret in "
		    "%s%s%s), renewed before it expires",
		    cfg->token_kind == TOKEN_APP_USER ? "App+User" : "App-only",
		    cfg->token_url, cfg->client_id, cfg->client_secret_file,
		    cfg->token_kind == TOKEN_APP_USER ? ", refresh token in " :
		    "", cfg->token_kind == TOKEN_APP_USER ?
		    cfg->refresh_token_file : "");
	}
}

/* The page strings: <templates>/i18n/<tag>.catalog, one per language. */
static int
load_catalogs(const char *templates_dir, char *err, size_t errsz)
{
	char dir[CONFIG_PATH_MAX + 8];

	snprintf(dir, sizeof(dir), "%s/i18n", templates_dir);
	return i18n_load(dir, err, errsz);
}

/* --check-config --online: one token, or the sign-in error. */
static int
check_online(struct token_source *tokens)
{
	char		*token, why[80];
	enum bs_error	 e;

	if ((token = malloc(TOKEN_MAX)) == NULL)
		return EXIT_START;
	e = token_get(tokens, token, TOKEN_MAX);
	explicit_bzero(token, TOKEN_MAX);
	free(token);
	if (e == BS_OK) {
		log_info("check: a token was obtained");
		return 0;
	}
	token_failure(tokens, why, sizeof(why));
	log_err("check: no token: %s", why[0] ? why : error_info(e)->title);
	return EXIT_SIGNIN;
}

/* The listening socket: our own, or fd 0 from spawn-fcgi or systemd. */
static int
open_listener(const struct config *cfg, const char **unix_path)
{
	int		 fd, on = 0;
	socklen_t	 len = sizeof(on);
	mode_t		 old;

	*unix_path = NULL;
	if (cfg->listen[0] == '\0') {
		if (getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == -1 ||
		    !on) {
			log_err("BATCHSTATUS_LISTEN is not set and fd 0 is not "
			    "a listening socket: set BATCHSTATUS_LISTEN "
			    "(unix:/path or host:port), or start under "
			    "spawn-fcgi or systemd");
			return -1;
		}
		log_info("listening on fd 0 (inherited)");
		return 0;
	}
	/* nginx running as our user or group may connect; nobody else. */
	old = umask(0117);
	if (strncmp(cfg->listen, "unix:", 5) == 0) {
		*unix_path = cfg->listen + 5;
		fd = FCGX_OpenSocket(*unix_path, 1024);
	} else
		fd = FCGX_OpenSocket(cfg->listen, 1024);
	umask(old);
	if (fd < 0) {
		log_err("BATCHSTATUS_LISTEN %s: cannot listen: %s", cfg->listen,
		    strerror(errno));
		*unix_path = NULL;
		return -1;
	}
	log_info("listening on %s", cfg->listen);
	return fd;
}

int
main(int argc, char *argv[])
{
	struct config		 cfg;
	const char		*config_path, *unix_path;
	char			 err[2048];
	struct token_opts	 topts;
	struct token_source	*tokens;
	struct pool_opts	 po;
	struct pool		*pool;
	struct cache_opts	 copts;
	struct cache		*cache;
	sigset_t		 stop;
	int			 i, check = 0, online = 0, fd, sig, rc;

	/* Nothing this process holds (tokens, secrets) may end up in a core dump. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	config_path = getenv("BATCHSTATUS_CONFIG");
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			config_path = argv[++i];
		else if (strcmp(argv[i], "--check") == 0 ||
		    strcmp(argv[i], "--check-config") == 0)
			check = 1;
		else if (strcmp(argv[i], "--online") == 0)
			online = 1;
		else if (strcmp(argv[i], "--version") == 0) {
			puts(APP_NAME);
			return 0;
		} else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return EXIT_CONFIG;
		}
	}
	if (online && !check) {
		usage(stderr);
		return EXIT_CONFIG;
	}
	if (config_path != NULL && config_path[0] == '\0')
		config_path = NULL;
	if (config_load(&cfg, config_path, err, sizeof(err)) == -1) {
		log_err("cannot start: configuration: %s", err);
		return EXIT_CONFIG;
	}
	log_set_level((enum log_level)cfg.log_level_n);
	if (allow_load(cfg.allowed_customers, err, sizeof(err)) == -1) {
		log_err("cannot start: configuration: BATCHSTATUS_ALLOWED_CUSTOMERS "
		    "(allowed_customers): %s", err);
		return EXIT_CONFIG;
	}
	if (allow_count() > 0)
		log_info("customers: only the %zu in %s", allow_count(),
		    cfg.allowed_customers);
	else
		log_warn("customers: every customer's batches can be read here "
		    "(set BATCHSTATUS_ALLOWED_CUSTOMERS, and control access in nginx)");
	if (render_init(cfg.templates_dir, err, sizeof(err)) == -1 ||
	    load_catalogs(cfg.templates_dir, err, sizeof(err)) == -1) {
		log_err("cannot start: %s", err);
		return check ? EXIT_CONFIG : EXIT_START;
	}
	if (cfg.base_is_http)
		log_warn("BATCHSTATUS_PC_BASE_URL %s is plain http: the token "
		    "travels unencrypted; use this for local testing only",
		    cfg.pc_base_url);
	if (cfg.authority_is_http && cfg.token_kind != TOKEN_FROM_FILE)
		log_warn("BATCHSTATUS_AUTHORITY_URL %s is plain http: the "
		    "client secret travels unencrypted; use this for local "
		    "testing only", cfg.authority_url);
	log_token_source(&cfg);
	token_opts_from(&cfg, &topts);
	if ((tokens = token_source_new(&topts)) == NULL) {
		log_err("cannot start: out of memory");
		return EXIT_START;
	}
	if (check) {
		rc = 0;
		if (online) {
			if (upstream_global_init() == -1) {
				log_err("cannot start: library initialisation "
				    "failed");
				return EXIT_START;
			}
			rc = check_online(tokens);
			upstream_global_cleanup();
		}
		if (rc == 0)
			log_info("check: configuration, secret files and "
			    "templates are fine");
		token_source_free(tokens);
		i18n_free();
		return rc;
	}

	/*
	 * glibc gives busy threads arenas of their own (up to 8 per core);
	 * with hundreds of threads that multiplies the resident memory. One
	 * shared arena costs little here: threads mostly wait on Partner Center.
	 */
	mallopt(M_ARENA_MAX, 1);
	if (upstream_global_init() == -1 || FCGX_Init() != 0) {
		log_err("cannot start: library initialisation failed");
		return EXIT_START;
	}
	/* Block the stop signals in every thread; main takes them with sigwait. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	http_init(cfg.frame_ancestors);
	/* config_load checked it. */
	(void)handler_set_base_path(cfg.base_path);
	if (cfg.frame_ancestors[0] != '\0')
		log_info("pages may be embedded by: %s", cfg.frame_ancestors);
	if ((fd = open_listener(&cfg, &unix_path)) < 0)
		return EXIT_START;
	memset(&po, 0, sizeof(po));
	po.upstream.base_url = cfg.pc_base_url;
	po.upstream.ca_file = cfg.ca_file;
	po.upstream.timeout_ms = cfg.upstream_timeout_ms;
	po.upstream.connect_timeout_ms = cfg.connect_timeout_ms;
	po.upstream.max_body_bytes = cfg.max_body_bytes;
	po.upstream.app_name = APP_NAME;

	copts.finished_ms = cfg.cache_finished_seconds * 1000;
	copts.running_ms = cfg.cache_running_seconds * 1000;
	copts.max_bytes = cfg.cache_max_bytes;
	copts.wait_ms = cfg.upstream_timeout_ms + 2000;
	if ((cache = cache_new(&copts)) == NULL) {
		log_err("cannot start: out of memory");
		return EXIT_START;
	}
	po.listen_fd = fd;
	po.max_threads = cfg.threads;
	po.min_spare = 8;
	po.max_spare = 64;
	/* Threads busy on the CPU at once: a few per core (see pool.c). */
	po.max_runnable = 8 * sysconf(_SC_NPROCESSORS_ONLN);
	po.tokens = tokens;
	po.cache = cache;
	if ((pool = pool_start(&po)) == NULL) {
		log_err("cannot start: no worker thread could start");
		return EXIT_START;
	}
	log_info("%s ready: %ld threads (up to %ld as requests wait), upstream %s, deadline %ld ms, "
	    "cache %lds finished / %lds running / %ld bytes", APP_NAME,
	    pool_threads(pool), cfg.threads, cfg.pc_base_url, cfg.upstream_timeout_ms,
	    cfg.cache_finished_seconds, cfg.cache_running_seconds,
	    cfg.cache_max_bytes);

	while (sigwait(&stop, &sig) != 0)
		;
	log_info("signal %d: finishing requests in flight, then stopping",
	    sig);
	FCGX_ShutdownPending();
	/* Wakes every thread blocked in accept(); requests in flight run to their end. */
	shutdown(fd, SHUT_RDWR);
	pool_stop(pool);
	if (unix_path != NULL)
		unlink(unix_path);
	close(fd);
	cache_free(cache);
	token_source_free(tokens);
	upstream_global_cleanup();
	i18n_free();
	allow_free();
	log_info("stopped");
	return 0;
}
