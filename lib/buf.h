/*
 * Strings and memory: one owning growable buffer, one non-owning view.
 *
 * struct buf owns its bytes, is always NUL-terminated (so .p can be handed
 * to C string functions when no NUL is embedded) and may hold embedded NULs.
 * struct str is a view into memory somebody else owns (parser output, a
 * buffer, a literal).  Allocation failure aborts: there is nothing useful a
 * web gateway can do half-way through a request without memory.
 */
#ifndef IMAPEEK_BUF_H
#define IMAPEEK_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))
/* A result that must be looked at: a writer's (-1: the output is not whole). */
#define MUST_CHECK __attribute__((warn_unused_result))

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t len);
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);

struct buf {
	char *p;
	size_t len, cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_init(struct buf *b);
void buf_release(struct buf *b);
/* Make room for at least extra more bytes (plus the NUL). */
void buf_grow(struct buf *b, size_t extra);
void buf_reset(struct buf *b);
void buf_truncate(struct buf *b, size_t len);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_addstr(struct buf *b, const char *s);
/* Inline: the byte-at-a-time writers (escapers, decoders) live on it. */
static inline void buf_addch(struct buf *b, char c)
{
	if (b->len + 2 > b->cap)
		buf_grow(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}
void buf_addf(struct buf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
void buf_vaddf(struct buf *b, const char *fmt, va_list ap) PRINTF_LIKE(2, 0);
/* Remove the first len bytes. */
void buf_consume(struct buf *b, size_t len);
/* Hand the bytes over to the caller, who frees them; b is empty after. */
char *buf_detach(struct buf *b, size_t *len);
/* Always a valid C string, "" for an empty buffer. */
const char *buf_cstr(const struct buf *b);

struct str {
	const char *p;
	size_t len;
};

#define STR_NULL ((struct str){ NULL, 0 })
#define STR_LIT(s) ((struct str){ (s), sizeof(s) - 1 })

struct str str_from(const char *cstr);
struct str str_from_buf(const struct buf *b);
bool str_eq(struct str a, const char *cstr);
bool str_caseeq(struct str a, const char *cstr);
bool str_equal(struct str a, struct str b);
bool str_starts_with(struct str a, const char *prefix);
bool str_case_starts_with(struct str a, const char *prefix);
struct str str_trim(struct str a);
/* A new NUL-terminated copy, owned by the caller. */
char *str_dup(struct str a);
void buf_addstr_view(struct buf *b, struct str a);

/* The value of a hexadecimal digit, or -1. */
int hex_digit_value(int c);

/*
 * Append the contents of the file at path to out, refusing a file over
 * max bytes.  0, or -1 with "PATH: reason" appended to err.
 */
int buf_read_file(struct buf *out, const char *path, size_t max,
                  struct buf *err);

/*
 * Parse a decimal number in [min, max] from the whole of s.  No sign, no
 * spaces, no leading "+": returns 0 and sets *out, or -1.
 */
int parse_u64(struct str s, uint64_t min, uint64_t max, uint64_t *out);

#endif
