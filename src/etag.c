/* etag.c: the HTTP caching policy of pages: a final batch's ETag, the 304 it earns, and how long nginx may keep it. */
#include "etag.h"

#include <stdio.h>
#include <string.h>

#include "handler.h"
#include "text.h"

/*
 * Page ETags mix in a salt of the pages' making (the templates, catalogs
 * and build; see reload_pages): when they change, a browser must not keep
 * a page made by the old ones, and nodes with the same ones agree.
 * Atomic: a reload sets it while pages are answered.
 */
static uint64_t		etag_salt;

void
etag_pages_changed(uint64_t salt)
{
	__atomic_store_n(&etag_salt, salt, __ATOMIC_RELAXED);
}

int
etag_matches(const char *inm, const char *etag)
{
	size_t		 n = strlen(etag), len;
	const char	*p = inm, *e;

	if (inm == NULL || etag[0] == '\0')
		return 0;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return 1;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		e = p;
		while (*e != '\0' && *e != ',')
			e++;
		len = (size_t)(e - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == n && memcmp(p, etag, n) == 0)
			return 1;
		p = e;
	}
	return 0;
}

uint32_t
etag_view(const char *s)
{
	uint64_t	 h;
	uint32_t	 v;

	if (s[0] == '\0')
		return 0;
	h = hash_bytes(s, strlen(s));
	v = (uint32_t)(h ^ (h >> 32));
	return v != 0 ? v : 1;	/* 0 is the default view's alone */
}

int
etag_final(struct response *res, uint64_t hash, char variant, int language,
    uint32_t view, long keep_seconds, const char *if_none_match)
{
	/*
	 * Each filter of the same batch is another body: another ETag. The
	 * default view's has none, so the page's and its exports' differ by
	 * their letter alone.
	 */
	if (view == 0)
		snprintf(res->etag, sizeof(res->etag), "\"%016llx-%c%d\"",
		    (unsigned long long)(hash ^ __atomic_load_n(&etag_salt,
		    __ATOMIC_RELAXED)), variant, language);
	else
		snprintf(res->etag, sizeof(res->etag), "\"%016llx-%c%d-%08x\"",
		    (unsigned long long)(hash ^ __atomic_load_n(&etag_salt,
		    __ATOMIC_RELAXED)), variant, language, (unsigned)view);
	res->cache_control = "private, no-cache";
	/* nginx may keep it as long as we do: it serves repeats without waking us. */
	res->edge_seconds = keep_seconds;
	if (!etag_matches(if_none_match, res->etag))
		return 0;
	res->status = 304;
	res->outcome = "not_modified";
	/* nginx must never keep a bodiless 304 and serve it to everyone. */
	res->edge_seconds = 0;
	return 1;
}

void
etag_none(struct response *res)
{
	res->disposition[0] = '\0';
	res->etag[0] = '\0';
	res->cache_control = NULL;
	res->edge_seconds = 0;
}
