/*
 * fuzz_retry_after.c: libFuzzer harness for response-header parsing:
 * upstream_parse_retry_after (Retry-After in seconds or as an HTTP date,
 * read through libcurl's curl_getdate).
 *
 * The input (cut at its first NUL, as a header value is) is read against
 * a fixed "now" and against now = 0. Invariant (abort when broken): the
 * answer is -1 (unreadable) or 0..86400 seconds, a plain number of
 * seconds reads the same whatever now is, and the pause it applies
 * (upstream_pause_seconds) is within [1, max] for any max. Seeds:
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
	for (long max = 1; max <= 100000; max *= 17) {
		long p = upstream_pause_seconds(s, 1445412480L, max);

		FUZZ_CHECK(p >= 1 && p <= max);
		FUZZ_CHECK(a == -1 || p == (a < 1 ? 1 : a > max ? max : a));
	}
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	if (s[i] >= '0' && s[i] <= '9')
		FUZZ_CHECK(a == b);
	free(s);
	return 0;
}
