/* main.c: start-up (settings, templates, token, socket, worker pool) and a clean stop on SIGTERM/SIGINT. */
#include <errno.h>
#include <fcgiapp.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "config.h"
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

static void
usage(void)
{
	fprintf(stderr, "usage: batchstatus [--config FILE] [--check] "
	    "[--version]\n"
	    "Settings come from BATCHSTATUS_* variables (see README.md).\n"
	    "--check loads settings and templates, then exits.\n");
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
	const char		*config_path = NULL, *unix_path;
	char			 err[512], token[TOKEN_MAX];
	struct token_source	*tokens;
	struct pool_opts	 po;
	struct pool		*pool;
	struct cache_opts	 copts;
	struct cache		*cache;
	sigset_t		 stop;
	int			 i, check = 0, fd, sig;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			config_path = argv[++i];
		else if (strcmp(argv[i], "--check") == 0)
			check = 1;
		else if (strcmp(argv[i], "--version") == 0) {
			puts(APP_NAME);
			return 0;
		} else {
			usage();
			return 2;
		}
	}
	if (config_load(&cfg, config_path, err, sizeof(err)) == -1) {
		log_err("cannot start: %s", err);
		return 2;
	}
	if (render_init(cfg.templates_dir, err, sizeof(err)) == -1) {
		log_err("cannot start: %s", err);
		return 2;
	}
	if (cfg.base_is_http)
		log_warn("BATCHSTATUS_PC_BASE_URL %s is plain http: the token "
		    "travels unencrypted; use this for local testing only",
		    cfg.pc_base_url);
	if ((tokens = token_source_file(cfg.token_file)) == NULL) {
		log_err("cannot start: out of memory");
		return 1;
	}
	if (token_get(tokens, token, sizeof(token)) == -1)
		log_warn("no usable token yet in %s: batch pages will fail "
		    "until there is one", cfg.token_file);
	explicit_bzero(token, sizeof(token));
	if (check) {
		log_info("configuration and templates are fine");
		token_source_free(tokens);
		return 0;
	}

	/*
	 * glibc gives busy threads arenas of their own (up to 8 per core);
	 * with hundreds of threads that multiplies the resident memory. One
	 * shared arena costs little here: threads mostly wait on Partner Center.
	 */
	mallopt(M_ARENA_MAX, 1);
	if (upstream_global_init() == -1 || FCGX_Init() != 0) {
		log_err("cannot start: library initialisation failed");
		return 1;
	}
	/* Block the stop signals in every thread; main takes them with sigwait. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((fd = open_listener(&cfg, &unix_path)) < 0)
		return 1;
	memset(&po, 0, sizeof(po));
	po.upstream.base_url = cfg.pc_base_url;
	po.upstream.ca_file = cfg.ca_file;
	po.upstream.timeout_ms = cfg.upstream_timeout_ms;
	po.upstream.connect_timeout_ms = cfg.connect_timeout_ms;
	po.upstream.max_body_bytes = cfg.max_body_bytes;
	po.upstream.locale = "en-US";
	po.upstream.app_name = APP_NAME;

	copts.finished_ms = cfg.cache_finished_seconds * 1000;
	copts.running_ms = cfg.cache_running_seconds * 1000;
	copts.max_bytes = cfg.cache_max_bytes;
	copts.wait_ms = cfg.upstream_timeout_ms + 2000;
	if ((cache = cache_new(&copts)) == NULL) {
		log_err("cannot start: out of memory");
		return 1;
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
		return 1;
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
	log_info("stopped");
	return 0;
}
