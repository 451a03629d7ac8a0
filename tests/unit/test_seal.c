/* test_seal.c: a sealed entry opens only with the same key and name, and not after a single bit changes. */
#include <stdlib.h>
#include <string.h>

#include "seal.h"
#include "t.h"

#define NAME	"batchstatus:b:c/t"

static void
key_of(struct seal_key *k, char c)
{
	memset(k, 0, sizeof(*k));
	memset(k->bytes, c, 32);
	k->len = 32;
}

/* "payload" sealed under NAME with key 'k' into out (buf_free it). */
static void
sealed(struct seal_key *k, struct buf *out)
{
	key_of(k, 'k');
	buf_init(out);
	CHECK(seal(k, NAME, "payload", 7, out) == 0);
}

static void
test_an_entry_opens_with_its_key_and_name(void)
{
	struct seal_key	 k;
	struct buf	 out;
	const void	*p;
	size_t		 n;

	sealed(&k, &out);
	CHECK(out.len == 4 + 32 + 7);
	CHECK(unseal(&k, NAME, out.data, out.len, &p, &n) == 0);
	CHECK(n == 7 && memcmp(p, "payload", 7) == 0);
	buf_free(&out);
}

/* Another batch's name, another key, a cut: refused. */
static void
test_another_name_another_key_or_a_cut_is_refused(void)
{
	struct seal_key	 k, other;
	struct buf	 out;
	const void	*p;
	size_t		 n;

	sealed(&k, &out);
	key_of(&other, 'o');
	CHECK(unseal(&k, "batchstatus:b:c/u", out.data, out.len, &p, &n) == -1);
	CHECK(unseal(&other, NAME, out.data, out.len, &p, &n) == -1);
	CHECK(unseal(&k, NAME, out.data, out.len - 1, &p, &n) == -1);
	CHECK(unseal(&k, NAME, out.data, 10, &p, &n) == -1);
	buf_free(&out);
}

static void
test_any_one_bit_flipped_in_an_entry_is_refused(void)
{
	struct seal_key	 k;
	struct buf	 out;
	const void	*p;
	size_t		 n, i;
	char		 copy[256];

	sealed(&k, &out);
	for (i = 0; i < out.len * 8; i++) {
		memcpy(copy, out.data, out.len);
		copy[i / 8] ^= (char)(1 << (i % 8));
		CHECK(unseal(&k, NAME, copy, out.len, &p, &n) == -1);
	}
	buf_free(&out);
}

/* Secrets: opened with the same key and name only, and not readable in the entry. */
static void
test_a_secret_opens_with_its_key_and_name_only(void)
{
	struct seal_key	 k, other;
	struct buf	 out;
	char		*plain;
	size_t		 pl;

	key_of(&k, 'k');
	key_of(&other, 'o');
	buf_init(&out);
	CHECK(seal_secret(&k, "batchstatus:token", "eyJ0b2tlbg", 10, &out) == 0);
	CHECK(memmem(out.data, out.len, "eyJ0b2tlbg", 10) == NULL);
	CHECK(unseal_secret(&k, "batchstatus:token", out.data, out.len,
	    &plain, &pl) == 0 && pl == 10 && strcmp(plain, "eyJ0b2tlbg") == 0);
	free(plain);
	CHECK(unseal_secret(&other, "batchstatus:token", out.data, out.len,
	    &plain, &pl) == -1);
	CHECK(unseal_secret(&k, "batchstatus:refresh", out.data, out.len,
	    &plain, &pl) == -1);
	buf_free(&out);
}

static void
test_any_one_bit_flipped_in_a_secret_is_refused(void)
{
	struct seal_key	 k;
	struct buf	 out;
	char		*plain, copy[256];
	size_t		 pl, i;

	key_of(&k, 'k');
	buf_init(&out);
	CHECK(seal_secret(&k, "batchstatus:token", "eyJ0b2tlbg", 10, &out) == 0);
	for (i = 0; i < out.len * 8; i++) {
		memcpy(copy, out.data, out.len);
		copy[i / 8] ^= (char)(1 << (i % 8));
		CHECK(unseal_secret(&k, "batchstatus:token", copy, out.len,
		    &plain, &pl) == -1);
	}
	buf_free(&out);
}

/* A fresh nonce: the same secret twice seals differently. */
static void
test_the_same_secret_twice_seals_differently(void)
{
	struct seal_key	 k;
	struct buf	 out, again;

	key_of(&k, 'k');
	buf_init(&out);
	buf_init(&again);
	CHECK(seal_secret(&k, "batchstatus:token", "eyJ0b2tlbg", 10, &out) == 0);
	CHECK(seal_secret(&k, "batchstatus:token", "eyJ0b2tlbg", 10,
	    &again) == 0);
	CHECK(again.len == out.len && memcmp(again.data, out.data,
	    out.len) != 0);
	buf_free(&again);
	buf_free(&out);
}

/* No key: nothing is sealed. */
static void
test_a_wiped_key_seals_nothing(void)
{
	struct seal_key	 k;
	struct buf	 out;

	key_of(&k, 'k');
	buf_init(&out);
	seal_key_wipe(&k);
	CHECK(k.len == 0 && seal(&k, "x", "y", 1, &out) == -1);
	buf_free(&out);
}

int
main(void)
{
	T_RUN(test_an_entry_opens_with_its_key_and_name);
	T_RUN(test_another_name_another_key_or_a_cut_is_refused);
	T_RUN(test_any_one_bit_flipped_in_an_entry_is_refused);
	T_RUN(test_a_secret_opens_with_its_key_and_name_only);
	T_RUN(test_any_one_bit_flipped_in_a_secret_is_refused);
	T_RUN(test_the_same_secret_twice_seals_differently);
	T_RUN(test_a_wiped_key_seals_nothing);
	return t_done("test_seal");
}
