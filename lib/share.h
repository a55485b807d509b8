/*
 * What the workers of one process share: answers about a whole mailbox
 * (its date order, its threads, its months' counts, a search's hits)
 * that are the same for every imapd session that sees the mailbox in the
 * same state.  Each worker used to keep its own copy and build it with
 * its own SORT, THREAD or SEARCHes: with four workers on a mailbox of
 * 800,000 messages, four forests of 50 MB, four imapds sorting the same
 * mailbox at once after each delivery, and a search asked again answered
 * from memory only by the worker that had asked it first.  Now the first
 * worker to need an answer builds it, the others wait for it, and all
 * hold the one copy.
 *
 * An answer is known by its kind (and a search by its query) and by the
 * mailbox's state as every session sees it alike (struct share_key):
 * UIDVALIDITY, EXISTS and the newest UID, not the EXPUNGE counts or
 * HIGHESTMODSEQ that a session learns in its own time.  The three name
 * the set of UIDs: UIDs only grow, so a set of the same size and the same
 * highest UID that came from the other by expunges and deliveries is the
 * other (a delivery raises the highest UID for good, an expunge alone
 * lowers the count).  The order, the threads and a search's hits of a set
 * of messages depend on the set alone.
 *
 * An answer lives while a worker holds it (share_put drops a hold) and is
 * freed with the last: memory is at most what the workers held each
 * before, and one copy while they read the same mailbox.  An answer is
 * given to another worker only once its builder checked that it is of the
 * key's messages, so a delivery during a SORT, or a key read across a
 * change, costs a second build, never a wrong page.  In a single-threaded
 * front end (CGI, FastCGI) this is a plain cache.
 */
#ifndef IMAPEEK_SHARE_H
#define IMAPEEK_SHARE_H

#include <stdbool.h>
#include <stdint.h>

#include "session.h"

enum share_kind {
	SHARE_ORDER, SHARE_THREADS, SHARE_MONTHS, SHARE_SEARCH, SHARE_KIND__MAX
};

struct share_key {
	enum share_kind kind;
	const char *mailbox;     /* the server's name of the mailbox */
	uint32_t uidvalidity, exists;
	uint32_t newest_uid;
	struct str query;        /* SHARE_SEARCH: what tells searches apart */
};

struct share_entry;

/* How to make an answer, and how to free one. */
struct share_builder {
	/*
	 * Builds the answer into *payload, or returns -1 with err filled;
	 * runs in the calling worker, with no lock held.  It returns 0 when
	 * the answer holds exactly key's messages (their count and highest
	 * UID), 1 when not (the mailbox changed while it was asked, or
	 * messages could not be read): the answer is then this worker's
	 * alone, never given to another.
	 */
	int (*build)(void *ctx, const struct share_key *key, void **payload,
	             struct session_err *err);
	void (*release)(void *payload);
	void *ctx;
	/* Asked every 50 ms while waiting for another worker (NULL: never). */
	bool (*cancelled)(void *cancel_ctx);
	void *cancel_ctx;
};

/*
 * The answer for key: one another worker holds or is building (waited
 * for), else built now.  *entry is held until share_put.  A cancelled
 * wait returns -1, SESSION_CANCELLED; a build that failed in another
 * worker is tried again here.
 */
int share_get(const struct share_key *key, const struct share_builder *builder,
              struct share_entry **entry, struct session_err *err);
void *share_payload(const struct share_entry *entry);
/* Drop a hold; the last one frees the answer.  NULL is fine. */
void share_put(struct share_entry *entry);

#endif
