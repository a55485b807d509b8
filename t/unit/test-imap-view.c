/*
 * Typed views over parsed responses: real Dovecot answers and hostile or
 * unusual rows (NIL where strings go, missing extension data, deep and wide
 * bodystructures, huge sequence sets).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap_view.h"
#include "../tap.h"

#include "imap-dovecot-rows.h"

static struct imap_response *parse_len(const char *text, size_t len)
{
	char error[128] = "";
	struct imap_response *response = imap_response_parse(text, len, 64 << 20,
	                                                     error, sizeof(error));
	if (!response)
		tap_ok(0, "parse failed: %s", error);
	return response;
}

static struct imap_response *parse(const char *text)
{
	return parse_len(text, strlen(text));
}

static void is_str(struct str got, const char *want, const char *name)
{
	if (!want) {
		tap_ok(got.p == NULL, "%s is NIL", name);
		return;
	}
	tap_is_mem(got.p ? got.p : "(NIL)", got.p ? got.len : 5, want, strlen(want), name);
}

/* Every part's section and type, in order: "TEXT=multipart/mixed 1=text/plain ...". */
static void outline(struct buf *out, const struct imap_body *body)
{
	buf_addf(out, "%s%s=%.*s/%.*s", out->len ? " " : "", body->section,
	         (int)body->type.len, body->type.p ? body->type.p : "",
	         (int)body->subtype.len, body->subtype.p ? body->subtype.p : "");
	for (size_t i = 0; i < body->nparts; i++)
		outline(out, &body->parts[i]);
}

static void test_fetch_torture(void)
{
	struct imap_response *response = parse(dovecot_fetch_torture);
	struct imap_fetch fetch;
	struct imap_view_err err;

	if (!tap_ok(response && imap_view_fetch(response, &fetch, &err) == 0,
	            "Dovecot FETCH of the MIME torture test"))
		return;
	tap_ok(imap_view_kind(response) == IMAP_VIEW_FETCH, "kind FETCH");
	tap_ok(fetch.seq == 1 && fetch.has_uid && fetch.uid == 1, "seq 1 UID 1");
	tap_ok(fetch.has_flags && fetch.flags.n == 1 && imap_flags_has(&fetch.flags, "\\recent"),
	       "FLAGS (\\Recent)");
	is_str(fetch.envelope.date, "Mon, 6 Feb 1993 02:53:47 -0800 (PST)", "envelope date");
	is_str(fetch.envelope.subject, "Multi-media mail demonstration", "subject from a 30-byte literal");
	tap_ok(fetch.envelope.from.n == 1, "one From");
	is_str(fetch.envelope.from.addresses[0].name, "Mark Crispin", "From name");
	is_str(fetch.envelope.from.addresses[0].adl, NULL, "From adl");
	is_str(fetch.envelope.from.addresses[0].mailbox, "mrc", "From mailbox");
	is_str(fetch.envelope.from.addresses[0].host, "CAC.Washington.EDU", "From host");
	is_str(fetch.envelope.to.addresses[0].mailbox, "MRC", "To mailbox");
	tap_ok(fetch.envelope.cc.n == 0 && fetch.envelope.bcc.n == 0, "no Cc, no Bcc");
	is_str(fetch.envelope.in_reply_to, NULL, "no In-Reply-To");
	is_str(fetch.envelope.message_id, "<CMM.0.88.687168092.mrc@akbar.cac.washington.edu> ",
	       "Message-ID");

	const struct imap_body *body = fetch.body;
	if (!tap_ok(body != NULL, "BODYSTRUCTURE"))
		goto out;
	tap_ok(body->multipart && imap_body_is(body, "MULTIPART", "mixed"), "multipart/mixed");
	tap_is_str(body->section, "TEXT", "top multipart is BODY[TEXT]");
	struct buf shape = BUF_INIT;
	for (size_t i = 0; i < body->nparts && i < 3; i++)
		outline(&shape, &body->parts[i]);
	tap_is_str(buf_cstr(&shape),
	           "1=TEXT/PLAIN 2=message/rfc822 2.TEXT=multipart/alternative "
	           "2.1=text/plain 2.2=multipart/mixed 2.2.1=text/richtext "
	           "2.3=application/andrew-inset 3=message/rfc822 3.1=audio/basic",
	           "sections of parts 1-3, message/rfc822 inside");
	buf_release(&shape);
	const struct imap_body *part = imap_body_find(body, "1");
	tap_ok(part && part->size == 190 && part->has_lines && part->lines == 3,
	       "part 1: 190 bytes, 3 lines");
	is_str(part ? imap_body_param(part, "CHARSET") : STR_NULL, "us-ascii", "charset param");
	is_str(part ? part->description : STR_NULL, "Explanation", "description");
	part = imap_body_find(body, "2");
	tap_ok(part && part->envelope && part->has_lines && part->lines == 106,
	       "part 2 has an envelope and 106 lines");
	if (part && part->envelope)
		is_str(part->envelope->subject, "Re: a MIME-Version misfeature", "embedded subject");
	part = imap_body_find(body, "6.1.2");
	tap_ok(part && imap_body_is(part, "audio", "x-sun"), "6.1.2 is audio/x-sun, nested deep");
	is_str(part ? part->description : STR_NULL, "He's dead, Jim", "6.1.2 description");
	part = imap_body_find(body, "6.TEXT");
	tap_ok(part && part->multipart && part->nparts == 3, "6.TEXT: multipart of 3");
out:
	imap_fetch_release(&fetch);
	imap_response_free(response);
}

