/* text.h: small byte and character helpers shared across the server. */
#ifndef BATCHSTATUS_TEXT_H
#define BATCHSTATUS_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a, 64 bits: cheap, for hash tables and ETags (not for anything secret). */
static inline uint64_t
hash_bytes(const void *p, size_t n)
{
	const unsigned char	*b = p;
	uint64_t		 h = 1469598103934665603ULL;
	size_t			 i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

/* The value of a hex digit in either case, or -1. */
static inline int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
