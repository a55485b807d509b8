/*
 * The router: one dispatch table from a request path to a page.
 *
 * A path is split into segments, each percent-decoded strictly (bad
 * escapes, NUL, control characters, invalid UTF-8, "." and ".." are 400).
 * The mailbox is the longest run of leading segments that names a known,
 * visible mailbox; what follows it picks the page.  Every check a page
 * needs (a mailbox, a UID, a section) is made here, so a 400 or 404 is
 * decided before any page code runs.
 */
#ifndef IMAPEEK_ROUTE_H
#define IMAPEEK_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum route_page {
	PAGE_MAILBOXES,    /* / */
	PAGE_INDEX,        /* /MBOX/ */
	PAGE_THREADS,      /* /MBOX/threads/ */
	PAGE_MESSAGE,      /* /MBOX/UID */
	PAGE_RAW,          /* /MBOX/UID/raw */
	PAGE_PART,         /* /MBOX/UID/SECTION */
	PAGE_THREAD,       /* /MBOX/UID/thread */
	PAGE_THREAD_MBOX,  /* /MBOX/UID/thread.mbox */
	PAGE_SEARCH,       /* /MBOX/search */
	PAGE_ATOM,         /* /MBOX/new.atom */
	PAGE_MSGID,        /* /MBOX/m/MSGID */
	PAGE_MSGID_ALL,    /* /m/MSGID */
	PAGE__MAX
};

enum route_format { FORMAT_HTML, FORMAT_JSON, FORMAT_ATOM, FORMAT_MBOX };

struct page;
/* One row of the dispatch table (route.c), per page. */
struct route_row {
	const char *name;       /* for logs */
	const char *word;       /* its path word: "raw", "threads/", "m/", "" */
	unsigned flags;         /* ROUTE_* */
	unsigned max_age;       /* seconds a shared cache may keep it; 0: not */
	int (*handler)(struct page *page);
	/*
	 * Or NULL: sends the page's commands before the gateway's stamp (its
	 * NOOP), planned from the mailbox as the session last saw it, into
	 * page->ahead; the handler reads them, or asks again if the NOOP
	 * brought news.  Not for a conditional request (a 304 needs no mail).
	 */
	void (*ahead)(struct page *page);
};
extern const struct route_row route_table[];

/* What the page needs, checked by the router (one row per page). */
enum {
	ROUTE_NEEDS_MAILBOX = 1 << 0,
	ROUTE_NEEDS_UID = 1 << 1,
	ROUTE_NEEDS_SECTION = 1 << 2,
	ROUTE_NEEDS_MSGID = 1 << 3,
	ROUTE_HAS_JSON = 1 << 4,    /* served as JSON too */
	ROUTE_HEAVY = 1 << 5,       /* may fetch much: exports, streams, searches */
};

struct route {
	enum route_page page;
	char *mailbox;         /* its key (see route_level_escape) */
	char *mailbox_label;   /* its name for people: levels joined by "/" */
	uint32_t uid;
	char *section;         /* "1", "2.1" */
	char *msgid;           /* without <> */
	/* The canonical path differs (a missing trailing slash): 301 to it. */
	bool redirect;
	/*
	 * The path spells the mailbox otherwise than the server lists it
	 * ("inbox" for INBOX, RFC 3501 5.1): 301 to the same path with the
	 * listed name.
	 */
	bool respelled;
	/* A slash after the page's last word ("7/thread/"): 301 without it. */
	bool strip_slash;
	/* Query parameters. */
	unsigned page_number;  /* from 1 */
	enum route_format format;
	bool format_given;
	char *query;           /* q= */
	char *month;           /* month=YYYY-MM */
	bool oldest_first;     /* order=oldest (search) */
};

struct route_error {
	int status;            /* 400 or 404 */
	bool unknown_mailbox;  /* the 404 may be a mailbox the list lacks */
	char message[160];     /* for the error page: says what, not how */
};

/* Longest path accepted, in bytes (a longer one is 400). */
#define ROUTE_MAX_PATH 8192
#define ROUTE_MAX_SEGMENTS 64
#define ROUTE_MAX_SECTION_DEPTH 32

/*
 * A mailbox key: the mailbox's hierarchy levels (UTF-8) joined by "/",
 * a "/" or "%" inside a level written "%2F" or "%25".  A level may hold a
 * "/" on a server whose delimiter is "." or NIL, so a name joined by "/"
 * alone could not tell "a/b" (one level) from a > b; the key can.  For
 * every name without "/" or "%" in a level, the key is the name.
 *
 * route_level_escape appends one level to a key; route_level_unescape
 * appends a key's level (len bytes at level) as it is; route_key_label
 * gives the name people read: the levels joined by "/", unescaped.
 */
void route_level_escape(struct buf *key, const char *level, size_t len);
void route_level_unescape(struct buf *out, const char *level, size_t len);
char *route_key_label(const char *key);

/*
 * Map path (percent-encoded, starting with "/") and query to a route,
 * resolving the mailbox against the visible mailboxes (their keys).
 * 0, or -1 with err filled.
 */
int route_resolve(struct route *route, const char *path, const char *query,
                  const char *const *mailboxes, size_t nmailboxes,
                  struct route_error *err);
void route_release(struct route *route);

/* The dispatch table's flags for a page. */
unsigned route_flags(enum route_page page);
const char *route_page_name(enum route_page page);

/*
 * Is the path, by its last segments alone (decoded, so that an escape
 * cannot hide a word), a ROUTE_HEAVY page: a raw message, a part, a
 * thread, its mbox, a search?  A guess made before the mailbox list is
 * known, for scheduling only (a server keeps some workers for the other
 * pages); it never decides an answer.
 */
bool route_heavy(const char *path);

/* Does the path need the mailbox list to be resolved? ("/" does not.) */
bool route_needs_mailboxes(const char *path);
/*
 * A section number as URLs carry it: "1", "1.2": numbers from 1, single
 * dots, at most ROUTE_MAX_SECTION_DEPTH levels of at most 9 digits.
 */
bool route_section_valid(const char *section);

/*
 * Strict percent-decoding of one path segment or query value into out:
 * %XX with hex digits, no NUL or other C0 control, valid UTF-8.  With
 * plus_is_space (a query value), "+" means " ", and so do a tab, CR and
 * LF (blanks of a pasted query); other controls are refused.  0 or -1.
 */
int route_decode(struct str in, bool plus_is_space, struct buf *out);

#endif
