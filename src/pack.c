/* pack.c: the compact form: a magic, counts and times, then every string as a 32-bit length and its bytes, all little-endian. */
#include "pack.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#define MAGIC		"BSP1"
#define NTOP		4	/* tracking_id, status, started_raw, completed_raw */
#define NDEV		6	/* the strings of a device */

static void
put_u32(struct buf *out, uint32_t v)
{
	unsigned char b[4] = { (unsigned char)v, (unsigned char)(v >> 8),
	    (unsigned char)(v >> 16), (unsigned char)(v >> 24) };

	buf_append(out, b, 4);
}

static void
put_u64(struct buf *out, uint64_t v)
{
	put_u32(out, (uint32_t)v);
	put_u32(out, (uint32_t)(v >> 32));
}

static void
put_str(struct buf *out, const char *s)
{
	size_t n = strlen(s);

	put_u32(out, (uint32_t)n);
	buf_append(out, s, n);
}

static const char **
dev_field(struct device *d, int i)
{
	const char **f[NDEV] = { &d->device_id, &d->serial_number,
	    &d->product_key, &d->status, &d->error_code, &d->error_description };

	return f[i];
}

int
pack_batch(const struct batch *b, struct buf *out)
{
	size_t	i;
	int	k;

	buf_append(out, MAGIC, 4);
	put_u32(out, (uint32_t)b->ndevices);
	put_u32(out, (uint32_t)b->nskipped);
	put_u32(out, (uint32_t)((b->has_started ? 1 : 0) |
	    (b->has_completed ? 2 : 0)));
	put_u64(out, (uint64_t)b->started);
	put_u64(out, (uint64_t)b->completed);
	put_u64(out, (uint64_t)b->fetched_at);
	put_str(out, b->tracking_id);
	put_str(out, b->status);
	put_str(out, b->started_raw);
	put_str(out, b->completed_raw);
	for (i = 0; i < b->ndevices; i++)
		for (k = 0; k < NDEV; k++)
			put_str(out, *dev_field(&b->devices[i], k));
	return out->failed ? -1 : 0;
}

struct rd {
	const unsigned char	*p;
	size_t			 left;
};

static int
get_u32(struct rd *r, uint32_t *v)
{
	if (r->left < 4)
		return -1;
	*v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 |
	    (uint32_t)r->p[2] << 16 | (uint32_t)r->p[3] << 24;
	r->p += 4;
	r->left -= 4;
	return 0;
}

static int
get_u64(struct rd *r, uint64_t *v)
{
	uint32_t lo, hi;

	if (get_u32(r, &lo) == -1 || get_u32(r, &hi) == -1)
		return -1;
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

/* The next string: checked here, copied into the arena by copy_str. */
static int
get_str(struct rd *r, const unsigned char **s, uint32_t *n)
{
	if (get_u32(r, n) == -1 || *n > r->left)
		return -1;
	*s = r->p;
	if (memchr(*s, '\0', *n) != NULL || !utf8_valid(*s, *n))
		return -1;
	r->p += *n;
	r->left -= *n;
	return 0;
}

/* Every string's bytes and NULs: one pass to size the arena, one to fill it. */
static int
walk(struct rd r, size_t nstr, size_t *bytes)
{
	const unsigned char	*s;
	uint32_t		 n;
	size_t			 i;

	*bytes = 0;
	for (i = 0; i < nstr; i++) {
		if (get_str(&r, &s, &n) == -1)
			return -1;
		*bytes += (size_t)n + 1;
	}
	return r.left == 0 ? 0 : -1;
}

static const char *
take(struct rd *r, char **arena)
{
	const unsigned char	*s;
	uint32_t		 n;
	char			*out = *arena;

	(void)get_str(r, &s, &n);	/* walk checked it */
	memcpy(out, s, n);
	out[n] = '\0';
	*arena += n + 1;
	return out;
}

int
unpack_batch(const void *data, size_t len, size_t max_devices,
    struct batch *out)
{
	struct rd	 r = { data, len };
	uint32_t	 ndev, nskip, flags;
	uint64_t	 started, completed, fetched;
	size_t		 bytes, i;
	char		*a;
	int		 k;

	memset(out, 0, sizeof(*out));
	if (len < 4 || memcmp(data, MAGIC, 4) != 0)
		return -1;
	r.p += 4;
	r.left -= 4;
	if (get_u32(&r, &ndev) == -1 || get_u32(&r, &nskip) == -1 ||
	    get_u32(&r, &flags) == -1 || flags > 3 ||
	    get_u64(&r, &started) == -1 || get_u64(&r, &completed) == -1 ||
	    get_u64(&r, &fetched) == -1 || ndev > max_devices ||
	    (size_t)ndev > r.left / (NDEV * 4))
		return -1;
	if (walk(r, NTOP + (size_t)ndev * NDEV, &bytes) == -1)
		return -1;
	if (ndev > 0 && (out->devices = calloc(ndev, sizeof(*out->devices))) ==
	    NULL)
		return -1;
	if ((a = batch_arena(out, bytes)) == NULL) {
		batch_free(out);
		return -1;
	}
	out->ndevices = ndev;
	out->nskipped = nskip;
	out->has_started = (flags & 1) != 0;
	out->has_completed = (flags & 2) != 0;
	out->started = (int64_t)started;
	out->completed = (int64_t)completed;
	out->fetched_at = (int64_t)fetched;
	out->bytes += (size_t)ndev * sizeof(*out->devices);
	out->tracking_id = take(&r, &a);
	out->status = take(&r, &a);
	out->started_raw = take(&r, &a);
	out->completed_raw = take(&r, &a);
	for (i = 0; i < ndev; i++)
		for (k = 0; k < NDEV; k++)
			*dev_field(&out->devices[i], k) = take(&r, &a);
	return 0;
}

int
pack_entry(const struct batch *b, uint64_t hash, struct buf *out)
{
	put_u64(out, hash);
	return pack_batch(b, out);
}

int
unpack_entry(const void *data, size_t len, size_t max_devices,
    struct batch *out, uint64_t *hash)
{
	struct rd r = { data, len };

	memset(out, 0, sizeof(*out));
	if (get_u64(&r, hash) == -1)
		return -1;
	return unpack_batch(r.p, r.left, max_devices, out);
}
