/*
 * search.c: queries become the IMAP SEARCH keys a user means, as they go
 * on the wire (through the real imap_cmd encoder), and hostile queries
 * are refused or stay inside strings.
 */
#include <stdlib.h>
#include <string.h>

#include "search.h"
#include "../tap.h"

/* Wire bytes of "UID SEARCH CHARSET UTF-8 <keys>", LITERAL+ or not. */
static int wire_of(const struct search_query *query, bool literal_plus,
                   struct buf *out, size_t *pieces)
{
	struct imap_cmd cmd;
	struct imap_wire wire;
	struct imap_encoding encoding = { .literal_plus = literal_plus };
	char why[128];
	int rc;

	memset(&wire, 0, sizeof(wire));
	imap_cmd_init(&cmd, "UID SEARCH");
	imap_cmd_atom(&cmd, "CHARSET");
	imap_cmd_atom(&cmd, "UTF-8");
	search_emit(query, &cmd);
	rc = imap_cmd_encode(&cmd, "t1", &encoding, &wire, why, sizeof(why));
	if (rc == 0) {
		buf_addstr_view(out, str_from_buf(&wire.bytes));
		*pieces = wire.nbreaks + 1;
	} else {
		tap_diag("encode refused: %s", why);
	}
	imap_wire_release(&wire);
	imap_cmd_release(&cmd);
	return rc;
}

