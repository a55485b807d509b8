#include "rfc5322.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "charset.h"
#include "rfc2047.h"

/* strchr(set, c) without its match on the terminating NUL */
static bool in_set(const char *set, char c)
{
	return c != '\0' && strchr(set, c) != NULL;
}

/*
 * VIOLATIONS (accepted on purpose):
 * Date: tokens in any order (RFC 5322, asctime "Thu Jan  2 03:04:05 2020",
 *   "2 Jan 2020 03:04"), day names ignored and optional, months in any
 *   case and spelt out, two-digit years (< 50: 20xx, else 19xx) and
 *   three-digit ones (+1900), missing seconds, missing time (midnight),
 *   missing zone (UTC), named zones (UT GMT Z EST EDT CST CDT MST MDT PST
 *   PDT; military letters and unknown names are UTC, RFC 5322 4.3),
 *   comments "(PDT)" and unknown words skipped, "." as time separator.
 *   A day beyond the month's end is rejected.
 * Message-IDs: junk between ids is skipped; whitespace inside "<...>" is
 *   removed; when no "<" appears at all, the words that contain "@" are
 *   taken as ids.
 * Addresses: a display name with an unquoted comma ("Doe, John <j@d>") is
 *   rejoined; encoded words are decoded in quoted names too; a comment is
 *   the display name when there is none ("j@d (John Doe)"), comments
 *   inside "<...>" are dropped ("<pete(his account)@silly.test>"); obsolete
 *   routes ("<@a,@b:j@d>") are dropped; group names are dropped and their
 *   members kept; an entry without "@" is kept as an address; a missing
 *   comma after "<...>" or between bare addresses ("a@b c@d") is implied.
 */

/* A line break (CRLF or LF) at in[i] followed by a blank: its length, else 0. */
static size_t fold_at(const char *in, size_t len, size_t i)
{
	size_t n = in[i] == '\r' && i + 1 < len && in[i + 1] == '\n' ? 2 : in[i] == '\n';

	return n && i + n < len && (in[i + n] == ' ' || in[i + n] == '\t') ? n : 0;
}

/* Copied in runs between the line breaks: a summary's header is unfolded per request. */
void rfc5322_unfold(struct buf *out, const char *in, size_t len)
{
	size_t start = 0;

	for (size_t i = 0; i < len; i++) {
		size_t fold;
		if (in[i] != '\r' && in[i] != '\n')
			continue;
		if (!(fold = fold_at(in, len, i)))
			continue;
		buf_add(out, in + start, i - start);
		i += fold - 1;
		start = i + 1;
	}
	buf_add(out, in + start, len - start);
}

void rfc5322_fields(const char *block, size_t len, const char *const *names,
                    size_t n, struct str *values, struct buf *unfolded)
{
	size_t from = unfolded->len;  /* what unfolded held before stays out */
	const char *p, *end;

	for (size_t k = 0; k < n; k++)
		values[k] = STR_NULL;
	rfc5322_unfold(unfolded, block ? block : "", block ? len : 0);
	p = buf_cstr(unfolded) + from;
	end = buf_cstr(unfolded) + unfolded->len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *colon;
		if (!eol)
			eol = end;
		colon = memchr(p, ':', (size_t)(eol - p));
		for (size_t k = 0; colon && k < n; k++)
			if (!values[k].p && strlen(names[k]) == (size_t)(colon - p) &&
			    !strncasecmp(p, names[k], (size_t)(colon - p))) {
				values[k] = (struct str){ colon + 1, (size_t)(eol - colon - 1) };
				break;
			}
		p = eol + 1;
	}
}

