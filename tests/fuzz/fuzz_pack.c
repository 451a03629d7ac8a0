/*
 * fuzz_pack.c: libFuzzer harness for the compact form nodes share through
 * Redis (unpack_batch): what another node (or whoever writes to Redis)
 * put there. Invariant (abort when broken): an input that unpacks packs
 * back to exactly the same bytes, with at most 1000 devices here and every
 * string intact (no NUL inside, valid UTF-8: pack.c checks). Seeds:
 * tests/fuzz/corpus/pack/. Run: `make fuzz`.
 */
#include "fuzz.h"

#include "buf.h"
#include "pack.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct batch	 b;
	struct buf	 out;

	if (unpack_batch(data, size, 1000, &b) == -1)
		return 0;
	FUZZ_CHECK(b.ndevices <= 1000);
	buf_init(&out);
	FUZZ_CHECK(pack_batch(&b, &out) == 0);
	FUZZ_CHECK(out.len == size && memcmp(out.data, data, size) == 0);
	buf_free(&out);
	batch_free(&b);
	return 0;
}
