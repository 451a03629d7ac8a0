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
 * the format's letter, and for a page its language), validated by the
 * browser, kept by nginx for keep_seconds. Returns 1 when if_none_match
 * names it: res is then a bodiless 304 nginx must not keep.
 */
int	etag_final(struct response *res, uint64_t hash, char variant,
	    int language, long keep_seconds, const char *if_none_match);

/* An answer that turned out not to be the page: nothing validated or kept. */
void	etag_none(struct response *res);

#endif
