/* guid.c: GUID parsing and normalisation, pasted values read (Locations, our URLs, wrapped GUIDs), and fresh v4 GUIDs. */
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

/* Consumes a case-insensitive literal that ends at end; returns 1 when it was there. */
static int
eat_back(const char *p, const char **endp, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(*endp - p) < n || strncasecmp(*endp - n, lit, n) != 0)
		return 0;
	*endp -= n;
	return 1;
}

#define PASTE_MAX	2048	/* longer than anything worth reading as a paste */

/* Copies s with what a paste brings along read as what it stands for (text.h), tabs and line ends as spaces. Returns the length. */
static size_t
paste_copy(const char *s, size_t len, char *out)
{
	size_t	 i = 0, n = 0, k;

	while (i < len) {
		switch (paste_char_at(s + i, len - i, &k)) {
		case PASTE_INVISIBLE:
			break;
		case PASTE_BLANK:
			out[n++] = ' ';
			break;
		case PASTE_DASH:
			out[n++] = '-';
			break;
		case PASTE_OTHER:
			k = 1;
			out[n++] = s[i] == '\t' || s[i] == '\r' || s[i] == '\n' ?
			    ' ' : s[i];
			break;
		}
		i += k;
	}
	return n;
}

/* Characters that wrap a pasted value, on either end, paired or not: quotes, <>, a JSON comma. */
static const char *const wrappers[] = {
	"\"", "'", "`", "<", ">", ",", ";",
	"\xe2\x80\x9c", "\xe2\x80\x9d", "\xe2\x80\x9e",	/* “ ” „ */
	"\xe2\x80\x98", "\xe2\x80\x99", "\xe2\x80\x9a",	/* ‘ ’ ‚ */
	"\xc2\xab", "\xc2\xbb",				/* « » */
};

/* Drops blanks and one of each wrapper at the ends of [*sp, *endp), a Location: name (*named set) or urn:uuid:; whether it dropped any. */
static int
unwrap_once(const char **sp, const char **endp, int *named)
{
	const char	*p = *sp, *end = *endp;
	size_t		 i;
	int		 did = 0;

	while (p < end && *p == ' ')
		p++;
	while (end > p && end[-1] == ' ')
		end--;
	for (i = 0; i < sizeof(wrappers) / sizeof(wrappers[0]); i++) {
		if (eat(&p, end, wrappers[i]))
			did = 1;
		if (eat_back(p, &end, wrappers[i]))
			did = 1;
	}
	/* Braces only as a pair: {GUID}, or a JSON object around "Location". */
	if (end - p >= 2 && *p == '{' && end[-1] == '}') {
		p++;
		end--;
		did = 1;
	}
	/* A header line's or a JSON member's name: Location: / "Location": */
	{
		const char *q = p;

		(void)eat(&q, end, "\"");
		if (eat(&q, end, "location")) {
			(void)eat(&q, end, "\"");
			while (q < end && *q == ' ')
				q++;
			if (q < end && *q == ':') {
				p = q + 1;
				did = *named = 1;
			}
		}
	}
	if (eat(&p, end, "urn:uuid:"))
		did = 1;
	*sp = p;
	*endp = end;
	return did;
}

/* 32 hex digits: the GUID without its dashes, canonical into out. */
static int
bare_hex(const char *p, size_t n, char out[GUID_LEN + 1])
{
	size_t	 i, o = 0;
	int	 v;

	if (n != 32)
		return -1;
	for (i = 0; i < n; i++) {
		if ((v = hex_digit(p[i])) < 0)
			return -1;
		if (o == 8 || o == 13 || o == 18 || o == 23)
			out[o++] = '-';
		out[o++] = "0123456789abcdef"[v];
	}
	out[GUID_LEN] = '\0';
	return 0;
}

/* A host (and port) of letters, digits, dots, dashes, colons and brackets, up to the path. */
static int
eat_host(const char **sp, const char *end)
{
	const char *p = *sp;

	while (p < end && *p != '/') {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		    c == ':' || c == '[' || c == ']'))
			return -1;
		p++;
	}
	if (p == *sp)
		return -1;
	*sp = p;
	return 0;
}

/* Where "/customers/" starts in [p, end) (any case), or NULL. */
static const char *
find_customers(const char *p, const char *end)
{
	for (; end - p >= 11; p++)
		if (strncasecmp(p, "/customers/", 11) == 0)
			return p;
	return NULL;
}

/* One path segment, up to '/' or end. */
static const char *
segment_end(const char *p, const char *end)
{
	while (p < end && *p != '/')
		p++;
	return p;
}

/*
 * An address: a status Location, our batch URL, or neither (see guid.h).
 * The caller knows [p, end) is no GUID, and clears the GUIDs of any kind but a pair.
 */
