/*
 * The IMAP response parser: {input, canonical dump} rows (NULL: must be
 * rejected), each also fed whole, in two pieces at every split point and
 * byte by byte; limits (literal sizes, depth, line length); real Dovecot
 * answers.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap_parse.h"
#include "../tap.h"

#include "imap-dovecot-rows.h"

#define MAX_LITERAL (64ull * 1024 * 1024)

struct row {
	const char *input;
	size_t len;      /* 0: strlen(input) */
	const char *dump; /* NULL: BAD */
	size_t dump_len;
};

#define ROW(in, out) { in, sizeof(in) - 1, out, sizeof(out) - 1 }
#define BADROW(in) { in, sizeof(in) - 1, NULL, 0 }

static const struct row rows[] = {
	/* status responses, codes, free text */
	ROW("* OK [ALERT] System shutdown in 10 minutes\r\n",
	    "* OK [ALERT] System shutdown in 10 minutes\r\n"),
	ROW("a1 OK [PERMANENTFLAGS (\\Seen \\*)] Limited\r\n",
	    "a1 OK [PERMANENTFLAGS (\\Seen \\*)] Limited\r\n"),
	ROW("* OK [CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN] hi\r\n",
	    "* OK [CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN] hi\r\n"),
	ROW("b NO [BADCHARSET (UTF-8 \"US-ASCII\")] no\r\n",
	    "b NO [BADCHARSET (UTF-8 \"US-ASCII\")] no\r\n"),
	ROW("* BYE [REFERRAL imap://u@h/;UID=3] go\r\n",
	    "* BYE [REFERRAL imap://u@h/;UID=3] go\r\n"),
	ROW("* OK [READ-ONLY]\r\n", "* OK [READ-ONLY]\r\n"),
	ROW("* OK\r\n", "* OK\r\n"),
	ROW("* ok lower case\r\n", "* OK lower case\r\n"),
	ROW("c BAD unbalanced ( ) ] [ \" text {5}\r\n",
	    "c BAD unbalanced ( ) ] [ \" text {5}\r\n"),
	ROW("* NO [ALERT]x\r\n", "* NO [ALERT] x\r\n"),
	ROW("* PREAUTH [CAPABILITY IMAP4rev1] Logged in\r\n",
	    "* PREAUTH [CAPABILITY IMAP4rev1] Logged in\r\n"),
	ROW("* OK text with 8-bit \303\251t\303\251\r\n",
	    "* OK text with 8-bit \303\251t\303\251\r\n"),
	ROW("+ idling\r\n", "+ idling\r\n"),
	ROW("+\r\n", "+\r\n"),
	ROW("+ \r\n", "+\r\n"),
	BADROW("* OK [ALERT\r\n"),
	BADROW("* OK []\r\n"),
	BADROW("* OK [123] x\r\n"),
	BADROW("* OK [BADCHARSET {5}\r\nUTF-8] x\r\n"),
	BADROW("a BYE tagged bye\r\n"),
	BADROW("a FOO bar\r\n"),
	BADROW("a\r\n"),
	BADROW(" OK x\r\n"),
	BADROW("*OK\r\n"),
	BADROW("* \r\n"),
	BADROW("+x\r\n"),
	BADROW("* OK text\rwith CR\r\n"),
	/* data: atoms, flags, numbers, NIL */
	ROW("* 3 EXISTS\r\n", "* 3 EXISTS\r\n"),
	ROW("* FLAGS (\\Answered \\Seen $Forwarded)\r\n",
	    "* FLAGS (\\Answered \\Seen $Forwarded)\r\n"),
	ROW("* LIST () \"/\" foo]bar\r\n", "* LIST () \"/\" foo]bar\r\n"),
	ROW("* LIST () \"/\" [Gmail]/All\r\n", "* LIST () \"/\" [Gmail]/All\r\n"),
	ROW("* LIST (\\Noselect) NIL \"\"\r\n", "* LIST (\\Noselect) NIL \"\"\r\n"),
	ROW("* SEARCH 18446744073709551615\r\n", "* SEARCH 18446744073709551615\r\n"),
	BADROW("* SEARCH 18446744073709551616\r\n"),
	BADROW("* SEARCH 99999999999999999999999\r\n"),
	ROW("* SEARCH  2   5 \r\n", "* SEARCH 2 5\r\n"),
	ROW("* SEARCH\r\n", "* SEARCH\r\n"),
	ROW("* SORT 3 1 4294967295\r\n", "* SORT 3 1 4294967295\r\n"),
	ROW("* SEARCH 007\r\n", "* SEARCH 007\r\n"),
	ROW("* SEARCH 2 (MODSEQ 9)\r\n", "* SEARCH 2 (MODSEQ 9)\r\n"),
	ROW("* SEARCH 4294967296\r\n", "* SEARCH 4294967296\r\n"),
	ROW("* 1 FETCH (X nil Nil)\r\n", "* 1 FETCH (X NIL NIL)\r\n"),
	ROW("* 1 FETCH ( X )\r\n", "* 1 FETCH (X)\r\n"),
	/* quoted strings */
	ROW("* 1 FETCH (X \"a \\\"q\\\" \\\\ b\")\r\n",
	    "* 1 FETCH (X \"a \\\"q\\\" \\\\ b\")\r\n"),
	ROW("* 1 FETCH (X \"\")\r\n", "* 1 FETCH (X \"\")\r\n"),
	ROW("* 1 FETCH (X \"8-bit \377\200\")\r\n", "* 1 FETCH (X \"8-bit \377\200\")\r\n"),
	BADROW("* 1 FETCH (X \"a\\nb\")\r\n"),
	BADROW("* 1 FETCH (X \"a\rb\")\r\n"),
	BADROW("* 1 FETCH (X \"a\nb\")\r\n"),
	{ "* 1 FETCH (X \"a\0b\")\r\n", 21, NULL, 0 },
	BADROW("* 1 FETCH (X \"unterminated)\r\n"),
	BADROW("* 1 FETCH (X \"a\"\"b\")\r\n"),
	/* literals, literal8 */
	ROW("* 1 FETCH (BODY[] {5}\r\na\r\nb\0)\r\n", "* 1 FETCH (BODY[] {5}\r\na\r\nb\0)\r\n"),
	ROW("* 1 FETCH (BINARY[1] ~{3}\r\n\0\1\2)\r\n",
	    "* 1 FETCH (BINARY[1] ~{3}\r\n\0\1\2)\r\n"),
	ROW("* 1 FETCH (X {0}\r\n)\r\n", "* 1 FETCH (X {0}\r\n)\r\n"),
	ROW("* 1 FETCH (X {5}\r\n{3}\r\n)\r\n", "* 1 FETCH (X {5}\r\n{3}\r\n)\r\n"),
	ROW("* 1 FETCH (A {1}\r\nx B {1}\r\ny)\r\n", "* 1 FETCH (A {1}\r\nx B {1}\r\ny)\r\n"),
	ROW("* LIST () \"/\" {7}\r\nfoo bar\r\n", "* LIST () \"/\" {7}\r\nfoo bar\r\n"),
	BADROW("* 1 FETCH (X {5}x\r\n)\r\n"),
	BADROW("* 1 FETCH (X{1}\r\nx)\r\n"),
	BADROW("* 1 FETCH (X {99999999999999999999999}\r\n"),
	/* sections and partials */
	ROW("* 1 FETCH (BODY[HEADER.FIELDS (FROM TO)] {2}\r\nab)\r\n",
	    "* 1 FETCH (BODY[HEADER.FIELDS (FROM TO)] {2}\r\nab)\r\n"),
	ROW("* 1 FETCH (BODY[1.2.MIME]<10> \"x\" BINARY.SIZE[3] 7)\r\n",
	    "* 1 FETCH (BODY[1.2.MIME]<10> \"x\" BINARY.SIZE[3] 7)\r\n"),
	ROW("* 1 FETCH (BODY[]<0> NIL)\r\n", "* 1 FETCH (BODY[]<0> NIL)\r\n"),
	BADROW("* 1 FETCH (BODY[1<0> NIL)\r\n"),
	BADROW("* 1 FETCH (BODY[1]<> NIL)\r\n"),
	BADROW("* 1 FETCH (BODY[1]<0 NIL)\r\n"),
	/* nesting, adjacent lists */
	ROW("* THREAD (1)(2 3)((4)(5 6))\r\n", "* THREAD (1)(2 3)((4)(5 6))\r\n"),
	ROW("* THREAD (1) (2 3)\r\n", "* THREAD (1) (2 3)\r\n"),
	ROW("* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)(\"a\" \"b\" NIL NIL NIL \"7bit\" 2) \"mixed\"))\r\n",
	    "* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)(\"a\" \"b\" NIL NIL NIL \"7bit\" 2) \"mixed\"))\r\n"),
	BADROW("* 1 FETCH (X\r\n"),
	BADROW("* 1 FETCH X)\r\n"),
	BADROW("* 1 FETCH (X] Y)\r\n" "x"),
	BADROW("* 1 FETCH (X)Y\r\n"),
	BADROW("* 1 FETCH (X)\"y\"\r\n"),
	/* line ends */
	ROW("* 2 EXISTS\n", "* 2 EXISTS\r\n"),
	ROW("* 1 FETCH (X {1}\nz)\n", "* 1 FETCH (X {1}\r\nz)\r\n"),
	BADROW("* 2 EXISTS\r\r\n"),
	BADROW("* 2 EXI\177STS\r\n"),
	{ "* 2 EXISTS\0\r\n", 13, NULL, 0 },
};

