/* test_core.c: the serving core on one CPU thread: parked requests hold no thread, everything else answers meanwhile, and a stop answers the parked ones first. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "core.h"
#include "i18n.h"
#include "log.h"
#include "render.h"
#include "t.h"
#include "tfetch.h"
#include "tserver.h"

#define C	"47021739-3426-40bf-9601-61b4b6d7c793"
#define BODY	"{\"batchTrackingId\":\"x\",\"status\":\"finished\"," \
    "\"devicesStatus\":[{\"serialNumber\":\"a\"}]}"

static int	hang = 1;	/* batches under deadbeef- do not answer while set */

static char	ok[512];	/* a 200 with BODY */

static const char *
serve(const char *req, long *delay_ms)
{
	if (strstr(req, "/batchJobStatus/deadbeef-") != NULL) {
		*delay_ms = 50;
		while (__atomic_load_n(&hang, __ATOMIC_RELAXED))
			usleep(20 * 1000);
		return ok;
	}
	if (strstr(req, "/batchJobStatus/5105e000-") != NULL)
		*delay_ms = 400;
	return ok;
}

static struct core	*core;
static struct fetch_ctx	 fctx;
static char		 tok[32];	/* the token file */

/* A request made on a thread of its own (it blocks until answered). */
struct client {
	pthread_t	 t;
	char		 uri[160];
	struct response	 res;
	int		 done;
};

static void *
client(void *arg)
{
	struct client	*c = arg;
	struct http_in	 in = { "GET", c->uri, NULL, NULL, NULL, 0, NULL, 0, 0, NULL, NULL, NULL, NULL, 0, 0 };

	core_serve_local(core, &in, 0, &c->res);
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void
start(struct client *c, const char *tracking)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->uri, sizeof(c->uri), "/customers/" C "/batches/%s", tracking);
	pthread_create(&c->t, NULL, client, c);
}

static int
pending(struct client *cs, int n)
{
	int i, p = 0;

	for (i = 0; i < n; i++)
		p += !__atomic_load_n(&cs[i].done, __ATOMIC_ACQUIRE);
	return p;
}

static int
status_of(const char *uri)
{
	struct http_in	 in = { "GET", uri, NULL, NULL, NULL, 0, NULL, 0, 0, NULL, NULL, NULL, NULL, 0, 0 };
	struct response	 res;

	core_serve_local(core, &in, 0, &res);
	buf_free(&res.body);
	return res.status;
}

/*
 * Each test's own core on one CPU thread (nothing may hold it), its fetch
 * context, pages and token file, against the one fake Partner Center
 * (started by the first test; it keeps no state but the hang flag).
 */
static void
up(void)
{
	const struct render_words words = { LOC__MAX, i18n_word };
	struct token_opts	 to;
	struct cache_opts	 co = { 600000, 0, 1 << 20, 0, { 60000, 60000, 60000, 60000 } };
	struct core_opts	 o;
	static int		 port;
	static char		 base[64];	/* the fetch context keeps a pointer to it */
	char			 err[256];
	FILE			*tf;

	log_set_level(LOG_ERROR);	/* no request log lines in the test's output */
	tserver_write(ok, sizeof(ok), "HTTP/1.1 200 OK\r\nContent-Type: "
	    "application/json\r\nContent-Length: %zu\r\n\r\n%s",
	    strlen(BODY), BODY);
	__atomic_store_n(&hang, 1, __ATOMIC_RELAXED);
	CHECK(i18n_load("templates/i18n", err, sizeof(err)) == 0);
	CHECK(render_init("templates", &words, err, sizeof(err)) == 0);
	snprintf(tok, sizeof(tok), "/tmp/bs-core-XXXXXX");
	tf = fdopen(mkstemp(tok), "w");
	fputs("unit-test-token\n", tf);
	fclose(tf);
	chmod(tok, 0600);
	CHECK(pc_http_global_init() == 0);
	if (port == 0)
		CHECK((port = tserver_start(serve)) > 0);
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
	CHECK(tfetch_start(&fctx, base, 10000, 1, &co) == 0);
	memset(&to, 0, sizeof(to));
	to.kind = TOKEN_FROM_FILE;
	to.token_file = tok;
	fctx.tokens = token_source_new(&to);
	memset(&o, 0, sizeof(o));
	o.listen_fd = -1;
	o.max_requests = 128;
	o.fetch = &fctx;
	o.cpu = fctx.cpu;
	CHECK((core = core_start(&o)) != NULL);
}

