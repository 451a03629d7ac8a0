/* test_handler.c: one request from method + URI to a response through the serving core: statuses, pages, redirects, mount points, and failures as pages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allow.h"
#include "core.h"
#include "cpu.h"
#include "handler.h"
#include "i18n.h"
#include "render.h"
#include "t.h"

#define C "47021739-3426-40bf-9601-61b4b6d7c793"
#define T "0127ed8e-ff72-4983-a3d8-e8d8bd378932"
#define BATCH "/customers/" C "/batches/" T

static struct cpu_pool *cpu;		/* the process's CPU pool, as in the server */

/* One serving core, and what its requests are sent with. */
struct rig {
	struct core		*core;
	struct fetch_ctx	 f;
	int			 with_fetch;
	const char		*script_name;	/* what nginx would pass as SCRIPT_NAME */
	int			 has_body;	/* CONTENT_LENGTH > 0 */
	char			 tokpath[32];
	struct response		 res;
};

static struct core *
core_for(struct fetch_ctx *f)
{
	struct core_opts o;

	memset(&o, 0, sizeof(o));
	o.listen_fd = -1;
	o.max_requests = 16;
	o.fetch = f;
	o.cpu = cpu;
	return core_start(&o);
}

static void
write_secret(const char *path, const char *line)
{
	FILE *tf = fopen(path, "w");

	fputs(line, tf);
	fclose(tf);
	chmod(path, 0600);
}

static struct token_source *
file_tokens(const char *path)
{
	struct token_opts o;

	memset(&o, 0, sizeof(o));
	o.kind = TOKEN_FROM_FILE;
	o.token_file = path;
	return token_source_new(&o);
}

/* A core whose requests never reach upstream (no fetch at all). */
static void
rig_plain(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	r->core = core_for(NULL);
	CHECK(r->core != NULL);
}

/*
 * A core with a fetch whose Partner Center is unreachable (nothing
 * listens at its port), its token from a file (token: its line, or NULL
 * for no file at all).
 */
static void
rig_unreachable(struct rig *r, const char *token)
{
	struct pc_loop_opts	 lo;
	struct cache_opts	 co = { 600000, 5000, 1 << 20, 0, { 60000, 60000, 60000, 60000 } };
	int			 fd;

	memset(r, 0, sizeof(*r));
	snprintf(r->tokpath, sizeof(r->tokpath), "/tmp/bs-handler-XXXXXX");
	fd = mkstemp(r->tokpath);
	close(fd);
	if (token != NULL)
		write_secret(r->tokpath, token);
	else
		unlink(r->tokpath);
	memset(&lo, 0, sizeof(lo));
	lo.max_connections = 8;
	lo.connect_timeout_ms = 1000;
	lo.user_agent = "batchstatus/test";
	r->f.up.base_url = "http://127.0.0.1:1";
	r->f.up.timeout_ms = 2000;
	r->f.up.max_body_bytes = 1024;
	r->f.up.app_name = "batchstatus/test";
	r->f.max_devices = 100;
	r->f.max_waiting = 8;
	r->f.max_retry_after = 300;
	r->f.cpu = cpu;
	r->f.loop = pc_loop_start(&lo);
	CHECK(r->f.loop != NULL);
	r->f.tokens = file_tokens(r->tokpath);
	r->f.cache = cache_new(&co);
	r->with_fetch = 1;
	r->core = core_for(&r->f);
	CHECK(r->core != NULL);
}

static void
rig_stop(struct rig *r)
{
	buf_free(&r->res.body);
	core_stop(r->core);
	if (r->with_fetch) {
		pc_loop_stop(r->f.loop);
		cache_free(r->f.cache);
		token_source_free(r->f.tokens);
		unlink(r->tokpath);
	}
}

/* One request through the serving core (the same path as an accepted one), waited for. */
static struct response *
go(struct rig *r, const char *method, const char *uri)
{
	struct http_in in = { method, uri, NULL, NULL, r->script_name,
	    r->has_body, NULL, 0, 0, NULL, NULL, NULL, NULL, 0, 0 };

	buf_free(&r->res.body);
	core_serve_local(r->core, &in, 0, &r->res);
	return &r->res;
}

/* The value of one /metrics line (its name and labels as printed), or -1 when absent. */
static long
metric(struct rig *r, const char *line)
{
	const char	*p;
	struct response	*res = go(r, "GET", "/metrics");

	if (res->body.data == NULL || (p = strstr(res->body.data, line)) == NULL)
		return -1;
	return strtol(p + strlen(line), NULL, 10);
}

