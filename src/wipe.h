/* wipe.h: giving back memory that held a secret (a token, a password, a form or a sealed entry with one): zeroed first, so no copy lingers in the freed heap. */
#ifndef BATCHSTATUS_WIPE_H
#define BATCHSTATUS_WIPE_H

#include <stddef.h>

struct buf;

/* Zeroes the n bytes at p, then frees p; NULL is fine. */
void	wipe_free(void *p, size_t n);
/* The same for a NUL-terminated string: its bytes, then it; NULL is fine. */
void	wipe_str(char *s);
/* Zeroes a buffer's whole allocation, not only its length, then frees it (buf_free). */
void	wipe_buf(struct buf *);

#endif
