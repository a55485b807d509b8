/*
 * Message threads: RFC 5256 THREAD=REFERENCES computed on our side, for
 * imapds that cannot thread (GNU Mailutils), and a converter for the
 * THREAD answers of those that can, both giving the same forest.
 *
 * thread_build() follows RFC 5256 section 3 (REFERENCES, which is JWZ's
 * algorithm with fixed rules) the way Dovecot implements it, so that the
 * forest equals Dovecot's "UID THREAD REFERENCES UTF-8 ALL" on the same
 * mail; the details are in thread.c next to each step.
 *
 * A forest is a list of threads (root nodes); a node is a message (uid) or
 * a placeholder (uid 0) for a common parent that is not in the set, which
 * RFC 5256 keeps only at the top of a thread with several children.
 * Children are ordered by sent date, then by uid.
 */
#ifndef IMAPEEK_THREAD_H
#define IMAPEEK_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"

/* References taken per message: the last ones, as they name the parent. */
#define THREAD_MAX_REFS 256
/* Messages accepted by thread_build(). */
#define THREAD_MAX_MESSAGES (1u << 24)
/* Nesting of lists accepted in a THREAD answer. */
#define THREAD_MAX_NESTING 4096

/*
 * One message, as its headers say.  The msg-id fields are raw header
 * values ("<a@b> <c@d>", folding allowed); subject is the Subject decoded
 * to UTF-8 (RFC 2047 done by the caller), STR_NULL when there is none;
 * date is the sent date (Date:), or INTERNALDATE when Date is missing or
 * unparsable (RFC 5256 section 2.2).  from is a display name or an
 * address, for callers that want one (may be STR_NULL).
 */
struct thread_msg {
	uint32_t uid;
	struct str message_id;
	struct str in_reply_to;
	struct str references;
	struct str subject;
	struct str from;
	time_t date;
};

/*
 * A forest is rows, a thread after another, each thread in display order
 * (a parent before its children, children in order) with each row's
 * depth; a thread is a span of them.  With the index by UID that is 12
 * bytes a message and 12 a thread, where linked nodes took 44 a message
 * (at 832,300 messages, about 13 MB instead of 37).
 */
struct thread_row {
	uint32_t uid;              /* 0: a placeholder for a missing parent */
	uint32_t depth;            /* the thread's first row (its root) is 0 */
};

struct thread {
	uint32_t first;            /* its first row */
	uint32_t count;            /* its rows, placeholders included */
	uint32_t newest_uid;       /* its newest message (thread_sort_newest) */
};

struct thread_forest {
	struct thread *threads;    /* in RFC 5256 order until sorted */
	size_t nthreads;
	size_t nmessages;          /* rows that are messages */
	/* private */
	struct thread_row *rows;   /* the threads' rows, in the order of threads */
	size_t nrows, rows_cap, threads_cap;
	time_t *dates;             /* a date a row, until thread_sort_newest */
	uint32_t *by_uid;          /* rows of messages by uid (thread_index_uids) */
	size_t nby_uid;
};

void thread_forest_init(struct thread_forest *forest);
void thread_forest_release(struct thread_forest *forest);

/*
 * RFC 5256 REFERENCES over msgs[0..count), which must be in ascending uid
 * order (a duplicate Message-ID belongs to the lowest uid).  The forest is
 * emptied first.  Returns 0, or -1 for bad input (order, too many).
 */
int thread_build(struct thread_forest *forest, const struct thread_msg *msgs,
                 size_t count);

/*
 * The forest from an IMAP THREAD answer: data is what follows "THREAD" in
 * "* THREAD (2)(3 6 (4 23)(44 7 96))" (RFC 5256 section 4), a list
 * starting with a list being a placeholder.  Returns 0, or -1 if data is
 * not a thread list.  The forest is emptied first.
 */
int thread_from_imap(struct thread_forest *forest, struct str data);

/*
 * Dates for the rows of a forest from thread_from_imap(), from msgs
 * (sorted by uid); a row whose uid is not there gets 0.
 */
void thread_attach(struct thread_forest *forest, const struct thread_msg *msgs,
                   size_t count);

/*
 * Dates for a forest from thread_from_imap() without a header of the
 * mailbox: newest_first is its date order (UID SORT (REVERSE DATE)), and
 * a message's date becomes its place in it counted from the oldest (1).
 * Rows not in it get 0.  The uids must be indexed (thread_index_uids)
 * first.  O(n log n).
 */
void thread_date_by_rank(struct thread_forest *forest, const uint32_t *newest_first,
                         size_t count);

/*
 * Newest activity first: order threads by their newest date, then uid,
 * and let the dates go (thread_build's, thread_attach's or
 * thread_date_by_rank's; without them, by uid).  An index by uid, when
 * there is one, is made again for the new order.
 */
void thread_sort_newest(struct thread_forest *forest);

/*
 * The rows of thread, a copy: display order (a parent before its children,
 * children in order), placeholders included.  *rows is allocated, the
 * caller frees it; returns the number of rows.
 */
size_t thread_flatten(const struct thread_forest *forest, const struct thread *thread,
                      struct thread_row **rows);

/*
 * The forest as an RFC 5256 thread list, "(1 2 (3)(4))((5)(6))", the
 * answer Dovecot gives to UID THREAD: for comparisons and tests.
 */
void thread_format(const struct thread_forest *forest, struct buf *out);

/*
 * Index the forest's messages by uid, once it is built, so that
 * thread_find takes O(log n) and not a walk of the whole mailbox.
 */
void thread_index_uids(struct thread_forest *forest);

/* The highest uid in an indexed forest (thread_index_uids), 0 if none. */
uint32_t thread_newest_uid(const struct thread_forest *forest);

/* The thread that holds uid, or NULL. */
const struct thread *thread_find(const struct thread_forest *forest, uint32_t uid);

/*
 * RFC 5256 section 2.1 base subject, of a subject already decoded to UTF-8:
 * whitespace packed, "(fwd)" trailers, "Re:", "Fw:", "Fwd:", "[blob]"
 * leaders and "[fwd: ...]" removed; ASCII upper-cased as Dovecot's
 * i;unicode-casemap does (other letters are left as they are).  out is
 * replaced; *reply_or_forward tells whether a Re/Fwd marker was removed.
 */
void thread_base_subject(struct str subject, struct buf *out,
                         bool *reply_or_forward);

/*
 * The next valid msg-id in *rest ("<left@right>"), without the angle
 * brackets and with white space removed, appended to out after a reset.
 * Returns false when there is none; *rest advances past what was read.
 */
bool thread_next_msgid(struct str *rest, struct buf *out);

#endif
