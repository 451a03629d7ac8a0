/* i18n.c: catalog files in, strings by key out (a reload swaps catalogs), and the choice of language from ?lang= or Accept-Language. */
#include "i18n.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lines.h"
#include "text.h"

static const char *const tags[LOC__MAX] = { "en-US", "zh-TW", "ja-JP", "hu-HU" };

/*
 * Whether a language has a "one" form (CLDR: English and Hungarian, for
 * n = 1); Chinese and Japanese have one form for every count, so their
 * _one texts are never read (the catalogs still carry them: every
 * catalog has en-US's keys).
 */
static const int has_one[LOC__MAX] = {
	[LOC_EN_US] = 1, [LOC_ZH_TW] = 0, [LOC_JA_JP] = 0, [LOC_HU_HU] = 1,
};

struct entry {
	char	*key;
	char	*var;		/* T_ + the key in upper case, dots as underscores */
	char	*value[LOC__MAX];
};

/* One set of catalogs: the one in force, and the one a reload replaced (freed once nobody reads it). */
struct catalog {
	struct entry	*entries;
	size_t		 n;
};

static struct catalog	*cur, *retired;	/* cur: atomic, for the CPU workers */
static struct catalog	*loading;	/* the one load_one fills */

static struct catalog *
live(void)
{
	static struct catalog none;
	struct catalog *c = __atomic_load_n(&cur, __ATOMIC_ACQUIRE);

	return c != NULL ? c : &none;
}

const char *
i18n_tag(enum locale l)
{
	return (int)l >= 0 && l < LOC__MAX ? tags[l] : tags[LOC_EN_US];
}

static void
catalog_free(struct catalog *c)
{
	size_t i;
	int l;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->entries[i].key);
		free(c->entries[i].var);
		for (l = 0; l < LOC__MAX; l++)
			free(c->entries[i].value[l]);
	}
	free(c->entries);
	free(c);
}

void
i18n_free(void)
{
	catalog_free(__atomic_exchange_n(&cur, NULL, __ATOMIC_ACQ_REL));
	i18n_retired_free();
}

void
i18n_retired_free(void)
{
	catalog_free(retired);
	retired = NULL;
}

void
i18n_revert(void)
{
	struct catalog *c = retired;

	if (c == NULL)
		return;
	retired = __atomic_exchange_n(&cur, c, __ATOMIC_ACQ_REL);
}

static int
key_ok(const char *k)
{
	if (*k == '\0')
		return 0;
	for (; *k != '\0'; k++)
		if (!islower((unsigned char)*k) && !isdigit((unsigned char)*k) &&
		    *k != '.' && *k != '_')
			return 0;
	return 1;
}

static int
add_entry(const char *key)
{
	struct entry	*n;
	size_t		 i;

	if ((n = realloc(loading->entries, (loading->n + 1) * sizeof(*n))) ==
	    NULL)
		return -1;
	loading->entries = n;
	n = &loading->entries[loading->n];
	memset(n, 0, sizeof(*n));
	if ((n->key = strdup(key)) == NULL ||
	    (n->var = malloc(strlen(key) + 3)) == NULL) {
		free(n->key);
		return -1;
	}
	n->var[0] = 'T';
	n->var[1] = '_';
	for (i = 0; key[i] != '\0'; i++)
		n->var[i + 2] = key[i] == '.' ? '_' :
		    (char)toupper((unsigned char)key[i]);
	n->var[i + 2] = '\0';
	loading->n++;
	return 0;
}

static struct entry *
find(const struct catalog *c, const char *key)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->entries[i].key, key) == 0)
			return &c->entries[i];
	return NULL;
}

/* One "key = value" line of the catalog of language *arg. */
static int
one_entry(char *line, const struct lines_at *at, void *arg)
{
	enum locale	 l = *(enum locale *)arg;
	struct entry	*e;
	char		*k, *v, *eq;

	if ((eq = strstr(line, " = ")) == NULL)
		return lines_refuse(at, "expected key = value");
	*eq = '\0';
	v = lines_trim(eq + 3);
	k = lines_trim(line);
	if (!key_ok(k) || !utf8_valid(v, strlen(v)))
		return lines_refuse(at, "bad key or not UTF-8");
	if (l == LOC_EN_US && find(loading, k) == NULL && add_entry(k) == -1)
		return lines_refuse(at, "out of memory");
	if ((e = find(loading, k)) == NULL)
		return lines_refuse(at, "\"%s\" is not in %s.catalog", k,
		    tags[LOC_EN_US]);
	if (e->value[l] != NULL)
		return lines_refuse(at, "\"%s\" appears twice", k);
	if ((e->value[l] = strdup(v)) == NULL)
		return lines_refuse(at, "out of memory");
	return 0;
}

static int
load_one(const char *dir, enum locale l, char *err, size_t errsz)
{
	char	 path[1200];
	size_t	 i;

	snprintf(path, sizeof(path), "%s/%s.catalog", dir, tags[l]);
	if (lines_read(path, one_entry, &l, err, errsz) == -1)
		return -1;
	for (i = 0; i < loading->n; i++)
		if (loading->entries[i].value[l] == NULL) {
			snprintf(err, errsz, "%s: \"%s\" is missing", path,
			    loading->entries[i].key);
			return -1;
		}
	return 0;
}

