/* The template engine: escaping per value type, sections, partials,
 * compile errors with line numbers, writers, the shipped templates. */
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "html.h"
#include "html_trusted.h"
#include "sha256.h"
#include "tmpl.h"

#define HOSTILE "<\"'&>"
#define HOSTILE_ESC "&lt;&quot;&#39;&amp;&gt;"

static struct tmpl_vars *sample_vars(void)
{
	struct tmpl_vars *vars = tmpl_vars_new(), *item, *sub;

	tmpl_vars_set_str(vars, "name", HOSTILE);
	tmpl_vars_set_strn(vars, "nul", "a\0b", 3);
	tmpl_vars_set_str(vars, "bad", "x\xff\xc0y");
	tmpl_vars_set_str(vars, "empty", "");
	tmpl_vars_set_str(vars, "mailbox", "lists/dev <x>");
	tmpl_vars_set_int(vars, "zero", 0);
	tmpl_vars_set_int(vars, "neg", -42);
	tmpl_vars_set_uint(vars, "big", 18446744073709551615ull);
	tmpl_vars_set_bool(vars, "yes", true);
	tmpl_vars_set_bool(vars, "no", false);
	tmpl_vars_set_trusted_html(vars, "html", "<b>bold</b> &amp;", 17);
	tmpl_vars_set_list(vars, "none");
	for (int i = 1; i <= 2; i++) {
		item = tmpl_vars_add_item(vars, "items");
		tmpl_vars_set_int(item, "n", i);
		tmpl_vars_set_str(item, "label", i == 1 ? HOSTILE : "two");
		sub = tmpl_vars_add_item(item, "subs");
		tmpl_vars_set_str(sub, "s", "a");
		sub = tmpl_vars_add_item(item, "subs");
		tmpl_vars_set_str(sub, "s", "b");
		tmpl_vars_set_str(sub, "name", "inner");  /* hides the outer name */
	}
	return vars;
}

/* {template, expected output}; NULL expected: render must fail (strict). */
static const struct { const char *tmpl, *want; } rows[] = {
	{ "plain <b>text</b> stays", "plain <b>text</b> stays" },
	{ "{{name}}", HOSTILE_ESC },
	{ "<a title='{{name}}' href=\"{{name}}\">", "<a title='" HOSTILE_ESC "' href=\"" HOSTILE_ESC "\">" },
	{ "{{ name }}", HOSTILE_ESC },
	{ "{{name|url}}", "%3C%22%27%26%3E" },
	{ "{{mailbox|url}}", "lists%2Fdev%20%3Cx%3E" },
	{ "{{nul}}", "a\xef\xbf\xbd" "b" },
	{ "{{nul|url}}", "a%00b" },
	{ "{{bad}}", "x\xef\xbf\xbd\xef\xbf\xbdy" },
	{ "{{html}}", "<b>bold</b> &amp;" },
	{ "{{zero}} {{neg}} {{big}} {{yes}} {{no}}", "0 -42 18446744073709551615 true false" },
	{ "{{big|url}}", "18446744073709551615" },
	{ "[{{empty}}]", "[]" },
	{ "{{?name}}y{{/name}}{{^name}}n{{/name}}", "y" },
	{ "{{?empty}}y{{/empty}}{{^empty}}n{{/empty}}", "n" },
	{ "{{?zero}}y{{/zero}}{{^zero}}n{{/zero}}", "n" },
	{ "{{?neg}}y{{/neg}}", "y" },
	{ "{{?yes}}y{{/yes}}{{?no}}n{{/no}}", "y" },
	{ "{{?absent}}y{{/absent}}{{^absent}}n{{/absent}}", "n" },
	{ "{{?none}}y{{/none}}{{^none}}n{{/none}}", "n" },
	{ "{{?items}}y{{/items}}", "y" },
	{ "{{?html}}{{html}}{{/html}}", "<b>bold</b> &amp;" },
	{ "{{#items}}[{{n}}:{{label}}]{{/items}}", "[1:" HOSTILE_ESC "][2:two]" },
	{ "{{#items}}{{#subs}}{{n}}{{s}}{{name}};{{/subs}}{{/items}}",
	  "1a" HOSTILE_ESC ";1binner;2a" HOSTILE_ESC ";2binner;" },
	{ "{{#none}}x{{/none}}{{#absent}}x{{/absent}}.", "." },
	{ "{{!a comment {with braces}}ok", "ok" },
	{ "{{! line one\nline two }}ok", "ok" },
	{ "{{>part.html}}", "[" HOSTILE_ESC "]" },
	{ "{{#items}}{{>part.html}}{{/items}}", "[" HOSTILE_ESC "][two]" },
	{ "a { b } }} c", "a { b } }} c" },
	{ "{{absent}}", NULL },
	{ "{{absent|url}}", NULL },
	{ "{{items}}", NULL },
	{ "{{html|url}}", NULL },
	{ "{{#name}}x{{/name}}", NULL },
	{ "{{>loop.html}}", NULL },
};