static void test_fetch_calendar_and_sections(void)
{
	struct imap_response *response = parse(dovecot_fetch_calendar);
	struct imap_fetch fetch;
	struct imap_view_err err;

	if (!tap_ok(response && imap_view_fetch(response, &fetch, &err) == 0, "Dovecot FETCH calendar"))
		return;
	is_str(fetch.envelope.message_id,
	       " <YT3PR01MB10572EFC9F7C81F9446214768CEF72@YT3PR01MB10572.CANPRD01.PROD.OUTLOOK.COM>",
	       "Message-ID with its leading space, raw");
	const struct imap_body *body = fetch.body;
	tap_ok(body && imap_body_is(body, "multipart", "ALTERNATIVE") && body->nparts == 2,
	       "multipart/alternative of 2");
	if (body) {
		tap_ok(body->nlanguages == 1 && str_eq(body->languages[0], "en-CA"),
		       "multipart language en-CA");
		is_str(imap_body_param(body, "boundary"),
		       "_000_YT3PR01MB10572EFC9F7C81F9446214768CEF72YT3PR01MB10572CA_", "boundary");
		const struct imap_body *cal = imap_body_find(body, "2");
		tap_ok(cal && imap_body_is(cal, "text", "calendar") && cal->size == 2308 &&
		       cal->lines == 30, "2 is text/calendar, 2308 bytes, 30 lines");
		is_str(cal ? imap_body_param(cal, "method") : STR_NULL, "REQUEST", "method=REQUEST");
		is_str(cal ? cal->encoding : STR_NULL, "base64", "encoding");
	}
	imap_fetch_release(&fetch);
	imap_response_free(response);

	response = parse(dovecot_fetch_sections);
	if (!tap_ok(response && imap_view_fetch(response, &fetch, &err) == 0, "Dovecot FETCH sections"))
		return;
	tap_ok(fetch.has_modseq && fetch.modseq == 2, "MODSEQ (2)");
	is_str(fetch.preview, "This meeting will could have been an email", "PREVIEW");
	const struct imap_fetch_part *part = imap_fetch_part(&fetch, false,
	                                                     "header.fields  (MESSAGE-ID subject)");
	tap_ok(part != NULL, "BODY[HEADER.FIELDS (MESSAGE-ID SUBJECT)] found by section text");
	tap_ok(part && part->data.len == 115 && str_starts_with(part->data, "Subject: test\r\n"),
	       "its 115 bytes");
	part = imap_fetch_part(&fetch, false, "1");
	tap_ok(part && str_eq(part->origin, "0") && str_eq(part->data, "This meeting will co"),
	       "BODY[1]<0> and its 20 bytes");
	tap_ok(!imap_fetch_part(&fetch, true, "1"), "no BINARY[1]");
	tap_ok(!imap_fetch_part(&fetch, false, ""), "no BODY[]");
	uint64_t size = 0;
	tap_ok(imap_fetch_binary_size(&fetch, "1", &size) == 0 && size == 46, "BINARY.SIZE[1] 46");
	imap_fetch_release(&fetch);
	imap_response_free(response);
}

struct body_row {
	const char *bodystructure;
	const char *outline; /* NULL: must be rejected */
};

