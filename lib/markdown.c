#include "markdown.h"

#include <cmark.h>
#include <stdio.h>
#include <stdlib.h>

#include "html_trusted.h"

void markdown_to_html(const char *text, size_t len, struct buf *html)
{
	char *rendered;

	if (len > MARKDOWN_MAX)
		len = MARKDOWN_MAX;
	rendered = cmark_markdown_to_html(text, len,
	                                  CMARK_OPT_SAFE | CMARK_OPT_VALIDATE_UTF8);
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

int markdown_read_file(const char *path, struct buf *text)
{
	struct buf err = BUF_INIT;
	int rc = buf_read_file(text, path, MARKDOWN_MAX, &err);

	buf_release(&err);
	return rc;
}
