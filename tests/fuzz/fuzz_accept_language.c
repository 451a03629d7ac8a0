/*
 * fuzz_accept_language.c: libFuzzer harness for language negotiation.
 *
 * The input goes to i18n_negotiate as an Accept-Language value (cut at its
 * first NUL) and to i18n_from_tag as a tag of the input's length; no
 * catalogs are needed. Invariants (abort when broken): negotiation always
 * names one of our locales; a tag maps to -1 or a locale whose own tag
 * maps back to it; a header that is exactly one of our tags gets that
 * locale. Seeds: tests/fuzz/corpus/accept_language/. Run: `make fuzz`.
 */
#include "fuzz.h"

#include "i18n.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s = fuzz_strndup(data, size);
	const char	*tag;
	int		 l;
	enum locale	 n;

	n = i18n_negotiate(s);
	FUZZ_CHECK((int)n >= 0 && n < LOC__MAX);
	tag = i18n_tag(n);
	FUZZ_CHECK(tag != NULL && i18n_from_tag(tag, strlen(tag)) == (int)n);

	l = i18n_from_tag(s, size);
	FUZZ_CHECK(l >= -1 && l < LOC__MAX);
	if (l >= 0) {
		tag = i18n_tag((enum locale)l);
		FUZZ_CHECK(tag != NULL && i18n_from_tag(tag, strlen(tag)) == l);
	}
	for (l = 0; l < LOC__MAX; l++)
		if (strcmp(s, i18n_tag((enum locale)l)) == 0)
			FUZZ_CHECK(n == (enum locale)l);
	free(s);
	return 0;
}
