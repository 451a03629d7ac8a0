/* seal.h: entries other nodes may read carry an HMAC-SHA256 with the nodes' shared key, so whoever can write to Redis cannot forge a page. */
#ifndef BATCHSTATUS_SEAL_H
#define BATCHSTATUS_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define SEAL_KEY_MIN	32	/* bytes of key at least (BATCHSTATUS_SHARED_KEY_FILE) */
#define SEAL_KEY_MAX	1024

struct seal_key {
	unsigned char	bytes[SEAL_KEY_MAX];
	size_t		len;
};

/*
 * Appends to out: a magic, the HMAC over name (the Redis key: an entry
 * cannot be moved to another batch) and payload, then payload. -1 when
 * out of memory or the MAC failed.
 */
int	seal(const struct seal_key *, const char *name, const void *payload,
	    size_t len, struct buf *out);
#define SEAL_HEX_LEN	64	/* seal_mac_hex's digits */
/* The HMAC-SHA256 of name and payload as lower-case hex (a CSRF token's, a target's fingerprint). -1 when it failed. */
int	seal_mac_hex(const struct seal_key *, const char *name, const void *p,
	    size_t len, char out[SEAL_HEX_LEN + 1]);
/* Whether n bytes of a and b are the same, in time that does not depend on where they differ. */
int	seal_equal(const void *a, const void *b, size_t n);
/*
 * Checks a sealed entry for name; 0 with *payload, *plen pointing into
 * data when its MAC is right (compared in constant time), else -1.
 */
int	unseal(const struct seal_key *, const char *name, const void *data,
	    size_t len, const void **payload, size_t *plen);
/*
 * Reads the key from a secret file (closed to group and others; one line
 * of visible ASCII, e.g. `openssl rand -hex 32`), at least SEAL_KEY_MIN
 * characters. -1 with a message naming the file (never its content).
 */
int	seal_key_load(const char *path, struct seal_key *, char *err,
	    size_t errsz);
/*
 * For secrets other nodes need (the Partner Center token): AES-256-GCM
 * with a key derived from the shared key, a fresh nonce each time, name
 * as associated data. Whoever reads Redis learns nothing of them; whoever
 * writes it cannot make one. -1 on failure.
 */
int	seal_secret(const struct seal_key *, const char *name,
	    const void *plain, size_t len, struct buf *out);
/* Opens one: 0 with the plain text (NUL-terminated, wipe and free it) in *out, else -1. */
int	unseal_secret(const struct seal_key *, const char *name,
	    const void *data, size_t len, char **out, size_t *outlen);
/* Wipes the key. */
void	seal_key_wipe(struct seal_key *);

#endif