static void
test_form_is_the_empty_form(void)
{
	struct rig	 r;
	struct response	*res;

	rig_plain(&r);
	res = go(&r, "GET", "/");
	CHECK(res->status == 200);
	CHECK_STR(res->content_type, "text/html; charset=utf-8");
	CHECK_CONTAINS(res->body.data, "name=\"customer\"");
	CHECK_CONTAINS(res->body.data, "name=\"tracking\"");
	CHECK(strlen(res->correlation_id) == 36);
	rig_stop(&r);
}

static void
test_lookups_redirect_to_the_canonical_url(void)
{
	struct rig	 r;
	struct response	*res;

	rig_plain(&r);
	res = go(&r, "GET", "/?customer=%7B" C "%7D&tracking=" T);
	CHECK(res->status == 303);
	CHECK_STR(res->location, BATCH);
	res = go(&r, "GET", "/V1/customers/" C "/BATCHJOBSTATUS/" T);
	CHECK(res->status == 303);
	CHECK_STR(res->location, BATCH);
	res = go(&r, "GET", "/customers/47021739-3426-40BF-9601-61B4B6D7C793/"
	    "batches/" T ".json");
	CHECK(res->status == 303);
	CHECK_STR(res->location, BATCH ".json");
	rig_stop(&r);
}

/* Bad input: 400 and the form again, with the value and a message; fetch is never asked (there is none). */
static void
test_bad_input_is_the_form_again(void)
{
	struct rig	 r;
	struct response	*res;

	rig_plain(&r);
	res = go(&r, "GET", "/?customer=%3Cb%3Enope&tracking=" T);
	CHECK(res->status == 400);
	CHECK_CONTAINS(res->body.data, "value=\"&lt;b&gt;nope\"");
	CHECK_CONTAINS(res->body.data, "must be a GUID");
	res = go(&r, "GET", "/customers/" C "/batches/..%2F..");
	CHECK(res->status == 400);
	rig_stop(&r);
}

static void
test_unknown_path_and_method(void)
{
	struct rig	 r;
	struct response	*res;

	rig_plain(&r);
	res = go(&r, "GET", "/nope");
	CHECK(res->status == 404);
	CHECK_CONTAINS(res->body.data, "id=\"correlation-id\">");
	CHECK_CONTAINS(res->body.data, res->correlation_id);
	res = go(&r, "POST", "/");
	CHECK(res->status == 405 && res->allow);
	rig_stop(&r);
}

static void
test_head_renders_nothing(void)
{
	struct rig	 r;
	struct response	*res;

	rig_plain(&r);
	res = go(&r, "HEAD", "/");
	CHECK(res->status == 200 && res->head);
	CHECK(res->body.len == 0);
	CHECK_STR(res->content_type, "text/html; charset=utf-8");
	res = go(&r, "HEAD", "/nope");
	CHECK(res->status == 404 && res->body.len == 0);
	rig_stop(&r);
}

/* Upstream failures are pages with the right status and the correlation ID. */
static void
test_unreachable_upstream_is_a_502_page(void)
{
	struct rig	 r;
	struct response	*res;

	rig_unreachable(&r, "unit-test-token\n");
	res = go(&r, "GET", BATCH);
	CHECK(res->status == 502);
	CHECK_STR(res->cache, "miss");
	CHECK_STR(res->outcome, "unreachable");
	CHECK_CONTAINS(res->body.data, res->correlation_id);
	CHECK_CONTAINS(res->body.data, BATCH);
	CHECK_LACKS(res->body.data, "unit-test-token");
	rig_stop(&r);
}

static void
test_unreachable_upstream_as_json(void)
{
	struct rig	 r;
	struct response	*res;

	rig_unreachable(&r, "unit-test-token\n");
	res = go(&r, "GET", BATCH ".json");
	CHECK(res->status == 502);
	CHECK_STR(res->content_type, "application/json; charset=utf-8");
	CHECK_CONTAINS(res->body.data, "\"error\":\"unreachable\"");
	CHECK_CONTAINS(res->body.data, "\"asOf\":null,\"stale\":false");
	CHECK_CONTAINS(res->body.data, res->correlation_id);
	rig_stop(&r);
}

/* No token: our own fault, a 500 that says so. */
static void
test_no_token_is_a_500(void)
{
	struct rig	 r;
	struct response	*res;

	rig_unreachable(&r, NULL);
	res = go(&r, "GET", BATCH);
	CHECK(res->status == 500);
	CHECK_STR(res->outcome, "token");
	rig_stop(&r);
}

