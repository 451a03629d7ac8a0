/* test_arena.c: the models' bump allocator: strings stay put, big ones get a chunk of their own, the last chunk shrinks to what it holds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "t.h"

static void
test_allocations_are_aligned_and_stay_put(void)
{
	struct chunk	*a = NULL;
	char		*p, *q;
	int		 i, all = 1;

	CHECK((p = arena_alloc(&a, 5)) != NULL);
	memcpy(p, "abcd", 5);
	for (i = 0; i < 20000; i++)
		all &= (q = arena_alloc(&a, 13)) != NULL &&
		    ((uintptr_t)q & 7) == 0;
	CHECK(all);
	CHECK_STR(p, "abcd");
	CHECK(a->next != NULL);		/* more than one chunk by now */
	arena_free(a);
}

static void
test_a_large_allocation_gets_its_own_chunk(void)
{
	struct chunk *a = NULL;

	CHECK(arena_alloc(&a, ARENA_CHUNK * 2) != NULL);
	CHECK(a->cap >= ARENA_CHUNK * 2 && a->next == NULL);
	CHECK(arena_alloc(&a, (size_t)-1) == NULL);
	arena_free(a);
}

static void
test_shrunk_copies_what_is_used_and_repoints(void)
{
	struct chunk	*a = NULL, *n;
	const char	*s, *outside = "elsewhere";
	char		*p;

	p = arena_alloc(&a, 6);
	memcpy(p, "hello", 6);
	s = p;
	CHECK((n = arena_shrunk(a)) != NULL);
	CHECK(n->used == a->used && n->cap == a->used && n->next == a->next);
	arena_repoint(&s, a, n);
	arena_repoint(&outside, a, n);
	CHECK(s == n->data && strcmp(s, "hello") == 0);
	CHECK_STR(outside, "elsewhere");
	free(a);
	/* Nothing to gain from a chunk that is full. */
	CHECK(arena_shrunk(n) == NULL);
	CHECK(arena_shrunk(NULL) == NULL);
	arena_free(n);
}

int
main(void)
{
	T_RUN(test_allocations_are_aligned_and_stay_put);
	T_RUN(test_a_large_allocation_gets_its_own_chunk);
	T_RUN(test_shrunk_copies_what_is_used_and_repoints);
	return t_done("test_arena");
}
