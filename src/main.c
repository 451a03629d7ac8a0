/* main.c: start-up (settings, templates, token, socket), worker threads, and a clean stop on SIGTERM/SIGINT. */
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
#include "fetch.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "render.h"
#include "token.h"
#include "upstream.h"

#ifndef BATCHSTATUS_VERSION
#define BATCHSTATUS_VERSION "0.0.0"
#endif

#define APP_NAME "batchstatus/" BATCHSTATUS_VERSION

struct worker {
	pthread_t		 thread;
	int			 listen_fd;
	struct upstream_opts	 opts;
	struct token_source	*tokens;
	struct cache		*cache;
};

static void *
worker_main(void *arg)
{
	struct worker		*w = arg;
	struct fetch_ctx	 fetch;
	FCGX_Request		 req;

	fetch.tokens = w->tokens;
	fetch.cache = w->cache;
	if ((fetch.upstream = upstream_new(&w->opts)) == NULL) {
		log_err("worker: cannot create an HTTP client (out of memory)");
		return NULL;
	}
	if (FCGX_InitRequest(&req, w->listen_fd, 0) != 0) {
		log_err("worker: FCGX_InitRequest failed");
		upstream_free(fetch.upstream);
		return NULL;
	}
	while (FCGX_Accept_r(&req) >= 0) {
		http_serve(&req, &fetch);
		FCGX_Finish_r(&req);
	}
	FCGX_Free(&req, 1);
	upstream_free(fetch.upstream);
	return NULL;
}

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
	struct worker		*workers;
	struct upstream_opts	 opts;
	struct cache_opts	 copts;
	struct cache		*cache;
	pthread_attr_t		 attr;
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
	memset(&opts, 0, sizeof(opts));
	opts.base_url = cfg.pc_base_url;
	opts.ca_file = cfg.ca_file;
	opts.timeout_ms = cfg.upstream_timeout_ms;
	opts.connect_timeout_ms = cfg.connect_timeout_ms;
	opts.max_body_bytes = cfg.max_body_bytes;
	opts.locale = "en-US";
	opts.app_name = APP_NAME;

	copts.finished_ms = cfg.cache_finished_seconds * 1000;
	copts.running_ms = cfg.cache_running_seconds * 1000;
	copts.max_bytes = cfg.cache_max_bytes;
	copts.wait_ms = cfg.upstream_timeout_ms + 2000;
	if ((cache = cache_new(&copts)) == NULL ||
	    (workers = calloc((size_t)cfg.threads, sizeof(*workers))) == NULL) {
		log_err("cannot start: out of memory");
		return 1;
	}
	/* Many threads, each mostly waiting: small stacks keep the memory low. */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	for (i = 0; i < cfg.threads; i++) {
		workers[i].listen_fd = fd;
		workers[i].opts = opts;
		workers[i].tokens = tokens;
		workers[i].cache = cache;
		if (pthread_create(&workers[i].thread, &attr, worker_main,
		    &workers[i]) != 0) {
			log_err("cannot start: no thread %d", i);
			return 1;
		}
	}
	pthread_attr_destroy(&attr);
	metrics_set_threads(cfg.threads);
	log_info("%s ready: %ld threads, upstream %s, deadline %ld ms, "
	    "cache %lds finished / %lds running / %ld bytes", APP_NAME,
	    cfg.threads, cfg.pc_base_url, cfg.upstream_timeout_ms,
	    cfg.cache_finished_seconds, cfg.cache_running_seconds,
	    cfg.cache_max_bytes);

	while (sigwait(&stop, &sig) != 0)
		;
	log_info("signal %d: finishing requests in flight, then stopping",
	    sig);
	FCGX_ShutdownPending();
	/* Wakes every thread blocked in accept(); requests in flight run to their end. */
	shutdown(fd, SHUT_RDWR);
	for (i = 0; i < cfg.threads; i++)
		pthread_join(workers[i].thread, NULL);
	if (unix_path != NULL)
		unlink(unix_path);
	close(fd);
	free(workers);
	cache_free(cache);
	token_source_free(tokens);
	upstream_global_cleanup();
	log_info("stopped");
	return 0;
}
