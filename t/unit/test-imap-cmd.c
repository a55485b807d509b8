/*
 * The read-only choke point and the argument encoder: {command, expected
 * wire bytes} rows, NULL expected = must be refused.  Pieces of a command
 * that wait for a "+" continuation are shown split by "|".
 */
#include <stdlib.h>
#include <string.h>

#include "imap_cmd.h"
#include "../tap.h"

#define A(v) { IMAP_ARG_ATOM, v, 0 }
#define N(v) { IMAP_ARG_NUMBER, #v, 0 }
#define SET(v) { IMAP_ARG_SEQSET, v, 0 }
#define S(v) { IMAP_ARG_STRING, v, sizeof(v) - 1 }
#define MB(v) { IMAP_ARG_MAILBOX, v, sizeof(v) - 1 }
#define F(v) { IMAP_ARG_FETCH_ITEMS, v, 0 }
#define OPEN { IMAP_ARG_LIST_OPEN, NULL, 0 }
#define CLOSE { IMAP_ARG_LIST_CLOSE, NULL, 0 }

struct arg_spec {
	enum imap_arg_type type;
	const char *value;
	size_t len; /* 0: strlen */
};

enum { PLAIN = 0, LPLUS = 1, UTF8 = 2, LMINUS = 4 };

struct row {
	const char *name;
	struct arg_spec args[10];
	int encoding;
	const char *expected; /* NULL: refused */
};

