/* UTF-8 checks shared by every module that takes text from outside. */
#ifndef IMAPEEK_UTF8_H
#define IMAPEEK_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Length of the valid UTF-8 sequence at p (1..4), or 0 if the bytes there
 * are not one (overlong, surrogate, above U+10FFFF, cut short).
 */
size_t utf8_sequence_length(const unsigned char *p, size_t avail,
                            uint32_t *codepoint);
bool utf8_valid(const char *p, size_t len);

#endif
