/*
 * A search hit's snippet: a message's start as one short line of valid
 * UTF-8 (whitespace runs become one space, control characters and bad
 * bytes are dropped, cut at a word near SNIPPET_MAX bytes with an
 * ellipsis).  The start of a part as it is stored may open with a MIME
 * boundary and part headers, and may be base64: such lines are skipped,
 * and a snippet that is only encoded text is left empty.
 */
#ifndef IMAPEEK_SNIPPET_H
#define IMAPEEK_SNIPPET_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define SNIPPET_MAX 200

/* hide_domains: an address's domain becomes "…" (obfuscate = yes). */
void snippet_make(struct buf *out, const char *raw, size_t len, bool hide_domains);

#endif
