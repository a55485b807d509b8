/*
 * The search box: a query in the language of imapeek-httpd(8), parsed into typed
 * terms, then written as IMAP SEARCH keys.
 *
 *   word                TEXT "word"           (headers and body)
 *   "two words"         TEXT "two words"      (a phrase)
 *   from:x  to:x        FROM "x"  TO "x"      (x a word or a "phrase")
 *   subject:x body:x    SUBJECT "x"  BODY "x"
 *   since:2020-01-31    SENTSINCE 31-Jan-2020 (sent on or after)
 *   before:2020-01-31   SENTBEFORE 31-Jan-2020 (sent before that day)
 *
 * Terms are ANDed.  Prefixes are case-insensitive; "foo:bar" with an
 * unknown prefix is the word "foo:bar" (URLs, "Re:").  Inside a phrase \"
 * and \\ stand for " and \.  The dates are the Date: header's (SENTSINCE,
 * SENTBEFORE), which is the date an archive shows, not INTERNALDATE.
 *
 * Every word goes out through imap_cmd_string(), so the session layer
 * makes it a quoted string or a literal, never an atom: a query cannot add
 * a key, a command or a line.  The caller sends CHARSET UTF-8 first; the
 * parser refuses what is not UTF-8, and NUL bytes, which IMAP strings
 * cannot carry.
 */
#ifndef IMAPEEK_SEARCH_H
#define IMAPEEK_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "imap_cmd.h"

#define SEARCH_MAX_LEN 1024   /* bytes of a query */
#define SEARCH_MAX_TERMS 32

enum search_field {
	SEARCH_TEXT,
	SEARCH_FROM,
	SEARCH_TO,
	SEARCH_SUBJECT,
	SEARCH_BODY,
	SEARCH_SINCE,
	SEARCH_BEFORE,
	SEARCH_FIELD__MAX
};

struct search_term {
	enum search_field field;
	struct buf value;          /* words and phrases, unquoted */
	int year, month, day;      /* SEARCH_SINCE, SEARCH_BEFORE */
};

struct search_query {
	struct search_term terms[SEARCH_MAX_TERMS];
	size_t nterms;
};

void search_query_init(struct search_query *query);
void search_query_release(struct search_query *query);

/*
 * Parse text into query (emptied first).  0, or -1 with a short message
 * for the user in why ("unbalanced quotes", "bad date in since:, use
 * YYYY-MM-DD", "empty query", ...).
 */
int search_parse(struct search_query *query, struct str text,
                 char *why, size_t why_size);

/* Append the query's search keys to cmd (after the caller's CHARSET). */
void search_emit(const struct search_query *query, struct imap_cmd *cmd);

/*
 * Whether a word of the query's text terms is one a full-text index may
 * not find: a word of one or two letters, or words joined by a hyphen
 * (README, "Full-text search": Dovecot's Xapian index keeps words of 3
 * letters or more and a text's "half-way" as two words).  Dovecot without
 * an index finds both, as substrings; imapeek cannot tell which it talks
 * to, so the search page, when such a query finds nothing, says so "where
 * the archive has a full-text index".
 */
bool search_has_fragile_word(const struct search_query *query);

/*
 * The query written back in its canonical form (prefixes in lower case,
 * phrases quoted): for the search box and the "query" JSON field.
 */
void search_format(const struct search_query *query, struct buf *out);

#endif
