/* test_i18n.c: the four catalogs hold the same keys, every key a template or the code uses exists, and the language is chosen as browsers expect. */
#include <dirent.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errcodes.h"
#include "errors.h"
#include "i18n.h"
#include "t.h"

static char *
slurp(const char *path)
{
	FILE	*f = fopen(path, "rb");
	char	*s;
	long	 n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = malloc((size_t)n + 1);
	if (fread(s, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	s[n] = '\0';
	fclose(f);
	return s;
}

static int
has_var(const char *var)
{
	size_t i;

	for (i = 0; i < i18n_count(); i++)
		if (strcmp(i18n_var(i), var) == 0)
			return 1;
	return 0;
}

/* Every match of re's first group in text must pass check(); returns how many were checked. */
static int
each_match(const char *text, const char *re, int (*check)(const char *),
    const char *where)
{
	regex_t		 r;
	regmatch_t	 m[2];
	const char	*p = text;
	char		 got[128];
	int		 n = 0;

	if (regcomp(&r, re, REG_EXTENDED) != 0)
		return -1;
	while (regexec(&r, p, 2, m, 0) == 0) {
		size_t len = (size_t)(m[1].rm_eo - m[1].rm_so);

		if (len >= sizeof(got))
			len = sizeof(got) - 1;
		memcpy(got, p + m[1].rm_so, len);
		got[len] = '\0';
		if (!check(got))
			fprintf(stderr, "FAIL %s uses \"%s\", which no catalog has\n",
			    where, got);
		CHECK(check(got));
		n++;
		p += m[0].rm_eo;
	}
	regfree(&r);
	return n;
}

static int
key_exists(const char *key)
{
	return strcmp(i18n_text(LOC_EN_US, key), key) != 0;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

/* The real catalogs, in force for one test (it frees them). */
static void
catalogs_up(void)
{
	char err[512];

	CHECK(i18n_load("templates/i18n", err, sizeof(err)) == 0);
}

/* Every language has its own text for its name (and nothing left blank). */
static void
test_every_language_has_every_text(void)
{
	size_t	 i;
	int	 l;

	catalogs_up();
	CHECK(i18n_count() > 100);
	for (l = 0; l < LOC__MAX; l++) {
		CHECK_STR(i18n_text((enum locale)l, "lang.tag"),
		    i18n_tag((enum locale)l));
		for (i = 0; i < i18n_count(); i++)
			CHECK(i18n_value((enum locale)l, i)[0] != '\0');
	}
	CHECK(strcmp(i18n_text(LOC_JA_JP, "form.submit"),
	    i18n_text(LOC_EN_US, "form.submit")) != 0);
	i18n_free();
}

/* Every {{T_...}} in a template is a catalog key. */
static void
test_every_template_marker_is_a_catalog_key(void)
{
	static const char *const tpl[] = { "layout", "form", "batch", "error" };
	char	 path[600], *text;
	size_t	 i;
	int	 n;

	catalogs_up();
	for (i = 0; i < sizeof(tpl) / sizeof(tpl[0]); i++) {
		snprintf(path, sizeof(path), "templates/%s.tpl", tpl[i]);
		CHECK((text = slurp(path)) != NULL);
		if (text == NULL)
			continue;
		n = each_match(text, "\\{\\{(T_[A-Z0-9_]+)", has_var, path);
		CHECK(n > 0);
		free(text);
	}
	i18n_free();
}

/* Every catalog key the code names as a literal exists (the pages, the links, the view, the model). */
static void
test_every_key_the_code_names_exists(void)
{
	static const char *const files[] = { "src/view.c", "src/page_batch.c",
	    "src/page_form.c", "src/page_error.c", "src/links.c", "src/batch.c" };
	char	*text;
	size_t	 f;
	int	 n = 0;

	catalogs_up();
	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		CHECK((text = slurp(files[f])) != NULL);
		if (text == NULL)
			continue;
		n += each_match(text, "\"((batch|form|error|unit|status|lang)"
		    "\\.[a-z_][a-z_.]+)\"", key_exists, files[f]);
		free(text);
	}
	CHECK(n > 10);
	i18n_free();
}

/* And the keys it builds: errors, statuses, device error codes. */
static void
test_every_key_the_code_builds_exists(void)
{
	static const char *const statuses[] = { "queued", "processing",
	    "in_progress", "finished", "finished_with_errors", "unknown",
	    "other", "none" };
	static const char *const codes[] = { "801", "802", "803", "806", "807",
	    "808", "809", "810", "811", "812", "813", "814" };
	char	 key[96];
	size_t	 i;

	catalogs_up();
	for (i = 1; i < BS_ERR__MAX; i++) {
		snprintf(key, sizeof(key), "error.%s.title", error_info(i)->key);
		CHECK(key_exists(key));
		snprintf(key, sizeof(key), "error.%s.message", error_info(i)->key);
		CHECK(key_exists(key));
		/* The notice on a held answer standing in for this failure. */
		if (error_info(i)->stale != NULL) {
			snprintf(key, sizeof(key), "batch.stale_%s",
			    error_info(i)->stale);
			CHECK(key_exists(key));
		}
	}
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		snprintf(key, sizeof(key), "status.%s", statuses[i]);
		CHECK(key_exists(key));
	}
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		CHECK(key_exists(errcode_find(codes[i], "")->key));
	CHECK(key_exists(errcode_find("", "ZtdDeviceDuplicated")->key));
	CHECK(key_exists(errcode_find("", "StorageError")->key));
	i18n_free();
}

/* A key missing from, or extra in, one catalog stops the load, naming both. */
static void
test_catalogs_that_differ_stop_the_load(void)
{
	char	 err[512], dir[] = "/tmp/bs-i18n-XXXXXX", path[600], out[64];
	int	 l;

	CHECK(mkdtemp(dir) != NULL);
	for (l = 0; l < LOC__MAX; l++) {
		snprintf(path, sizeof(path), "%s/%s.catalog", dir,
		    i18n_tag((enum locale)l));
		write_file(path, "# test\na.b = one\nc = two {0}\n");
	}
	CHECK(i18n_load(dir, err, sizeof(err)) == 0);
	i18n_format(out, sizeof(out), i18n_text(LOC_HU_HU, "c"), "7", NULL);
	CHECK_STR(out, "two 7");
	snprintf(path, sizeof(path), "%s/hu-HU.catalog", dir);
	write_file(path, "a.b = egy\n");
	CHECK(i18n_load(dir, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "hu-HU.catalog");
	CHECK_CONTAINS(err, "\"c\" is missing");
	write_file(path, "a.b = egy\nc = kettő\nd = extra\n");
	CHECK(i18n_load(dir, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "\"d\" is not in en-US.catalog");
	write_file(path, "a.b = egy\na.b = kettő\nc = x\n");
	CHECK(i18n_load(dir, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "twice");
	write_file(path, "a.b = \xff\nc = x\n");
	CHECK(i18n_load(dir, err, sizeof(err)) == -1);
	/* The good set stayed in force through every refusal. */
	CHECK_STR(i18n_text(LOC_HU_HU, "a.b"), "one");
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	CHECK(system(path) == 0);
	CHECK(i18n_load("templates/i18n", err, sizeof(err)) == 0);
	i18n_free();
}

/* Tags: ours by any reasonable spelling, nothing else. */
static void
test_a_tag_is_ours_by_any_reasonable_spelling(void)
{
	CHECK(i18n_from_tag("hu", 2) == LOC_HU_HU);
	CHECK(i18n_from_tag("HU-hu", 5) == LOC_HU_HU);
	CHECK(i18n_from_tag("ja-JP", 5) == LOC_JA_JP);
	CHECK(i18n_from_tag("zh-Hant", 7) == LOC_ZH_TW);
	CHECK(i18n_from_tag("zh-Hant-TW", 10) == LOC_ZH_TW);
	CHECK(i18n_from_tag("zh_TW", 5) == LOC_ZH_TW);
	CHECK(i18n_from_tag("en-GB", 5) == LOC_EN_US);
	CHECK(i18n_from_tag("fr", 2) == -1);
	CHECK(i18n_from_tag("hun", 3) == -1);
	CHECK(i18n_from_tag("<b>", 3) == -1);
	CHECK(i18n_from_tag("", 0) == -1);
}

/* Accept-Language: q-values, order, wildcards, junk. */
static void
test_accept_language_picks_as_browsers_expect(void)
{
	CHECK(i18n_negotiate(NULL) == LOC_EN_US);
	CHECK(i18n_negotiate("") == LOC_EN_US);
	CHECK(i18n_negotiate("hu-HU,hu;q=0.9,en-US;q=0.8") == LOC_HU_HU);
	CHECK(i18n_negotiate("fr-FR, ja;q=0.5, hu;q=0.4") == LOC_JA_JP);
	CHECK(i18n_negotiate("en;q=0.2, zh-Hant;q=0.9") == LOC_ZH_TW);
	CHECK(i18n_negotiate("de, fr;q=0.8, *;q=0.1") == LOC_EN_US);
	CHECK(i18n_negotiate("ja;q=0, hu;q=0.1") == LOC_HU_HU);
	CHECK(i18n_negotiate("ja;q=0") == LOC_EN_US);
	CHECK(i18n_negotiate(" ja ; q=1.0 ") == LOC_JA_JP);
	CHECK(i18n_negotiate("hu;q=banana, ja;q=0.5") == LOC_HU_HU);
	CHECK(i18n_negotiate(",,,;;;q=,") == LOC_EN_US);
}

/* {0}, {1}, {2} in any order; an unknown place stays; the output is cut to fit. */
static void
test_format_fills_numbered_places(void)
{
	char out[64];

	i18n_format(out, sizeof(out), "{1} of {0} {2}", "a", "b");
	CHECK_STR(out, "b of a ");
	i18n_format3(out, sizeof(out), "{2}: {0}-{1} {3}", "1", "500", "900");
	CHECK_STR(out, "900: 1-500 {3}");
	i18n_format(out, 4, "{0}", "abcdef", NULL);
	CHECK_STR(out, "abc");
}

/* A count of one takes the _one text where the language has that form (English, Hungarian), never in Japanese or Chinese. */
static void
test_plural_one_where_the_language_has_it(void)
{
	catalogs_up();
	CHECK_STR(i18n_plural(LOC_EN_US, "batch.progress", 1),
	    i18n_text(LOC_EN_US, "batch.progress_one"));
	CHECK_STR(i18n_plural(LOC_EN_US, "batch.progress", 2),
	    i18n_text(LOC_EN_US, "batch.progress"));
	CHECK_STR(i18n_plural(LOC_EN_US, "batch.progress", 0),
	    i18n_text(LOC_EN_US, "batch.progress"));
	CHECK_STR(i18n_plural(LOC_HU_HU, "batch.skipped", 1),
	    i18n_text(LOC_HU_HU, "batch.skipped_one"));
	CHECK_STR(i18n_plural(LOC_JA_JP, "batch.skipped", 1),
	    i18n_text(LOC_JA_JP, "batch.skipped"));
	CHECK_STR(i18n_plural(LOC_ZH_TW, "batch.skipped", 1),
	    i18n_text(LOC_ZH_TW, "batch.skipped"));
	/* No _one text: the key's own. */
	CHECK_STR(i18n_plural(LOC_EN_US, "form.submit", 1),
	    i18n_text(LOC_EN_US, "form.submit"));
	i18n_free();
}

/* With no catalogs a key reads as itself: a page shows the key, never garbage. */
static void
test_without_catalogs_a_key_is_itself(void)
{
	catalogs_up();
	i18n_free();
	CHECK_STR(i18n_text(LOC_EN_US, "form.submit"), "form.submit");
}

int
main(void)
{
	T_RUN(test_every_language_has_every_text);
	T_RUN(test_every_template_marker_is_a_catalog_key);
	T_RUN(test_every_key_the_code_names_exists);
	T_RUN(test_every_key_the_code_builds_exists);
	T_RUN(test_catalogs_that_differ_stop_the_load);
	T_RUN(test_a_tag_is_ours_by_any_reasonable_spelling);
	T_RUN(test_accept_language_picks_as_browsers_expect);
	T_RUN(test_format_fills_numbered_places);
	T_RUN(test_plural_one_where_the_language_has_it);
	T_RUN(test_without_catalogs_a_key_is_itself);
	return t_done("test_i18n");
}
