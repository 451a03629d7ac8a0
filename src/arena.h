/* arena.h: the bump allocator the models keep their strings in: chunks only added, one free for all, and the last chunk shrunk to what it holds. */
#ifndef BATCHSTATUS_ARENA_H
#define BATCHSTATUS_ARENA_H

#include <stddef.h>

#define ARENA_CHUNK	65536	/* a chunk's room, unless one allocation needs more */

struct chunk {
	struct chunk	*next;
	size_t		 used, cap;
	char		 data[];
};

/* n bytes (8-aligned) from the newest chunk of *arena, or a new one at its head; NULL when out of memory. */
void		*arena_alloc(struct chunk **arena, size_t n);
/* Frees c and every chunk after it. */
void		 arena_free(struct chunk *c);
/*
 * A copy of c holding just what it uses (same next), when c leaves at
 * least 256 bytes unused and memory allows; else NULL. The caller
 * repoints what points into c (arena_repoint), then frees c alone.
 */
struct chunk	*arena_shrunk(const struct chunk *c);
/* Points *s, if it lies in from, at the same place in to. */
void		 arena_repoint(const char **s, const struct chunk *from,
		    struct chunk *to);

#endif