static const struct body_row body_rows[] = {
	/* non-multipart top level is section 1 */
	{ "(\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 12 1)", "1=text/plain" },
	/* message/rfc822 inside multipart inside message/rfc822 inside multipart */
	{ "((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)"
	  "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 900 (NIL \"inner\" NIL NIL NIL NIL NIL NIL NIL NIL)"
	  " ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 2 1)"
	  "  (\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 500 (NIL \"innermost\" NIL NIL NIL NIL NIL NIL NIL NIL)"
	  "   ((\"text\" \"html\" NIL NIL NIL \"8bit\" 3 1)(\"image\" \"png\" NIL NIL NIL \"base64\" 4) \"related\")"
	  "   20)"
	  "  (\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 50 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)"
	  "   (\"text\" \"plain\" NIL NIL NIL \"7bit\" 5 1) 2)"
	  "  \"mixed\") 40) \"mixed\")",
	  "TEXT=multipart/mixed 1=text/plain 2=message/rfc822 2.TEXT=multipart/mixed "
	  "2.1=text/plain 2.2=message/rfc822 2.2.TEXT=multipart/related 2.2.1=text/html "
	  "2.2.2=image/png 2.3=message/rfc822 2.3.1=text/plain" },
	/* a message whose whole body is a message/rfc822 */
	{ "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 9 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)"
	  " (\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1) 1)",
	  "1=message/rfc822 1.1=text/plain" },
	/* message/rfc822 in the basic form some servers send: no envelope */
	{ "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 9)", "1=message/rfc822" },
	/* no extension data, NIL where strings go, numbers quoted */
	{ "((\"text\" \"plain\" NIL NIL NIL NIL \"12\" \"3\")(NIL NIL NIL NIL NIL NIL NIL) \"mixed\")",
	  "TEXT=multipart/mixed 1=text/plain 2=/" },
	{ "((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1))", "TEXT=multipart/ 1=text/plain" },
	/* hostile */
	{ "NIL", NULL },
	{ "()", NULL },
	{ "((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)() \"mixed\")", NULL },
};

static void test_bodystructure_rows(void)
{
	for (size_t i = 0; i < sizeof(body_rows) / sizeof(body_rows[0]); i++) {
		struct buf text = BUF_INIT, got = BUF_INIT;
		buf_addf(&text, "* 1 FETCH (BODYSTRUCTURE %s)\r\n", body_rows[i].bodystructure);
		struct imap_response *response = parse(buf_cstr(&text));
		struct imap_fetch fetch;
		struct imap_view_err err = { "" };
		int rc = response ? imap_view_fetch(response, &fetch, &err) : -1;
		if (!body_rows[i].outline) {
			tap_ok(rc == -1, "body row %zu rejected (%s)", i, err.message);
		} else if (tap_ok(rc == 0 && fetch.body, "body row %zu (%s)", i, err.message)) {
			outline(&got, fetch.body);
			tap_is_str(buf_cstr(&got), body_rows[i].outline, "sections and types");
		}
		if (rc == 0)
			imap_fetch_release(&fetch);
		imap_response_free(response);
		buf_release(&text);
		buf_release(&got);
	}

	/* Extension data of a single part, and the disposition. */
	struct imap_response *response = parse(
		"* 1 FETCH (BODYSTRUCTURE (\"application\" \"pdf\" (\"name\" \"a.pdf\") \"<id@x>\" "
		"\"desc\" \"base64\" 4096 \"md5sum\" (\"attachment\" (\"filename\" \"a.pdf\")) "
		"(\"en\" \"de\") \"http://loc\" (\"future\" 1)))\r\n");
	struct imap_fetch fetch;
	if (response && tap_ok(imap_view_fetch(response, &fetch, NULL) == 0, "single part with extensions")) {
		const struct imap_body *b = fetch.body;
		tap_ok(b && !b->has_lines && b->size == 4096, "no lines for application/*");
		is_str(b->md5, "md5sum", "md5");
		is_str(b->disposition, "attachment", "disposition");
		tap_ok(b->ndisposition_params == 1 && str_eq(b->disposition_params[0].value, "a.pdf"),
		       "disposition filename");
		tap_ok(b->nlanguages == 2 && str_eq(b->languages[1], "de"), "two languages");
		is_str(b->location, "http://loc", "location");
		is_str(b->id, "<id@x>", "Content-ID");
		imap_fetch_release(&fetch);
	}
	imap_response_free(response);
}

