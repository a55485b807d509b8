/*
 * Markdown to HTML with cmark in safe mode: raw HTML and dangerous URLs
 * (javascript:, vbscript:, file:, most data:) are dropped by cmark, so the
 * result may go into a page as trusted HTML.
 */
#ifndef IMAPEEK_MARKDOWN_H
#define IMAPEEK_MARKDOWN_H

#include <stddef.h>

#include "buf.h"

/* Largest Markdown text rendered; longer text is cut there. */
#define MARKDOWN_MAX (4 * 1024 * 1024)

void markdown_to_html(const char *text, size_t len, struct buf *html);
/* Set name in vars to the rendered Markdown (trusted HTML). */
struct tmpl_vars;
void markdown_set_var(struct tmpl_vars *vars, const char *name,
                      const char *text, size_t len);
/* Read a Markdown file (at most MARKDOWN_MAX bytes).  0, or -1 and why in err. */
int markdown_read_file(const char *path, struct buf *text, struct buf *err);

#endif