static int render(const struct tmpl_set *set, const char *text,
                  struct tmpl_vars *vars, struct buf *out, struct buf *err,
                  struct buf *compile_err)
{
	struct tmpl_set *copy = (struct tmpl_set *)set;
	static int counter;
	char name[32];

	snprintf(name, sizeof(name), "row%d.html", counter++);
	if (tmpl_load(copy, name, text, strlen(text), compile_err))
		return -2;
	struct tmpl_out to = { out, 0, NULL, NULL };
	return tmpl_render(set, NULL, name, vars, &to, err);
}

static struct tmpl_set *base_set(void)
{
	struct tmpl_set *set = tmpl_set_new();
	struct buf err = BUF_INIT;
	const char *part = "[{{?label}}{{label}}{{/label}}{{^label}}{{name}}{{/label}}]";
	tmpl_load(set, "part.html", part, strlen(part), &err);
	tmpl_load(set, "loop.html", "{{>loop.html}}", 14, &err);
	tap_ok(err.len == 0, "partials compile %s", buf_cstr(&err));
	buf_release(&err);
	return set;
}

static void table(void)
{
	struct tmpl_set *set = base_set();
	struct tmpl_vars *vars = sample_vars();

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct buf out = BUF_INIT, err = BUF_INIT, cerr = BUF_INIT;
		int ret = render(set, rows[i].tmpl, vars, &out, &err, &cerr);

		if (ret == -2) {
			tap_ok(0, "row %zu compiles: %s", i, buf_cstr(&cerr));
		} else if (!rows[i].want) {
			tap_ok(ret == -1 && err.len, "row %zu fails in a strict set: %s", i, buf_cstr(&err));
		} else {
			tap_ok(ret == 0, "row %zu renders %s", i, buf_cstr(&err));
			tap_is_mem(buf_cstr(&out), out.len, rows[i].want, strlen(rows[i].want), "  output");
		}
		buf_release(&out);
		buf_release(&err);
		buf_release(&cerr);
	}

	/* The same rows in a lenient set: unknown names write nothing. */
	struct buf out = BUF_INIT, err = BUF_INIT;
	tmpl_set_strict(set, false);
	struct tmpl_out to = { &out, 0, NULL, NULL };
	tmpl_load(set, "lenient.html", "[{{absent}}|{{items}}|{{html|url}}|{{#name}}x{{/name}}]", 55, &err);
	tap_ok(tmpl_render(set, NULL, "lenient.html", vars, &to, &err) == 0, "a lenient set renders unknown names");
	tap_is_str(buf_cstr(&out), "[|||]", "  as nothing");
	buf_reset(&err);
	tap_ok(tmpl_render(set, NULL, "loop.html", vars, &to, &err) == -1 &&
	       strstr(buf_cstr(&err), "partials nested deeper than 8"),
	       "a partial including itself stops at depth 8 even when lenient");
	buf_release(&out);
	buf_release(&err);
	tmpl_vars_free(vars);
	tmpl_set_free(set);
}

