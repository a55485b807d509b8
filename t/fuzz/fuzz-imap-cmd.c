/*
 * The read-only choke point and the command encoder on arbitrary bytes as
 * command names, atoms, numbers, sequence sets, strings, mailbox names and
 * FETCH items.  abort() when:
 *
 * - imap_cmd_encode() accepts what imap_cmd_check() refuses;
 * - an encoded command, with any encoding option, holds a NUL, a line end
 *   that is neither the command's own last one nor a literal's
 *   announcement, a bare CR or LF outside literal data, more literals than
 *   it has string and mailbox arguments, a synchronizing literal the
 *   session would not stop at (breaks), or does not start "TAG NAME";
 * - an accepted command (synchronizing literals, the form the response
 *   parser reads too) does not parse back, read as untagged data, to its
 *   own arguments: the same strings byte for byte, the same mailbox name
 *   once decoded, the same atoms, numbers, sets and list structure.
 *   Skipped where the two grammars differ on purpose: an atom with "["
 *   (a section to the response parser) or of more digits than 64 bits.
 *
 * Input: one byte selecting the command name (or, past the table, the
 * first argument's bytes as the name), then arguments, each a type byte,
 * a length byte and that many bytes (a number: 8 bytes).
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap_cmd.h"
#include "imap_parse.h"
#include "imap_utf7.h"

static const char *const names[] = {
	"UID FETCH", "FETCH", "EXAMINE", "STATUS", "LIST", "LSUB", "SEARCH",
	"UID SEARCH", "UID SORT", "SORT", "UID THREAD", "THREAD", "ID", "ENABLE",
	"NOOP", "CAPABILITY", "NAMESPACE", "UNSELECT", "LOGOUT", "IDLE",
	"uid fetch", "examine", "SELECT", "STORE", "UID STORE", "COPY", "APPEND",
	"EXPUNGE", "CREATE", "DELETE", "RENAME", "CLOSE", "DONE",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))
#define TAG "A1"

/* Build the command from the input; false when the input is too short. */
static bool build(const uint8_t *data, size_t size, struct imap_cmd *cmd)
{
	size_t pos = 1;
	char *name = NULL;

	if (size < 1)
		return false;
	if (data[0] >= NNAMES) {
		size_t len = size > 2 ? data[1] : 0;

		if (len > size - 2)
			len = size - 2;
		name = xstrndup((const char *)data + 2, len);
		pos = 2 + len;
	}
	imap_cmd_init(cmd, name ? name : names[data[0]]);
	free(name);
	while (pos + 2 <= size) {
		enum imap_arg_type type = (enum imap_arg_type)(data[pos] % IMAP_ARG_TYPE__MAX);
		size_t len = data[pos + 1];
		const char *value = (const char *)data + pos + 2;
		char *cstr;

		pos += 2;
		if (type == IMAP_ARG_NUMBER)
			len = 8;
		if (len > size - pos)
			len = size - pos;
		pos += len;
		switch (type) {
		case IMAP_ARG_NUMBER: {
			uint64_t number = 0;

			for (size_t i = 0; i < len; i++)
				number = number << 8 | (uint8_t)value[i];
			imap_cmd_number(cmd, number);
			break;
		}
		case IMAP_ARG_STRING:
			imap_cmd_string(cmd, (struct str){ value, len });
			break;
		case IMAP_ARG_MAILBOX:
			imap_cmd_mailbox(cmd, (struct str){ value, len });
			break;
		case IMAP_ARG_LIST_OPEN:
			imap_cmd_list_open(cmd);
			break;
		case IMAP_ARG_LIST_CLOSE:
			imap_cmd_list_close(cmd);
			break;
		default:
			cstr = xstrndup(value, len);
			if (type == IMAP_ARG_ATOM)
				imap_cmd_atom(cmd, cstr);
			else if (type == IMAP_ARG_SEQSET)
				imap_cmd_seqset(cmd, cstr);
			else
				imap_cmd_fetch_items(cmd, cstr);
			free(cstr);
			break;
		}
	}
	return true;
}

/* "{123}" or "{123+}" at the end of line[0..len): 1 and the size, else 0. */
static int announced(const char *line, size_t len, uint64_t *size, bool *plus)
{
	size_t end = len, start;

	if (!end || line[end - 1] != '}')
		return 0;
	end--;
	*plus = end && line[end - 1] == '+';
	if (*plus)
		end--;
	start = end;
	while (start && line[start - 1] >= '0' && line[start - 1] <= '9')
		start--;
	if (start == end || !start || line[start - 1] != '{')
		return 0;
	if (parse_u64((struct str){ line + start, end - start }, 0, UINT64_MAX, size) < 0)
		abort();
	return 1;
}

