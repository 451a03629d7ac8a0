/* test_errors.c: the error table: a stable key and an HTTP status for every error, and which failures a held answer may stand in for. */
#include <string.h>

#include "errors.h"
#include "t.h"

/* Keys name errors in logs and metrics: every error has one, and no two share it. */
static void
test_every_error_has_its_own_key(void)
{
	int i, j, ok = 1;

	for (i = 0; i < BS_ERR__MAX; i++) {
		const char *k = error_info((enum bs_error)i)->key;

		if (k == NULL || k[0] == '\0' || strspn(k,
		    "abcdefghijklmnopqrstuvwxyz_") != strlen(k))
			ok = 0;
		for (j = 0; ok && j < i; j++)
			if (strcmp(k, error_info((enum bs_error)j)->key) == 0)
				ok = 0;
	}
	CHECK(ok);
}

/* Every failure is a 4xx or 5xx; what the user asked wrong is 4xx, what failed upstream 5xx. */
static void
test_every_failure_has_an_error_status(void)
{
	int i, ok = 1;

	CHECK(error_info(BS_OK)->http_status == 200);
	for (i = 1; i < BS_ERR__MAX; i++)
		if (error_info((enum bs_error)i)->http_status < 400 ||
		    error_info((enum bs_error)i)->http_status > 599)
			ok = 0;
	CHECK(ok);
	CHECK(error_info(BS_ERR_BAD_INPUT)->http_status == 400);
	CHECK(error_info(BS_ERR_CUSTOMER_NOT_ALLOWED)->http_status == 403);
	CHECK(error_info(BS_ERR_NO_SUCH_BATCH)->http_status == 404);
	CHECK(error_info(BS_ERR_UNREACHABLE)->http_status == 502);
	CHECK(error_info(BS_ERR_TIMEOUT)->http_status == 504);
}

/* An error outside the enum is read as internal, never past the table. */
static void
test_an_unknown_error_is_internal(void)
{
	CHECK(error_info(BS_ERR__MAX) == error_info(BS_ERR_INTERNAL));
	CHECK(error_info((enum bs_error)-1) == error_info(BS_ERR_INTERNAL));
}

/*
 * The word a held answer gives for the failure it stands in for (JSON
 * "stale", the page's notice, the metric's reason): one of the three the
 * metrics count, and none for a gone batch or rejected credentials.
 */
static void
test_the_stale_words(void)
{
	int i, ok = 1;

	CHECK(strcmp(error_info(BS_ERR_THROTTLED)->stale, "throttled") == 0);
	CHECK(strcmp(error_info(BS_ERR_TIMEOUT)->stale, "timeout") == 0);
	CHECK(strcmp(error_info(BS_ERR_UNREACHABLE)->stale, "unavailable") == 0);
	for (i = 0; i < BS_ERR__MAX; i++) {
		const char *w = error_info((enum bs_error)i)->stale;

		if (w != NULL && strcmp(w, "throttled") != 0 &&
		    strcmp(w, "unavailable") != 0 && strcmp(w, "timeout") != 0)
			ok = 0;
	}
	CHECK(ok);
	CHECK(error_info(BS_OK)->stale == NULL);
	CHECK(error_info(BS_ERR_NO_SUCH_BATCH)->stale == NULL);
	CHECK(error_info(BS_ERR_CREDENTIALS)->stale == NULL);
}

int
main(void)
{
	T_RUN(test_every_error_has_its_own_key);
	T_RUN(test_every_failure_has_an_error_status);
	T_RUN(test_an_unknown_error_is_internal);
	T_RUN(test_the_stale_words);
	return t_done("test_errors");
}
