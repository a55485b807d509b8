/*
 * atom.c: escaping, ids and dates as table tests (TAP); with "--feed FILE"
 * it writes a feed full of hostile text instead, for t0103-atom.t to check
 * with xmllint and python3's xml.etree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atom.h"
#include "../tap.h"

static const struct {
	const char *input;
	size_t len;
	const char *expected;
} escape_rows[] = {
	{ "plain", 0, "plain" },
	{ "<\"'&>", 0, "&lt;&quot;&#39;&amp;&gt;" },
	{ "]]> <![CDATA[", 0, "]]&gt; &lt;![CDATA[" },
	{ "tab\tlf\ncr\r", 0, "tab\tlf\ncr\r" },
	{ "nul\0bell\a esc\x1b del\x7f", 20, "nulbell esc del\x7f" },
	{ "Grüße 日本語", 0, "Grüße 日本語" },
	{ "bad \xff byte", 0, "bad \xef\xbf\xbd byte" },
	/* one U+FFFD per maximal ill-formed subpart (utf8.h), as everywhere */
	{ "cut \xe6\x97", 0, "cut \xef\xbf\xbd" },
	{ "overlong \xc0\xaf", 0, "overlong \xef\xbf\xbd\xef\xbf\xbd" },
	{ "surrogate \xed\xa0\x80", 0, "surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	{ "nonchar \xef\xbf\xbe\xef\xbf\xbf", 0, "nonchar " },
	{ "astral \xf0\x9f\x98\x80", 0, "astral \xf0\x9f\x98\x80" },
	{ "c1 \xc2\x85", 0, "c1 \xc2\x85" },
	{ "", 0, "" },
};

static void test_escape(void)
{
	for (size_t i = 0; i < sizeof(escape_rows) / sizeof(escape_rows[0]); i++) {
		struct buf out = BUF_INIT;
		struct str in = { escape_rows[i].input,
		                  escape_rows[i].len ? escape_rows[i].len : strlen(escape_rows[i].input) };
		char name[64];
		atom_escape(&out, in);
		snprintf(name, sizeof(name), "escape row %zu", i);
		tap_is_mem(buf_cstr(&out), out.len, escape_rows[i].expected, strlen(escape_rows[i].expected), name);
		buf_release(&out);
	}
}

static void test_ids_dates(void)
{
	struct buf out = BUF_INIT;

	atom_id_msgid(&out, STR_LIT(" <abc.123@example.org> "));
	tap_is_str(buf_cstr(&out), "mid:abc.123@example.org", "mid: from a Message-ID");
	buf_reset(&out);
	atom_id_msgid(&out, STR_LIT("<a/b%c?d#e \"f\"<g>@x>"));
	tap_is_str(buf_cstr(&out), "mid:a%2Fb%25c%3Fd%23e%20%22f%22%3Cg%3E@x", "mid: escapes / % ? # blanks quotes");
	buf_reset(&out);
	atom_id_msgid(&out, STR_LIT("<Grüße@x>"));
	tap_is_str(buf_cstr(&out), "mid:Gr%C3%BC%C3%9Fe@x", "mid: escapes 8-bit");
	buf_reset(&out);
	atom_id_uid(&out, STR_LIT("lists.example.org"), STR_LIT("lists/dev & co"), 1795303599u, 42);
	tap_is_str(buf_cstr(&out), "tag:lists.example.org,2000:lists%2Fdev%20%26%20co/1795303599/42",
	           "tag: from mailbox, UIDVALIDITY and UID");
	buf_reset(&out);
	atom_date(&out, 0);
	tap_is_str(buf_cstr(&out), "1970-01-01T00:00:00Z", "date: epoch");
	buf_reset(&out);
	atom_date(&out, 1580472000);
	tap_is_str(buf_cstr(&out), "2020-01-31T12:00:00Z", "date: RFC 3339 UTC");
	buf_reset(&out);
	atom_date(&out, (time_t)400000000000LL);
	tap_is_str(buf_cstr(&out), "1970-01-01T00:00:00Z", "date: beyond year 9999 falls back");
	buf_release(&out);
}

#define HOSTILE "<b>\"bold\"</b> & 'x' ]]> \x01\x02\x1f\0 \xff\xfe"

static int write_feed(const char *path)
{
	struct buf out = BUF_INIT, id = BUF_INIT, parent = BUF_INIT;
	struct str hostile = { HOSTILE, sizeof(HOSTILE) - 1 };
	FILE *f;

	atom_begin(&out, &(struct atom_feed){
		.id = STR_LIT("https://example.org/archive/lists/dev/new.atom"),
		.title = hostile,
		.updated = 1580472000,
		.self_url = STR_LIT("https://example.org/archive/lists/dev/new.atom?a=1&b=\"2\""),
		.alternate_url = STR_LIT("https://example.org/archive/lists/dev/"),
	});
	atom_id_msgid(&parent, STR_LIT("<root@example.org>"));
	atom_add_entry(&out, &(struct atom_entry){
		.id = str_from_buf(&parent),
		.title = STR_LIT("The root"),
		.updated = 1580472000,
		.author_name = STR_LIT("Alice <alice@example.org>"),
		.author_email = STR_LIT("alice@example.org"),
		.link = STR_LIT("https://example.org/archive/lists/dev/1"),
		.summary = STR_LIT("Hello, world."),
	});
	atom_id_msgid(&id, STR_LIT("<re&<ply>\"@example.org>"));
	atom_add_entry(&out, &(struct atom_entry){
		.id = str_from_buf(&id),
		.title = hostile,
		.updated = 1580475600,
		.author_name = hostile,
		.author_email = STR_LIT("x\"><script>@example.org"),
		.link = STR_LIT("https://example.org/archive/lists/dev/2?x=<y>&z='w'"),
		.content = hostile,
		.in_reply_to = str_from_buf(&parent),
		.in_reply_to_href = STR_LIT("https://example.org/archive/lists/dev/1?&\""),
	});
	buf_reset(&id);
	atom_id_uid(&id, STR_LIT("example.org"), STR_LIT("lists/dev"), 7, 3);
	atom_add_entry(&out, &(struct atom_entry){
		.id = str_from_buf(&id),
		.title = STR_LIT(""),
		.updated = 1580479200,
	});
	atom_end(&out);
	f = fopen(path, "wb");
	if (!f || fwrite(out.p, 1, out.len, f) != out.len || fclose(f) != 0)
		return 1;
	buf_release(&out);
	buf_release(&id);
	buf_release(&parent);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--feed") == 0)
		return write_feed(argv[2]);
	test_escape();
	test_ids_dates();
	return tap_done();
}
