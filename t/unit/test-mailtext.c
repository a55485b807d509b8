/* mailtext: mail text as trusted HTML (quotes, folds, links, obfuscation). */
#include <string.h>

#include "mailtext.h"
#include "../tap.h"

#define D(x) "<div class=\"text\">" x "</div>"
#define P(x) "<pre>" x "</pre>"

static const struct {
	const char *in;
	bool obfuscate;
	const char *want;
} rows[] = {
	{ "plain text\n", false, D(P("plain text")) },
	{ "two\nlines\n", false, D(P("two\nlines")) },
	{ "", false, D(P("\n")) },
	/* everything from the mail is escaped */
	{ "<script>alert('x')</script> & \"q\"", false,
	  D(P("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;")) },
	/* quotes, nested, and back */
	{ "a\n> q\n>> qq\n> > qq2\n> q\nb\n", false,
	  D(P("a") "<blockquote>" P("q") "<blockquote>" P("qq\nqq2") "</blockquote>" P("q") "</blockquote>" P("b")) },
	{ ">no space\n", false, D("<blockquote>" P("no space") "</blockquote>") },
	{ " > not a quote\n", false, D(P(" &gt; not a quote")) },
	/* a block whose first line is empty keeps it (HTML drops one "\n" after <pre>) */
	{ "> q\n\nafter\n", false, D("<blockquote>" P("q") "</blockquote>" P("\n\nafter")) },
	/* links: http, https, mailto only, trailing punctuation left out */
	{ "see http://example.com/a.", false,
	  D(P("see <a href=\"http://example.com/a\" rel=\"nofollow noopener\">http://example.com/a</a>.")) },
	{ "(https://x.org/p_(1))", false,
	  D(P("(<a href=\"https://x.org/p_(1)\" rel=\"nofollow noopener\">https://x.org/p_(1)</a>)")) },
	{ "<http://x.org/?a=1&b=2>", false,
	  D(P("&lt;<a href=\"http://x.org/?a=1&amp;b=2\" rel=\"nofollow noopener\">http://x.org/?a=1&amp;b=2</a>&gt;")) },
	{ "http://x.org/\"onmouseover=alert(1)", false,
	  D(P("<a href=\"http://x.org/\" rel=\"nofollow noopener\">http://x.org/</a>&quot;onmouseover=alert(1)")) },
	{ "javascript:alert(1) data:text/html,x ftp://x", false,
	  D(P("javascript:alert(1) data:text/html,x ftp://x")) },
	{ "xhttp://no http:// alone", false, D(P("xhttp://no http:// alone")) },
	{ "mailto:me@example.com", false,
	  D(P("<a href=\"mailto:me@example.com\" rel=\"nofollow noopener\">mailto:me@example.com</a>")) },
	/* obfuscation: domains hidden, mailto not linked */
	{ "write jane.doe+x@mail.example.org.", true, D(P("write jane.doe+x@\xe2\x80\xa6.")) },
	{ "mailto:me@example.com", true, D(P("mailto:me@\xe2\x80\xa6")) },
	{ "@alone and a@ and @@", true, D(P("@alone and a@ and @@")) },
	{ "http://x.org/ stays", true,
	  D(P("<a href=\"http://x.org/\" rel=\"nofollow noopener\">http://x.org/</a> stays")) },
	/* invalid UTF-8 and controls become U+FFFD */
	{ "bad \xff\x01", false, D(P("bad \xef\xbf\xbd\xef\xbf\xbd")) },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct mailtext_opts opts = { .obfuscate = rows[i].obfuscate };
		struct buf out = BUF_INIT;
		char name[128];
		mailtext_to_html(&out, rows[i].in, strlen(rows[i].in), &opts);
		snprintf(name, sizeof(name), "mailtext row %zu '%.30s'%s", i, rows[i].in,
		         rows[i].obfuscate ? " obfuscated" : "");
		for (char *c = name; *c; c++)
			if (*c == '\n')
				*c = ' ';
		tap_is_mem(buf_cstr(&out), out.len, rows[i].want, strlen(rows[i].want), name);
		buf_release(&out);
	}

	/* A long quote is folded; a short one is not. */
	struct buf in = BUF_INIT, out = BUF_INIT;
	struct mailtext_opts opts = { 0 };
	buf_addstr(&in, "x wrote:\n");
	for (int i = 0; i < 12; i++)
		buf_addf(&in, "> line %d\n", i);
	buf_addstr(&in, "reply\n> short\n");
	mailtext_to_html(&out, in.p, in.len, &opts);
	tap_ok(strstr(buf_cstr(&out), "<pre>x wrote:</pre><details class=\"quote\"><summary>12 quoted lines</summary><blockquote><pre>line 0\n") != NULL,
	       "12 quoted lines are folded in <details>");
	tap_ok(strstr(buf_cstr(&out), "line 11</pre></blockquote></details><pre>reply</pre><blockquote><pre>short</pre></blockquote></div>") != NULL,
	       "the fold closes after the quote; a one-line quote is not folded");
	buf_release(&in);
	buf_reset(&out);

	/* 10,000 quote levels: nesting capped, tags balanced. */
	for (int i = 0; i < 10000; i++)
		buf_addch(&in, '>');
	buf_addstr(&in, " deep\n");
	mailtext_to_html(&out, in.p, in.len, &opts);
	size_t opened = 0, closed = 0;
	for (const char *p = buf_cstr(&out); (p = strstr(p, "<blockquote>")); p++)
		opened++;
	for (const char *p = buf_cstr(&out); (p = strstr(p, "</blockquote>")); p++)
		closed++;
	tap_ok(opened == MAILTEXT_MAX_DEPTH && closed == opened,
	       "10,000 quote levels give %d balanced blockquotes (%zu, %zu)", MAILTEXT_MAX_DEPTH, opened, closed);
	buf_release(&in);
	buf_release(&out);

	/* The document: embedded messages nest by section and close. */
	struct mailtext_doc doc;
	const char *names[] = { "Subject" }, *values[] = { "<inner>" };
	mailtext_doc_init(&doc, &opts);
	mailtext_doc_enter(&doc, "1");
	mailtext_doc_text(&doc, "outer", 5);
	mailtext_doc_message(&doc, "2", names, values, 1);
	mailtext_doc_enter(&doc, "2.1");
	mailtext_doc_text(&doc, "inner", 5);
	mailtext_doc_enter(&doc, "3");
	mailtext_doc_text(&doc, "after", 5);
	mailtext_doc_enter(&doc, "");
	tap_is_mem(buf_cstr(&doc.html), doc.html.len,
	           D(P("outer")) "<section class=\"embedded\"><dl class=\"headers\"><dt>Subject</dt><dd>&lt;inner&gt;</dd></dl>"
	           D(P("inner")) "</section>" D(P("after")),
	           strlen(D(P("outer")) "<section class=\"embedded\"><dl class=\"headers\"><dt>Subject</dt><dd>&lt;inner&gt;</dd></dl>"
	                  D(P("inner")) "</section>" D(P("after"))),
	           "an embedded message: its headers escaped, its text inside, closed before the next part");
	mailtext_doc_release(&doc);
	return tap_done();
}
