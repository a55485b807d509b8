/*
 * "/MBOX/UID/SECTION": one MIME part, transfer encoding undone.
 *
 * A part is fetched in chunks of PART_CHUNK bytes (BODY.PEEK[s]<o.n>),
 * each decoded by the streaming decoders and written out as it comes: a
 * 50 MB attachment (68 MB of base64, more than max-literal) never has to
 * fit in one literal, and the gateway holds one chunk at a time.  A fetch
 * that fails after the first chunk aborts the response (resp_abort): the
 * client sees a broken transfer, not a short part.
 *
 * The type comes from the BODYSTRUCTURE; a type that could run script in
 * the archive's origin (HTML, SVG, XML, JavaScript, ...) is still served
 * as itself, so a reader can look at it, but only under a sandboxing
 * Content-Security-Policy with nosniff, and never inline in a page.
 */
#include "page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"
#include "mime.h"
#include "rfc2045.h"

#define PART_CHUNK (512 * 1024)

/* Types shown inline in the browser; everything else is a download. */
static const char *const inline_types[] = {
	"text/plain", "image/png", "image/jpeg", "image/gif", "image/webp",
	"application/pdf",
};

static bool type_is_safe_token(const char *type)
{
	size_t slash = 0;

	for (const char *p = type; *p; p++) {
		if (*p == '/') {
			if (slash++)
				return false;
		} else if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789!#$&^_.+-", *p)) {
			return false;
		}
	}
	return slash == 1 && type[0] != '/' && type[strlen(type) - 1] != '/';
}

static bool charset_is_token(const char *charset)
{
	size_t len = strlen(charset);
	return len && len < 40 &&
	       strspn(charset, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-") == len;
}

/* A filename as a download may carry: no path, no control characters. */
static void clean_filename(const char *name, struct buf *out)
{
	const char *base = name;

	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	for (const char *p = base; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f)
			continue;
		buf_addch(out, (char)c);
	}
	while (out->len && (out->p[0] == '.' || out->p[0] == ' '))
		buf_consume(out, 1);
	if (out->len > 200)
		buf_truncate(out, 200);
}

/* RFC 6266: an ASCII fallback and filename* with UTF-8 percent-encoded. */
static void content_disposition(struct page *page, const char *kind,
                                const char *filename)
{
	struct buf value = BUF_INIT, clean = BUF_INIT;

	buf_addstr(&value, kind);
	if (filename)
		clean_filename(filename, &clean);
	if (clean.len) {
		buf_addstr(&value, "; filename=\"");
		for (size_t i = 0; i < clean.len; i++) {
			unsigned char c = (unsigned char)clean.p[i];
			buf_addch(&value, c >= 0x80 || c == '"' || c == '\\' ? '_' : (char)c);
		}
		buf_addstr(&value, "\"; filename*=UTF-8''");
		html_url_query(&value, clean.p, clean.len);
	}
	resp_header(page->resp, "Content-Disposition", buf_cstr(&value));
	buf_release(&value);
	buf_release(&clean);
}

/* Undoes a transfer encoding chunk by chunk. */
struct part_decoder {
	enum rfc2045_cte cte;
	struct rfc2045_b64 b64;
	struct rfc2045_qp qp;
};

static void decoder_init(struct part_decoder *decoder, const struct message_part *part)
{
	decoder->cte = rfc2045_cte_lookup(str_from(part->encoding ? part->encoding : ""));
	rfc2045_b64_init(&decoder->b64);
	rfc2045_qp_init(&decoder->qp);
}

static void decoder_feed(struct part_decoder *decoder, struct buf *out, struct str in)
{
	if (decoder->cte == RFC2045_CTE_BASE64)
		rfc2045_b64_feed(&decoder->b64, out, in.p, in.len);
	else if (decoder->cte == RFC2045_CTE_QP)
		rfc2045_qp_feed(&decoder->qp, out, in.p, in.len);
	else
		buf_add(out, in.p, in.len);
}

/* Flushes what is left and releases the state. */
static void decoder_finish(struct part_decoder *decoder, struct buf *out)
{
	if (decoder->cte == RFC2045_CTE_BASE64)
		rfc2045_b64_finish(&decoder->b64, out);
	rfc2045_qp_finish(&decoder->qp, out);
}

static int fetch_chunk(struct page *page, const char *section, uint64_t offset,
                       struct buf *out, struct session_err *err)
{
	return archive_part_chunk(page->archive, page->route->uid, section, offset,
	                          PART_CHUNK, out, err);
}

int page_part(struct page *page)
{
	struct message_parts parts = { 0 };
	const struct message_part *part;
	struct session_err err = { 0 };
	struct part_decoder decoder;
	struct buf raw = BUF_INIT, body = BUF_INIT, type = BUF_INIT;
	uint64_t offset = 0;
	bool inline_ok = false, more;
	int rc;

	rc = archive_parts(page->archive, page->route->uid, &parts, &err);
	if (rc < 0) {
		rc = page_session_error(page, &err);
		goto out;
	}
	if (!rc || !(part = mime_find_part(&parts, page->route->section))) {
		rc = page_error(page, 404, "This message has no such part.");
		goto out;
	}
	/* The first chunk before the headers: a failure is still an error page. */
	if (fetch_chunk(page, part->section, 0, &raw, &err) < 0) {
		rc = page_session_error(page, &err);
		goto out;
	}
	buf_addstr(&type, part->type && type_is_safe_token(part->type)
	                      ? part->type : "application/octet-stream");
	for (size_t i = 0; i < sizeof(inline_types) / sizeof(inline_types[0]); i++)
		if (!strcmp(buf_cstr(&type), inline_types[i]))
			inline_ok = true;
	if (!strncmp(buf_cstr(&type), "text/", 5) && part->charset &&
	    charset_is_token(part->charset))
		buf_addf(&type, "; charset=%s", part->charset);
	resp_header(page->resp, "Content-Type", buf_cstr(&type));
	resp_header(page->resp, "X-Content-Type-Options", "nosniff");
	/* Whatever the type, nothing in a part may run in our origin. */
	resp_header(page->resp, "Content-Security-Policy",
	            "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:");
	content_disposition(page, inline_ok && !part->attachment ? "inline"
	                                                         : "attachment",
	                    part->filename);
	decoder_init(&decoder, part);
	rc = 0;
	do {
		/* A short chunk is the last one. */
		more = raw.len == PART_CHUNK;
		offset += raw.len;
		decoder_feed(&decoder, &body, str_from_buf(&raw));
		buf_reset(&raw);
		if (body.len && (rc = resp_write(page->resp, body.p, body.len)) < 0)
			break;
		buf_reset(&body);
		if (more && fetch_chunk(page, part->section, offset, &raw, &err) < 0) {
			/* Too late for an error page: the transfer must look broken. */
			if (!resp_gone(page->resp))
				fprintf(stderr, "imapeek: part %s of UID %u stopped at byte %llu: %s\n",
				        part->section, page->route->uid,
				        (unsigned long long)offset, err.message);
			resp_abort(page->resp);
			rc = -1;
			break;
		}
	} while (more);
	decoder_finish(&decoder, &body);
	if (rc == 0 && body.len)
		rc = resp_write(page->resp, body.p, body.len);
out:
	message_parts_release(&parts);
	buf_release(&raw);
	buf_release(&body);
	buf_release(&type);
	return rc;
}
