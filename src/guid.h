/* guid.h: GUIDs as the project uses them: parsed, normalised, generated, and read out of Location values. */
#ifndef BATCHSTATUS_GUID_H
#define BATCHSTATUS_GUID_H

#include <stddef.h>

#define GUID_LEN	36	/* 8-4-4-4-12 hex digits and dashes, no braces */

/*
 * Parses a GUID from s[0..len): surrounding spaces/tabs and one pair of
 * braces are allowed, hex digits in either case. Writes the lower-case
 * canonical form and a NUL to out. Returns 0, or -1 when it is not a GUID.
 */
int	guid_parse(const char *s, size_t len, char out[GUID_LEN + 1]);

/*
 * Parses an upload's Location value: "/customers/{c}/batchJobStatus/{t}",
 * optionally behind "http(s)://host" and/or "/v1", any letter case in
 * the fixed words, an optional trailing slash. Returns 0 with both GUIDs
 * canonical, or -1.
 */
int	guid_parse_location(const char *s, size_t len,
	    char customer[GUID_LEN + 1], char tracking[GUID_LEN + 1]);

/* Writes a fresh random (version 4) GUID. */
void	guid_new(char out[GUID_LEN + 1]);

#endif