/* A test name: the first bytes of an input, control bytes escaped. */
static const char *name_of(const char *input, size_t len, char *name, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 5 < size && n < 48; i++) {
		unsigned char c = (unsigned char)input[i];
		if (c >= 0x20 && c < 0x7f && c != '#')
			name[n++] = (char)c;
		else
			n += (size_t)snprintf(name + n, size - n, "\\x%02x", c);
	}
	name[n] = '\0';
	return name;
}

static bool same_mem(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && (!a->len || !memcmp(a->p, b->p, a->len));
}

/* Parse everything in data fed in pieces of size step (0: whole). */
static int feed_all(const char *data, size_t len, size_t step, size_t split,
                    uint64_t max_literal, struct buf *dump, char *error, size_t error_size)
{
	struct imap_parser parser;
	size_t pos = 0;
	int responses = 0, rc = 0;

	imap_parser_init(&parser, max_literal);
	while (pos < len) {
		size_t piece = len - pos;
		if (step && piece > step)
			piece = step;
		if (split && pos < split && pos + piece > split)
			piece = split - pos;
		size_t used;
		struct imap_response *response;
		enum imap_parse_result result = imap_parser_feed(&parser, data + pos, piece,
		                                                 &used, &response);
		pos += used;
		if (result == IMAP_PARSE_BAD) {
			snprintf(error, error_size, "%s", imap_parser_error(&parser));
			rc = -1;
			goto out;
		}
		if (result == IMAP_PARSE_OK) {
			imap_response_dump(dump, response);
			imap_response_free(response);
			responses++;
		}
	}
	rc = responses;
	if (parser.pending.len) {
		snprintf(error, error_size, "incomplete");
		rc = -2;
	}
out:
	imap_parser_release(&parser);
	return rc;
}

