/*
 * Modified UTF-7 (RFC 3501 5.1.3), the encoding of IMAP mailbox names
 * when UTF8=ACCEPT is not enabled.
 *
 * Both directions are strict, so that a name has exactly one encoding and
 * a round trip is the identity: decoding rejects bad base64, non-zero or
 * too many leftover bits, encoded characters that must be sent directly
 * (printable ASCII), an unclosed "&", unpaired surrogates, U+0000 and
 * bytes outside printable ASCII; encoding rejects invalid UTF-8 (overlong
 * forms, surrogates, beyond U+10FFFF) and NUL.
 */
#ifndef IMAPEEK_IMAP_UTF7_H
#define IMAPEEK_IMAP_UTF7_H

#include "buf.h"

/* mUTF-7 -> UTF-8, appended to out.  0, or -1 with out unchanged. */
int imap_utf7_decode(struct str in, struct buf *out);
/* UTF-8 -> mUTF-7, appended to out.  0, or -1 with out unchanged. */
int imap_utf7_encode(struct str in, struct buf *out);

#endif