static const char *shown(const char *text, size_t len, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 5 < size; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

#define PRE "t1 UID SEARCH CHARSET UTF-8 "

static const struct {
	const char *query;
	size_t len;           /* 0: strlen */
	const char *wire;     /* with LITERAL+; NULL: refused */
	const char *why;      /* the refusal says this */
} rows[] = {
	{ "hello", 0, PRE "TEXT \"hello\"\r\n", NULL },
	{ "  hello   world ", 0, PRE "TEXT \"hello\" TEXT \"world\"\r\n", NULL },
	{ "\"hello world\"", 0, PRE "TEXT \"hello world\"\r\n", NULL },
	{ "from:alice", 0, PRE "FROM \"alice\"\r\n", NULL },
	{ "From:alice TO:bob", 0, PRE "FROM \"alice\" TO \"bob\"\r\n", NULL },
	{ "from:\"John Smith\" subject:patch", 0, PRE "FROM \"John Smith\" SUBJECT \"patch\"\r\n", NULL },
	{ "body:\"a \\\"quoted\\\" word\"", 0, PRE "BODY \"a \\\"quoted\\\" word\"\r\n", NULL },
	{ "since:2020-01-31 before:2020-03-01", 0, PRE "SENTSINCE 31-Jan-2020 SENTBEFORE 1-Mar-2020\r\n", NULL },
	{ "since:2024-02-29", 0, PRE "SENTSINCE 29-Feb-2024\r\n", NULL },
	{ "http://example.org/x re:foo", 0, PRE "TEXT \"http://example.org/x\" TEXT \"re:foo\"\r\n", NULL },
	{ "Grüße from:Müller", 0, PRE "TEXT {7+}\r\nGrüße FROM {7+}\r\nMüller\r\n", NULL },
	{ "日本語", 0, PRE "TEXT {9+}\r\n日本語\r\n", NULL },
	{ "a\r\nb", 0, PRE "TEXT \"a\" TEXT \"b\"\r\n", NULL },
	{ "\"a\r\nb\"", 0, PRE "TEXT {4+}\r\na\r\nb\r\n", NULL },
	{ "{5}", 0, PRE "TEXT \"{5}\"\r\n", NULL },
	{ "x {5}\r\nLOGOUT", 0, PRE "TEXT \"x\" TEXT \"{5}\" TEXT \"LOGOUT\"\r\n", NULL },
	{ "\"x\r\nt2 LOGOUT\"", 0, PRE "TEXT {12+}\r\nx\r\nt2 LOGOUT\r\n", NULL },
	{ "ALL) OR (", 0, PRE "TEXT \"ALL)\" TEXT \"OR\" TEXT \"(\"\r\n", NULL },
	{ "<\"'&>", 0, PRE "TEXT \"<\\\"'&>\"\r\n", NULL },
	{ "back\\slash", 0, PRE "TEXT \"back\\\\slash\"\r\n", NULL },
	{ "mid\"quote", 0, PRE "TEXT \"mid\\\"quote\"\r\n", NULL },
	{ "tab\there", 0, PRE "TEXT \"tab\" TEXT \"here\"\r\n", NULL },
	{ "bell\a", 0, NULL, NULL }, /* filled below: control bytes go as literals */
	{ "", 0, NULL, "empty query" },
	{ "   \r\n ", 0, NULL, "empty query" },
	{ "\"unbalanced", 0, NULL, "unbalanced quotes" },
	{ "from:\"John", 0, NULL, "unbalanced quotes" },
	{ "\"a\"b", 0, NULL, "blank must follow" },
	{ "\"\"", 0, NULL, "empty phrase" },
	{ "\"   \"", 0, NULL, "empty phrase" },
	{ "from:", 0, NULL, "from: needs a value" },
	{ "subject:\"\"", 0, NULL, "subject: needs a value" },
	{ "since:2020-1-31", 0, NULL, "bad date in since:" },
	{ "since:2020-02-30", 0, NULL, "bad date in since:" },
	{ "before:2023-02-29", 0, NULL, "bad date in before:" },
	{ "before:31-Jan-2020", 0, NULL, "bad date in before:" },
	{ "since:+020-01-01", 0, NULL, "bad date" },
	{ "since:", 0, NULL, "since: needs a value" },
	{ "nul\0byte", 8, NULL, "NUL" },
	{ "bad \xff utf8", 0, NULL, "UTF-8" },
	{ "overlong \xc0\xaf", 0, NULL, "UTF-8" },
	{ "surrogate \xed\xa0\x80", 0, NULL, "UTF-8" },
	{ "cut \xe6\x97", 0, NULL, "UTF-8" },
};

static void test_rows(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct search_query query;
		struct str text = { rows[i].query, rows[i].len ? rows[i].len : strlen(rows[i].query) };
		char why[128] = "", name[160];
		struct buf wire = BUF_INIT;
		size_t pieces = 0;
		int rc;

		shown(text.p, text.len, name, sizeof(name));
		search_query_init(&query);
		rc = search_parse(&query, text, why, sizeof(why));
		if (strcmp(rows[i].query, "bell\a") == 0) {
			tap_ok(rc == 0 && wire_of(&query, true, &wire, &pieces) == 0 &&
			       strcmp(buf_cstr(&wire), PRE "TEXT {5+}\r\nbell\a\r\n") == 0,
			       "'%s': a control byte makes a literal", name);
		} else if (rows[i].wire) {
			if (!tap_ok(rc == 0, "'%s' accepted", name))
				tap_diag("why: %s", why);
			else if (wire_of(&query, true, &wire, &pieces) == 0)
				tap_is_str(buf_cstr(&wire), rows[i].wire, name);
			else
				tap_ok(0, "'%s' encodes", name);
		} else {
			tap_ok(rc == -1 && query.nterms == 0 && strstr(why, rows[i].why) != NULL,
			       "'%s' refused: %s", name, why);
		}
		buf_release(&wire);
		search_query_release(&query);
	}
}

