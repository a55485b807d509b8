/*
 * The archive layer: what the pages ask for, in archive words.  The only
 * module between the pages and the session layer: it alone builds IMAP
 * commands, hides what a server lacks and degrades per message.
 *
 *   the visible mailboxes, with counts and their server names;
 *   a mailbox opened by its URL name (EXAMINE of the server's own name);
 *   its UIDs newest first (UID SORT, or a date sort here without SORT);
 *   messages per month; the summaries of a set of messages;
 *   one message with its parts and text, and many in one round trip;
 *   the raw bytes, a part in chunks, search hits, threads, Message-IDs.
 *
 * Capabilities hidden here: SORT, THREAD=REFERENCES, ESEARCH, BINARY,
 * CONDSTORE, UTF8=ACCEPT (through the session layer) and PARTIAL.
 * Degradations: a BINARY fetch answered NO or BYE is retried with
 * BODY.PEEK and our own decoders (a new imapd where the old one quit); a
 * message whose text cannot be fetched still has its headers and a note.
 *
 * One struct archive per worker; it owns the worker's imapd session and
 * the caches kept between requests.  Errors are struct session_err: the
 * caller turns their code into a status.
 */
#ifndef IMAPEEK_ARCHIVE_H
#define IMAPEEK_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "conf.h"
#include "mailboxes.h"
#include "message.h"
#include "mime.h"
#include "search.h"
#include "session.h"
#include "thread.h"

struct archive;

/* conf must outlive the archive. */
struct archive *archive_new(const struct conf *conf);
/* LOGOUT and reap the imapd; NULL is fine. */
void archive_free(struct archive *archive);
/*
 * After each request: an imapd that failed or timed out is ended now
 * (killed and reaped), not at the worker's next request.  The request's
 * cancel hook is forgotten.
 */
void archive_end_request(struct archive *archive);
/*
 * For one request: cancelled(ctx) is asked before each command (each
 * fetch of a batch, each chunk of a stream) and, once true, no command is
 * sent any more: the operation fails with SESSION_CANCELLED.  A client
 * that went away costs at most the fetch in flight.
 */
void archive_set_cancel(struct archive *archive, bool (*cancelled)(void *ctx),
                        void *ctx);
/* The process's stop descriptor for every imapd session (session.h). */
void archive_set_stop_fd(struct archive *archive, int stop_fd);

/* ---- mailboxes --------------------------------------------------------- */

/* 0 when the store can be read, else -1 (mailbox_store_check). */
int archive_store_check(struct archive *archive, struct session_err *err);
/*
 * The visible mailboxes (names for URLs and the server's own), a copy of
 * the caller's.  The list is kept ARCHIVE_LIST_FRESH seconds: LIST costs
 * the server a walk of the store's folders, and mailboxes come and go
 * far more rarely than pages are asked for.  fresh asks the server
 * whatever is kept: a name not in the kept list may be a new mailbox.
 */
#define ARCHIVE_LIST_FRESH 5
int archive_mailboxes(struct archive *archive, struct mailbox_list *list,
                      bool fresh, struct session_err *err);
/* Their message counts (STATUS, answers matched by mailbox name). */
int archive_mailbox_counts(struct archive *archive, struct mailbox_list *list,
                           struct session_err *err);

/*
 * Open the mailbox for what follows (EXAMINE of entry->imap_name unless it
 * is the open one), and see new mail in a kept session (NOOP).
 */
int archive_open(struct archive *archive, const struct mailbox_entry *entry,
                 struct session_err *err);

/* What a cache validator is made of: the open mailbox's state. */
struct archive_stamp {
	uint32_t uidvalidity, exists, newest_uid;
	uint64_t highestmodseq;
	time_t newest_arrival;  /* INTERNALDATE of the newest UID, or 0 */
};
int archive_stamp(struct archive *archive, struct archive_stamp *stamp,
                  struct session_err *err);
/*
 * See new mail in a kept session (NOOP), for a page that did not ask for
 * the stamp and did not find its UID: 0 or -1.
 */
int archive_refresh(struct archive *archive, struct session_err *err);

/* ---- order, months, summaries ----------------------------------------- */

/*
 * The open mailbox's UIDs, newest first by the Date header (INTERNALDATE
 * where it has none), as UID SORT (REVERSE DATE) orders them; borrowed
 * until the next call.
 */
int archive_sorted_uids(struct archive *archive, const uint32_t **uids,
                        size_t *n, struct session_err *err);

