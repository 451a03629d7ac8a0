/* recent.h: the last batches this browser opened, in a cookie the server signs: IDs and an outcome word only, anything tampered or oversized ignored. */
#ifndef BATCHSTATUS_RECENT_H
#define BATCHSTATUS_RECENT_H

#include <stddef.h>

#include "guid.h"
#include "seal.h"

#define RECENT_MAX		10		/* lookups kept */
#define RECENT_COOKIE		"bs_recent"	/* the cookie's name */
#define RECENT_VALUE_MAX	1800		/* a longer cookie value is ignored unread */
#define RECENT_OUTCOME_MAX	23

struct recent_item {
	char	customer[GUID_LEN + 1];		/* lower-case GUIDs (guid_parse's form) */
	char	tracking[GUID_LEN + 1];
	char	outcome[RECENT_OUTCOME_MAX + 1];	/* a view_outcome_word ("running", "all_registered", ...) or "" */
};

/* Newest first. */
struct recent {
	struct recent_item	items[RECENT_MAX];
	size_t			n;
};

/*
 * Reads RECENT_COOKIE out of a Cookie request header (NULL: none; several
 * cookies "a=1; b=2"; the first bs_recent counts). 0 with r filled (n
 * may be 0) when the value's MAC holds under key (constant-time, via
 * seal.c's unseal with the name RECENT_COOKIE) and every item is
 * well-formed: two GUIDs as guid_parse gives them, an outcome of
 * [a-z_]{0,23}; at most RECENT_MAX items. Otherwise -1 with r empty:
 * absent, longer than RECENT_VALUE_MAX, not base64url, MAC wrong
 * (tampered, or another key), malformed payload.
 */
int	recent_read(const char *cookie_header, const struct seal_key *key,
	    struct recent *r);

/*
 * Puts the lookup first: an older item for the same two IDs goes (its
 * place taken by the new one at the front), and the oldest when there
 * would be more than RECENT_MAX. IDs that guid_parse refuses, or an outcome
 * that is not [a-z_]{0,23}, leave r as it was (-1); else 0.
 */
int	recent_add(struct recent *r, const char *customer, const char *tracking,
	    const char *outcome);

/* Drops the item for these two IDs, if any. */
void	recent_remove(struct recent *r, const char *customer, const char *tracking);

/*
 * The cookie's value for r (not its name or attributes): the payload
 * (plain text, e.g. "customer.tracking.outcome" items joined by "~"),
 * sealed with seal() under the name RECENT_COOKIE, base64url without
 * padding. Always at most RECENT_VALUE_MAX characters for RECENT_MAX
 * items. Returns the length written (NUL-terminated), -1 when it does
 * not fit in outsz or memory ran out.
 */
int	recent_write(const struct recent *r, const struct seal_key *key,
	    char *out, size_t outsz);

/*
 * The server's key for the cookie: read from path (seal_key_load's
 * rules), or, when path does not exist, made (32 random bytes as 64 hex
 * characters from getrandom(2), written with O_CREAT|O_EXCL and mode
 * 0600 into a file the caller's directory holds) then read. -1 with a
 * message in err naming the file (never its content).
 */
int	recent_key_load_or_create(const char *path, struct seal_key *key,
	    char *err, size_t errsz);

#endif
