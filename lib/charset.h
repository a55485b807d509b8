/*
 * Conversion of mail text in any declared charset to UTF-8.
 *
 * Every function here is total: any bytes in, valid UTF-8 out.  A byte
 * sequence the charset cannot decode becomes one U+FFFD per bad sequence,
 * never silently dropped.  A missing, bogus or unknown charset is read as
 * UTF-8 when the bytes are valid UTF-8, and as windows-1252 otherwise,
 * which is what a careful mail reader does with archives (see VIOLATIONS).
 *
 * iconv_open is called once per conversion: it costs microseconds, and a
 * cache would be shared state between requests for no measurable gain.
 */
#ifndef IMAPEEK_CHARSET_H
#define IMAPEEK_CHARSET_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Longest charset label looked at; longer labels are bogus. */
#define CHARSET_NAME_MAX 64

/*
 * The iconv name for a MIME charset label ("ks_c_5601-1987" -> "CP949"),
 * written into name (CHARSET_NAME_MAX + 1 bytes).  Quotes, spaces and an
 * RFC 2231 "*language" suffix are removed.  Returns 0, or -1 when the label
 * is empty, malformed or names no charset we trust iconv with; name is then
 * "".  Special results: "UTF-8", "WINDOWS-1252" (our own table), "AUTO"
 * (unknown-8bit and friends: guess).
 */
int charset_canonical(const char *label, size_t len, char name[CHARSET_NAME_MAX + 1]);

/*
 * A label that may go into an HTTP Content-Type as it is: a token of
 * letters, digits and "._:-", shorter than 40 bytes.
 */
bool charset_label_is_token(const char *label);

/*
 * Whether iconv name (charset_canonical's) keeps ASCII bytes as ASCII:
 * not UTF-16, UTF-32, UCS-2/4 or UTF-7, whose bytes or '+' mean other
 * things.  "AUTO" (a guess) is not a charset and is not compatible.
 */
bool charset_ascii_compatible(const char *name);

/*
 * Append in, read as charset label (NULL or "" = not declared), to out as
 * UTF-8.  Returns 0 when the label was known and every byte decoded, -1
 * when a fallback or U+FFFD was needed (out is filled either way).
 */
int charset_to_utf8(struct buf *out, const char *label, const char *in, size_t len);

/* Undeclared text: UTF-8 if valid, else windows-1252. */
void charset_guess_to_utf8(struct buf *out, const char *in, size_t len);

/* windows-1252 (also used for latin1 / iso-8859-1, as browsers do). */
void charset_cp1252_to_utf8(struct buf *out, const char *in, size_t len);

/*
 * Append in to out as valid UTF-8: every ill-formed sequence (stray
 * continuation, truncated sequence, overlong form, surrogate, beyond
 * U+10FFFF) becomes one U+FFFD per maximal ill-formed subpart (Unicode
 * 3.9, "substitution of maximal subparts"); NUL becomes U+FFFD too, so the
 * result is also a safe C string.  Returns 0 if in was clean, -1 otherwise.
 */
int charset_utf8_sanitize(struct buf *out, const char *in, size_t len);

/* True when in is well-formed UTF-8 without NUL bytes. */
bool charset_utf8_valid(const char *in, size_t len);

/*
 * Length of the longest prefix of in (at most max bytes) that does not
 * end in the middle of a UTF-8 sequence: for truncating valid UTF-8.
 */
size_t charset_utf8_cut(const char *in, size_t len, size_t max);

#endif