/* A mailbox's span is cut to this many years before its newest message. */
#define ARCHIVE_MAX_YEARS 50
struct archive_months {
	int first_year, first_month;  /* the oldest message's month, 1..12 */
	int last_year, last_month;    /* the newest message's month */
	uint32_t *counts;             /* one per month, the oldest first */
	size_t n;
};
/*
 * Messages sent per month, from the oldest message's month to the
 * newest's (at most ARCHIVE_MAX_YEARS years: older dates, 1970 from a
 * broken clock, are left out of the chart, not of the index; so are dates
 * before 1970 or later than tomorrow at the ends of the order); counted by
 * SEARCH SENTSINCE/SENTBEFORE, cached with the date order.  *months is
 * NULL for an empty mailbox or one without dates; borrowed until the next
 * call.
 */
int archive_months(struct archive *archive, const struct archive_months **months,
                   struct session_err *err);
/* The UIDs sent in one month, newest first (malloc'd). */
int archive_month_uids(struct archive *archive, int year, int month,
                       uint32_t **uids, size_t *n, struct session_err *err);

/* Summaries of uids, in the order of uids (missing ones left out). */
int archive_summaries(struct archive *archive, const uint32_t *uids, size_t n,
                      struct message_info **infos, size_t *ninfos,
                      struct session_err *err);
void archive_summaries_free(struct message_info *infos, size_t n);

/* Bytes of a message's start fetched where the server has no PREVIEW. */
#define ARCHIVE_PREVIEW_BYTES_TEXT "320"
/*
 * A short text per UID, (*previews)[i] for uids[i] (NULL where none;
 * raw bytes, not yet valid UTF-8): PREVIEW where the server has it, else
 * the start of the first part.  Free with archive_previews_free.
 */
int archive_previews(struct archive *archive, const uint32_t *uids, size_t n,
                     char ***previews, struct session_err *err);
void archive_previews_free(char **previews, size_t n);
/*
 * archive_summaries and archive_previews in one: where the server has
 * PREVIEW, one FETCH for both (a search page's round trip less).  A
 * failure of the previews alone leaves them NULL.
 */
int archive_summaries_previews(struct archive *archive, const uint32_t *uids,
                               size_t n, struct message_info **infos,
                               size_t *ninfos, char ***previews,
                               struct session_err *err);

/* ---- messages ---------------------------------------------------------- */

struct archive_message {
	uint32_t uid;
	bool found;                  /* the mailbox has it */
	struct message_info info;
	struct message_parts parts;
	struct mime_body body;       /* the displayed text, part by part */
	/* Set when the text could not be read: says so to the reader. */
	const char *note;
};

/* One message with its text: 0 (msg->found tells), or -1 with err. */
int archive_message(struct archive *archive, uint32_t uid,
                    struct archive_message *msg, struct session_err *err);
/*
 * Many messages with their text: headers in one UID FETCH, texts in one
 * pipelined batch.  msgs[i].uid set by the caller.  A message that fails
 * gets a note; -1 only when the imapd fails for them all.
 */
int archive_messages(struct archive *archive, struct archive_message *msgs,
                     size_t n, struct session_err *err);
/*
 * archive_messages, and in the same round trip the summaries of other
 * messages (a message page's thread outline): also->uids and also->n set
 * by the caller, also->infos (those found, in the order of uids; freed
 * with archive_summaries_free) filled here, empty when they failed.
 */
struct archive_also {
	const uint32_t *uids;
	size_t n;
	struct message_info *infos;
	size_t ninfos;
};
int archive_messages_also(struct archive *archive, struct archive_message *msgs,
                          size_t n, struct archive_also *also,
                          struct session_err *err);
/*
 * archive_messages_also in two steps, for a page that asks before it
 * knows whether the mailbox changed: the gateway's stamp (its NOOP) goes
 * after these FETCHes, and the page costs the imapd one round trip.
 * archive_messages_send writes the FETCHes (msgs[i].uid, also->uids) and
 * notes the open mailbox's state; archive_messages_collect reads them
 * into msgs and also: 0, -1 with err, or 1 when the mailbox has changed
 * since they were sent (what the caller planned from the old state, such
 * as an outline's UIDs, may be wrong: it plans again and asks with
 * archive_messages_also).  archive_pending_free reads and drops what was
 * not collected; pending is the caller's either way.
 */
struct archive_pending;
struct archive_pending *archive_messages_send(struct archive *archive,
                                              const struct archive_message *msgs,
                                              size_t n, const struct archive_also *also);
int archive_messages_collect(struct archive *archive, struct archive_pending *pending,
                             struct archive_message *msgs, size_t n,
                             struct archive_also *also, struct session_err *err);
void archive_pending_free(struct archive *archive, struct archive_pending *pending);
void archive_message_release(struct archive_message *msg);

/*
 * The message's exact bytes, appended to out, and its summary in info
 * unless NULL: 1, 0 when there is none, -1.
 */
int archive_raw(struct archive *archive, uint32_t uid, struct message_info *info,
                struct buf *out, struct session_err *err);
