/*
 * An arena: many small allocations that end together, freed at once.  A
 * page's template variables are a few thousand names and values built for
 * one rendering; one malloc and free each cost a page more than its
 * rendering did.  The arena hands out memory from blocks of ARENA_BLOCK
 * bytes (a larger request gets a block of its own) and frees the blocks in
 * arena_release.  Under AddressSanitizer every allocation is a block of
 * its own, so that an overflow is still caught.
 */
#ifndef IMAPEEK_ARENA_H
#define IMAPEEK_ARENA_H

#include <stddef.h>

#define ARENA_BLOCK 8192

struct arena_block;

struct arena {
	struct arena_block *blocks;  /* newest (the one in use) first */
	struct arena_block *large;   /* allocations with a block each */
	char *next;                  /* free space in the newest block */
	size_t left;
};

#define ARENA_INIT { NULL, NULL, NULL, 0 }

/* size bytes aligned for any type, uninitialised; never NULL. */
void *arena_alloc(struct arena *arena, size_t size);
/* size zeroed bytes. */
void *arena_zalloc(struct arena *arena, size_t size);
/* A copy of the first len bytes of s, NUL-terminated. */
char *arena_strndup(struct arena *arena, const char *s, size_t len);
char *arena_strdup(struct arena *arena, const char *s);
/* Frees every allocation; the arena is empty and usable again. */
void arena_release(struct arena *arena);

#endif
