/*
 * gzip (RFC 1952, zlib's deflate) as a writer around a response: the page
 * writes to gzip->resp as to any response; status and headers go to the
 * inner response with Content-Encoding: gzip, and the body is compressed
 * on the way.  For exports and feeds, which are large and compress well.
 */
#ifndef IMAPEEK_GZIP_H
#define IMAPEEK_GZIP_H

#include <stdbool.h>
#include <zlib.h>

#include "req.h"

struct gzip_resp {
	struct resp resp;      /* what the page writes to */
	/* private */
	struct resp *inner;
	z_stream stream;
	bool ready;
};

void gzip_resp_init(struct gzip_resp *gzip, struct resp *inner);
/*
 * Flush the last compressed bytes and release; the inner one stays open.
 * -1 when the stream is not whole, and the inner response is then
 * marked failed (req.h).
 */
int gzip_resp_finish(struct gzip_resp *gzip) MUST_CHECK;
/* Release before anything was written: the inner response is untouched. */
void gzip_resp_abandon(struct gzip_resp *gzip);

#endif
