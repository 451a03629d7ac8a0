/* main.c: start-up (settings, templates, token, socket, CPU pool, I/O loop, core) and a clean stop on SIGTERM/SIGINT. */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "allow.h"
#include "cache.h"
#include "config.h"
#include "core.h"
#include "cpu.h"
#include "fcgi.h"
#include "fetch.h"
#include "i18n.h"
#include "log.h"
#include "pc_http.h"
#include "gate.h"
#include "metrics.h"
#include "recent.h"
#include "reload.h"
#include "seal.h"
#include "secret.h"
#include "shared.h"
#include "render.h"
#include "token.h"
#include "wipe.h"

#ifndef BATCHSTATUS_VERSION
#define BATCHSTATUS_VERSION "0.0.0"
#endif

#define APP_NAME "batchstatus/" BATCHSTATUS_VERSION

/* Exit statuses (documented in batchstatus(8)). */
#define EXIT_START	1	/* could not start: socket, templates, libraries */
#define EXIT_CONFIG	2	/* usage or configuration error */
#define EXIT_SIGNIN	3	/* --check-config --online: no token */

#define SIGNIN_TIMEOUT_MS	10000	/* one sign-in call, at least */

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
	/*
	 * A sign-in belongs to no request: requests waiting for it give up at
	 * their own deadline, while it goes on (10 s at least) for the next ones.
	 */
	o->signin.timeout_ms = cfg->upstream_timeout_ms > SIGNIN_TIMEOUT_MS ?
	    cfg->upstream_timeout_ms : SIGNIN_TIMEOUT_MS;
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

/*
 * BATCHSTATUS_SHARED: the key that seals entries (required) and Redis's
 * password, read with the configuration: a missing, loose or short file
 * stops the start (and --check-config) naming it.
 */
/*
 * The key that signs the recent-lookups cookie: the file set (made when
 * missing), else one in systemd's state directory, else the nodes' shared
 * key (every node must read the same cookie), else none: the list is off.
 * -1 when a file set or found cannot be used.
 */
static int
read_recent_key(const struct config *cfg, const struct seal_key *shared,
    struct seal_key *key, int *have)
{
	char		 path[CONFIG_PATH_MAX + 16], err[512];
	const char	*state = getenv("STATE_DIRECTORY");

	*have = 0;
	path[0] = '\0';
	if (cfg->recent_key_file[0] != '\0')
		snprintf(path, sizeof(path), "%s", cfg->recent_key_file);
	else if (state != NULL && state[0] == '/')
		/* StateDirectory= may list several: the first is ours. */
		snprintf(path, sizeof(path), "%.*s/recent-key",
		    (int)strcspn(state, ":"), state);
	if (path[0] != '\0') {
		if (recent_key_load_or_create(path, key, err,
		    sizeof(err)) == -1) {
			log_err("cannot start: configuration: "
			    "BATCHSTATUS_RECENT_KEY_FILE (recent_key_file): %s",
			    err);
			return -1;
		}
		*have = 1;
		log_info("recent lookups: signed with the key in %s", path);
	} else if (shared->len > 0) {
		*key = *shared;
		*have = 1;
		log_info("recent lookups: signed with the nodes' shared key");
	} else
		log_info("recent lookups: off (no BATCHSTATUS_RECENT_KEY_FILE "
		    "and no state directory)");
	return 0;
}

/*
 * BATCHSTATUS_NOTIFY_FILE: the targets, the state directory (required:
 * what is owed must survive a restart) and the key of the follow form's
 * tokens (the nodes' shared key, else follow-key made in the state
 * directory). 0 with *on 0 when the file is not set; -1 when it is and
 * something cannot be used.
 */
static int
read_notify(const struct config *cfg, const struct seal_key *shared,
    struct notify_targets *t, char *dir, size_t dirsz, struct seal_key *key,
    int *on)
{
	char		 err[CONFIG_PATH_MAX + 256], path[CONFIG_PATH_MAX + 16];
	const char	*state = getenv("STATE_DIRECTORY");

	*on = 0;
	if (cfg->notify_file[0] == '\0')
		return 0;
	if (notify_targets_load(cfg->notify_file, t, err, sizeof(err)) == -1) {
		log_err("cannot start: configuration: BATCHSTATUS_NOTIFY_FILE "
		    "(notify_file): %s", err);
		return -1;
	}
	if (cfg->state_dir[0] != '\0')
		snprintf(dir, dirsz, "%s", cfg->state_dir);
	else if (state != NULL && state[0] == '/')
		snprintf(dir, dirsz, "%.*s", (int)strcspn(state, ":"), state);
	else {
		log_err("cannot start: configuration: BATCHSTATUS_NOTIFY_FILE "
		    "(notify_file) needs a state directory: set "
		    "BATCHSTATUS_STATE_DIR, or StateDirectory= under systemd");
		return -1;
	}
	if (shared->len > 0)
		*key = *shared;
	else {
		snprintf(path, sizeof(path), "%s/follow-key", dir);
		if (recent_key_load_or_create(path, key, err,
		    sizeof(err)) == -1) {
			log_err("cannot start: the follow key: %s", err);
			return -1;
		}
	}
	*on = 1;
	log_info("notifications: %zu target%s; state in %s", t->n,
	    t->n == 1 ? "" : "s", dir);
	return 0;
}

