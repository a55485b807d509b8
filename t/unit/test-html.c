/* Escapers, percent-encoding and decoding, the URL builder, SHA-256. */
#include <string.h>

#include "../tap.h"
#include "html.h"
#include "sha256.h"

#define R HTML_REPLACEMENT

struct row {
	const char *in;
	size_t len;           /* 0: strlen(in) */
	const char *want;     /* NULL: must be rejected */
};

static size_t row_len(const struct row *row)
{
	return row->len ? row->len : strlen(row->in);
}

static void escape(void)
{
	static const struct row rows[] = {
		{ "plain text", 0, "plain text" },
		{ "<\"'&>", 0, "&lt;&quot;&#39;&amp;&gt;" },
		{ "<script>alert(1)</script>", 0, "&lt;script&gt;alert(1)&lt;/script&gt;" },
		{ "&amp;", 0, "&amp;amp;" },
		{ "a\tb\nc", 0, "a\tb\nc" },
		{ "line\r\nnext", 0, "line\nnext" },
		{ "a\0b", 3, "a" R "b" },
		{ "\x01\x1b[31m\x7f", 0, R R "[31m" R },
		{ "\xc2\x85", 0, R },                   /* C1 control NEL */
		{ "Gr\xc3\xbc\xc3\x9f" "e \xe2\x82\xac \xf0\x9f\x98\x80", 0,
		  "Gr\xc3\xbc\xc3\x9f" "e \xe2\x82\xac \xf0\x9f\x98\x80" },
		{ "\xff", 0, R },
		{ "a\xc3", 0, "a" R },                  /* truncated */
		{ "\xc0\xbc", 0, R R },                 /* overlong '<' */
		{ "\xe0\x80\xbc", 0, R R R },           /* overlong, 3 bytes */
		{ "\xed\xa0\x80", 0, R R R },           /* surrogate */
		{ "\xf4\x90\x80\x80", 0, R R R R },     /* above U+10FFFF */
		{ "\xe2\x82<", 0, R "&lt;" },           /* maximal subpart, then '<' */
		{ "\xef\xbf\xbd", 0, R },               /* U+FFFD itself is fine */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct buf out = BUF_INIT;
		html_escape(&out, rows[i].in, row_len(&rows[i]));
		tap_is_mem(buf_cstr(&out), out.len, rows[i].want, strlen(rows[i].want), "html_escape row");
		tap_ok(utf8_valid(out.p, out.len) && !memchr(buf_cstr(&out), '\0', out.len),
		       "  output is valid UTF-8 without NUL");
		buf_release(&out);
	}
}

