/* render.h: the C API over ctemplate: page dictionaries of strings and sections, expanded into a buffer. */
#ifndef BATCHSTATUS_RENDER_H
#define BATCHSTATUS_RENDER_H

#include "buf.h"

#ifdef __cplusplus
extern "C" {
#endif

struct tpage;	/* a page: the layout around one page template */
struct tdict;	/* a dictionary of that page, or of a section in it */

/*
 * The catalog's words, written into a copy of every template per
 * language at start-up: word(lang, "T_NAME") is the text of {{T_NAME}} in
 * language lang (0 .. nlangs - 1), or NULL to leave the marker to the
 * page's dictionaries.
 */
struct render_words {
	size_t		 nlangs;
	const char	*(*word)(size_t lang, const char *var);
};

/*
 * Loads layout.tpl and every page template (form, batch, error) from dir,
 * checks each starts with {{%AUTOESCAPE context="HTML"}} and parses (once
 * per language of words; NULL: templates as they are) into a template
 * cache of their own, frozen. -1 with a message on failure, and the
 * templates in force stay. On success new pages use the new ones at once;
 * the ones they replace serve pages already begun until
 * render_retired_free, once no such page can be left (see cpu_quiesce).
 * Loads come from one thread at a time.
 */
int		 render_init(const char *dir, const struct render_words *words,
		    char *err, size_t errsz);
void		 render_retired_free(void);
/* Puts back the templates the last render_init replaced (a reload that failed later). */
void		 render_revert(void);
void		 render_free(void);

/* A page with template "<name>.tpl" inside the layout, in language lang; NULL when out of memory (or nothing is loaded). */
struct tpage	*tpage_new(const char *name, size_t lang);
void		 tpage_free(struct tpage *);
struct tdict	*tpage_layout(struct tpage *);	/* values the layout uses (title...) */
struct tdict	*tpage_body(struct tpage *);	/* values the page template uses */
/* Expands the page into out. -1 when it failed (or a set failed before). */
int		 tpage_render(struct tpage *, struct buf *out);

/* Setters never fail loudly: a failure marks the page, and tpage_render reports it. */
void		 tdict_set(struct tdict *, const char *key, const char *value);
void		 tdict_set_long(struct tdict *, const char *key, long value);
void		 tdict_show(struct tdict *, const char *section);
/* Adds one repetition of a section; NULL when out of memory. */
struct tdict	*tdict_section(struct tdict *, const char *section);

#ifdef __cplusplus
}
#endif

#endif
