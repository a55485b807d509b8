/*
 * IMAP commands and the read-only choke point (imapeek-httpd(8), "Read-only, by
 * construction").
 *
 * The check is a grammar, not a grep: the command name is looked up in a
 * table (case-insensitively, and sent in its canonical spelling), each
 * command has an argument shape, atoms and sequence sets are validated
 * byte by byte, and FETCH items are parsed item by item, section and
 * partial included.  The encoder calls the check itself, so there is no
 * way to get bytes for a command that was not checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap_cmd.h"
#include "utf8.h"
#include "rfc5322.h"
#include "imap_utf7.h"

/* Request data is bounded by the front ends; this is the last fence. */
#define IMAP_CMD_MAX_STRING (64 * 1024)
/* LITERAL- (RFC 7888) allows non-synchronizing literals up to this size. */
#define LITERAL_MINUS_MAX 4096

enum cmd_shape {
	SHAPE_NONE,     /* no arguments */
	SHAPE_ID,       /* NIL or ( string string ... ) */
	SHAPE_ENABLE,   /* one or more atoms */
	SHAPE_LIST,     /* [(opts)] reference pattern [RETURN (...)] */
	SHAPE_STATUS,   /* mailbox ( atoms ) */
	SHAPE_EXAMINE,  /* mailbox [( atoms )] */
	SHAPE_FETCH,    /* seqset items [( CHANGEDSINCE n [VANISHED] )] */
	SHAPE_SEARCH,   /* any balanced mix of atoms, numbers, sets, strings */
};

static const struct {
	const char *name;
	enum cmd_shape shape;
} commands[] = {
	{ "CAPABILITY", SHAPE_NONE },
	{ "ID", SHAPE_ID },
	{ "ENABLE", SHAPE_ENABLE },
	{ "NAMESPACE", SHAPE_NONE },
	{ "NOOP", SHAPE_NONE },
	{ "LOGOUT", SHAPE_NONE },
	{ "LIST", SHAPE_LIST },
	{ "LSUB", SHAPE_LIST },
	{ "STATUS", SHAPE_STATUS },
	{ "EXAMINE", SHAPE_EXAMINE },
	{ "UNSELECT", SHAPE_NONE },
	{ "FETCH", SHAPE_FETCH },
	{ "UID FETCH", SHAPE_FETCH },
	{ "SEARCH", SHAPE_SEARCH },
	{ "UID SEARCH", SHAPE_SEARCH },
	{ "SORT", SHAPE_SEARCH },
	{ "UID SORT", SHAPE_SEARCH },
	{ "THREAD", SHAPE_SEARCH },
	{ "UID THREAD", SHAPE_SEARCH },
	{ "IDLE", SHAPE_NONE },
};

/* ---- building -------------------------------------------------------- */

void imap_cmd_init(struct imap_cmd *cmd, const char *name)
{
	cmd->name = xstrdup(name);
	cmd->args = NULL;
	cmd->nargs = cmd->cap = 0;
}

void imap_cmd_release(struct imap_cmd *cmd)
{
	for (size_t i = 0; i < cmd->nargs; i++)
		buf_release(&cmd->args[i].value);
	free(cmd->args);
	free(cmd->name);
	cmd->name = NULL;
	cmd->args = NULL;
	cmd->nargs = cmd->cap = 0;
}

static struct imap_arg *add_arg(struct imap_cmd *cmd, enum imap_arg_type type,
                                const void *value, size_t len)
{
	struct imap_arg *arg;

	if (cmd->nargs == cmd->cap) {
		cmd->cap = cmd->cap ? 2 * cmd->cap : 8;
		cmd->args = xrealloc(cmd->args, cmd->cap * sizeof(*cmd->args));
	}
	arg = &cmd->args[cmd->nargs++];
	arg->type = type;
	arg->number = 0;
	buf_init(&arg->value);
	if (value)
		buf_add(&arg->value, value, len);
	return arg;
}

void imap_cmd_atom(struct imap_cmd *cmd, const char *atom)
{
	add_arg(cmd, IMAP_ARG_ATOM, atom, strlen(atom));
}

