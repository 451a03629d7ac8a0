/* test_wipe.c: memory that held a secret is zeroed before it is given back, whatever held it; NULL is fine. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "t.h"
#include "wipe.h"

/* What a wipe leaves cannot be read after the free it ends with; valgrind and ASan (make test-asan) see a leak or a double free. */
static void
test_null_is_fine(void)
{
	struct buf b;

	char *s = strdup("secret-token");

	wipe_free(NULL, 10);
	wipe_str(NULL);
	wipe_str(s);
	buf_init(&b);
	wipe_buf(&b);
	CHECK(b.data == NULL && b.len == 0);
}

/* A buffer's whole allocation, not only its length, and it is empty again after. */
static void
test_a_buffer_is_emptied(void)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "refresh-token-value");
	buf_reset(&b);
	buf_puts(&b, "x");
	wipe_buf(&b);
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
	buf_puts(&b, "again");
	CHECK_STR(b.data, "again");
	buf_free(&b);
}

int
main(void)
{
	T_RUN(test_null_is_fine);
	T_RUN(test_a_buffer_is_emptied);
	return t_done("test_wipe");
}
