/* test_handler.c: one request from method + URI to a response: statuses, pages, redirects, and failures as pages. */
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

static struct response res;
static const char *script_name;	/* what nginx would pass as SCRIPT_NAME */
static int has_body;			/* CONTENT_LENGTH > 0 */
static struct cpu_pool *cpu;
static struct core *no_fetch;		/* a core whose requests never reach upstream */

/* One request through the serving core (the same path as an accepted one), waited for. */
static void
go(struct core *c, const char *method, const char *uri)
{
	struct http_in in = { method, uri, NULL, NULL, script_name, has_body };

	buf_free(&res.body);
	core_serve_local(c != NULL ? c : no_fetch, &in, 0, &res);
}

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

static struct token_source *
file_tokens(const char *path)
{
	struct token_opts o;

	memset(&o, 0, sizeof(o));
	o.kind = TOKEN_FROM_FILE;
	o.token_file = path;
	return token_source_new(&o);
}

int
main(void)
{
	const struct render_words words = { LOC__MAX, i18n_word };
	char			 err[256], tokpath[] = "/tmp/bs-handler-XXXXXX";
	struct fetch_ctx	 f;
	struct pc_loop_opts	 lo;
	struct token_opts	 to;
	struct cache_opts	 co = { 600000, 5000, 1 << 20, 0 };
	struct core		*withf;
	FILE			*tf;
	int			 fd;

	CHECK(i18n_load("templates/i18n", err, sizeof(err)) == 0);
	CHECK(render_init("templates", &words, err, sizeof(err)) == 0);
	CHECK(pc_http_global_init() == 0);
	CHECK((cpu = cpu_start(2)) != NULL);
	CHECK((no_fetch = core_for(NULL)) != NULL);

	go(NULL, "GET", "/");
	CHECK(res.status == 200);
	CHECK_STR(res.content_type, "text/html; charset=utf-8");
	CHECK_CONTAINS(res.body.data, "name=\"customer\"");
	CHECK_CONTAINS(res.body.data, "name=\"tracking\"");
	CHECK(strlen(res.correlation_id) == 36);

	go(NULL, "GET", "/?customer=%7B" C "%7D&tracking=" T);
	CHECK(res.status == 303);
	CHECK_STR(res.location, "/customers/" C "/batches/" T);
	go(NULL, "GET", "/V1/customers/" C "/BATCHJOBSTATUS/" T);
	CHECK(res.status == 303);
	CHECK_STR(res.location, "/customers/" C "/batches/" T);
	go(NULL, "GET", "/customers/47021739-3426-40BF-9601-61B4B6D7C793/batches/"
	    T ".json");
	CHECK(res.status == 303);
	CHECK_STR(res.location, "/customers/" C "/batches/" T ".json");

	/* Bad input: 400 and the form again, with the value and a message; fetch is never asked (NULL). */
	go(NULL, "GET", "/?customer=%3Cb%3Enope&tracking=" T);
	CHECK(res.status == 400);
	CHECK_CONTAINS(res.body.data, "value=\"&lt;b&gt;nope\"");
	CHECK_CONTAINS(res.body.data, "must be a GUID");
	go(NULL, "GET", "/customers/" C "/batches/..%2F..");
	CHECK(res.status == 400);
	go(NULL, "GET", "/nope");
	CHECK(res.status == 404);
	CHECK_CONTAINS(res.body.data, "id=\"correlation-id\">");
	CHECK_CONTAINS(res.body.data, res.correlation_id);
	go(NULL, "POST", "/");
	CHECK(res.status == 405 && res.allow);
	go(NULL, "HEAD", "/");
	CHECK(res.status == 200 && res.head);
	CHECK(res.body.len == 0);	/* nothing rendered */
	CHECK_STR(res.content_type, "text/html; charset=utf-8");
	go(NULL, "HEAD", "/nope");
	CHECK(res.status == 404 && res.body.len == 0);

	/* Upstream failures are pages with the right status and the correlation ID. */
	fd = mkstemp(tokpath);
	tf = fdopen(fd, "w");
	fputs("unit-test-token\n", tf);
	fclose(tf);
	chmod(tokpath, 0600);
	memset(&lo, 0, sizeof(lo));
	lo.max_connections = 8;
	lo.connect_timeout_ms = 1000;
	lo.user_agent = "batchstatus/test";
	memset(&f, 0, sizeof(f));
	f.up.base_url = "http://127.0.0.1:1";	/* nothing listens there */
	f.up.timeout_ms = 2000;
	f.up.max_body_bytes = 1024;
	f.up.app_name = "batchstatus/test";
	f.max_devices = 100;
	f.max_waiting = 8;
	f.max_retry_after = 300;
	f.cpu = cpu;
	CHECK((f.loop = pc_loop_start(&lo)) != NULL);
	f.tokens = file_tokens(tokpath);
	f.cache = cache_new(&co);
	CHECK((withf = core_for(&f)) != NULL);
	go(withf, "GET", "/customers/" C "/batches/" T);
	CHECK(res.status == 502);
	CHECK_STR(res.cache, "miss");
	CHECK_STR(res.outcome, "unreachable");
	CHECK_CONTAINS(res.body.data, res.correlation_id);
	CHECK_CONTAINS(res.body.data, "/customers/" C "/batches/" T);
	CHECK_LACKS(res.body.data, "unit-test-token");
	go(withf, "GET", "/customers/" C "/batches/" T ".json");
	CHECK(res.status == 502);
	CHECK_STR(res.content_type, "application/json; charset=utf-8");
	CHECK_CONTAINS(res.body.data, "\"error\":\"unreachable\"");
	CHECK_CONTAINS(res.body.data, res.correlation_id);
	token_source_free(f.tokens);

	/* No token: our own fault, a 500 that says so. */
	unlink(tokpath);
	f.tokens = file_tokens(tokpath);
	go(withf, "GET", "/customers/" C "/batches/" T);
	CHECK(res.status == 500);
	CHECK_STR(res.outcome, "token");
	token_source_free(f.tokens);

	/* The sign-in endpoint cannot be reached: a 502 that names the sign-in, with its code. */
	memset(&to, 0, sizeof(to));
	to.kind = TOKEN_APP;
	to.client_secret_file = tokpath;
	to.signin.token_url = "http://127.0.0.1:1/tenant/oauth2/token";
	to.signin.client_id = "client";
	to.signin.timeout_ms = 2000;
	tf = fopen(tokpath, "w");
	fputs("unit-test-secret\n", tf);
	fclose(tf);
	chmod(tokpath, 0600);
	f.tokens = token_source_new(&to);
	token_source_start(f.tokens, f.loop, cpu);
	go(withf, "GET", "/customers/" C "/batches/" T);
	CHECK(res.status == 502);
	CHECK_STR(res.outcome, "signin");
	CHECK_CONTAINS(res.body.data, "Sign-in error: <code id=\"error-detail\">unreachable</code>");
	CHECK_LACKS(res.body.data, "unit-test-secret");
	go(withf, "GET", "/customers/" C "/batches/" T ".json");
	CHECK(res.status == 502);
	CHECK_CONTAINS(res.body.data, "\"error\":\"signin\"");
	CHECK_CONTAINS(res.body.data, "\"detail\":\"unreachable\"");
	/* The sign-in source stays, in its backoff, for the batch pages below. */

	/* Mounted under a prefix (SCRIPT_NAME or the setting): routed below it, every link carries it. */
	script_name = "/tools/batchstatus";
	go(withf, "GET", "/tools/batchstatus/");
	CHECK(res.status == 200);
	CHECK_CONTAINS(res.body.data, "action=\"/tools/batchstatus/\"");
	CHECK_CONTAINS(res.body.data, "href=\"/tools/batchstatus/static/style.css\"");
	CHECK_CONTAINS(res.body.data, "href=\"/tools/batchstatus/?lang=ja-JP\"");
	/* nginx's stock fastcgi_params make SCRIPT_NAME the whole path: not a mount point. */
	script_name = "/healthz";
	go(withf, "GET", "/healthz");
	CHECK(res.status == 200);
	CHECK_STR(res.body.data, "ok\n");
	script_name = "/customers/" C "/batches/" T;
	go(withf, "GET", "/customers/" C "/batches/" T "?lang=hu");
	CHECK(res.status == 502);	/* routed as a batch (upstream unreachable here) */
	script_name = "/tools/batchstatus";
	go(withf, "GET", "/tools/batchstatus/?customer=" C "&tracking=" T);
	CHECK(res.status == 303);
	CHECK_STR(res.location, "/tools/batchstatus/customers/" C "/batches/" T);
	go(withf, "GET", "/tools/batchstatus/?lang=hu&embed=1&customer=" C "&tracking=" T);
	CHECK_STR(res.location, "/tools/batchstatus/customers/" C "/batches/" T
	    "?lang=hu-HU&embed=1");
	script_name = "/../etc";	/* not a mount point we accept: ignored */
	go(withf, "GET", "/");
	CHECK(res.status == 200);
	CHECK_CONTAINS(res.body.data, "action=\"/\"");
	CHECK(handler_set_base_path("/portal/bs") == 0);
	script_name = "/tools/batchstatus";	/* the setting wins */
	go(withf, "GET", "/portal/bs/");
	CHECK(res.status == 200);
	CHECK_CONTAINS(res.body.data, "action=\"/portal/bs/\"");
	go(withf, "GET", "/portal/bs");
	CHECK(res.status == 200);
	go(withf, "GET", "/portal/bs?lang=hu");
	CHECK(res.status == 200);
	CHECK_CONTAINS(res.body.data, "lang=\"hu-HU\"");
	go(withf, "GET", "/customers/" C "/batches/" T);
	CHECK(res.status == 404);	/* outside the configured mount point */
	go(withf, "GET", "/portal/bsx/");
	CHECK(res.status == 404);
	CHECK(handler_set_base_path("/trailing/") == -1);
	CHECK(handler_set_base_path("") == 0);
	script_name = NULL;

	/* Health and metrics never call upstream. */
	go(withf, "GET", "/healthz");
	CHECK(res.status == 200 && strcmp(res.body.data, "ok\n") == 0);
	CHECK(res.route == MR_HEALTH);
	go(withf, "GET", "/metrics");
	CHECK(res.status == 200);
	CHECK_CONTAINS(res.body.data, "batchstatus_upstream_calls_total{outcome=\"unreachable\"} 2");
	/* Six misses: two reached upstream, the others stopped at the missing token or the sign-in. */
	CHECK_CONTAINS(res.body.data, "batchstatus_cache_requests_total{result=\"miss\"} 6");
	CHECK_CONTAINS(res.body.data, "batchstatus_token_requests_total{outcome=\"failed\"} 1");
	CHECK_CONTAINS(res.body.data, "batchstatus_upstream_latency_seconds_count 2");
	CHECK_CONTAINS(res.body.data, "# TYPE batchstatus_threads_busy gauge");

	/* If-None-Match: lists, weak tags, "*". */
	CHECK(etag_matches("\"abc-h\"", "\"abc-h\""));
	CHECK(etag_matches("\"x\", W/\"abc-h\"", "\"abc-h\""));
	CHECK(etag_matches("*", "\"abc-h\""));
	CHECK(!etag_matches("\"abc-j\"", "\"abc-h\""));
	CHECK(!etag_matches("abc-h", "\"abc-h\""));
	CHECK(!etag_matches(NULL, "\"abc-h\""));
	CHECK(!etag_matches("\"abc-h\"", ""));
	buf_free(&res.body);
	/* A GET with a body is refused before anything is asked upstream. */
	has_body = 1;
	go(withf, "GET", "/customers/" C "/batches/" T);
	CHECK(res.status == 400);
	CHECK_STR(res.outcome, "body");
	CHECK(res.cache == NULL);
	go(withf, "POST", "/");
	CHECK(res.status == 405);	/* the method is the first thing wrong */
	has_body = 0;

	/* BATCHSTATUS_ALLOWED_CUSTOMERS: others get 403 before anything is asked upstream. */
	{
		char	 list[] = "/tmp/bs-allow-XXXXXX", e2[256];
		int	 fd = mkstemp(list);
		FILE	*af = fdopen(fd, "w");

		fputs("# our customers\n {" C "}  # Contoso\n\n"
		    "5B8E2C1A-0000-4A4A-9C9C-123456789ABC\n", af);
		fclose(af);
		CHECK(allow_load(list, e2, sizeof(e2)) == 0);
		CHECK(allow_count() == 2);
		CHECK(allow_customer(C));
		CHECK(allow_customer("5b8e2c1a-0000-4a4a-9c9c-123456789abc"));
		go(withf, "GET", "/customers/aaaaaaaa-0000-4000-8000-000000000001/batches/" T);
		CHECK(res.status == 403);
		CHECK_STR(res.outcome, "customer_not_allowed");
		CHECK(res.cache == NULL);	/* the cache, so upstream, never asked */
		go(withf, "GET", "/customers/aaaaaaaa-0000-4000-8000-000000000001/batches/" T ".json");
		CHECK(res.status == 403);
		CHECK_CONTAINS(res.body.data, "\"error\":\"customer_not_allowed\"");
		af = fopen(list, "w");
		fputs(C "\nnot-a-guid\n", af);
		fclose(af);
		CHECK(allow_load(list, e2, sizeof(e2)) == -1);
		CHECK_CONTAINS(e2, ":2: not a customer ID");
		af = fopen(list, "w");
		fputs("# nobody\n", af);
		fclose(af);
		CHECK(allow_load(list, e2, sizeof(e2)) == -1);
		CHECK_CONTAINS(e2, "no customer IDs");
		CHECK(allow_load("", e2, sizeof(e2)) == 0 && allow_customer(T));
		unlink(list);
	}
	core_stop(withf);
	core_stop(no_fetch);
	pc_loop_stop(f.loop);
	cpu_stop(cpu);
	cache_free(f.cache);
	token_source_free(f.tokens);
	pc_http_global_cleanup();
	unlink(tokpath);
	return t_done("test_handler");
}