void imap_cmd_date(struct imap_cmd *cmd, int year, int month, int day)
{
	char date[24];

	snprintf(date, sizeof(date), "%d-%s-%04d", day,
	         rfc5322_months[month >= 1 && month <= 12 ? month - 1 : 0], year);
	imap_cmd_atom(cmd, date);
}

void imap_cmd_number(struct imap_cmd *cmd, uint64_t number)
{
	struct imap_arg *arg = add_arg(cmd, IMAP_ARG_NUMBER, NULL, 0);

	arg->number = number;
	buf_addf(&arg->value, "%llu", (unsigned long long)number);
}

void imap_cmd_seqset(struct imap_cmd *cmd, const char *set)
{
	add_arg(cmd, IMAP_ARG_SEQSET, set, strlen(set));
}

void imap_cmd_string(struct imap_cmd *cmd, struct str value)
{
	add_arg(cmd, IMAP_ARG_STRING, value.p, value.len);
}

void imap_cmd_mailbox(struct imap_cmd *cmd, struct str utf8_name)
{
	add_arg(cmd, IMAP_ARG_MAILBOX, utf8_name.p, utf8_name.len);
}

void imap_cmd_fetch_items(struct imap_cmd *cmd, const char *items)
{
	add_arg(cmd, IMAP_ARG_FETCH_ITEMS, items, strlen(items));
}

void imap_cmd_list_open(struct imap_cmd *cmd)
{
	add_arg(cmd, IMAP_ARG_LIST_OPEN, NULL, 0);
}

void imap_cmd_list_close(struct imap_cmd *cmd)
{
	add_arg(cmd, IMAP_ARG_LIST_CLOSE, NULL, 0);
}

/* ---- lexical checks -------------------------------------------------- */

/* RFC 3501 ATOM-CHAR: any CHAR except atom-specials. */
static bool is_atom_char(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return false;
	return !strchr("(){%*\"\\]", c);
}

/*
 * An atom we wrote: every byte an ATOM-CHAR, except that a leading
 * backslash is allowed for flag names (SEARCH KEYWORD, \Seen).
 */
static bool is_atom(struct str atom)
{
	size_t i = 0;

	if (atom.len == 0 || atom.len > 256)
		return false;
	if (atom.p[0] == '\\') {
		if (atom.len == 1)
			return false;
		i = 1;
	}
	for (; i < atom.len; i++)
		if (!is_atom_char((unsigned char)atom.p[i]))
			return false;
	return true;
}

/* nz-number: 1..4294967295, no leading zero. */
static bool take_nz_number(struct str s, size_t *pos, uint64_t *value)
{
	size_t start = *pos;

	if (*pos >= s.len || s.p[*pos] < '1' || s.p[*pos] > '9')
		return false;
	while (*pos < s.len && s.p[*pos] >= '0' && s.p[*pos] <= '9')
		(*pos)++;
	return parse_u64((struct str){ s.p + start, *pos - start }, 1,
	                 UINT32_MAX, value) == 0;
}

static bool take_seq_number(struct str s, size_t *pos)
{
	uint64_t value;

	if (*pos < s.len && s.p[*pos] == '*') {
		(*pos)++;
		return true;
	}
	return take_nz_number(s, pos, &value);
}

/* sequence-set: (seq-number / seq-number ":" seq-number) *("," ...) */
static bool is_seqset(struct str set)
{
	size_t pos = 0;

	if (set.len == 0 || set.len > 64 * 1024)
		return false;
	for (;;) {
		if (!take_seq_number(set, &pos))
			return false;
		if (pos < set.len && set.p[pos] == ':') {
			pos++;
			if (!take_seq_number(set, &pos))
				return false;
		}
		if (pos == set.len)
			return true;
		if (set.p[pos++] != ',')
			return false;
	}
}

static bool take_word(struct str s, size_t *pos, const char *word)
{
	size_t len = strlen(word);

	if (s.len - *pos < len || strncasecmp(s.p + *pos, word, len) != 0)
		return false;
	*pos += len;
	return true;
}