static void check_row(const struct row *row)
{
	char error[128] = "";
	struct buf whole = BUF_INIT;
	char shown[80];
	name_of(row->input, row->len, shown, sizeof(shown));
	int rc = feed_all(row->input, row->len, 0, 0, MAX_LITERAL, &whole, error, sizeof(error));

	if (!row->dump) {
		tap_ok(rc < 0, "rejected: %s (%s)", shown, error);
		/* And the one-shot entry point agrees. */
		struct imap_response *response = imap_response_parse(row->input, row->len,
		                                                     MAX_LITERAL, error, sizeof(error));
		tap_ok(!response, "imap_response_parse rejects it too");
		imap_response_free(response);
		buf_release(&whole);
		return;
	}
	tap_ok(rc == 1, "one response: %s (%s)", shown, error);
	tap_is_mem(whole.p, whole.len, row->dump, row->dump_len, "dump");

	/* The canonical dump parses back to itself. */
	struct buf again = BUF_INIT;
	feed_all(whole.p, whole.len, 0, 0, MAX_LITERAL, &again, error, sizeof(error));
	tap_is_mem(again.p, again.len, whole.p, whole.len, "dump round-trips");
	buf_release(&again);

	/* Byte by byte and in two pieces at every split point. */
	int same = 1;
	struct buf piece = BUF_INIT;
	feed_all(row->input, row->len, 1, 0, MAX_LITERAL, &piece, error, sizeof(error));
	same &= same_mem(&piece, &whole);
	for (size_t split = 1; split < row->len && same; split++) {
		buf_reset(&piece);
		feed_all(row->input, row->len, 0, split, MAX_LITERAL, &piece, error, sizeof(error));
		same &= same_mem(&piece, &whole);
	}
	tap_ok(same, "same tree byte by byte and split at every byte");
	buf_release(&piece);
	buf_release(&whole);
}

