/* recent.c: the recent-lookups cookie: items "customer.tracking.outcome" joined by '~', sealed (seal.c's HMAC) and written base64url; read back strictly, anything else ignored. */
#include "recent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "buf.h"

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* base64url without padding; -1 when it does not fit. */
static int
b64_encode(const unsigned char *in, size_t n, char *out, size_t outsz)
{
	size_t	 i, o = 0;
	unsigned v;

	if ((n + 2) / 3 * 4 + 1 > outsz)
		return -1;
	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = b64[v >> 6 & 63];
		out[o++] = b64[v & 63];
	}
	if (n - i == 1) {
		v = (unsigned)in[i] << 16;
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
	} else if (n - i == 2) {
		v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = b64[v >> 6 & 63];
	}
	out[o] = '\0';
	return (int)o;
}

static int
b64_val(char c)
{
	const char *p = c != '\0' ? strchr(b64, c) : NULL;

	return p != NULL ? (int)(p - b64) : -1;
}

/* Strict base64url: no padding, no other byte, canonical trailing bits. -1 when not. */
static int
b64_decode(const char *s, size_t n, unsigned char *out, size_t outsz,
    size_t *outlen)
{
	size_t	 i, o = 0;
	unsigned v = 0;
	int	 bits = 0, d;

	if (n % 4 == 1)
		return -1;
	for (i = 0; i < n; i++) {
		if ((d = b64_val(s[i])) < 0)
			return -1;
		v = (v << 6 | (unsigned)d) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= outsz)
				return -1;
			out[o++] = (unsigned char)(v >> bits);
		}
	}
	/* What is left over must be zero bits: one encoding per value. */
	if (bits > 0 && (v & ((1u << bits) - 1)) != 0)
		return -1;
	*outlen = o;
	return 0;
}

/* A GUID exactly as guid_parse writes one (lower case, 8-4-4-4-12): no other spelling is ours. */
static int
is_guid(const char *s, size_t n)
{
	char g[GUID_LEN + 1];

	return n == GUID_LEN && guid_parse(s, n, g) == 0 &&
	    memcmp(g, s, GUID_LEN) == 0;
}

static int
is_outcome(const char *s, size_t n)
{
	size_t i;

	if (n > RECENT_OUTCOME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
			return 0;
	return 1;
}

/* One item "customer.tracking.outcome" of n bytes; -1 when malformed. */
static int
read_item(const char *s, size_t n, struct recent_item *it)
{
	if (n < 2 * GUID_LEN + 2 || s[GUID_LEN] != '.' ||
	    s[2 * GUID_LEN + 1] != '.' || !is_guid(s, GUID_LEN) ||
	    !is_guid(s + GUID_LEN + 1, GUID_LEN) ||
	    !is_outcome(s + 2 * GUID_LEN + 2, n - 2 * GUID_LEN - 2))
		return -1;
	memcpy(it->customer, s, GUID_LEN);
	it->customer[GUID_LEN] = '\0';
	memcpy(it->tracking, s + GUID_LEN + 1, GUID_LEN);
	it->tracking[GUID_LEN] = '\0';
	memcpy(it->outcome, s + 2 * GUID_LEN + 2, n - 2 * GUID_LEN - 2);
	it->outcome[n - 2 * GUID_LEN - 2] = '\0';
	return 0;
}

/* The first bs_recent value of a Cookie header; NULL when there is none. */
static const char *
find_cookie(const char *h, size_t *len)
{
	const char	*p = h, *v, *end;
	size_t		 nl = strlen(RECENT_COOKIE);

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) > nl && strncmp(p, RECENT_COOKIE, nl) == 0 &&
		    p[nl] == '=') {
			v = p + nl + 1;
			*len = (size_t)(end - v);
			while (*len > 0 && (v[*len - 1] == ' ' || v[*len - 1] == '\t'))
				(*len)--;
			if (*len >= 2 && v[0] == '"' && v[*len - 1] == '"') {
				v++;
				*len -= 2;
			}
			return v;
		}
		p = *end != '\0' ? end + 1 : end;
	}
	return NULL;
}

