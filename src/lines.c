/* lines.c: reading a text file line by line: trimmed, blank lines and comments passed over, a line too long refused. */
#include "lines.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

char *
lines_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
lines_refuse(const struct lines_at *at, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	n = snprintf(at->err, at->errsz, "%s:%d: ", at->path, at->lineno);
	if (n >= 0 && (size_t)n < at->errsz) {
		va_start(ap, fmt);
		vsnprintf(at->err + n, at->errsz - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int
lines_read(const char *path, lines_fn *fn, void *arg, char *err,
    size_t errsz)
{
	struct lines_at	 at = { path, 0, err, errsz };
	char		 line[LINES_MAX], *p;
	FILE		*f;
	int		 rc = 0;

	if ((f = fopen(path, "re")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		at.lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			rc = lines_refuse(&at, "line too long");
			break;
		}
		p = lines_trim(line);
		if (*p != '\0' && *p != '#')
			rc = fn(p, &at, arg);
	}
	if (rc == 0 && ferror(f)) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	fclose(f);
	return rc;
}
