/*
 * fuzz_recent.c: libFuzzer harness for the recent-lookups cookie
 * (recent_read): whatever a browser sends as its Cookie header. With a
 * fixed key, invariants (abort when broken): a cookie read holds at most
 * RECENT_MAX well-formed items, written back it fits RECENT_VALUE_MAX and
 * reads back the same; a refused one leaves the list empty. Seeds:
 * tests/fuzz/corpus/recent/ (one a valid cookie under this key). Run:
 * `make fuzz`.
 */
#include "fuzz.h"

#include "recent.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char	 k[] = "fuzz-key-0123456789abcdef0123456789";
	struct seal_key		 key;
	struct recent		 r, again;
	char			*cookie, value[RECENT_VALUE_MAX + 1];
	char			 header[RECENT_VALUE_MAX + 32];
	size_t			 i;

	memset(&key, 0, sizeof(key));
	key.len = sizeof(k) - 1;
	memcpy(key.bytes, k, key.len);
	if ((cookie = malloc(size + 1)) == NULL)
		return 0;
	memcpy(cookie, data, size);
	cookie[size] = '\0';
	if (recent_read(cookie, &key, &r) == -1) {
		FUZZ_CHECK(r.n == 0);
		free(cookie);
		return 0;
	}
	free(cookie);
	FUZZ_CHECK(r.n <= RECENT_MAX);
	for (i = 0; i < r.n; i++)
		FUZZ_CHECK(strlen(r.items[i].customer) == GUID_LEN &&
		    strlen(r.items[i].tracking) == GUID_LEN);
	FUZZ_CHECK(recent_write(&r, &key, value, sizeof(value)) > 0);
	FUZZ_CHECK(strlen(value) <= RECENT_VALUE_MAX);
	snprintf(header, sizeof(header), RECENT_COOKIE "=%s", value);
	FUZZ_CHECK(recent_read(header, &key, &again) == 0);
	FUZZ_CHECK(again.n == r.n && memcmp(again.items, r.items,
	    r.n * sizeof(r.items[0])) == 0);
	return 0;
}
