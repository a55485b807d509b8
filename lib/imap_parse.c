/*
 * The lossless IMAP response parser: framing (imap_parser_feed) and the
 * tree (parse_response).  See imap_parse.h.
 *
 * VIOLATIONS: broken input we accept on purpose, and why.
 *
 * - A bare LF ends a line (after a literal announcement too).  Some servers
 *   and proxies in the wild send LF alone; a line end is never ambiguous,
 *   and the raw bytes keep what was sent.  A CR not followed by LF is BAD.
 * - Several spaces between tokens, spaces after "(" and before ")", and
 *   trailing spaces before the line end ("* SEARCH 1 2 ").  The dump
 *   prints the canonical single spaces.
 * - Adjacent lists without a space, "(1)(2 3)": RFC 5256 THREAD and RFC
 *   3501 multipart BODYSTRUCTURE need it anyway, so it is allowed after
 *   every ")".
 * - 8-bit bytes in atoms, quoted strings and text: servers send UTF-8
 *   mailbox names and texts (RFC 9051 allows it in quoted strings).
 * - "\" anywhere in an atom (flags), "%" and "*" in atoms (LIST patterns,
 *   "\*" in PERMANENTFLAGS), "]" in atoms outside a section or code
 *   (mailbox "foo]bar"), and an atom starting with "[" keeps its brackets
 *   ("[Gmail]/Sent" unquoted): only an atom *followed* by "[" opens a
 *   section.
 *
 * Strictness, on purpose:
 * - Quoted strings allow only the \" and \\ escapes; CR, LF or NUL in them
 *   is BAD.  NUL outside a literal is BAD.
 * - Numbers are 64-bit; more digits than fit are BAD.
 * - Status responses (OK/NO/BAD/BYE/PREAUTH, tagged or untagged) and
 *   continuations have no literals: a "{5}" at the end of their text is
 *   text.  A literal in a response code is BAD.
 * - A tagged response is OK, NO or BAD; anything else is BAD.
 *
 * Limits: a literal is checked against max_literal when its "{n}" line
 * ends, before one byte of it is kept; a line (outside literals) is capped
 * at max_line (IMAP_MAX_LINE, or what the session sets for a large
 * mailbox); a whole response at twice max_literal plus 16 lines;
 * nesting at IMAP_MAX_DEPTH (the tree is built with an explicit stack).
 */
#include "imap_parse.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void set_error(char *error, size_t error_size, const char *fmt, ...)
	PRINTF_LIKE(3, 4);

static void set_error(char *error, size_t error_size, const char *fmt, ...)
{
	va_list ap;

	if (!error || !error_size)
		return;
	va_start(ap, fmt);
	vsnprintf(error, error_size, fmt, ap);
	va_end(ap);
}

/* ---- classification shared by the framer and the tree builder -------- */

static const char *const status_names[IMAP_STATUS__MAX] = {
	[IMAP_OK] = "OK", [IMAP_NO] = "NO", [IMAP_BAD] = "BAD",
	[IMAP_BYE] = "BYE", [IMAP_PREAUTH] = "PREAUTH",
};

static bool is_line_end(const char *p, size_t len, size_t pos)
{
	return pos < len && (p[pos] == '\n' ||
	                     (p[pos] == '\r' && pos + 1 < len && p[pos + 1] == '\n'));
}

/* The status word at p[pos..), followed by SP or the line end. */
static enum imap_status status_word(const char *p, size_t len, size_t pos)
{
	for (int status = IMAP_OK; status < IMAP_STATUS__MAX; status++) {
		size_t n = strlen(status_names[status]);
		if (len - pos < n || strncasecmp(p + pos, status_names[status], n))
			continue;
		if (pos + n < len && (p[pos + n] == ' ' || is_line_end(p, len, pos + n)))
			return (enum imap_status)status;
	}
	return IMAP_STATUS_NONE;
}

/*
 * Whether a response whose first line is line[0..len) may carry literals:
 * only untagged data does.
 */
static bool line_may_have_literals(const char *line, size_t len)
{
	size_t pos = 2;

	if (len < 2 || line[0] != '*' || line[1] != ' ')
		return false;
	while (pos < len && line[pos] == ' ')
		pos++;
	return status_word(line, len, pos) == IMAP_STATUS_NONE;
}

/* ---- the framer ------------------------------------------------------- */

void imap_parser_init(struct imap_parser *parser, uint64_t max_literal)
{
	memset(parser, 0, sizeof(*parser));
	parser->max_literal = max_literal;
	parser->max_line = IMAP_MAX_LINE;
	buf_init(&parser->pending);
}

void imap_parser_set_max_line(struct imap_parser *parser, size_t max_line)
{
	parser->max_line = max_line > IMAP_MAX_LINE ? max_line : IMAP_MAX_LINE;
}

void imap_parser_release(struct imap_parser *parser)
{
	buf_release(&parser->pending);
	parser->failed = true;
}