static void test_bodystructure_limits(void)
{
	struct buf text = BUF_INIT;
	struct imap_view_err err = { "" };
	struct imap_fetch fetch;

	/* 300 nested multiparts: the parser takes them, the view refuses. */
	buf_addstr(&text, "* 1 FETCH (BODYSTRUCTURE ");
	for (int i = 0; i < 300; i++)
		buf_addch(&text, '(');
	buf_addstr(&text, "\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1");
	for (int i = 0; i < 300; i++)
		buf_addstr(&text, i ? " \"mixed\")" : ")");
	buf_addstr(&text, ")\r\n");
	struct imap_response *response = parse(buf_cstr(&text));
	tap_ok(response && imap_view_fetch(response, &fetch, &err) == -1,
	       "300-deep multipart rejected: %s", err.message);
	imap_response_free(response);

	/* 200 deep is real mail and is fine. */
	buf_reset(&text);
	buf_addstr(&text, "* 1 FETCH (BODYSTRUCTURE ");
	for (int i = 0; i < 200; i++)
		buf_addch(&text, '(');
	buf_addstr(&text, "\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1");
	for (int i = 0; i < 200; i++)
		buf_addstr(&text, i ? " \"mixed\")" : ")");
	buf_addstr(&text, ")\r\n");
	response = parse(buf_cstr(&text));
	if (tap_ok(response && imap_view_fetch(response, &fetch, &err) == 0, "200-deep multipart (%s)", err.message)) {
		const struct imap_body *leaf = fetch.body;
		while (leaf->nparts)
			leaf = &leaf->parts[0];
		tap_ok(strlen(leaf->section) == 2 * 199 - 1 && imap_body_is(leaf, "text", "plain"),
		       "its leaf is 1.1.(...).1, 199 levels");
		imap_fetch_release(&fetch);
	}
	imap_response_free(response);

	/* 10001 parts. */
	buf_reset(&text);
	buf_addstr(&text, "* 1 FETCH (BODYSTRUCTURE (");
	for (int i = 0; i < 10001; i++)
		buf_addstr(&text, "(\"a\" \"b\" NIL NIL NIL NIL 1)");
	buf_addstr(&text, " \"mixed\"))\r\n");
	response = parse(buf_cstr(&text));
	tap_ok(response && imap_view_fetch(response, &fetch, &err) == -1,
	       "10001 parts rejected: %s", err.message);
	imap_response_free(response);
	buf_release(&text);
}

static void test_envelope_groups(void)
{
	struct imap_response *response = parse(
		"* 2 FETCH (ENVELOPE (NIL NIL NIL NIL NIL ((NIL NIL \"undisclosed-recipients\" NIL)"
		"(NIL NIL NIL NIL)(\"=?utf-8?q?J=C3=B6rg?=\" \"@relay\" \"j\" \"x.org\") \"junk\") NIL))\r\n");
	struct imap_fetch fetch;

	if (!response || !tap_ok(imap_view_fetch(response, &fetch, NULL) == 0, "short envelope"))
		goto out;
	const struct imap_address_list *to = &fetch.envelope.to;
	tap_ok(to->n == 3, "three To entries, the junk one skipped");
	tap_ok(to->n == 3 && to->addresses[0].kind == IMAP_ADDRESS_GROUP_START &&
	       str_eq(to->addresses[0].mailbox, "undisclosed-recipients") &&
	       to->addresses[1].kind == IMAP_ADDRESS_GROUP_END &&
	       to->addresses[2].kind == IMAP_ADDRESS_MAILBOX, "group start, group end, mailbox");
	if (to->n == 3) {
		is_str(to->addresses[2].name, "=?utf-8?q?J=C3=B6rg?=", "name still RFC 2047 encoded");
		is_str(to->addresses[2].adl, "@relay", "adl");
	}
	tap_ok(fetch.envelope.cc.n == 0 && !fetch.envelope.message_id.p,
	       "missing trailing fields are NIL");
	imap_fetch_release(&fetch);
out:
	imap_response_free(response);

	static const char *bad_fetch[] = {
		"* 1 FETCH (UID)\r\n",
		"* 1 FETCH (UID 1 (X))\r\n",
		"* 1 FETCH UID 1\r\n",
		"* FETCH (UID 1)\r\n",
	};
	for (size_t i = 0; i < sizeof(bad_fetch) / sizeof(bad_fetch[0]); i++) {
		response = parse(bad_fetch[i]);
		struct imap_view_err err = { "" };
		tap_ok(response && imap_view_fetch(response, &fetch, &err) == -1,
		       "bad FETCH %zu rejected (%s)", i, err.message);
		imap_response_free(response);
	}
	static const char extensions[] = "* 9 FETCH (X-GM-LABELS (\\Inbox) UID 4 EMAILID (M6d99ac3275) "
		"THREADID NIL RFC822.HEADER {2}\r\nab BINARY[2] ~{1}\r\n\0)\r\n";
	response = parse_len(extensions, sizeof(extensions) - 1);
	if (response && tap_ok(imap_view_fetch(response, &fetch, NULL) == 0, "FETCH with extensions")) {
		tap_ok(fetch.seq == 9 && fetch.uid == 4, "unknown items skipped, UID 4 read");
		is_str(fetch.emailid, "M6d99ac3275", "EMAILID");
		is_str(fetch.threadid, NULL, "THREADID NIL");
		const struct imap_fetch_part *part = imap_fetch_part(&fetch, false, "HEADER");
		tap_ok(part && str_eq(part->data, "ab"), "RFC822.HEADER is BODY[HEADER]");
		part = imap_fetch_part(&fetch, true, "2");
		tap_ok(part && part->data.len == 1 && part->data.p[0] == '\0', "BINARY[2] with a NUL");
		imap_fetch_release(&fetch);
	}
	imap_response_free(response);
}

