/* test_buf.c: the byte buffer grows as needed, stays NUL-terminated, escapes URL parts, and a failure sticks until a reset. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "t.h"

/* Appends of every size: all bytes kept in order, a NUL after them, room to spare. */
static void
test_appends_grow_the_buffer_and_keep_every_byte(void)
{
	struct buf	 b;
	size_t		 i;
	int		 ok = 1;

	buf_init(&b);
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0 && !b.failed);
	for (i = 0; i < 100000; i++)
		if (buf_putc(&b, (char)('a' + i % 26)) != 0)
			ok = 0;
	CHECK(ok && b.len == 100000 && b.cap > b.len && !b.failed);
	for (i = 0; i < b.len; i++)
		if (b.data[i] != (char)('a' + i % 26))
			ok = 0;
	CHECK(ok && b.data[b.len] == '\0');
	CHECK(buf_append(&b, "\0x", 2) == 0 && b.len == 100002);
	CHECK(b.data[100000] == '\0' && b.data[100001] == 'x' &&
	    b.data[100002] == '\0');	/* bytes, not a C string: a NUL is kept */
	buf_free(&b);
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
}

/* An empty append still gives a string; puts and printf append after what is there. */
static void
test_puts_and_printf_append(void)
{
	struct buf b;

	buf_init(&b);
	CHECK(buf_append(&b, "", 0) == 0 && b.data != NULL && b.data[0] == '\0');
	CHECK(buf_puts(&b, "devices: ") == 0);
	CHECK(buf_printf(&b, "%d of %s", 12, "3000") == 0);
	CHECK_STR(b.data, "devices: 12 of 3000");
	CHECK(b.len == strlen("devices: 12 of 3000"));
	/* Longer than the first block: printf makes its own room. */
	CHECK(buf_printf(&b, "%0600d", 7) == 0 && b.len == 19 + 600 &&
	    b.data[b.len - 1] == '7' && b.data[b.len] == '\0');
	buf_free(&b);
}

/* One reserve makes room once: appends within it do not move the bytes. */
static void
test_reserve_makes_room_once(void)
{
	struct buf	 b;
	char		*at;
	int		 i;

	buf_init(&b);
	CHECK(buf_reserve(&b, 10000) == 0 && b.cap >= 10001);
	at = b.data;
	for (i = 0; i < 1000; i++)
		buf_puts(&b, "0123456789");
	CHECK(b.data == at && b.len == 10000);
	buf_free(&b);
}

/* A failure sticks: every later append is refused and changes nothing, until a reset. */
static void
test_a_failure_sticks_until_a_reset(void)
{
	struct buf b;

	buf_init(&b);
	CHECK(buf_puts(&b, "kept") == 0);
	/* More than can ever be had: refused before any allocation is tried. */
	CHECK(buf_reserve(&b, SIZE_MAX / 2) == -1 && b.failed);
	CHECK(buf_puts(&b, "lost") == -1);
	CHECK(buf_putc(&b, 'x') == -1);
	CHECK(buf_append(&b, "y", 1) == -1);
	CHECK(buf_printf(&b, "%d", 42) == -1);
	CHECK(buf_put_escaped(&b, "z") == -1);
	CHECK(buf_reserve(&b, 1) == -1);
	CHECK(b.failed && b.len == 4);
	CHECK_STR(b.data, "kept");
	/* A reset empties it and clears the failure. */
	buf_reset(&b);
	CHECK(!b.failed && b.len == 0 && b.data[0] == '\0');
	CHECK(buf_puts(&b, "again") == 0);
	CHECK_STR(b.data, "again");
	buf_free(&b);
}

/* RFC 3986: letters, digits and -._~ stay; every other byte is %XX, upper case. */
static void
test_escaped_keeps_only_unreserved_characters(void)
{
	struct buf b;

	buf_init(&b);
	CHECK(buf_put_escaped(&b, "AZaz09-._~") == 0);
	CHECK_STR(b.data, "AZaz09-._~");
	buf_reset(&b);
	CHECK(buf_put_escaped(&b, "a b&c=d/e?f#g%h+\"<>") == 0);
	CHECK_STR(b.data, "a%20b%26c%3Dd%2Fe%3Ff%23g%25h%2B%22%3C%3E");
	buf_reset(&b);
	CHECK(buf_put_escaped(&b, "\xe6\x97\xa5\n") == 0);
	CHECK_STR(b.data, "%E6%97%A5%0A");
	buf_reset(&b);
	CHECK(buf_puts(&b, "q=") == 0 && buf_put_escaped(&b, "") == 0);
	CHECK_STR(b.data, "q=");
	buf_free(&b);
}

/* Stealing hands the bytes over; the buffer is empty and usable after. */
static void
test_steal_hands_the_bytes_over(void)
{
	struct buf	 b;
	char		*p;
	size_t		 n = 0;

	buf_init(&b);
	buf_puts(&b, "a batch");
	p = buf_steal(&b, &n);
	CHECK(p != NULL && n == 7 && strcmp(p, "a batch") == 0);
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
	CHECK(buf_puts(&b, "next") == 0);
	CHECK_STR(b.data, "next");
	free(p);
	buf_free(&b);
}

int
main(void)
{
	T_RUN(test_appends_grow_the_buffer_and_keep_every_byte);
	T_RUN(test_puts_and_printf_append);
	T_RUN(test_reserve_makes_room_once);
	T_RUN(test_a_failure_sticks_until_a_reset);
	T_RUN(test_escaped_keeps_only_unreserved_characters);
	T_RUN(test_steal_hands_the_bytes_over);
	return t_done("test_buf");
}
