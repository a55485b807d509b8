#include "mailtext.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "html.h"
#include "html_trusted.h"
#include "markdown.h"

static bool is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/*
 * RFC 5322 atext plus ".": what the local part of an address may hold;
 * and UTF-8 (RFC 6531), so that "jörg@" is an address too.
 */
static bool is_local_char(unsigned char c)
{
	return is_alnum(c) || c >= 0x80 || (c && strchr(".!#$%&'*+/=?^_`{|}~-", c));
}

static bool is_domain_char(unsigned char c)
{
	return is_alnum(c) || c == '.' || c == '-';
}

/*
 * Text with the domain of every address hidden, each piece between them
 * handed to add (escaped for HTML, or as it is).  An address is a local
 * part (RFC 5322 atext and ".") right before an "@" and a domain with a
 * letter or digit right after it; its domain becomes "…", as the headers
 * show it.
 */
static void hide_addresses(struct buf *out, const char *text, size_t len,
                           void (*add)(struct buf *out, const char *text,
                                       size_t len))
{
	size_t done = 0;

	for (size_t at = 0; at < len; at++) {
		size_t local = at, end = at + 1;
		bool named = false;
		if (text[at] != '@')
			continue;
		while (local > done && is_local_char((unsigned char)text[local - 1]))
			local--;
		while (end < len && is_domain_char((unsigned char)text[end])) {
			named |= is_alnum((unsigned char)text[end]);
			end++;
		}
		while (end > at + 1 && text[end - 1] == '.')
			end--;
		if (local == at || !named)
			continue;
		add(out, text + done, at - done);
		buf_addstr(out, "@\xe2\x80\xa6");  /* "@…" */
		done = end;
		at = end - 1;
	}
	add(out, text + done, len - done);
}

static void add_text(struct buf *out, const char *text, size_t len)
{
	buf_add(out, text, len);
}

void mailtext_hide_addresses(struct buf *out, const char *text, size_t len)
{
	hide_addresses(out, text, len, add_text);
}

/* Text without URLs: escaped, addresses obfuscated when asked. */
static void plain_segment(struct buf *html, const char *text, size_t len,
                          const struct mailtext_opts *opts)
{
	if (opts->obfuscate)
		hide_addresses(html, text, len, html_escape);
	else
		html_escape(html, text, len);
}

static const char *const url_schemes[] = { "http://", "https://", "mailto:" };

/* Length of the URL starting at text (0 when none starts there). */
static size_t url_length(const char *text, size_t len, bool *mailto)
{
	size_t end = 0, open = 0, close = 0, scheme = 0;

	for (size_t i = 0; i < sizeof(url_schemes) / sizeof(url_schemes[0]); i++) {
		size_t n = strlen(url_schemes[i]);
		if (len > n && !strncasecmp(text, url_schemes[i], n)) {
			scheme = n;
			*mailto = i == 2;
			break;
		}
	}
	if (!scheme)
		return 0;
	/* ASCII only: a URL in mail text ends at a blank, quote or bracket. */
	while (end < len) {
		unsigned char c = (unsigned char)text[end];
		if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '"' ||
		    c == '`' || c == '{' || c == '}' || c == '|' || c == '\\')
			break;
		open += c == '(';
		close += c == ')';
		end++;
	}
	/* Trailing punctuation belongs to the sentence, not the URL. */
	while (end > scheme) {
		char c = text[end - 1];
		if (c == ')' && close > open) {
			close--;
		} else if (!strchr(".,;:!?'*", c)) {
			break;
		}
		end--;
	}
	return end > scheme ? end : 0;
}

static void line_to_html(struct buf *html, const char *line, size_t len,
                         const struct mailtext_opts *opts)
{
	size_t done = 0;

	for (size_t i = 0; i < len; i++) {
		bool mailto = false;
		size_t n;
		/* The letter first: most bytes are not where a link starts. */
		if (line[i] != 'h' && line[i] != 'H' && line[i] != 'm' && line[i] != 'M')
			continue;
		if (i && is_alnum((unsigned char)line[i - 1]))
			continue;
		n = url_length(line + i, len - i, &mailto);
		/* A link would carry the address whole: left as text. */
		if (!n || (opts->obfuscate && (mailto || memchr(line + i, '@', n))))
			continue;
		plain_segment(html, line + done, i - done, opts);
		buf_addstr(html, "<a href=\"");
		html_escape(html, line + i, n);
		buf_addstr(html, "\" rel=\"nofollow noopener\">");
		html_escape(html, line + i, n);
		buf_addstr(html, "</a>");
		done = i + n;
		i = done - 1;
	}
	plain_segment(html, line + done, len - done, opts);
}

/* Quote depth of a line (">", "> >", ">>"), and where its text starts. */
static unsigned quote_depth(const char *line, size_t len, size_t *start)
{
	unsigned depth = 0;
	size_t pos = 0;

	for (;;) {
		if (pos < len && line[pos] == '>') {
			depth++, pos++;
		} else if (depth && pos + 1 < len && line[pos] == ' ' &&
		           line[pos + 1] == '>') {
			pos++;
		} else {
			break;
		}
	}
	if (depth && pos < len && line[pos] == ' ')
		pos++;
	*start = pos;
	return depth > MAILTEXT_MAX_DEPTH ? MAILTEXT_MAX_DEPTH : depth;
}

static size_t line_end(const char *text, size_t len, size_t pos)
{
	const char *nl = memchr(text + pos, '\n', len - pos);
	return nl ? (size_t)(nl - text) : len;
}