static void test_list_status(void)
{
	struct {
		const char *text;
		bool utf8;
		const char *name; /* NULL: rejected */
		char delimiter;
		bool selectable;
	} rows[] = {
		{ dovecot_list, false, "INBOX", '/', true },
		{ "* LIST (\\HasNoChildren) \"/\" \"Entw&APw-rfe\"\r\n", false, "Entw\303\274rfe", '/', true },
		{ "* LIST (\\HasNoChildren) \"/\" \"Entw&APw-rfe\"\r\n", true, "Entw&APw-rfe", '/', true },
		{ "* LIST () \".\" \"Entw\303\274rfe\"\r\n", true, "Entw\303\274rfe", '.', true },
		{ "* LIST () \".\" \"Entw\303\274rfe\"\r\n", false, NULL, 0, false },
		{ "* LIST () \".\" \"bad&Jjo\"\r\n", false, NULL, 0, false },
		{ "* LIST () \".\" \"\377\"\r\n", true, NULL, 0, false },
		{ "* LIST (\\Noselect \\HasChildren) NIL lists\r\n", false, "lists", 0, false },
		{ "* LSUB () \"/\" 2024\r\n", false, "2024", '/', true },
		{ "* LIST () \"/\" inbox\r\n", false, "INBOX", '/', true },
		{ "* LIST () \"/\" {7}\r\nfoo]bar\r\n", false, "foo]bar", '/', true },
		{ "* LIST () \"//\" foo\r\n", false, NULL, 0, false },
		{ "* LIST \"/\" foo\r\n", false, NULL, 0, false },
		{ "* LIST () \"/\" (foo)\r\n", false, NULL, 0, false },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct imap_response *response = parse(rows[i].text);
		struct imap_list_entry entry;
		int rc = response ? imap_view_list(response, rows[i].utf8, &entry) : -1;
		if (!rows[i].name) {
			tap_ok(rc == -1, "LIST row %zu rejected", i);
		} else if (tap_ok(rc == 0, "LIST row %zu", i)) {
			tap_is_str(entry.name, rows[i].name, "name");
			tap_ok(entry.delimiter == rows[i].delimiter &&
			       entry.selectable == rows[i].selectable, "delimiter and selectable");
			imap_list_entry_release(&entry);
		}
		imap_response_free(response);
	}

	struct {
		const char *text;
		bool utf8;
		const char *prefix; /* NULL: rejected */
		char delimiter;
	} namespaces[] = {
		{ "* NAMESPACE ((\"INBOX.\" \".\")) NIL ((\"#shared.\" \".\")(\"shared.\" \".\"))\r\n",
		  false, "INBOX.", '.' },
		{ "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n", false, "", '/' },
		{ "* NAMESPACE ((\"\" \".\")(\"Other.\" \".\")) NIL NIL\r\n", false, "", '.' },
		{ "* NAMESPACE ((\"Entw&APw-rfe/\" \"/\" \"X-PARAM\" (\"a\"))) NIL NIL\r\n", false,
		  "Entw\303\274rfe/", '/' },
		{ "* NAMESPACE ((\"Entw\303\274rfe.\" \".\")) NIL NIL\r\n", true, "Entw\303\274rfe.", '.' },
		{ "* NAMESPACE ((\"x\" NIL)) NIL NIL\r\n", false, "x", 0 },
		{ "* NAMESPACE NIL NIL ((\"\" \"/\"))\r\n", false, "", 0 },
		{ "* NAMESPACE ((\"bad&Jjo\" \".\")) NIL NIL\r\n", false, NULL, 0 },
		{ "* NAMESPACE ((\"x\" \"//\")) NIL NIL\r\n", false, NULL, 0 },
		{ "* NAMESPACE ((\"x\")) NIL NIL\r\n", false, NULL, 0 },
		{ "* NAMESPACE (\"x\" \".\") NIL NIL\r\n", false, NULL, 0 },
		{ "* NAMESPACE ((\"x\" \".\"))\r\n", false, NULL, 0 },
		{ "* NAMESPACE\r\n", false, NULL, 0 },
		{ "* LIST () \"/\" x\r\n", false, NULL, 0 },
	};
	for (size_t i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++) {
		struct imap_response *ns_response = parse(namespaces[i].text);
		struct imap_namespace namespace;
		int rc = ns_response ? imap_view_namespace(ns_response, namespaces[i].utf8,
		                                           &namespace) : -1;
		if (!namespaces[i].prefix) {
			tap_ok(rc == -1, "NAMESPACE row %zu rejected", i);
		} else if (tap_ok(rc == 0, "NAMESPACE row %zu", i)) {
			tap_is_str(namespace.prefix, namespaces[i].prefix, "personal prefix");
			tap_ok(namespace.delimiter == namespaces[i].delimiter, "its delimiter");
		}
		if (rc == 0)
			imap_namespace_release(&namespace);
		imap_response_free(ns_response);
	}

	struct imap_response *response = parse(dovecot_status);
	struct imap_status_info status;
	tap_ok(response && imap_view_status(response, &status) == 0, "Dovecot STATUS");
	tap_ok(status.has_messages && status.messages == 5 && status.uidnext == 6 &&
	       status.uidvalidity == 1795303445 && status.unseen == 5 &&
	       status.highestmodseq == 2 && status.has_size && status.size == 1859396 &&
	       !status.has_recent, "MESSAGES 5 UIDNEXT 6 UIDVALIDITY UNSEEN HIGHESTMODSEQ SIZE");
	is_str(status.mailbox, "INBOX", "STATUS mailbox");
	imap_response_free(response);
	response = parse("* STATUS x (MESSAGES 99999999999 UIDNEXT)\r\n");
	tap_ok(response && imap_view_status(response, &status) == 0 && !status.has_messages &&
	       !status.has_uidnext, "out-of-range and missing values are left out");
	imap_response_free(response);
	/* GNU imap4d: a name with blanks, unquoted (t/VIOLATIONS). */
	response = parse("* STATUS Archiv/Gr&APwA3w-e &- Co (MESSAGES 13)\r\n");
	tap_ok(response && imap_view_status(response, &status) == 0 &&
	       status.has_messages && status.messages == 13, "imap4d: unquoted name with blanks");
	is_str(status.mailbox, "Archiv/Gr&APwA3w-e &- Co", "... the whole name");
	imap_response_free(response);
	response = parse("* STATUS a b\r\n");
	tap_ok(response && imap_view_status(response, &status) < 0, "atoms without a list: not a STATUS");
	imap_response_free(response);
}

