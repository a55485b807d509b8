#include "search.h"
#include "utf8.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *prefix;  /* as typed, without ':' */
	const char *key;     /* the IMAP search key */
} fields[SEARCH_FIELD__MAX] = {
	[SEARCH_TEXT] = { NULL, "TEXT" },
	[SEARCH_FROM] = { "from", "FROM" },
	[SEARCH_TO] = { "to", "TO" },
	[SEARCH_SUBJECT] = { "subject", "SUBJECT" },
	[SEARCH_BODY] = { "body", "BODY" },
	[SEARCH_SINCE] = { "since", "SENTSINCE" },
	[SEARCH_BEFORE] = { "before", "SENTBEFORE" },
};


void search_query_init(struct search_query *query)
{
	memset(query, 0, sizeof(*query));
}

void search_query_release(struct search_query *query)
{
	for (size_t i = 0; i < query->nterms; i++)
		buf_release(&query->terms[i].value);
	search_query_init(query);
}

static bool is_space(char c)
{
	/* CR and LF from a pasted query are blanks like any other */
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Strict UTF-8: no overlongs, no surrogates, nothing above U+10FFFF. */
/* YYYY-MM-DD, a real calendar day. */
static int parse_date(struct str value, struct search_term *term)
{
	static const int days[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	uint64_t year, month, day;

	if (value.len != 10 || value.p[4] != '-' || value.p[7] != '-' ||
	    parse_u64((struct str){ value.p, 4 }, 1000, 9999, &year) < 0 ||
	    parse_u64((struct str){ value.p + 5, 2 }, 1, 12, &month) < 0 ||
	    parse_u64((struct str){ value.p + 8, 2 }, 1, 31, &day) < 0)
		return -1;
	if (day > (uint64_t)days[month - 1])
		return -1;
	if (month == 2 && day == 29 && !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
		return -1;
	term->year = (int)year;
	term->month = (int)month;
	term->day = (int)day;
	return 0;
}

/* A known "prefix:" at text[i..], its field; else SEARCH_TEXT. */
static enum search_field prefix_at(struct str text, size_t i, size_t *value_start)
{
	for (int f = 0; f < SEARCH_FIELD__MAX; f++) {
		size_t len;
		if (!fields[f].prefix)
			continue;
		len = strlen(fields[f].prefix);
		if (text.len - i > len && text.p[i + len] == ':' &&
		    strncasecmp(text.p + i, fields[f].prefix, len) == 0) {
			*value_start = i + len + 1;
			return (enum search_field)f;
		}
	}
	*value_start = i;
	return SEARCH_TEXT;
}

int search_parse(struct search_query *query, struct str text,
                 char *why, size_t why_size)
{
	struct buf value = BUF_INIT;
	int ret = -1;
	size_t i = 0;

	search_query_release(query);
	if (text.len > SEARCH_MAX_LEN) {
		snprintf(why, why_size, "query too long (at most %d bytes)", SEARCH_MAX_LEN);
		goto out;
	}
	if (text.len && memchr(text.p, '\0', text.len)) {
		snprintf(why, why_size, "query contains a NUL byte");
		goto out;
	}
	if (!utf8_valid(text.p, text.len)) {
		snprintf(why, why_size, "query is not valid UTF-8");
		goto out;
	}
	for (;;) {
		while (i < text.len && is_space(text.p[i]))
			i++;
		if (i >= text.len)
			break;
		size_t start;
		enum search_field field = prefix_at(text, i, &start);
		const char *name = fields[field].prefix;
		bool phrase = false;
		buf_reset(&value);
		i = start;
		if (i < text.len && text.p[i] == '"') {
			phrase = true;
			for (i++; i < text.len && text.p[i] != '"'; i++) {
				if (text.p[i] == '\\' && i + 1 < text.len &&
				    (text.p[i + 1] == '"' || text.p[i + 1] == '\\'))
					i++;
				buf_addch(&value, text.p[i]);
			}
			if (i >= text.len) {
				snprintf(why, why_size, "unbalanced quotes");
				goto out;
			}
			i++;
			if (i < text.len && !is_space(text.p[i])) {
				snprintf(why, why_size, "a blank must follow a closing quote");
				goto out;
			}
		} else {
			while (i < text.len && !is_space(text.p[i]))
				buf_addch(&value, text.p[i++]);
		}
		/* a phrase of blanks says nothing: it would match everything */
		if (str_trim(str_from_buf(&value)).len == 0) {
			if (name)
				snprintf(why, why_size, "%s: needs a value", name);
			else if (phrase)
				snprintf(why, why_size, "empty phrase");
			goto out;
		}
		if (query->nterms == SEARCH_MAX_TERMS) {
			snprintf(why, why_size, "too many terms (at most %d)", SEARCH_MAX_TERMS);
			goto out;
		}
		struct search_term *term = &query->terms[query->nterms];
		memset(term, 0, sizeof(*term));
		term->field = field;
		if (field == SEARCH_SINCE || field == SEARCH_BEFORE) {
			if (parse_date(str_from_buf(&value), term) < 0) {
				snprintf(why, why_size, "bad date in %s:, use YYYY-MM-DD", name);
				goto out;
			}
		} else {
			buf_addstr_view(&term->value, str_from_buf(&value));
		}
		query->nterms++;
	}
	if (query->nterms == 0) {
		snprintf(why, why_size, "empty query");
		goto out;
	}
	ret = 0;
out:
	buf_release(&value);
	if (ret < 0)
		search_query_release(query);
	return ret;
}

void search_emit(const struct search_query *query, struct imap_cmd *cmd)
{
	for (size_t i = 0; i < query->nterms; i++) {
		const struct search_term *term = &query->terms[i];
		imap_cmd_atom(cmd, fields[term->field].key);
		if (term->field == SEARCH_SINCE || term->field == SEARCH_BEFORE) {
			imap_cmd_date(cmd, term->year, term->month, term->day);
		} else {
			imap_cmd_string(cmd, str_from_buf(&term->value));
		}
	}
}

/* A byte of a word: ASCII letters and digits, and all of UTF-8's others. */
static bool is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c >= 0x80;
}

static bool value_has_fragile_word(const struct buf *value)
{
	size_t i = 0, n = value->len;
	const unsigned char *p = (const unsigned char *)value->p;

	while (i < n) {
		if (!is_word_byte(p[i])) {
			i++;
			continue;
		}
		size_t chars = 0;
		for (; i < n && is_word_byte(p[i]); i++)
			if ((p[i] & 0xc0) != 0x80)   /* not a continuation byte */
				chars++;
		if (chars < 3)
			return true;
		if (i + 1 < n && p[i] == '-' && is_word_byte(p[i + 1]))
			return true;
	}
	return false;
}

bool search_has_fragile_word(const struct search_query *query)
{
	for (size_t i = 0; i < query->nterms; i++) {
		const struct search_term *term = &query->terms[i];
		if (term->field != SEARCH_SINCE && term->field != SEARCH_BEFORE &&
		    value_has_fragile_word(&term->value))
			return true;
	}
	return false;
}

static bool needs_quotes(const struct buf *value)
{
	if (value->len == 0 || value->p[0] == '"')
		return true;
	for (size_t i = 0; i < value->len; i++)
		if (is_space(value->p[i]))
			return true;
	return false;
}

void search_format(const struct search_query *query, struct buf *out)
{
	for (size_t i = 0; i < query->nterms; i++) {
		const struct search_term *term = &query->terms[i];
		size_t unused;
		if (i)
			buf_addch(out, ' ');
		if (term->field != SEARCH_TEXT)
			buf_addf(out, "%s:", fields[term->field].prefix);
		if (term->field == SEARCH_SINCE || term->field == SEARCH_BEFORE) {
			buf_addf(out, "%04d-%02d-%02d", term->year, term->month, term->day);
			continue;
		}
		/* a bare word that looks like a prefix must be quoted to stay a word */
		bool quote = needs_quotes(&term->value) ||
		             (term->field == SEARCH_TEXT &&
		              prefix_at(str_from_buf(&term->value), 0, &unused) != SEARCH_TEXT);
		if (!quote) {
			buf_addstr_view(out, str_from_buf(&term->value));
			continue;
		}
		buf_addch(out, '"');
		for (size_t k = 0; k < term->value.len; k++) {
			char c = term->value.p[k];
			if (c == '"' || c == '\\')
				buf_addch(out, '\\');
			buf_addch(out, c);
		}
		buf_addch(out, '"');
	}
}