int
recent_read(const char *cookie, const struct seal_key *key, struct recent *r)
{
	unsigned char	 raw[RECENT_VALUE_MAX];
	const void	*payload;
	const char	*v, *p, *end, *sep;
	size_t		 len, rawlen, plen, i;

	memset(r, 0, sizeof(*r));
	if (cookie == NULL || (v = find_cookie(cookie, &len)) == NULL ||
	    len == 0 || len > RECENT_VALUE_MAX ||
	    b64_decode(v, len, raw, sizeof(raw), &rawlen) == -1 ||
	    unseal(key, RECENT_COOKIE, raw, rawlen, &payload, &plen) == -1)
		return -1;
	p = payload;
	end = p + plen;
	while (p < end) {
		sep = memchr(p, '~', (size_t)(end - p));
		if (sep == NULL)
			sep = end;
		if (r->n == RECENT_MAX ||
		    read_item(p, (size_t)(sep - p), &r->items[r->n]) == -1)
			goto bad;
		/* The same pair twice is no list this server wrote. */
		for (i = 0; i < r->n; i++)
			if (strcmp(r->items[i].customer,
			    r->items[r->n].customer) == 0 &&
			    strcmp(r->items[i].tracking,
			    r->items[r->n].tracking) == 0)
				goto bad;
		r->n++;
		p = sep + 1;
		if (sep + 1 == end)
			goto bad;	/* a trailing separator */
	}
	return 0;
bad:
	memset(r, 0, sizeof(*r));
	return -1;
}

void
recent_remove(struct recent *r, const char *customer, const char *tracking)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->items[i].customer, customer) == 0 &&
		    strcmp(r->items[i].tracking, tracking) == 0) {
			memmove(&r->items[i], &r->items[i + 1],
			    (r->n - i - 1) * sizeof(r->items[0]));
			r->n--;
			return;
		}
}

int
recent_add(struct recent *r, const char *customer, const char *tracking,
    const char *outcome)
{
	struct recent_item it;

	if (!is_guid(customer, strlen(customer)) ||
	    !is_guid(tracking, strlen(tracking)) ||
	    !is_outcome(outcome, strlen(outcome)))
		return -1;
	memset(&it, 0, sizeof(it));
	memcpy(it.customer, customer, GUID_LEN);
	memcpy(it.tracking, tracking, GUID_LEN);
	memcpy(it.outcome, outcome, strlen(outcome));
	recent_remove(r, customer, tracking);
	if (r->n == RECENT_MAX)
		r->n--;
	memmove(&r->items[1], &r->items[0], r->n * sizeof(r->items[0]));
	r->items[0] = it;
	r->n++;
	return 0;
}

int
recent_write(const struct recent *r, const struct seal_key *key, char *out,
    size_t outsz)
{
	struct buf	 payload, sealed;
	size_t		 i;
	int		 n = -1;

	buf_init(&payload);
	buf_init(&sealed);
	for (i = 0; i < r->n; i++)
		buf_printf(&payload, "%s%s.%s.%s", i > 0 ? "~" : "",
		    r->items[i].customer, r->items[i].tracking,
		    r->items[i].outcome);
	if (!payload.failed && seal(key, RECENT_COOKIE, payload.len > 0 ?
	    payload.data : "", payload.len, &sealed) == 0 && !sealed.failed)
		n = b64_encode((const unsigned char *)sealed.data, sealed.len,
		    out, outsz < RECENT_VALUE_MAX + 1 ? outsz :
		    RECENT_VALUE_MAX + 1);
	buf_free(&payload);
	buf_free(&sealed);
	return n;
}

int
recent_key_load_or_create(const char *path, struct seal_key *key, char *err,
    size_t errsz)
{
	unsigned char	 rnd[32];
	char		 hex[2 * sizeof(rnd) + 2];
	size_t		 i;
	int		 fd;

	if (access(path, F_OK) == 0 || errno != ENOENT)
		return seal_key_load(path, key, err, errsz);
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		snprintf(err, errsz, "%s: no random bytes for a new key", path);
		return -1;
	}
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	hex[2 * sizeof(rnd)] = '\n';
	hex[2 * sizeof(rnd) + 1] = '\0';
	explicit_bzero(rnd, sizeof(rnd));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1 && errno != EEXIST) {
		explicit_bzero(hex, sizeof(hex));
		snprintf(err, errsz, "%s: cannot make the key: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fd != -1) {
		if (write(fd, hex, strlen(hex)) != (ssize_t)strlen(hex)) {
			close(fd);
			unlink(path);
			explicit_bzero(hex, sizeof(hex));
			snprintf(err, errsz, "%s: cannot write the key", path);
			return -1;
		}
		close(fd);
	}
	explicit_bzero(hex, sizeof(hex));
	/* Made now, or by another node a moment before: read as any key file. */
	return seal_key_load(path, key, err, errsz);
}
