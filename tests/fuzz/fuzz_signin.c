/*
 * fuzz_signin.c: libFuzzer harness for the token endpoint's JSON answer
 * (signin_parse), v1 and v2 endpoints and Entra ID error bodies alike.
 *
 * Each input is read as the body of a 200, a 400 and a 401 answer.
 * Invariants (abort when broken): a success only on 200, with a non-empty
 * access token and expires_in > 0; a failure with an error word; the
 * error, AADSTS code and detail (which reach pages and logs) are
 * NUL-terminated, free of control characters and of < > " ' &, and never
 * hold the access token. signin_answer_free leaves nothing behind
 * (LeakSanitizer). Seeds: tests/fuzz/corpus/signin/. Run: `make fuzz`.
 */
#include "fuzz.h"

#include "signin.h"

static int
clean_word(const char *s, size_t sz)
{
	if (strnlen(s, sz) >= sz || fuzz_has_control(s))
		return 0;
	return strpbrk(s, "<>\"'&") == NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long	 statuses[] = { 200, 400, 401 };
	struct signin_answer	 a;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		rc = signin_parse(statuses[i], (const char *)data, size, &a);
		FUZZ_CHECK(rc == 0 || rc == -1);
		FUZZ_CHECK(a.http_status == statuses[i]);
		FUZZ_CHECK(clean_word(a.error, sizeof(a.error)));
		FUZZ_CHECK(clean_word(a.aadsts, sizeof(a.aadsts)));
		FUZZ_CHECK(strnlen(a.detail, sizeof(a.detail)) <
		    sizeof(a.detail) && !fuzz_has_control(a.detail));
		if (rc == 0) {
			FUZZ_CHECK(statuses[i] == 200 && a.ok);
			FUZZ_CHECK(a.access_token != NULL &&
			    a.access_token[0] != '\0');
			FUZZ_CHECK(a.expires_in > 0);
			FUZZ_CHECK(strstr(a.detail, a.access_token) == NULL);
		} else {
			FUZZ_CHECK(!a.ok && a.access_token == NULL);
			FUZZ_CHECK(a.error[0] != '\0');
		}
		signin_answer_free(&a);
	}
	return 0;
}
