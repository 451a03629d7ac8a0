/* tpages.h: what the page and word tests share: the real catalogs (and templates) loaded once, and a page rendered to text. */
#ifndef BATCHSTATUS_TPAGES_H
#define BATCHSTATUS_TPAGES_H

#include <stdio.h>

#include "buf.h"
#include "i18n.h"
#include "render.h"

/* The real catalogs, for tests of words without pages: 0, or -1 with the reason printed. */
static int __attribute__((unused))
tpages_catalogs(void)
{
	char err[512];

	if (i18n_load("templates/i18n", err, sizeof(err)) != 0) {
		fprintf(stderr, "FAIL set-up: %s\n", err);
		return -1;
	}
	return 0;
}

/* The process's set-up (as main.c does it): 0, or -1 with the reason printed. */
static int __attribute__((unused))
tpages_init(void)
{
	const struct render_words	 words = { LOC__MAX, i18n_word };
	char				 err[512];

	if (tpages_catalogs() == -1)
		return -1;
	if (render_init("templates", &words, err, sizeof(err)) != 0) {
		fprintf(stderr, "FAIL set-up: %s\n", err);
		return -1;
	}
	return 0;
}

/* Renders and frees p; the text lives until the next call (NULL when it failed). */
static const char * __attribute__((unused))
tpages_render(struct tpage *p)
{
	static struct buf out;

	buf_free(&out);
	buf_init(&out);
	if (p == NULL || tpage_render(p, &out) == -1) {
		tpage_free(p);
		return NULL;
	}
	tpage_free(p);
	return out.data;
}

static void __attribute__((unused))
tpages_done(void)
{
	tpages_render(NULL);
	render_free();
	i18n_free();
}

#endif
