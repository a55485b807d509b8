/*
 * Feeds and exports of a list of messages, shared by the pages that send
 * them (page_feed.c, page_search.c, page_thread.c): each answers the
 * whole request, error pages included, and fails the answer (page_fail)
 * when it breaks off after the first byte.
 */
#ifndef IMAPEEK_EXPORT_H
#define IMAPEEK_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "page.h"

/*
 * An Atom feed of the first entries of uids (newest first), titled title;
 * its alternate is the page at alternate (a URL as page_url writes it),
 * NULL for the mailbox's index.
 */
int export_atom(struct page *page, const char *title, const char *alternate,
                const uint32_t *uids, size_t n) MUST_CHECK;
/* An mboxrd file of uids, as a download named filename. */
int export_mbox(struct page *page, const char *filename,
                const uint32_t *uids, size_t n) MUST_CHECK;

#endif
