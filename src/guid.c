/* guid.c: GUID parsing and normalisation, Location values, and fresh v4 GUIDs. */
#include "guid.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "text.h"

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int
guid_parse(const char *s, size_t len, char out[GUID_LEN + 1])
{
	size_t	 i;

	while (len > 0 && is_blank(s[0])) {
		s++;
		len--;
	}
	while (len > 0 && is_blank(s[len - 1]))
		len--;
	if (len == GUID_LEN + 2 && s[0] == '{' && s[len - 1] == '}') {
		s++;
		len -= 2;
	}
	if (len != GUID_LEN)
		return -1;
	for (i = 0; i < GUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -1;
			out[i] = '-';
		} else {
			int v = hex_digit(s[i]);
			if (v < 0)
				return -1;
			out[i] = "0123456789abcdef"[v];
		}
	}
	out[GUID_LEN] = '\0';
	return 0;
}

/* Consumes a case-insensitive literal at *sp; returns 1 when it was there. */
static int
eat(const char **sp, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(end - *sp) < n || strncasecmp(*sp, lit, n) != 0)
		return 0;
	*sp += n;
	return 1;
}

/* Parses one path segment (up to '/' or end) as a GUID. */
static int
segment_guid(const char **sp, const char *end, char out[GUID_LEN + 1])
{
	const char *p = *sp;

	while (p < end && *p != '/')
		p++;
	if (guid_parse(*sp, (size_t)(p - *sp), out) == -1)
		return -1;
	*sp = p;
	return 0;
}

int
guid_parse_location(const char *s, size_t len,
    char customer[GUID_LEN + 1], char tracking[GUID_LEN + 1])
{
	const char	*p = s, *end = s + len;

	while (p < end && is_blank(*p))
		p++;
	while (end > p && is_blank(end[-1]))
		end--;
	if (eat(&p, end, "https://") || eat(&p, end, "http://")) {
		/* A host (and port) of letters, digits, dots, dashes, colons. */
		const char *h = p;
		while (p < end && *p != '/') {
			char c = *p;
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '.' || c == '-' ||
			    c == ':' || c == '[' || c == ']'))
				return -1;
			p++;
		}
		if (p == h)
			return -1;
	}
	(void)eat(&p, end, "/v1");
	if (!eat(&p, end, "/customers/"))
		return -1;
	if (segment_guid(&p, end, customer) == -1)
		return -1;
	if (!eat(&p, end, "/batchJobStatus/"))
		return -1;
	if (segment_guid(&p, end, tracking) == -1)
		return -1;
	(void)eat(&p, end, "/");
	return p == end ? 0 : -1;
}

void
guid_new(char out[GUID_LEN + 1])
{
	unsigned char	 r[16];
	size_t		 got = 0;
	ssize_t		 n;

	while (got < sizeof(r)) {
		n = getrandom(r + got, sizeof(r) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			abort();	/* no kernel randomness: nothing safe to do */
		got += (size_t)n;
	}
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	snprintf(out, GUID_LEN + 1,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x",
	    r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9],
	    r[10], r[11], r[12], r[13], r[14], r[15]);
}
