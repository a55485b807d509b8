#include "markdown.h"

#include <cmark.h>
#include <stdio.h>
#include <stdlib.h>

#include "html_trusted.h"

/*
 * Headings go one level down (# is <h2>): Markdown is always inside a page
 * whose <h1> is its title (the site's front page, a message's subject).
 */
static void demote_headings(cmark_node *doc)
{
	cmark_iter *iter = cmark_iter_new(doc);
	cmark_event_type event;

	while ((event = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
		cmark_node *node = cmark_iter_get_node(iter);
		int level;
		if (event != CMARK_EVENT_ENTER ||
		    cmark_node_get_type(node) != CMARK_NODE_HEADING)
			continue;
		level = cmark_node_get_heading_level(node);
		if (level < 6)
			cmark_node_set_heading_level(node, level + 1);
	}
	cmark_iter_free(iter);
}

void markdown_to_html(const char *text, size_t len, struct buf *html)
{
	const int options = CMARK_OPT_SAFE | CMARK_OPT_VALIDATE_UTF8;
	cmark_node *doc;
	char *rendered;

	if (len > MARKDOWN_MAX)
		len = MARKDOWN_MAX;
	doc = cmark_parse_document(text, len, options);
	if (!doc)
		abort();
	demote_headings(doc);
	rendered = cmark_render_html(doc, options);
	cmark_node_free(doc);
	if (!rendered)
		abort();
	buf_addstr(html, rendered);
	free(rendered);
}

void markdown_set_var(struct tmpl_vars *vars, const char *name,
                      const char *text, size_t len)
{
	struct buf html = BUF_INIT;

	markdown_to_html(text, len, &html);
	tmpl_vars_set_trusted_html(vars, name, buf_cstr(&html), html.len);
	buf_release(&html);
}

int markdown_read_file(const char *path, struct buf *text, struct buf *err)
{
	return buf_read_file(text, path, MARKDOWN_MAX, err);
}