size_t rfc5322_header_length(const char *message, size_t len)
{
	const char *p = message, *end = message + len;

	/* An empty line is a line end at the start or right after another. */
	if (len && (p[0] == '\n' || (p[0] == '\r' && len > 1 && p[1] == '\n')))
		return 0;
	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		p++;
		if (p < end && (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')))
			return (size_t)(p - message);
	}
	return len;
}

/*
 * As rfc5322_fields for one name, without unfolding the whole block: a
 * raw message's header is looked through on every request for one field.
 * A field runs to the first line break not followed by a blank.
 */
int rfc5322_field(const char *block, size_t len, const char *name,
                  struct buf *out)
{
	size_t name_len = strlen(name), line = 0;

	while (block && line < len) {
		size_t end = line;
		const char *nl;
		while ((nl = memchr(block + end, '\n', len - end)) != NULL) {
			end = (size_t)(nl - block);
			if (end + 1 < len && (block[end + 1] == ' ' || block[end + 1] == '\t'))
				end++;
			else
				break;
		}
		if (!nl)
			end = len;
		if (end - line > name_len && block[line + name_len] == ':' &&
		    !strncasecmp(block + line, name, name_len)) {
			rfc5322_unfold(out, block + line + name_len + 1, end - line - name_len - 1);
			return 1;
		}
		line = end + 1;
	}
	return 0;
}

/* ---- dates ---------------------------------------------------------- */

const char *const rfc5322_months[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};
const char *const rfc5322_days[7] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
};

static const struct {
	const char *name;
	int minutes;
} zone_names[] = {
	{ "ut", 0 }, { "utc", 0 }, { "gmt", 0 }, { "z", 0 },
	{ "est", -300 }, { "edt", -240 }, { "cst", -360 }, { "cdt", -300 },
	{ "mst", -420 }, { "mdt", -360 }, { "pst", -480 }, { "pdt", -420 },
	{ "cet", 60 }, { "cest", 120 }, { "bst", 60 }, { "met", 60 }, { "mest", 120 },
};

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int parse_num(const char *p, size_t len, uint64_t max, int *out)
{
	uint64_t v;

	if (parse_u64((struct str){ p, len }, 0, max, &v) < 0)
		return -1;
	*out = (int)v;
	return 0;
}

/* "hh:mm[:ss]" (or with "."): 0 or -1 */
static int parse_time(const char *p, size_t len, int *h, int *m, int *s)
{
	size_t part[3][2], n = 0, start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i == len || p[i] == ':' || p[i] == '.') {
			if (n == 3)
				return -1;
			part[n][0] = start;
			part[n][1] = i - start;
			n++;
			start = i + 1;
		}
	}
	if (n < 2)
		return -1;
	*s = 0;
	if (parse_num(p + part[0][0], part[0][1], 23, h) < 0 ||
	    parse_num(p + part[1][0], part[1][1], 59, m) < 0 ||
	    (n == 3 && parse_num(p + part[2][0], part[2][1], 60, s) < 0))
		return -1;
	if (*s == 60)
		*s = 59;  /* a leap second: time_t has none */
	return 0;
}

/*
 * "AM" or "PM" (any case, "a.m."/"p.m." too): 'a' or 'p', else 0.  Not
 * RFC 5322, but some mailers write a 12-hour clock ("06:09:22 PM EDT");
 * ignored, the time would be half a day off.
 */
static int meridiem(const char *p, size_t len)
{
	char half, m;

	if (len == 2)
		half = p[0], m = p[1];
	else if (len == 4 && p[1] == '.' && p[3] == '.')
		half = p[0], m = p[2];
	else
		return 0;
	half = (char)(half | 0x20);
	if ((m | 0x20) != 'm' || (half != 'a' && half != 'p'))
		return 0;
	return half;
}

