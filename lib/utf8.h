/* UTF-8 decoding shared by the escapers, the JSON writer and charsets. */
#ifndef IMAPEEK_UTF8_H
#define IMAPEEK_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decode one UTF-8 character at s (len > 0).  Returns the bytes it spans
 * (at least 1) and sets *cp, or sets *cp to -1 for an invalid sequence, in
 * which case the return value is the length of its maximal invalid prefix
 * (Unicode's "maximal subpart": one U+FFFD per such prefix).  Overlong
 * forms, surrogates and values above U+10FFFF are invalid.
 */
size_t utf8_next(const char *s, size_t len, int32_t *cp);
bool utf8_valid(const char *s, size_t len);

#endif