/* The framing properties of one encoded command. */
static void check_wire(const struct imap_cmd *cmd, const struct imap_wire *wire)
{
	const char *p = wire->bytes.p;
	size_t len = wire->bytes.len, pos = 0, line_start = 0;
	size_t line_ends = 0, literals = 0, sync = 0, strings = 0;

	for (size_t i = 0; i < cmd->nargs; i++)
		strings += cmd->args[i].type == IMAP_ARG_STRING ||
		           cmd->args[i].type == IMAP_ARG_MAILBOX;
	if (memchr(p, '\0', len))
		abort();
	if (len < sizeof(TAG) || memcmp(p, TAG " ", sizeof(TAG)) != 0 ||
	    strncasecmp(p + sizeof(TAG), cmd->name, strlen(cmd->name)) != 0)
		abort();
	while (pos < len) {
		uint64_t size;
		bool plus;

		if (p[pos] != '\r' && p[pos] != '\n') {
			pos++;
			continue;
		}
		/* a line end, and only as CRLF */
		if (p[pos] != '\r' || pos + 1 >= len || p[pos + 1] != '\n')
			abort();
		line_ends++;
		if (!announced(p + line_start, pos - line_start, &size, &plus)) {
			/* the command's own line end: the last bytes */
			if (pos + 2 != len)
				abort();
			break;
		}
		pos += 2;
		literals++;
		if (!plus) {
			/* the session stops here until the server's "+" */
			if (sync >= wire->nbreaks || wire->breaks[sync] != pos)
				abort();
			sync++;
		}
		if (size > len - pos)
			abort();
		pos += (size_t)size;
		line_start = pos;
	}
	if (pos >= len || line_ends != literals + 1 || literals > strings ||
	    sync != wire->nbreaks)
		abort();
}

/* ---- the round trip through the response parser ---------------------- */

static bool practical(const struct imap_cmd *cmd)
{
	for (size_t i = 0; i < cmd->nargs; i++) {
		const struct buf *value = &cmd->args[i].value;
		size_t digits = strspn(buf_cstr(value), "0123456789");

		if (cmd->args[i].type != IMAP_ARG_ATOM && cmd->args[i].type != IMAP_ARG_SEQSET)
			continue;
		if (memchr(value->p, '[', value->len) || (digits == value->len && digits > 19))
			return false;
	}
	return true;
}

static bool dumps_as(const struct imap_node *node, const struct buf *value)
{
	struct buf dump = BUF_INIT;
	bool same;

	imap_node_dump(&dump, node);
	same = node->type == IMAP_NIL ? str_caseeq(str_from_buf(value), "NIL")
	                              : dump.len == value->len &&
	                                        memcmp(dump.p, value->p, dump.len) == 0;
	buf_release(&dump);
	return same;
}

static bool same_mailbox(const struct imap_node *node, const struct buf *value,
                         bool utf8)
{
	struct buf decoded = BUF_INIT;
	struct str text = imap_node_nstring(node);
	bool same;

	if (!text.p && node->type != IMAP_QUOTED)
		return false;
	if (str_caseeq(str_from_buf(value), "INBOX"))
		return str_eq(text, "INBOX");
	if (utf8)
		return str_equal(text, str_from_buf(value));
	same = imap_utf7_decode(text, &decoded) == 0 &&
	       str_equal(str_from_buf(&decoded), str_from_buf(value));
	buf_release(&decoded);
	return same;
}