/* header-fld-name as we allow it: printable ASCII but no ':', no specials. */
static bool take_header_list(struct str s, size_t *pos, struct buf *out)
{
	size_t names = 0;

	if (*pos >= s.len || s.p[*pos] != '(')
		return false;
	(*pos)++;
	buf_addch(out, '(');
	for (;;) {
		size_t start = *pos;

		while (*pos < s.len && is_atom_char((unsigned char)s.p[*pos]) &&
		       s.p[*pos] != ':' && s.p[*pos] != '[')
			(*pos)++;
		if (*pos == start)
			return false;
		if (names++)
			buf_addch(out, ' ');
		for (size_t i = start; i < *pos; i++)
			buf_addch(out, s.p[i]);
		if (*pos >= s.len)
			return false;
		if (s.p[*pos] == ')') {
			(*pos)++;
			buf_addch(out, ')');
			return true;
		}
		if (s.p[*pos] != ' ')
			return false;
		(*pos)++;
	}
}

/* section-msgtext (without MIME) or, after a part, section-text. */
static bool take_section_text(struct str s, size_t *pos, bool after_part,
                              struct buf *out)
{
	if (take_word(s, pos, "HEADER.FIELDS.NOT ")) {
		buf_addstr(out, "HEADER.FIELDS.NOT ");
		return take_header_list(s, pos, out);
	}
	if (take_word(s, pos, "HEADER.FIELDS ")) {
		buf_addstr(out, "HEADER.FIELDS ");
		return take_header_list(s, pos, out);
	}
	if (take_word(s, pos, "HEADER")) {
		buf_addstr(out, "HEADER");
		return true;
	}
	if (take_word(s, pos, "TEXT")) {
		buf_addstr(out, "TEXT");
		return true;
	}
	if (after_part && take_word(s, pos, "MIME")) {
		buf_addstr(out, "MIME");
		return true;
	}
	return false;
}

/*
 * "[" section-spec "]" for BODY.PEEK, or "[" section-part "]" for the
 * BINARY items (RFC 3516), copied canonically to out.
 */
static bool take_section(struct str s, size_t *pos, bool binary, struct buf *out)
{
	uint64_t part;

	if (*pos >= s.len || s.p[*pos] != '[')
		return false;
	(*pos)++;
	buf_addch(out, '[');
	if (*pos < s.len && s.p[*pos] == ']')
		goto close;
	if (*pos < s.len && s.p[*pos] >= '1' && s.p[*pos] <= '9') {
		for (;;) {
			if (!take_nz_number(s, pos, &part))
				return false;
			buf_addf(out, "%llu", (unsigned long long)part);
			if (*pos >= s.len || s.p[*pos] != '.')
				break;
			(*pos)++;
			buf_addch(out, '.');
			if (*pos < s.len && (s.p[*pos] < '1' || s.p[*pos] > '9')) {
				if (binary || !take_section_text(s, pos, true, out))
					return false;
				break;
			}
		}
	} else if (binary || !take_section_text(s, pos, false, out)) {
		return false;
	}
close:
	if (*pos >= s.len || s.p[*pos] != ']')
		return false;
	(*pos)++;
	buf_addch(out, ']');
	return true;
}

/* "<" number "." nz-number ">" */
static bool take_partial(struct str s, size_t *pos, struct buf *out)
{
	size_t start = ++*pos;
	uint64_t origin, length;

	while (*pos < s.len && s.p[*pos] >= '0' && s.p[*pos] <= '9')
		(*pos)++;
	if (parse_u64((struct str){ s.p + start, *pos - start }, 0, UINT32_MAX,
	              &origin) < 0)
		return false;
	if (*pos >= s.len || s.p[*pos] != '.')
		return false;
	(*pos)++;
	if (!take_nz_number(s, pos, &length))
		return false;
	if (*pos >= s.len || s.p[*pos] != '>')
		return false;
	(*pos)++;
	buf_addf(out, "<%llu.%llu>", (unsigned long long)origin,
	         (unsigned long long)length);
	return true;
}

