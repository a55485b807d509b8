/*
 * A streaming mboxrd writer (the "mboxrd" of qmail's mbox(5) and
 * RFC 4155's family): each message is a "From SENDER DATE" line, the
 * message with every line that matches ^>*From  given one more '>', and
 * an empty line.  A reader removes one '>' from such lines and gets the
 * message back byte for byte, except that:
 *
 *   - CRLF line ends become LF, as mbox files are text files with Unix line
 *     ends (a lone CR is kept);
 *   - a message that does not end with a line end gets one.
 *
 * The message may come in pieces of any size (IMAP literals, partial
 * fetches); quoting state carries across pieces, so a "From " split over
 * two pieces, or a CR and its LF, are handled like any other.  Memory is
 * constant: the writer holds the count of '>' of a line start, not bytes.
 */
#ifndef IMAPEEK_MBOXRD_H
#define IMAPEEK_MBOXRD_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"

struct mboxrd {
	/* private */
	bool line_start;    /* the next byte starts a line */
	bool in_prefix;     /* at a line start that still matches ^>*From  */
	size_t quotes;      /* '>' seen in that prefix */
	size_t from_len;    /* bytes of "From " matched after them */
	bool cr;            /* a CR is held, waiting to see if LF follows */
};

/*
 * The envelope sender for the From line: the address of Return-Path, else
 * the address of From, else (none, "<>", or anything with blanks or
 * controls, which would break the line) MAILER-DAEMON.  out is replaced.
 */
void mboxrd_sender(struct str return_path, struct str from, struct buf *out);

/* Start a message: "From SENDER Www Mmm dd hh:mm:ss yyyy" (UTC) and LF. */
void mboxrd_begin(struct mboxrd *writer, struct buf *out, struct str sender,
                  time_t date);
/* The next piece of the message's bytes, quoted, appended to out. */
void mboxrd_feed(struct mboxrd *writer, struct buf *out, const char *data,
                 size_t len);
/* End the message: what is held, a last line end if missing, a blank line. */
void mboxrd_end(struct mboxrd *writer, struct buf *out);

#endif