/* The siblings from node on match cmd's arguments from *i on. */
static bool match(const struct imap_cmd *cmd, size_t *i, const struct imap_node *node,
                  bool utf8)
{
	for (; node; node = node->next) {
		const struct imap_arg *arg;
		bool ok;

		if (*i >= cmd->nargs)
			return false;
		arg = &cmd->args[(*i)++];
		switch (arg->type) {
		case IMAP_ARG_LIST_OPEN:
			if (node->type != IMAP_LIST || !match(cmd, i, node->children, utf8) ||
			    *i >= cmd->nargs || cmd->args[(*i)++].type != IMAP_ARG_LIST_CLOSE)
				return false;
			continue;
		case IMAP_ARG_ATOM:
		case IMAP_ARG_SEQSET:
			ok = (node->type == IMAP_ATOM || node->type == IMAP_NUMBER ||
			      node->type == IMAP_NIL) && dumps_as(node, &arg->value);
			break;
		case IMAP_ARG_NUMBER:
			ok = node->type == IMAP_NUMBER && node->number == arg->number;
			break;
		case IMAP_ARG_STRING:
			ok = (node->type == IMAP_QUOTED || node->type == IMAP_LITERAL) &&
			     str_equal(node->text, str_from_buf(&arg->value));
			break;
		case IMAP_ARG_MAILBOX:
			ok = same_mailbox(node, &arg->value, utf8);
			break;
		case IMAP_ARG_FETCH_ITEMS:
			/* one item (with its section) or one list of them */
			ok = node->type == IMAP_ATOM || node->type == IMAP_LIST;
			break;
		default:
			ok = false;
			break;
		}
		if (!ok)
			return false;
	}
	/* the end of a list: the caller wants ")" next; the end: nothing */
	return true;
}

/*
 * "SEARCH 2 5", "SORT 7" and "THREAD (1 2)" read back as the answers the
 * parser packs (imap_parse.h): the numbers in order, or the thread list's
 * bytes as sent.
 */
static void packed_round_trip(const struct imap_cmd *cmd, const struct imap_wire *wire,
                              const struct imap_response *response)
{
	if (response->numbers) {
		if (response->nnumbers != cmd->nargs)
			abort();
		for (size_t i = 0; i < cmd->nargs; i++) {
			const struct imap_arg *arg = &cmd->args[i];
			uint64_t n;
			if (arg->type == IMAP_ARG_NUMBER)
				n = arg->number;
			else if (parse_u64(str_from_buf(&arg->value), 0, UINT64_MAX, &n) < 0)
				abort();
			if (response->numbers[i] != n)
				abort();
		}
		return;
	}
	struct str sent = { wire->bytes.p + strlen(TAG) + 1 + strlen(cmd->name),
	                    wire->bytes.len - strlen(TAG) - 1 - strlen(cmd->name) };
	if (!str_equal(str_trim(response->thread_list), str_trim(sent)))
		abort();
}

static void round_trip(const struct imap_cmd *cmd, const struct imap_wire *wire,
                       bool utf8)
{
	struct buf line = BUF_INIT;
	struct imap_response *response;
	const struct imap_node *node;
	char error[128];
	size_t i = 0, words = 1;

	/* "A1 NAME ..." read as the untagged data "* NAME ..." */
	buf_addstr(&line, "*");
	buf_add(&line, wire->bytes.p + strlen(TAG), wire->bytes.len - strlen(TAG));
	response = imap_response_parse(line.p, line.len, UINT64_MAX, error, sizeof(error));
	if (!response || response->kind != IMAP_UNTAGGED ||
	    response->status != IMAP_STATUS_NONE)
		abort();
	for (const char *c = cmd->name; *c; c++)
		words += *c == ' ';
	if (response->numbers || response->thread_list.p) {
		packed_round_trip(cmd, wire, response);
		goto done;
	}
	node = response->data;
	for (size_t w = 0; w < words; w++, node = node ? node->next : NULL)
		if (!node || node->type != IMAP_ATOM)
			abort();
	if (!match(cmd, &i, node, utf8) || i != cmd->nargs)
		abort();
done:
	imap_response_free(response);
	buf_release(&line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imap_cmd cmd;
	char why[192];
	int checked;

	if (!build(data, size, &cmd))
		return 0;
	checked = imap_cmd_check(&cmd, why, sizeof(why));
	for (int options = 0; options < 8; options++) {
		struct imap_encoding encoding = {
			.literal_plus = options & 1,
			.literal_minus = options & 2,
			.utf8_accept = options & 4,
		};
		struct imap_wire wire;

		if (imap_cmd_encode(&cmd, TAG, &encoding, &wire, why, sizeof(why)) < 0) {
			imap_wire_release(&wire);
			continue;
		}
		if (checked < 0)
			abort();
		check_wire(&cmd, &wire);
		if (!encoding.literal_plus && !encoding.literal_minus && practical(&cmd))
			round_trip(&cmd, &wire, encoding.utf8_accept);
		imap_wire_release(&wire);
	}
	imap_cmd_release(&cmd);
	return 0;
}
