/* test_errors.c: the one status table: every status we send has its reason phrase, every error a status in it, a word and catalog entries. */
#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "i18n.h"
#include "t.h"
#include "tpages.h"

/* What the pages send besides the errors: the answers, redirects and 304s. */
static void
test_every_status_we_send_has_its_reason(void)
{
	static const int sent[] = { 200, 303, 304 };
	size_t	 i;
	int	 e;

	for (i = 0; i < sizeof(sent) / sizeof(sent[0]); i++)
		CHECK(http_status_index(sent[i]) >= 0);
	for (e = 0; e < BS_ERR__MAX; e++)
		CHECK(http_status_index(error_info((enum bs_error)e)->http_status) >= 0);
	CHECK_STR(http_reason(403), "Forbidden");
	CHECK_STR(http_reason(304), "Not Modified");
	CHECK_STR(http_reason(504), "Gateway Timeout");
	CHECK(http_status_index(418) == -1);
}

static void
test_table_is_in_order_and_complete(void)
{
	int i;

	for (i = 0; i < HTTP_NSTATUS; i++) {
		CHECK(http_status_at(i) != NULL && http_status_at(i)->reason[0] != '\0');
		CHECK(http_status_index(http_status_at(i)->code) == i);
		if (i > 0)
			CHECK(http_status_at(i)->code > http_status_at(i - 1)->code);
	}
	CHECK(http_status_at(HTTP_NSTATUS) == NULL);
}

/* Each error's word is unique, and every language has its title and message (the words live only there). */
static void
test_every_error_has_a_word_and_words(void)
{
	char	 key[64];
	int	 e, f, l;

	for (e = 0; e < BS_ERR__MAX; e++) {
		const char *w = error_info((enum bs_error)e)->key;

		CHECK(w != NULL && w[0] != '\0');
		for (f = e + 1; f < BS_ERR__MAX; f++)
			CHECK(strcmp(w, error_info((enum bs_error)f)->key) != 0);
		if (e == BS_OK)
			continue;
		for (l = 0; l < LOC__MAX; l++) {
			snprintf(key, sizeof(key), "error.%s.title", w);
			CHECK(strcmp(i18n_text((enum locale)l, key), key) != 0);
			snprintf(key, sizeof(key), "error.%s.message", w);
			CHECK(strcmp(i18n_text((enum locale)l, key), key) != 0);
		}
	}
}

/* A held answer may stand in only for a passing failure, with a word the page and JSON know. */
static void
test_stale_words(void)
{
	int e;

	CHECK_STR(error_info(BS_ERR_THROTTLED)->stale, "throttled");
	CHECK_STR(error_info(BS_ERR_TIMEOUT)->stale, "timeout");
	CHECK_STR(error_info(BS_ERR_UNREACHABLE)->stale, "unavailable");
	CHECK(error_info(BS_ERR_NO_SUCH_BATCH)->stale == NULL);
	CHECK(error_info(BS_ERR_BAD_INPUT)->stale == NULL);
	for (e = 0; e < BS_ERR__MAX; e++) {
		const char *w = error_info((enum bs_error)e)->stale;

		CHECK(w == NULL || strcmp(w, "throttled") == 0 ||
		    strcmp(w, "timeout") == 0 || strcmp(w, "unavailable") == 0);
		if (w != NULL)
			CHECK(error_info((enum bs_error)e)->http_status >= 500);
	}
}

/* Every failure is a 4xx or 5xx; what the user asked wrong is 4xx, what failed upstream 5xx. */
static void
test_every_failure_has_an_error_status(void)
{
	int i;

	CHECK(error_info(BS_OK)->http_status == 200);
	for (i = 1; i < BS_ERR__MAX; i++)
		CHECK(error_info((enum bs_error)i)->http_status >= 400 &&
		    error_info((enum bs_error)i)->http_status <= 599);
	CHECK(error_info(BS_ERR_BAD_INPUT)->http_status == 400);
	CHECK(error_info(BS_ERR_CUSTOMER_NOT_ALLOWED)->http_status == 403);
	CHECK(error_info(BS_ERR_NO_SUCH_BATCH)->http_status == 404);
	CHECK(error_info(BS_ERR_UNREACHABLE)->http_status == 502);
	CHECK(error_info(BS_ERR_TIMEOUT)->http_status == 504);
}

static void
test_out_of_range_is_internal(void)
{
	CHECK(error_info((enum bs_error)-1) == error_info(BS_ERR_INTERNAL));
	CHECK(error_info(BS_ERR__MAX) == error_info(BS_ERR_INTERNAL));
}

int
main(void)
{
	if (tpages_catalogs() == -1)
		return 1;
	T_RUN(test_every_status_we_send_has_its_reason);
	T_RUN(test_table_is_in_order_and_complete);
	T_RUN(test_every_error_has_a_word_and_words);
	T_RUN(test_stale_words);
	T_RUN(test_every_failure_has_an_error_status);
	T_RUN(test_out_of_range_is_internal);
	i18n_free();
	return t_done("test_errors");
}
