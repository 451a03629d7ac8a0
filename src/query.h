/* query.h: a query's values decoded, and the page options a query may carry, declared once (name, validator, default) as config.c declares settings. */
#ifndef BATCHSTATUS_QUERY_H
#define BATCHSTATUS_QUERY_H

#include <stddef.h>

#include "links.h"

#define QUERY_VALUE_MAX	512	/* longest value a query option or ID may have */

/* Where the options go: the links' language and embed mode, the table's view. */
struct query_opts {
	struct link_ctx		*link;
	struct table_view	*table;
};

/*
 * Reads every option of the query, wherever it appears, after setting
 * each to its default: lang (one of our languages by any tag that names
 * it), embed=1, status=<a status, "failed" or "none">, code=<an error's
 * digits or word>, q=<text>, page=<n>. Every value is trimmed of blanks
 * at either end first (query_trim). A value an option cannot use leaves
 * its default: these only shape the view, so they never make an error.
 * The fields start zeroed.
 */
void	query_options(const char *query, const struct query_opts *);

/* Decodes one x-www-form-urlencoded value; 0, -1 on a bad escape, -2 when it does not fit outsz. */
int	query_decode(const char *s, size_t len, char *out, size_t outsz,
	    size_t *outlen, int plus_is_space);

/*
 * Cuts the blanks at either end of the n bytes at v (ASCII space and
 * controls, no-break and ideographic spaces, a byte-order mark) in place,
 * NUL-terminating; returns the new length.
 */
size_t	query_trim(char *v, size_t n);

/* Whether n bytes at v are a value ?code= takes: 1 to TABLE_CODE_MAX letters and digits. */
int	query_code_ok(const char *v, size_t n);

/* Whether a decoded value is valid UTF-8 without control characters or NULs. */
int	query_clean(const char *v, size_t n);

/* Whether s holds a control character (below 0x20, or DEL). */
int	query_has_control(const char *s, size_t len);

#endif
