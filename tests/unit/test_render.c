/* test_render.c: the ctemplate shim: templates load, refuse to load when broken, render every page in every language, and ctemplate stays silent. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "render.h"
#include "t.h"

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
/* Each page renders in each language with nothing filled in, and ctemplate says nothing (the page tests, test_page_*.c, fill them). */
static void
test_every_page_renders_in_every_language_silently(void)
{
	static const char *const names[] = { "form", "batch", "error" };
	struct buf	 out;
	struct tpage	*p;
	char		 want[32];
	size_t		 i;
	int		 l;

	pages_up();
	buf_init(&out);
	for (l = 0; l < LOC__MAX; l++)
		for (i = 0; i < 3; i++) {
			buf_reset(&out);
			p = tpage_new(names[i], (enum locale)l);
			CHECK(p != NULL && tpage_render(p, &out) == 0);
			tpage_free(p);
			snprintf(want, sizeof(want), "lang=\"%s\"",
			    i18n_tag((enum locale)l));
			CHECK_CONTAINS(out.data, want);
			CHECK_LACKS(out.data, "{{T_");
		}
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
	T_RUN(test_every_page_renders_in_every_language_silently);
	return t_done("test_render");
}
