/* buf.h: a growable byte buffer, the one way the project builds output. */
#ifndef BATCHSTATUS_BUF_H
#define BATCHSTATUS_BUF_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct buf {
	char	*data;	/* always NUL-terminated when non-NULL */
	size_t	 len;
	size_t	 cap;
	int	 failed;	/* set once an allocation failed; later appends are no-ops */
};

void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);
int	 buf_append(struct buf *, const void *, size_t);
int	 buf_puts(struct buf *, const char *);
int	 buf_putc(struct buf *, char);
int	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Makes room for more bytes at once (one allocation: what is in the buffer is not copied again). */
int	 buf_reserve(struct buf *, size_t more);
/* Appends s percent-encoded as a URL component (RFC 3986: only unreserved characters stay). */
int	 buf_put_escaped(struct buf *, const char *);
/* Hands the bytes over to the caller (who frees them); the buffer is empty after. */
char	*buf_steal(struct buf *, size_t *);

#ifdef __cplusplus
}
#endif

#endif
