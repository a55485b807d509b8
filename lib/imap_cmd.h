/*
 * IMAP commands, built from typed arguments, and the read-only choke point.
 *
 * A command is a name from the read-only list of imapeek-httpd(8) and a sequence of
 * typed arguments.  The encoder, not the caller, decides how each argument
 * goes on the wire: an atom only if it is one, else a quoted string, else a
 * literal (LITERAL+ {n+} when the server offers it, otherwise {n} and wait
 * for the "+" continuation); mailbox names in modified UTF-7 (RFC 3501
 * 5.1.3) or as UTF-8 after ENABLE UTF8=ACCEPT.  No argument can add a
 * command, a line or a literal of its own.
 *
 * imap_cmd_check() is the one place that refuses anything outside the
 * read-only list; session_send() calls it before a byte is written.
 */
#ifndef IMAPEEK_IMAP_CMD_H
#define IMAPEEK_IMAP_CMD_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

enum imap_arg_type {
	IMAP_ARG_ATOM,        /* a keyword we wrote: SINCE, CHARSET, (REVERSE DATE) is RAW_LIST */
	IMAP_ARG_NUMBER,
	IMAP_ARG_SEQSET,      /* 1:*, 4,7:9 */
	IMAP_ARG_STRING,      /* request data: quoted or literal */
	IMAP_ARG_MAILBOX,     /* UTF-8 name, encoded by the layer */
	IMAP_ARG_FETCH_ITEMS, /* "(UID ENVELOPE BODY.PEEK[1.MIME])" or one item */
	IMAP_ARG_LIST_OPEN,   /* ( */
	IMAP_ARG_LIST_CLOSE,  /* ) */
	IMAP_ARG_TYPE__MAX
};

struct imap_arg {
	enum imap_arg_type type;
	struct buf value;
	uint64_t number;
};

struct imap_cmd {
	char *name;           /* "UID FETCH", "EXAMINE", ... */
	struct imap_arg *args;
	size_t nargs, cap;
};

void imap_cmd_init(struct imap_cmd *cmd, const char *name);
void imap_cmd_release(struct imap_cmd *cmd);
void imap_cmd_atom(struct imap_cmd *cmd, const char *atom);
/* An IMAP date (RFC 3501 "date"), "1-Feb-2020", as an atom. */
void imap_cmd_date(struct imap_cmd *cmd, int year, int month, int day);
void imap_cmd_number(struct imap_cmd *cmd, uint64_t number);
void imap_cmd_seqset(struct imap_cmd *cmd, const char *set);
void imap_cmd_string(struct imap_cmd *cmd, struct str value);
void imap_cmd_mailbox(struct imap_cmd *cmd, struct str utf8_name);
void imap_cmd_fetch_items(struct imap_cmd *cmd, const char *items);
void imap_cmd_list_open(struct imap_cmd *cmd);
void imap_cmd_list_close(struct imap_cmd *cmd);

/*
 * 0 if the command is on the read-only list and every argument is what its
 * type says (a real atom, a valid sequence set, allowed FETCH items), else
 * -1 with the reason in why.
 */
int imap_cmd_check(const struct imap_cmd *cmd, char *why, size_t why_size);

/* How the encoder may send strings and mailbox names. */
struct imap_encoding {
	bool literal_plus;   /* LITERAL+: every literal non-synchronizing */
	bool literal_minus;  /* LITERAL-: non-synchronizing up to 4096 bytes */
	bool utf8_accept;    /* after ENABLE UTF8=ACCEPT: UTF-8 names, no UTF-7 */
};

/*
 * Encode "TAG NAME ARGS\r\n" into pieces: out gets the bytes, and each
 * synchronizing literal ends a piece (the session waits for "+" before
 * sending the next).  breaks[i] is the offset where piece i+1 starts.
 * Returns 0, or -1 when imap_cmd_check() refuses the command.
 */
struct imap_wire {
	struct buf bytes;
	size_t *breaks;
	size_t nbreaks;
};

void imap_wire_release(struct imap_wire *wire);
int imap_cmd_encode(const struct imap_cmd *cmd, const char *tag,
                    const struct imap_encoding *encoding,
                    struct imap_wire *wire, char *why, size_t why_size);

#endif
