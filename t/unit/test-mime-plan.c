/*
 * The part plan (mime_parts_from_view): which parts a message has, their
 * types, and which are displayed.  Rows are BODYSTRUCTUREs as servers send
 * them, above all for a missing or malformed Content-Type (RFC 2045 5.2:
 * text/plain), then the ordinary ones the rule must leave alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap_view.h"
#include "mime.h"
#include "../tap.h"

struct row {
	const char *name;
	const char *bodystructure;
	/* "section type shown|listed [charset] [encoding] [file=name]", ", " joined */
	const char *expected;
};

static const struct row rows[] = {
	/* Dovecot 2.3 (what it sends for each header, as a real store gave). */
	{ "Content-Type: text (Dovecot)",
	  "(\"text\" \"\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 19 1 NIL NIL NIL NIL)",
	  "1 text/plain shown us-ascii 7bit" },
	{ "Content-Type: <html> (Dovecot: \"\" \"\")",
	  "(\"\" \"\" NIL NIL NIL \"7bit\" 24 NIL NIL NIL NIL)",
	  "1 text/plain shown 7bit" },
	{ "Content-Type: html (Dovecot)",
	  "(\"html\" \"\" NIL NIL NIL \"7bit\" 10 NIL NIL NIL NIL)",
	  "1 text/plain shown 7bit" },
	{ "Content-Type: image without subtype (Dovecot)",
	  "(\"image\" \"\" NIL NIL NIL \"7bit\" 13 NIL NIL NIL NIL)",
	  "1 text/plain shown 7bit" },
	{ "malformed type, base64 (Dovecot)",
	  "(\"\" \"\" NIL NIL NIL \"base64\" 22 NIL NIL NIL NIL)",
	  "1 text/plain shown base64" },
	{ "multipart/mixed with malformed parts (Dovecot)",
	  "((\"text\" \"\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 16 0 NIL NIL NIL NIL)"
	  "(\"\" \"\" NIL NIL NIL \"7bit\" 11 NIL NIL NIL NIL)"
	  "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 6 0 NIL NIL NIL NIL)"
	  " \"mixed\" (\"boundary\" \"XX\") NIL NIL NIL)",
	  "1 text/plain shown us-ascii 7bit, 2 text/plain shown 7bit, "
	  "3 text/plain shown us-ascii 7bit" },
	/* GNU imap4d and other servers. */
	{ "Content-Type: text/ (imap4d: NIL subtype)",
	  "(\"text\" NIL NIL NIL NIL \"7BIT\" 17 1 NIL NIL NIL)",
	  "1 text/plain shown 7bit" },
	{ "Content-Type: text/plain/html (imap4d)",
	  "(\"text\" \"plain/html\" NIL NIL NIL \"7BIT\" 12 1 NIL NIL NIL)",
	  "1 text/plain shown 7bit" },
	{ "Content-Type: text/pl ain (imap4d)",
	  "(\"text\" \"pl ain\" NIL NIL NIL \"7BIT\" 12 1 NIL NIL NIL)",
	  "1 text/plain shown 7bit" },
	{ "NIL type and subtype",
	  "(NIL NIL NIL NIL NIL \"7bit\" 5 NIL NIL NIL NIL)",
	  "1 text/plain shown 7bit" },
	{ "empty type, a real subtype",
	  "(\"\" \"plain\" NIL NIL NIL \"7bit\" 5 NIL NIL NIL NIL)",
	  "1 text/plain shown 7bit" },
	{ "type with tspecials, a charset kept",
	  "(\"<html>\" \"x\" (\"charset\" \"utf-8\") NIL NIL \"8bit\" 5 NIL NIL NIL NIL)",
	  "1 text/plain shown utf-8 8bit" },
	{ "type with a control byte (literal)",
	  "({4}\r\nt\001xt \"plain\" NIL NIL NIL \"7bit\" 5 NIL NIL NIL NIL)",
	  "1 text/plain shown 7bit" },
	{ "type with an 8-bit byte",
	  "(\"t\xc3\xa9xt\" \"plain\" NIL NIL NIL \"7bit\" 5 NIL NIL NIL NIL)",
	  "1 text/plain shown 7bit" },
	{ "malformed type as an attachment: listed, not shown",
	  "(\"\" \"\" NIL NIL NIL \"base64\" 100 NIL (\"attachment\" (\"filename\" \"a.bin\")) NIL NIL)",
	  "1 text/plain listed base64 file=a.bin" },
	{ "alternative: a malformed part counts as text/plain",
	  "((\"\" \"\" NIL NIL NIL \"7bit\" 5 NIL NIL NIL NIL)"
	  "(\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 10 1 NIL NIL NIL NIL)"
	  " \"alternative\" (\"boundary\" \"b\") NIL NIL NIL)",
	  "1 text/plain shown 7bit, 2 text/html listed utf-8 7bit" },
	{ "message/rfc822 with a malformed body",
	  "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 100 "
	  "(NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL) "
	  "(\"\" \"\" NIL NIL NIL \"7bit\" 10 NIL NIL NIL NIL) 5 NIL NIL NIL NIL)",
	  "1 message/rfc822 listed 7bit, 1.1 text/plain shown 7bit" },
	/* Well-formed types are left alone. */
	{ "text/plain",
	  "(\"text\" \"plain\" (\"charset\" \"UTF-8\") NIL NIL \"quoted-printable\" 5 1 NIL NIL NIL NIL)",
	  "1 text/plain shown UTF-8 quoted-printable" },
	{ "TEXT/HTML in capitals",
	  "(\"TEXT\" \"HTML\" NIL NIL NIL \"7BIT\" 5 1 NIL NIL NIL NIL)",
	  "1 text/html shown 7bit" },
	{ "an unknown text subtype stays itself, shown",
	  "(\"text\" \"x-weird\" NIL NIL NIL \"7bit\" 5 1 NIL NIL NIL NIL)",
	  "1 text/x-weird shown 7bit" },
	{ "image/png is listed",
	  "(\"image\" \"png\" (\"name\" \"a.png\") NIL NIL \"base64\" 5 NIL NIL NIL NIL)",
	  "1 image/png listed base64 file=a.png" },
	{ "application/x-gzip is listed",
	  "(\"application\" \"x-gzip\" NIL NIL NIL \"base64\" 5 NIL NIL NIL NIL)",
	  "1 application/x-gzip listed base64" },
	{ "multipart without a subtype keeps its parts",
	  "((\"text\" \"plain\" NIL NIL NIL \"7bit\" 5 1 NIL NIL NIL NIL) NIL)",
	  "1 text/plain shown 7bit" },
};