/* The sign-in endpoint cannot be reached: a 502 that names the sign-in, with its code. */
static void
test_failed_signin_names_its_code(void)
{
	struct rig		 r;
	struct response		*res;
	struct token_opts	 to;

	rig_unreachable(&r, "unit-test-secret\n");
	token_source_free(r.f.tokens);
	memset(&to, 0, sizeof(to));
	to.kind = TOKEN_APP;
	to.client_secret_file = r.tokpath;
	to.signin.token_url = "http://127.0.0.1:1/tenant/oauth2/token";
	to.signin.client_id = "client";
	to.signin.timeout_ms = 2000;
	r.f.tokens = token_source_new(&to);
	token_source_start(r.f.tokens, r.f.loop, cpu);
	res = go(&r, "GET", BATCH);
	CHECK(res->status == 502);
	CHECK_STR(res->outcome, "signin");
	CHECK_CONTAINS(res->body.data,
	    "Sign-in error: <code id=\"error-detail\">unreachable</code>");
	CHECK_LACKS(res->body.data, "unit-test-secret");
	res = go(&r, "GET", BATCH ".json");
	CHECK(res->status == 502);
	CHECK_CONTAINS(res->body.data, "\"error\":\"signin\"");
	CHECK_CONTAINS(res->body.data, "\"detail\":\"unreachable\"");
	rig_stop(&r);
}

/* Mounted under a prefix (SCRIPT_NAME): routed below it, every link carries it. */
static void
test_script_name_mounts_the_app(void)
{
	struct rig	 r;
	struct response	*res;

	rig_unreachable(&r, "unit-test-token\n");
	r.script_name = "/tools/batchstatus";
	res = go(&r, "GET", "/tools/batchstatus/");
	CHECK(res->status == 200);
	CHECK_CONTAINS(res->body.data, "action=\"/tools/batchstatus/\"");
	CHECK_CONTAINS(res->body.data,
	    "href=\"/tools/batchstatus/static/style.css\"");
	CHECK_CONTAINS(res->body.data,
	    "href=\"/tools/batchstatus/?lang=ja-JP\"");
	res = go(&r, "GET", "/tools/batchstatus/?customer=" C "&tracking=" T);
	CHECK(res->status == 303);
	CHECK_STR(res->location, "/tools/batchstatus" BATCH);
	res = go(&r, "GET", "/tools/batchstatus/?lang=hu&embed=1&customer=" C
	    "&tracking=" T);
	CHECK_STR(res->location, "/tools/batchstatus" BATCH
	    "?lang=hu-HU&embed=1");
	rig_stop(&r);
}

/* nginx's stock fastcgi_params make SCRIPT_NAME the whole path, or something unusable: not a mount point. */
static void
test_script_name_that_is_no_mount_point(void)
{
	struct rig	 r;
	struct response	*res;

	rig_unreachable(&r, "unit-test-token\n");
	r.script_name = "/healthz";
	res = go(&r, "GET", "/healthz");
	CHECK(res->status == 200);
	CHECK_STR(res->body.data, "ok\n");
	r.script_name = BATCH;
	res = go(&r, "GET", BATCH "?lang=hu");
	CHECK(res->status == 502);	/* routed as a batch (upstream unreachable here) */
	r.script_name = "/../etc";
	res = go(&r, "GET", "/");
	CHECK(res->status == 200);
	CHECK_CONTAINS(res->body.data, "action=\"/\"");
	rig_stop(&r);
}

/* BATCHSTATUS_BASE_PATH: the setting wins over SCRIPT_NAME; outside it nothing is ours. */
static void
test_base_path_setting(void)
{
	struct rig	 r;
	struct response	*res;

	rig_plain(&r);
	CHECK(route_set_base_path("/portal/bs") == 0);
	r.script_name = "/tools/batchstatus";
	res = go(&r, "GET", "/portal/bs/");
	CHECK(res->status == 200);
	CHECK_CONTAINS(res->body.data, "action=\"/portal/bs/\"");
	res = go(&r, "GET", "/portal/bs");
	CHECK(res->status == 200);
	res = go(&r, "GET", "/portal/bs?lang=hu");
	CHECK(res->status == 200);
	CHECK_CONTAINS(res->body.data, "lang=\"hu-HU\"");
	res = go(&r, "GET", BATCH);
	CHECK(res->status == 404);
	res = go(&r, "GET", "/portal/bsx/");
	CHECK(res->status == 404);
	CHECK(route_set_base_path("/trailing/") == -1);
	CHECK(route_set_base_path("") == 0);
	rig_stop(&r);
}