int rfc5322_date_parse(const char *in, size_t len, time_t *out)
{
	int day = -1, month = -1, year = -1, hour = 0, min = 0, sec = 0, zone = 0;
	bool have_time = false, have_zone = false;
	int clock_half = 0;   /* 'a' or 'p' after the time: a 12-hour clock */
	size_t i = 0;

	while (i < len) {
		char c = in[i];
		if (c == '(') {
			/* a comment, nested, with quoted pairs */
			int depth = 0;
			for (; i < len; i++) {
				if (in[i] == '\\') {
					i++;
					continue;
				}
				if (in[i] == '(')
					depth++;
				else if (in[i] == ')' && --depth == 0)
					break;
			}
			i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == ')') {
			i++;
			continue;
		}
		size_t start = i;
		while (i < len && !in_set(" \t\r\n,()", in[i]))
			i++;
		const char *tok = in + start;
		size_t tlen = i - start;
		int v;

		if (!have_time && (memchr(tok, ':', tlen) || memchr(tok, '.', tlen))) {
			/* "3:04PM": the clock's half written on */
			int half = tlen > 2 ? meridiem(tok + tlen - 2, 2) : 0;
			if (parse_time(tok, half ? tlen - 2 : tlen, &hour, &min, &sec) == 0) {
				have_time = true;
				clock_half = half;
			}
		} else if (have_time && !clock_half && meridiem(tok, tlen)) {
			clock_half = meridiem(tok, tlen);
		} else if ((tok[0] == '+' || tok[0] == '-') && tlen == 5 &&
		           parse_num(tok + 1, 4, 9999, &v) == 0) {
			if (!have_zone && v / 100 <= 23 && v % 100 <= 59) {
				zone = (v / 100 * 60 + v % 100) * (tok[0] == '-' ? -1 : 1);
				have_zone = true;
			}
		} else if (tok[0] >= '0' && tok[0] <= '9') {
			if (parse_num(tok, tlen, 99999, &v) < 0)
				continue;  /* "2nd", "1/2/2020": junk */
			if (day < 0 && tlen <= 2 && v >= 1 && v <= 31 && year < 0)
				day = v;
			else if (year < 0 && (tlen == 2 || tlen == 3 || tlen == 4))
				year = tlen == 2 ? (v < 50 ? 2000 + v : 1900 + v) : tlen == 3 ? 1900 + v : v;
			else if (day < 0 && tlen <= 2 && v >= 1 && v <= 31)
				day = v;
		} else {
			char word[16];
			size_t n = tlen < sizeof(word) - 1 ? tlen : sizeof(word) - 1;
			for (size_t k = 0; k < n; k++)
				word[k] = (char)((tok[k] >= 'A' && tok[k] <= 'Z') ? tok[k] - 'A' + 'a' : tok[k]);
			word[n] = '\0';
			bool found = false;
			if (month < 0 && tlen >= 3)
				for (int m = 0; m < 12; m++)
					if (strncasecmp(word, rfc5322_months[m], 3) == 0) {
						month = m + 1;
						found = true;
						break;
					}
			if (!found && !have_zone && tlen == n)
				for (size_t z = 0; z < sizeof(zone_names) / sizeof(zone_names[0]); z++)
					if (strcmp(word, zone_names[z].name) == 0) {
						zone = zone_names[z].minutes;
						have_zone = true;
						break;
					}
		}
	}
	if (day < 0 || month < 0 || year < 1900 || year > 9999)
		return -1;
	if (clock_half && hour >= 1 && hour <= 12)
		hour = hour % 12 + (clock_half == 'p' ? 12 : 0);
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (day > mdays[month - 1] + (month == 2 && leap(year)))
		return -1;
	int64_t t = days_from_civil(year, (unsigned)month, (unsigned)day) * 86400 +
	            hour * 3600 + min * 60 + sec - (int64_t)zone * 60;
	*out = (time_t)t;
	return 0;
}

int rfc5322_date_format(time_t t, char out[RFC5322_DATE_LEN + 1])
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
		out[0] = '\0';
		return -1;
	}
	/* strftime: the fields are in range by gmtime_r's contract. */
	if (strftime(out, RFC5322_DATE_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm) !=
	    RFC5322_DATE_LEN) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

/* ---- message ids ---------------------------------------------------- */