static void
down(void)
{
	if (core != NULL)
		core_stop(core);
	core = NULL;
	tfetch_stop(&fctx);
	token_source_free(fctx.tokens);
	pc_http_global_cleanup();
	unlink(tok);
	render_free();
	i18n_free();
}

/*
 * One CPU thread, 40 requests parked on a Partner Center that does not
 * answer: health, the form, a 400, a kept batch and a batch that answers
 * at once all get their answers, and the 40 are still waiting.
 */
static void
test_parked_requests_hold_no_thread(void)
{
	struct fetch_ctx	*f = &fctx;
	struct client		 hung[40];
	char			 id[64];
	int			 i;
	int64_t			 until;

	up();
	CHECK(status_of("/customers/" C "/batches/"
	    "0127ed8e-ff72-4983-a3d8-e8d8bd378932") == 200);	/* kept now */
	for (i = 0; i < 40; i++) {
		snprintf(id, sizeof(id), "deadbeef-0000-4000-8000-%012d", i);
		start(&hung[i], id);
	}
	until = clock_ms() + 5000;
	while (fetch_waiting(f) < 40 && clock_ms() < until)
		usleep(10 * 1000);
	CHECK(fetch_waiting(f) == 40);
	CHECK(status_of("/healthz") == 200);
	CHECK(status_of("/") == 200);
	CHECK(status_of("/customers/not-a-guid/batches/x") == 400);
	CHECK(status_of("/customers/" C "/batches/"
	    "0127ed8e-ff72-4983-a3d8-e8d8bd378932") == 200);
	CHECK(status_of("/customers/" C "/batches/"
	    "f00d0000-0000-4000-8000-000000000001") == 200);
	CHECK(pending(hung, 40) == 40);
	__atomic_store_n(&hang, 0, __ATOMIC_RELAXED);
	for (i = 0; i < 40; i++) {
		pthread_join(hung[i].t, NULL);
		CHECK(hung[i].res.status == 200);
		buf_free(&hung[i].res.body);
	}
	CHECK(fetch_waiting(f) == 0);
	down();
}

/* Past max_waiting: 503 with Retry-After at once; the parked ones complete. */
static void
test_admission_sheds_with_503(void)
{
	struct fetch_ctx *f = &fctx;
	struct client	 slow[3];
	struct http_in	 in = { "GET", "/customers/" C "/batches/"
	    "5105e000-0000-4000-8000-000000000009", NULL, NULL, NULL, 0, NULL, 0, 0, NULL, NULL, NULL, NULL, 0, 0 };
	struct response	 res;
	int		 i;
	int64_t		 until;

	up();
	f->max_waiting = 3;
	f->max_retry_after = 300;
	start(&slow[0], "5105e000-0000-4000-8000-000000000001");
	start(&slow[1], "5105e000-0000-4000-8000-000000000002");
	start(&slow[2], "5105e000-0000-4000-8000-000000000003");
	until = clock_ms() + 3000;
	while (fetch_waiting(f) < 3 && clock_ms() < until)
		usleep(5 * 1000);
	core_serve_local(core, &in, 0, &res);
	CHECK(res.status == 503 && res.retry_after > 0);
	CHECK_STR(res.outcome, "busy");
	buf_free(&res.body);
	for (i = 0; i < 3; i++) {
		pthread_join(slow[i].t, NULL);
		CHECK(slow[i].res.status == 200);
		buf_free(&slow[i].res.body);
	}
	f->max_waiting = 64;
	f->max_retry_after = 300;
	down();
}

/* core_stop waits for every parked request to have its answer. */
static void
test_stop_answers_the_parked_first(void)
{
	struct client	 slow[5];
	int		 i;
	char		 id[64];

	up();
	for (i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "5105e000-0000-4000-8000-%012d", 100 + i);
		start(&slow[i], id);
	}
	while (core_in_use(core) < 5)
		usleep(5 * 1000);
	core_stop(core);
	core = NULL;
	/* Answered before core_stop returned (written under the core's lock). */
	for (i = 0; i < 5; i++)
		CHECK(slow[i].res.status == 200);
	for (i = 0; i < 5; i++) {
		pthread_join(slow[i].t, NULL);
		CHECK(slow[i].res.status == 200);
		buf_free(&slow[i].res.body);
	}
	down();
}

int
main(void)
{
	T_RUN(test_parked_requests_hold_no_thread);
	T_RUN(test_admission_sheds_with_503);
	T_RUN(test_stop_answers_the_parked_first);
	return t_done("test_core");
}
