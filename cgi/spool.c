/* The CGI and FastCGI response writer (spool.h). */
#include "spool.h"

#include <string.h>
#include <strings.h>

#include "front.h"

void spool_init(struct spool *spool,
                int (*put)(void *sink, const char *data, size_t len), void *sink)
{
	memset(spool, 0, sizeof(*spool));
	spool->put = put;
	spool->sink = sink;
}

void spool_release(struct spool *spool)
{
	buf_release(&spool->head);
	buf_release(&spool->body);
}

static int put(struct spool *spool, const char *data, size_t len)
{
	if (!spool->failed && len && spool->put(spool->sink, data, len) < 0)
		spool->failed = true;
	return spool->failed ? -1 : 0;
}

/* The head, ended by the blank line, then what is held. */
static int send_held(struct spool *spool)
{
	buf_addstr(&spool->head, "\r\n");
	spool->sent = true;
	put(spool, spool->head.p, spool->head.len);
	put(spool, spool->body.p, spool->body.len);
	buf_release(&spool->body);
	return spool->failed ? -1 : 0;
}

static int spool_begin(void *ctx, int status, const struct resp_header *headers,
                       size_t nheaders)
{
	struct spool *spool = ctx;

	buf_addf(&spool->head, "Status: %d %s\r\n", status, http_status_text(status));
	for (size_t i = 0; i < nheaders; i++) {
		buf_addf(&spool->head, "%s: %s\r\n", headers[i].name, headers[i].value);
		if (!strcasecmp(headers[i].name, "Content-Length"))
			spool->declared = true;
	}
	/* A declared length is the page's promise: no reason to wait. */
	return spool->declared ? send_held(spool) : 0;
}

static int spool_write(void *ctx, const char *data, size_t len)
{
	struct spool *spool = ctx;

	if (spool->sent)
		return put(spool, data, len);
	if (spool->body.len + len <= SPOOL_HOLD) {
		buf_add(&spool->body, data, len);
		return 0;
	}
	if (send_held(spool) < 0)
		return -1;
	return put(spool, data, len);
}

static bool spool_gone(void *ctx)
{
	struct spool *spool = ctx;

	return spool->failed || (spool->gone && spool->gone(spool->sink));
}

const struct resp_ops spool_ops = {
	.begin = spool_begin,
	.write = spool_write,
	.gone = spool_gone,
};

int spool_finish(struct spool *spool, const struct resp *resp)
{
	bool whole = !resp->failed;
	size_t length = resp->head_only ? resp->body_bytes : spool->body.len;

	if (!spool->sent) {
		if (!whole) {
			/* Nothing went out: an honest error instead of a broken page. */
			buf_reset(&spool->head);
			buf_reset(&spool->body);
			buf_addf(&spool->head, "Status: 502 %s\r\n"
			         "Content-Type: text/html; charset=utf-8\r\n"
			         "Cache-Control: no-store\r\n", http_status_text(502));
			front_error_body(&spool->body, 502);
			length = spool->body.len;
			if (resp->head_only)
				buf_reset(&spool->body);
			whole = true;
		}
		/*
		 * HEAD says what the GET would (its length, when within the
		 * hold), when the page rendered it; a page that answers HEAD
		 * from metadata declares the length itself, or none when it is
		 * not known without the body (nothing counted: say nothing).
		 */
		if (length <= SPOOL_HOLD && !spool->declared &&
		    !(resp->head_only && length == 0 && whole))
			buf_addf(&spool->head, "Content-Length: %zu\r\n", length);
		send_held(spool);
	}
	return whole && !spool->failed ? 0 : -1;
}
