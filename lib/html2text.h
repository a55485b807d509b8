/*
 * HTML mail as plain text, the way a text-mode browser shows it: visible
 * text only, block structure kept, links listed at the end.
 *
 * Uses libxml2's HTML parser.  xmlInitParser runs once per process
 * (pthread_once); after it libxml2's parser is safe to use from several
 * threads at once, and this module keeps no other state.
 */
#ifndef IMAPEEK_HTML2TEXT_H
#define IMAPEEK_HTML2TEXT_H

#include <stddef.h>

#include "buf.h"

/* Input beyond this is ignored; output stops near this size. */
#define HTML2TEXT_INPUT_MAX (16 * 1024 * 1024)
#define HTML2TEXT_OUTPUT_MAX (4 * 1024 * 1024)
#define HTML2TEXT_LINKS_MAX 500

/*
 * Append the text of html (already converted to UTF-8; a <meta charset>
 * in it is ignored) to out: valid UTF-8, "\n" line ends, then
 * "[N] URL" lines for the http, https and mailto links marked "[N]" in
 * the text.  Returns 0, or -1 when the input could not be parsed at all
 * (out then holds the input as sanitized text).
 */
int html2text(struct buf *out, const char *html, size_t len);

#endif
