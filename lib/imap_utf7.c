#include "imap_utf7.h"
#include "utf8.h"

#include <string.h>

static const char base64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static int base64_value(unsigned char c)
{
	const char *hit = c ? strchr(base64, c) : NULL;
	return hit ? (int)(hit - base64) : -1;
}

static bool is_direct(uint32_t c)
{
	return c >= 0x20 && c <= 0x7e;
}

static void add_utf8(struct buf *out, uint32_t c)
{
	if (c < 0x80) {
		buf_addch(out, (char)c);
	} else if (c < 0x800) {
		buf_addch(out, (char)(0xc0 | c >> 6));
		buf_addch(out, (char)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		buf_addch(out, (char)(0xe0 | c >> 12));
		buf_addch(out, (char)(0x80 | ((c >> 6) & 0x3f)));
		buf_addch(out, (char)(0x80 | (c & 0x3f)));
	} else {
		buf_addch(out, (char)(0xf0 | c >> 18));
		buf_addch(out, (char)(0x80 | ((c >> 12) & 0x3f)));
		buf_addch(out, (char)(0x80 | ((c >> 6) & 0x3f)));
		buf_addch(out, (char)(0x80 | (c & 0x3f)));
	}
}

/* One base64 run in[start..end) (between "&" and "-"), decoded. */
static int decode_run(const char *in, size_t start, size_t end, struct buf *out)
{
	uint32_t bits = 0, high = 0;
	int nbits = 0;

	for (size_t i = start; i < end; i++) {
		int v = base64_value((unsigned char)in[i]);
		if (v < 0)
			return -1;
		bits = (bits << 6 | (uint32_t)v) & 0xffffff;
		nbits += 6;
		if (nbits < 16)
			continue;
		nbits -= 16;
		uint32_t unit = (bits >> nbits) & 0xffff;
		if (high) {
			if (unit < 0xdc00 || unit > 0xdfff)
				return -1;
			add_utf8(out, 0x10000 + ((high - 0xd800) << 10) + (unit - 0xdc00));
			high = 0;
		} else if (unit >= 0xd800 && unit <= 0xdbff) {
			high = unit;
		} else if (unit >= 0xdc00 && unit <= 0xdfff) {
			return -1;
		} else if (is_direct(unit) || unit == 0) {
			/* Printable ASCII must be sent as itself; NUL is no name. */
			return -1;
		} else {
			add_utf8(out, unit);
		}
	}
	/* Padding is at most 5 bits, and zero: anything else is a cut unit. */
	if (high || nbits >= 6 || (bits & ((1u << nbits) - 1)))
		return -1;
	return 0;
}

int imap_utf7_decode(struct str in, struct buf *out)
{
	size_t old_len = out->len;
	size_t run_end = SIZE_MAX; /* where the last base64 run's "-" was */

	for (size_t i = 0; i < in.len; i++) {
		unsigned char c = (unsigned char)in.p[i];
		if (c != '&') {
			if (!is_direct(c))
				goto fail;
			buf_addch(out, (char)c);
			continue;
		}
		size_t start = i + 1, end = start;
		while (end < in.len && in.p[end] != '-')
			end++;
		if (end >= in.len)
			goto fail;
		if (end == start) {
			buf_addch(out, '&');
		} else {
			/* "&AOQ-&AOQ-" is "&AOQA5A-" written twice: one encoding only. */
			if (run_end != SIZE_MAX && run_end + 1 == i)
				goto fail;
			if (decode_run(in.p, start, end, out) < 0)
				goto fail;
			run_end = end;
		}
		i = end;
	}
	return 0;
fail:
	buf_truncate(out, old_len);
	return -1;
}

/* The next code point of valid UTF-8 at in[*pos], or -1. */
static long next_utf8(struct str in, size_t *pos)
{
	int32_t cp;
	size_t n = utf8_next(in.p + *pos, in.len - *pos, &cp);

	if (cp < 0)
		return -1;
	*pos += n;
	return (long)cp;
}

static void flush_bits(struct buf *out, uint32_t *bits, int *nbits)
{
	while (*nbits >= 6) {
		*nbits -= 6;
		buf_addch(out, base64[(*bits >> *nbits) & 0x3f]);
	}
}

int imap_utf7_encode(struct str in, struct buf *out)
{
	size_t old_len = out->len, pos = 0;
	bool shifted = false;
	uint32_t bits = 0;
	int nbits = 0;

	while (pos < in.len) {
		long c = next_utf8(in, &pos);
		if (c <= 0)
			goto fail;
		if (is_direct((uint32_t)c)) {
			if (shifted) {
				if (nbits)
					buf_addch(out, base64[(bits << (6 - nbits)) & 0x3f]);
				buf_addch(out, '-');
				shifted = false;
				nbits = 0;
			}
			buf_addstr(out, c == '&' ? "&-" : (char[]){ (char)c, 0 });
			continue;
		}
		if (!shifted) {
			buf_addch(out, '&');
			shifted = true;
			bits = 0;
			nbits = 0;
		}
		uint32_t units[2];
		int nunits = 1;
		if (c >= 0x10000) {
			units[0] = 0xd800 + (((uint32_t)c - 0x10000) >> 10);
			units[1] = 0xdc00 + (((uint32_t)c - 0x10000) & 0x3ff);
			nunits = 2;
		} else {
			units[0] = (uint32_t)c;
		}
		for (int i = 0; i < nunits; i++) {
			bits = (bits << 16 | units[i]) & 0x3fffff;
			nbits += 16;
			flush_bits(out, &bits, &nbits);
		}
	}
	if (shifted) {
		if (nbits)
			buf_addch(out, base64[(bits << (6 - nbits)) & 0x3f]);
		buf_addch(out, '-');
	}
	return 0;
fail:
	buf_truncate(out, old_len);
	return -1;
}
