/* test_render.c: templates load and refuse to load when broken; every page escapes hostile values; ctemplate stays silent. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "i18n.h"
#include "render.h"
#include "t.h"
#include "view.h"

#define HOSTILE "<script>alert(1)</script>\\\"><img src=x onerror=alert(1)>{{X}}"

#define CORR "aaaa0000-bb11-2222-33cc-444444dddddd"

/* Each test's temporary directory, and stderr while it runs: ctemplate reports problems there and nowhere else. */
static char	tmp[32], errlog[64];
static int	saved_stderr = -1;

static void
capture_stderr(void)
{
	int fd;

	snprintf(tmp, sizeof(tmp), "/tmp/bs-render-XXXXXX");
	CHECK(mkdtemp(tmp) != NULL);
	snprintf(errlog, sizeof(errlog), "%s/stderr", tmp);
	fflush(stderr);
	saved_stderr = dup(2);
	fd = open(errlog, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
}

static char *slurp(const char *path);

/* What was written to stderr while captured: our own FAIL lines (fail != 0) or everything else. */
static const char *
captured(int fail)
{
	static char	 out[65536];
	const char	*l;
	size_t		 n = 0, len;

	fflush(stderr);
	for (l = slurp(errlog); *l != '\0'; l += len) {
		len = strcspn(l, "\n");
		len += l[len] == '\n';
		if ((strncmp(l, "FAIL ", 5) == 0) == (fail != 0) &&
		    n + len < sizeof(out)) {
			memcpy(out + n, l, len);
			n += len;
		}
	}
	out[n] = '\0';
	return out;
}

/* stderr back, with any FAIL line written meanwhile; the temporary directory removed. */
static void
release_stderr(void)
{
	char		 cmd[64];
	const char	*fails = captured(1);

	dup2(saved_stderr, 2);
	close(saved_stderr);
	fputs(fails, stderr);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	CHECK(system(cmd) == 0);
}

/* A templates dir holding copies of the real ones, with one file replaced. */
static void
make_dir(const char *dir, const char *name, const char *text)
{
	static const char *const pages[] = { "layout", "form", "batch", "error" };
	char	 cmd[512], path[512];
	FILE	*f;
	size_t	 i;

	mkdir(dir, 0700);
	for (i = 0; i < 4; i++) {
		snprintf(cmd, sizeof(cmd), "cp templates/%s.tpl %s/", pages[i], dir);
		CHECK(system(cmd) == 0);
	}
	if (name != NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		f = fopen(path, "w");
		fputs(text, f);
		fclose(f);
	}
}

static char *
slurp(const char *path)
{
	static char data[65536];
	FILE	*f = fopen(path, "r");
	size_t	 n = f ? fread(data, 1, sizeof(data) - 1, f) : 0;

	if (f)
		fclose(f);
	data[n] = '\0';
	return data;
}

/* The real catalogs and templates, stderr captured: from here on ctemplate must not say a word. */
static void
pages_up(void)
{
	const struct render_words words = { LOC__MAX, i18n_word };
	char err[512];

	capture_stderr();
	CHECK(i18n_load("templates/i18n", err, sizeof(err)) == 0);
	CHECK(render_init("templates", &words, err, sizeof(err)) == 0);
}

/* Whatever the test rendered, ctemplate said nothing. */
static void
pages_down(void)
{
	CHECK_STR(captured(0), "");
	render_free();
	i18n_free();
	release_stderr();
}

static void
request_for_the_batch(struct request *req)
{
	memset(req, 0, sizeof(*req));
	strcpy(req->customer, "47021739-3426-40bf-9601-61b4b6d7c793");
	strcpy(req->tracking, "0127ed8e-ff72-4983-a3d8-e8d8bd378932");
}

/* Broken set-ups stop the start with a message naming the file. */
static void
test_no_templates_dir_stops_the_start(void)
{
	char err[512];

	capture_stderr();
	CHECK(render_init("/nonexistent", NULL, err, sizeof(err)) == -1);
	release_stderr();
}

static void
test_a_template_without_autoescape_is_refused(void)
{
	char dir[600], err[512];

	capture_stderr();
	snprintf(dir, sizeof(dir), "%s/nopragma", tmp);
	make_dir(dir, "form.tpl", "<p>{{X}}</p>\n");
	CHECK(render_init(dir, NULL, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "form.tpl");
	CHECK_CONTAINS(err, "AUTOESCAPE");
	release_stderr();
}

static void
test_a_missing_template_is_refused(void)
{
	char dir[600], err[512], cmd[700];

	capture_stderr();
	snprintf(dir, sizeof(dir), "%s/missing", tmp);
	make_dir(dir, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm %s/error.tpl", dir);
	CHECK(system(cmd) == 0);
	CHECK(render_init(dir, NULL, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "error.tpl");
	release_stderr();
}

static void
test_a_template_that_does_not_parse_is_refused(void)
{
	char dir[600], err[512];

	capture_stderr();
	snprintf(dir, sizeof(dir), "%s/broken", tmp);
	make_dir(dir, "batch.tpl",
	    "{{%AUTOESCAPE context=\"HTML\"}}\n{{#OPEN}}never closed\n");
	CHECK(render_init(dir, NULL, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "batch.tpl");
	release_stderr();
}

/* Hostile text in every field of the batch and its device: shown, never markup, never expanded. */
static void
test_the_batch_page_escapes_hostile_values(void)
{
	struct tpage	*p;
	struct buf	 out;
	struct batch	 b;
	struct batch_view v;
	struct request	 req;
	char		 err[512];
	static const char body[] = "{\"status\":\"" "<b>\\\"x" "\","
	    "\"startedTime\":\"<i>soon</i>\",\"devicesStatus\":[{"
	    "\"serialNumber\":\"" HOSTILE "\",\"productKey\":\"" HOSTILE "\","
	    "\"status\":\"" HOSTILE "\",\"errorCode\":\"" HOSTILE "\","
	    "\"errorDescription\":\"" HOSTILE "\"}]}";

	pages_up();
	request_for_the_batch(&req);
	CHECK(batch_parse(body, strlen(body), BATCH_MAX_DEVICES_DEFAULT,
	    &b, err, sizeof(err)) == 0);
	CHECK(view_batch_build(&v, &b, &req, 0) == 0);
	buf_init(&out);
	p = tpage_new("batch", LOC_EN_US);
	view_fill_batch(p, &v);
	CHECK(tpage_render(p, &out) == 0);
	tpage_free(p);
	CHECK_CONTAINS(out.data, "<!DOCTYPE html>");
	CHECK_CONTAINS(out.data, "0127ed8e-ff72-4983-a3d8-e8d8bd378932");
	CHECK_LACKS(out.data, "<script>");
	CHECK_LACKS(out.data, "<img");
	CHECK_LACKS(out.data, "<b>");
	CHECK_LACKS(out.data, "<i>");
	CHECK_CONTAINS(out.data, "&lt;script&gt;alert(1)&lt;/script&gt;");
	CHECK_CONTAINS(out.data, "{{X}}");	/* shown, not expanded */
	CHECK_CONTAINS(out.data, "&lt;i&gt;soon&lt;/i&gt;");
	CHECK_CONTAINS(out.data, "class=\"badge status-other\"");
	CHECK_CONTAINS(out.data, "<table id=\"devices\">");
	view_batch_free(&v);
	batch_free(&b);
	buf_free(&out);
	pages_down();
}

/* 1,201 devices: pages of 500, the last one holds 201, links go both ways. */
static void
test_a_big_batch_is_shown_a_page_at_a_time(void)
{
	struct tpage	*p;
	struct buf	 out, big;
	struct batch	 b;
	struct batch_view v;
	struct request	 req;
	char		 err[512];
	int		 k, rows = 0;
	const char	*q;

	pages_up();
	request_for_the_batch(&req);
	buf_init(&out);
	buf_init(&big);
	buf_puts(&big, "{\"status\":\"finished\",\"devicesStatus\":[");
	for (k = 0; k < 1201; k++)
		buf_printf(&big, "%s{\"serialNumber\":\"S%04d\","
		    "\"status\":\"finished\"}", k ? "," : "", k);
	buf_puts(&big, "]}");
	CHECK(batch_parse(big.data, big.len, BATCH_MAX_DEVICES_DEFAULT,
	    &b, err, sizeof(err)) == 0);
	req.page = 3;
	CHECK(view_batch_build(&v, &b, &req, 0) == 0);
	p = tpage_new("batch", LOC_EN_US);
	view_fill_batch(p, &v);
	CHECK(tpage_render(p, &out) == 0);
	tpage_free(p);
	for (q = out.data; (q = strstr(q, "<td class=\"serial\">")) != NULL; q++)
		rows++;
	CHECK(rows == 201);
	CHECK_CONTAINS(out.data, "Devices 1001–1201 of 1201");
	CHECK_CONTAINS(out.data, "page=2\" rel=\"prev\"");
	CHECK_LACKS(out.data, "rel=\"next\"");
	CHECK_CONTAINS(out.data, "S1200");
	CHECK_LACKS(out.data, ">S0999<");
	view_batch_free(&v);
	batch_free(&b);
	buf_free(&big);
	buf_free(&out);
	pages_down();
}

/* The form keeps hostile input inert inside attribute values. */
static void
test_the_form_keeps_hostile_input_inert(void)
{
	struct tpage	*p;
	struct buf	 out;
	struct request	 req;

	pages_up();
	memset(&req, 0, sizeof(req));
	strcpy(req.form_customer, "\"><script>alert(1)</script>");
	strcpy(req.form_tracking, "' onfocus='alert(1)");
	req.msg = MSG_CUSTOMER_INVALID;
	req.msg_field = MSG_CUSTOMER_INVALID;
	buf_init(&out);
	p = tpage_new("form", LOC_EN_US);
	view_fill_form(p, &req, CORR);
	CHECK(tpage_render(p, &out) == 0);
	tpage_free(p);
	CHECK_LACKS(out.data, "<script>");
	CHECK_LACKS(out.data, "' onfocus='");
	CHECK_CONTAINS(out.data, "value=\"&quot;&gt;&lt;script&gt;");
	CHECK_CONTAINS(out.data, "aria-invalid=\"true\"");
	CHECK_CONTAINS(out.data, "role=\"alert\"");
	CHECK_CONTAINS(out.data, "<code id=\"correlation-id\">"
	    "aaaa0000-bb11-2222-33cc-444444dddddd</code>");
	buf_free(&out);
	pages_down();
}

/* The catalog's words are written into each language's templates, escaped; no marker is left. */
static void
test_each_language_gets_its_catalogs_words(void)
{
	struct tpage	*p;
	struct buf	 out;
	struct request	 req;

	pages_up();
	memset(&req, 0, sizeof(req));
	buf_init(&out);
	req.locale = LOC_HU_HU;
	p = tpage_new("form", LOC_HU_HU);
	view_fill_form(p, &req, CORR);
	CHECK(tpage_render(p, &out) == 0);
	tpage_free(p);
	CHECK_CONTAINS(out.data, i18n_text(LOC_HU_HU, "form.submit"));
	CHECK_CONTAINS(out.data, "lang=\"hu-HU\"");
	CHECK_LACKS(out.data, "{{T_");
	CHECK_LACKS(out.data, i18n_text(LOC_EN_US, "form.submit"));
	buf_free(&out);
	pages_down();
}

/* The error page: title, message, retry, correlation ID. */
static void
test_the_error_page_says_what_and_when_to_retry(void)
{
	struct tpage	*p;
	struct buf	 out;
	struct request	 req;

	pages_up();
	request_for_the_batch(&req);
	req.kind = ROUTE_BATCH;
	buf_init(&out);
	p = tpage_new("error", LOC_EN_US);
	view_fill_error(p, BS_ERR_THROTTLED, &req, CORR, 57, NULL);
	CHECK(tpage_render(p, &out) == 0);
	tpage_free(p);
	CHECK_CONTAINS(out.data, "<code id=\"correlation-id\">"
	    "aaaa0000-bb11-2222-33cc-444444dddddd</code>");
	CHECK_CONTAINS(out.data, "Try again in 57 s");
	CHECK_CONTAINS(out.data, "rate-limiting");
	CHECK(strstr(out.data, "error-detail") == NULL);
	buf_free(&out);
	pages_down();
}

/* A sign-in failure names its code, escaped like every value. */
static void
test_a_signin_failure_names_its_code_escaped(void)
{
	struct tpage	*p;
	struct buf	 out;
	struct request	 req;

	pages_up();
	request_for_the_batch(&req);
	req.kind = ROUTE_BATCH;
	buf_init(&out);
	p = tpage_new("error", LOC_EN_US);
	view_fill_error(p, BS_ERR_SIGNIN, &req, CORR, -1,
	    "invalid_client AADSTS7000215<b>");
	CHECK(tpage_render(p, &out) == 0);
	tpage_free(p);
	CHECK_CONTAINS(out.data, "Sign-in error: <code id=\"error-detail\">"
	    "invalid_client AADSTS7000215&lt;b&gt;</code>");
	CHECK_CONTAINS(out.data, "Sign-in to Partner Center failed");
	buf_free(&out);
	pages_down();
}

int
main(void)
{
	T_RUN(test_no_templates_dir_stops_the_start);
	T_RUN(test_a_template_without_autoescape_is_refused);
	T_RUN(test_a_missing_template_is_refused);
	T_RUN(test_a_template_that_does_not_parse_is_refused);
	T_RUN(test_the_batch_page_escapes_hostile_values);
	T_RUN(test_a_big_batch_is_shown_a_page_at_a_time);
	T_RUN(test_the_form_keeps_hostile_input_inert);
	T_RUN(test_each_language_gets_its_catalogs_words);
	T_RUN(test_the_error_page_says_what_and_when_to_retry);
	T_RUN(test_a_signin_failure_names_its_code_escaped);
	return t_done("test_render");
}
