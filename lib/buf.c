#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static void out_of_memory(size_t size)
{
	fprintf(stderr, "imapeek: out of memory allocating %zu bytes\n", size);
	abort();
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		out_of_memory(size);
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		out_of_memory(count * size);
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);
	if (!p)
		out_of_memory(size);
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t len)
{
	char *p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	return buf_detach(&b, NULL);
}

void buf_init(struct buf *b)
{
	b->p = NULL;
	b->len = b->cap = 0;
}

void buf_release(struct buf *b)
{
	free(b->p);
	buf_init(b);
}

void buf_grow(struct buf *b, size_t extra)
{
	size_t need;

	if (extra > SIZE_MAX - b->len - 1)
		out_of_memory(SIZE_MAX);
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
	b->p[b->len] = '\0';
}

void buf_reset(struct buf *b)
{
	buf_truncate(b, 0);
}

void buf_truncate(struct buf *b, size_t len)
{
	if (len > b->len)
		return;
	b->len = len;
	if (b->p)
		b->p[len] = '\0';
}

void buf_add(struct buf *b, const void *data, size_t len)
{
	if (!len)
		return;
	buf_grow(b, len);
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
}

void buf_addstr(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	int n;

	buf_grow(b, 64);
	va_copy(copy, ap);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, copy);
	va_end(copy);
	if (n < 0)
		abort();
	if ((size_t)n >= b->cap - b->len) {
		buf_grow(b, (size_t)n);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void buf_consume(struct buf *b, size_t len)
{
	if (len >= b->len) {
		buf_reset(b);
		return;
	}
	memmove(b->p, b->p + len, b->len - len);
	buf_truncate(b, b->len - len);
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *p;

	if (!b->p)
		buf_grow(b, 0), b->p[0] = '\0';
	p = b->p;
	if (len)
		*len = b->len;
	buf_init(b);
	return p;
}

const char *buf_cstr(const struct buf *b)
{
	return b->p ? b->p : "";
}

struct str str_from(const char *cstr)
{
	return (struct str){ cstr, cstr ? strlen(cstr) : 0 };
}

struct str str_from_buf(const struct buf *b)
{
	return (struct str){ buf_cstr(b), b->len };
}

bool str_eq(struct str a, const char *cstr)
{
	size_t n = strlen(cstr);
	return a.len == n && (n == 0 || memcmp(a.p, cstr, n) == 0);
}

bool str_caseeq(struct str a, const char *cstr)
{
	size_t n = strlen(cstr);
	return a.len == n && (n == 0 || strncasecmp(a.p, cstr, n) == 0);
}

bool str_equal(struct str a, struct str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

bool str_starts_with(struct str a, const char *prefix)
{
	size_t n = strlen(prefix);
	return a.len >= n && memcmp(a.p, prefix, n) == 0;
}

bool str_case_starts_with(struct str a, const char *prefix)
{
	size_t n = strlen(prefix);
	return a.len >= n && strncasecmp(a.p, prefix, n) == 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

struct str str_trim(struct str a)
{
	while (a.len && is_space(a.p[0]))
		a.p++, a.len--;
	while (a.len && is_space(a.p[a.len - 1]))
		a.len--;
	return a;
}

char *str_dup(struct str a)
{
	return xstrndup(a.p ? a.p : "", a.len);
}

void buf_addstr_view(struct buf *b, struct str a)
{
	buf_add(b, a.p, a.len);
}

int parse_u64(struct str s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t value = 0;

	if (s.len == 0 || s.len > 20)
		return -1;
	for (size_t i = 0; i < s.len; i++) {
		unsigned digit = (unsigned char)s.p[i] - '0';
		if (digit > 9)
			return -1;
		if (value > (UINT64_MAX - digit) / 10)
			return -1;
		value = value * 10 + digit;
	}
	if (value < min || value > max)
		return -1;
	*out = value;
	return 0;
}

int hex_digit_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int buf_read_file(struct buf *out, const char *path, size_t max,
                  struct buf *err)
{
	char chunk[8192];
	size_t start = out->len;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;

	if (fd < 0) {
		buf_addf(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			buf_addf(err, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (out->len - start + (size_t)n > max) {
			buf_addf(err, "%s: larger than %zu bytes", path, max);
			goto out;
		}
		buf_add(out, chunk, (size_t)n);
	}
	rc = 0;
out:
	close(fd);
	return rc;
}