/* Trusted HTML is written as it is only because of its type. */
static void trusted(void)
{
	struct tmpl_set *set = tmpl_set_new();
	struct tmpl_vars *vars = tmpl_vars_new();
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct tmpl_out to = { &out, 0, NULL, NULL };
	const char *markup = "<p onclick=\"x\">Hi &amp; bye</p>";

	tmpl_load(set, "t.html", "{{plain}}|{{trusted}}", 21, &err);
	tmpl_vars_set_str(vars, "plain", markup);
	tmpl_vars_set_trusted_html(vars, "trusted", markup, strlen(markup));
	tap_ok(tmpl_render(set, NULL, "t.html", vars, &to, &err) == 0, "plain vs trusted renders");
	tap_is_str(buf_cstr(&out),
	           "&lt;p onclick=&quot;x&quot;&gt;Hi &amp;amp; bye&lt;/p&gt;|"
	           "<p onclick=\"x\">Hi &amp; bye</p>",
	           "  the same text escaped as a string, kept as trusted HTML");
	/* Replacing a trusted value by a string makes it escaped again. */
	tmpl_vars_set_str(vars, "trusted", "<i>");
	buf_reset(&out);
	tap_ok(tmpl_render(set, NULL, "t.html", vars, &to, &err) == 0, "  rendered again");
	tap_is_str(buf_cstr(&out), "&lt;p onclick=&quot;x&quot;&gt;Hi &amp;amp; bye&lt;/p&gt;|&lt;i&gt;",
	           "  a name set again takes the new type");
	buf_release(&out);
	buf_release(&err);
	tmpl_vars_free(vars);
	tmpl_set_free(set);
}

static void compile_errors(void)
{
	static const struct { const char *tmpl; size_t len; const char *error; } errors[] = {
		{ "a\n{{name", 0, "e.html:2: unclosed tag" },
		{ "{{#a}}\n\n{{/b}}", 0, "e.html:3: '{{/b}}' closes 'a' opened at line 1" },
		{ "x\n{{/a}}", 0, "e.html:2: '{{/a}}' closes nothing" },
		{ "\n\n{{?a}}\n", 0, "e.html:3: section 'a' is never closed" },
		{ "{{#a}}{{^b}}\n{{/b}}", 0, "e.html:1: section 'a' is never closed" },
		{ "\n{{name|raw}}", 0, "e.html:2: unknown filter 'raw'" },
		{ "{{name|url|url}}", 0, "e.html:1: unknown filter 'url|url'" },
		{ "{{name|}}", 0, "e.html:1: unknown filter ''" },
		{ "\n\n\n{{{name}}}", 0, "e.html:4: raw output tags do not exist; trusted HTML is a value type" },
		{ "{{&name}}", 0, "e.html:1: raw output tags do not exist; trusted HTML is a value type" },
		{ "{{}}", 0, "e.html:1: bad tag '{{}}'" },
		{ "{{#}}", 0, "e.html:1: bad tag '{{#}}'" },
		{ "{{a b}}", 0, "e.html:1: bad tag '{{a b}}'" },
		{ "{{<script>}}", 0, "e.html:1: bad tag '{{<script>}}'" },
		{ "{{na\nme}}", 0, "e.html:1: line break inside a tag" },
		{ "ok\n\nx\0y", 8, "e.html:3: NUL byte" },
	};
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		struct tmpl_set *set = tmpl_set_new();
		struct buf err = BUF_INIT;
		size_t len = errors[i].len ? errors[i].len : strlen(errors[i].tmpl);
		tap_ok(tmpl_load(set, "e.html", errors[i].tmpl, len, &err) == -1, "compile error row %zu", i);
		tap_is_str(buf_cstr(&err), errors[i].error, "  message with line");
		tap_ok(!tmpl_exists(set, "e.html"), "  nothing loaded");
		buf_release(&err);
		tmpl_set_free(set);
	}

	/* Deep nesting, a missing partial, a stylesheet that could end <style>. */
	struct tmpl_set *set = tmpl_set_new();
	struct buf deep = BUF_INIT, err = BUF_INIT;
	for (int i = 0; i < TMPL_MAX_NESTING + 1; i++)
		buf_addstr(&deep, "{{?a}}");
	tap_ok(tmpl_load(set, "deep.html", deep.p, deep.len, &err) == -1 &&
	       strcmp(buf_cstr(&err), "deep.html:1: sections nested deeper than 32") == 0,
	       "33 nested sections are refused");
	buf_reset(&err);
	tmpl_load(set, "p.html", "x\n{{>nope.html}}\n{{>content}}", 29, &err);
	tap_ok(tmpl_check(set, &err) == -1, "a partial naming no template fails the check");
	tap_is_str(buf_cstr(&err), "p.html:2: no template 'nope.html'", "  with its line");
	buf_reset(&err);
	tap_ok(tmpl_load(set, "style.css", "a{}\n</style><script>", 20, &err) == -1, "\"</\" in a stylesheet is refused");
	tap_is_str(buf_cstr(&err), "style.css:2: \"</\" in a literal file", "  with its line");
	buf_reset(&err);
	tap_ok(tmpl_load(set, "p.html", "", 0, &err) == -1, "a name loaded twice is refused");
	buf_release(&deep);
	buf_release(&err);
	tmpl_set_free(set);
}