static void test_search_sort_esearch(void)
{
	struct imap_search search;
	struct imap_response *response = parse(dovecot_search);

	tap_ok(response && imap_view_search(response, &search) == 0 && search.n == 5 &&
	       search.ids[0] == 1 && search.ids[4] == 5 && !search.has_modseq, "SEARCH 1 2 3 4 5");
	imap_search_release(&search);
	imap_response_free(response);
	response = parse("* SEARCH 2 84 882 (MODSEQ 917162500)\r\n");
	tap_ok(response && imap_view_search(response, &search) == 0 && search.n == 3 &&
	       search.ids[2] == 882 && search.has_modseq && search.modseq == 917162500,
	       "SEARCH with (MODSEQ n)");
	imap_search_release(&search);
	imap_response_free(response);
	response = parse("* SORT 5 3 4\r\n");
	tap_ok(response && imap_view_sort(response, &search) == 0 && search.n == 3 &&
	       search.ids[0] == 5 && search.ids[1] == 3, "SORT keeps the server's order");
	imap_search_release(&search);
	tap_ok(imap_view_search(response, &search) == -1, "a SORT is no SEARCH");
	imap_response_free(response);
	static const char *bad[] = { "* SEARCH 0\r\n", "* SEARCH 4294967296\r\n", "* SEARCH x\r\n",
	                             "* SEARCH (MODSEQ 1) 2\r\n" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		response = parse(bad[i]);
		tap_ok(response && imap_view_search(response, &search) == -1, "bad SEARCH %zu", i);
		imap_response_free(response);
	}

	struct imap_esearch es;
	struct imap_view_err err = { "" };
	response = parse(dovecot_esearch_all);
	tap_ok(response && imap_view_esearch(response, 1000, &es, &err) == 0, "Dovecot ESEARCH");
	is_str(es.tag, "f", "TAG f");
	tap_ok(!es.uid && es.has_min && es.min == 1 && es.has_max && es.max == 5 &&
	       es.has_count && es.count == 5, "MIN 1 MAX 5 COUNT 5");
	tap_ok(es.has_all && es.nall == 5 && es.all[0] == 1 && es.all[4] == 5, "ALL 1:5 expanded");
	imap_esearch_release(&es);
	imap_response_free(response);

	response = parse(dovecot_esearch_partial);
	tap_ok(response && imap_view_esearch(response, 1000, &es, &err) == 0 && es.uid &&
	       es.has_partial && es.partial_lo == 1 && es.partial_hi == 2 && es.npartial == 2 &&
	       es.partial[1] == 2, "Dovecot UID PARTIAL (1:2 1:2)");
	imap_esearch_release(&es);
	imap_response_free(response);

	response = parse("* ESEARCH (TAG \"a\") UID ALL 7,3:1,10:11 PARTIAL (-1:-3 NIL) MODSEQ 9\r\n");
	tap_ok(response && imap_view_esearch(response, 1000, &es, &err) == 0, "ESEARCH mixed");
	tap_ok(es.nall == 6 && es.all[0] == 7 && es.all[1] == 3 && es.all[3] == 1 &&
	       es.all[5] == 11, "ALL 7,3:1,10:11 in order");
	tap_ok(es.partial_lo == -1 && es.partial_hi == -3 && es.npartial == 0 &&
	       es.has_modseq && es.modseq == 9, "negative PARTIAL range, NIL set, MODSEQ");
	imap_esearch_release(&es);
	imap_response_free(response);

	static const char *hostile[] = {
		"* ESEARCH ALL 1:4294967295\r\n",
		"* ESEARCH ALL 1:500,600:1200\r\n",
		"* ESEARCH ALL 0:3\r\n",
		"* ESEARCH ALL 1:\r\n",
		"* ESEARCH ALL 1,,2\r\n",
		"* ESEARCH MIN\r\n",
		"* ESEARCH MIN x\r\n",
		"* ESEARCH PARTIAL (1 2)\r\n",
	};
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		response = parse(hostile[i]);
		tap_ok(response && imap_view_esearch(response, 1000, &es, &err) == -1,
		       "hostile ESEARCH %zu rejected (%s)", i, err.message);
		imap_response_free(response);
	}
}

