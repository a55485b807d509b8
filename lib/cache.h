/*
 * HTTP caching of pages: validators from the mailbox's state and the
 * conditional-request decision, made before a page renders anything.
 *
 * A page's content depends on the mailbox it shows (new messages change
 * indexes, threads and the neighbour links of a message page), so the
 * entity tag is UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, EXISTS, the UID and
 * the representation (HTML, JSON, gzip); it is weak because the bytes of
 * a page may differ between builds with the same content.  Last-Modified
 * is the INTERNALDATE of the mailbox's newest message (the last time a
 * message arrived); it is only a fallback for clients without ETags.
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
	const char *variant;    /* "html", "json", "atom.gz", ... */
	time_t modified;        /* 0: unknown, no Last-Modified */
};

/* W/"..." for key, appended to out. */
void cache_etag(struct buf *out, const struct cache_key *key);

/* An IMF-fixdate (RFC 9110 5.6.7), appended; and its strict parser. */
void cache_http_date(struct buf *out, time_t when);
int cache_http_date_parse(const char *text, time_t *out);

/*
 * RFC 9110 13.2.2: If-None-Match decides when present (a list of tags or
 * "*", compared weakly); else If-Modified-Since against modified.
 */
bool cache_not_modified(const char *if_none_match,
                        const char *if_modified_since, const char *etag,
                        time_t modified);

#endif