const char *imap_parser_error(const struct imap_parser *parser)
{
	return parser->error[0] ? parser->error : "no error";
}

static enum imap_parse_result parser_fail(struct imap_parser *parser,
                                          const char *why)
{
	parser->failed = true;
	snprintf(parser->error, sizeof(parser->error), "%s", why);
	buf_release(&parser->pending);
	return IMAP_PARSE_BAD;
}

/*
 * The buffer a response starts in; a response takes it over, and what it
 * does not use goes back (parse_response).
 */
#define RESPONSE_FIRST_ROOM 4000

static uint64_t response_cap(const struct imap_parser *parser)
{
	uint64_t lines = 16 * (uint64_t)parser->max_line;
	if (parser->max_literal > (UINT64_MAX - lines) / 2)
		return UINT64_MAX;
	return parser->max_literal * 2 + lines;
}

/*
 * The line pending[line_start..len) has just ended.  If it announces a
 * literal ("{n}" or "~{n}" right before the line end), return 1 and set
 * *size; 0 if not; -1 if the number does not fit.
 */
static int literal_announced(const char *line, size_t len, uint64_t *size)
{
	size_t end = len;

	if (end && line[end - 1] == '\n')
		end--;
	if (end && line[end - 1] == '\r')
		end--;
	if (!end || line[end - 1] != '}')
		return 0;
	size_t digits_end = end - 1, start = digits_end;
	while (start > 0 && line[start - 1] >= '0' && line[start - 1] <= '9')
		start--;
	if (start == digits_end || start == 0 || line[start - 1] != '{')
		return 0;
	if (parse_u64((struct str){ line + start, digits_end - start }, 0,
	              UINT64_MAX, size) < 0)
		return -1;
	return 1;
}

static struct imap_response *parse_response(struct buf *raw,
                                            char *error, size_t error_size);

enum imap_parse_result imap_parser_feed(struct imap_parser *parser,
                                        const char *data, size_t len,
                                        size_t *used,
                                        struct imap_response **response)
{
	size_t pos = 0;

	*used = 0;
	*response = NULL;
	if (parser->failed)
		return IMAP_PARSE_BAD;
	while (pos < len) {
		if (parser->literal_left) {
			size_t take = len - pos;
			if (take > parser->literal_left)
				take = (size_t)parser->literal_left;
			buf_add(&parser->pending, data + pos, take);
			pos += take;
			parser->literal_left -= take;
			if (!parser->literal_left)
				parser->line_start = parser->pending.len;
			continue;
		}
		const char *lf = memchr(data + pos, '\n', len - pos);
		size_t take = lf ? (size_t)(lf - (data + pos)) + 1 : len - pos;
		size_t line_len = parser->pending.len - parser->line_start + take;
		/* The CRLF does not count against the line cap. */
		if (line_len > parser->max_line + 2) {
			*used = pos;
			return parser_fail(parser, "line too long");
		}
		if ((uint64_t)parser->pending.len + take > response_cap(parser)) {
			*used = pos;
			return parser_fail(parser, "response too long");
		}
		/* a new response: room for a typical first line in one go */
		if (!parser->pending.cap)
			buf_grow(&parser->pending, RESPONSE_FIRST_ROOM);
		buf_add(&parser->pending, data + pos, take);
		pos += take;
		if (!lf)
			break;

		const char *line = parser->pending.p + parser->line_start;
		line_len = parser->pending.len - parser->line_start;
		if (parser->line_start == 0)
			parser->literals_allowed = line_may_have_literals(line, line_len);
		uint64_t size;
		int announced = parser->literals_allowed ?
			literal_announced(line, line_len, &size) : 0;
		if (announced < 0) {
			*used = pos;
			return parser_fail(parser, "literal size does not fit 64 bits");
		}
		if (announced) {
			if (size > parser->max_literal) {
				*used = pos;
				snprintf(parser->error, sizeof(parser->error),
				         "literal of %llu bytes exceeds the limit of %llu",
				         (unsigned long long)size,
				         (unsigned long long)parser->max_literal);
				parser->failed = true;
				buf_release(&parser->pending);
				return IMAP_PARSE_BAD;
			}
			if ((uint64_t)parser->pending.len + size > response_cap(parser)) {
				*used = pos;
				return parser_fail(parser, "response too long");
			}
			parser->literals++;
			parser->literal_left = size;
			/* one allocation for the whole literal (its size passed
			 * both caps above): its bytes are copied once, from the
			 * read buffer to here, and the response keeps them */
			buf_grow(&parser->pending, (size_t)size);
			parser->line_start = parser->pending.len;
			continue;
		}

		/* The response is complete. */
		char error[128] = "";
		/* the response takes the pending bytes over: no second copy */
		struct imap_response *done = parse_response(&parser->pending,
		                                            error, sizeof(error));
		*used = pos;
		if (!done)
			return parser_fail(parser, error);
		parser->line_start = 0;
		parser->literals = 0;
		parser->scan = 0;
		*response = done;
		return IMAP_PARSE_OK;
	}
	*used = pos;
	return IMAP_PARSE_PARTIAL;
}

