/*
 * Message summaries kept across requests, by the workers of one process
 * together: a message's summary (message.h: its UID, INTERNALDATE, size
 * and header fields) and its PREVIEW never change while its mailbox keeps
 * its UIDVALIDITY (RFC 9051 2.3.1.1: a UID names the same message for
 * good), so a summary once fetched is never stale and needs no freshness
 * check.  A page lists the same messages again and again (an index page,
 * the outline of every message of a thread, a search asked by many); the
 * imapd built each summary anew every time (Dovecot: about 90 us of CPU
 * for a FETCH of a few, 0.5 ms for an index page's 50), now it builds it
 * once while it stays here.
 *
 * Bounded by bytes (summary_cache_enable), not by the mailbox: the least
 * recently used summaries go first.  Off (the default) it keeps nothing:
 * a CGI process serves one request and would only pay for the copies.
 * Thread-safe: one mutex, held for a lookup or an insertion, never while
 * an imapd is asked.
 *
 * A summary is known by the server's name of its mailbox, its UIDVALIDITY
 * and its UID.  What a caller gets is a copy of its own.
 */
#ifndef IMAPEEK_SUMMARY_CACHE_H
#define IMAPEEK_SUMMARY_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "message.h"

/*
 * What the long-running front ends keep (FastCGI, imapeek-httpd): 8 MiB,
 * about 9,500 summaries of list mail with their previews (all 8,323 of
 * openbmc made imapeek-httpd's RSS 7.3 MB larger).
 */
#define SUMMARY_CACHE_BYTES ((size_t)8 << 20)

/* Keep up to bytes of summaries (0: keep none, and drop what is kept). */
void summary_cache_enable(size_t bytes);

/*
 * The kept summaries of uids[0..n) in mailbox: for each one kept,
 * infos[i] becomes a copy and hit[i] true; the others are left alone.
 * With previews (not NULL) only a summary kept with its preview counts,
 * and previews[i] gets a copy of it (NULL where the server gave none).
 * Returns the number of hits.
 */
size_t summary_cache_get(const char *mailbox, uint32_t uidvalidity,
                         const uint32_t *uids, size_t n,
                         struct message_info *infos, char **previews, bool *hit);

/*
 * Keep a copy of info (and with_preview, of preview, which may be NULL:
 * the server has none for it), replacing what was kept for its UID.
 */
void summary_cache_put(const char *mailbox, uint32_t uidvalidity,
                       const struct message_info *info, bool with_preview,
                       const char *preview);

struct summary_cache_stats {
	size_t entries, bytes, limit;
	uint64_t hits, misses, evictions;
};
void summary_cache_stats(struct summary_cache_stats *stats);

#endif
