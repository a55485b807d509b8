#include "rfc2231.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "charset.h"
#include "rfc2047.h"

/*
 * VIOLATIONS (accepted on purpose):
 * - An unquoted value runs to the next ";" and may hold spaces, "/", "("
 *   and other tspecials (filename=my file (1).pdf); comments are not
 *   removed from values.
 * - An unterminated quoted string ends at the end of the header; text
 *   after a closing quote up to the next ";" is ignored.
 * - RFC 2047 encoded words inside (quoted) values are decoded, as Outlook
 *   writes filename="=?utf-8?B?...?=" and every reader decodes it.
 * - Raw 8-bit bytes in values: UTF-8 if valid, else windows-1252.
 * - Continuations are assembled in numeric order whatever order they come
 *   in; missing sections are skipped over; a repeated section keeps the
 *   first.  The charset of "name*0*" applies to the whole value, and the
 *   bytes of all segments are joined before conversion so a character
 *   split across segments comes out whole.
 * - "name*=value" without the two quotes: the value is percent-decoded
 *   and its charset guessed; a bad "%XY" is kept literally.
 * - Duplicates: the RFC 2231 form of a name wins over the plain one (it is
 *   the precise one; the plain one is a fallback for old readers), and
 *   otherwise the first occurrence wins, as in Python's email package.  One
 *   consistent choice matters more than which one: two readers that pick
 *   differently show two different filenames for one attachment.
 */

struct segment {
	size_t base;         /* index into the base-name table */
	unsigned long section;
	bool sectioned;
	bool encoded;
	char *raw;           /* value as written, quotes removed */
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static void percent_decode(struct buf *out, const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		int hi, lo;
		if (p[i] == '%' && i + 2 < len &&
		    (hi = hex_digit_value((unsigned char)p[i + 1])) >= 0 &&
		    (lo = hex_digit_value((unsigned char)p[i + 2])) >= 0) {
			buf_addch(out, (char)(hi << 4 | lo));
			i += 2;
		} else {
			buf_addch(out, p[i]);
		}
	}
}

/* "charset'language'rest": sets *charset (a new string) and returns rest. */
static const char *split_charset(const char *raw, char **charset)
{
	const char *q1 = strchr(raw, '\''), *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;

	if (!q2) {
		*charset = NULL;
		return raw;
	}
	*charset = xstrndup(raw, (size_t)(q1 - raw));
	return q2 + 1;
}

static int segment_cmp(const void *a, const void *b)
{
	const struct segment *x = a, *y = b;

	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	if (x->sectioned != y->sectioned)
		return x->sectioned ? 1 : -1;
	if (x->section != y->section)
		return x->section < y->section ? -1 : 1;
	return 0;
}

/* One whole value from the segments [first, last) of one base name. */
static char *assemble(struct segment *seg, size_t first, size_t last)
{
	struct buf bytes = BUF_INIT, out = BUF_INIT;
	char *charset = NULL;
	bool any_encoded = false;
	unsigned long prev = 0;

	for (size_t i = first; i < last; i++) {
		const char *raw = seg[i].raw;
		if (i > first && seg[i].section == prev)
			continue;  /* a repeated section: the first one stays */
		prev = seg[i].section;
		if (seg[i].encoded) {
			if (i == first && !charset)
				raw = split_charset(raw, &charset);
			percent_decode(&bytes, raw, strlen(raw));
			any_encoded = true;
		} else {
			buf_addstr(&bytes, raw);
		}
	}
	if (any_encoded)
		charset_to_utf8(&out, charset, buf_cstr(&bytes), bytes.len);
	else
		rfc2047_decode(&out, buf_cstr(&bytes), bytes.len);
	free(charset);
	buf_release(&bytes);
	return buf_detach(&out, NULL);
}

/* Split "name*2*" into base, section and encoded flag. */
static void parse_name(struct str name, struct str *base, struct segment *seg)
{
	seg->encoded = false;
	seg->sectioned = false;
	seg->section = 0;
	if (name.len > 1 && name.p[name.len - 1] == '*') {
		seg->encoded = true;
		name.len--;
	}
	const char *star = memchr(name.p, '*', name.len);
	if (star) {
		uint64_t section;
		struct str digits = { star + 1, name.len - (size_t)(star + 1 - name.p) };
		if (parse_u64(digits, 0, RFC2231_SEGMENTS_MAX, &section) == 0) {
			seg->sectioned = true;
			seg->section = (unsigned long)section;
			name.len = (size_t)(star - name.p);
		}
	}
	*base = name;
}

