/*
 * A message as the pages show it: decoded header fields (RFC 2047, charsets,
 * dates in UTC) and, for the message page, its parts and displayed text.
 * Built from the typed views of a FETCH response; every string is UTF-8
 * and owned by the struct.
 */
#ifndef IMAPEEK_MESSAGE_H
#define IMAPEEK_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "imap_parse.h"
#include "session.h"

struct message_addr {
	char *name;     /* decoded display name, or NULL */
	/*
	 * mailbox@host as the mail had it: "foo" without a domain, "@bar"
	 * without a local part, "" with neither; never a server's
	 * placeholder (MISSING_DOMAIN and the like).
	 */
	char *address;
};

struct message_addrs {
	struct message_addr *items;
	size_t n;
};

struct message_info {
	uint32_t uid;
	uint32_t seq;
	char *message_id;       /* without <>, or NULL */
	char *subject;          /* decoded, "" when absent */
	time_t date;            /* the Date header, else INTERNALDATE */
	bool has_date;
	time_t internaldate;
	struct message_addrs from, to, cc;
	char *in_reply_to;      /* first id, without <>, or NULL */
	char **references;      /* ids without <> */
	size_t nreferences;
	char *list_post;        /* List-Post's mailto address (RFC 2369), or NULL */
};

/*
 * A summary's header fields come as BODY.PEEK[HEADER.FIELDS (...)], read
 * here (rfc5322.h), not as an ENVELOPE: Dovecot keeps these fields in its
 * cache but builds each ENVELOPE by parsing them again, on every FETCH.
 * Measured on openbmc, one imapd, 50 messages a FETCH: 1.29 ms of its CPU
 * with ENVELOPE, 0.67 ms with the fields (0.33 ms without either).
 */
#define MESSAGE_SUMMARY_FIELDS \
	"HEADER.FIELDS (DATE SUBJECT FROM TO CC MESSAGE-ID IN-REPLY-TO)"
/* The FETCH items message_info_from_fetch() reads. */
#define MESSAGE_INFO_ITEMS \
	"(UID INTERNALDATE BODY.PEEK[" MESSAGE_SUMMARY_FIELDS "])"
/* A message page's header fields: a summary's and the thread's. */
#define MESSAGE_HEADER_FIELDS                                          \
	"HEADER.FIELDS (DATE SUBJECT FROM TO CC MESSAGE-ID IN-REPLY-TO " \
	"REFERENCES LIST-POST)"
/* A message page's items, and more ("" or " ITEM ..."). */
#define MESSAGE_DETAIL_ITEMS_WITH(more)                                   \
	"(UID INTERNALDATE BODYSTRUCTURE "                                \
	"BODY.PEEK[" MESSAGE_HEADER_FIELDS "]" more ")"

/* An INTERNALDATE ("dd-Mon-yyyy hh:mm:ss +zzzz") as a time: 0 or -1. */
int message_parse_internaldate(struct str text, time_t *out);
/* 0, or -1 when the response is not a FETCH with a UID. */
struct imap_fetch;
int message_info_from_view(struct message_info *info,
                           const struct imap_fetch *view);
int message_info_from_fetch(struct message_info *info,
                            const struct imap_response *fetch);
void message_info_release(struct message_info *info);
/* A deep copy of from into to (its seq 0: a copy outlives its session). */
void message_info_copy(struct message_info *to, const struct message_info *from);
/* The one of infos[0..n) with that UID, or NULL. */
const struct message_info *message_info_find(const struct message_info *infos,
                                             size_t n, uint32_t uid);
/* Fill info's header fields from an ENVELOPE (an embedded message's). */
struct imap_envelope;
void message_info_take_envelope(struct message_info *info,
                                const struct imap_envelope *env);

/* A part the page lists: what the BODYSTRUCTURE says of it. */
struct message_part {
	char *section;          /* "1", "2.1" */
	char *type;             /* "text/plain", lower case */
	char *charset;          /* or NULL */
	char *filename;         /* decoded, or NULL */
	char *encoding;         /* content-transfer-encoding, lower case */
	uint64_t size;          /* encoded size as the server says */
	bool flowed, delsp;     /* format=flowed (RFC 3676), DelSp=yes */
	unsigned depth;         /* nesting: 0 for the message's own parts */
	bool displayed;         /* its text is part of the message's text */
	bool attachment;        /* Content-Disposition: attachment */
	/* message/rfc822 shown inline: its headers (from its ENVELOPE), else NULL */
	struct message_info *embedded;
};

struct message_parts {
	struct message_part *items;
	size_t n;
};

void message_parts_release(struct message_parts *parts);

/* An RFC 3339 UTC date: 2020-01-02T03:04:05Z. */
void message_format_date(struct buf *out, time_t when);

#endif