/* Lines from pos on that are quoted (depth > 0), up to the first that is not. */
static size_t quoted_run(const char *text, size_t len, size_t pos)
{
	size_t lines = 0, start;

	while (pos < len) {
		size_t end = line_end(text, len, pos);
		if (!quote_depth(text + pos, end - pos, &start))
			break;
		lines++;
		pos = end + 1;
	}
	return lines;
}

/*
 * Each run of lines at one quote depth is a <pre>: every browser, text
 * browsers included, shows it line by line (a patch stays a patch); the
 * quotes around it are <blockquote>s (a <pre> cannot hold them), a long
 * quote folded in <details>.
 */
void mailtext_to_html(struct buf *html, const char *text, size_t len,
                      const struct mailtext_opts *opts)
{
	unsigned depth = 0;
	bool folded = false, in_pre = false;
	size_t pos = 0;

	/* The last "\n" ends the last line; it does not start another. */
	if (len && text[len - 1] == '\n')
		len--;
	buf_addstr(html, "<div class=\"text\">");
	while (pos <= len) {
		size_t end = line_end(text, len, pos), start;
		unsigned want = quote_depth(text + pos, end - pos, &start);
		bool fold = !depth && want && !folded &&
		            quoted_run(text, len, pos) > MAILTEXT_FOLD_LINES;
		if (in_pre && (want != depth || fold || (!want && folded))) {
			buf_addstr(html, "</pre>");
			in_pre = false;
		}
		while (depth > want) {
			buf_addstr(html, "</blockquote>");
			depth--;
		}
		if (!want && folded) {
			buf_addstr(html, "</details>");
			folded = false;
		}
		if (fold) {
			buf_addf(html, "<details class=\"quote\"><summary>%zu quoted lines</summary>",
			         quoted_run(text, len, pos));
			folded = true;
		}
		while (depth < want) {
			buf_addstr(html, "<blockquote>");
			depth++;
		}
		if (in_pre) {
			buf_addch(html, '\n');
		} else {
			/* A newline just after <pre> is dropped by HTML parsers:
			 * a first line that is empty needs one more. */
			buf_addstr(html, end - pos == start ? "<pre>\n" : "<pre>");
			in_pre = true;
		}
		line_to_html(html, text + pos + start, end - pos - start, opts);
		pos = end + 1;
	}
	if (in_pre)
		buf_addstr(html, "</pre>");
	while (depth--)
		buf_addstr(html, "</blockquote>");
	if (folded)
		buf_addstr(html, "</details>");
	buf_addstr(html, "</div>");
}

/* ---- a message's body as one document ------------------------------- */

void mailtext_doc_init(struct mailtext_doc *doc, const struct mailtext_opts *opts)
{
	memset(doc, 0, sizeof(*doc));
	buf_init(&doc->html);
	if (opts)
		doc->opts = *opts;
}

void mailtext_doc_release(struct mailtext_doc *doc)
{
	for (size_t i = 0; i < doc->nopen; i++)
		free(doc->open[i]);
	doc->nopen = 0;
	buf_release(&doc->html);
}

/* Whether section lies inside the embedded message at outer ("2" holds "2.1"). */
static bool contains(const char *outer, const char *section)
{
	size_t n = strlen(outer);
	return !strncmp(outer, section, n) && section[n] == '.';
}

void mailtext_doc_enter(struct mailtext_doc *doc, const char *section)
{
	while (doc->nopen && !contains(doc->open[doc->nopen - 1], section)) {
		free(doc->open[--doc->nopen]);
		buf_addstr(&doc->html, "</section>");
	}
}

void mailtext_doc_message(struct mailtext_doc *doc, const char *section,
                          const char *const *names, const char *const *values,
                          size_t n)
{
	mailtext_doc_enter(doc, section);
	buf_addstr(&doc->html, "<section class=\"embedded\"><dl class=\"headers\">");
	for (size_t i = 0; i < n; i++) {
		buf_addstr(&doc->html, "<dt>");
		html_escape_str(&doc->html, names[i]);
		buf_addstr(&doc->html, "</dt><dd>");
		html_escape_str(&doc->html, values[i]);
		buf_addstr(&doc->html, "</dd>");
	}
	buf_addstr(&doc->html, "</dl>");
	/* Deeper than that, the headers show but the nesting stops. */
	if (doc->nopen < MAILTEXT_MAX_DEPTH)
		doc->open[doc->nopen++] = xstrdup(section);
	else
		buf_addstr(&doc->html, "</section>");
}

void mailtext_doc_text(struct mailtext_doc *doc, const char *text, size_t len)
{
	mailtext_to_html(&doc->html, text, len, &doc->opts);
}

void mailtext_doc_markdown(struct mailtext_doc *doc, const char *text, size_t len)
{
	buf_addstr(&doc->html, "<div class=\"markdown\">");
	markdown_to_html(text, len, &doc->html);
	buf_addstr(&doc->html, "</div>");
}

void mailtext_doc_note(struct mailtext_doc *doc, const char *note)
{
	buf_addstr(&doc->html, "<p class=\"note\">");
	html_escape_str(&doc->html, note);
	buf_addstr(&doc->html, "</p>");
}

void mailtext_doc_set_var(struct mailtext_doc *doc, struct tmpl_vars *vars,
                          const char *name)
{
	mailtext_doc_enter(doc, "");
	tmpl_vars_set_trusted_html(vars, name, buf_cstr(&doc->html), doc->html.len);
}
