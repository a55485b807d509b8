/*
 * Typed views of parsed IMAP responses (imap_parse.h): FETCH with
 * ENVELOPE and BODYSTRUCTURE, FLAGS, LIST/LSUB, STATUS, SEARCH, SORT,
 * ESEARCH, THREAD, numbered data (EXISTS, EXPUNGE), CAPABILITY and
 * response codes.  Views are built from the tree, never by re-parsing text.
 *
 * Memory: every struct str in a view borrows from the imap_response it was
 * built from (the response must outlive the view, as it does when both live
 * for one request); every array, char * and nested struct is owned by the
 * view and freed by its *_release().  A function that fails (-1) leaves
 * nothing to release.
 *
 * Servers vary: NIL where a string is expected, missing extension data,
 * numbers sent as strings.  The views take what is there and leave the
 * rest empty (STR_NULL, 0, has_* false) instead of failing.
 */
#ifndef IMAPEEK_IMAP_VIEW_H
#define IMAPEEK_IMAP_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "imap_parse.h"

/* Bounds on what a server can make us build. */
#define IMAP_VIEW_MAX_PARTS 10000      /* BODYSTRUCTURE parts */
#define IMAP_VIEW_MAX_BODY_DEPTH 256   /* nested multiparts and messages */

/* Why a view failed, for the log. */
struct imap_view_err {
	char message[128];
};

/* ---- what a response is ----------------------------------------------- */

enum imap_view_kind {
	IMAP_VIEW_OTHER,
	IMAP_VIEW_STATUS,      /* OK/NO/BAD/BYE/PREAUTH, tagged or not */
	IMAP_VIEW_CONTINUATION,
	IMAP_VIEW_FETCH,
	IMAP_VIEW_EXISTS,
	IMAP_VIEW_EXPUNGE,
	IMAP_VIEW_RECENT,
	IMAP_VIEW_FLAGS,
	IMAP_VIEW_LIST,
	IMAP_VIEW_LSUB,
	IMAP_VIEW_STATUS_DATA, /* "* STATUS mailbox (...)" */
	IMAP_VIEW_SEARCH,
	IMAP_VIEW_ESEARCH,
	IMAP_VIEW_SORT,
	IMAP_VIEW_THREAD,
	IMAP_VIEW_CAPABILITY,
	IMAP_VIEW_ENABLED,
	IMAP_VIEW_KIND__MAX
};

enum imap_view_kind imap_view_kind(const struct imap_response *response);
/* "* BYE ...": the server is about to close the connection. */
bool imap_view_is_bye(const struct imap_response *response);

/* "* N NAME" (EXISTS, EXPUNGE, RECENT): 0 and *number, or -1. */
int imap_view_numbered(const struct imap_response *response, const char *name,
                       uint32_t *number);

/*
 * Response codes, "[NAME args]" of a status response.  imap_view_code()
 * returns the first argument node after the name (NULL if none) through
 * *args and true when the code is NAME (READ-ONLY, ALERT, ...).
 */
bool imap_view_code(const struct imap_response *response, const char *name,
                    const struct imap_node **args);
/* [UIDVALIDITY n], [UIDNEXT n], [HIGHESTMODSEQ n], [UNSEEN n]: 0 or -1. */
int imap_view_code_number(const struct imap_response *response, const char *name,
                          uint64_t *value);

/* ---- CAPABILITY ------------------------------------------------------- */

struct imap_caps {
	struct str *names; /* as sent: IMAP4rev1, AUTH=PLAIN, THREAD=REFERENCES */
	size_t n;
};

/* From "* CAPABILITY ..." or from a status response's [CAPABILITY ...]. */
int imap_view_capability(const struct imap_response *response, struct imap_caps *caps);
bool imap_caps_has(const struct imap_caps *caps, const char *name);
void imap_caps_release(struct imap_caps *caps);

/* ---- FLAGS ------------------------------------------------------------ */

struct imap_flags {
	struct str *flags; /* \Seen, $Forwarded, as sent */
	size_t n;
};

/* "* FLAGS (...)". */
int imap_view_flags(const struct imap_response *response, struct imap_flags *flags);
/* Any flag list node, e.g. FETCH FLAGS or LIST attributes. */
int imap_flags_from_list(const struct imap_node *list, struct imap_flags *flags);
bool imap_flags_has(const struct imap_flags *flags, const char *flag);
void imap_flags_release(struct imap_flags *flags);

/* ---- LIST / LSUB ------------------------------------------------------ */

