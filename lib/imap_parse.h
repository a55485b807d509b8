/*
 * A lossless push parser for IMAP server responses (RFC 3501, RFC 9051).
 *
 * Bytes are fed in pieces of any size as they arrive from the imapd; the
 * parser finds where a response ends (CRLF outside a literal; a literal
 * {n} or ~{n} is taken by count, never by line) and then turns the whole
 * response into a tree that keeps everything the server said: every atom,
 * number, quoted string (unescaped), literal (binary safe), NIL, list,
 * bracketed section, partial <origin>, response code and text.  Typed views
 * (imap_view.h) read the tree; nothing re-parses text.  The three answers
 * of one value a message (SORT, SEARCH, THREAD) are kept packed instead,
 * 4 bytes a number where a node is 80 (struct imap_response).
 *
 * A literal's announced size is checked against max_literal before one byte
 * of it is buffered, and the nesting depth against IMAP_MAX_DEPTH.
 */
#ifndef IMAPEEK_IMAP_PARSE_H
#define IMAPEEK_IMAP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Deepest nesting of lists accepted: a 200-deep multipart is real mail. */
#define IMAP_MAX_DEPTH 1024
/* Longest line (outside literals) accepted. */
#define IMAP_MAX_LINE (1024 * 1024)

enum imap_node_type {
	IMAP_ATOM,      /* text: the atom, e.g. FLAGS, \Seen, BODY (see section) */
	IMAP_NUMBER,    /* text: the digits; number: their value */
	IMAP_QUOTED,    /* text: the string with \" and \\ unescaped */
	IMAP_LITERAL,   /* text: the literal's bytes; binary set for ~{n} */
	IMAP_NIL,       /* NIL */
	IMAP_LIST,      /* ( ... ): children */
	IMAP_SECTION,   /* [ ... ] after an atom: children, e.g. BODY[1.MIME] */
	IMAP_NODE_TYPE__MAX
};

/* The flags sit beside the type: a node is 80 bytes, not 96 (a SORT or
 * THREAD answer is a node a message). */
struct imap_node {
	enum imap_node_type type;
	bool binary;                /* literal8 (~{n}) */
	/* private: a list sent right after a list, "(1)(2)"; dumps keep it */
	bool glued;
	struct str text;
	uint64_t number;            /* IMAP_NUMBER only */
	struct imap_node *children; /* IMAP_LIST, IMAP_SECTION: first child */
	size_t nchildren;
	struct imap_node *next;     /* next sibling */
	/*
	 * For an atom directly followed by "[...]" (BODY[HEADER], BINARY[1]),
	 * the section; and "<origin>" after it, without the angle brackets.
	 */
	struct imap_node *section;
	struct str partial;
};

enum imap_response_kind {
	IMAP_UNTAGGED,     /* "* ..." */
	IMAP_TAGGED,       /* "TAG OK|NO|BAD ..." */
	IMAP_CONTINUATION, /* "+ ..." */
};

enum imap_status {
	IMAP_STATUS_NONE, /* untagged data: "* 3 EXISTS", "* LIST ..." */
	IMAP_OK,
	IMAP_NO,
	IMAP_BAD,
	IMAP_BYE,
	IMAP_PREAUTH,
	IMAP_STATUS__MAX
};

/*
 * One complete response.  It owns its bytes (raw) and its nodes; every
 * str in it points into raw.  Free with imap_response_free().
 */
