/* query.c: query values decoded, and the declared table of page options: each with its validator and default. */
#include "query.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errcodes.h"
#include "i18n.h"
#include "text.h"

int
query_decode(const char *s, size_t len, char *out, size_t outsz,
    size_t *outlen, int plus_is_space)
{
	size_t	 i, n = 0;
	int	 hi, lo;
	char	 c;

	for (i = 0; i < len; i++) {
		c = s[i];
		if (c == '%') {
			if (i + 2 >= len)
				return -1;
			hi = hex_digit(s[i + 1]);
			lo = hex_digit(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && plus_is_space)
			c = ' ';
		if (n + 1 >= outsz)
			return -2;
		out[n++] = c;
	}
	out[n] = '\0';
	*outlen = n;
	return 0;
}

int
query_has_control(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

int
query_clean(const char *v, size_t n)
{
	return utf8_valid(v, n) && !query_has_control(v, n) && strlen(v) == n;
}

/*
 * The validators: each takes a decoded, clean value (n is 0 when the
 * option came empty or unusable) and stores it, or returns -1 to leave
 * what is there (the default, or an earlier usable value).
 */
static int
take_lang(const char *v, size_t n, const struct query_opts *o)
{
	int l;

	if (n == 0 || (l = i18n_from_tag(v, n)) < 0)
		return -1;
	snprintf(o->link->lang, sizeof(o->link->lang), "%s",
	    i18n_tag((enum locale)l));
	return 0;
}

static int
take_embed(const char *v, size_t n, const struct query_opts *o)
{
	o->link->embed = n == 1 && v[0] == '1';
	return 0;
}

/*
 * A status we know, or one we do not as Partner Center wrote it, or
 * "failed", or "none": kept in lower case, the one spelling links use
 * (statuses match in any case, so FAILED and failed are one view).
 */
static int
take_status(const char *v, size_t n, const struct query_opts *o)
{
	size_t i;

	if (n == 0 || n >= sizeof(o->table->filter))
		return -1;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '_' &&
		    v[i] != '-' && v[i] != ' ')
			return -1;
	for (i = 0; i < n; i++)
		o->table->filter[i] = (char)tolower((unsigned char)v[i]);
	o->table->filter[n] = '\0';
	return 0;
}

/*
 * An error code's digits (808), or a word (an error's name, or a code
 * Partner Center may write as a word): letters and digits only, at most
 * TABLE_CODE_MAX. A documented error's name becomes its code, so
 * ?code=ZtdDeviceAssignedToOtherTenant and ?code=808 are one view.
 */
int
query_code_ok(const char *v, size_t n)
{
	size_t i;

	if (n == 0 || n > TABLE_CODE_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]))
			return 0;
	return 1;
}

static int
take_code(const char *v, size_t n, const struct query_opts *o)
{
	const struct errcode	*e;

	if (!query_code_ok(v, n))
		return -1;
	if (strspn(v, "0123456789") != n && (e = errcode_find("", v)) != NULL)
		v = e->code[0] != '\0' ? e->code : e->name;
	snprintf(o->table->code, sizeof(o->table->code), "%s", v);
	return 0;
}

static int
take_search(const char *v, size_t n, const struct query_opts *o)
{
	if (n >= sizeof(o->table->search))
		return -1;
	memcpy(o->table->search, v, n + 1);
	return 0;
}

static int
take_page(const char *v, size_t n, const struct query_opts *o)
{
	long p;

	if (n == 0 || n >= 8 || strspn(v, "0123456789") != n)
		return -1;
	p = atol(v);
	o->table->page = p < 1 ? 1 : p;
	return 0;
}

/*
 * The page options: a new one is a row here, a field where it goes
 * (links.h), and a link that keeps it (links.c). Defaults are taken
 * first; "" stands for the zeroed field.
 */
static const struct option {
	const char	*name;
	int		(*take)(const char *, size_t, const struct query_opts *);
	const char	*dflt;
} options[] = {
	{ "lang", take_lang, "" },	/* else Accept-Language decides (route.c) */
	{ "embed", take_embed, "" },
	{ "status", take_status, "" },
	{ "code", take_code, "" },	/* the exports' */
	{ "q", take_search, "" },
	{ "page", take_page, "1" },
};
#define NOPTIONS (sizeof(options) / sizeof(options[0]))

/*
 * The blanks a value pasted from a spreadsheet or a mail brings at either
 * end: ASCII space and controls (tab, CR, LF), and what text.h's
 * paste_char_at says is a blank or nothing at all (no-break and
 * ideographic spaces, zero-width characters, a stray byte-order mark).
 * Returns how many bytes at s (of n) are one, or 0.
 */
static size_t
blank_at(const char *s, size_t n)
{
	size_t		 k;
	enum paste_char	 c;

	if (n > 0 && ((unsigned char)s[0] <= 0x20 || s[0] == 0x7f))
		return 1;
	c = paste_char_at(s, n, &k);
	return c == PASTE_BLANK || c == PASTE_INVISIBLE ? k : 0;
}

/* The blank one ending at s + n, if any: its length. */
static size_t
blank_before(const char *s, size_t n)
{
	size_t k;

	for (k = 1; k <= 3 && k <= n; k++)
		if (blank_at(s + n - k, k) == k)
			return k;
	return 0;
}

size_t
query_trim(char *v, size_t n)
{
	size_t k, start = 0;

	while (start < n && (k = blank_at(v + start, n - start)) > 0)
		start += k;
	while (n > start && (k = blank_before(v + start, n - start)) > 0)
		n -= k;
	n -= start;
	memmove(v, v + start, n);
	v[n] = '\0';
	return n;
}

void
query_options(const char *query, const struct query_opts *o)
{
	const char	*p = query, *v;
	char		 dec[QUERY_VALUE_MAX + 1];
	size_t		 seglen, klen, vlen, n, i;

	for (i = 0; i < NOPTIONS; i++)
		options[i].take(options[i].dflt, strlen(options[i].dflt), o);
	while (p != NULL && *p != '\0') {
		seglen = strcspn(p, "&");
		v = memchr(p, '=', seglen);
		klen = v ? (size_t)(v - p) : seglen;
		vlen = v ? seglen - klen - 1 : 0;
		v = v ? v + 1 : p + seglen;
		/*
		 * Blanks at either end go (a cell copied from Excel ends in
		 * one); a value that cannot be decoded or is not clean
		 * within them counts as empty.
		 */
		if (query_decode(v, vlen, dec, sizeof(dec), &n, 1) != 0 ||
		    !query_clean(dec, n = query_trim(dec, n)))
			n = 0, dec[0] = '\0';
		for (i = 0; i < NOPTIONS; i++)
			if (strlen(options[i].name) == klen &&
			    memcmp(p, options[i].name, klen) == 0) {
				options[i].take(dec, n, o);
				break;
			}
		p += seglen;
		if (*p == '&')
			p++;
	}
}