struct imap_list_entry {
	struct imap_flags flags;  /* \Noselect, \HasChildren, \Sent, ... */
	char delimiter;           /* hierarchy delimiter; 0 for NIL */
	bool selectable;          /* neither \Noselect nor \NonExistent */
	char *name;               /* UTF-8, owned */
	struct str raw_name;      /* as sent (modified UTF-7 unless UTF8=ACCEPT) */
	bool lsub;
};

/*
 * "* LIST (flags) delim name" or LSUB.  The name is decoded from modified
 * UTF-7 unless utf8_accept says the server sends UTF-8 (RFC 6855); a name
 * that is not valid modified UTF-7 (or not valid UTF-8) fails.
 */
int imap_view_list(const struct imap_response *response, bool utf8_accept,
                   struct imap_list_entry *entry);
void imap_list_entry_release(struct imap_list_entry *entry);

/* ---- NAMESPACE -------------------------------------------------------- */

struct imap_namespace {
	char *prefix;    /* UTF-8, owned; "" for none (NIL) */
	char delimiter;  /* hierarchy delimiter; 0 for NIL */
};

/*
 * "* NAMESPACE personal other shared" (RFC 2342): the first personal
 * namespace, its prefix decoded like a LIST name ("INBOX." on Courier,
 * "" on Dovecot's defaults).  A NIL personal namespace gives "".
 */
int imap_view_namespace(const struct imap_response *response, bool utf8_accept,
                        struct imap_namespace *namespace);
void imap_namespace_release(struct imap_namespace *namespace);

/* ---- STATUS ----------------------------------------------------------- */

/* Owns nothing: no release needed. */
struct imap_status_info {
	struct str mailbox; /* as sent (modified UTF-7 unless UTF8=ACCEPT) */
	bool has_messages, has_uidnext, has_uidvalidity, has_unseen,
	     has_highestmodseq, has_size, has_recent;
	uint32_t messages, uidnext, uidvalidity, unseen, recent;
	uint64_t highestmodseq, size;
};

int imap_view_status(const struct imap_response *response, struct imap_status_info *status);

/* ---- SEARCH / SORT / ESEARCH ------------------------------------------ */

struct imap_search {
	uint32_t *ids; /* sequence numbers or UIDs, in the server's order */
	size_t n;
	bool has_modseq; /* CONDSTORE: "(MODSEQ n)" at the end */
	uint64_t modseq;
};

int imap_view_search(const struct imap_response *response, struct imap_search *search);
int imap_view_sort(const struct imap_response *response, struct imap_search *search);
void imap_search_release(struct imap_search *search);

struct imap_esearch {
	struct str tag;  /* (TAG "x"), or STR_NULL */
	bool uid;
	bool has_min, has_max, has_count, has_all, has_partial, has_modseq;
	uint32_t min, max;
	uint64_t count, modseq;
	uint32_t *all;   /* ALL, expanded, in order */
	size_t nall;
	int64_t partial_lo, partial_hi; /* PARTIAL (lo:hi set): the range asked */
	uint32_t *partial; /* ... and the set, expanded */
	size_t npartial;
};

/*
 * "* ESEARCH ...".  Sequence sets are expanded to at most max_numbers
 * numbers in all; more is an error (the caller asked for a bound).
 */
int imap_view_esearch(const struct imap_response *response, size_t max_numbers,
                      struct imap_esearch *esearch, struct imap_view_err *err);
void imap_esearch_release(struct imap_esearch *esearch);

/* Expand "1:3,7,9:8" into out (appending), at most max numbers: 0 or -1. */
int imap_sequence_set_expand(struct str set, size_t max, uint32_t **out, size_t *n);

/* ---- THREAD ----------------------------------------------------------- */

/*
 * "* THREAD ...": the thread-list after the atom, "(2)(3 6 (4 23))", as
 * the parser packed it (imap_parse.h), for thread_from_imap() (thread.h),
 * the one reader of RFC 5256's thread grammar.  -1 if the response is no
 * THREAD answer, or one with bytes no thread-list has.
 */
int imap_view_thread(const struct imap_response *response, struct str *thread_list);

/* ---- ENVELOPE --------------------------------------------------------- */

/*
 * A NIL host is a group start only when a group end follows it (before
 * another NIL-host entry); otherwise it is a mailbox whose server wrote NIL
 * for a missing domain.
 */
enum imap_address_kind {
	IMAP_ADDRESS_MAILBOX,
	IMAP_ADDRESS_GROUP_START, /* mailbox holds the group's name */
	IMAP_ADDRESS_GROUP_END,
};

struct imap_address {
	enum imap_address_kind kind;
	struct str name, adl, mailbox, host; /* nstrings, RFC 2047 still encoded */
};

struct imap_address_list {
	struct imap_address *addresses;
	size_t n;
};