static const struct row rows[] = {
	/* the read-only list, canonical spelling on the wire */
	{ "CAPABILITY", { { 0 } }, PLAIN, "T1 CAPABILITY\r\n" },
	{ "capability", { { 0 } }, PLAIN, "T1 CAPABILITY\r\n" },
	{ "NOOP", { { 0 } }, PLAIN, "T1 NOOP\r\n" },
	{ "LOGOUT", { { 0 } }, PLAIN, "T1 LOGOUT\r\n" },
	{ "NAMESPACE", { { 0 } }, PLAIN, "T1 NAMESPACE\r\n" },
	{ "UNSELECT", { { 0 } }, PLAIN, "T1 UNSELECT\r\n" },
	{ "IDLE", { { 0 } }, PLAIN, "T1 IDLE\r\n" },
	{ "ID", { A("NIL") }, PLAIN, "T1 ID NIL\r\n" },
	{ "ID", { OPEN, S("name"), S("imapeek"), CLOSE }, PLAIN, "T1 ID (\"name\" \"imapeek\")\r\n" },
	{ "ID", { OPEN, S("name"), CLOSE }, PLAIN, NULL },
	{ "ENABLE", { A("UTF8=ACCEPT"), A("CONDSTORE") }, PLAIN, "T1 ENABLE UTF8=ACCEPT CONDSTORE\r\n" },
	{ "ENABLE", { { 0 } }, PLAIN, NULL },
	{ "LIST", { S(""), S("*") }, PLAIN, "T1 LIST \"\" \"*\"\r\n" },
	{ "LIST", { S(""), S("*"), A("RETURN"), OPEN, A("STATUS"), OPEN, A("MESSAGES"), A("UIDNEXT"), CLOSE, CLOSE },
	  PLAIN, "T1 LIST \"\" \"*\" RETURN (STATUS (MESSAGES UIDNEXT))\r\n" },
	{ "LSUB", { S(""), S("%") }, PLAIN, "T1 LSUB \"\" \"%\"\r\n" },
	{ "LIST", { S("") }, PLAIN, NULL },
	{ "STATUS", { MB("lists/dev"), OPEN, A("MESSAGES"), A("UIDNEXT"), CLOSE }, PLAIN,
	  "T1 STATUS \"lists/dev\" (MESSAGES UIDNEXT)\r\n" },
	{ "STATUS", { MB("INBOX") }, PLAIN, NULL },
	{ "EXAMINE", { MB("inbox") }, PLAIN, "T1 EXAMINE INBOX\r\n" },
	{ "EXAMINE", { MB("InBoX") }, UTF8, "T1 EXAMINE INBOX\r\n" },
	{ "EXAMINE", { MB("lists/dev") }, PLAIN, "T1 EXAMINE \"lists/dev\"\r\n" },
	{ "EXAMINE", { MB("Entw\xc3\xbcrfe") }, PLAIN, "T1 EXAMINE \"Entw&APw-rfe\"\r\n" },
	{ "EXAMINE", { MB("Entw\xc3\xbcrfe") }, UTF8, "T1 EXAMINE \"Entw\xc3\xbcrfe\"\r\n" },
	{ "EXAMINE", { MB("A&B") }, PLAIN, "T1 EXAMINE \"A&-B\"\r\n" },
	{ "EXAMINE", { MB("\xe5\x8f\xb0\xe5\x8c\x97") }, PLAIN, "T1 EXAMINE \"&U,BTFw-\"\r\n" },
	{ "EXAMINE", { MB("\xf0\x9f\x93\xa7") }, PLAIN, "T1 EXAMINE \"&2D3c5w-\"\r\n" },
	{ "EXAMINE", { MB("say \"hi\"\\") }, PLAIN, "T1 EXAMINE \"say \\\"hi\\\"\\\\\"\r\n" },
	{ "EXAMINE", { MB("a\r\nb") }, PLAIN, "T1 EXAMINE \"a&AA0ACg-b\"\r\n" },
	{ "EXAMINE", { MB("a\r\nb") }, UTF8, "T1 EXAMINE {4}\r\n|a\r\nb\r\n" },
	{ "EXAMINE", { MB("a\r\nb") }, UTF8 | LPLUS, "T1 EXAMINE {4+}\r\na\r\nb\r\n" },
	{ "EXAMINE", { MB("bad\xff") }, PLAIN, NULL },
	{ "EXAMINE", { MB("bad\xc0\xaf") }, UTF8, NULL },
	{ "EXAMINE", { MB("a\0b") }, PLAIN, NULL },
	{ "EXAMINE", { MB("INBOX"), OPEN, A("CONDSTORE"), CLOSE }, PLAIN, "T1 EXAMINE INBOX (CONDSTORE)\r\n" },
	{ "FETCH", { SET("1:*"), F("(UID FLAGS)") }, PLAIN, "T1 FETCH 1:* (UID FLAGS)\r\n" },
	{ "uid fetch", { SET("4,7:9"), F("(uid envelope bodystructure rfc822.size internaldate)") }, PLAIN,
	  "T1 UID FETCH 4,7:9 (UID ENVELOPE BODYSTRUCTURE RFC822.SIZE INTERNALDATE)\r\n" },
	{ "UID FETCH", { SET("7"), F("BODY.PEEK[]") }, PLAIN, "T1 UID FETCH 7 BODY.PEEK[]\r\n" },
	{ "UID FETCH", { SET("7"), F("Body.Peek[1.2.MIME]<0.2048>") }, PLAIN, "T1 UID FETCH 7 BODY.PEEK[1.2.MIME]<0.2048>\r\n" },
	{ "UID FETCH", { SET("7"), F("(BODY.PEEK[HEADER.FIELDS (From Subject)] MODSEQ EMAILID THREADID PREVIEW)") },
	  PLAIN, "T1 UID FETCH 7 (BODY.PEEK[HEADER.FIELDS (From Subject)] MODSEQ EMAILID THREADID PREVIEW)\r\n" },
	{ "UID FETCH", { SET("7"), F("(BODY.PEEK[2.HEADER.FIELDS.NOT (Received)] BODY.PEEK[TEXT] BODY.PEEK[3.TEXT])") },
	  PLAIN, "T1 UID FETCH 7 (BODY.PEEK[2.HEADER.FIELDS.NOT (Received)] BODY.PEEK[TEXT] BODY.PEEK[3.TEXT])\r\n" },
	{ "UID FETCH", { SET("7"), F("(BINARY.PEEK[1.2]<10.20> BINARY.SIZE[1] BINARY.PEEK[])") }, PLAIN,
	  "T1 UID FETCH 7 (BINARY.PEEK[1.2]<10.20> BINARY.SIZE[1] BINARY.PEEK[])\r\n" },
	{ "UID FETCH", { SET("1:*"), F("(FLAGS)"), OPEN, A("CHANGEDSINCE"), N(12345), CLOSE }, PLAIN,
	  "T1 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)\r\n" },
	{ "SEARCH", { A("ALL") }, PLAIN, "T1 SEARCH ALL\r\n" },
	{ "UID SEARCH", { A("CHARSET"), A("UTF-8"), A("FROM"), S("x\xc3\xa9") }, PLAIN,
	  "T1 UID SEARCH CHARSET UTF-8 FROM {3}\r\n|x\xc3\xa9\r\n" },
	{ "UID SEARCH", { A("FROM"), S("x\xc3\xa9") }, LPLUS, "T1 UID SEARCH FROM {3+}\r\nx\xc3\xa9\r\n" },
	{ "UID SEARCH", { A("FROM"), S("x\xc3\xa9") }, LMINUS, "T1 UID SEARCH FROM {3+}\r\nx\xc3\xa9\r\n" },
	{ "UID SEARCH", { A("OR"), OPEN, A("SUBJECT"), S("a"), CLOSE, OPEN, A("SINCE"), A("1-Jan-2020"), CLOSE }, PLAIN,
	  "T1 UID SEARCH OR (SUBJECT \"a\") (SINCE 1-Jan-2020)\r\n" },
	{ "UID SEARCH", { A("UID"), SET("1:*"), A("KEYWORD"), A("\\Seen") }, PLAIN, "T1 UID SEARCH UID 1:* KEYWORD \\Seen\r\n" },
	{ "UID SORT", { OPEN, A("REVERSE"), A("DATE"), CLOSE, A("UTF-8"), A("ALL") }, PLAIN,
	  "T1 UID SORT (REVERSE DATE) UTF-8 ALL\r\n" },
	{ "UID THREAD", { A("REFERENCES"), A("UTF-8"), A("ALL") }, PLAIN, "T1 UID THREAD REFERENCES UTF-8 ALL\r\n" },
	{ "SEARCH", { OPEN, A("ALL") }, PLAIN, NULL },
	{ "SEARCH", { A("ALL"), CLOSE }, PLAIN, NULL },
	{ "SEARCH", { MB("INBOX") }, PLAIN, NULL },
	{ "SEARCH", { F("UID") }, PLAIN, NULL },

	/* hostile strings: quoted, literal or refused, never a line of their own */
	{ "UID SEARCH", { A("SUBJECT"), S("a\"b\\c") }, PLAIN, "T1 UID SEARCH SUBJECT \"a\\\"b\\\\c\"\r\n" },
	{ "UID SEARCH", { A("SUBJECT"), S("x\r\nA STORE 1 +FLAGS (\\Deleted)") }, PLAIN,
	  "T1 UID SEARCH SUBJECT {30}\r\n|x\r\nA STORE 1 +FLAGS (\\Deleted)\r\n" },
	{ "UID SEARCH", { A("SUBJECT"), S("\r\nA STORE 1 +FLAGS (\\Deleted)") }, LPLUS,
	  "T1 UID SEARCH SUBJECT {29+}\r\n\r\nA STORE 1 +FLAGS (\\Deleted)\r\n" },
	{ "UID SEARCH", { A("SUBJECT"), S("a\rb") }, PLAIN, "T1 UID SEARCH SUBJECT {3}\r\n|a\rb\r\n" },
	{ "UID SEARCH", { A("SUBJECT"), S("a\nb") }, LPLUS, "T1 UID SEARCH SUBJECT {3+}\r\na\nb\r\n" },
	{ "UID SEARCH", { A("SUBJECT"), S("a\0b") }, PLAIN, NULL },
	{ "UID SEARCH", { A("SUBJECT"), S("a\0b") }, LPLUS, NULL },
	{ "UID SEARCH", { A("SUBJECT"), S("{5}") }, PLAIN, "T1 UID SEARCH SUBJECT \"{5}\"\r\n" },
	{ "UID SEARCH", { A("SUBJECT"), S("{5+}\r\nhello") }, PLAIN, "T1 UID SEARCH SUBJECT {11}\r\n|{5+}\r\nhello\r\n" },
	{ "UID SEARCH", { A("SUBJECT"), S(") BODY[]") }, PLAIN, "T1 UID SEARCH SUBJECT \") BODY[]\"\r\n" },
	{ "UID SEARCH", { A("SUBJECT"), S("1:* (FLAGS)") }, PLAIN, "T1 UID SEARCH SUBJECT \"1:* (FLAGS)\"\r\n" },
	{ "UID SEARCH", { A("SUBJECT"), S("\xe2\x82\xac") }, UTF8, "T1 UID SEARCH SUBJECT {3}\r\n|\xe2\x82\xac\r\n" },
	{ "UID SEARCH", { A("SUBJECT"), S("\x80\xff") }, PLAIN, "T1 UID SEARCH SUBJECT {2}\r\n|\x80\xff\r\n" },
	{ "UID SEARCH", { A("SUBJECT"), S("tab\there") }, PLAIN, "T1 UID SEARCH SUBJECT {8}\r\n|tab\there\r\n" },
	{ "UID SEARCH", { A("SUBJECT"), S("") }, PLAIN, "T1 UID SEARCH SUBJECT \"\"\r\n" },

	/* atoms that are not atoms, sets that are not sets */
	{ "UID SEARCH", { A("SUBJECT x") }, PLAIN, NULL },
	{ "UID SEARCH", { A("ALL\r\nA STORE 1 +FLAGS (\\Deleted)") }, PLAIN, NULL },
	{ "UID SEARCH", { A("{5}") }, PLAIN, NULL },
	{ "UID SEARCH", { A("{5+}") }, PLAIN, NULL },
	{ "UID SEARCH", { A("\"ALL\"") }, PLAIN, NULL },
	{ "UID SEARCH", { A("AL\\L") }, PLAIN, NULL },
	{ "UID SEARCH", { A("") }, PLAIN, NULL },
	{ "UID SEARCH", { A("ALL)") }, PLAIN, NULL },
	{ "UID SEARCH", { A("B\xc3\xa9") }, PLAIN, NULL },
	{ "UID SEARCH", { A("*") }, PLAIN, NULL },
	{ "UID SEARCH", { A("%") }, PLAIN, NULL },
	{ "UID SEARCH", { A("BODY]") }, PLAIN, NULL },
	{ "UID SEARCH", { A("\\") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1:* (FLAGS)"), F("UID") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1:*) BODY[] (X"), F("UID") }, PLAIN, NULL },
	{ "UID FETCH", { SET(""), F("UID") }, PLAIN, NULL },
	{ "UID FETCH", { SET("0"), F("UID") }, PLAIN, NULL },
	{ "UID FETCH", { SET("01"), F("UID") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1,"), F("UID") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1::2"), F("UID") }, PLAIN, NULL },
	{ "UID FETCH", { SET("4294967296"), F("UID") }, PLAIN, NULL },
	{ "UID FETCH", { SET("4294967295"), F("UID") }, PLAIN, "T1 UID FETCH 4294967295 UID\r\n" },
	{ "UID FETCH", { SET("1:2:3"), F("UID") }, PLAIN, NULL },
	{ "UID FETCH", { SET("$"), F("UID") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1\r\n"), F("UID") }, PLAIN, NULL },
	{ "UID FETCH", { A("1:*"), F("UID") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1:*"), A("FLAGS") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1:*"), S("FLAGS") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1:*") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1:*"), F("UID"), F("FLAGS") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1:*"), F("UID"), OPEN, A("CHANGEDSINCE"), A("1"), CLOSE }, PLAIN, NULL },

	/* FETCH items that set \Seen, macros, unknown or malformed items */
	{ "UID FETCH", { SET("1"), F("BODY[]") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("body[]") }, PLAIN, NULL },
	{ "uid fetch", { SET("1"), F("(UID body[])") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("BODY[TEXT]") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("BODY[1]<0.10>") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("BODY") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("BINARY[1]") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("RFC822") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("RFC822.TEXT") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("RFC822.HEADER") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("rfc822") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("ALL") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("FAST") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("FULL") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("ENVELOPEX") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("UID[]") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("(UID) BODY[]") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("(UID ) BODY[] (UID") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("(UID") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("()") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("(UID  FLAGS)") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("UID\r\nA STORE 1 +FLAGS (\\Deleted)") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("BODY.PEEK[") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("BODY.PEEK[0]") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("BODY.PEEK[1.]") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("BODY.PEEK[MIME]") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("BODY.PEEK[HEADER.FIELDS ()]") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("BODY.PEEK[HEADER.FIELDS (a:b)]") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("BODY.PEEK[HEADER.FIELDS (From] BODY[])]") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("BODY.PEEK[]<0>") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("BODY.PEEK[]<0.0>") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("BODY.PEEK[]<x.1>") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("BODY.PEEK[] BODY[]") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("BINARY.PEEK[1.MIME]") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("BINARY.PEEK[TEXT]") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("BINARY.SIZE[1]<0.1>") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("BODY.PEEK") }, PLAIN, NULL },
	{ "UID FETCH", { SET("1"), F("X-GM-MSGID") }, PLAIN, NULL },

	/* commands outside the read-only list */
	{ "SELECT", { MB("INBOX") }, PLAIN, NULL },
	{ "select", { MB("INBOX") }, PLAIN, NULL },
	{ "STORE", { SET("1"), A("+FLAGS"), OPEN, A("\\Deleted"), CLOSE }, PLAIN, NULL },
	{ "UID STORE", { SET("1"), A("+FLAGS"), OPEN, A("\\Deleted"), CLOSE }, PLAIN, NULL },
	{ "COPY", { SET("1"), MB("Trash") }, PLAIN, NULL },
	{ "UID COPY", { SET("1"), MB("Trash") }, PLAIN, NULL },
	{ "MOVE", { SET("1"), MB("Trash") }, PLAIN, NULL },
	{ "UID MOVE", { SET("1"), MB("Trash") }, PLAIN, NULL },
	{ "APPEND", { MB("INBOX"), S("x") }, PLAIN, NULL },
	{ "EXPUNGE", { { 0 } }, PLAIN, NULL },
	{ "UID EXPUNGE", { SET("1") }, PLAIN, NULL },
	{ "CREATE", { MB("x") }, PLAIN, NULL },
	{ "DELETE", { MB("x") }, PLAIN, NULL },
	{ "RENAME", { MB("x"), MB("y") }, PLAIN, NULL },
	{ "SUBSCRIBE", { MB("x") }, PLAIN, NULL },
	{ "UNSUBSCRIBE", { MB("x") }, PLAIN, NULL },
	{ "CLOSE", { { 0 } }, PLAIN, NULL },
	{ "AUTHENTICATE", { A("PLAIN") }, PLAIN, NULL },
	{ "LOGIN", { S("u"), S("p") }, PLAIN, NULL },
	{ "STARTTLS", { { 0 } }, PLAIN, NULL },
	{ "CHECK", { { 0 } }, PLAIN, NULL },
	{ "SETACL", { MB("x"), S("u"), S("rw") }, PLAIN, NULL },
	{ "SETMETADATA", { MB("x") }, PLAIN, NULL },
	{ "COMPRESS", { A("DEFLATE") }, PLAIN, NULL },
	{ "DONE", { { 0 } }, PLAIN, NULL },
	{ "UID", { { 0 } }, PLAIN, NULL },
	{ "UID  FETCH", { SET("1"), F("UID") }, PLAIN, NULL },
	{ "FETCH\r\nA STORE", { SET("1"), F("UID") }, PLAIN, NULL },
	{ "NOOP\r\nA EXPUNGE", { { 0 } }, PLAIN, NULL },
	{ "", { { 0 } }, PLAIN, NULL },
	{ "NOOP", { A("x") }, PLAIN, NULL },
	{ "LOGOUT", { S("\r\nA EXPUNGE") }, PLAIN, NULL },
	{ "EXAMINE", { A("INBOX") }, PLAIN, NULL },
};

static void build(struct imap_cmd *cmd, const struct row *row)
{
	imap_cmd_init(cmd, row->name);
	for (size_t i = 0; i < 10 && (row->args[i].value || row->args[i].type); i++) {
		const struct arg_spec *spec = &row->args[i];
		size_t len = spec->len ? spec->len : spec->value ? strlen(spec->value) : 0;
		uint64_t number;

		switch (spec->type) {
		case IMAP_ARG_ATOM: imap_cmd_atom(cmd, spec->value); break;
		case IMAP_ARG_NUMBER:
			parse_u64(str_from(spec->value), 0, UINT64_MAX, &number);
			imap_cmd_number(cmd, number);
			break;
		case IMAP_ARG_SEQSET: imap_cmd_seqset(cmd, spec->value); break;
		case IMAP_ARG_STRING: imap_cmd_string(cmd, (struct str){ spec->value, len }); break;
		case IMAP_ARG_MAILBOX: imap_cmd_mailbox(cmd, (struct str){ spec->value, len }); break;
		case IMAP_ARG_FETCH_ITEMS: imap_cmd_fetch_items(cmd, spec->value); break;
		case IMAP_ARG_LIST_OPEN: imap_cmd_list_open(cmd); break;
		case IMAP_ARG_LIST_CLOSE: imap_cmd_list_close(cmd); break;
		default: break;
		}
	}
}

/* The wire bytes with "|" where the encoder waits for a continuation. */
static void show(const struct imap_wire *wire, struct buf *out)
{
	size_t from = 0;

	for (size_t i = 0; i <= wire->nbreaks; i++) {
		size_t to = i < wire->nbreaks ? wire->breaks[i] : wire->bytes.len;

		if (i)
			buf_addch(out, '|');
		buf_add(out, wire->bytes.p + from, to - from);
		from = to;
	}
}

/* The command name for the TAP line, control bytes shown as "?". */
static const char *printable(const char *name, char *out, size_t size)
{
	size_t i = 0;

	for (; name[i] && i + 1 < size; i++)
		out[i] = (unsigned char)name[i] < 0x20 ? '?' : name[i];
	out[i] = '\0';
	return out;
}

static void run_row(size_t index, const struct row *row)
{
	char name[64];

	struct imap_encoding encoding = {
		.literal_plus = row->encoding & LPLUS,
		.literal_minus = row->encoding & LMINUS,
		.utf8_accept = row->encoding & UTF8,
	};
	struct imap_cmd cmd;
	struct imap_wire wire;
	struct buf got = BUF_INIT;
	char why[256] = "";
	int check, ret;

	build(&cmd, row);
	check = imap_cmd_check(&cmd, why, sizeof(why));
	ret = imap_cmd_encode(&cmd, "T1", &encoding, &wire, why, sizeof(why));
	if (!row->expected) {
		tap_ok(check == -1 && ret == -1 && wire.bytes.len == 0 && why[0],
		       "row %zu: %s refused (%s)", index,
		       printable(row->name, name, sizeof(name)), why);
	} else {
		tap_ok(check == 0 && ret == 0, "row %zu: %s accepted%s%s", index,
		       printable(row->name, name, sizeof(name)), why[0] ? ": " : "", why);
		show(&wire, &got);
		tap_is_mem(got.p, got.len, row->expected, strlen(row->expected),
		           "  wire bytes");
	}
	imap_wire_release(&wire);
	imap_cmd_release(&cmd);
	buf_release(&got);
}

/* A 64 KiB string goes as one literal; one byte more is refused. */
static void test_long_strings(void)
{
	struct imap_encoding encoding = { .literal_plus = false };
	size_t sizes[] = { 64 * 1024, 64 * 1024 + 1 };

	for (size_t k = 0; k < 2; k++) {
		char *big = xmalloc(sizes[k]);
		struct imap_cmd cmd;
		struct imap_wire wire;
		char why[256] = "";
		int ret;

		memset(big, 'x', sizes[k]);
		big[100] = '\n';
		imap_cmd_init(&cmd, "UID SEARCH");
		imap_cmd_atom(&cmd, "BODY");
		imap_cmd_string(&cmd, (struct str){ big, sizes[k] });
		ret = imap_cmd_encode(&cmd, "A7", &encoding, &wire, why, sizeof(why));
		if (k == 0) {
			char head[64];

			snprintf(head, sizeof(head), "A7 UID SEARCH BODY {%zu}\r\n", sizes[k]);
			tap_ok(ret == 0 && wire.nbreaks == 1 &&
			       wire.breaks[0] == strlen(head) &&
			       memcmp(wire.bytes.p, head, strlen(head)) == 0 &&
			       wire.bytes.len == strlen(head) + sizes[k] + 2,
			       "64 KiB string with a LF: one synchronizing literal");
		} else {
			tap_ok(ret == -1 && wire.bytes.len == 0,
			       "64 KiB + 1 string refused (%s)", why);
		}
		imap_wire_release(&wire);
		imap_cmd_release(&cmd);
		free(big);
	}
}

/* Tags come from the session; still, a tag cannot smuggle anything. */
static void test_tags(void)
{
	const char *tags[] = { "A1", "", "A 1", "A+1", "A\r\n", "A{1}", NULL };
	struct imap_encoding encoding = { 0 };

	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		struct imap_cmd cmd;
		struct imap_wire wire;
		char why[128] = "";
		int ret;

		imap_cmd_init(&cmd, "NOOP");
		ret = imap_cmd_encode(&cmd, tags[i], &encoding, &wire, why, sizeof(why));
		tap_ok(i == 0 ? ret == 0 : ret == -1, "tag %zu %s", i,
		       i == 0 ? "accepted" : "refused");
		imap_wire_release(&wire);
		imap_cmd_release(&cmd);
	}
}

int main(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(i, &rows[i]);
	test_long_strings();
	test_tags();
	return tap_done();
}
