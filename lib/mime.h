/*
 * The MIME structure of a message as the pages show it: which parts there
 * are (from BODYSTRUCTURE), which of them make up the text a reader sees,
 * and how their bytes become UTF-8 text (transfer encoding, charset,
 * format=flowed, HTML as text).
 *
 * What is displayed: in multipart/alternative the text/plain part (else
 * the best other text); in multipart/mixed and multipart/related every
 * inline text part, in order; message/rfc822 recursively; in
 * multipart/signed the signed part.  Everything else is listed only.
 */
#ifndef IMAPEEK_MIME_H
#define IMAPEEK_MIME_H

#include <stdint.h>

#include "buf.h"
#include "imap_parse.h"
#include "message.h"
#include "session.h"

/* Bounds on what a message may make us do. */
#define MIME_MAX_PARTS 10000
#define MIME_MAX_DEPTH 64
#define MIME_MAX_TEXT_PARTS 32

/* The parts of a FETCH's BODYSTRUCTURE.  0 or -1 (none in it). */
struct imap_fetch;
int mime_parts_from_view(const struct imap_fetch *view,
                         struct message_parts *parts);
/* The part with this section, or NULL. */
const struct message_part *mime_find_part(const struct message_parts *parts,
                                          const char *section);

/*
 * The displayed text of the message: the displayed parts fetched in one
 * command and decoded, joined by blank lines, "\n" line ends.
 */
int mime_fetch_text(struct session *session, uint32_t uid,
                    const struct message_parts *parts, struct buf *text,
                    struct session_err *err);

/* The bytes of BODY[section] in a FETCH; p == NULL when absent. */
struct str mime_fetch_section(const struct imap_fetch *view, const char *section);

/* Undo the part's Content-Transfer-Encoding (appends to out). */
void mime_decode_body(const struct message_part *part, struct str raw,
                      struct buf *out);
/* A decoded text part as UTF-8 text for a reader (appends to out). */
void mime_text_to_utf8(const struct message_part *part, struct str decoded,
                       struct buf *out);

#endif
