/*
 * t.h: the unit tests' few assertions, one named function per behaviour
 * (T_RUN prints "ok name" or "not ok name"), and the summary line
 * ("N passed, N failed") tests/run_all.sh adds up.
 *
 * A behaviour is a static void function of no arguments that sets up all
 * it needs and frees it: none depends on what an earlier one left behind.
 * One that makes no check at all fails (a test that cannot fail is none).
 */
#ifndef BATCHSTATUS_T_H
#define BATCHSTATUS_T_H

#include <stdio.h>
#include <string.h>

static int t_pass, t_fail;
static const char *t_name = "";	/* the behaviour running: named in every FAIL line */

#define CHECK(cond) do {						\
	if (cond)							\
		t_pass++;						\
	else {								\
		t_fail++;						\
		fprintf(stderr, "FAIL %s %s:%d: %s\n", t_name, __FILE__,	\
		    __LINE__, #cond);						\
	}								\
} while (0)

#define CHECK_STR(got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	if (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0)		\
		t_pass++;						\
	else {								\
		t_fail++;						\
		fprintf(stderr, "FAIL %s %s:%d: %s is \"%s\", want \"%s\"\n", \
		    t_name, __FILE__, __LINE__, #got, g_ ? g_ : "(null)",	\
		    w_ ? w_ : "(null)");				\
	}								\
} while (0)

#define CHECK_CONTAINS(hay, needle) do {				\
	const char *h_ = (hay), *n_ = (needle);				\
	if (h_ != NULL && strstr(h_, n_) != NULL)			\
		t_pass++;						\
	else {								\
		t_fail++;						\
		fprintf(stderr, "FAIL %s %s:%d: %s lacks \"%s\"\n", \
		    t_name, __FILE__, __LINE__, #hay, n_);			\
	}								\
} while (0)

#define CHECK_LACKS(hay, needle) do {					\
	const char *h_ = (hay), *n_ = (needle);				\
	if (h_ != NULL && strstr(h_, n_) == NULL)			\
		t_pass++;						\
	else {								\
		t_fail++;						\
		fprintf(stderr, "FAIL %s %s:%d: %s has \"%s\"\n",	\
		    t_name, __FILE__, __LINE__, #hay, n_);			\
	}								\
} while (0)

/* Runs one behaviour under its own name. */
#define T_RUN(fn)	t_run(#fn, fn)

static inline void
t_run(const char *name, void (*fn)(void))
{
	int	 pass = t_pass, fail = t_fail;

	t_name = name;
	fn();
	if (t_pass == pass && t_fail == fail) {
		t_fail++;
		fprintf(stderr, "FAIL %s: no check ran\n", name);
	}
	printf("%s %s\n", t_fail == fail ? "ok" : "not ok", name);
	t_name = "";
}

static int
t_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, t_pass, t_fail);
	return t_fail ? 1 : 0;
}

#endif