/* Health and metrics never call upstream; /metrics counts what was asked. */
static void
test_health_and_metrics_ask_nothing_upstream(void)
{
	struct rig	 r;
	struct response	*res;
	long		 calls, misses, health;

	rig_unreachable(&r, "unit-test-token\n");
	calls = metric(&r, "batchstatus_upstream_calls_total{outcome=\"unreachable\"} ");
	misses = metric(&r, "batchstatus_cache_requests_total{result=\"miss\"} ");
	health = metric(&r, "batchstatus_requests_total{route=\"healthz\",status=\"200\"} ");
	res = go(&r, "GET", "/healthz");
	CHECK(res->status == 200 && strcmp(res->body.data, "ok\n") == 0);
	CHECK_STR(res->route, "healthz");
	CHECK(metric(&r, "batchstatus_upstream_calls_total{outcome=\"unreachable\"} ") ==
	    calls);
	CHECK(metric(&r, "batchstatus_requests_total{route=\"healthz\",status=\"200\"} ") ==
	    (health < 0 ? 0 : health) + 1);
	go(&r, "GET", BATCH);
	/* The batch and, beside it, its customer's name: two calls. */
	CHECK(metric(&r, "batchstatus_upstream_calls_total{outcome=\"unreachable\"} ") ==
	    (calls < 0 ? 0 : calls) + 2);
	CHECK(metric(&r, "batchstatus_cache_requests_total{result=\"miss\"} ") ==
	    (misses < 0 ? 0 : misses) + 1);
	res = go(&r, "GET", "/metrics");
	CHECK_CONTAINS(res->body.data, "batchstatus_upstream_latency_seconds_count ");
	CHECK_CONTAINS(res->body.data, "# TYPE batchstatus_threads_busy gauge");
	rig_stop(&r);
}

/* A GET with a body is refused before anything is asked upstream. */
static void
test_a_body_is_refused_first(void)
{
	struct rig	 r;
	struct response	*res;

	rig_unreachable(&r, "unit-test-token\n");
	r.has_body = 1;
	res = go(&r, "GET", BATCH);
	CHECK(res->status == 400);
	CHECK_STR(res->outcome, "body");
	CHECK(res->cache == NULL);
	res = go(&r, "POST", "/");
	CHECK(res->status == 405);	/* the method is the first thing wrong */
	rig_stop(&r);
}

/* BATCHSTATUS_ALLOWED_CUSTOMERS: others get 403 before anything is asked upstream. */
static void
test_customers_not_allowed_get_403(void)
{
	struct rig	 r;
	struct response	*res;
	char		 list[] = "/tmp/bs-allow-XXXXXX", e2[256];
	int		 fd = mkstemp(list);
	FILE		*af = fdopen(fd, "w");

	fputs(C "\n", af);
	fclose(af);
	CHECK(allow_load(list, e2, sizeof(e2)) == 0);
	rig_unreachable(&r, "unit-test-token\n");
	res = go(&r, "GET", "/customers/aaaaaaaa-0000-4000-8000-000000000001/"
	    "batches/" T);
	CHECK(res->status == 403);
	CHECK_STR(res->outcome, "customer_not_allowed");
	CHECK(res->cache == NULL);	/* the cache, so upstream, never asked */
	res = go(&r, "GET", "/customers/aaaaaaaa-0000-4000-8000-000000000001/"
	    "batches/" T ".json");
	CHECK(res->status == 403);
	CHECK_CONTAINS(res->body.data, "\"error\":\"customer_not_allowed\"");
	res = go(&r, "GET", BATCH);
	CHECK(res->status == 502);	/* an allowed one is asked for */
	CHECK(allow_load("", e2, sizeof(e2)) == 0);
	rig_stop(&r);
	unlink(list);
}

int
main(void)
{
	const struct render_words words = { LOC__MAX, i18n_word };
	char			 err[256];

	/* The process's set-up, as main.c does it: not any test's state. */
	if (i18n_load("templates/i18n", err, sizeof(err)) != 0 ||
	    render_init("templates", &words, err, sizeof(err)) != 0 ||
	    pc_http_global_init() != 0 || (cpu = cpu_start(2)) == NULL) {
		fprintf(stderr, "FAIL set-up: %s\n", err);
		return 1;
	}
	T_RUN(test_form_is_the_empty_form);
	T_RUN(test_lookups_redirect_to_the_canonical_url);
	T_RUN(test_bad_input_is_the_form_again);
	T_RUN(test_unknown_path_and_method);
	T_RUN(test_head_renders_nothing);
	T_RUN(test_unreachable_upstream_is_a_502_page);
	T_RUN(test_unreachable_upstream_as_json);
	T_RUN(test_no_token_is_a_500);
	T_RUN(test_failed_signin_names_its_code);
	T_RUN(test_script_name_mounts_the_app);
	T_RUN(test_script_name_that_is_no_mount_point);
	T_RUN(test_base_path_setting);
	T_RUN(test_health_and_metrics_ask_nothing_upstream);
	T_RUN(test_a_body_is_refused_first);
	T_RUN(test_customers_not_allowed_get_403);
	cpu_stop(cpu);
	pc_http_global_cleanup();
	return t_done("test_handler");
}