struct collect {
	struct buf all;
	size_t calls, longest;
	size_t fail_after;   /* 0: never fail */
};

static int collect_write(void *ctx, const char *data, size_t len)
{
	struct collect *c = ctx;

	if (c->fail_after && c->calls >= c->fail_after)
		return -1;
	c->calls++;
	if (len > c->longest)
		c->longest = len;
	buf_add(&c->all, data, len);
	return 0;
}

static void writers(void)
{
	struct tmpl_set *set = base_set();
	struct tmpl_vars *vars = sample_vars();
	struct buf whole = BUF_INIT, small = BUF_INIT, err = BUF_INIT;
	const char *text = "{{#items}}<li>{{label}} {{nul}} {{html}} {{mailbox|url}}{{>part.html}}</li>\n{{/items}}";
	struct tmpl_out to_buf = { &whole, 0, NULL, NULL };
	struct collect c = { BUF_INIT, 0, 0, 0 };
	struct tmpl_out to_one = { &small, 1, collect_write, &c };

	tmpl_load(set, "w.html", text, strlen(text), &err);
	tap_ok(tmpl_render(set, NULL, "w.html", vars, &to_buf, &err) == 0, "render into a buffer");
	tap_ok(tmpl_render(set, NULL, "w.html", vars, &to_one, &err) == 0, "render through a one-byte writer");
	tap_is_mem(c.all.p, c.all.len, whole.p, whole.len, "  the same bytes");
	tap_ok(c.longest == 1 && c.calls == whole.len && small.len == 0,
	       "  %zu writes of one byte each, nothing left behind", c.calls);

	struct collect fail = { BUF_INIT, 0, 0, 5 };
	struct tmpl_out to_fail = { &small, 1, collect_write, &fail };
	buf_reset(&err);
	tap_ok(tmpl_render(set, NULL, "w.html", vars, &to_fail, &err) == -1 &&
	       fail.all.len == 5, "a failing writer stops the rendering (%zu bytes out)", fail.all.len);

	struct collect big = { BUF_INIT, 0, 0, 0 };
	struct tmpl_out to_big = { &small, 4096, collect_write, &big };
	buf_reset(&small);
	tap_ok(tmpl_render(set, NULL, "w.html", vars, &to_big, &err) == 0 &&
	       big.calls == 1 && big.all.len == whole.len,
	       "a large writer buffer writes once at the end");

	buf_release(&c.all);
	buf_release(&fail.all);
	buf_release(&big.all);
	buf_release(&whole);
	buf_release(&small);
	buf_release(&err);
	tmpl_vars_free(vars);
	tmpl_set_free(set);
}

/* The shipped templates: they load, every page renders in the layout with
 * hostile values, and the CSP hash matches the inline stylesheet. */