static void encode(void)
{
	static const struct row rows[] = {
		{ "dev", 0, "dev" },
		{ "A-Z_a.z~09", 0, "A-Z_a.z~09" },
		{ "a/b", 0, "a%2Fb" },
		{ "a b+c&d=e?f#g%h", 0, "a%20b%2Bc%26d%3De%3Ff%23g%25h" },
		{ "<\"'&>", 0, "%3C%22%27%26%3E" },
		{ "Gr\xc3\xbc\xc3\x9f" "e", 0, "Gr%C3%BC%C3%9Fe" },
		{ "\0\xff", 2, "%00%FF" },
		{ "", 0, "" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct buf seg = BUF_INIT, query = BUF_INIT;
		html_url_segment(&seg, rows[i].in, row_len(&rows[i]));
		html_url_query(&query, rows[i].in, row_len(&rows[i]));
		tap_is_str(buf_cstr(&seg), rows[i].want, "html_url_segment row");
		tap_is_str(buf_cstr(&query), rows[i].want, "html_url_query row");
		buf_release(&seg);
		buf_release(&query);
	}
}

static void decode(void)
{
	/* Path-style decoding with UTF-8 required. */
	static const struct row rows[] = {
		{ "dev", 0, "dev" },
		{ "a%2Fb", 0, "a/b" },
		{ "a%2fb", 0, "a/b" },
		{ "Gr%C3%BC%C3%9Fe", 0, "Gr\xc3\xbc\xc3\x9f" "e" },
		{ "a+b", 0, "a+b" },
		{ "%3C%22%27%26%3E", 0, "<\"'&>" },
		{ "", 0, "" },
		{ "%", 0, NULL },
		{ "%4", 0, NULL },
		{ "%4g", 0, NULL },
		{ "%g4", 0, NULL },
		{ "abc%", 0, NULL },
		{ "%00", 0, NULL },
		{ "a\0b", 3, NULL },
		{ "%FF", 0, NULL },
		{ "%C0%BC", 0, NULL },
		{ "%ED%A0%80", 0, NULL },
		{ "%C3", 0, NULL },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct buf out = BUF_INIT;
		buf_addstr(&out, "keep:");
		int ret = html_url_decode(&out, rows[i].in, row_len(&rows[i]), HTML_DECODE_UTF8);
		if (!rows[i].want) {
			tap_ok(ret == -1 && strcmp(buf_cstr(&out), "keep:") == 0,
			       "decode row %zu rejected, buffer unchanged", i);
		} else if (tap_ok(ret == 0, "decode row %zu", i)) {
			tap_is_str(buf_cstr(&out) + 5, rows[i].want, "  decoded");
		}
		buf_release(&out);
	}
	struct buf out = BUF_INIT;
	tap_ok(html_url_decode(&out, "%FF+x", 5, HTML_DECODE_PLUS) == 0 &&
	       out.len == 3 && memcmp(out.p, "\xff x", 3) == 0,
	       "without HTML_DECODE_UTF8 any byte but NUL passes; + is space with PLUS");
	buf_release(&out);
}

static void query(void)
{
	static const struct { const char *query, *name, *want; int ret; } rows[] = {
		{ "page=2", "page", "2", 1 },
		{ "a=1&page=3&page=4", "page", "3", 1 },
		{ "q=from%3Aalice+body%3A%22x%22", "q", "from:alice body:\"x\"", 1 },
		{ "format=json", "page", "", 0 },
		{ "", "page", "", 0 },
		{ "page", "page", "", 1 },
		{ "page=", "page", "", 1 },
		{ "&&page=5&", "page", "5", 1 },
		{ "pag%65=6", "page", "6", 1 },
		{ "page=%zz", "page", "", -1 },
		{ "x=%00&page=1", "page", "", -1 },
		{ "page=%FF", "page", "", -1 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct buf value = BUF_INIT;
		int ret = html_query_param(rows[i].query, rows[i].name, &value);
		tap_ok(ret == rows[i].ret, "query '%s' -> %d", rows[i].query, rows[i].ret);
		if (ret == 1)
			tap_is_str(buf_cstr(&value), rows[i].want, "  value");
		buf_release(&value);
	}
	struct buf big = BUF_INIT, value = BUF_INIT;
	for (int i = 0; i < HTML_QUERY_MAX; i++)
		buf_addch(&big, 'a');
	buf_addstr(&big, "&page=1");
	tap_ok(html_query_param(big.p, "page", &value) == -1, "an over-long query is refused");
	buf_release(&big);
	buf_release(&value);
}

static void url(void)
{
#define P(n, v) { { n, v } }
	static const struct {
		struct html_url url;
		const char *want;   /* NULL: refused */
	} rows[] = {
		{ { .root = "" }, "/" },
		{ { .root = "/archive" }, "/archive/" },
		{ { .root = "/archive", .mailbox = "lists/dev" }, "/archive/lists/dev/" },
		{ { .root = "", .mailbox = "Archiv/Gr\xc3\xbc\xc3\x9f" "e & Co" },
		  "/Archiv/Gr%C3%BC%C3%9Fe%20%26%20Co/" },
		{ { .root = "", .mailbox = "a%25b" }, "/a%25b/" },
		{ { .root = "", .mailbox = "a%2Fb" }, "/a%2Fb/" },
		{ { .root = "", .mailbox = "x/y%2Fz", .uid = 3 }, "/x/y%2Fz/3" },
		{ { .root = "", .mailbox = "50%25/a%2Fb%252F" }, "/50%25/a%2Fb%252F/" },
		{ { .root = "", .mailbox = "<\"'&>" }, "/%3C%22%27%26%3E/" },
		{ { .root = "", .mailbox = "INBOX", .uid = 7 }, "/INBOX/7" },
		{ { .root = "", .mailbox = "INBOX", .uid = 4294967295u, .section = "1.2" },
		  "/INBOX/4294967295/1.2" },
		{ { .root = "", .mailbox = "INBOX", .uid = 7, .suffix = HTML_URL_RAW }, "/INBOX/7/raw" },
		{ { .root = "", .mailbox = "INBOX", .uid = 7, .suffix = HTML_URL_THREAD }, "/INBOX/7/thread" },
		{ { .root = "", .mailbox = "INBOX", .uid = 7, .suffix = HTML_URL_THREAD_MBOX },
		  "/INBOX/7/thread.mbox" },
		{ { .root = "", .mailbox = "lists/dev", .suffix = HTML_URL_THREADS,
		    .params = P("page", "2") }, "/lists/dev/threads/?page=2" },
		{ { .root = "", .mailbox = "lists/dev", .suffix = HTML_URL_SEARCH,
		    .params = P("q", "from:a&b=c #x") }, "/lists/dev/search?q=from%3Aa%26b%3Dc%20%23x" },
		{ { .root = "", .mailbox = "lists/dev", .suffix = HTML_URL_ATOM }, "/lists/dev/new.atom" },
		{ { .root = "", .suffix = HTML_URL_MSGID, .message_id = "a/b@c.d" }, "/m/a%2Fb%40c.d" },
		{ { .root = "", .mailbox = "x", .suffix = HTML_URL_MSGID, .message_id = "<\">" },
		  "/x/m/%3C%22%3E" },
		{ { .root = "", .mailbox = "x", .params = { { "page", "2" }, { "format", "json" } } },
		  "/x/?page=2&format=json" },
		{ { .root = "", .mailbox = "" }, NULL },
		{ { .root = "", .mailbox = "a//b" }, NULL },
		{ { .root = "", .mailbox = "/a" }, NULL },
		{ { .root = "", .mailbox = "a/" }, NULL },
		{ { .root = "", .mailbox = "a/../b" }, NULL },
		{ { .root = "", .mailbox = "." }, NULL },
		{ { .root = "archive", .mailbox = "a" }, NULL },
		{ { .root = "", .uid = 7 }, NULL },
		{ { .root = "", .mailbox = "a", .suffix = HTML_URL_RAW }, NULL },
		{ { .root = "", .mailbox = "a", .uid = 7, .suffix = HTML_URL_THREADS }, NULL },
		{ { .root = "", .mailbox = "a", .section = "1" }, NULL },
		{ { .root = "", .mailbox = "a", .uid = 7, .section = "1/../x" }, NULL },
		{ { .root = "", .mailbox = "a", .uid = 7, .section = "1..2" }, NULL },
		{ { .root = "", .mailbox = "a", .uid = 7, .section = "0" }, NULL },
		{ { .root = "", .mailbox = "a", .uid = 7, .section = "" }, NULL },
		{ { .root = "", .mailbox = "a", .uid = 7, .section = "1", .suffix = HTML_URL_RAW }, NULL },
		{ { .root = "", .suffix = HTML_URL_MSGID }, NULL },
		{ { .root = "", .suffix = HTML_URL_MSGID, .message_id = "" }, NULL },
		{ { .root = "", .message_id = "a@b" }, NULL },
		{ { .root = "", .suffix = HTML_URL_SUFFIX__MAX }, NULL },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct buf out = BUF_INIT;
		buf_addstr(&out, "keep");
		int ret = html_url_build(&out, &rows[i].url);
		if (!rows[i].want)
			tap_ok(ret == -1 && strcmp(buf_cstr(&out), "keep") == 0,
			       "url row %zu refused, buffer unchanged", i);
		else if (tap_ok(ret == 0, "url row %zu", i))
			tap_is_str(buf_cstr(&out) + 4, rows[i].want, "  path");
		buf_release(&out);
	}
}

static void hash(void)
{
	static const struct { const char *in, *b64; } rows[] = {
		{ "", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" },
		{ "abc", "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "JI1qYdIGOLjlwCaTDD5gOaM85Flk/yFn9uzt1BnbBsE=" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		unsigned char digest[SHA256_LEN];
		struct buf out = BUF_INIT;
		sha256(rows[i].in, strlen(rows[i].in), digest);
		sha256_base64(&out, digest, sizeof(digest));
		tap_is_str(buf_cstr(&out), rows[i].b64, "sha256 base64 (FIPS 180-2 vector)");
		buf_release(&out);
	}
	/* 1,000,000 'a': exercises many blocks and the two-block tail. */
	struct buf million = BUF_INIT, out = BUF_INIT;
	unsigned char digest[SHA256_LEN];
	for (int i = 0; i < 1000000; i++)
		buf_addch(&million, 'a');
	sha256(million.p, million.len, digest);
	sha256_base64(&out, digest, sizeof(digest));
	tap_is_str(buf_cstr(&out), "zcduXJkU+5KBocfihNc+Z/GAmkiklyAOBG05zMcRLNA=", "sha256 of a million 'a'");
	buf_release(&million);
	buf_release(&out);
}

int main(void)
{
	escape();
	encode();
	decode();
	query();
	url();
	hash();
	return tap_done();
}
