/*
 * SHA-256 (FIPS 180-4), for the Content-Security-Policy hash of the inline
 * stylesheet.  Not for secrets: nothing here needs constant time.
 */
#ifndef IMAPEEK_SHA256_H
#define IMAPEEK_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define SHA256_LEN 32

void sha256(const void *data, size_t len, unsigned char digest[SHA256_LEN]);
/* Append data as standard base64 (RFC 4648, with padding) to out. */
void sha256_base64(struct buf *out, const unsigned char *data, size_t len);

#endif
