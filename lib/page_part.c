/*
 * "/MBOX/UID/SECTION": one MIME part, transfer encoding undone.
 *
 * The type comes from the BODYSTRUCTURE; a type that could run script in
 * the archive's origin (HTML, SVG, XML, JavaScript, ...) is still served
 * as itself, so a reader can look at it, but only under a sandboxing
 * Content-Security-Policy with nosniff, and never inline in a page.
 */
#include "page.h"

#include <stdlib.h>
#include <string.h>

#include "imap_view.h"
#include "message.h"
#include "mime.h"

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

int page_part(struct page *page)
{
	struct session_result result;
	struct imap_fetch view;
	struct message_info info;
	struct message_parts parts = { 0 };
	const struct message_part *part;
	struct buf items = BUF_INIT, body = BUF_INIT, type = BUF_INIT;
	bool inline_ok = false;
	int rc;

	session_result_init(&result);
	buf_addf(&items, "(UID BODYSTRUCTURE BODY.PEEK[%s])", page->route->section);
	rc = page_fetch_uid(page, buf_cstr(&items), &result, &view, &info);
	if (rc < 0)
		goto out_result;
	if (mime_parts_from_view(&view, &parts) < 0 ||
	    !(part = mime_find_part(&parts, page->route->section))) {
		rc = page_error(page, 404, "This message has no such part.");
		goto out;
	}
	mime_decode_body(part, mime_fetch_section(&view, part->section), &body);
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
	resp_header(page->resp, "Cache-Control", "public, max-age=3600");
	content_disposition(page, inline_ok && !part->attachment ? "inline"
	                                                         : "attachment",
	                    part->filename);
	rc = resp_write(page->resp, buf_cstr(&body), body.len);
out:
	message_parts_release(&parts);
	message_info_release(&info);
	imap_fetch_release(&view);
out_result:
	session_result_release(&result);
	buf_release(&items);
	buf_release(&body);
	buf_release(&type);
	return rc;
}
