/* etag.h: the HTTP caching policy of pages: ETags, If-None-Match and 304, and how long nginx may keep an answer. */
#ifndef BATCHSTATUS_ETAG_H
#define BATCHSTATUS_ETAG_H

#include <stdint.h>

struct response;

/* Templates or catalogs were (re)loaded: pages get ETags of salt, so no browser keeps one made by the old ones. */
void	etag_pages_changed(uint64_t salt);

/* Whether an If-None-Match value names etag ("*", lists, W/ prefixes). */
int	etag_matches(const char *if_none_match, const char *etag);

/*
 * A final batch's answer: its ETag (the batch's hash, the pages' salt,
 * the format's letter, its language, and view: a hash of what else
 * shapes the body, the filter of an export or the table of a page; see
 * etag_view), validated by the browser, kept by nginx for keep_seconds.
 * Returns 1 when if_none_match names it: res is then a bodiless 304
 * nginx must not keep.
 */
int	etag_final(struct response *res, uint64_t hash, char variant,
	    int language, uint32_t view, long keep_seconds,
	    const char *if_none_match);

/* The view part of an ETag: a hash of s, the canonical text of what shapes the body (a link's query); 0, and no part, for "" (the default view). */
uint32_t	etag_view(const char *s);

/* An answer that turned out not to be the page: nothing validated or kept. */
void	etag_none(struct response *res);

#endif
