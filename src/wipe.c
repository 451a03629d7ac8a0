/* wipe.c: zero, then free: the one way memory that held a secret is given back. */
#include "wipe.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"

void
wipe_free(void *p, size_t n)
{
	if (p == NULL)
		return;
	/* explicit_bzero, not memset: the compiler may drop a store to memory about to be freed. */
	explicit_bzero(p, n);
	free(p);
}

void
wipe_str(char *s)
{
	if (s != NULL)
		wipe_free(s, strlen(s));
}

void
wipe_buf(struct buf *b)
{
	if (b->data != NULL)
		explicit_bzero(b->data, b->cap);
	buf_free(b);
}