static void test_tree_shape(void)
{
	char error[128];
	static const char input[] =
		"* 12 FETCH (UID 7 BODY[HEADER.FIELDS (FROM TO)]<5> {3}\r\na\0b FLAGS ())\r\n";
	struct imap_response *response = imap_response_parse(input, sizeof(input) - 1,
	                                                     MAX_LITERAL, error, sizeof(error));

	if (!tap_ok(response != NULL, "FETCH parses (%s)", response ? "" : error))
		return;
	tap_ok(response->kind == IMAP_UNTAGGED && response->status == IMAP_STATUS_NONE &&
	       response->ndata == 3, "untagged data, 3 tokens");
	struct imap_node *num = imap_node_nth(response->data, 0);
	tap_ok(num->type == IMAP_NUMBER && num->number == 12, "sequence number 12");
	tap_ok(imap_node_is_atom(imap_node_nth(response->data, 1), "fetch"), "atom FETCH, any case");
	struct imap_node *list = imap_node_nth(response->data, 2);
	tap_ok(list->type == IMAP_LIST && list->nchildren == 6, "msg-att list of 6");
	struct imap_node *body = imap_node_nth(list, 2);
	tap_ok(imap_node_is_atom(body, "BODY") && body->section &&
	       body->section->nchildren == 2, "BODY has a section of 2 tokens");
	tap_ok(imap_node_is_atom(imap_node_nth(body->section, 0), "HEADER.FIELDS") &&
	       imap_node_nth(body->section, 1)->type == IMAP_LIST &&
	       imap_node_nth(body->section, 1)->nchildren == 2, "HEADER.FIELDS (FROM TO)");
	tap_is_mem(body->partial.p, body->partial.len, "5", 1, "partial origin 5");
	struct imap_node *literal = imap_node_nth(list, 3);
	tap_ok(literal->type == IMAP_LITERAL && !literal->binary, "a literal");
	tap_is_mem(literal->text.p, literal->text.len, "a\0b", 3, "literal keeps its NUL");
	tap_ok(imap_node_nstring(imap_node_nth(list, 5)).p == NULL, "a list is no nstring");
	tap_is_mem(response->raw.p, response->raw.len, input, sizeof(input) - 1,
	           "raw is every byte sent");
	imap_response_free(response);

	static const char quoted[] = "t1 OK [UIDNEXT 4] \"done\\\\\"\r\n";
	response = imap_response_parse(quoted, sizeof(quoted) - 1, MAX_LITERAL, error, sizeof(error));
	tap_ok(response && response->kind == IMAP_TAGGED && response->status == IMAP_OK,
	       "tagged OK");
	if (response) {
		tap_is_mem(response->tag.p, response->tag.len, "t1", 2, "tag t1");
		tap_is_mem(response->text.p, response->text.len, "\"done\\\\\"", 8,
		           "text is not unescaped");
		tap_ok(imap_node_is_atom(imap_node_nth(response->code, 0), "UIDNEXT") &&
		       imap_node_nth(response->code, 1)->number == 4, "code UIDNEXT 4");
	}
	imap_response_free(response);

	static const char escaped[] = "* 1 FETCH (X \"a\\\"b\")\r\n";
	response = imap_response_parse(escaped, sizeof(escaped) - 1, MAX_LITERAL, error, sizeof(error));
	struct imap_node *x = response ? imap_node_nth(imap_node_nth(response->data, 2), 1) : NULL;
	tap_ok(x && x->type == IMAP_QUOTED, "quoted string");
	if (x)
		tap_is_mem(x->text.p, x->text.len, "a\"b", 3, "quoted string unescaped");
	imap_response_free(response);
}