struct imap_response *imap_response_parse(const char *raw, size_t len,
                                          uint64_t max_literal,
                                          char *error, size_t error_size)
{
	struct imap_parser parser;
	struct imap_response *response = NULL;
	size_t used;

	/* The same framing as the push parser, so both agree on every input. */
	imap_parser_init(&parser, max_literal);
	switch (imap_parser_feed(&parser, raw, len, &used, &response)) {
	case IMAP_PARSE_OK:
		if (used != len) {
			set_error(error, error_size, "bytes after the response");
			imap_response_free(response);
			response = NULL;
		}
		break;
	case IMAP_PARSE_PARTIAL:
		set_error(error, error_size, "incomplete response");
		break;
	case IMAP_PARSE_BAD:
		set_error(error, error_size, "%s", imap_parser_error(&parser));
		break;
	}
	imap_parser_release(&parser);
	return response;
}

/* ---- the tree --------------------------------------------------------- */

enum frame_kind { FRAME_ROOT, FRAME_LIST, FRAME_SECTION, FRAME_CODE };

struct frame {
	enum frame_kind kind;
	struct imap_node *node;  /* whose children are being added */
	struct imap_node *last;  /* its last child so far */
	struct imap_node *owner; /* FRAME_SECTION: the atom it belongs to */
};

/*
 * One pass.  Nodes come from chunks that never move (so node pointers stay
 * valid while the tree grows), each twice the size of the one before: a
 * FETCH of a few hundred nodes is a handful of allocations, a tagged OK
 * one.  Slot 0 of a chunk is no node: its next links the chunks for
 * imap_response_free().  The unescaped text of a quoted string with
 * escapes (rare) is such a block too, its bytes after slot 0.
 */
#define CHUNK_FIRST 32
#define CHUNK_MAX 4096
/* Frames on the C stack before the stack goes to the heap. */
#define STACK_INLINE 64

struct tree {
	const char *p;
	size_t len, pos;
	struct imap_node *chunks;  /* every block, last allocated first */
	struct imap_node *chunk;   /* the chunk being filled */
	size_t chunk_used, chunk_cap;
	struct frame *stack;
	size_t stack_cap;
	struct frame stack_inline[STACK_INLINE];
	char *error;
	size_t error_size;
};

static void new_chunk(struct tree *tree)
{
	size_t cap = tree->chunk_cap ? tree->chunk_cap * 2 : CHUNK_FIRST;
	struct imap_node *chunk;

	if (cap > CHUNK_MAX)
		cap = CHUNK_MAX;
	chunk = xmalloc(cap * sizeof(*chunk));
	chunk[0].next = tree->chunks;
	tree->chunks = chunk;
	tree->chunk = chunk;
	tree->chunk_used = 1;
	tree->chunk_cap = cap;
}

/* Small, so that it is inlined into the token loop. */
static struct imap_node *new_node(struct tree *tree, enum imap_node_type type)
{
	if (tree->chunk_used == tree->chunk_cap)
		new_chunk(tree);
	struct imap_node *node = &tree->chunk[tree->chunk_used++];
	*node = (struct imap_node){ .type = type };
	return node;
}

/* size bytes that live as long as the response. */
static char *new_text(struct tree *tree, size_t size)
{
	struct imap_node *block = xmalloc(sizeof(*block) + size);

	block[0].next = tree->chunks;
	tree->chunks = block;
	return (char *)(block + 1);
}

static void free_chunks(struct imap_node *chunk)
{
	while (chunk) {
		struct imap_node *next = chunk[0].next;
		free(chunk);
		chunk = next;
	}
}

/* Room for stack[depth + 1]; depth is below IMAP_MAX_DEPTH. */
static void stack_reserve(struct tree *tree, size_t depth)
{
	if (depth + 1 < tree->stack_cap)
		return;
	size_t cap = tree->stack_cap * 2;
	if (cap > IMAP_MAX_DEPTH + 1)
		cap = IMAP_MAX_DEPTH + 1;
	if (tree->stack == tree->stack_inline) {
		tree->stack = xmalloc(cap * sizeof(*tree->stack));
		memcpy(tree->stack, tree->stack_inline, sizeof(tree->stack_inline));
	} else {
		tree->stack = xrealloc(tree->stack, cap * sizeof(*tree->stack));
	}
	tree->stack_cap = cap;
}

static void append(struct frame *frame, struct imap_node *node)
{
	if (frame->last)
		frame->last->next = node;
	else
		frame->node->children = node;
	frame->last = node;
	frame->node->nchildren++;
}

static int tree_fail(struct tree *tree, const char *why)
{
	set_error(tree->error, tree->error_size, "%s at byte %zu", why, tree->pos);
	return -1;
}