int
i18n_load(const char *dir, char *err, size_t errsz)
{
	struct catalog	*c;
	int		 l;

	if ((loading = calloc(1, sizeof(*loading))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	for (l = 0; l < LOC__MAX; l++)
		if (load_one(dir, (enum locale)l, err, errsz) == -1) {
			catalog_free(loading);
			loading = NULL;
			return -1;	/* the catalogs in force stay */
		}
	c = loading;
	loading = NULL;
	/* One replaced catalog is kept at a time: a second reload before it was freed frees it now. */
	i18n_retired_free();
	retired = __atomic_exchange_n(&cur, c, __ATOMIC_ACQ_REL);
	return 0;
}

const char *
i18n_text(enum locale l, const char *key)
{
	const struct entry *e;

	if ((int)l < 0 || l >= LOC__MAX)
		l = LOC_EN_US;
	if ((e = find(live(), key)) == NULL || e->value[l] == NULL)
		return key;
	return e->value[l];
}

const char *
i18n_plural(enum locale l, const char *key, long n)
{
	char one[128];

	if ((int)l < 0 || l >= LOC__MAX)
		l = LOC_EN_US;
	if (n != 1 || !has_one[l] ||
	    (size_t)snprintf(one, sizeof(one), "%s_one", key) >= sizeof(one) ||
	    find(live(), one) == NULL)
		return i18n_text(l, key);
	return i18n_text(l, one);
}

size_t
i18n_count(void)
{
	return live()->n;
}

const char *
i18n_var(size_t i)
{
	const struct catalog *c = live();

	return i < c->n ? c->entries[i].var : "";
}

const char *
i18n_value(enum locale l, size_t i)
{
	const struct catalog *c = live();

	if (i >= c->n)
		return "";
	if ((int)l < 0 || l >= LOC__MAX)
		l = LOC_EN_US;
	return c->entries[i].value[l];
}

const char *
i18n_word(size_t lang, const char *var)
{
	const struct catalog	*c = live();
	size_t			 i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->entries[i].var, var) == 0)
			return c->entries[i].value[lang < LOC__MAX ?
			    (enum locale)lang : LOC_EN_US];
	return NULL;
}

int
i18n_from_tag(const char *tag, size_t len)
{
	char	 t[32];
	size_t	 i;

	if (len == 0 || len >= sizeof(t))
		return -1;
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)tag[i]) && tag[i] != '-' &&
		    tag[i] != '_')
			return -1;
		t[i] = tag[i] == '_' ? '-' : (char)tolower((unsigned char)tag[i]);
	}
	t[len] = '\0';
	/* By primary language: ours are the only variant of each we have. */
	if (strcmp(t, "en") == 0 || strncmp(t, "en-", 3) == 0)
		return LOC_EN_US;
	if (strcmp(t, "ja") == 0 || strncmp(t, "ja-", 3) == 0)
		return LOC_JA_JP;
	if (strcmp(t, "hu") == 0 || strncmp(t, "hu-", 3) == 0)
		return LOC_HU_HU;
	/* Traditional Chinese: zh-TW, zh-Hant(-*), zh-HK, zh-MO, or plain zh. */
	if (strcmp(t, "zh") == 0 || strcmp(t, "zh-tw") == 0 ||
	    strncmp(t, "zh-hant", 7) == 0 || strcmp(t, "zh-hk") == 0 ||
	    strcmp(t, "zh-mo") == 0)
		return LOC_ZH_TW;
	return -1;
}

enum locale
i18n_negotiate(const char *al)
{
	int		 best = LOC_EN_US, l;
	long		 bestq = -1, q;
	const char	*p = al, *end, *semi, *s;
	size_t		 tlen;

	if (al == NULL)
		return LOC_EN_US;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		semi = memchr(p, ';', (size_t)(end - p));
		tlen = (size_t)((semi ? semi : end) - p);
		while (tlen > 0 && (p[tlen - 1] == ' ' || p[tlen - 1] == '\t'))
			tlen--;
		/* q in thousandths; a malformed one counts as absent (1). */
		q = 1000;
		/* Only within this entry: a long header must not cost a scan per entry. */
		if (semi != NULL && (s = memmem(semi, (size_t)(end - semi), "q=",
		    2)) != NULL && (s[-1] == ';' || s[-1] == ' ' || s[-1] == '\t')) {
			char *e2;
			double d = strtod(s + 2, &e2);
			if (e2 > s + 2 && d >= 0 && d <= 1)
				q = (long)(d * 1000 + 0.5);
		}
		l = i18n_from_tag(p, tlen);
		if (l >= 0 && q > 0 && q > bestq) {
			best = l;
			bestq = q;
		}
		p = end;
	}
	return (enum locale)best;
}

void
i18n_format3(char *out, size_t outsz, const char *text, const char *a0,
    const char *a1, const char *a2)
{
	size_t		 o = 0, n;
	const char	*arg;

	if (outsz == 0)
		return;
	while (*text != '\0' && o + 1 < outsz) {
		if (text[0] == '{' && text[1] >= '0' && text[1] <= '2' &&
		    text[2] == '}') {
			arg = text[1] == '0' ? a0 : text[1] == '1' ? a1 : a2;
			if (arg == NULL)
				arg = "";
			n = strlen(arg);
			if (n > outsz - 1 - o)
				n = outsz - 1 - o;
			memcpy(out + o, arg, n);
			o += n;
			text += 3;
			continue;
		}
		out[o++] = *text++;
	}
	out[o] = '\0';
}

void
i18n_format(char *out, size_t outsz, const char *text, const char *a0,
    const char *a1)
{
	i18n_format3(out, outsz, text, a0, a1, NULL);
}