static void test_thread(void)
{
	/* The view hands the thread-list over; thread.c reads it (t0100). */
	struct {
		const char *text, *list;
	} rows[] = {
		{ dovecot_thread, "(1)(5)(3)(2)(4)" },
		{ "* THREAD (2)(3 6 (4 23)(44 7 96))\r\n", "(2)(3 6 (4 23)(44 7 96))" },
		{ "* thread ((3)(5))\r\n", "((3)(5))" },
		{ "* THREAD\r\n", "" },
		{ "* THREAD (1 x)\r\n", NULL },
		{ "* THREAD {3}\r\n(1)\r\n", NULL },
		{ "* SORT 1 2\r\n", NULL },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct imap_response *response = parse(rows[i].text);
		struct str list;
		int rc = response ? imap_view_thread(response, &list) : -1;
		if (!rows[i].list) {
			tap_ok(rc == -1, "THREAD row %zu: no thread-list", i);
		} else if (tap_ok(rc == 0, "THREAD row %zu", i)) {
			char *got = str_dup(list);
			tap_is_str(got, rows[i].list, "the thread-list after the atom");
			free(got);
			tap_ok(response->ndata == 1 && response->nodes,
			       "packed: the atom is the only node");
		}
		imap_response_free(response);
	}
}

static void test_misc(void)
{
	struct imap_response *response = parse(dovecot_greeting);
	struct imap_caps caps;

	tap_ok(response && response->status == IMAP_PREAUTH &&
	       imap_view_capability(response, &caps) == 0, "capabilities from the PREAUTH code");
	tap_ok(imap_caps_has(&caps, "imap4rev1") && imap_caps_has(&caps, "THREAD=REFERENCES") &&
	       imap_caps_has(&caps, "LITERAL+") && !imap_caps_has(&caps, "THREAD"),
	       "IMAP4rev1, THREAD=REFERENCES, LITERAL+; not THREAD");
	imap_caps_release(&caps);
	imap_response_free(response);
	response = parse("* CAPABILITY IMAP4rev2 SORT\r\n");
	tap_ok(response && imap_view_capability(response, &caps) == 0 && caps.n == 2 &&
	       imap_caps_has(&caps, "SORT") && imap_view_kind(response) == IMAP_VIEW_CAPABILITY,
	       "* CAPABILITY");
	imap_caps_release(&caps);
	imap_response_free(response);

	uint64_t value = 0;
	response = parse(dovecot_uidvalidity);
	tap_ok(response && imap_view_code_number(response, "UIDVALIDITY", &value) == 0 &&
	       value == 1795303445, "[UIDVALIDITY 1795303445]");
	tap_ok(imap_view_code_number(response, "UIDNEXT", &value) == -1, "no UIDNEXT there");
	imap_response_free(response);
	response = parse(dovecot_uidnext);
	tap_ok(response && imap_view_code_number(response, "UIDNEXT", &value) == 0 && value == 6,
	       "[UIDNEXT 6]");
	imap_response_free(response);
	response = parse(dovecot_highestmodseq);
	tap_ok(response && imap_view_code_number(response, "HIGHESTMODSEQ", &value) == 0 &&
	       value == 2, "[HIGHESTMODSEQ 2]");
	imap_response_free(response);
	response = parse(dovecot_examine_ok);
	tap_ok(response && imap_view_code(response, "READ-ONLY", NULL) &&
	       !imap_view_is_bye(response), "tagged OK [READ-ONLY]");
	imap_response_free(response);
	response = parse(dovecot_bye);
	tap_ok(response && imap_view_is_bye(response), "* BYE");
	imap_response_free(response);

	uint32_t number = 0;
	response = parse(dovecot_exists);
	tap_ok(response && imap_view_numbered(response, "EXISTS", &number) == 0 && number == 5 &&
	       imap_view_kind(response) == IMAP_VIEW_EXISTS, "* 5 EXISTS");
	tap_ok(imap_view_numbered(response, "EXPUNGE", &number) == -1, "not EXPUNGE");
	imap_response_free(response);
	response = parse("* 5000000000 EXISTS\r\n");
	tap_ok(response && imap_view_numbered(response, "EXISTS", &number) == -1,
	       "EXISTS beyond 32 bits rejected");
	imap_response_free(response);

	struct imap_flags flags;
	response = parse(dovecot_flags);
	tap_ok(response && imap_view_flags(response, &flags) == 0 && flags.n == 5 &&
	       imap_flags_has(&flags, "\\Draft"), "Dovecot FLAGS, 5 of them");
	imap_flags_release(&flags);
	imap_response_free(response);
	response = parse(dovecot_permflags);
	const struct imap_node *args = NULL;
	tap_ok(response && imap_view_code(response, "PERMANENTFLAGS", &args) && args &&
	       args->type == IMAP_LIST && args->nchildren == 0, "[PERMANENTFLAGS ()]");
	imap_response_free(response);
}

