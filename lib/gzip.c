/* A gzip-compressing response writer (see gzip.h). */
#include "gzip.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"

static int gzip_begin(void *ctx, int status, const struct resp_header *headers,
                      size_t nheaders)
{
	struct gzip_resp *gzip = ctx;

	resp_set_status(gzip->inner, status);
	for (size_t i = 0; i < nheaders; i++)
		if (strcasecmp(headers[i].name, "Content-Length"))
			resp_header(gzip->inner, headers[i].name, headers[i].value);
	/* An error page is short and must stay readable by anything. */
	if (status == 200)
		resp_header(gzip->inner, "Content-Encoding", "gzip");
	else
		gzip->ready = false;
	return resp_begin(gzip->inner);
}

static int deflate_out(struct gzip_resp *gzip, int flush)
{
	char chunk[16384];
	int rc;

	do {
		gzip->stream.next_out = (Bytef *)chunk;
		gzip->stream.avail_out = sizeof(chunk);
		rc = deflate(&gzip->stream, flush);
		if (rc == Z_STREAM_ERROR)
			return -1;
		size_t have = sizeof(chunk) - gzip->stream.avail_out;
		if (have && resp_write(gzip->inner, chunk, have) < 0)
			return -1;
	} while (gzip->stream.avail_out == 0 ||
	         (flush == Z_FINISH && rc != Z_STREAM_END));
	return 0;
}

static int gzip_write(void *ctx, const char *data, size_t len)
{
	struct gzip_resp *gzip = ctx;

	if (!gzip->ready)
		return resp_write(gzip->inner, data, len);
	while (len) {
		uInt piece = len > 1u << 30 ? 1u << 30 : (uInt)len;
		gzip->stream.next_in = (Bytef *)(uintptr_t)data;
		gzip->stream.avail_in = piece;
		if (deflate_out(gzip, Z_NO_FLUSH) < 0)
			return -1;
		data += piece;
		len -= piece;
	}
	return 0;
}

/* The client and the front end are the inner response's. */
static bool gzip_gone(void *ctx)
{
	struct gzip_resp *gzip = ctx;

	return resp_gone(gzip->inner);
}

static void gzip_abort(void *ctx)
{
	struct gzip_resp *gzip = ctx;

	resp_abort(gzip->inner);
}

static const struct resp_ops gzip_ops = {
	.begin = gzip_begin,
	.write = gzip_write,
	.gone = gzip_gone,
	.abort = gzip_abort,
};

void gzip_resp_init(struct gzip_resp *gzip, struct resp *inner)
{
	memset(gzip, 0, sizeof(*gzip));
	gzip->inner = inner;
	resp_init(&gzip->resp, &gzip_ops, gzip, inner->head_only);
	/* windowBits 15 + 16: a gzip header and trailer, not zlib's. */
	if (deflateInit2(&gzip->stream, 6, Z_DEFLATED, 15 + 16, 8,
	                 Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	gzip->ready = true;
}

int gzip_resp_finish(struct gzip_resp *gzip)
{
	int rc = resp_finish(&gzip->resp);

	if (rc == 0 && gzip->ready && !gzip->resp.head_only) {
		gzip->stream.next_in = NULL;
		gzip->stream.avail_in = 0;
		rc = deflate_out(gzip, Z_FINISH);
	}
	/* A stream that is not whole makes an answer that is not whole. */
	if (rc < 0 || gzip->resp.failed)
		gzip->inner->failed = true;
	deflateEnd(&gzip->stream);
	resp_release(&gzip->resp);
	return rc < 0 || gzip->inner->failed ? -1 : 0;
}

void gzip_resp_abandon(struct gzip_resp *gzip)
{
	deflateEnd(&gzip->stream);
	resp_release(&gzip->resp);
}
