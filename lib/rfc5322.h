/*
 * Header helpers for pages that read headers themselves: unfolding, the
 * Date header, Message-ID lists and address lists (RFC 5322 with its
 * obsolete forms and the garbage real archives hold; see VIOLATIONS in
 * rfc5322.c).
 */
#ifndef IMAPEEK_RFC5322_H
#define IMAPEEK_RFC5322_H

#include <stddef.h>
#include <time.h>

#include "buf.h"

#define RFC5322_IDS_MAX 1000
#define RFC5322_ADDRS_MAX 1000

/* Append in with every CRLF / LF followed by whitespace removed. */
void rfc5322_unfold(struct buf *out, const char *in, size_t len);

/* The English abbreviations that RFC 5322 dates (and IMAP, HTTP and
 * asctime dates after them) use: "Jan".."Dec", "Sun".."Sat" (tm_wday). */
extern const char *const rfc5322_months[12];
extern const char *const rfc5322_days[7];

/*
 * The length of the header at the start of a message: up to the empty
 * line that ends it ("\n\n" or "\n\r\n"), its first line end included;
 * len when there is none.  A message that starts with the empty line has
 * a header of 0 bytes.
 */
size_t rfc5322_header_length(const char *message, size_t len);

/*
 * The unfolded value of the first field called name (any case, without
 * the colon) in a header block, appended to out: 1, or 0 when the block
 * has none.  The first, as Dovecot reads a repeated field.
 */
int rfc5322_field(const char *block, size_t len, const char *name,
                  struct buf *out);
/*
 * Several fields in one pass: values[k] is the unfolded value of the
 * first field called names[k] (as rfc5322_field: not trimmed), pointing
 * into *unfolded (the block is appended to it), which the caller
 * releases; { NULL, 0 } when the block has none.
 */
void rfc5322_fields(const char *block, size_t len, const char *const *names,
                    size_t n, struct str *values, struct buf *unfolded);

/* A Date header value to seconds since the epoch, UTC: 0, or -1 when no
 * date can be made of it. */
int rfc5322_date_parse(const char *in, size_t len, time_t *out);
/* RFC 3339 UTC, "2020-01-02T03:04:05Z"; out needs RFC5322_DATE_LEN + 1. */
#define RFC5322_DATE_LEN 20
int rfc5322_date_format(time_t t, char out[RFC5322_DATE_LEN + 1]);

struct rfc5322_ids {
	char **v;  /* without "<>", valid UTF-8 */
	size_t n;
};

/* In-Reply-To / References / Message-ID: every id, in order. */
void rfc5322_ids_parse(struct rfc5322_ids *ids, const char *in, size_t len);
void rfc5322_ids_release(struct rfc5322_ids *ids);

struct rfc5322_addr {
	char *name;     /* decoded display name, or NULL */
	char *address;  /* "user@example.org" as written, may lack "@" */
};

struct rfc5322_addrs {
	struct rfc5322_addr *v;
	size_t n;
};

/* From / To / Cc / Reply-To: every mailbox, group members included. */
void rfc5322_addrs_parse(struct rfc5322_addrs *addrs, const char *in, size_t len);
void rfc5322_addrs_release(struct rfc5322_addrs *addrs);

#endif