static void ids_add(struct rfc5322_ids *ids, const char *p, size_t len)
{
	struct buf id = BUF_INIT, clean = BUF_INIT;

	if (ids->n >= RFC5322_IDS_MAX)
		return;
	for (size_t i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			buf_addch(&id, p[i]);
	if (id.len == 0 || id.len > 998)
		goto out;
	charset_guess_to_utf8(&clean, id.p, id.len);
	if (ids->n % 16 == 0)
		ids->v = xrealloc(ids->v, (ids->n + 16) * sizeof(*ids->v));
	ids->v[ids->n++] = buf_detach(&clean, NULL);
out:
	buf_release(&id);
	buf_release(&clean);
}

void rfc5322_ids_parse(struct rfc5322_ids *ids, const char *in, size_t len)
{
	bool any_bracket = memchr(in, '<', len) != NULL;

	ids->v = NULL;
	ids->n = 0;
	for (size_t i = 0; i < len && ids->n < RFC5322_IDS_MAX;) {
		if (any_bracket) {
			if (in[i] != '<') {
				i++;
				continue;
			}
			const char *end = memchr(in + i + 1, '>', len - i - 1);
			const char *next = memchr(in + i + 1, '<', len - i - 1);
			if (!end)
				end = in + len;  /* an unterminated last id */
			if (next && next < end) {
				/* "<a <b>": the first one never closed */
				ids_add(ids, in + i + 1, (size_t)(next - in) - i - 1);
				i = (size_t)(next - in);
				continue;
			}
			ids_add(ids, in + i + 1, (size_t)(end - in) - i - 1);
			i = (size_t)(end - in) + 1;
		} else {
			while (i < len && in_set(" \t\r\n,", in[i]))
				i++;
			size_t start = i;
			while (i < len && !in_set(" \t\r\n,", in[i]))
				i++;
			if (i > start && memchr(in + start, '@', i - start))
				ids_add(ids, in + start, i - start);
		}
	}
}

void rfc5322_ids_release(struct rfc5322_ids *ids)
{
	for (size_t i = 0; i < ids->n; i++)
		free(ids->v[i]);
	free(ids->v);
	ids->v = NULL;
	ids->n = 0;
}

/* ---- addresses ------------------------------------------------------ */

/* One comma-separated entry, split into its parts. */
struct entry {
	struct buf phrase;   /* text outside <> and comments, quotes removed */
	struct buf angle;    /* inside <> */
	struct buf comment;  /* the first comment's text */
	bool has_angle;
	bool has_at;         /* an "@" outside quotes and comments */
	bool quoted;         /* a quoted string in the phrase */
	bool bare;           /* phrase text outside quotes and comments */
};

static void entry_init(struct entry *e)
{
	buf_init(&e->phrase);
	buf_init(&e->angle);
	buf_init(&e->comment);
	e->has_angle = e->has_at = e->quoted = e->bare = false;
}

static void entry_release(struct entry *e)
{
	buf_release(&e->phrase);
	buf_release(&e->angle);
	buf_release(&e->comment);
}

/* The position of the ")" closing the comment at in[i] (nested, "\\"
 * escapes), or len - 1 when it never closes. */
static size_t comment_end(const char *in, size_t len, size_t i)
{
	int depth = 0;

	for (; i < len; i++) {
		if (in[i] == '\\' && i + 1 < len)
			i++;
		else if (in[i] == '(')
			depth++;
		else if (in[i] == ')' && --depth == 0)
			return i;
	}
	return len - 1;
}

/*
 * Scan one entry from in[*pos]: stops after "," or ";" outside quotes,
 * comments and <>, or at a ":" that starts a group (its name dropped).
 */
static void scan_entry(const char *in, size_t len, size_t *pos, struct entry *e)
{
	size_t i = *pos;
	bool any_comment = false;

	while (i < len) {
		char c = in[i];
		if (c == '"') {
			e->quoted = true;
			for (i++; i < len && in[i] != '"'; i++) {
				if (in[i] == '\\' && i + 1 < len)
					i++;
				buf_addch(&e->phrase, in[i]);
			}
			if (i >= len)
				e->bare = true;  /* never closed: not a name for sure */
			i++;
			continue;
		}
		if (c == '(') {
			int depth = 0;
			struct buf *dst = any_comment ? NULL : &e->comment;
			for (; i < len; i++) {
				if (in[i] == '\\' && i + 1 < len) {
					i++;
					if (dst)
						buf_addch(dst, in[i]);
					continue;
				}
				if (in[i] == '(' && depth++ == 0)
					continue;
				if (in[i] == ')' && --depth == 0)
					break;
				if (dst)
					buf_addch(dst, in[i]);
			}
			any_comment = true;
			i++;
			buf_addch(&e->phrase, ' ');
			continue;
		}
		if (c == '<') {
			e->has_angle = true;
			buf_reset(&e->angle);
			for (i++; i < len && in[i] != '>'; i++) {
				if (in[i] == '(') {
					i = comment_end(in, len, i);
					continue;
				}
				if (in[i] != ' ' && in[i] != '\t')
					buf_addch(&e->angle, in[i]);
			}
			i++;
			/* "Name <a@b> c@d": a missing comma; the rest is the next entry */
			size_t k = i;
			while (k < len && (in[k] == ' ' || in[k] == '\t'))
				k++;
			if (k < len && !in_set(",;(", in[k])) {
				i = k;
				break;
			}
			continue;
		}
		if (c == ',' || c == ';') {
			i++;
			break;
		}
		if (c == ':' && !e->has_angle && !e->has_at) {
			/* a group name: forget it, the members follow */
			buf_reset(&e->phrase);
			buf_reset(&e->comment);
			e->quoted = e->bare = false;
			any_comment = false;
			i++;
			continue;
		}
		if (c == '@')
			e->has_at = true;
		if (c != ' ' && c != '\t')
			e->bare = true;
		buf_addch(&e->phrase, c);
		i++;
	}
	*pos = i;
}

static char *clean_name(const char *p, size_t len)
{
	struct buf out = BUF_INIT;
	struct str s = str_trim((struct str){ p, len });

	if (s.len == 0)
		return NULL;
	rfc2047_decode(&out, s.p, s.len);
	s = str_trim(str_from_buf(&out));
	if (s.len == 0) {
		buf_release(&out);
		return NULL;
	}
	char *name = str_dup(s);
	buf_release(&out);
	return name;
}

static char *clean_address(const char *p, size_t len)
{
	struct buf out = BUF_INIT;
	struct str s = str_trim((struct str){ p, len });
	const char *colon;

	/* obsolete route: "@a,@b:user@host" */
	if (s.len && s.p[0] == '@' && (colon = memchr(s.p, ':', s.len))) {
		s.len -= (size_t)(colon + 1 - s.p);
		s.p = colon + 1;
	}
	/* "foo@": a local part without its domain is "foo" */
	if (s.len > 1 && s.p[s.len - 1] == '@')
		s.len--;
	charset_guess_to_utf8(&out, s.p, s.len);
	return buf_detach(&out, NULL);
}

/* An empty address is kept only when the mail wrote one: "<>", or a
 * quoted name alone ("\"Just A Name\""); keep_empty says so. */
static void addrs_add(struct rfc5322_addrs *addrs, char *name, char *address,
                      bool keep_empty)
{
	if (addrs->n >= RFC5322_ADDRS_MAX || (!*address && !keep_empty)) {
		free(name);
		free(address);
		return;
	}
	if (addrs->n % 16 == 0)
		addrs->v = xrealloc(addrs->v, (addrs->n + 16) * sizeof(*addrs->v));
	addrs->v[addrs->n].name = name;
	addrs->v[addrs->n].address = address;
	addrs->n++;
}

/* The number of whitespace-separated words if each has an "@", else 0. */
static size_t all_words_addresses(const struct buf *phrase)
{
	const char *p = buf_cstr(phrase);
	size_t words = 0, i = 0;

	while (i < phrase->len) {
		while (i < phrase->len && (p[i] == ' ' || p[i] == '\t'))
			i++;
		size_t start = i;
		while (i < phrase->len && p[i] != ' ' && p[i] != '\t')
			i++;
		if (i == start)
			break;
		if (!memchr(p + start, '@', i - start))
			return 0;
		words++;
	}
	return words;
}

static void add_words(struct rfc5322_addrs *addrs, const struct buf *phrase)
{
	const char *p = buf_cstr(phrase);
	size_t i = 0;

	while (i < phrase->len) {
		while (i < phrase->len && (p[i] == ' ' || p[i] == '\t'))
			i++;
		size_t start = i;
		while (i < phrase->len && p[i] != ' ' && p[i] != '\t')
			i++;
		if (i > start)
			addrs_add(addrs, NULL, clean_address(p + start, i - start), false);
	}
}

/*
 * The words carried (entries without "@" or "<>") that no "<...>" followed:
 * an address each ("foo"), or, when they were all quoted ("\"Just A
 * Name\""), a display name without an address.
 */
static void add_carried(struct rfc5322_addrs *addrs, struct buf *carry, bool quoted)
{
	if (!carry->len)
		return;
	if (quoted)
		addrs_add(addrs, clean_name(carry->p, carry->len), xstrdup(""), true);
	else
		addrs_add(addrs, NULL, clean_address(carry->p, carry->len), false);
	buf_reset(carry);
}

void rfc5322_addrs_parse(struct rfc5322_addrs *addrs, const char *in, size_t len)
{
	struct buf flat = BUF_INIT, carry = BUF_INIT;
	bool carry_quoted = true;  /* every entry carried was a quoted string alone */
	size_t pos = 0;

	addrs->v = NULL;
	addrs->n = 0;
	rfc5322_unfold(&flat, in, len);
	in = buf_cstr(&flat);
	len = flat.len;
	while (pos < len && addrs->n < RFC5322_ADDRS_MAX) {
		struct entry e;
		entry_init(&e);
		scan_entry(in, len, &pos, &e);
		if (!e.has_angle && !e.has_at) {
			/* "Doe, John <j@d>": a name cut by an unquoted comma, kept
			 * for the entry that follows if that one has <> */
			struct str s = str_trim(str_from_buf(&e.phrase));
			if (s.len) {
				if (carry.len)
					buf_addstr(&carry, ", ");
				buf_addstr_view(&carry, s);
				carry_quoted = carry_quoted && e.quoted && !e.bare;
			}
			size_t peek = pos;
			struct entry next;
			entry_init(&next);
			scan_entry(in, len, &peek, &next);
			bool next_angle = next.has_angle;
			entry_release(&next);
			if (!next_angle && carry.len) {
				/* a lone word: keep it as an address (or a name) */
				add_carried(addrs, &carry, carry_quoted);
				carry_quoted = true;
			}
			entry_release(&e);
			continue;
		}
		char *name, *address;
		if (e.has_angle) {
			struct buf phrase = BUF_INIT;
			if (carry.len) {
				buf_addstr(&phrase, carry.p);
				buf_addstr(&phrase, ", ");
			}
			buf_addstr_view(&phrase, str_trim(str_from_buf(&e.phrase)));
			name = clean_name(buf_cstr(&phrase), phrase.len);
			if (!name && e.comment.len)
				name = clean_name(e.comment.p, e.comment.len);
			buf_release(&phrase);
			address = clean_address(buf_cstr(&e.angle), e.angle.len);
		} else if (all_words_addresses(&e.phrase) > 1) {
			/* "a@b c@d": a missing comma between bare addresses */
			add_carried(addrs, &carry, carry_quoted);
			carry_quoted = true;
			add_words(addrs, &e.phrase);
			entry_release(&e);
			continue;
		} else {
			name = e.comment.len ? clean_name(e.comment.p, e.comment.len) : NULL;
			address = clean_address(buf_cstr(&e.phrase), e.phrase.len);
			add_carried(addrs, &carry, carry_quoted);
		}
		buf_reset(&carry);
		carry_quoted = true;
		/* "<>" is an empty address the mail wrote: kept */
		addrs_add(addrs, name, address, e.has_angle);
		entry_release(&e);
	}
	buf_release(&carry);
	buf_release(&flat);
}

void rfc5322_addrs_release(struct rfc5322_addrs *addrs)
{
	for (size_t i = 0; i < addrs->n; i++) {
		free(addrs->v[i].name);
		free(addrs->v[i].address);
	}
	free(addrs->v);
	addrs->v = NULL;
	addrs->n = 0;
}