/* The UID read alone, as the full view reads it, wherever it stands. */
static void test_fetch_uid_peek(void)
{
	static const struct {
		const char *line;
		bool found;
		uint32_t uid;
	} rows[] = {
		{ "* 3 FETCH (UID 17 FLAGS (\\Seen))\r\n", true, 17 },
		{ "* 3 FETCH (FLAGS (\\Seen) RFC822.SIZE 44 UID 4294967295)\r\n", true, 4294967295u },
		{ "* 3 FETCH (BODY[1] {3}\r\nUID UID 5)\r\n", true, 5 },
		{ "* 3 FETCH (FLAGS ())\r\n", false, 0 },
		{ "* 3 FETCH (UID 4294967296)\r\n", false, 0 },
		{ "* 3 FETCH (UID)\r\n", false, 0 },
		{ "* 3 EXISTS\r\n", false, 0 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct imap_response *r = parse(rows[i].line);
		uint32_t uid = 0;
		bool found = r && imap_view_fetch_uid(r, &uid);
		tap_ok(found == rows[i].found && uid == rows[i].uid,
		       "UID peek row %zu: %s %u", i, found ? "found" : "none", uid);
		if (r && found) {
			struct imap_fetch view;
			struct imap_view_err err;
			tap_ok(imap_view_fetch(r, &view, &err) == 0 && view.uid == uid,
			       "... the full view agrees");
			imap_fetch_release(&view);
		}
		imap_response_free(r);
	}
}

int main(void)
{
	test_fetch_uid_peek();
	test_fetch_torture();
	test_fetch_calendar_and_sections();
	test_bodystructure_rows();
	test_bodystructure_limits();
	test_envelope_groups();
	test_list_status();
	test_search_sort_esearch();
	test_thread();
	test_misc();
	return tap_done();
}
