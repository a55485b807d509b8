/*
 * Reading an mbox held in memory: split it into messages and undo the
 * quoting of "From " lines, for imapeek-import.  The writer is mboxrd.c.
 *
 * A separator is a line that starts with "From " and goes on with one
 * word (the envelope sender, "-" for Netscape) followed by nothing or by
 * a date that holds a time of day ("Fri Mar 29 14:07:21 2019").  A
 * correct mboxo or mboxrd writer quotes every other line that starts with
 * "From ", so the separators of such a file are all its "From " lines.
 * The word and the time keep an unquoted body line like "From Russia with
 * love" (files written without quoting) inside its message.  No empty
 * line is needed before a separator: Netscape wrote none.
 *
 * A message is every byte after its separator's line end up to the next
 * separator, less the one empty line ("\n" or "\r\n") the writer put
 * before that separator (or before the end of the file), if there is one;
 * line ends stay as they are.  Content-Length headers are not used.  A
 * UTF-8 byte order mark before the first separator is skipped.
 *
 * Unquoting, line by line: mboxrd removes one '>' from a line that
 * matches ^>+From  (">From " gives "From ", ">>From " gives ">From "),
 * mboxo removes the '>' of a line that starts with ">From " only (">>From "
 * stays).
 */
#ifndef IMAPEEK_MBOXSPLIT_H
#define IMAPEEK_MBOXSPLIT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

enum mboxsplit_format {
	MBOXSPLIT_MBOXRD,
	MBOXSPLIT_MBOXO,
	MBOXSPLIT__MAX
};

/* "mboxrd", "mboxo" */
extern const char *const mboxsplit_format_names[MBOXSPLIT__MAX];

struct mboxsplit {
	/* private */
	const char *data;
	size_t len, pos;
};

struct mboxsplit_msg {
	struct str separator; /* the "From " line, without its line end */
	struct str raw;       /* the message as stored: still quoted */
};

/*
 * Start reading data[0..len), which must outlive the reader: 0, or -1
 * when it is neither empty nor starts with a separator (not an mbox).
 */
int mboxsplit_init(struct mboxsplit *reader, const char *data, size_t len);
/* The next message: 1 and *msg, or 0 after the last one. */
int mboxsplit_next(struct mboxsplit *reader, struct mboxsplit_msg *msg);
/* line (without its line end) as a separator, where one may start. */
bool mboxsplit_is_separator(struct str line);
/* The message's bytes before the writer quoted them, appended to out. */
void mboxsplit_unquote(struct buf *out, struct str raw,
                       enum mboxsplit_format format);

#endif
