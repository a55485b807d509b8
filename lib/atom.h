/*
 * An Atom 1.0 feed writer (RFC 4287) with RFC 4685 threading, into a buf.
 *
 * Entry ids: a message's id is the RFC 2392 "mid:" URI of its Message-ID
 * (atom_id_msgid): the same message keeps its id whatever mailbox, UID
 * or re-import it comes through, which is what a feed reader needs to
 * not show it twice, and thr:in-reply-to can name a parent by its
 * In-Reply-To alone.  A message without a Message-ID gets a "tag:" URI
 * (RFC 4151) from the site's host name, the mailbox, UIDVALIDITY and UID
 * (atom_id_uid), stable as long as the mailbox's UIDVALIDITY is.
 *
 * Every text and attribute is escaped here (& < > " '); characters XML 1.0
 * forbids (C0 controls but tab, LF, CR; U+FFFE, U+FFFF) are dropped and
 * invalid UTF-8 becomes U+FFFD, so mail text can never break the document.
 */
#ifndef IMAPEEK_ATOM_H
#define IMAPEEK_ATOM_H

#include <stdint.h>
#include <time.h>

#include "buf.h"

struct atom_feed {
	struct str id;            /* an absolute IRI, usually the self URL */
	struct str title;
	time_t updated;
	struct str self_url;      /* absolute URL of the feed */
	struct str alternate_url; /* absolute URL of the HTML page */
};

struct atom_entry {
	struct str id;            /* from atom_id_msgid() or atom_id_uid() */
	struct str title;         /* the subject, decoded */
	time_t updated;           /* the message's date */
	struct str author_name;   /* may be empty */
	struct str author_email;  /* may be empty */
	struct str link;          /* absolute URL of the message page */
	struct str summary;       /* text, or empty: no <summary> */
	struct str content;       /* text, or empty: no <content> */
	struct str in_reply_to;   /* id of the parent entry, or empty */
	struct str in_reply_to_href; /* the parent's page, or empty */
};

void atom_begin(struct buf *out, const struct atom_feed *feed);
void atom_add_entry(struct buf *out, const struct atom_entry *entry);
void atom_end(struct buf *out);

/* XML-escaped text, good in element content and in quoted attributes. */
void atom_escape(struct buf *out, struct str text);

/* "mid:" + the Message-ID without <> percent-encoded (RFC 2392). */
void atom_id_msgid(struct buf *out, struct str message_id);
/* "tag:HOST,2000:MAILBOX/UIDVALIDITY/UID", MAILBOX percent-encoded. */
void atom_id_uid(struct buf *out, struct str host, struct str mailbox,
                 uint32_t uidvalidity, uint32_t uid);

/* RFC 3339 in UTC: 2020-01-31T12:00:00Z */
void atom_date(struct buf *out, time_t when);

#endif
