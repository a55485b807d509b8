/*
 * The template engine.
 *
 * Templates are the files of the templates folder: NAME.html files are
 * compiled, NAME.css files are literal text (never parsed: CSS is full of
 * braces).  A set is loaded and compiled once per process at start-up and
 * rendered many times; it is read-only while rendering, so threads may
 * share it.
 *
 * Syntax (a tag is "{{" ... "}}", blanks inside are ignored):
 *
 *   {{name}}              the value, HTML-escaped (text and quoted
 *                         attributes).  A trusted-HTML value (html_trusted.h)
 *                         is written as it is: that is decided by its type,
 *                         never by the template.  Numbers in decimal.
 *   {{name|url}}          the value percent-encoded as one URL path segment
 *                         (or query value), then HTML-escaped.  No other
 *                         filter exists, in particular no "raw" one.
 *   {{#list}}...{{/list}} repeated for each item of a list; an item's names
 *                         hide outer ones, outer names stay visible.
 *   {{?name}}...{{/name}} shown if name is present and true: a non-empty
 *                         string or trusted HTML, a non-zero number, true,
 *                         a non-empty list.
 *   {{^name}}...{{/name}} shown otherwise (absent, empty, 0, false).
 *   {{>file.html}}        another template of the set, rendered in the
 *                         current scope.  In a layout, {{>content}} is the
 *                         page being rendered (tmpl_render's page).
 *   {{!comment}}          nothing; ends at the first "}}".
 *
 * Names are letters, digits, "_", "-" and "."; a "." has no meaning.
 * Errors found when compiling (an unclosed tag or section, a close that
 * does not match, an unknown filter, "{{{" or "{{&" raw tags, a partial
 * that names no template of the set, a NUL byte, "</" in a stylesheet)
 * are reported as "FILE:LINE: message" by the load functions.
 *
 * Unknown names at render time: {{?}}, {{^}} and {{#}} treat an absent
 * name as empty (that is what they are for).  {{name}} of an absent name,
 * {{#name}} of something that is not a list, and {{name|url}} of trusted
 * HTML or a list are errors in a strict set (tmpl_render() returns -1 with
 * "FILE:LINE: message"), and write nothing in a lenient one.  Sets are
 * strict by default in test builds (IMAPEEK_TEST_BUILD), lenient
 * otherwise, so a typo fails the tests but never a reader's page.
 */
#ifndef IMAPEEK_TMPL_H
#define IMAPEEK_TMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"

#define TMPL_MAX_SIZE (1024 * 1024)  /* one template file */
#define TMPL_MAX_NESTING 32          /* sections inside sections */
#define TMPL_MAX_PARTIALS 8          /* partials inside partials */

struct tmpl_set;
struct tmpl_vars;

struct tmpl_set *tmpl_set_new(void);
void tmpl_set_free(struct tmpl_set *set);
void tmpl_set_strict(struct tmpl_set *set, bool strict);

/* Compile text as template name ("index.html", "style.css"). */
int tmpl_load(struct tmpl_set *set, const char *name, const char *text,
              size_t len, struct buf *err);
/* Every *.html and *.css of dir, then tmpl_check(). */
int tmpl_load_dir(struct tmpl_set *set, const char *dir, struct buf *err);
/* Every partial names a template of the set (or is "content"). */
int tmpl_check(const struct tmpl_set *set, struct buf *err);
bool tmpl_exists(const struct tmpl_set *set, const char *name);

/*
 * The Content-Security-Policy for pages of this set: no scripts, no
 * frames, images from the gateway or data: URLs, and as the only style
 * the inline stylesheet "style.css" (by its SHA-256 hash), which the
 * layout includes as <style>{{>style.css}}</style>.  Computed at load.
 */
const char *tmpl_csp(const struct tmpl_set *set);

/*
 * For validators (cache.h): every template's name and text, appended to
 * out; and the latest modification time of the files tmpl_load_dir read
 * (0 when none).
 */
void tmpl_fingerprint(const struct tmpl_set *set, struct buf *out);
time_t tmpl_newest(const struct tmpl_set *set);

/*
 * Where rendered bytes go.  They collect in buf; with a write callback,
 * whenever buf holds flush_at bytes or more they are handed to write in
 * pieces of at most flush_at bytes (so flush_at = 1 makes a one-byte
 * writer), and the rest at the end of tmpl_render().  A write that fails
 * (-1) stops the rendering.
 */
struct tmpl_out {
	struct buf *buf;
	size_t flush_at;
	int (*write)(void *ctx, const char *data, size_t len);
	void *ctx;
};

/*
 * Render page (with layout NULL), or layout with {{>content}} standing
 * for page.  0, or -1 with "FILE:LINE: message" in err (strict-mode
 * errors, a failed write, partials nested deeper than TMPL_MAX_PARTIALS).
 */
int tmpl_render(const struct tmpl_set *set, const char *layout,
                const char *page, const struct tmpl_vars *vars,
                struct tmpl_out *out, struct buf *err) MUST_CHECK;

/*
 * The data: names bound to a string, a number, a boolean, trusted HTML
 * (html_trusted.h) or a list of further vars.  Vars own copies of what
 * they are given; freeing the top frees everything.  Setting a name again
 * replaces its value.
 */
struct tmpl_vars *tmpl_vars_new(void);
void tmpl_vars_free(struct tmpl_vars *vars);
void tmpl_vars_set_str(struct tmpl_vars *vars, const char *name,
                       const char *value);
void tmpl_vars_set_strn(struct tmpl_vars *vars, const char *name,
                        const char *value, size_t len);
void tmpl_vars_set_int(struct tmpl_vars *vars, const char *name,
                       int64_t value);
void tmpl_vars_set_uint(struct tmpl_vars *vars, const char *name,
                        uint64_t value);
void tmpl_vars_set_bool(struct tmpl_vars *vars, const char *name, bool value);
/* An URL built by html_url_build(): 0, or -1 and nothing set. */
struct html_url;
int tmpl_vars_set_url(struct tmpl_vars *vars, const char *name,
                      const struct html_url *url);
/* Make name an empty list (so {{#name}} is valid with no items). */
void tmpl_vars_set_list(struct tmpl_vars *vars, const char *name);
/* Append a new item to list name (made if needed); owned by vars. */
struct tmpl_vars *tmpl_vars_add_item(struct tmpl_vars *vars, const char *name);

#endif