static int
read_shared_secrets(const struct config *cfg, struct seal_key *key, char *pw,
    size_t pwsz)
{
	char err[CONFIG_PATH_MAX + 256];

	pw[0] = '\0';
	if (cfg->shared[0] == '\0')
		return 0;
	if (seal_key_load(cfg->shared_key_file, key, err, sizeof(err)) == -1) {
		log_err("cannot start: configuration: BATCHSTATUS_SHARED_KEY_FILE "
		    "(shared_key_file): %s", err);
		return -1;
	}
	if (cfg->shared_password_file[0] != '\0' &&
	    secret_read(cfg->shared_password_file, pw, pwsz, err,
	    sizeof(err)) == -1) {
		log_err("cannot start: configuration: "
		    "BATCHSTATUS_SHARED_PASSWORD_FILE (shared_password_file): %s",
		    err);
		seal_key_wipe(key);
		return -1;
	}
	return 0;
}

/* The thread that talks to Redis; Redis itself being away does not stop the start (the node serves alone until it answers). */
static int
start_shared(const struct config *cfg, struct fetch_ctx *fetch,
    const struct seal_key *key, const char *pw)
{
	struct shared_opts o;

	memset(&o, 0, sizeof(o));
	o.url = cfg->shared;
	o.password = pw[0] != '\0' ? pw : NULL;
	o.timeout_ms = cfg->shared_timeout_ms;
	metrics_shared_up(0);
	if ((fetch->shared = shared_start(&o)) == NULL) {
		log_err("cannot start: the Redis thread did not start");
		return -1;
	}
	fetch->key = key;
	token_source_share(fetch->tokens, fetch->shared, key);
	log_info("shared: with the nodes behind Redis %s (answers within %ld ms, "
	    "else this node goes on alone)", cfg->shared, cfg->shared_timeout_ms);
	return 0;
}

/* --check-config --online waits here for the one sign-in. */
struct check_wait {
	struct token_waiter	 w;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int			 woken;
};

static void
check_woken(struct token_waiter *w)
{
	struct check_wait *cw = (struct check_wait *)(void *)w;

	pthread_mutex_lock(&cw->mu);
	cw->woken = 1;
	pthread_cond_signal(&cw->cv);
	pthread_mutex_unlock(&cw->mu);
}

/* --check-config --online: one token from the sign-in (through the I/O loop), or its error. */
static int
check_online(const struct config *cfg, struct token_source *tokens)
{
	struct pc_loop_opts	 lo;
	struct pc_loop		*loop;
	struct cpu_pool		*cpu;
	struct check_wait	 cw;
	enum token_step		 s;
	enum bs_error		 e = BS_ERR_INTERNAL;
	char			*token = NULL, why[80];

	memset(&lo, 0, sizeof(lo));
	lo.max_connections = 1;
	lo.connect_timeout_ms = cfg->connect_timeout_ms;
	lo.ca_file = cfg->ca_file;
	lo.user_agent = APP_NAME;
	if ((cpu = cpu_start(1)) == NULL)
		return EXIT_START;
	if ((loop = pc_loop_start(&lo)) == NULL) {
		cpu_stop(cpu);
		return EXIT_START;
	}
	token_source_start(tokens, loop, cpu);
	memset(&cw, 0, sizeof(cw));
	cw.w.wake = check_woken;
	pthread_mutex_init(&cw.mu, NULL);
	pthread_cond_init(&cw.cv, NULL);
	if ((s = token_get(tokens, &token, &e, &cw.w)) == TOKEN_WAIT) {
		pthread_mutex_lock(&cw.mu);
		while (!cw.woken)
			pthread_cond_wait(&cw.cv, &cw.mu);
		pthread_mutex_unlock(&cw.mu);
		/* The one sign-in ended: its token, or its failure (a backoff), is there now. */
		s = token_get(tokens, &token, &e, NULL);
	}
	wipe_str(token);
	pc_loop_stop(loop);
	cpu_stop(cpu);
	pthread_cond_destroy(&cw.cv);
	pthread_mutex_destroy(&cw.mu);
	if (s == TOKEN_READY) {
		log_info("check: a token was obtained");
		return 0;
	}
	token_failure(tokens, why, sizeof(why));
	log_err("check: no token: %s", why[0] ? why : error_info(e)->key);
	return EXIT_SIGNIN;
}

