/*
 * HTTP caching of pages: validators from the mailbox's state and the
 * conditional-request decision, made before a page renders anything.
 *
 * A page's content depends on the mailbox it shows (new messages change
 * indexes, threads and the neighbour links of a message page), on the
 * request and on the site, so the entity tag is UIDVALIDITY, UIDNEXT,
 * HIGHESTMODSEQ, EXISTS, the UID, the representation (the page and its
 * format: "message", "raw", "search.json", "new.atom.gz") and a digest
 * of the rest: the path and query (every search, page and month its own
 * tag), the root and origin of links, and the site's fingerprint (the
 * program, the configuration, the templates, the about file: gateway.c).
 * It is weak: one page's bytes may differ between two renderings of the
 * same content (a reordered header, another gzip level).
 *
 * Last-Modified is the later of the INTERNALDATE of the mailbox's newest
 * message (the last time a message arrived) and the last change of the
 * site (its files' modification times), and never later than now.  It is
 * the fallback for clients without ETags: a change that adds no message
 * (an expunge, a message delivered with an older INTERNALDATE) changes
 * the ETag, not this date.
 */
#ifndef IMAPEEK_CACHE_H
#define IMAPEEK_CACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"

struct cache_key {
	uint32_t uidvalidity, exists;
	uint32_t newest_uid;    /* the newest message: stands in for UIDNEXT */
	uint64_t highestmodseq;
	uint32_t uid;           /* 0 for pages of the whole mailbox */
	const char *variant;    /* "message", "search.json", "new.atom.gz" */
	const unsigned char *digest;  /* SHA-256 of the rest (see above), or NULL */
	time_t modified;        /* 0: unknown, no Last-Modified */
};

/* W/"..." for key, appended to out. */
void cache_etag(struct buf *out, const struct cache_key *key);

/*
 * An IMF-fixdate (RFC 9110 5.6.7), appended; and the parser of the three
 * forms RFC 9110 makes a recipient accept (IMF-fixdate, RFC 850,
 * asctime), nothing else: 0, or -1.
 */
void cache_http_date(struct buf *out, time_t when);
int cache_http_date_parse(const char *text, time_t *out);

/*
 * RFC 9110 13.2.2: If-None-Match decides when present (a list of tags or
 * "*", compared weakly); else If-Modified-Since (13.1.3): not modified
 * when modified is earlier than or equal to its date.  An If-Modified-Since
 * that does not parse, lies after now, or meets a modified of 0 (unknown)
 * is ignored.
 *
 * The verdict says how much is known.  CACHE_SEND: the condition fails,
 * or there is none.  CACHE_SAME_TAG: If-None-Match names etag itself, a
 * tag the client can only have from a 200 of this URL (error pages carry
 * no validators).  CACHE_IF_PRESENT: "*", or an If-Modified-Since that
 * holds: that says nothing of whether the page is there, and RFC 9110
 * 13.2.1 answers 304 only where the answer would have been a 200.
 */
enum cache_verdict { CACHE_SEND, CACHE_SAME_TAG, CACHE_IF_PRESENT };

enum cache_verdict cache_check(const char *if_none_match,
                               const char *if_modified_since, const char *etag,
                               time_t modified, time_t now);

#endif