static void shipped(void)
{
	const char *top = getenv("IMAPEEK_TOP");
	struct tmpl_set *set = tmpl_set_new();
	struct buf dir = BUF_INIT, err = BUF_INIT;
	static const char *const pages[] = { "error.html", "mailboxes.html", "index.html",
	                                     "message.html", "threads.html" };

	buf_addf(&dir, "%s/templates", top ? top : ".");
	if (!tap_ok(tmpl_load_dir(set, dir.p, &err) == 0, "templates/ loads: %s", buf_cstr(&err)))
		goto out;
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		struct tmpl_vars *vars = tmpl_vars_new(), *item;
		struct buf out = BUF_INIT;
		struct tmpl_out to = { &out, 0, NULL, NULL };
		const char *names[] = { "title", "site_title", "root_url", "status", "reason",
		                        "message", "mailbox", "search_url", "query",
		                        "raw_url", "thread_url", "index_url", "text",
		                        "prev", "next", "threads_url", "subject" };

		for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			tmpl_vars_set_str(vars, names[k], HOSTILE);
		tmpl_vars_set_int(vars, "total", 3);
		tmpl_vars_set_int(vars, "page", 1);
		tmpl_vars_set_int(vars, "pages", 1);
		item = tmpl_vars_add_item(vars, "crumbs");
		tmpl_vars_set_str(item, "name", HOSTILE);
		tmpl_vars_set_str(item, "url", HOSTILE);
		item = tmpl_vars_add_item(vars, "crumbs");
		tmpl_vars_set_str(item, "name", HOSTILE);
		tmpl_vars_set_str(item, "url", "");
		const char *lists[] = { "mailboxes", "messages", "headers", "parts" };
		for (size_t k = 0; k < 4; k++) {
			item = tmpl_vars_add_item(vars, lists[k]);
			const char *fields[] = { "name", "url", "date", "datetime", "from",
			                         "subject", "value", "section", "type", "filename",
			                         "description" };
			for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
				tmpl_vars_set_str(item, fields[f], HOSTILE);
			tmpl_vars_set_int(item, "messages", 1);
			tmpl_vars_set_int(item, "size", 1);
		}
		buf_reset(&err);
		if (tap_ok(tmpl_render(set, "layout.html", pages[i], vars, &to, &err) == 0,
		           "%s renders in the layout %s", pages[i], buf_cstr(&err))) {
			const char *s = buf_cstr(&out);
			/*
			 * A comment ends at the first "}}": one that holds "}}" early
			 * leaves its tail, and the real end, on the page (the
			 * stylesheet has its own "}}").
			 */
			const char *body = strstr(s, "</style>");
			tap_ok(!strstr(s, HOSTILE) && !strstr(s, "{{") && body && !strstr(body, "}}") &&
			       strstr(s, HOSTILE_ESC) && strncmp(s, "<!doctype html>", 15) == 0 &&
			       strstr(s, "</html>"), "  escaped, no tag or comment left, a whole document");
			const char *css = strstr(s, "<style>"), *end = strstr(s, "</style>");
			unsigned char digest[SHA256_LEN];
			struct buf want = BUF_INIT;
			if (css && end) {
				css += 7;
				sha256(css, (size_t)(end - css), digest);
				buf_addstr(&want, "style-src 'sha256-");
				sha256_base64(&want, digest, sizeof(digest));
			}
			tap_ok(css && end && strstr(tmpl_csp(set), buf_cstr(&want)) &&
			       strstr(tmpl_csp(set), "default-src 'none'") &&
			       !strstr(tmpl_csp(set), "script") && !strstr(tmpl_csp(set), "unsafe"),
			       "  the CSP allows exactly the inline stylesheet: %s", tmpl_csp(set));
			buf_release(&want);
		}
		buf_release(&out);
		tmpl_vars_free(vars);
	}
out:
	buf_release(&dir);
	buf_release(&err);
	tmpl_set_free(set);
}

int main(void)
{
	table();
	trusted();
	compile_errors();
	writers();
	shipped();
	return tap_done();
}