static void test_literal_limits(void)
{
	char error[128] = "";
	struct buf dump = BUF_INIT;
	static const char four_gb[] = "* 1 FETCH (BODY[] {4294967296}\r\n";

	int rc = feed_all(four_gb, sizeof(four_gb) - 1, 0, 0, MAX_LITERAL, &dump, error, sizeof(error));
	tap_ok(rc == -1, "4 GB literal BAD with the 64 MiB default (%s)", error);

	/* BAD at the announcement, before any of its bytes arrive. */
	struct imap_parser parser;
	struct imap_response *response;
	size_t used;
	imap_parser_init(&parser, 100);
	static const char small[] = "* 1 FETCH (BODY[] {101}\r\n";
	tap_ok(imap_parser_feed(&parser, small, sizeof(small) - 1, &used, &response) ==
	       IMAP_PARSE_BAD, "101-byte literal BAD with max_literal 100");
	tap_ok(parser.pending.cap == 0, "nothing kept after BAD");
	tap_ok(imap_parser_feed(&parser, "x", 1, &used, &response) == IMAP_PARSE_BAD,
	       "the parser stays spent");
	imap_parser_release(&parser);

	imap_parser_init(&parser, 100);
	tap_ok(imap_parser_feed(&parser, four_gb, sizeof(four_gb) - 1, &used, &response) ==
	       IMAP_PARSE_BAD && parser.pending.cap < 4096,
	       "4 GB literal BAD with max_literal 100, no allocation");
	imap_parser_release(&parser);

	static const char exact[] = "* 1 FETCH (BODY[] {100}\r\n";
	imap_parser_init(&parser, 100);
	tap_ok(imap_parser_feed(&parser, exact, sizeof(exact) - 1, &used, &response) ==
	       IMAP_PARSE_PARTIAL && used == sizeof(exact) - 1,
	       "100-byte literal waits for its bytes");
	imap_parser_release(&parser);

	/* A status response's text may end in {n}: it is text. */
	static const char text[] = "a OK see {5}\r\n";
	buf_reset(&dump);
	rc = feed_all(text, sizeof(text) - 1, 1, 0, 1, &dump, error, sizeof(error));
	tap_ok(rc == 1, "a {5} at the end of status text is no literal");
	buf_release(&dump);
}

