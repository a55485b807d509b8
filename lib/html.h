/*
 * Escapers and URLs, one function per output context (STYLE.md: an escaper
 * belongs to one context).  Everything appends to a struct buf.
 *
 * - html_escape: text and double- or single-quoted attribute values.
 *   & < > " ' become entities; invalid UTF-8 becomes U+FFFD; CR is dropped
 *   (CRLF mail text reads as LF); other C0 controls, DEL and C1 controls
 *   become U+FFFD, so a NUL can never reach the page.
 * - html_url_segment: one path segment, percent-encoded outside RFC 3986's
 *   unreserved set (ALPHA DIGIT - . _ ~), "/" included.
 * - html_url_query: one query value (or name), the same set: "&", "=",
 *   "+", "#" and space all become %XX.
 * - html_url_decode: strict percent-decoding for what a request sends.
 * - html_url_build: an URL from its parts, never pasted from strings.
 */
#ifndef IMAPEEK_HTML_H
#define IMAPEEK_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "utf8.h"

#define HTML_REPLACEMENT "\xef\xbf\xbd" /* U+FFFD in UTF-8 */


void html_escape(struct buf *out, const char *s, size_t len);
void html_escape_str(struct buf *out, const char *s);

void html_url_segment(struct buf *out, const char *s, size_t len);
void html_url_query(struct buf *out, const char *s, size_t len);

enum {
	HTML_DECODE_PLUS = 1,  /* "+" is a space (query strings) */
	HTML_DECODE_UTF8 = 2,  /* the result must be valid UTF-8 */
};

/*
 * Percent-decode s into out (appended).  -1, with out unchanged, for a
 * "%" not followed by two hex digits, a NUL (literal or %00), or, with
 * HTML_DECODE_UTF8, bytes that are not valid UTF-8.
 */
int html_url_decode(struct buf *out, const char *s, size_t len,
                    unsigned flags);

/*
 * Find name in a query string ("a=1&b=2", without "?"), decoded with
 * HTML_DECODE_PLUS | HTML_DECODE_UTF8 into value (replaced).  1 when found
 * (the first occurrence wins), 0 when absent, -1 when the query is
 * malformed anywhere (bad encoding in any pair, over HTML_QUERY_MAX bytes).
 */
#define HTML_QUERY_MAX 8192
int html_query_param(const char *query, const char *name, struct buf *value);

/* What follows the mailbox (or the message) in an URL; see imapeek-httpd(8). */
enum html_url_suffix {
	HTML_URL_NONE,         /* /MBOX/ or /MBOX/UID or /MBOX/UID/SECTION */
	HTML_URL_RAW,          /* /MBOX/UID/raw */
	HTML_URL_THREAD,       /* /MBOX/UID/thread */
	HTML_URL_THREAD_MBOX,  /* /MBOX/UID/thread.mbox */
	HTML_URL_THREADS,      /* /MBOX/threads/ */
	HTML_URL_SEARCH,       /* /MBOX/search */
	HTML_URL_ATOM,         /* /MBOX/new.atom */
	HTML_URL_MSGID,        /* /MBOX/m/MSGID, or /m/MSGID without mailbox */
	HTML_URL_SUFFIX__MAX
};

struct html_url_param {
	const char *name;   /* NULL ends the list early */
	const char *value;
};

#define HTML_URL_MAX_PARAMS 4

struct html_url {
	const char *root;        /* "" or "/archive": already a path, no "/" at end */
	const char *mailbox;     /* its key (route.h); NULL: the site root */
	uint64_t uid;            /* 0: none */
	const char *section;     /* "1.2"; NULL: none (needs uid) */
	enum html_url_suffix suffix;
	const char *message_id;  /* for HTML_URL_MSGID, without <> */
	struct html_url_param params[HTML_URL_MAX_PARAMS];
};

/*
 * Append the absolute path of url to out.  -1 (out unchanged) for parts
 * that make no URL: an empty, "." or ".." mailbox segment (browsers would
 * resolve them away even percent-encoded), a section that is not digits
 * and dots, a uid suffix without uid, a mailbox suffix with a uid, a root
 * that does not start with "/" (unless empty).
 */
int html_url_build(struct buf *out, const struct html_url *url);

#endif