/*
 * One FETCH item.  The order matters: "BODY.PEEK[" before anything that
 * could take "BODY" as a prefix; the plain items must end at SP or ")"
 * so that "ENVELOPEX" or "UID[" are not items.
 */
static bool take_fetch_item(struct str s, size_t *pos, struct buf *out)
{
	static const char *const plain[] = {
		"UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE",
		"BODYSTRUCTURE", "MODSEQ", "EMAILID", "THREADID", "PREVIEW",
	};
	static const struct {
		const char *name;
		bool binary, partial;
	} sectioned[] = {
		{ "BODY.PEEK", false, true },
		{ "BINARY.PEEK", true, true },
		{ "BINARY.SIZE", true, false },
	};

	for (size_t i = 0; i < sizeof(sectioned) / sizeof(sectioned[0]); i++) {
		size_t at = *pos;

		if (!take_word(s, &at, sectioned[i].name) ||
		    at >= s.len || s.p[at] != '[')
			continue;
		buf_addstr(out, sectioned[i].name);
		if (!take_section(s, &at, sectioned[i].binary, out))
			return false;
		if (at < s.len && s.p[at] == '<') {
			if (!sectioned[i].partial || !take_partial(s, &at, out))
				return false;
		}
		*pos = at;
		return true;
	}
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		size_t at = *pos;

		if (!take_word(s, &at, plain[i]))
			continue;
		if (at < s.len && s.p[at] != ' ' && s.p[at] != ')')
			continue;
		buf_addstr(out, plain[i]);
		*pos = at;
		return true;
	}
	return false;
}

/*
 * FETCH items: one item, or "(" item *(SP item) ")".  The canonical
 * spelling goes to out (NULL: check only).  The macros ALL, FAST and FULL
 * are refused: the list of imapeek-httpd(8) is exact.
 */
static bool check_fetch_items(struct str items, struct buf *out)
{
	struct buf scratch = BUF_INIT;
	size_t pos = 0;
	bool listed, good = false;

	if (!out)
		out = &scratch;
	if (items.len == 0 || items.len > 4096)
		goto out;
	listed = items.p[0] == '(';
	if (listed) {
		pos = 1;
		buf_addch(out, '(');
	}
	for (size_t n = 0;; n++) {
		if (n)
			buf_addch(out, ' ');
		if (!take_fetch_item(items, &pos, out))
			goto out;
		if (!listed)
			break;
		if (pos < items.len && items.p[pos] == ')') {
			pos++;
			buf_addch(out, ')');
			break;
		}
		if (pos >= items.len || items.p[pos] != ' ')
			goto out;
		pos++;
	}
	good = pos == items.len;
out:
	buf_release(&scratch);
	return good;
}

/* Valid UTF-8: shortest forms, no surrogates, nothing above U+10FFFF. */
static bool is_utf8(struct str s)
{
	return utf8_valid(s.p, s.len);
}

/* ---- the choke point ------------------------------------------------- */

static int refuse(char *why, size_t why_size, const char *fmt, ...)
	PRINTF_LIKE(3, 4);

