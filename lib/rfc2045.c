#include "rfc2045.h"

#include <string.h>

/*
 * VIOLATIONS (accepted on purpose, as careful readers do):
 * - base64: characters outside the alphabet (line noise, "!", NUL, CR
 *   without LF) are skipped; a missing "=" padding is implied at the end;
 *   "=" ends a quantum early and decoding continues after it, so two
 *   base64 blobs pasted together both decode; a lone sextet at the end of a
 *   quantum (6 bits, no whole byte) is dropped.
 * - quoted-printable: "=" not followed by two hex digits is kept literally;
 *   lowercase hex digits are accepted; a bare LF ends a line like CRLF;
 *   trailing space and tab are removed from every line (RFC 2045 6.7 (3));
 *   8-bit bytes and control characters pass through; a line longer than
 *   RFC2045_QP_LINE_MAX is decoded in pieces, and a run of more than half
 *   that many spaces at such a break is kept rather than stripped.
 * - Content-Transfer-Encoding: case, quotes, surrounding space and a
 *   trailing comment or parameter are ignored; "7-bit", "8-bit" and
 *   "base-64" are read as 7bit, 8bit and base64; x-uuencode is unknown.
 */

static const struct {
	const char *name;
	enum rfc2045_cte cte;
} cte_names[] = {
	{ "7bit", RFC2045_CTE_7BIT },
	{ "8bit", RFC2045_CTE_8BIT },
	{ "binary", RFC2045_CTE_BINARY },
	{ "base64", RFC2045_CTE_BASE64 },
	{ "quoted-printable", RFC2045_CTE_QP },
	{ "7-bit", RFC2045_CTE_7BIT },
	{ "8-bit", RFC2045_CTE_8BIT },
	{ "base-64", RFC2045_CTE_BASE64 },
};

static const char *const cte_canonical[RFC2045_CTE__MAX] = {
	[RFC2045_CTE_7BIT] = "7bit",
	[RFC2045_CTE_8BIT] = "8bit",
	[RFC2045_CTE_BINARY] = "binary",
	[RFC2045_CTE_BASE64] = "base64",
	[RFC2045_CTE_QP] = "quoted-printable",
	[RFC2045_CTE_UNKNOWN] = "unknown",
};

enum rfc2045_cte rfc2045_cte_lookup(struct str value)
{
	struct str s = str_trim(value);
	size_t end = 0;

	if (s.len && s.p[0] == '"') {
		s.p++, s.len--;
		while (end < s.len && s.p[end] != '"')
			end++;
	} else {
		while (end < s.len && s.p[end] != ' ' && s.p[end] != '\t' &&
		       s.p[end] != ';' && s.p[end] != '(' && s.p[end] != '\r' &&
		       s.p[end] != '\n')
			end++;
	}
	s.len = end;
	if (s.len == 0)
		return RFC2045_CTE_7BIT;
	for (size_t i = 0; i < sizeof(cte_names) / sizeof(cte_names[0]); i++)
		if (str_caseeq(s, cte_names[i].name))
			return cte_names[i].cte;
	return RFC2045_CTE_UNKNOWN;
}

const char *rfc2045_cte_name(enum rfc2045_cte cte)
{
	return (unsigned)cte < RFC2045_CTE__MAX ? cte_canonical[cte] : "unknown";
}

/* The sextet of c; -1: not in the alphabet, -2: "=" */
static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return c == '=' ? -2 : -1;
}

void rfc2045_b64_init(struct rfc2045_b64 *st)
{
	st->bits = 0;
	st->count = 0;
}

/* Write the whole bytes of a short quantum (2 sextets: 1 byte, 3: 2). */
static void b64_flush(struct rfc2045_b64 *st, struct buf *out)
{
	if (st->count == 2) {
		buf_addch(out, (char)(st->bits >> 4));
	} else if (st->count == 3) {
		buf_addch(out, (char)(st->bits >> 10));
		buf_addch(out, (char)(st->bits >> 2));
	}
	st->bits = 0;
	st->count = 0;
}

void rfc2045_b64_feed(struct rfc2045_b64 *st, struct buf *out, const char *in, size_t len)
{
	char *o;

	/* at most 3 bytes for 4 sextets, and 2 from a quantum fed before */
	buf_grow(out, len / 4 * 3 + 3);
	o = out->p + out->len;
	for (size_t i = 0; i < len; i++) {
		int v = b64_value((unsigned char)in[i]);
		if (v == -1)
			continue;
		if (v == -2) {
			out->len = (size_t)(o - out->p);
			b64_flush(st, out);
			o = out->p + out->len;
			continue;
		}
		st->bits = (st->bits << 6) | (uint32_t)v;
		if (++st->count == 4) {
			*o++ = (char)(st->bits >> 16);
			*o++ = (char)(st->bits >> 8);
			*o++ = (char)st->bits;
			st->bits = 0;
			st->count = 0;
		}
	}
	out->len = (size_t)(o - out->p);
	out->p[out->len] = '\0';
}

