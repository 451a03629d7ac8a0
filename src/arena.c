/* arena.c: the bump allocator of batch.c and directory.c: strings never move once made, and one free lets go of a whole model. */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *
arena_alloc(struct chunk **arena, size_t n)
{
	struct chunk	*c = *arena;
	size_t		 cap;
	void		*p;

	if (n > SIZE_MAX / 2)
		return NULL;
	n = (n + 7) & ~(size_t)7;
	if (c == NULL || c->cap - c->used < n) {
		cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		if ((c = malloc(sizeof(*c) + cap)) == NULL)
			return NULL;
		c->next = *arena;
		c->used = 0;
		c->cap = cap;
		*arena = c;
	}
	p = c->data + c->used;
	c->used += n;
	return p;
}

void
arena_free(struct chunk *c)
{
	struct chunk *next;

	for (; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
}

struct chunk *
arena_shrunk(const struct chunk *c)
{
	struct chunk *n;

	if (c == NULL || c->cap - c->used < 256 ||
	    (n = malloc(sizeof(*n) + c->used)) == NULL)
		return NULL;
	n->next = c->next;
	n->used = n->cap = c->used;
	memcpy(n->data, c->data, c->used);
	return n;
}

void
arena_repoint(const char **s, const struct chunk *from, struct chunk *to)
{
	uintptr_t p = (uintptr_t)*s, base = (uintptr_t)from->data;

	if (p >= base && p < base + from->used)
		*s = to->data + (p - base);
}