static void
read_address(const char *p, const char *end, struct guid_read *out)
{
	const char	*q, *seg;
	int		 ours;

	/* Neither a query nor a fragment names a batch. */
	for (q = p; q < end; q++)
		if (*q == '?' || *q == '#') {
			end = q;
			break;
		}
	out->kind = GUID_PASTE_NOT_STATUS;
	if (eat(&p, end, "https://") || eat(&p, end, "http://")) {
		if (eat_host(&p, end) == -1)
			return;
	}
	if (p < end && *p != '/') {
		/* "customers/..." without its slash. */
		if (!eat(&p, end, "customers/"))
			return;
	} else {
		if ((q = find_customers(p, end)) == NULL)
			return;
		/* Before it: a mount point or /v1, path characters only. */
		for (; p < q; p++)
			if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789/_.-~", *p) == NULL || *p == '\0')
				return;
		p = q + 11;
	}
	seg = segment_end(p, end);
	if (guid_parse(p, (size_t)(seg - p), out->customer) == -1) {
		out->kind = GUID_PASTE_BAD_ID;
		return;
	}
	p = seg;
	if (eat(&p, end, "/deviceBatches/") || (eat(&p, end, "/deviceBatches") &&
	    p == end)) {
		out->kind = GUID_PASTE_DEVICE_BATCH;
		return;
	}
	if (eat(&p, end, "/batchJobStatus/"))
		ours = 0;
	else if (eat(&p, end, "/batches/"))
		ours = 1;
	else if (eat(&p, end, "/batchJobStatus") || eat(&p, end, "/batches")) {
		/* No tracking ID at all: cut short; or another word. */
		if (p == end)
			out->kind = GUID_PASTE_BAD_ID;
		return;
	} else
		return;
	seg = segment_end(p, end);
	q = seg;
	if (ours && !eat_back(p, &q, ".json"))
		(void)eat_back(p, &q, ".csv");
	if (guid_parse(p, (size_t)(q - p), out->id) == -1) {
		out->kind = GUID_PASTE_BAD_ID;
		return;
	}
	p = seg;
	(void)eat(&p, end, "/");
	/* Nothing may follow the tracking ID (.../devices is another page). */
	if (p == end)
		out->kind = GUID_PASTE_PAIR;
}

/*
 * Several lines pasted (a block of response headers, a JSON object over
 * lines): the one line that names the Location ("Location:", "Location":),
 * into *sp and *lenp. Nothing changes when there is no such line, or more
 * than one: then the whole value is read, and fails, as it is.
 */
static void
location_line(const char **sp, size_t *lenp)
{
	const char	*s = *sp, *end = s + *lenp, *line, *eol, *p;
	const char	*found = NULL, *found_end = NULL;

	if (memchr(s, '\n', *lenp) == NULL)
		return;
	for (line = s; line < end; line = eol + 1) {
		if ((eol = memchr(line, '\n', (size_t)(end - line))) == NULL)
			eol = end;
		p = line;
		while (p < eol && (*p == ' ' || *p == '\t' || *p == '{'))
			p++;
		(void)eat(&p, eol, "\"");
		if (!eat(&p, eol, "location"))
			continue;
		(void)eat(&p, eol, "\"");
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		if (p == eol || *p != ':')
			continue;
		if (found != NULL)
			return;		/* two: which one is meant is a guess */
		found = line;
		found_end = eol;
	}
	if (found != NULL) {
		*sp = found;
		*lenp = (size_t)(found_end - found);
	}
}

void
guid_read_paste(const char *s, size_t len, struct guid_read *out)
{
	char		 buf[PASTE_MAX];
	const char	*p, *end;
	size_t		 n;
	int		 i, named = 0;

	memset(out, 0, sizeof(*out));
	out->kind = GUID_PASTE_NOT_GUID;
	if (len > sizeof(buf))
		return;
	location_line(&s, &len);
	n = paste_copy(s, len, buf);
	p = buf;
	end = buf + n;
	/* Wrappers nest ("<urn:uuid:...>", {"Location": "..."},): a few rounds. */
	for (i = 0; i < 8 && unwrap_once(&p, &end, &named); i++)
		;
	n = (size_t)(end - p);
	if (n == 0)
		out->kind = named ? GUID_PASTE_BAD_ID : GUID_PASTE_EMPTY;
	else if (guid_parse(p, n, out->id) == 0 || bare_hex(p, n, out->id) == 0)
		out->kind = GUID_PASTE_ID;
	else if (named || *p == '/' || (n >= 7 && strncasecmp(p, "http://", 7) == 0) ||
	    (n >= 8 && strncasecmp(p, "https://", 8) == 0) ||
	    (n >= 10 && strncasecmp(p, "customers/", 10) == 0))
		read_address(p, end, out);
	if (out->kind != GUID_PASTE_ID && out->kind != GUID_PASTE_PAIR)
		out->customer[0] = out->id[0] = '\0';
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