void rfc2231_parse(struct rfc2231_params *params, const char *in, size_t len)
{
	/* grown as segments come: most headers have one or two */
	struct segment *segs = NULL;
	char *bases[RFC2231_PARAMS_MAX];
	size_t nsegs = 0, segs_cap = 0, nbases = 0, i = 0;
	struct buf val = BUF_INIT;

	params->v = NULL;
	params->n = 0;
	/* the value: up to the first ";" */
	while (i < len && in[i] != ';')
		i++;
	struct str head = str_trim((struct str){ in, i });
	params->value = str_dup(head);
	for (char *c = params->value; *c; c++)
		*c = is_space(*c) ? ' ' : lower(*c);

	while (i < len && nsegs < RFC2231_SEGMENTS_MAX) {
		i++;  /* the ";" */
		size_t name_start = i;
		while (i < len && in[i] != '=' && in[i] != ';')
			i++;
		struct str name = str_trim((struct str){ in + name_start, i - name_start });
		if (i >= len || in[i] == ';')
			continue;  /* a parameter without "=": ignored */
		i++;  /* the "=" */
		while (i < len && is_space(in[i]))
			i++;
		buf_reset(&val);
		if (i < len && in[i] == '"') {
			for (i++; i < len && in[i] != '"'; i++) {
				if (in[i] == '\\' && i + 1 < len)
					i++;
				if (in[i] != '\r' && in[i] != '\n')
					buf_addch(&val, in[i]);
			}
			while (i < len && in[i] != ';')
				i++;
		} else {
			size_t start = i;
			while (i < len && in[i] != ';')
				i++;
			struct str v = str_trim((struct str){ in + start, i - start });
			for (size_t k = 0; k < v.len; k++)
				if (v.p[k] != '\r' && v.p[k] != '\n')
					buf_addch(&val, v.p[k]);
		}
		if (name.len == 0 || name.len > 128)
			continue;

		if (nsegs == segs_cap) {
			segs_cap = segs_cap ? 2 * segs_cap : 4;
			if (segs_cap > RFC2231_SEGMENTS_MAX)
				segs_cap = RFC2231_SEGMENTS_MAX;
			segs = xrealloc(segs, segs_cap * sizeof(*segs));
		}
		struct segment *seg = &segs[nsegs];
		memset(seg, 0, sizeof(*seg));
		struct str base;
		parse_name(name, &base, seg);
		size_t b;
		for (b = 0; b < nbases; b++)
			if (strlen(bases[b]) == base.len && strncasecmp(bases[b], base.p, base.len) == 0)
				break;
		if (b == nbases) {
			if (nbases == RFC2231_PARAMS_MAX)
				continue;
			bases[nbases] = str_dup(base);
			for (char *c = bases[nbases]; *c; c++)
				*c = lower(*c);
			nbases++;
		}
		seg->base = b;
		seg->raw = str_dup(str_from_buf(&val));
		nsegs++;
	}

	/* Group by name, plain form first, then sections in numeric order;
	 * qsort is not stable, so equal keys keep order via their index. */
	for (size_t k = 0; k < nsegs; k++)
		segs[k].section = segs[k].section * (RFC2231_SEGMENTS_MAX + 1) + k;
	if (nsegs)
		qsort(segs, nsegs, sizeof(*segs), segment_cmp);
	for (size_t k = 0; k < nsegs; k++)
		segs[k].section /= (RFC2231_SEGMENTS_MAX + 1);

	params->v = xcalloc(nbases, sizeof(*params->v));
	for (size_t k = 0; k < nsegs;) {
		size_t end = k;
		while (end < nsegs && segs[end].base == segs[k].base)
			end++;
		/* the RFC 2231 form wins: a "name*" or sectioned segment */
		size_t first = k;
		for (size_t m = k; m < end; m++)
			if (segs[m].sectioned || segs[m].encoded) {
				first = m;
				break;
			}
		size_t last = first + 1;
		if (segs[first].sectioned)
			last = end;
		else if (segs[first].encoded)
			last = first + 1;
		struct rfc2231_param *param = &params->v[params->n++];
		param->name = xstrdup(bases[segs[k].base]);
		param->value = assemble(segs, first, last);
		k = end;
	}
	/* back to the order of first appearance: bases are numbered that way */
	for (size_t k = 0; k < nsegs; k++)
		free(segs[k].raw);
	for (size_t b = 0; b < nbases; b++)
		free(bases[b]);
	free(segs);
	buf_release(&val);
}

const char *rfc2231_get(const struct rfc2231_params *params, const char *name)
{
	for (size_t i = 0; i < params->n; i++)
		if (strcmp(params->v[i].name, name) == 0)
			return params->v[i].value;
	return NULL;
}

void rfc2231_release(struct rfc2231_params *params)
{
	for (size_t i = 0; i < params->n; i++) {
		free(params->v[i].name);
		free(params->v[i].value);
	}
	free(params->v);
	free(params->value);
	params->v = NULL;
	params->value = NULL;
	params->n = 0;
}
