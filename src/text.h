/* text.h: small byte and character helpers shared across the server. */
#ifndef BATCHSTATUS_TEXT_H
#define BATCHSTATUS_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A copy of n bytes with a NUL after them (for bytes that are text, and bytes that are not); NULL when out of memory. */
static inline char *
bytes_dup(const void *p, size_t n)
{
	char *d = malloc(n + 1);

	if (d != NULL) {
		if (n > 0)
			memcpy(d, p, n);
		d[n] = '\0';
	}
	return d;
}

/* FNV-1a, 64 bits: cheap, for hash tables and ETags (not for anything secret). */
static inline uint64_t
hash_bytes(const void *p, size_t n)
{
	const unsigned char	*b = p;
	uint64_t		 h = 1469598103934665603ULL;
	size_t			 i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

/* What a character a paste brings along (from Teams, Outlook, Word, Excel or a web page) stands for. */
enum paste_char {
	PASTE_OTHER,		/* itself (and every ASCII character: the caller's) */
	PASTE_INVISIBLE,	/* nothing: zero-width characters, a byte-order mark */
	PASTE_BLANK,		/* a space: no-break, figure, narrow and ideographic spaces */
	PASTE_DASH,		/* a hyphen: the dashes word processors make of one */
};

/* What the character at s (n bytes) stands for, and its length in *len (0 for PASTE_OTHER). */
static inline enum paste_char
paste_char_at(const char *s, size_t n, size_t *len)
{
	static const struct {
		const char	*utf8;
		enum paste_char	 is;
	} chars[] = {
		{ "\xe2\x80\x8b", PASTE_INVISIBLE },	/* U+200B zero width space */
		{ "\xe2\x80\x8c", PASTE_INVISIBLE },	/* U+200C zero width non-joiner */
		{ "\xe2\x80\x8d", PASTE_INVISIBLE },	/* U+200D zero width joiner */
		{ "\xe2\x81\xa0", PASTE_INVISIBLE },	/* U+2060 word joiner */
		{ "\xef\xbb\xbf", PASTE_INVISIBLE },	/* U+FEFF byte order mark */
		{ "\xc2\xa0", PASTE_BLANK },		/* U+00A0 no-break space */
		{ "\xe2\x80\x87", PASTE_BLANK },	/* U+2007 figure space */
		{ "\xe2\x80\xaf", PASTE_BLANK },	/* U+202F narrow no-break space */
		{ "\xe3\x80\x80", PASTE_BLANK },	/* U+3000 ideographic space */
		{ "\xe2\x80\x90", PASTE_DASH },	/* U+2010 hyphen */
		{ "\xe2\x80\x91", PASTE_DASH },	/* U+2011 non-breaking hyphen */
		{ "\xe2\x80\x92", PASTE_DASH },	/* U+2012 figure dash */
		{ "\xe2\x80\x93", PASTE_DASH },	/* U+2013 en dash */
		{ "\xe2\x88\x92", PASTE_DASH },	/* U+2212 minus sign */
		{ "\xef\xbc\x8d", PASTE_DASH },	/* U+FF0D fullwidth hyphen-minus */
	};
	size_t	 i, k;

	for (i = 0; i < sizeof(chars) / sizeof(chars[0]); i++) {
		k = strlen(chars[i].utf8);
		if (k <= n && memcmp(s, chars[i].utf8, k) == 0) {
			*len = k;
			return chars[i].is;
		}
	}
	*len = 0;
	return PASTE_OTHER;
}

/* The value of a hex digit in either case, or -1. */
static inline int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A mount point: /a/b of URL-safe characters, no "..", "//" or trailing slash. */
static inline int
mount_path_ok(const char *p)
{
	size_t n = strlen(p);

	if (n == 0 || p[0] != '/' || p[n - 1] == '/' ||
	    strstr(p, "..") != NULL || strstr(p, "//") != NULL)
		return 0;
	return strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789/_.-~") == n;
}

/* Length of the valid UTF-8 sequence at s, or 0. */
static inline size_t
utf8_seq(const unsigned char *s, size_t len)
{
	size_t		 n, i;
	unsigned int	 cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* Whether all n bytes at s are valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static inline int
utf8_valid(const void *p, size_t n)
{
	const unsigned char	*s = p;
	size_t			 i = 0, k;
	uint64_t		 w;

	while (i < n) {
		/* Eight ASCII bytes at a time: the common case. */
		if (n - i >= 8) {
			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080ULL) == 0) {
				i += 8;
				continue;
			}
		}
		if ((k = utf8_seq(s + i, n - i)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

#endif
