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
 * With obfuscate = yes a text part is served as its text with addresses
 * hidden (send_hidden_text); other parts are files, served as they are.
 *
 * A HEAD is answered from the BODYSTRUCTURE (and BINARY.SIZE), never
 * with the part's bytes; a fetch that fails after the first bytes went
 * out fails the answer (page_fail), so the client sees it cut short.
 */
#include "page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
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
		/* One "_" a character outside ASCII, not a byte of its UTF-8. */
		for (size_t i = 0; i < clean.len; i++) {
			unsigned char c = (unsigned char)clean.p[i];
			if (c >= 0x80 && c < 0xc0)
				continue;
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
	decoder->cte = mime_part_cte(part);
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

/*
 * The part's bytes, decoded, chunk by chunk to write(), from the first
 * chunk (fetched by the caller before any header: its failure is still
 * an error page) on.  0, or -1 (the answer failed if it had begun).
 */
static int send_decoded(struct page *page, const struct message_part *part,
                        struct buf *raw,
                        int (*write)(struct page *page, struct str bytes,
                                     void *ctx),
                        void *ctx)
{
	struct session_err err = { 0 };
	struct part_decoder decoder;
	struct buf body = BUF_INIT;
	uint64_t offset = 0;
	bool more;
	int rc = 0;

	decoder_init(&decoder, part);
	do {
		/* A short chunk is the last one. */
		more = raw->len == PART_CHUNK;
		offset += raw->len;
		decoder_feed(&decoder, &body, str_from_buf(raw));
		buf_reset(raw);
		if (body.len && (rc = write(page, str_from_buf(&body), ctx)) < 0)
			break;
		buf_reset(&body);
		if (more && fetch_chunk(page, part->section, offset, raw, &err) < 0) {
			rc = page_fail(page, "the part", &err);
			break;
		}
	} while (more);
	decoder_finish(&decoder, &body);
	if (rc == 0 && body.len)
		rc = write(page, str_from_buf(&body), ctx);
	buf_release(&body);
	return rc;
}

static int write_out(struct page *page, struct str bytes, void *ctx)
{
	(void)ctx;
	return resp_write(page->resp, bytes.p, bytes.len);
}

/* Collects the decoded text, up to max-literal bytes (then -1). */
static int collect(struct page *page, struct str bytes, void *ctx)
{
	struct buf *text = ctx;
	uint64_t room = page->conf->max_literal > text->len
	                    ? page->conf->max_literal - text->len : 0;

	buf_add(text, bytes.p, bytes.len < room ? bytes.len : (size_t)room);
	return bytes.len > room ? -1 : 0;
}

static bool is_text(const struct message_part *part)
{
	return part->type && !strncmp(part->type, "text/", 5);
}

/*
 * With obfuscate = yes a text part is shown as the message page shows
 * it: its text in UTF-8 (HTML as text: an address can hide in HTML in
 * too many ways to be found in its source), with the domain of every
 * address hidden, as text/plain.  The original bytes stay in raw, which
 * keeps the addresses: it is the message.
 */
static int send_hidden_text(struct page *page, const struct message_part *part,
                            struct buf *raw)
{
	struct buf decoded = BUF_INIT, text = BUF_INIT, shown = BUF_INIT;
	int rc = send_decoded(page, part, raw, collect, &decoded);

	if (rc < 0 && page->resp->begun)
		goto out;   /* an error page was sent */
	mime_text_to_utf8(part, str_from_buf(&decoded), &text);
	if (rc < 0)
		buf_addstr(&text, "\n[The rest of this part is too long to be shown.]\n");
	page_shown_text(page, text.p ? text.p : "", text.len, &shown);
	rc = resp_write(page->resp, shown.p, shown.len);
out:
	buf_release(&decoded);
	buf_release(&text);
	buf_release(&shown);
	return rc;
}

int page_part(struct page *page)
{
	struct message_parts parts = { 0 };
	const struct message_part *part;
	struct session_err err = { 0 };
	struct buf raw = BUF_INIT, type = BUF_INIT, name = BUF_INIT;
	bool inline_ok = false, hidden, head = !resp_body_wanted(page->resp);
	uint64_t size = 0;
	time_t arrived;
	int rc, known = 0;

	rc = archive_parts(page->archive, page->route->uid, &parts, &arrived, &err);
	/* Not there: maybe new mail not yet seen (as page_raw). */
	if (rc == 0)
		rc = archive_refresh(page->archive, &err) < 0
		         ? -1 : archive_parts(page->archive, page->route->uid, &parts,
		                              &arrived, &err);
	if (rc < 0) {
		rc = page_session_error(page, &err);
		goto out;
	}
	if (!rc || !(part = mime_find_part(&parts, page->route->section))) {
		rc = page_error(page, 404, "This message has no such part.");
		goto out;
	}
	/* A part's bytes never change under its UID either: its arrival. */
	page_last_modified(page, arrived);
	head = !resp_body_wanted(page->resp);
	hidden = page->conf->obfuscate && is_text(part);
	/*
	 * Before the headers: the first chunk, or for a HEAD (which the
	 * front end answers without a body) and a 304 to be only the
	 * length a GET would send, from the BODYSTRUCTURE or BINARY.SIZE,
	 * when it is known without the bytes.  A hidden text's is not: its
	 * HEAD is made as its GET (the front end counts the bytes it drops).
	 */
	if (head && !hidden)
		known = archive_part_size(page->archive, page->route->uid, part,
		                          &size, &err);
	else if (fetch_chunk(page, part->section, 0, &raw, &err) < 0)
		known = -1;
	if (known < 0) {
		rc = page_session_error(page, &err);
		goto out;
	}
	/*
	 * Bytes in an encoding this does not undo (x-uuencode, ...) are not
	 * what their type says: octets (RFC 2049 2.(5)), to be saved.
	 */
	bool undecoded = mime_part_cte(part) == RFC2045_CTE_UNKNOWN;
	buf_addstr(&type, hidden ? "text/plain"
	                  : part->type && type_is_safe_token(part->type) && !undecoded
	                  ? part->type : "application/octet-stream");
	for (size_t i = 0; i < sizeof(inline_types) / sizeof(inline_types[0]); i++)
		if (!strcmp(buf_cstr(&type), inline_types[i]))
			inline_ok = true;
	if (hidden)
		buf_addstr(&type, "; charset=utf-8");
	else if (is_text(part) && part->charset && charset_label_is_token(part->charset))
		buf_addf(&type, "; charset=%s", part->charset);
	resp_header(page->resp, "Content-Type", buf_cstr(&type));
	resp_header(page->resp, "X-Content-Type-Options", "nosniff");
	/* Whatever the type, nothing in a part may run in our origin. */
	resp_header(page->resp, "Content-Security-Policy",
	            "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:");
	if (part->filename)
		page_shown_text(page, part->filename, strlen(part->filename), &name);
	content_disposition(page, inline_ok && !part->attachment ? "inline"
	                                                         : "attachment",
	                    part->filename ? buf_cstr(&name) : NULL);
	if (head && !hidden) {
		if (known > 0)
			resp_headerf(page->resp, "Content-Length", "%llu",
			             (unsigned long long)size);
		rc = 0;
	} else if (hidden) {
		rc = send_hidden_text(page, part, &raw);
	} else {
		rc = send_decoded(page, part, &raw, write_out, NULL);
	}
out:
	message_parts_release(&parts);
	buf_release(&raw);
	buf_release(&type);
	buf_release(&name);
	return rc;
}
