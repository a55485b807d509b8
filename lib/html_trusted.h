/*
 * Trusted HTML: markup written to a page as it is, without escaping.
 *
 * ONLY these may include this header and call the function below:
 *   - the Markdown renderer (cmark in safe mode, the "about" page),
 *   - the mail-text renderer (text it escaped itself, then marked up),
 *   - the HTML-mail-to-text path (its output is escaped text).
 * Anything else puts a string into a template with tmpl_vars_set_str(),
 * which is escaped.  A review that finds another caller should reject it.
 */
#ifndef IMAPEEK_HTML_TRUSTED_H
#define IMAPEEK_HTML_TRUSTED_H

#include <stddef.h>

struct tmpl_vars;

void tmpl_vars_set_trusted_html(struct tmpl_vars *vars, const char *name,
                                const char *html, size_t len);

#endif
