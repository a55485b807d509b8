#include "rfc2047.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "rfc2045.h"

/*
 * VIOLATIONS (accepted on purpose):
 * - Encoded words are decoded wherever they appear: inside quoted strings,
 *   inside words ("foo=?utf-8?q?bar?="), in comments, and in parameter
 *   values; Outlook and others put them there and readers decode them.
 * - Encoded text may contain spaces and may be longer than 75 bytes.
 * - Adjacent encoded words separated only by whitespace are joined without
 *   the whitespace (RFC 2047 6.2), and the bytes of adjacent words in the
 *   same charset are joined before conversion, so a character split across
 *   two words comes out whole.
 * - "B" text with bad or missing padding or junk is decoded as far as it
 *   goes (rfc2045.c); "Q" text with a bad "=XY" keeps it literally.
 * - An unknown charset, unknown-8bit or a missing one: the bytes are read
 *   as UTF-8 if valid, else windows-1252 (more readable than U+FFFD).
 * - An RFC 2231 language ("=?utf-8*en?q?...?=") is ignored.
 * - Raw 8-bit bytes outside encoded words: UTF-8 if valid (RFC 6532),
 *   else windows-1252.  Folding (CRLF or LF + whitespace) is removed; any
 *   other CR or LF becomes a space; NUL becomes U+FFFD.
 */

struct decoder {
	struct buf *out;
	size_t out_start;
	/* bytes of adjacent encoded words in one charset, not yet converted */
	struct buf pending;
	char charset[CHARSET_NAME_MAX + 1];
	bool have_pending;
};

static void flush_pending(struct decoder *d)
{
	if (!d->have_pending)
		return;
	charset_to_utf8(d->out, d->charset, d->pending.p ? d->pending.p : "", d->pending.len);
	buf_reset(&d->pending);
	d->have_pending = false;
}

static void add_raw(struct decoder *d, const char *p, size_t len)
{
	flush_pending(d);
	charset_guess_to_utf8(d->out, p, len);
}

static void q_decode(struct buf *out, const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '_') {
			buf_addch(out, ' ');
		} else if (p[i] == '=' && i + 2 < len && hex_digit_value((unsigned char)p[i + 1]) >= 0 &&
		           hex_digit_value((unsigned char)p[i + 2]) >= 0) {
			buf_addch(out, (char)(hex_digit_value((unsigned char)p[i + 1]) << 4 |
			                      hex_digit_value((unsigned char)p[i + 2])));
			i += 2;
		} else {
			buf_addch(out, p[i]);
		}
	}
}

/*
 * An encoded word at p ("=?" already seen): its length, or 0 when this is
 * not one.  *no_end_from caches where a search for "?=" failed, so hostile
 * input full of "=?" stays linear.
 */
static size_t parse_word(const char *p, size_t len, size_t pos, size_t *no_end_from,
                         struct str *charset, char *enc, struct str *text)
{
	size_t i = pos + 2, cs_start = i;

	while (i < len && p[i] != '?' && p[i] != ' ' && p[i] != '\t' && i - cs_start <= CHARSET_NAME_MAX)
		i++;
	if (i >= len || p[i] != '?')
		return 0;
	*charset = (struct str){ p + cs_start, i - cs_start };
	if (i + 2 >= len || p[i + 2] != '?')
		return 0;
	*enc = (char)(p[i + 1] | 0x20);
	if (*enc != 'q' && *enc != 'b')
		return 0;
	i += 3;
	size_t text_start = i;
	if (i >= *no_end_from)
		return 0;
	const char *end = NULL;
	for (size_t j = i; j + 1 < len; j++)
		if (p[j] == '?' && p[j + 1] == '=') {
			end = p + j;
			break;
		}
	if (!end) {
		*no_end_from = text_start;
		return 0;
	}
	*text = (struct str){ p + text_start, (size_t)(end - (p + text_start)) };
	return (size_t)(end - (p + pos)) + 2;
}

static bool only_wsp(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t')
			return false;
	return true;
}

/* RFC 5322 unfolding, with any other CR or LF turned into a space. */
static void unfold(struct buf *out, const char *in, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (in[i] != '\r' && in[i] != '\n') {
			buf_addch(out, in[i]);
			continue;
		}
		size_t j = i;
		while (j < len && (in[j] == '\r' || in[j] == '\n'))
			j++;
		if (!(j < len && (in[j] == ' ' || in[j] == '\t')))
			buf_addch(out, ' ');
		i = j - 1;
	}
}

bool rfc2047_plain(const char *in, size_t len)
{
	if (len > RFC2047_OUTPUT_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == 0 || c >= 0x80 || c == '\r' || c == '\n' ||
		    (c == '=' && i + 1 < len && in[i + 1] == '?'))
			return false;
	}
	return true;
}

void rfc2047_decode(struct buf *out, const char *in, size_t len)
{
	if (rfc2047_plain(in, len)) {
		buf_add(out, in, len);
		return;
	}
	struct decoder d = { .out = out, .out_start = out->len, .pending = BUF_INIT };
	struct buf flat = BUF_INIT;
	size_t no_end_from = SIZE_MAX, i = 0, raw_start = 0;
	size_t after_word = SIZE_MAX;  /* end of the last encoded word */
	const char *p;

	unfold(&flat, in, len);
	p = buf_cstr(&flat);
	len = flat.len;
	while (i + 1 < len) {
		struct str charset, text;
		char enc;
		size_t n;

		if (p[i] != '=' || p[i + 1] != '?' ||
		    !(n = parse_word(p, len, i, &no_end_from, &charset, &enc, &text))) {
			i++;
			continue;
		}
		/* whitespace between two encoded words disappears */
		if (!(after_word == raw_start && only_wsp(p + raw_start, i - raw_start)))
			if (i > raw_start)
				add_raw(&d, p + raw_start, i - raw_start);

		char name[CHARSET_NAME_MAX + 1];
		char *label = str_dup(charset);
		if (charset_canonical(label, strlen(label), name) < 0)
			strcpy(name, "AUTO");
		free(label);
		if (d.have_pending && strcmp(name, d.charset) != 0)
			flush_pending(&d);
		strcpy(d.charset, name);
		d.have_pending = true;
		if (enc == 'b')
			rfc2045_b64_decode(&d.pending, text.p, text.len);
		else
			q_decode(&d.pending, text.p, text.len);
		i += n;
		raw_start = after_word = i;
		if (out->len - d.out_start + d.pending.len > RFC2047_OUTPUT_MAX)
			break;
	}
	if (raw_start < len)
		add_raw(&d, p + raw_start, len - raw_start);
	flush_pending(&d);
	if (out->len - d.out_start > RFC2047_OUTPUT_MAX)
		buf_truncate(out, d.out_start + charset_utf8_cut(out->p + d.out_start,
		                                                  out->len - d.out_start,
		                                                  RFC2047_OUTPUT_MAX));
	buf_release(&d.pending);
	buf_release(&flat);
}

char *rfc2047_decode_str(const char *in, size_t len)
{
	struct buf out = BUF_INIT;

	if (rfc2047_plain(in, len))
		return xstrndup(in, len);
	rfc2047_decode(&out, in, len);
	return buf_detach(&out, NULL);
}