static int refuse(char *why, size_t why_size, const char *fmt, ...)
{
	va_list ap;

	if (why && why_size) {
		va_start(ap, fmt);
		vsnprintf(why, why_size, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static const char *arg_type_name(enum imap_arg_type type)
{
	static const char *const names[IMAP_ARG_TYPE__MAX] = {
		"atom", "number", "sequence set", "string", "mailbox",
		"fetch items", "(", ")",
	};

	return type < IMAP_ARG_TYPE__MAX ? names[type] : "?";
}

static int find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcasecmp(name, commands[i].name) == 0)
			return (int)i;
	return -1;
}

/* Every argument is what its type says, whatever the command. */
static int check_arg(const struct imap_arg *arg, char *why, size_t why_size)
{
	struct str value = str_from_buf(&arg->value);

	switch (arg->type) {
	case IMAP_ARG_ATOM:
		if (!is_atom(value))
			return refuse(why, why_size, "not an atom");
		return 0;
	case IMAP_ARG_NUMBER:
		/* mod-sequence values are 63-bit (RFC 7162) */
		if (arg->number > INT64_MAX)
			return refuse(why, why_size, "number out of range");
		return 0;
	case IMAP_ARG_SEQSET:
		if (!is_seqset(value))
			return refuse(why, why_size, "not a sequence set");
		return 0;
	case IMAP_ARG_STRING:
	case IMAP_ARG_MAILBOX:
		if (value.len > IMAP_CMD_MAX_STRING)
			return refuse(why, why_size, "string longer than %d bytes",
			              IMAP_CMD_MAX_STRING);
		/* IMAP4rev1 literals cannot carry NUL (RFC 3501 section 9, CHAR8) */
		if (memchr(value.p, '\0', value.len))
			return refuse(why, why_size, "string with a NUL byte");
		if (arg->type == IMAP_ARG_MAILBOX && !is_utf8(value))
			return refuse(why, why_size, "mailbox name is not UTF-8");
		return 0;
	case IMAP_ARG_FETCH_ITEMS:
		if (!check_fetch_items(value, NULL))
			return refuse(why, why_size, "fetch items not allowed");
		return 0;
	case IMAP_ARG_LIST_OPEN:
	case IMAP_ARG_LIST_CLOSE:
		return 0;
	default:
		return refuse(why, why_size, "unknown argument type");
	}
}

static bool arg_is(const struct imap_cmd *cmd, size_t i, enum imap_arg_type type)
{
	return i < cmd->nargs && cmd->args[i].type == type;
}

static bool atom_is(const struct imap_cmd *cmd, size_t i, const char *atom)
{
	return arg_is(cmd, i, IMAP_ARG_ATOM) &&
	       str_caseeq(str_from_buf(&cmd->args[i].value), atom);
}

/* ( atom ... ) from i: returns the index after ")", or 0. */
static size_t atom_list(const struct imap_cmd *cmd, size_t i, bool may_be_empty)
{
	size_t start;

	if (!arg_is(cmd, i, IMAP_ARG_LIST_OPEN))
		return 0;
	start = ++i;
	while (arg_is(cmd, i, IMAP_ARG_ATOM))
		i++;
	if (!arg_is(cmd, i, IMAP_ARG_LIST_CLOSE) || (!may_be_empty && i == start))
		return 0;
	return i + 1;
}

static bool is_mailbox_arg(const struct imap_cmd *cmd, size_t i)
{
	return arg_is(cmd, i, IMAP_ARG_MAILBOX) || arg_is(cmd, i, IMAP_ARG_STRING);
}

/* The argument shape of each command (RFC 3501 section 6, extensions). */
static bool check_shape(const struct imap_cmd *cmd, enum cmd_shape shape)
{
	size_t i = 0, depth = 0;

	switch (shape) {
	case SHAPE_NONE:
		return cmd->nargs == 0;
	case SHAPE_ID:
		if (cmd->nargs == 1)
			return atom_is(cmd, 0, "NIL");
		if (!arg_is(cmd, i++, IMAP_ARG_LIST_OPEN))
			return false;
		while (arg_is(cmd, i, IMAP_ARG_STRING) && arg_is(cmd, i + 1, IMAP_ARG_STRING))
			i += 2;
		return arg_is(cmd, i, IMAP_ARG_LIST_CLOSE) && i + 1 == cmd->nargs;
	case SHAPE_ENABLE:
		if (cmd->nargs == 0)
			return false;
		for (i = 0; i < cmd->nargs; i++)
			if (!arg_is(cmd, i, IMAP_ARG_ATOM))
				return false;
		return true;
	case SHAPE_LIST:
		/* RFC 5258 selection options before, RETURN options after */
		if (arg_is(cmd, 0, IMAP_ARG_LIST_OPEN) && !(i = atom_list(cmd, 0, true)))
			return false;
		if (!is_mailbox_arg(cmd, i) || !is_mailbox_arg(cmd, i + 1))
			return false;
		i += 2;
		if (i == cmd->nargs)
			return true;
		if (!atom_is(cmd, i, "RETURN"))
			return false;
		/* RETURN (CHILDREN STATUS (MESSAGES UIDNEXT)) */
		if (!arg_is(cmd, ++i, IMAP_ARG_LIST_OPEN))
			return false;
		for (; i < cmd->nargs; i++) {
			if (arg_is(cmd, i, IMAP_ARG_LIST_OPEN))
				depth++;
			else if (arg_is(cmd, i, IMAP_ARG_LIST_CLOSE)) {
				if (depth == 0 || --depth == 0)
					break;
			} else if (!arg_is(cmd, i, IMAP_ARG_ATOM) || depth > 2)
				return false;
		}
		return depth == 0 && i + 1 == cmd->nargs;
	case SHAPE_STATUS:
		return is_mailbox_arg(cmd, 0) && atom_list(cmd, 1, false) == cmd->nargs;
	case SHAPE_EXAMINE:
		if (!is_mailbox_arg(cmd, 0))
			return false;
		return cmd->nargs == 1 || atom_list(cmd, 1, false) == cmd->nargs;
	case SHAPE_FETCH:
		if (!arg_is(cmd, 0, IMAP_ARG_SEQSET) || !arg_is(cmd, 1, IMAP_ARG_FETCH_ITEMS))
			return false;
		if (cmd->nargs == 2)
			return true;
		/* RFC 7162: (CHANGEDSINCE modseq [VANISHED]) */
		if (!arg_is(cmd, 2, IMAP_ARG_LIST_OPEN) || !atom_is(cmd, 3, "CHANGEDSINCE") ||
		    !arg_is(cmd, 4, IMAP_ARG_NUMBER))
			return false;
		i = atom_is(cmd, 5, "VANISHED") ? 6 : 5;
		return arg_is(cmd, i, IMAP_ARG_LIST_CLOSE) && i + 1 == cmd->nargs;
	case SHAPE_SEARCH:
		if (cmd->nargs == 0)
			return false;
		for (i = 0; i < cmd->nargs; i++) {
			enum imap_arg_type type = cmd->args[i].type;

			if (type == IMAP_ARG_LIST_OPEN) {
				if (++depth > 32)
					return false;
			} else if (type == IMAP_ARG_LIST_CLOSE) {
				if (depth-- == 0)
					return false;
			} else if (type == IMAP_ARG_MAILBOX || type == IMAP_ARG_FETCH_ITEMS) {
				return false;
			}
		}
		return depth == 0;
	}
	return false;
}

int imap_cmd_check(const struct imap_cmd *cmd, char *why, size_t why_size)
{
	int index;

	if (!cmd->name)
		return refuse(why, why_size, "no command name");
	index = find_command(cmd->name);
	if (index < 0)
		return refuse(why, why_size, "command not on the read-only list");
	for (size_t i = 0; i < cmd->nargs; i++) {
		char detail[96];

		if (check_arg(&cmd->args[i], detail, sizeof(detail)) < 0)
			return refuse(why, why_size, "%s: argument %zu (%s): %s",
			              commands[index].name, i + 1,
			              arg_type_name(cmd->args[i].type), detail);
	}
	if (!check_shape(cmd, commands[index].shape))
		return refuse(why, why_size, "%s: arguments not allowed",
		              commands[index].name);
	return 0;
}

/* ---- encoding -------------------------------------------------------- */

void imap_wire_release(struct imap_wire *wire)
{
	buf_release(&wire->bytes);
	free(wire->breaks);
	wire->breaks = NULL;
	wire->nbreaks = 0;
}

static bool is_quotable(struct str value, bool allow_8bit)
{
	for (size_t i = 0; i < value.len; i++) {
		unsigned char c = (unsigned char)value.p[i];

		if (c >= 0x80 ? !allow_8bit : (c < 0x20 || c == 0x7f))
			return false;
	}
	return true;
}

static void add_quoted(struct buf *out, struct str value)
{
	buf_addch(out, '"');
	for (size_t i = 0; i < value.len; i++) {
		if (value.p[i] == '"' || value.p[i] == '\\')
			buf_addch(out, '\\');
		buf_addch(out, value.p[i]);
	}
	buf_addch(out, '"');
}

static void add_literal(struct imap_wire *wire, struct str value,
                        const struct imap_encoding *encoding)
{
	bool plus = encoding->literal_plus ||
	            (encoding->literal_minus && value.len <= LITERAL_MINUS_MAX);

	buf_addf(&wire->bytes, "{%zu%s}\r\n", value.len, plus ? "+" : "");
	if (!plus) {
		wire->breaks = xrealloc(wire->breaks,
		                        (wire->nbreaks + 1) * sizeof(*wire->breaks));
		wire->breaks[wire->nbreaks++] = wire->bytes.len;
	}
	buf_add(&wire->bytes, value.p, value.len);
}

static void add_string(struct imap_wire *wire, struct str value, bool allow_8bit,
                       const struct imap_encoding *encoding)
{
	if (is_quotable(value, allow_8bit))
		add_quoted(&wire->bytes, value);
	else
		add_literal(wire, value, encoding);
}

static int add_mailbox(struct imap_wire *wire, struct str name,
                       const struct imap_encoding *encoding)
{
	struct buf utf7 = BUF_INIT;
	int ret = -1;

	/* INBOX is case-insensitive (RFC 3501 5.1); send it in one spelling */
	if (str_caseeq(name, "INBOX")) {
		buf_addstr(&wire->bytes, "INBOX");
		return 0;
	}
	if (encoding->utf8_accept) {
		add_string(wire, name, true, encoding);
		return 0;
	}
	if (imap_utf7_encode(name, &utf7) < 0)
		goto out;
	add_string(wire, str_from_buf(&utf7), false, encoding);
	ret = 0;
out:
	buf_release(&utf7);
	return ret;
}

int imap_cmd_encode(const struct imap_cmd *cmd, const char *tag,
                    const struct imap_encoding *encoding,
                    struct imap_wire *wire, char *why, size_t why_size)
{
	int index;
	bool space = true;

	buf_init(&wire->bytes);
	wire->breaks = NULL;
	wire->nbreaks = 0;
	if (!tag || !is_atom(str_from(tag)) || strchr(tag, '+') || tag[0] == '\\')
		return refuse(why, why_size, "bad tag");
	if (imap_cmd_check(cmd, why, why_size) < 0)
		return -1;
	index = find_command(cmd->name);
	buf_addf(&wire->bytes, "%s %s", tag, commands[index].name);
	for (size_t i = 0; i < cmd->nargs; i++) {
		const struct imap_arg *arg = &cmd->args[i];
		struct str value = str_from_buf(&arg->value);

		if (space && arg->type != IMAP_ARG_LIST_CLOSE)
			buf_addch(&wire->bytes, ' ');
		space = arg->type != IMAP_ARG_LIST_OPEN;
		switch (arg->type) {
		case IMAP_ARG_ATOM:
		case IMAP_ARG_NUMBER:
		case IMAP_ARG_SEQSET:
			buf_addstr_view(&wire->bytes, value);
			break;
		case IMAP_ARG_STRING:
			add_string(wire, value, false, encoding);
			break;
		case IMAP_ARG_MAILBOX:
			if (add_mailbox(wire, value, encoding) < 0) {
				imap_wire_release(wire);
				return refuse(why, why_size, "mailbox name cannot be encoded");
			}
			break;
		case IMAP_ARG_FETCH_ITEMS:
			check_fetch_items(value, &wire->bytes);
			break;
		case IMAP_ARG_LIST_OPEN:
			buf_addch(&wire->bytes, '(');
			break;
		case IMAP_ARG_LIST_CLOSE:
			buf_addch(&wire->bytes, ')');
			break;
		default:
			break;
		}
	}
	buf_addstr(&wire->bytes, "\r\n");
	return 0;
}
