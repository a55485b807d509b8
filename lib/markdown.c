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
	char chunk[8192];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 &&
	       text->len < MARKDOWN_MAX)
		buf_add(text, chunk, n);
	fclose(f);
	return 0;
}
