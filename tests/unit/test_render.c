/* test_render.c: the ctemplate shim: templates load, refuse to load when broken, render every page in every language, and ctemplate stays silent. */
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

int
main(void)
{
	const struct render_words words = { LOC__MAX, i18n_word };
	char		 tmp[] = "/tmp/bs-render-XXXXXX", dir[600], err[512];
	char		 errlog[600], cmd[700];
	struct tpage	*p;
	struct buf	 out;
	int		 saved, fd, i;

	CHECK(mkdtemp(tmp) != NULL);
	/* Capture stderr: ctemplate reports problems there and nowhere else. */
	snprintf(errlog, sizeof(errlog), "%s/stderr", tmp);
	saved = dup(2);
	fd = open(errlog, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);

	/* Broken set-ups stop the start with a message naming the file. */
	CHECK(render_init("/nonexistent", NULL, err, sizeof(err)) == -1);
	snprintf(dir, sizeof(dir), "%s/nopragma", tmp);
	make_dir(dir, "form.tpl", "<p>{{X}}</p>\n");
	CHECK(render_init(dir, NULL, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "form.tpl");
	CHECK_CONTAINS(err, "AUTOESCAPE");
	snprintf(dir, sizeof(dir), "%s/missing", tmp);
	make_dir(dir, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm %s/error.tpl", dir);
	CHECK(system(cmd) == 0);
	CHECK(render_init(dir, NULL, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "error.tpl");
	snprintf(dir, sizeof(dir), "%s/broken", tmp);
	make_dir(dir, "batch.tpl",
	    "{{%AUTOESCAPE context=\"HTML\"}}\n{{#OPEN}}never closed\n");
	CHECK(render_init(dir, NULL, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "batch.tpl");

	/* Now the real ones; from here on ctemplate must not say a word. */
	dup2(saved, 2);
	close(fd);
	fd = open(errlog, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	CHECK(i18n_load("templates/i18n", err, sizeof(err)) == 0);
	CHECK(render_init("templates", &words, err, sizeof(err)) == 0);

	/* Each page renders with nothing filled in (the page tests, test_page_*.c, fill them). */
	buf_init(&out);
	for (i = 0; i < 3; i++) {
		static const char *const names[] = { "form", "batch", "error" };

		buf_reset(&out);
		p = tpage_new(names[i], LOC_JA_JP);
		CHECK(p != NULL && tpage_render(p, &out) == 0);
		tpage_free(p);
		CHECK_CONTAINS(out.data, "lang=\"ja-JP\"");
		CHECK_LACKS(out.data, "{{T_");
	}
	buf_free(&out);

	dup2(saved, 2);
	close(fd);
	CHECK_STR(slurp(errlog), "");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	CHECK(system(cmd) == 0);
	return t_done("test_render");
}