struct imap_response {
	enum imap_response_kind kind;
	struct str tag;           /* IMAP_TAGGED only */
	enum imap_status status;
	/* Status responses (OK/NO/BAD/BYE/PREAUTH): the [code] and the text. */
	struct imap_node *code;   /* IMAP_SECTION, or NULL */
	struct str text;          /* human-readable text, or continuation text */
	/*
	 * Untagged data: the tokens after "* ", in order.  "* 3 FETCH (...)"
	 * gives NUMBER 3, ATOM FETCH, LIST (...); "* SEARCH 2 5" gives ATOM
	 * SEARCH, NUMBER 2, NUMBER 5.
	 */
	struct imap_node *data;
	size_t ndata;
	/*
	 * Answers of one value a message come packed, not a node a value (a
	 * node is 80 bytes: the SORT of 800,000 messages would be 64 MB):
	 * - "* SORT n ..." and "* SEARCH n ..." of numbers alone (nz-numbers
	 *   of 32 bits without a leading zero): data is the atom alone, and
	 *   numbers[0..nnumbers) are the values in order (numbers is set,
	 *   even for none);
	 * - "* THREAD ..." of digits, spaces and parentheses: data is the
	 *   atom alone, and thread_list the bytes after it (in raw), which
	 *   thread_from_imap() (thread.h) reads; its p is set, even for "".
	 * Any other such line (SEARCH's "(MODSEQ n)") gets its tree.
	 */
	uint32_t *numbers;
	size_t nnumbers;
	struct str thread_list;
	/* Everything the server sent for this response, CRLFs included. */
	struct str raw;
	/* private */
	char *raw_owned;
	struct imap_node *nodes;
};

void imap_response_free(struct imap_response *response);

enum imap_parse_result {
	IMAP_PARSE_OK,      /* a response is complete */
	IMAP_PARSE_PARTIAL, /* all input used, more is needed */
	IMAP_PARSE_BAD,     /* the input is not IMAP; the parser is spent */
};

struct imap_parser {
	uint64_t max_literal;
	size_t max_line;          /* IMAP_MAX_LINE unless set larger */
	/* private: bytes of the response being assembled and the scan state */
	struct buf pending;
	size_t scan;              /* where to look for the next CRLF */
	uint64_t literal_left;    /* bytes of a literal still to come */
	size_t literals;          /* literals in this response */
	size_t line_start;        /* where the current line starts in pending */
	bool literals_allowed;    /* untagged data: a line may end in {n} */
	bool failed;
	char error[128];
};

void imap_parser_init(struct imap_parser *parser, uint64_t max_literal);
/*
 * Lines up to max_line bytes from now on (never less than IMAP_MAX_LINE):
 * the answer to SORT, SEARCH or THREAD of a mailbox is one line of some
 * bytes per message, longer than IMAP_MAX_LINE beyond about 100,000.
 */
void imap_parser_set_max_line(struct imap_parser *parser, size_t max_line);
void imap_parser_release(struct imap_parser *parser);

/*
 * Feed up to len bytes.  *used is set to the bytes taken.  On
 * IMAP_PARSE_OK, *response is a new response owned by the caller, and the
 * bytes after *used are the next response's: feed them again.  On
 * IMAP_PARSE_BAD, imap_parser_error() says why.
 */
enum imap_parse_result imap_parser_feed(struct imap_parser *parser,
                                        const char *data, size_t len,
                                        size_t *used,
                                        struct imap_response **response);
const char *imap_parser_error(const struct imap_parser *parser);

/*
 * Parse one complete response held in raw[0..len) (CRLF included) without
 * the push machinery; for tests.  Returns NULL and fills error on failure.
 */
struct imap_response *imap_response_parse(const char *raw, size_t len,
                                          uint64_t max_literal,
                                          char *error, size_t error_size);

/* Helpers for walking the tree. */
struct imap_node *imap_node_nth(struct imap_node *list_or_first, size_t index);
bool imap_node_is_atom(const struct imap_node *node, const char *atom);
/* Atom, number, quoted or literal: a string; NIL or a list: not. */
bool imap_node_is_string(const struct imap_node *node);
/* The value of an nstring: STR_NULL for NIL or anything that is no string. */
struct str imap_node_nstring(const struct imap_node *node);
/* Debugging and tests: the tree printed back as IMAP-ish text. */
void imap_node_dump(struct buf *out, const struct imap_node *node);
void imap_response_dump(struct buf *out, const struct imap_response *response);

#endif
