/*
 * RFC 2045 content transfer encodings: base64 and quoted-printable
 * decoders that accept what real mail contains, and the
 * Content-Transfer-Encoding name lookup.
 *
 * Both decoders stream: a state struct is fed the input in chunks of any
 * size, so a 50 MB attachment never has to be held whole; the output of
 * any chunking equals the output of one whole feed.  Both are total: any
 * input decodes to some output in linear time.
 */
#ifndef IMAPEEK_RFC2045_H
#define IMAPEEK_RFC2045_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum rfc2045_cte {
	RFC2045_CTE_7BIT,
	RFC2045_CTE_8BIT,
	RFC2045_CTE_BINARY,
	RFC2045_CTE_BASE64,
	RFC2045_CTE_QP,
	/* x-uuencode and anything else: shown undecoded (RFC 2049 says treat
	 * as application/octet-stream); see VIOLATIONS. */
	RFC2045_CTE_UNKNOWN,
	RFC2045_CTE__MAX
};

/* An absent or empty header value is 7bit (RFC 2045 6.1). */
enum rfc2045_cte rfc2045_cte_lookup(struct str value);
const char *rfc2045_cte_name(enum rfc2045_cte cte);

struct rfc2045_b64 {
	uint32_t bits;   /* up to three sextets not yet written */
	unsigned count;  /* sextets in bits */
};

void rfc2045_b64_init(struct rfc2045_b64 *st);
void rfc2045_b64_feed(struct rfc2045_b64 *st, struct buf *out, const char *in, size_t len);
void rfc2045_b64_finish(struct rfc2045_b64 *st, struct buf *out);
void rfc2045_b64_decode(struct buf *out, const char *in, size_t len);

/* A line longer than this is decoded in pieces (RFC 2045 allows 76). */
#define RFC2045_QP_LINE_MAX 4096

struct rfc2045_qp {
	struct buf line;  /* the current line, not yet complete */
};

void rfc2045_qp_init(struct rfc2045_qp *st);
void rfc2045_qp_feed(struct rfc2045_qp *st, struct buf *out, const char *in, size_t len);
/* Decodes what is left and releases the state. */
void rfc2045_qp_finish(struct rfc2045_qp *st, struct buf *out);
void rfc2045_qp_decode(struct buf *out, const char *in, size_t len);

/* Decode in with the given encoding (7bit, 8bit, binary, unknown: copied). */
void rfc2045_decode(enum rfc2045_cte cte, struct buf *out, const char *in, size_t len);

#endif
