/*
 * fuzz_retry_after.c: libFuzzer harness for response-header parsing:
 * upstream_parse_retry_after (Retry-After in seconds or as an HTTP date,
 * read through libcurl's curl_getdate).
 *
 * The input (cut at its first NUL, as a header value is) is read against
 * a fixed "now" and against now = 0. Invariant (abort when broken): the
 * answer is -1 (unreadable) or 0..86400 seconds, and a plain number of
 * seconds reads the same whatever now is. Seeds:
 * tests/fuzz/corpus/retry_after/. Run: `make fuzz`.
 */
#include "fuzz.h"

#include "upstream.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s = fuzz_strndup(data, size);
	long	 a, b;
	size_t	 i = 0;

	a = upstream_parse_retry_after(s, 1445412480L);
	b = upstream_parse_retry_after(s, 0);
	FUZZ_CHECK(a == -1 || (a >= 0 && a <= 86400));
	FUZZ_CHECK(b == -1 || (b >= 0 && b <= 86400));
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	if (s[i] >= '0' && s[i] <= '9')
		FUZZ_CHECK(a == b);
	free(s);
	return 0;
}
