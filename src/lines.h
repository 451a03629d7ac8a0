/* lines.h: a text file read line by line, the one way the settings file, the catalogs and the allowed customers are read. */
#ifndef BATCHSTATUS_LINES_H
#define BATCHSTATUS_LINES_H

#include <stddef.h>

#define LINES_MAX	4096	/* bytes of a line, its newline and NUL included */

/* Where a line stands, and where to say what is wrong with it. */
struct lines_at {
	const char	*path;
	int		 lineno;	/* from 1, every line counted */
	char		*err;
	size_t		 errsz;
};

/* One line with text on it, trimmed, NUL-terminated and the callee's to change: 0 reads on, -1 (lines_refuse) stops. */
typedef int	lines_fn(char *line, const struct lines_at *at, void *arg);

/*
 * Calls fn for each line of path that is neither blank nor a comment (a
 * '#' first), white space trimmed from both ends. Returns 0 at the end of the file, fn's -1 when it
 * stopped, or -1 with err set when the file cannot be opened or read
 * ("PATH: why") or a line is longer than LINES_MAX ("PATH:N: line too
 * long": it is never read in pieces, each taken for a line).
 */
int	lines_read(const char *path, lines_fn *fn, void *arg, char *err,
	    size_t errsz);

/* Puts "PATH:N: " and the words in err and returns -1: what a lines_fn returns to refuse its line. */
int	lines_refuse(const struct lines_at *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* s without the white space (isspace) at either end: a pointer into s, which is cut. */
char	*lines_trim(char *s);

#endif