static void test_depth(void)
{
	char error[128] = "";
	struct buf input = BUF_INIT, dump = BUF_INIT;

	buf_addstr(&input, "* 1 FETCH ");
	for (int i = 0; i < 300; i++)
		buf_addch(&input, '(');
	buf_addstr(&input, "x");
	for (int i = 0; i < 300; i++)
		buf_addch(&input, ')');
	buf_addstr(&input, "\r\n");
	int rc = feed_all(input.p, input.len, 0, 0, MAX_LITERAL, &dump, error, sizeof(error));
	tap_ok(rc == 1, "300-deep list parses (%s)", error);
	tap_is_mem(dump.p, dump.len, input.p, input.len, "300-deep list dumps back");

	for (size_t depth = IMAP_MAX_DEPTH - 2; depth <= IMAP_MAX_DEPTH; depth++) {
		buf_reset(&input);
		buf_reset(&dump);
		buf_addstr(&input, "* X ");
		for (size_t i = 0; i < depth; i++)
			buf_addch(&input, '(');
		for (size_t i = 0; i < depth; i++)
			buf_addch(&input, ')');
		buf_addstr(&input, "\r\n");
		rc = feed_all(input.p, input.len, 0, 0, MAX_LITERAL, &dump, error, sizeof(error));
		tap_ok((rc == 1) == (depth < IMAP_MAX_DEPTH), "%zu-deep list %s", depth,
		       depth < IMAP_MAX_DEPTH ? "parses" : "is BAD");
	}

	buf_reset(&input);
	buf_addstr(&input, "* 1 FETCH ");
	for (int i = 0; i < 2000; i++)
		buf_addch(&input, '(');
	for (int i = 0; i < 2000; i++)
		buf_addch(&input, ')');
	buf_addstr(&input, "\r\n");
	rc = feed_all(input.p, input.len, 0, 0, MAX_LITERAL, &dump, error, sizeof(error));
	tap_ok(rc == -1, "2000-deep list is BAD (%s)", error);

	/* Sections count as nesting too. */
	buf_reset(&input);
	buf_addstr(&input, "* 1 FETCH ");
	for (int i = 0; i < 2000; i++)
		buf_addstr(&input, "B[");
	buf_addstr(&input, "\r\n");
	rc = feed_all(input.p, input.len, 0, 0, MAX_LITERAL, &dump, error, sizeof(error));
	tap_ok(rc == -1, "2000 nested sections are BAD");
	buf_release(&input);
	buf_release(&dump);
}

