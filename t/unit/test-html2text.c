/* html2text: HTML mail as a text reader shows it. */
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "html2text.h"
#include "../tap.h"

static const struct {
	const char *name, *in, *want;
} rows[] = {
	{ "paragraphs and collapsed space", "<p>Hello   <b>world</b>,\n  again</p><p>Second</p>",
	  "Hello world, again\n\nSecond\n" },
	{ "head, title, script, style are not text",
	  "<html><head><title>T</title><style>p{}</style><script>x=1</script></head><body>Body</body></html>",
	  "Body\n" },
	{ "script in the body", "a<script>alert(1)</script>b", "ab\n" },
	{ "br", "one<br>two<br><br>three", "one\ntwo\n\nthree\n" },
	{ "div", "<div>a</div><div>b</div>", "a\nb\n" },
	{ "ul", "<ul><li>one</li><li>two</li></ul>", "- one\n- two\n" },
	{ "ol, nested", "<ol><li>a<ul><li>x</li></ul></li><li>b</li></ol>", "1. a\n  - x\n2. b\n" },
	{ "headings", "<h1>Title</h1>text", "Title\n\ntext\n" },
	{ "blockquote", "<p>me</p><blockquote><p>you</p><p>again</p></blockquote>",
	  "me\n\n> you\n>\n> again\n" },
	{ "nested blockquote", "<blockquote>a<blockquote>b</blockquote></blockquote>", "> a\n>\n>> b\n" },
	{ "pre kept verbatim", "<pre>  a  b\n    c</pre>", "  a  b\n    c\n" },
	{ "table", "<table><tr><th>h1</th><th>h2</th></tr><tr><td>a</td><td>b</td></tr></table>",
	  "h1\th2\na\tb\n" },
	{ "entities", "&lt;tag&gt; &amp; &quot;q&quot; &eacute; &#x20AC; &#8212;",
	  "<tag> & \"q\" \xc3\xa9 \xe2\x82\xac \xe2\x80\x94\n" },
	{ "nbsp", "a&nbsp;&nbsp;b", "a  b\n" },
	{ "links listed", "see <a href=\"https://example.org/x\">this</a> and <a href='mailto:a@b'>me</a>",
	  "see this[1] and me[2]\n\n[1] https://example.org/x\n[2] mailto:a@b\n" },
	{ "same link once", "<a href=\"http://a/\">x</a> <a href=\"http://a/\">y</a>",
	  "x[1] y[1]\n\n[1] http://a/\n" },
	{ "javascript and data links dropped",
	  "<a href=\"javascript:alert(1)\">j</a> <a href=\"data:text/html,x\">d</a> <a href=\"/rel\">r</a>",
	  "j d r\n" },
	{ "link with whitespace in href", "<a href=\" https://a.b/c\n d \">x</a>", "x[1]\n\n[1] https://a.b/cd\n" },
	{ "image alt", "<p>Logo: <img src=\"x.png\" alt=\"ACME\"> <img src=y.png></p>", "Logo: ACME\n" },
	/* libxml2 wraps leading body text in an implied <p> */
	{ "hr", "a<hr>b", "a\n\n----\nb\n" },
	{ "comments", "a<!-- hidden -->b", "ab\n" },
	{ "meta charset ignored: input is UTF-8",
	  "<meta charset=\"iso-8859-1\"><p>caf\xc3\xa9</p>", "caf\xc3\xa9\n" },
	{ "unclosed tags", "<p>one<p>two<div>three", "one\n\ntwo\n\nthree\n" },
	{ "stray <", "a < b > c", "a < b > c\n" },
	{ "invalid UTF-8 replaced", "caf\xe9", "caf\xef\xbf\xbd\n" },
	{ "empty", "", "" },
	{ "only markup", "<html><body></body></html>", "" },
	{ "plain text", "just text", "just text\n" },
};

static void test_hostile(void)
{
	struct buf in = BUF_INIT, out = BUF_INIT;

	for (int i = 0; i < 20000; i++)
		buf_addstr(&in, "<div><blockquote><ul><li>");
	buf_addstr(&in, "deep");
	html2text(&out, in.p, in.len);
	tap_ok(charset_utf8_valid(out.p, out.len), "20,000 nested blocks: valid output (%zu bytes)", out.len);
	buf_reset(&in);
	buf_reset(&out);
	for (int i = 0; i < 2000; i++)
		buf_addf(&in, "<a href=\"https://x/%d\">l</a>", i);
	html2text(&out, in.p, in.len);
	tap_ok(strstr(out.p, "[500] https://x/499\n") && !strstr(out.p, "[501]"),
	       "2000 links: %d listed", HTML2TEXT_LINKS_MAX);
	buf_reset(&in);
	buf_reset(&out);
	for (int i = 0; i < 600000; i++)
		buf_addstr(&in, "<p>word word</p>");
	html2text(&out, in.p, in.len);
	tap_ok(out.len <= HTML2TEXT_OUTPUT_MAX + 16 && out.len > HTML2TEXT_OUTPUT_MAX / 2,
	       "9.6 MB of HTML: output bounded (%zu bytes)", out.len);
	buf_reset(&in);
	buf_reset(&out);
	buf_add(&in, "a\0b<p>c", 7);
	html2text(&out, in.p, in.len);
	tap_ok(charset_utf8_valid(out.p, out.len), "NUL in HTML: valid output");
	buf_release(&in);
	buf_release(&out);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct buf out = BUF_INIT;
		html2text(&out, rows[i].in, strlen(rows[i].in));
		tap_is_mem(buf_cstr(&out), out.len, rows[i].want, strlen(rows[i].want), rows[i].name);
		buf_release(&out);
	}
	test_hostile();
	return tap_done();
}
