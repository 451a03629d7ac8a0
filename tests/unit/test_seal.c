/* test_seal.c: a sealed entry opens only with the same key and name, and not after a single bit changes. */
#include <stdlib.h>
#include <string.h>

#include "seal.h"
#include "t.h"

static void
key_of(struct seal_key *k, char c)
{
	memset(k, 0, sizeof(*k));
	memset(k->bytes, c, 32);
	k->len = 32;
}

int
main(void)
{
	struct seal_key	 k, other;
	struct buf	 out;
	const void	*p;
	size_t		 n, i;
	char		 copy[256];

	key_of(&k, 'k');
	key_of(&other, 'o');
	buf_init(&out);
	CHECK(seal(&k, "batchstatus:b:c/t", "payload", 7, &out) == 0);
	CHECK(out.len == 4 + 32 + 7);
	CHECK(unseal(&k, "batchstatus:b:c/t", out.data, out.len, &p, &n) == 0);
	CHECK(n == 7 && memcmp(p, "payload", 7) == 0);
	/* Another batch's name, another key, a cut: refused. */
	CHECK(unseal(&k, "batchstatus:b:c/u", out.data, out.len, &p, &n) == -1);
	CHECK(unseal(&other, "batchstatus:b:c/t", out.data, out.len, &p, &n) == -1);
	CHECK(unseal(&k, "batchstatus:b:c/t", out.data, out.len - 1, &p, &n) == -1);
	CHECK(unseal(&k, "batchstatus:b:c/t", out.data, 10, &p, &n) == -1);
	/* Any one bit flipped anywhere: refused. */
	for (i = 0; i < out.len * 8; i++) {
		memcpy(copy, out.data, out.len);
		copy[i / 8] ^= (char)(1 << (i % 8));
		CHECK(unseal(&k, "batchstatus:b:c/t", copy, out.len, &p, &n) == -1);
	}
	/* Secrets: opened with the same key and name only, and not readable in the entry. */
	buf_reset(&out);
	CHECK(seal_secret(&k, "batchstatus:token", "eyJ0b2tlbg", 10, &out) == 0);
	CHECK(memmem(out.data, out.len, "eyJ0b2tlbg", 10) == NULL);
	{
		char	*plain;
		size_t	 pl;
		struct buf again;

		CHECK(unseal_secret(&k, "batchstatus:token", out.data, out.len,
		    &plain, &pl) == 0 && pl == 10 && strcmp(plain, "eyJ0b2tlbg") == 0);
		free(plain);
		CHECK(unseal_secret(&other, "batchstatus:token", out.data, out.len,
		    &plain, &pl) == -1);
		CHECK(unseal_secret(&k, "batchstatus:refresh", out.data, out.len,
		    &plain, &pl) == -1);
		for (i = 0; i < out.len * 8; i++) {
			memcpy(copy, out.data, out.len);
			copy[i / 8] ^= (char)(1 << (i % 8));
			CHECK(unseal_secret(&k, "batchstatus:token", copy, out.len,
			    &plain, &pl) == -1);
		}
		/* A fresh nonce: the same secret twice seals differently. */
		buf_init(&again);
		CHECK(seal_secret(&k, "batchstatus:token", "eyJ0b2tlbg", 10,
		    &again) == 0);
		CHECK(again.len == out.len && memcmp(again.data, out.data,
		    out.len) != 0);
		buf_free(&again);
	}
	/* No key: nothing is sealed. */
	seal_key_wipe(&k);
	CHECK(k.len == 0 && seal(&k, "x", "y", 1, &out) == -1);
	buf_free(&out);
	return t_done("test_seal");
}