int
main(int argc, char *argv[])
{
	struct config		 cfg;
	const char		*config_path, *unix_path;
	char			 err[2048];
	struct token_opts	 topts;
	struct token_source	*tokens;
	struct cache_opts	 copts;
	struct pc_loop_opts	 lo;
	struct core_opts	 co;
	struct fetch_ctx	 fetch;
	struct cpu_pool		*cpu;
	struct pc_loop		*loop;
	struct core		*core;
	struct reload_ctx	 rl;
	struct seal_key		 key, recent_key, follow_key;
	struct notify_targets	 targets;
	struct follow_opts	 fo;
	char			 state_dir[CONFIG_PATH_MAX];
	int			 notify_on = 0;
	char			 shared_pw[512];
	int			 have_recent = 0;
	sigset_t		 stop;
	long			 backlog;
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
	if (reload_pages(cfg.templates_dir, err, sizeof(err)) == -1) {
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
	memset(&key, 0, sizeof(key));
	if (read_shared_secrets(&cfg, &key, shared_pw, sizeof(shared_pw)) == -1)
		return EXIT_CONFIG;
	memset(&recent_key, 0, sizeof(recent_key));
	if (!check && read_recent_key(&cfg, &key, &recent_key,
	    &have_recent) == -1)
		return EXIT_CONFIG;
	memset(&follow_key, 0, sizeof(follow_key));
	if (!check && read_notify(&cfg, &key, &targets, state_dir,
	    sizeof(state_dir), &follow_key, &notify_on) == -1)
		return EXIT_CONFIG;
	token_opts_from(&cfg, &topts);
	if ((tokens = token_source_new(&topts)) == NULL) {
		log_err("cannot start: out of memory");
		return EXIT_START;
	}
	if (check) {
		rc = 0;
		if (cfg.notify_file[0] != '\0' && notify_targets_load(
		    cfg.notify_file, &targets, err, sizeof(err)) == -1) {
			log_err("check: BATCHSTATUS_NOTIFY_FILE (notify_file): %s",
			    err);
			rc = EXIT_CONFIG;
		}
		explicit_bzero(&targets, sizeof(targets));
		if (online && rc == 0) {
			if (pc_http_global_init() == -1) {
				log_err("cannot start: library initialisation "
				    "failed");
				return EXIT_START;
			}
			rc = check_online(&cfg, tokens);
			pc_http_global_cleanup();
		}
		if (rc == 0)
			log_info("check: configuration, secret files and "
			    "templates are fine");
		token_source_free(tokens);
		seal_key_wipe(&key);
		explicit_bzero(shared_pw, sizeof(shared_pw));
		render_free();
		i18n_free();
		return rc;
	}

	/*
	 * glibc gives each thread that allocates an arena of its own, and
	 * memory freed by another thread goes back to its first arena: with
	 * the accept, CPU and I/O threads passing requests around, the
	 * arenas' free space added up. Two are plenty for a few threads.
	 */
	mallopt(M_ARENA_MAX, 2);
	if (pc_http_global_init() == -1 ||
	    fcgi_init(cfg.frame_ancestors) == -1) {
		log_err("cannot start: library initialisation failed");
		return EXIT_START;
	}
	/* Block the stop and reload signals in every thread; main takes them with sigwait. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* config_load checked it. */
	(void)route_set_base_path(cfg.base_path);
	if (cfg.frame_ancestors[0] != '\0')
		log_info("pages may be embedded by: %s", cfg.frame_ancestors);
	/* Room in the backlog for a burst as large as the requests that may wait. */
	backlog = cfg.max_waiting > 1024 ? cfg.max_waiting : 1024;
	if ((fd = fcgi_listen(cfg.listen, (int)(backlog > 65535 ? 65535 :
	    backlog), &unix_path)) < 0)
		return EXIT_START;

	reload_cache_opts(&cfg, &copts);
	memset(&lo, 0, sizeof(lo));
	lo.max_connections = cfg.upstream_connections;
	lo.connect_timeout_ms = cfg.connect_timeout_ms;
	lo.ca_file = cfg.ca_file;
	lo.user_agent = APP_NAME;
	memset(&fetch, 0, sizeof(fetch));
	fetch.tokens = tokens;
	fetch.up.base_url = cfg.pc_base_url;
	fetch.up.timeout_ms = cfg.upstream_timeout_ms;
	fetch.up.max_body_bytes = cfg.max_body_bytes;
	fetch.up.app_name = APP_NAME;
	fetch.up.max_pages = cfg.max_pages;
	fetch.max_devices = cfg.max_devices;
	fetch.max_waiting = cfg.max_waiting;
	fetch.max_retry_after = cfg.max_retry_after;
	fetch.recent_key = have_recent ? &recent_key : NULL;
	if ((fetch.cache = cache_new(&copts)) == NULL ||
	    (cpu = cpu_start(cfg.threads)) == NULL) {
		log_err("cannot start: out of memory, or no thread could start");
		return EXIT_START;
	}
	if ((loop = pc_loop_start(&lo)) == NULL) {
		log_err("cannot start: the I/O loop did not start");
		return EXIT_START;
	}
	fetch.loop = loop;
	fetch.cpu = cpu;
	if (cfg.shared[0] != '\0' && start_shared(&cfg, &fetch, &key,
	    shared_pw) == -1)
		return EXIT_START;
	explicit_bzero(shared_pw, sizeof(shared_pw));
	token_source_start(tokens, loop, cpu);
	if (notify_on) {
		memset(&fo, 0, sizeof(fo));
		fo.fetch = &fetch;
		fo.loop = loop;
		fo.cpu = cpu;
		fo.targets = &targets;
		fo.state_dir = state_dir;
		fo.key = &follow_key;
		fo.public_url = cfg.public_url;
		fo.follow_hours = cfg.follow_hours;
		fo.follow_viewed = (int)cfg.follow_viewed;
		fo.send_timeout_ms = 10000;
		fo.shared = fetch.shared;
		if ((fetch.follow = follow_start(&fo, err, sizeof(err))) == NULL) {
			log_err("cannot start: notifications: %s", err);
			return EXIT_START;
		}
		explicit_bzero(&targets, sizeof(targets));
		if (cfg.public_url[0] == '\0')
			log_warn("notifications: no BATCHSTATUS_PUBLIC_URL: they "
			    "carry no link to the batch");
	}
	memset(&co, 0, sizeof(co));
	co.listen_fd = fd;
	/* The parked ones, and room for those being answered at once. */
	co.max_requests = cfg.max_waiting + 1024;
	co.fetch = &fetch;
	co.cpu = cpu;
	if ((core = core_start(&co)) == NULL) {
		log_err("cannot start: the accept thread did not start");
		return EXIT_START;
	}
	/* nginx may serve kept pages of the customers allowed now, and only theirs. */
	if (gate_sync(cfg.page_gate_dir, err, sizeof(err)) == -1)
		log_err("BATCHSTATUS_PAGE_GATE_DIR (page_gate_dir): %s: nginx "
		    "serves no kept page of a customer whose file is missing", err);
	else if (cfg.page_gate_dir[0] != '\0')
		log_info("page gate: %s tells nginx whose kept pages it may "
		    "serve", cfg.page_gate_dir);
	log_info("%s ready: %ld CPU threads, one I/O loop (at most %ld "
	    "connections per host), up to %ld requests waiting; upstream %s, "
	    "deadline %ld ms, cache %lds finished / %lds running / %ld bytes, "
	    "at most %ld devices", APP_NAME, cpu_threads(cpu),
	    cfg.upstream_connections, cfg.max_waiting, cfg.pc_base_url,
	    cfg.upstream_timeout_ms, cfg.cache_finished_seconds,
	    cfg.cache_running_seconds, cfg.cache_max_bytes, cfg.max_devices);

	memset(&rl, 0, sizeof(rl));
	rl.config_path = config_path;
	rl.cfg = &cfg;
	rl.fetch = &fetch;
	rl.tokens = tokens;
	rl.cpu = cpu;
	for (;;) {
		while (sigwait(&stop, &sig) != 0)
			;
		if (sig != SIGHUP)
			break;
		(void)reload_run(&rl);
	}
	log_info("signal %d: finishing the %ld requests in flight, then "
	    "stopping", sig, core_in_use(core));
	core_stop(core);
	/* Its polls and sends in flight end first (within their deadlines). */
	follow_stop(fetch.follow);
	shared_stop(fetch.shared);
	seal_key_wipe(&follow_key);
	seal_key_wipe(&key);
	seal_key_wipe(&recent_key);
	/* Nobody waits on a call now: what is left in the loop (a sign-in) is dropped. */
	pc_loop_stop(loop);
	cpu_stop(cpu);
	if (unix_path != NULL)
		unlink(unix_path);
	close(fd);
	cache_free(fetch.cache);
	token_source_free(tokens);
	pc_http_global_cleanup();
	render_free();
	i18n_free();
	allow_free();
	log_info("stopped");
	return 0;
}
