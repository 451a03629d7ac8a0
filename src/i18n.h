/* i18n.h: the page strings of each language, from one catalog file per language, and which language a request gets. */
#ifndef BATCHSTATUS_I18N_H
#define BATCHSTATUS_I18N_H

#include <stddef.h>

enum locale { LOC_EN_US, LOC_ZH_TW, LOC_JA_JP, LOC_HU_HU, LOC__MAX };

/*
 * Loads <dir>/<tag>.catalog for every locale: key = value lines, UTF-8,
 * # comments. Every catalog must have exactly en-US's keys. -1 with a
 * message naming the file and line on failure, and the catalogs in force
 * stay. On success the new ones are in force at once; the ones they
 * replace stay readable (a page being built may hold their strings) until
 * i18n_retired_free, once no reader can (see cpu_quiesce), or until
 * i18n_revert puts them back. Loads come from one thread at a time.
 */
int		 i18n_load(const char *dir, char *err, size_t errsz);
void		 i18n_retired_free(void);
void		 i18n_revert(void);
void		 i18n_free(void);

/* The BCP 47 tag of a locale ("hu-HU"). */
const char	*i18n_tag(enum locale);
/*
 * The locale for a tag such as hu, hu-HU, ja, zh-Hant, zh-TW (any case),
 * or -1 when none of ours fits.
 */
int		 i18n_from_tag(const char *tag, size_t len);
/* The best of ours for an Accept-Language value (q-values honoured); en-US when none fits. */
enum locale	 i18n_negotiate(const char *accept_language);

/* The text of key in a locale; the key itself when it is unknown (never NULL). */
const char	*i18n_text(enum locale, const char *key);
/* The text of key for a count n: key_one where the language says "one" of n (n == 1 in en-US and hu-HU), else key. */
const char	*i18n_plural(enum locale, const char *key, long n);
/* Every string of a locale, in catalog order, with its template name (T_FORM_HEADING). */
size_t		 i18n_count(void);
const char	*i18n_var(size_t i);
const char	*i18n_value(enum locale, size_t i);
/* The text of a template name (T_FORM_HEADING) in locale lang (a size_t: render.h's words), or NULL. */
const char	*i18n_word(size_t lang, const char *var);

/* Replaces {0}, {1} (and {2}) in a catalog text with a0, a1 (a2); any may be NULL. */
void		 i18n_format(char *out, size_t outsz, const char *text,
		    const char *a0, const char *a1);
void		 i18n_format3(char *out, size_t outsz, const char *text,
		    const char *a0, const char *a1, const char *a2);

#endif
