/*
 * RFC 3676 format=flowed text to plain text: soft-broken lines of a
 * paragraph joined, space-stuffing removed, quote depth kept.
 */
#ifndef IMAPEEK_FLOWED_H
#define IMAPEEK_FLOWED_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/*
 * Append the unflowed text of in (UTF-8, lines ending in CRLF or LF) to
 * out, with "\n" line ends and each quoted paragraph prefixed by one ">"
 * per level and a space.  delsp: the DelSp=yes parameter.  The output is
 * valid UTF-8 whatever the input.
 */
void flowed_decode(struct buf *out, const char *in, size_t len, bool delsp);

#endif