struct imap_envelope {
	struct str date, subject;   /* raw, RFC 2047 still encoded */
	struct imap_address_list from, sender, reply_to, to, cc, bcc;
	struct str in_reply_to, message_id;
};

int imap_envelope_from_node(const struct imap_node *list, struct imap_envelope *envelope,
                            struct imap_view_err *err);
void imap_envelope_release(struct imap_envelope *envelope);

/* ---- BODYSTRUCTURE ---------------------------------------------------- */

struct imap_param {
	struct str name, value;
};

struct imap_body {
	struct str type, subtype;   /* as sent; compare with imap_body_is() */
	/*
	 * The IMAP section of this part's contents (RFC 3501 6.4.5): "1",
	 * "1.2", "2.1" inside a message/rfc822 at 2.  A multipart that is a
	 * message's body is "TEXT" (top level) or "N.TEXT" (in a
	 * message/rfc822 at N); a non-multipart top-level body is "1".
	 * "N.MIME" is a part's MIME header, "N.HEADER" an embedded message's.
	 */
	char *section;
	struct imap_param *params;  /* multipart: its extension params */
	size_t nparams;
	struct str id, description, encoding;
	uint64_t size;
	bool has_lines;             /* text parts and message/rfc822 */
	uint64_t lines;
	struct str md5;
	struct str disposition;     /* "attachment", "inline", or STR_NULL */
	struct imap_param *disposition_params;
	size_t ndisposition_params;
	struct str *languages;
	size_t nlanguages;
	struct str location;
	struct imap_envelope *envelope; /* message/rfc822 with its structure */
	/* multipart: its parts; message/rfc822: one, the embedded body */
	struct imap_body *parts;
	size_t nparts;
	bool multipart;
};

int imap_body_from_node(const struct imap_node *list, struct imap_body *body,
                        struct imap_view_err *err);
void imap_body_release(struct imap_body *body);
/* Case-insensitive; subtype NULL matches any. */
bool imap_body_is(const struct imap_body *body, const char *type, const char *subtype);
/* A parameter's value by case-insensitive name, or STR_NULL. */
struct str imap_body_param(const struct imap_body *body, const char *name);
/* The part with that section, searching the whole tree, or NULL. */
const struct imap_body *imap_body_find(const struct imap_body *body, const char *section);

/* ---- FETCH ------------------------------------------------------------ */

/* BODY[section]<origin> or BINARY[section]<origin>, RFC822(.HEADER/.TEXT). */
struct imap_fetch_part {
	bool binary;        /* BINARY[...] */
	char *section;      /* canonical text: "", "1.2", "HEADER.FIELDS (FROM TO)" */
	struct str origin;  /* the <origin> without brackets, or STR_NULL */
	struct str data;    /* the contents; STR_NULL for NIL */
};

struct imap_fetch_size {
	char *section;      /* BINARY.SIZE[section] */
	uint64_t size;
};

struct imap_fetch {
	uint32_t seq;
	bool has_uid, has_flags, has_internaldate, has_rfc822_size, has_envelope,
	     has_modseq, has_preview;
	uint32_t uid;
	struct imap_flags flags;
	struct str internaldate;
	uint64_t rfc822_size;
	struct imap_envelope envelope;
	struct imap_body *body;          /* BODYSTRUCTURE (or BODY), or NULL */
	struct imap_fetch_part *parts;
	size_t nparts;
	struct imap_fetch_size *sizes;
	size_t nsizes;
	uint64_t modseq;
	struct str preview;              /* STR_NULL for NIL */
	struct str emailid, threadid;    /* RFC 8474, STR_NULL if absent or NIL */
};

/* The UID item of "* N FETCH (...)", read without the rest: true. */
bool imap_view_fetch_uid(const struct imap_response *response, uint32_t *uid);
/* "* N FETCH (...)": 0, or -1 with err filled. */
int imap_view_fetch(const struct imap_response *response, struct imap_fetch *fetch,
                    struct imap_view_err *err);
void imap_fetch_release(struct imap_fetch *fetch);
/*
 * BODY[section] (binary false) or BINARY[section] by section text, compared
 * case-insensitively with single spaces: "", "1.2", "HEADER.FIELDS
 * (MESSAGE-ID REFERENCES)".  NULL if the response has no such item.
 */
const struct imap_fetch_part *imap_fetch_part(const struct imap_fetch *fetch, bool binary,
                                              const char *section);
/* BINARY.SIZE[section]: 0 and *size, or -1. */
int imap_fetch_binary_size(const struct imap_fetch *fetch, const char *section, uint64_t *size);

#endif
