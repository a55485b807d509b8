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
#include "rfc2045.h"

/* Bounds on what a message may make us do. */
#define MIME_MAX_PARTS 10000
#define MIME_MAX_DEPTH 64
#define MIME_MAX_TEXT_PARTS 32

/* The parts of a FETCH's BODYSTRUCTURE.  0 or -1 (none in it). */
struct imap_fetch;
int mime_parts_from_view(const struct imap_fetch *view,
                         struct message_parts *parts);
/*
 * What a download of part (its decoded bytes) comes to, as near as its
 * encoded size tells without the bytes: the size itself for 7bit, 8bit
 * and binary, and at most for quoted-printable; for base64 three
 * quarters of its text less the line ends (76 characters and CRLF a
 * line, RFC 2045 6.8): within a few bytes, padding and other line
 * lengths aside.
 */
uint64_t mime_decoded_size_estimate(const struct message_part *part);

/* A part's transfer encoding (absent or empty: 7bit, RFC 2045 6.1). */
enum rfc2045_cte mime_part_cte(const struct message_part *part);

/* The part with this section, or NULL. */
const struct message_part *mime_find_part(const struct message_parts *parts,
                                          const char *section);

/*
 * The displayed body of the message, part by part, and as one plain text
 * (the JSON "text": parts joined by blank lines, "\n" line ends, an
 * embedded message's From/To/Cc/Date/Subject as header lines before its
 * text).
 */
enum mime_segment_kind {
	MIME_SEGMENT_TEXT,      /* UTF-8 text: plain, flowed joined, HTML as text */
	MIME_SEGMENT_MARKDOWN,  /* text/markdown source */
	MIME_SEGMENT_MESSAGE,   /* an embedded message's headers, as text */
	MIME_SEGMENT_NOTE,      /* a note of ours about the part before */
};

struct mime_segment {
	enum mime_segment_kind kind;
	const struct message_part *part;  /* borrowed from the parts */
	struct buf text;
};

struct mime_body {
	struct mime_segment *items;
	size_t n;
	struct buf text;
};

/*
 * The FETCH items that bring the displayed parts' bytes, "(BODY.PEEK[1]
 * BINARY.PEEK[2])", appended to items; binary asks the server to undo
 * base64 and quoted-printable (RFC 3516).  Returns how many parts.
 */
size_t mime_body_items(const struct message_parts *parts, bool binary,
                       struct buf *items);
/* The body from the FETCH that answered those items (NULL: no text). */
void mime_body_from_fetch(const struct imap_fetch *fetch,
                          const struct message_parts *parts,
                          struct mime_body *body);
void mime_body_release(struct mime_body *body);
/* An embedded message's headers as "Name: value" lines (appended). */
void mime_embedded_headers(const struct message_info *info, struct buf *out);

/* The bytes of BODY[section] in a FETCH; p == NULL when absent. */
struct str mime_fetch_section(const struct imap_fetch *view, const char *section);

/* Undo the part's Content-Transfer-Encoding (appends to out). */
void mime_decode_body(const struct message_part *part, struct str raw,
                      struct buf *out);
/* A decoded text part as UTF-8 text for a reader (appends to out). */
void mime_text_to_utf8(const struct message_part *part, struct str decoded,
                       struct buf *out);

#endif