/*
 * Many messages' summaries and exact bytes, for exports, handed to take()
 * in the order of uids, a piece at a time, with a bound on what is held
 * whatever the messages' sizes: their RFC822.SIZE first (a FETCH per
 * ARCHIVE_RAW_SIZES messages), then a UID FETCH per batch of at most
 * ARCHIVE_RAW_BATCH messages and ARCHIVE_RAW_BATCH_BYTES bytes; a longer
 * message comes alone, ARCHIVE_RAW_PIECE bytes at a time.  A batch the
 * imapd cannot answer is asked for again message by message; a message
 * that still fails, or is gone, is left out (and logged).  0; -1 when
 * the imapd cannot be started again, or take() returned -1.
 */
#define ARCHIVE_RAW_SIZES 256
#define ARCHIVE_RAW_BATCH 32
#define ARCHIVE_RAW_BATCH_BYTES (1024 * 1024)
#define ARCHIVE_RAW_PIECE (512 * 1024)
struct archive_raw_piece {
	const struct message_info *info;
	struct str bytes;
	bool first, last;   /* the message's first piece; its last */
};
int archive_raws(struct archive *archive, const uint32_t *uids, size_t n,
                 int (*take)(void *ctx, const struct archive_raw_piece *piece),
                 void *ctx, struct session_err *err);
/*
 * A piece of the message's exact bytes, [offset, offset + len), appended
 * to out (BODY.PEEK[]<offset.len>): a message of any size is streamed a
 * piece at a time, never held whole.  A piece shorter than len is the
 * last one.  1, 0 when there is no such message, -1.
 */
int archive_raw_chunk(struct archive *archive, uint32_t uid, uint64_t offset,
                      size_t len, struct buf *out, struct session_err *err);
/* What a raw message's head needs besides its bytes. */
struct archive_raw_meta {
	uint64_t size;    /* RFC822.SIZE; 0 when the server gives none */
	time_t arrived;   /* INTERNALDATE (its Last-Modified); 0: none */
};
/*
 * Its first piece, RFC822.SIZE and INTERNALDATE in one command: a message
 * no longer than len arrives whole in one round trip.  1, 0 when there is
 * no such message, -1.
 */
int archive_raw_first(struct archive *archive, uint32_t uid, size_t len,
                      struct buf *out, struct archive_raw_meta *meta,
                      struct session_err *err);
/*
 * The parts of a message (BODYSTRUCTURE) and its arrival (INTERNALDATE,
 * 0 when not given): 1, 0 when there is none, -1.
 */
int archive_parts(struct archive *archive, uint32_t uid,
                  struct message_parts *parts, time_t *arrived,
                  struct session_err *err);
/* Encoded bytes [offset, offset + len) of a part, appended: 0 or -1. */
int archive_part_chunk(struct archive *archive, uint32_t uid,
                       const char *section, uint64_t offset, size_t len,
                       struct buf *out, struct session_err *err);

/*
 * Lengths without the bytes, for HEAD.  The message's meta (RFC822.SIZE,
 * the length of its exact bytes, and INTERNALDATE) and its Content-Type
 * field as a header block, appended to content_type (what a GET finds at
 * the top of the bytes): 1, 0 when there is no such message, -1.
 * A part's decoded length (what /MBOX/UID/SECTION sends): its size in
 * the BODYSTRUCTURE when its encoding leaves the bytes as they are,
 * BINARY.SIZE for base64 and quoted-printable where the server has
 * BINARY; 1 and *size, 0 when that is not known without the bytes, -1.
 */
int archive_raw_size(struct archive *archive, uint32_t uid,
                     struct archive_raw_meta *meta, struct buf *content_type,
                     struct session_err *err);
int archive_part_size(struct archive *archive, uint32_t uid,
                      const struct message_part *part, uint64_t *size,
                      struct session_err *err);

/* ---- search, threads, Message-IDs ------------------------------------- */

struct archive_hits {
	uint32_t *uids;        /* the hits asked for, newest first */
	size_t n;
	uint64_t total;        /* all hits */
};
/* Hits from offset (newest first, or oldest), at most limit (SIZE_MAX: all). */
int archive_search(struct archive *archive, const struct search_query *query,
                   bool oldest_first, size_t offset, size_t limit,
                   struct archive_hits *hits,
                   struct session_err *err);
void archive_hits_release(struct archive_hits *hits);

/* The open mailbox's threads, newest activity first; borrowed. */
int archive_threads(struct archive *archive, const struct thread_forest **forest,
                    struct session_err *err);

/* The lowest UID of the open mailbox with exactly msgid; 0 if none. */
int archive_find_msgid(struct archive *archive, const char *msgid,
                       uint32_t *uid, struct session_err *err);

/* The open mailbox's UIDVALIDITY (0 when none is open). */
uint32_t archive_uidvalidity(const struct archive *archive);

/* True once the imapd failed: the request cannot go on with it. */
bool archive_broken(const struct archive *archive);

#endif