static bool all_digits(struct str text)
{
	for (size_t i = 0; i < text.len; i++)
		if (text.p[i] < '0' || text.p[i] > '9')
			return false;
	return text.len > 0;
}

static bool is_atom_byte(unsigned char c)
{
	return c > 0x20 && c != 0x7f && c != '(' && c != ')' && c != '{' &&
	       c != '"';
}

/*
 * The inner loops over atoms and quoted strings run for every byte of an
 * ENVELOPE and a BODYSTRUCTURE: one table look-up per byte instead of a
 * chain of comparisons.  BYTE_ATOM: an atom byte other than "[" and "]"
 * (is_atom_byte() without those two); BYTE_BRACKET: "[" or "]";
 * BYTE_QUOTED_STOP: what ends the plain run of a quoted string (its
 * closing quote, an escape, CR, LF, NUL).
 */
enum { BYTE_ATOM = 1, BYTE_BRACKET = 2, BYTE_QUOTED_STOP = 4 };
static const unsigned char byte_class[256] = {
	4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 4, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 1, 4, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 5, 2, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/*
 * Where the run of bytes from tree->pos ends: at the first byte whose
 * class has a bit of stop, or lacks all bits of go.  Locals, so the loop
 * stays in registers.
 */
static size_t plain_run(const struct tree *tree, unsigned char stop,
                        unsigned char go)
{
	const unsigned char *p = (const unsigned char *)tree->p;
	size_t pos = tree->pos, len = tree->len;

	if (go) {
		while (pos < len && (byte_class[p[pos]] & go))
			pos++;
	} else {
		while (pos < len && !(byte_class[p[pos]] & stop))
			pos++;
	}
	return pos;
}

static bool is_nil(struct str text)
{
	return text.len == 3 && (text.p[0] | 0x20) == 'n' &&
	       (text.p[1] | 0x20) == 'i' && (text.p[2] | 0x20) == 'l';
}

static int lex_quoted(struct tree *tree, struct imap_node *node)
{
	size_t start = ++tree->pos, escapes = 0;

	for (;;) {
		tree->pos = plain_run(tree, BYTE_QUOTED_STOP, 0);
		if (tree->pos >= tree->len)
			return tree_fail(tree, "unterminated quoted string");
		char c = tree->p[tree->pos];
		if (c == '"')
			break;
		if (c == '\r' || c == '\n' || c == '\0')
			return tree_fail(tree, "CR, LF or NUL in a quoted string");
		if (c == '\\') {
			if (tree->pos + 1 >= tree->len ||
			    (tree->p[tree->pos + 1] != '"' && tree->p[tree->pos + 1] != '\\'))
				return tree_fail(tree, "bad escape in a quoted string");
			escapes++;
			tree->pos++;
		}
		tree->pos++;
	}
	size_t end = tree->pos++;
	if (!escapes) {
		node->text = (struct str){ tree->p + start, end - start };
		return 0;
	}
	char *out = new_text(tree, end - start - escapes);
	size_t n = 0;
	for (size_t i = start; i < end; i++) {
		if (tree->p[i] == '\\')
			i++;
		out[n++] = tree->p[i];
	}
	node->text = (struct str){ out, n };
	return 0;
}

static int lex_literal(struct tree *tree, struct imap_node *node)
{
	if (tree->p[tree->pos] == '~') {
		node->binary = true;
		tree->pos++;
	}
	size_t start = ++tree->pos;
	while (tree->pos < tree->len && tree->p[tree->pos] >= '0' && tree->p[tree->pos] <= '9')
		tree->pos++;
	uint64_t size;
	if (tree->pos >= tree->len || tree->p[tree->pos] != '}' ||
	    parse_u64((struct str){ tree->p + start, tree->pos - start }, 0,
	              UINT64_MAX, &size) < 0)
		return tree_fail(tree, "bad literal");
	tree->pos++;
	if (tree->pos < tree->len && tree->p[tree->pos] == '\r')
		tree->pos++;
	if (tree->pos >= tree->len || tree->p[tree->pos] != '\n')
		return tree_fail(tree, "literal announcement not at the line end");
	tree->pos++;
	if (size > tree->len - tree->pos)
		return tree_fail(tree, "literal longer than the response");
	node->text = (struct str){ tree->p + tree->pos, (size_t)size };
	tree->pos += (size_t)size;
	return 0;
}

/*
 * Tokens until the line end (FRAME_ROOT) or the "]" closing a response
 * code (FRAME_CODE), into root's children.
 */
static int parse_tokens(struct tree *tree, struct imap_node *root,
                        enum frame_kind kind)
{
	size_t depth = 0;
	/* What ended the previous token: 0 none, ')' a list, 't' a token. */
	char previous = 0;
	/* A response code starts with its name. */
	bool named = false;
	size_t root_tokens = 0;

	tree->stack[0] = (struct frame){ kind, root, NULL, NULL };
	for (;;) {
		bool spaced = false;
		while (tree->pos < tree->len && tree->p[tree->pos] == ' ')
			tree->pos++, spaced = true;
		if (tree->pos >= tree->len)
			return tree_fail(tree, "response ends without a line end");
		char c = tree->p[tree->pos];
		struct frame *top = &tree->stack[depth];
		bool closes_bracket = c == ']' &&
			(top->kind == FRAME_SECTION || top->kind == FRAME_CODE);

		if (is_line_end(tree->p, tree->len, tree->pos)) {
			if (depth || kind != FRAME_ROOT)
				return tree_fail(tree, "line ends inside a list or code");
			tree->pos += c == '\r' ? 2 : 1;
			if (tree->pos != tree->len)
				return tree_fail(tree, "bytes after the line end");
			return 0;
		}
		if (c == ')') {
			if (top->kind != FRAME_LIST)
				return tree_fail(tree, "unbalanced )");
			depth--;
			tree->pos++;
			previous = ')';
			continue;
		}
		if (closes_bracket) {
			tree->pos++;
			if (top->kind == FRAME_CODE) {
				if (!named)
					return tree_fail(tree, "response code without a name");
				return 0;
			}
			struct imap_node *owner = top->owner;
			depth--;
			if (tree->pos < tree->len && tree->p[tree->pos] == '<') {
				size_t start = ++tree->pos;
				while (tree->pos < tree->len &&
				       ((tree->p[tree->pos] >= '0' && tree->p[tree->pos] <= '9') ||
				        tree->p[tree->pos] == '.'))
					tree->pos++;
				if (tree->pos == start || tree->pos >= tree->len ||
				    tree->p[tree->pos] != '>')
					return tree_fail(tree, "bad <origin>");
				owner->partial = (struct str){ tree->p + start, tree->pos - start };
				tree->pos++;
			}
			previous = 't';
			continue;
		}
		if (previous && !spaced && !(previous == ')' && c == '('))
			return tree_fail(tree, "missing space between tokens");

		struct imap_node *node;
		if (c == '(') {
			if (depth + 1 >= IMAP_MAX_DEPTH)
				return tree_fail(tree, "lists nested too deep");
			node = new_node(tree, IMAP_LIST);
			node->glued = previous == ')' && !spaced;
			root_tokens += depth == 0;
			append(top, node);
			stack_reserve(tree, depth);
			tree->stack[++depth] = (struct frame){ FRAME_LIST, node, NULL, NULL };
			tree->pos++;
			previous = 0;
			continue;
		}
		if (c == '"') {
			node = new_node(tree, IMAP_QUOTED);
			if (lex_quoted(tree, node) < 0)
				return -1;
		} else if (c == '{' || (c == '~' && tree->pos + 1 < tree->len &&
		                        tree->p[tree->pos + 1] == '{')) {
			if (kind == FRAME_CODE)
				return tree_fail(tree, "literal in a response code");
			node = new_node(tree, IMAP_LITERAL);
			if (lex_literal(tree, node) < 0)
				return -1;
		} else {
			size_t start = tree->pos;
			bool bracketed = c == '[';
			bool in_brackets = top->kind == FRAME_SECTION || top->kind == FRAME_CODE;
			while (tree->pos < tree->len) {
				tree->pos = plain_run(tree, 0, BYTE_ATOM);
				if (tree->pos >= tree->len)
					break;
				unsigned char b = (unsigned char)tree->p[tree->pos];
				if (!(byte_class[b] & BYTE_BRACKET))
					break;
				if (b == '[' && tree->pos > start && !bracketed)
					break;
				if (b == ']' && in_brackets)
					break;
				tree->pos++;
			}
			if (tree->pos == start)
				return tree_fail(tree, "unexpected byte");
			struct str text = { tree->p + start, tree->pos - start };
			bool has_section = tree->pos < tree->len && tree->p[tree->pos] == '[' &&
			                   !bracketed;
			uint64_t number;
			if (has_section) {
				node = new_node(tree, IMAP_ATOM);
			} else if (all_digits(text)) {
				node = new_node(tree, IMAP_NUMBER);
				if (parse_u64(text, 0, UINT64_MAX, &number) < 0)
					return tree_fail(tree, "number does not fit 64 bits");
				node->number = number;
			} else if (is_nil(text)) {
				node = new_node(tree, IMAP_NIL);
			} else {
				node = new_node(tree, IMAP_ATOM);
			}
			node->text = text;
			if (kind == FRAME_CODE && depth == 0 && !root_tokens)
				named = node->type == IMAP_ATOM;
			root_tokens += depth == 0;
			append(top, node);
			if (has_section) {
				if (depth + 1 >= IMAP_MAX_DEPTH)
					return tree_fail(tree, "lists nested too deep");
				struct imap_node *section = new_node(tree, IMAP_SECTION);
				node->section = section;
				stack_reserve(tree, depth);
				tree->stack[++depth] = (struct frame){ FRAME_SECTION, section, NULL, node };
				tree->pos++;
				previous = 0;
				continue;
			}
			previous = 't';
			continue;
		}
		root_tokens += depth == 0;
		append(top, node);
		previous = 't';
	}
}

/* The rest of a status response after its status word: [code] text. */
static int parse_resp_text(struct tree *tree, struct imap_response *response,
                           bool may_have_code)
{
	if (tree->pos < tree->len && tree->p[tree->pos] == ' ') {
		tree->pos++;
		if (may_have_code && tree->pos < tree->len && tree->p[tree->pos] == '[') {
			tree->pos++;
			struct imap_node *code = new_node(tree, IMAP_SECTION);
			response->code = code;
			if (parse_tokens(tree, code, FRAME_CODE) < 0)
				return -1;
			if (tree->pos < tree->len && tree->p[tree->pos] == ' ')
				tree->pos++;
		}
	}
	size_t start = tree->pos;
	while (tree->pos < tree->len && !is_line_end(tree->p, tree->len, tree->pos)) {
		char c = tree->p[tree->pos];
		if (c == '\0' || c == '\r' || c == '\n')
			return tree_fail(tree, "CR, LF or NUL in text");
		tree->pos++;
	}
	if (tree->pos >= tree->len)
		return tree_fail(tree, "response ends without a line end");
	response->text = (struct str){ tree->p + start, tree->pos - start };
	tree->pos += tree->p[tree->pos] == '\r' ? 2 : 1;
	if (tree->pos != tree->len)
		return tree_fail(tree, "bytes after the line end");
	return 0;
}

/* ---- answers of one value a message, packed (see imap_parse.h) -------- */

/* The atom name (upper case) at pos, ended by a space or the line's end? */
static bool atom_at(const struct tree *tree, size_t pos, const char *name)
{
	size_t n = strlen(name);

	if (tree->len - pos < n || strncasecmp(tree->p + pos, name, n) != 0)
		return false;
	return (pos + n < tree->len && tree->p[pos + n] == ' ') ||
	       is_line_end(tree->p, tree->len, pos + n);
}

/* The line's end (its CRLF) when no literal came: else 0. */
static size_t plain_line_end(const struct tree *tree)
{
	size_t end = tree->len;

	if (end < 2 || tree->p[end - 2] != '\r' || tree->p[end - 1] != '\n')
		return 0;
	return end - 2;
}

/* " n n n" up to end, each an nz-number of 32 bits written without a
 * leading zero, into numbers (room for one a space); false if not. */
static bool pack_numbers(const char *p, size_t pos, size_t end,
                         uint32_t *numbers, size_t *n)
{
	*n = 0;
	while (pos < end) {
		uint64_t value = 0;
		size_t digits = 0;
		if (p[pos++] != ' ' || pos == end || p[pos] < '1' || p[pos] > '9')
			return false;
		while (pos < end && p[pos] >= '0' && p[pos] <= '9' && digits < 11) {
			value = value * 10 + (uint64_t)(p[pos++] - '0');
			digits++;
		}
		if (value > UINT32_MAX || (pos < end && p[pos] != ' '))
			return false;
		numbers[(*n)++] = (uint32_t)value;
	}
	return true;
}

/*
 * "* SORT ...", "* SEARCH ..." of numbers alone, or "* THREAD ...":
 * data becomes the atom alone and the values are packed.  False (nothing
 * changed) when the line is any other, which then gets its tree.
 */
static bool pack_answer(struct tree *tree, struct imap_response *response)
{
	size_t pos = tree->pos, end = plain_line_end(tree), atom_len;
	bool thread = false;

	if (!end || pos >= end)
		return false;
	if (atom_at(tree, pos, "SORT"))
		atom_len = 4;
	else if (atom_at(tree, pos, "SEARCH"))
		atom_len = 6;
	else if (atom_at(tree, pos, "THREAD"))
		atom_len = 6, thread = true;
	else
		return false;
	if (thread) {
		size_t from = pos + atom_len;
		if (from < end && tree->p[from] == ' ')
			from++;
		for (size_t i = from; i < end; i++) {
			char c = tree->p[i];
			if (!(c >= '0' && c <= '9') && c != ' ' && c != '(' && c != ')')
				return false;
		}
		response->thread_list = (struct str){ tree->p + from, end - from };
	} else {
		size_t spaces = 0;
		for (size_t i = pos + atom_len; i < end; i++)
			spaces += tree->p[i] == ' ';
		uint32_t *numbers = xmalloc((spaces + 1) * sizeof(*numbers));
		size_t n;
		if (!pack_numbers(tree->p, pos + atom_len, end, numbers, &n)) {
			free(numbers);
			return false;
		}
		response->numbers = numbers;
		response->nnumbers = n;
	}
	struct imap_node *atom = new_node(tree, IMAP_ATOM);
	atom->text = (struct str){ tree->p + pos, atom_len };
	response->data = atom;
	response->ndata = 1;
	tree->pos = end;
	return true;
}

static int build(struct tree *tree, struct imap_response *response)
{
	const char *p = tree->p;
	size_t len = tree->len;

	memset(response, 0, sizeof(*response));
	tree->pos = 0;
	if (len && p[0] == '+') {
		response->kind = IMAP_CONTINUATION;
		tree->pos = 1;
		if (is_line_end(p, len, 1))
			return parse_resp_text(tree, response, false);
		if (len < 2 || p[1] != ' ')
			return tree_fail(tree, "continuation without a space");
		return parse_resp_text(tree, response, false);
	}
	if (len && p[0] == '*') {
		response->kind = IMAP_UNTAGGED;
		if (len < 2 || p[1] != ' ')
			return tree_fail(tree, "untagged response without a space");
		tree->pos = 2;
		/* Extra spaces (see VIOLATIONS) must not turn "*  OK" into data. */
		while (tree->pos < len && p[tree->pos] == ' ')
			tree->pos++;
		response->status = status_word(p, len, tree->pos);
		if (response->status != IMAP_STATUS_NONE) {
			tree->pos += strlen(status_names[response->status]);
			return parse_resp_text(tree, response, true);
		}
		if (pack_answer(tree, response))
			return 0;
		struct imap_node root = { .type = IMAP_LIST };
		if (parse_tokens(tree, &root, FRAME_ROOT) < 0)
			return -1;
		if (!root.nchildren)
			return tree_fail(tree, "untagged response without data");
		response->data = root.children;
		response->ndata = root.nchildren;
		return 0;
	}
	response->kind = IMAP_TAGGED;
	while (tree->pos < len && is_atom_byte((unsigned char)p[tree->pos]) &&
	       p[tree->pos] != '+' && p[tree->pos] != '*')
		tree->pos++;
	if (tree->pos == 0 || tree->pos >= len || p[tree->pos] != ' ')
		return tree_fail(tree, "bad tag");
	response->tag = (struct str){ p, tree->pos };
	tree->pos++;
	response->status = status_word(p, len, tree->pos);
	if (response->status != IMAP_OK && response->status != IMAP_NO &&
	    response->status != IMAP_BAD)
		return tree_fail(tree, "tagged response is not OK, NO or BAD");
	tree->pos += strlen(status_names[response->status]);
	return parse_resp_text(tree, response, true);
}

/*
 * Build the response from the bytes in raw, which it takes over (raw is
 * empty afterwards, whatever the outcome).
 */
static struct imap_response *parse_response(struct buf *raw,
                                            char *error, size_t error_size)
{
	struct tree tree_storage; /* on the C stack, with its first frames */
	struct tree *tree = &tree_storage;
	struct imap_response *response = xcalloc(1, sizeof(*response));
	size_t len = raw->len;
	char *owned;

	/*
	 * Spare room of the framer's buffer goes back to the allocator
	 * (shrinking in place: no copy), before any pointer into raw exists.
	 */
	if (raw->cap - len > len / 4 + 256)
		raw->p = xrealloc(raw->p, len + 1), raw->cap = len + 1;
	owned = buf_detach(raw, NULL);
	tree->p = owned;
	tree->len = len;
	tree->pos = 0;
	tree->chunks = tree->chunk = NULL;
	tree->chunk_used = tree->chunk_cap = 0;
	tree->stack = tree->stack_inline;
	tree->stack_cap = STACK_INLINE;
	tree->error = error;
	tree->error_size = error_size;
	if (build(tree, response) < 0) {
		free_chunks(tree->chunks);
		free(owned);
		free(response);
		response = NULL;
		goto out;
	}
	response->raw = (struct str){ owned, len };
	response->raw_owned = owned;
	response->nodes = tree->chunks;
out:
	if (tree->stack != tree->stack_inline)
		free(tree->stack);
	return response;
}

void imap_response_free(struct imap_response *response)
{
	if (!response)
		return;
	free(response->raw_owned);
	free(response->numbers);
	free_chunks(response->nodes);
	free(response);
}

/* ---- helpers ---------------------------------------------------------- */

struct imap_node *imap_node_nth(struct imap_node *list_or_first, size_t index)
{
	struct imap_node *node = list_or_first;

	if (node && (node->type == IMAP_LIST || node->type == IMAP_SECTION))
		node = node->children;
	while (node && index--)
		node = node->next;
	return node;
}

bool imap_node_is_atom(const struct imap_node *node, const char *atom)
{
	return node && node->type == IMAP_ATOM && str_caseeq(node->text, atom);
}

bool imap_node_is_string(const struct imap_node *node)
{
	return node && (node->type == IMAP_ATOM || node->type == IMAP_NUMBER ||
	                node->type == IMAP_QUOTED || node->type == IMAP_LITERAL);
}

struct str imap_node_nstring(const struct imap_node *node)
{
	return imap_node_is_string(node) ? node->text : STR_NULL;
}

/*
 * Lists sent without a space between them, "(1)(2 3)" in THREAD and
 * multipart BODYSTRUCTURE, print that way, so a server's answer dumps
 * back byte for byte; everything else is separated by one space.
 */
static void dump_separator(struct buf *out, const struct imap_node *previous,
                           const struct imap_node *next)
{
	if (previous->type != IMAP_LIST || next->type != IMAP_LIST || !next->glued)
		buf_addch(out, ' ');
}

static void dump_children(struct buf *out, const struct imap_node *node)
{
	for (const struct imap_node *child = node->children; child; child = child->next) {
		imap_node_dump(out, child);
		if (child->next)
			dump_separator(out, child, child->next);
	}
}

/*
 * Lists are walked with an explicit stack too: a dump of a 1000-deep list
 * must not be the one recursion that overflows.
 */
void imap_node_dump(struct buf *out, const struct imap_node *node)
{
	if (!node)
		return;
	switch (node->type) {
	case IMAP_ATOM:
	case IMAP_NUMBER:
		buf_addstr_view(out, node->text);
		if (node->section) {
			buf_addch(out, '[');
			dump_children(out, node->section);
			buf_addch(out, ']');
			if (node->partial.p) {
				buf_addch(out, '<');
				buf_addstr_view(out, node->partial);
				buf_addch(out, '>');
			}
		}
		return;
	case IMAP_NIL:
		buf_addstr(out, "NIL");
		return;
	case IMAP_QUOTED:
		buf_addch(out, '"');
		for (size_t i = 0; i < node->text.len; i++) {
			if (node->text.p[i] == '"' || node->text.p[i] == '\\')
				buf_addch(out, '\\');
			buf_addch(out, node->text.p[i]);
		}
		buf_addch(out, '"');
		return;
	case IMAP_LITERAL:
		buf_addf(out, "%s{%zu}\r\n", node->binary ? "~" : "", node->text.len);
		buf_addstr_view(out, node->text);
		return;
	case IMAP_SECTION:
		buf_addch(out, '[');
		dump_children(out, node);
		buf_addch(out, ']');
		return;
	case IMAP_LIST:
		break;
	case IMAP_NODE_TYPE__MAX:
		return;
	}
	/* A list: iterate, keeping the path back up in a small stack. */
	size_t cap = 16, depth = 0;
	const struct imap_node **stack = xmalloc(cap * sizeof(*stack));
	const struct imap_node *cur = node;
	buf_addch(out, '(');
	cur = node->children;
	stack[depth++] = node;
	while (depth) {
		if (!cur) {
			buf_addch(out, ')');
			const struct imap_node *done = stack[--depth];
			if (!depth)
				break;
			cur = done->next;
			if (cur)
				dump_separator(out, done, cur);
			continue;
		}
		if (cur->type == IMAP_LIST) {
			if (depth == cap) {
				cap *= 2;
				stack = xrealloc(stack, cap * sizeof(*stack));
			}
			stack[depth++] = cur;
			buf_addch(out, '(');
			cur = cur->children;
			continue;
		}
		imap_node_dump(out, cur);
		if (cur->next)
			dump_separator(out, cur, cur->next);
		cur = cur->next;
	}
	free(stack);
}

void imap_response_dump(struct buf *out, const struct imap_response *response)
{
	switch (response->kind) {
	case IMAP_CONTINUATION:
		buf_addch(out, '+');
		if (response->text.len) {
			buf_addch(out, ' ');
			buf_addstr_view(out, response->text);
		}
		buf_addstr(out, "\r\n");
		return;
	case IMAP_UNTAGGED:
		buf_addstr(out, "* ");
		break;
	case IMAP_TAGGED:
		buf_addstr_view(out, response->tag);
		buf_addch(out, ' ');
		break;
	}
	if (response->status == IMAP_STATUS_NONE || response->status >= IMAP_STATUS__MAX) {
		for (const struct imap_node *node = response->data; node; node = node->next) {
			imap_node_dump(out, node);
			if (node->next)
				dump_separator(out, node, node->next);
		}
		for (size_t i = 0; i < response->nnumbers; i++)
			buf_addf(out, " %" PRIu32, response->numbers[i]);
		if (response->thread_list.len) {
			buf_addch(out, ' ');
			buf_addstr_view(out, response->thread_list);
		}
	} else {
		buf_addstr(out, status_names[response->status]);
		if (response->code) {
			buf_addch(out, ' ');
			imap_node_dump(out, response->code);
		}
		if (response->text.len) {
			buf_addch(out, ' ');
			buf_addstr_view(out, response->text);
		}
	}
	buf_addstr(out, "\r\n");
}