void rfc2045_b64_finish(struct rfc2045_b64 *st, struct buf *out)
{
	b64_flush(st, out);
}

void rfc2045_b64_decode(struct buf *out, const char *in, size_t len)
{
	struct rfc2045_b64 st;

	rfc2045_b64_init(&st);
	rfc2045_b64_feed(&st, out, in, len);
	rfc2045_b64_finish(&st, out);
}

/* Decode p[0..len) where no "=" sits in the last two bytes unless the
 * segment is a whole line: an "=" needs both its hex digits in view. */
static void qp_segment(struct buf *out, const char *p, size_t len)
{
	size_t i = 0, start = 0;

	while (i < len) {
		if (p[i] != '=') {
			i++;
			continue;
		}
		buf_add(out, p + start, i - start);
		int hi = i + 1 < len ? hex_digit_value((unsigned char)p[i + 1]) : -1;
		int lo = i + 2 < len ? hex_digit_value((unsigned char)p[i + 2]) : -1;
		if (hi >= 0 && lo >= 0) {
			buf_addch(out, (char)(hi << 4 | lo));
			i += 3;
		} else {
			buf_addch(out, '=');
			i++;
		}
		start = i;
	}
	buf_add(out, p + start, i - start);
}

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* A complete line, with its line end ("\n", "\r\n") or none at all. */
static void qp_line(struct buf *out, const char *p, size_t len)
{
	const char *eol = "";
	size_t content = len;

	if (content && p[content - 1] == '\n') {
		content--;
		eol = "\n";
		if (content && p[content - 1] == '\r') {
			content--;
			eol = "\r\n";
		}
	}
	while (content && is_wsp(p[content - 1]))
		content--;
	if (content && p[content - 1] == '=') {
		/* soft line break: no line end in the output */
		qp_segment(out, p, content - 1);
		return;
	}
	qp_segment(out, p, content);
	buf_addstr(out, eol);
}

/* The line buffer is full: decode all of it that later bytes cannot change. */
static void qp_flush_long(struct rfc2045_qp *st, struct buf *out)
{
	const char *p = st->line.p;
	size_t len = st->line.len, cut = len;

	while (cut && (is_wsp(p[cut - 1]) || p[cut - 1] == '\r'))
		cut--;
	if (len - cut > RFC2045_QP_LINE_MAX / 2)
		cut = len;
	for (;;) {
		if (cut >= 1 && p[cut - 1] == '=')
			cut -= 1;
		else if (cut >= 2 && p[cut - 2] == '=')
			cut -= 2;
		else
			break;
	}
	qp_segment(out, p, cut);
	buf_consume(&st->line, cut);
}

void rfc2045_qp_init(struct rfc2045_qp *st)
{
	buf_init(&st->line);
}

void rfc2045_qp_feed(struct rfc2045_qp *st, struct buf *out, const char *in, size_t len)
{
	while (len) {
		const char *nl = memchr(in, '\n', len);
		size_t take = nl ? (size_t)(nl - in) + 1 : len;
		size_t room = RFC2045_QP_LINE_MAX - st->line.len;
		bool whole = nl != NULL;

		if (take > room) {
			take = room;
			whole = false;
		}
		if (whole && st->line.len == 0) {
			qp_line(out, in, take);  /* the common case: no copy */
		} else {
			buf_add(&st->line, in, take);
			if (whole) {
				qp_line(out, st->line.p, st->line.len);
				buf_reset(&st->line);
			} else if (st->line.len == RFC2045_QP_LINE_MAX) {
				qp_flush_long(st, out);
			}
		}
		in += take;
		len -= take;
	}
}

void rfc2045_qp_finish(struct rfc2045_qp *st, struct buf *out)
{
	if (st->line.len)
		qp_line(out, st->line.p, st->line.len);
	buf_release(&st->line);
}

void rfc2045_qp_decode(struct buf *out, const char *in, size_t len)
{
	struct rfc2045_qp st;

	rfc2045_qp_init(&st);
	rfc2045_qp_feed(&st, out, in, len);
	rfc2045_qp_finish(&st, out);
}

void rfc2045_decode(enum rfc2045_cte cte, struct buf *out, const char *in, size_t len)
{
	if (cte == RFC2045_CTE_BASE64)
		rfc2045_b64_decode(out, in, len);
	else if (cte == RFC2045_CTE_QP)
		rfc2045_qp_decode(out, in, len);
	else
		buf_add(out, in, len);
}