static void test_long_and_many(void)
{
	char error[128] = "";
	struct buf input = BUF_INIT, dump = BUF_INIT;

	buf_addstr(&input, "* 1 FETCH (X \"");
	for (int i = 0; i < 65536; i++)
		buf_addch(&input, (char)('a' + i % 26));
	buf_addstr(&input, "\")\r\n");
	int rc = feed_all(input.p, input.len, 0, 0, MAX_LITERAL, &dump, error, sizeof(error));
	tap_ok(rc == 1, "64 KiB quoted string parses");
	tap_is_mem(dump.p, dump.len, input.p, input.len, "64 KiB quoted string dumps back");
	buf_reset(&dump);
	rc = feed_all(input.p, input.len, 1, 0, MAX_LITERAL, &dump, error, sizeof(error));
	tap_is_mem(dump.p, dump.len, input.p, input.len, "64 KiB quoted string fed byte by byte");

	/* A line over IMAP_MAX_LINE, without a line end. */
	buf_reset(&input);
	buf_addstr(&input, "* OK ");
	while (input.len <= IMAP_MAX_LINE + 10)
		buf_addstr(&input, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	rc = feed_all(input.p, input.len, 4096, 0, MAX_LITERAL, &dump, error, sizeof(error));
	tap_ok(rc == -1, "a line over IMAP_MAX_LINE is BAD (%s)", error);

	/* A SORT answer of 300,000 UIDs: 2.3 MB on one line, BAD under the
	 * default cap, whole under a cap the session raised for its mailbox. */
	buf_reset(&input);
	buf_addstr(&input, "* SORT");
	for (unsigned uid = 300000; uid > 0; uid--)
		buf_addf(&input, " %u", uid + 1000000);
	buf_addstr(&input, "\r\n");
	for (int raised = 0; raised < 2; raised++) {
		struct imap_parser parser;
		struct imap_response *response = NULL;
		size_t used = 0;
		imap_parser_init(&parser, MAX_LITERAL);
		if (raised)
			imap_parser_set_max_line(&parser, 16 * 300000 + 65536);
		enum imap_parse_result result = imap_parser_feed(&parser, input.p, input.len,
		                                                 &used, &response);
		if (!raised) {
			tap_ok(result == IMAP_PARSE_BAD, "a 2.3 MB SORT line is BAD under the default cap");
		} else {
			tap_ok(result == IMAP_PARSE_OK && response && used == input.len &&
			       response->nnumbers == 300000 && response->numbers[0] == 1300000 &&
			       response->numbers[299999] == 1000001,
			       "... and parses whole, 300,000 numbers, under a cap raised for the mailbox");
			tap_ok(response && response->ndata == 1 &&
			       imap_node_is_atom(response->data, "SORT"),
			       "packed: the atom is the one node, not a node a number");
		}
		imap_response_free(response);
		imap_parser_release(&parser);
	}

	/* A line without CRLF is simply not complete. */
	static const char cut[] = "* 3 EXISTS";
	rc = feed_all(cut, sizeof(cut) - 1, 0, 0, MAX_LITERAL, &dump, error, sizeof(error));
	tap_ok(rc == -2, "a line without CRLF waits for more");

	/* Several responses in one feed, then the rest of a literal. */
	static const char several[] = "* 3 EXISTS\r\n* 1 FETCH (BODY[] {3}\r\nabc)\r\n"
	                              "+ go\r\na OK done\r\n* 4 EXP";
	buf_reset(&dump);
	rc = feed_all(several, sizeof(several) - 1, 0, 0, MAX_LITERAL, &dump, error, sizeof(error));
	tap_ok(rc == -2, "four responses and a partial one");
	tap_is_str(buf_cstr(&dump), "* 3 EXISTS\r\n* 1 FETCH (BODY[] {3}\r\nabc)\r\n+ go\r\na OK done\r\n",
	           "four responses dumped in order");

	struct imap_parser parser;
	struct imap_response *response = NULL;
	size_t used;
	imap_parser_init(&parser, MAX_LITERAL);
	enum imap_parse_result result = imap_parser_feed(&parser, several, sizeof(several) - 1,
	                                                 &used, &response);
	tap_ok(result == IMAP_PARSE_OK && used == 12, "first feed stops after the first response");
	imap_response_free(response);
	imap_parser_release(&parser);

	buf_release(&input);
	buf_release(&dump);
}

static void test_dovecot(void)
{
	static const struct {
		const char *name, *text;
	} answers[] = {
		{ "greeting", dovecot_greeting },
		{ "FETCH torture test", dovecot_fetch_torture },
		{ "FETCH calendar", dovecot_fetch_calendar },
		{ "FETCH encrypted", dovecot_fetch_encrypted },
		{ "FETCH default", dovecot_fetch_default },
		{ "FETCH sections", dovecot_fetch_sections },
		{ "FETCH torture sections", dovecot_fetch_torture_sections },
		{ "THREAD", dovecot_thread },
		{ "ESEARCH", dovecot_esearch_all },
		{ "ESEARCH PARTIAL", dovecot_esearch_partial },
		{ "STATUS", dovecot_status },
		{ "LIST", dovecot_list },
		{ "PERMANENTFLAGS", dovecot_permflags },
		{ "EXAMINE OK", dovecot_examine_ok },
	};
	struct buf all = BUF_INIT;

	for (size_t i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		struct row row = { answers[i].text, strlen(answers[i].text),
		                   answers[i].text, strlen(answers[i].text) };
		tap_diag("Dovecot %s", answers[i].name);
		check_row(&row);
		buf_addstr(&all, answers[i].text);
	}
	/* All of them as one stream, in 7-byte pieces. */
	char error[128] = "";
	struct buf dump = BUF_INIT;
	int rc = feed_all(all.p, all.len, 7, 0, MAX_LITERAL, &dump, error, sizeof(error));
	tap_ok(rc == (int)(sizeof(answers) / sizeof(answers[0])), "one stream of %d answers", rc);
	tap_is_mem(dump.p, dump.len, all.p, all.len, "the stream dumps back byte for byte");
	buf_release(&dump);
	buf_release(&all);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check_row(&rows[i]);
	test_tree_shape();
	test_literal_limits();
	test_depth();
	test_long_and_many();
	test_dovecot();
	return tap_done();
}
