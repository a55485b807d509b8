/*
 * The mail-text renderer: the decoded UTF-8 text of a message as trusted
 * HTML for its page.  Everything from the mail is HTML-escaped first; the
 * only markup added is ours:
 *
 *   - quoted blocks (lines starting with ">", nested) in <blockquote>,
 *     a quoted run of more than MAILTEXT_FOLD_LINES lines folded in
 *     <details><summary> (no JavaScript);
 *   - http, https and mailto URLs as links with rel="nofollow noopener";
 *   - with obfuscate, the domain of every address in the text hidden
 *     ("user@…", as the headers show it), and mailto URLs and URLs
 *     holding an "@" left unlinked (their text is obfuscated).
 *
 * A message's body is built as a document (struct mailtext_doc): text
 * parts, Markdown parts (cmark, safe mode) and the headers of embedded
 * messages (message/rfc822), nested as the message nests them.
 */
#ifndef IMAPEEK_MAILTEXT_H
#define IMAPEEK_MAILTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define MAILTEXT_FOLD_LINES 10
/* Deepest nesting of quotes and embedded messages marked up. */
#define MAILTEXT_MAX_DEPTH 32

struct mailtext_opts {
	bool obfuscate;
};

/*
 * text with the domain of every address in it hidden ("user@…"), appended
 * to out as text: what obfuscate = yes shows of mail outside HTML too.
 */
void mailtext_hide_addresses(struct buf *out, const char *text, size_t len);

/* Text (UTF-8, "\n" line ends) as HTML, appended to html. */
void mailtext_to_html(struct buf *html, const char *text, size_t len,
                      const struct mailtext_opts *opts);

struct mailtext_doc {
	struct buf html;
	struct mailtext_opts opts;
	/* Sections of the embedded messages whose <section> is open. */
	char *open[MAILTEXT_MAX_DEPTH];
	size_t nopen;
};

void mailtext_doc_init(struct mailtext_doc *doc, const struct mailtext_opts *opts);
void mailtext_doc_release(struct mailtext_doc *doc);
/*
 * Start the part at section: embedded messages opened earlier that do not
 * contain it are closed first.  Call before each of the three below.
 */
void mailtext_doc_enter(struct mailtext_doc *doc, const char *section);
/* An embedded message's headers: names[i] = values[i], n rows. */
void mailtext_doc_message(struct mailtext_doc *doc, const char *section,
                          const char *const *names, const char *const *values,
                          size_t n);
void mailtext_doc_text(struct mailtext_doc *doc, const char *text, size_t len);
void mailtext_doc_markdown(struct mailtext_doc *doc, const char *text, size_t len);
/* A short note from us (an undecodable encoding, ...), escaped. */
void mailtext_doc_note(struct mailtext_doc *doc, const char *note);

/* Close what is open and set name in vars to the document (trusted HTML). */
struct tmpl_vars;
void mailtext_doc_set_var(struct mailtext_doc *doc, struct tmpl_vars *vars,
                          const char *name);

#endif
