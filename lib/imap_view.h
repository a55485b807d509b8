/*
 * Typed views of parsed IMAP responses (imap_parse.h).  A view is read
 * from the tree, never from text, and borrows: every struct str in it
 * points into the response, which must outlive the view.  Release
 * functions free only what the view allocated itself (arrays, body trees).
 */
#ifndef IMAPEEK_IMAP_VIEW_H
#define IMAPEEK_IMAP_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "imap_parse.h"

/* ENVELOPE's address: (name adl mailbox host); groups per RFC 3501 7.4.2. */
struct imap_address {
	struct str name, adl, mailbox, host;  /* p == NULL for NIL */
	bool group_start;  /* host NIL, mailbox = group name */
	bool group_end;    /* mailbox and host NIL */
};

struct imap_address_list {
	struct imap_address *items;
	size_t n;
};

struct imap_envelope {
	struct str date, subject, in_reply_to, message_id;  /* NULL p: NIL */
	struct imap_address_list from, sender, reply_to, to, cc, bcc;
};

/* Bounds on what a BODYSTRUCTURE may make us build. */
#define IMAP_BODY_MAX_PARTS 10000
#define IMAP_BODY_MAX_DEPTH 200

struct imap_param {
	struct str name, value;
};

struct imap_params {
	struct imap_param *items;
	size_t n;
};

struct imap_body {
	struct str type, subtype;       /* as sent; compare case-insensitively */
	struct imap_params params;      /* Content-Type parameters */
	struct str id, description, encoding;
	uint64_t size;                  /* octets, encoded */
	uint64_t lines;                 /* text and message/rfc822 parts */
	struct str md5;
	struct str disposition;         /* "attachment", "inline" or NULL p */
	struct imap_params disposition_params;
	struct str location;
	char *section;                  /* "1", "2.1"; "" for a top multipart */
	unsigned depth;
	/* multipart: the parts; message/rfc822: one child, the body. */
	struct imap_body *children;
	size_t nchildren;
	struct imap_envelope *envelope; /* message/rfc822 */
};

/* One "* N FETCH (...)" with the items it carried. */
struct imap_fetch {
	uint32_t seq;
	bool has_uid;
	uint32_t uid;
	bool has_internaldate;
	time_t internaldate;
	uint64_t rfc822_size;
	uint64_t modseq;
	const struct imap_node *flags;   /* the FLAGS list, or NULL */
	struct imap_envelope *envelope;  /* or NULL */
	struct imap_body *body;          /* BODYSTRUCTURE, or NULL */
	const struct imap_node *atts;    /* the msg-att list, for the rest */
};

/* 0, or -1 when the response is no FETCH (or its items are malformed). */
int imap_view_fetch(const struct imap_response *response,
                    struct imap_fetch *fetch);
void imap_fetch_release(struct imap_fetch *fetch);
/*
 * The nstring of item[section] ("BODY", "HEADER.FIELDS (REFERENCES)";
 * "BINARY", "1.2"; section "" for BODY[]); p == NULL when absent or NIL.
 */
struct str imap_fetch_body(const struct imap_fetch *fetch, const char *item,
                           const char *section);

int imap_view_envelope(const struct imap_node *list,
                       struct imap_envelope *envelope);
void imap_envelope_release(struct imap_envelope *envelope);

/* The BODYSTRUCTURE list as a tree with section numbers.  0 or -1. */
int imap_view_body(const struct imap_node *list, struct imap_body **body);
void imap_body_free(struct imap_body *body);
/* A parameter's value by name (case-insensitive), p == NULL if absent. */
struct str imap_params_get(const struct imap_params *params, const char *name);

/* "* LIST (flags) delimiter name": name decoded to UTF-8. */
struct imap_list_entry {
	char *name;          /* UTF-8 (modified UTF-7 decoded unless utf8) */
	char delimiter;      /* 0 for NIL */
	bool selectable;     /* no \Noselect, \NonExistent */
	const struct imap_node *flags;
};

int imap_view_list(const struct imap_response *response, bool utf8,
                   struct imap_list_entry *entry);
void imap_list_entry_release(struct imap_list_entry *entry);

/* "* STATUS name (MESSAGES n UIDNEXT n ...)". */
struct imap_status_info {
	bool has_messages, has_uidnext, has_uidvalidity, has_unseen;
	uint32_t messages, uidnext, uidvalidity, unseen;
	bool has_highestmodseq;
	uint64_t highestmodseq;
};

int imap_view_status(const struct imap_response *response,
                     struct imap_status_info *status);

#endif
