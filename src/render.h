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
 * Loads layout.tpl and every page template (form, batch, error) from dir,
 * checks each starts with {{%AUTOESCAPE context="HTML"}} and parses, then
 * freezes the cache. Once, before threads. -1 with a message on failure.
 */
int		 render_init(const char *dir, char *err, size_t errsz);

/* A page with template "<name>.tpl" inside the layout; NULL when out of memory. */
struct tpage	*tpage_new(const char *name);
void		 tpage_free(struct tpage *);
struct tdict	*tpage_layout(struct tpage *);	/* values the layout uses (title...) */
struct tdict	*tpage_body(struct tpage *);	/* values the page template uses */
/* Expands the page into out. -1 when it failed (or a set failed before). */
int		 tpage_render(struct tpage *, struct buf *out);

/*
 * A value every part of the page sees (catalog strings). Neither key nor
 * value is copied: both must outlive the page.
 */
void		 tpage_set_static(struct tpage *, const char *key, const char *value);

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
