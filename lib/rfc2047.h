/*
 * RFC 2047 encoded words in header values, decoded to UTF-8, with the
 * forms real mail uses (see VIOLATIONS in rfc2047.c).
 */
#ifndef IMAPEEK_RFC2047_H
#define IMAPEEK_RFC2047_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Decoded header values longer than this are cut (at a character). */
#define RFC2047_OUTPUT_MAX (256 * 1024)

/*
 * Append the decoded, unfolded value of a header (the part after
 * "Name:") to out as valid UTF-8 without NUL.  Raw 8-bit text is kept when
 * it is UTF-8 (RFC 6532) and read as windows-1252 otherwise.
 */
void rfc2047_decode(struct buf *out, const char *in, size_t len);

/*
 * Whether rfc2047_decode would append the value as it is: ASCII without
 * NUL, CR, LF or "=?", and not too long.  Most header values are, and a
 * summary has a dozen of them.
 */
bool rfc2047_plain(const char *in, size_t len);

/* The same, as a new string the caller frees. */
char *rfc2047_decode_str(const char *in, size_t len);

#endif
