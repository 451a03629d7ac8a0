/* test_lines.c: the line reader: trimmed lines with their numbers, blanks and comments passed over, a line too long refused whole, a stop, a missing file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lines.h"
#include "t.h"

struct got {
	char	 text[512];
	int	 stop_at;	/* the line number fn stops at; 0: never */
};

static int
collect(char *line, const struct lines_at *at, void *arg)
{
	struct got	*g = arg;
	size_t		 n = strlen(g->text);

	if (at->lineno == g->stop_at)
		return lines_refuse(at, "stopped at \"%s\"", line);
	snprintf(g->text + n, sizeof(g->text) - n, "%d[%s]", at->lineno, line);
	return 0;
}

/* A temporary file holding text; its path in path. */
static void
file_with(char *path, size_t pathsz, const char *text)
{
	FILE *f;

	snprintf(path, pathsz, "/tmp/bs-lines-XXXXXX");
	close(mkstemp(path));
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static void
test_lines_come_trimmed_with_their_numbers(void)
{
	struct got	 g = { "", 0 };
	char		 path[64], err[256];

	file_with(path, sizeof(path), "a = 1\n\n  # a comment\n\t b c \r\n"
	    "#x\nlast");
	CHECK(lines_read(path, collect, &g, err, sizeof(err)) == 0);
	CHECK_STR(g.text, "1[a = 1]4[b c]6[last]");
	unlink(path);
}

static void
test_a_line_too_long_is_refused_not_read_in_pieces(void)
{
	struct got	 g = { "", 0 };
	char		 path[64], err[256], *big;

	big = malloc(LINES_MAX + 16);
	CHECK(big != NULL);
	if (big == NULL)
		return;
	memcpy(big, "ok\n", 3);
	memset(big + 3, 'k', LINES_MAX + 4);
	memcpy(big + LINES_MAX + 7, "=1\n", 4);
	file_with(path, sizeof(path), big);
	free(big);
	CHECK(lines_read(path, collect, &g, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, ":2: line too long");
	CHECK_STR(g.text, "1[ok]");
	unlink(path);
}

static void
test_a_stop_and_a_missing_file(void)
{
	struct got	 g = { "", 2 };
	char		 path[64], err[256];

	file_with(path, sizeof(path), "one\ntwo\nthree\n");
	CHECK(lines_read(path, collect, &g, err, sizeof(err)) == -1);
	CHECK_STR(g.text, "1[one]");
	CHECK_CONTAINS(err, ":2: stopped at \"two\"");
	unlink(path);
	CHECK(lines_read(path, collect, &g, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, path);
	CHECK_CONTAINS(err, "No such file");
}

int
main(void)
{
	T_RUN(test_lines_come_trimmed_with_their_numbers);
	T_RUN(test_a_line_too_long_is_refused_not_read_in_pieces);
	T_RUN(test_a_stop_and_a_missing_file);
	return t_done("test_lines");
}