static void test_limits(void)
{
	struct search_query query;
	struct buf text = BUF_INIT, wire = BUF_INIT, again = BUF_INIT;
	char why[128];
	size_t pieces;

	search_query_init(&query);
	for (int i = 0; i < SEARCH_MAX_TERMS; i++)
		buf_addf(&text, "w%d ", i);
	tap_ok(search_parse(&query, str_from_buf(&text), why, sizeof(why)) == 0 &&
	       query.nterms == SEARCH_MAX_TERMS, "%d terms accepted", SEARCH_MAX_TERMS);
	buf_addstr(&text, "one-more");
	tap_ok(search_parse(&query, str_from_buf(&text), why, sizeof(why)) == -1 &&
	       strstr(why, "too many terms"), "%d terms refused: %s", SEARCH_MAX_TERMS + 1, why);

	buf_reset(&text);
	while (text.len < SEARCH_MAX_LEN)
		buf_addch(&text, 'x');
	tap_ok(search_parse(&query, str_from_buf(&text), why, sizeof(why)) == 0, "%d bytes accepted", SEARCH_MAX_LEN);
	buf_addch(&text, 'x');
	tap_ok(search_parse(&query, str_from_buf(&text), why, sizeof(why)) == -1 && strstr(why, "too long"),
	       "%d bytes refused: %s", SEARCH_MAX_LEN + 1, why);

	/* without LITERAL+ a CR LF phrase is a synchronizing literal: two pieces */
	tap_ok(search_parse(&query, str_from("\"a\r\nb\" c"), why, sizeof(why)) == 0 &&
	       wire_of(&query, false, &wire, &pieces) == 0 && pieces == 2 &&
	       strcmp(buf_cstr(&wire), PRE "TEXT {4}\r\na\r\nb TEXT \"c\"\r\n") == 0,
	       "synchronizing literal without LITERAL+ (%zu pieces)", pieces);

	/* canonical form, and it parses back to the same keys */
	buf_reset(&text);
	tap_ok(search_parse(&query, str_from("FROM:\"John Smith\"  patch \"from:x\" SINCE:2020-01-02 \"a\\\\b\\\"c\""),
	                    why, sizeof(why)) == 0, "canonical: parsed");
	search_format(&query, &text);
	tap_is_str(buf_cstr(&text), "from:\"John Smith\" patch \"from:x\" since:2020-01-02 a\\b\"c",
	           "canonical form");
	buf_reset(&wire);
	(void)wire_of(&query, true, &wire, &pieces);
	struct search_query reparsed;
	search_query_init(&reparsed);
	tap_ok(search_parse(&reparsed, str_from_buf(&text), why, sizeof(why)) == 0 &&
	       wire_of(&reparsed, true, &again, &pieces) == 0 && strcmp(buf_cstr(&wire), buf_cstr(&again)) == 0,
	       "canonical form parses to the same keys");
	search_query_release(&reparsed);
	search_query_release(&query);
	buf_release(&text);
	buf_release(&wire);
	buf_release(&again);
}

/* Words a full-text index may not find, as the search page is told. */
static void test_fragile(void)
{
	static const struct {
		const char *query;
		bool fragile;
	} cases[] = {
		{ "watchdog", false },
		{ "i2c bmc", false },            /* three letters are enough */
		{ "ok", true },
		{ "watchdog x", true },
		{ "from:jo", true },
		{ "subject:\"a patch\"", true },
		{ "phosphor-logging", true },
		{ "half - way", false },        /* a lone hyphen joins nothing */
		{ "--verbose", false },
		{ "\xc3\xbc\xc3\xa4", true },          /* two letters, four bytes */
		{ "K\xc3\xb6ln", false },
		{ "since:2020-01-02 watchdog", false },
		{ "before:2020-01-02", false },  /* a date is not a word */
		{ "v2.1", true },                /* "v2" and "1" */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct search_query query;
		char why[128];
		search_query_init(&query);
		if (search_parse(&query, str_from(cases[i].query), why, sizeof(why)) < 0)
			tap_ok(0, "'%s' parses: %s", cases[i].query, why);
		else
			tap_ok(search_has_fragile_word(&query) == cases[i].fragile,
			       "'%s' %s", cases[i].query,
			       cases[i].fragile ? "has a word an index may miss"
			                        : "has none an index misses");
		search_query_release(&query);
	}
}

int main(void)
{
	test_rows();
	test_limits();
	test_fragile();
	return tap_done();
}