static void describe(struct buf *out, const struct message_parts *parts)
{
	for (size_t i = 0; i < parts->n; i++) {
		const struct message_part *part = &parts->items[i];
		buf_addf(out, "%s%s %s %s", i ? ", " : "", part->section, part->type,
		         part->displayed ? "shown" : "listed");
		if (part->charset)
			buf_addf(out, " %s", part->charset);
		buf_addf(out, " %s", part->encoding);
		if (part->filename)
			buf_addf(out, " file=%s", part->filename);
	}
}

static void test_row(const struct row *row)
{
	struct buf text = BUF_INIT, got = BUF_INIT;
	struct imap_response *response;
	struct imap_fetch fetch;
	struct imap_view_err err;
	struct message_parts parts;
	char error[128] = "";

	buf_addf(&text, "* 1 FETCH (UID 7 BODYSTRUCTURE %s)\r\n", row->bodystructure);
	response = imap_response_parse(buf_cstr(&text), text.len, 1 << 20, error,
	                               sizeof(error));
	if (!tap_ok(response != NULL, "%s: parses", row->name)) {
		tap_diag("%s", error);
		goto out;
	}
	if (!tap_ok(imap_view_fetch(response, &fetch, &err) == 0, "%s: a FETCH view",
	            row->name)) {
		tap_diag("%s", err.message);
		goto out;
	}
	tap_ok(mime_parts_from_view(&fetch, &parts) == 0, "%s: planned", row->name);
	describe(&got, &parts);
	tap_is_str(buf_cstr(&got), row->expected, row->name);
	message_parts_release(&parts);
	imap_fetch_release(&fetch);
out:
	imap_response_free(response);
	buf_release(&text);
	buf_release(&got);
}

/* Whatever the type, the part list never names an empty or half type. */
static void test_no_half_types(void)
{
	bool good = true;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct buf text = BUF_INIT;
		struct imap_response *response;
		struct imap_fetch fetch;
		struct message_parts parts;
		char error[128];

		buf_addf(&text, "* 1 FETCH (UID 7 BODYSTRUCTURE %s)\r\n", rows[i].bodystructure);
		response = imap_response_parse(buf_cstr(&text), text.len, 1 << 20, error,
		                               sizeof(error));
		if (response && imap_view_fetch(response, &fetch, NULL) == 0) {
			if (mime_parts_from_view(&fetch, &parts) == 0) {
				for (size_t j = 0; j < parts.n; j++) {
					const char *type = parts.items[j].type;
					const char *slash = strchr(type, '/');
					if (!slash || slash == type || !slash[1] ||
					    strchr(slash + 1, '/'))
						good = false;
				}
				message_parts_release(&parts);
			}
			imap_fetch_release(&fetch);
		}
		imap_response_free(response);
		buf_release(&text);
	}
	tap_ok(good, "every listed type is type/subtype, both non-empty");
}

int main(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		test_row(&rows[i]);
	test_no_half_types();
	return tap_done();
}
