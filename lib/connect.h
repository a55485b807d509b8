/*
 * The IMAP half of imapeek-connect: the few exchanges that turn a remote
 * server's greeting into a logged-in session (STARTTLS, LOGIN,
 * CAPABILITY) and the "* PREAUTH [CAPABILITY ...]" greeting imapeek then
 * sees.  No sockets and no TLS here: the caller feeds the server's bytes
 * in pieces of any size, sends what connect->out holds, and does the TLS
 * handshake when asked to, so the conversation can be unit tested and
 * fuzzed.  After CONNECT_DONE imapeek-connect only relays bytes.
 *
 * LOGIN, not AUTHENTICATE: every IMAP4rev1 and IMAP4rev2 server must
 * offer it unless it announces LOGINDISABLED, which servers announce only
 * before TLS, and we never log in without TLS unless --plain says so.
 * One way of logging in is one way to test (SASL PLAIN would add a second
 * encoding of the same two strings and nothing the user could see).  The
 * user name and password go as quoted strings, or as synchronizing
 * literals when they hold 8-bit bytes (no LITERAL+ needed).
 */
#ifndef IMAPEEK_CONNECT_H
#define IMAPEEK_CONNECT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "imap_parse.h"

/* Largest literal accepted from the server before we are logged in. */
#define CONNECT_MAX_LITERAL 65536

enum connect_tls {
	CONNECT_TLS_IMPLICIT, /* TLS from the first byte (port 993) */
	CONNECT_TLS_STARTTLS, /* plain text until STARTTLS (port 143) */
	CONNECT_TLS_NONE,     /* --plain: never encrypted */
	CONNECT_TLS__MAX
};

enum connect_event {
	CONNECT_MORE,     /* all bytes used: feed more from the server */
	CONNECT_STARTTLS, /* do the TLS handshake, then connect_tls_started() */
	CONNECT_DONE,     /* logged in: connect->greeting is for the client */
	CONNECT_FAIL,     /* connect->error says why (one line) */
	CONNECT_EVENT__MAX
};

enum connect_state {
	CONNECT_GREETING,
	CONNECT_STARTTLS_SENT,
	CONNECT_LOGIN_SENT,
	CONNECT_CAPABILITY_SENT,
	CONNECT_FINISHED, /* done or failed: feed no more */
	CONNECT_STATE__MAX
};

struct connect {
	enum connect_tls tls;
	enum connect_state state;
	/* Bytes to send to the server now; connect_sent() after sending. */
	struct buf out;
	/* CONNECT_DONE: "* PREAUTH [CAPABILITY ...] ...\r\n". */
	struct buf greeting;
	/* CONNECT_FAIL: why, printable ASCII, no line end. */
	struct buf error;
	/* private */
	char *user, *password;
	struct imap_parser parser;
	struct buf login;       /* the whole LOGIN command, literals included */
	size_t login_piece[3];  /* where each piece sent after a "+" starts */
	size_t login_pieces, login_next;
	struct buf caps;        /* the capabilities after login, filtered */
	bool have_caps;
};

/* user and password are copied; the copies are wiped by connect_release. */
void connect_init(struct connect *connect, enum connect_tls tls,
                  const char *user, const char *password);
void connect_release(struct connect *connect);

/*
 * Feed server bytes.  *used is set to the bytes taken: on CONNECT_DONE the
 * bytes after them are the server's first bytes for the client.  After
 * each call, send connect->out if it is not empty.
 */
enum connect_event connect_feed(struct connect *connect, const char *data,
                                size_t len, size_t *used);
/* The TLS handshake after STARTTLS succeeded: LOGIN goes into out. */
void connect_tls_started(struct connect *connect);
/* connect->out was sent: it is wiped (it may hold the password). */
void connect_sent(struct connect *connect);

/*
 * The command that ends the session when imapeek's input ends; mid_line
 * says the client's last bytes did not end a line (a CRLF goes first).
 */
void connect_logout(struct buf *out, bool mid_line);

/*
 * Append value as an IMAP astring for LOGIN: a quoted string (0), or a
 * literal's "{N}\r\n" (1: the caller sends value itself after the "+").
 */
int connect_astring(struct buf *out, const char *value);

/*
 * The capabilities of a response worth passing on after login (those of
 * "* CAPABILITY" or of an OK's [CAPABILITY ...] code), space separated,
 * into out: LOGINDISABLED, STARTTLS and AUTH=* mean nothing to a client
 * that is logged in already, and a name that is no atom is dropped.
 * 0, or -1 when the response carries no capabilities.
 */
int connect_caps_filter(struct buf *out, const struct imap_response *response);

#endif
