#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#if defined(__SANITIZE_ADDRESS__)
#define ARENA_EACH_ITS_OWN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_EACH_ITS_OWN 1
#endif
#endif

struct arena_block {
	struct arena_block *next;
	max_align_t data[];
};

#define ALIGN (sizeof(max_align_t))
/* Larger requests get a block of their own. */
#define LARGE (ARENA_BLOCK / 4)

static struct arena_block *new_block(struct arena_block **list, size_t size)
{
	struct arena_block *block;

	if (size > SIZE_MAX - sizeof(*block))
		size = SIZE_MAX - sizeof(*block);   /* xmalloc fails it */
	block = xmalloc(sizeof(*block) + size);
	block->next = *list;
	*list = block;
	return block;
}

void *arena_alloc(struct arena *arena, size_t size)
{
	struct arena_block *block;
	size_t rounded;
	void *p;

	if (size == 0)
		size = 1;
#ifdef ARENA_EACH_ITS_OWN
	rounded = LARGE + 1;
#else
	rounded = size > LARGE ? size : (size + ALIGN - 1) & ~(ALIGN - 1);
#endif
	if (rounded > LARGE)
		return new_block(&arena->large, size)->data;
	if (rounded > arena->left) {
		block = new_block(&arena->blocks, ARENA_BLOCK);
		arena->next = (char *)block->data;
		arena->left = ARENA_BLOCK;
	}
	p = arena->next;
	arena->next += rounded;
	arena->left -= rounded;
	return p;
}

void *arena_zalloc(struct arena *arena, size_t size)
{
	void *p = arena_alloc(arena, size);

	memset(p, 0, size ? size : 1);
	return p;
}

char *arena_strndup(struct arena *arena, const char *s, size_t len)
{
	char *copy;

	if (len == SIZE_MAX)
		len--;
	copy = arena_alloc(arena, len + 1);
	if (len)
		memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

char *arena_strdup(struct arena *arena, const char *s)
{
	return arena_strndup(arena, s, strlen(s));
}

static void free_blocks(struct arena_block **list)
{
	while (*list) {
		struct arena_block *block = *list;
		*list = block->next;
		free(block);
	}
}

void arena_release(struct arena *arena)
{
	free_blocks(&arena->blocks);
	free_blocks(&arena->large);
	arena->next = NULL;
	arena->left = 0;
}
