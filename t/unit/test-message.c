/*
 * A summary read from its header fields (MESSAGE_INFO_ITEMS), and
 * ENVELOPE addresses as the pages get them (message_info_from_fetch):
 * servers' placeholders for a missing local part or domain never shown,
 * group markers never taken for addresses, a NIL host without a group end
 * read as an address without a domain.  Rows are address lists as servers
 * send them (Dovecot's from a real store), put in From, To and Cc.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap_view.h"
#include "message.h"
#include "../tap.h"

struct row {
	const char *name;
	const char *list;       /* an ENVELOPE address list */
	const char *expected;   /* "Name <address>" or "<address>", ", " joined */
};

static const struct row rows[] = {
	/* Dovecot 2.3, for the header in the row's name. */
	{ "From: foo (Dovecot)", "((NIL NIL \"foo\" \"MISSING_DOMAIN\"))", "<foo>" },
	{ "To: foo@ (Dovecot)", "((NIL NIL \"foo\" \"MISSING_DOMAIN\"))", "<foo>" },
	{ "From: \"Name Only\" <foo> (Dovecot)",
	  "((\"Name Only\" NIL \"foo\" \"MISSING_DOMAIN\"))", "Name Only <foo>" },
	{ "Cc: @bar (Dovecot)", "((NIL NIL \"MISSING_MAILBOX\" \"bar\"))", "<@bar>" },
	{ "From: <@example.org> (Dovecot)",
	  "((NIL \"INVALID_ROUTE\" \"MISSING_MAILBOX\" \"MISSING_DOMAIN\"))", "<>" },
	{ "From: <> (Dovecot)", "((NIL NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\"))", "<>" },
	{ "To: \"Just A Name\" (Dovecot)",
	  "((\"Just A Name\" NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\"))", "Just A Name <>" },
	{ "To: undisclosed-recipients:; (Dovecot)",
	  "((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL))", "" },
	{ "To: Friends: a, \"B\" <b>;, c (Dovecot)",
	  "((NIL NIL \"Friends\" NIL)(NIL NIL \"a\" \"example.org\")(\"B\" NIL \"b\" \"example.org\")"
	  "(NIL NIL NIL NIL)(NIL NIL \"c\" \"example.org\"))",
	  "<a@example.org>, B <b@example.org>, <c@example.org>" },
	{ "From: foo@bar, baz (Dovecot)",
	  "((NIL NIL \"foo\" \"bar\")(NIL NIL \"baz\" \"MISSING_DOMAIN\"))", "<foo@bar>, <baz>" },
	{ "Cc: \"x\" <@a,@b:c@d> (Dovecot: route dropped)",
	  "((\"x\" \"@a,@b\" \"c\" \"d\"))", "x <c@d>" },
	{ "an encoded name with no domain",
	  "((\"=?utf-8?q?J=C3=B6rg?=\" NIL \"j\" \"MISSING_DOMAIN\"))", "J\xc3\xb6rg <j>" },
	{ "placeholders in lower case", "((NIL NIL \"foo\" \"missing_domain\"))", "<foo>" },
	/* UW imapd (c-client) and Cyrus. */
	{ "UW: .MISSING-HOST-NAME.", "((NIL NIL \"foo\" \".MISSING-HOST-NAME.\"))", "<foo>" },
	{ "UW: INVALID_ADDRESS@.SYNTAX-ERROR.",
	  "((\"N\" NIL \"INVALID_ADDRESS\" \".SYNTAX-ERROR.\"))", "N <>" },
	{ "UW: UNEXPECTED_DATA_AFTER_ADDRESS@.SYNTAX-ERROR.",
	  "((NIL NIL \"a\" \"x.org\")(NIL NIL \"UNEXPECTED_DATA_AFTER_ADDRESS\" \".SYNTAX-ERROR.\"))",
	  "<a@x.org>, <>" },
	{ "Cyrus: unspecified-domain", "((NIL NIL \"foo\" \"unspecified-domain\"))", "<foo>" },
	{ "Cyrus: unknown-user@unspecified-domain",
	  "((NIL NIL \"unknown-user\" \"unspecified-domain\"))", "<>" },
	{ "a real unknown-user@ a real domain stays",
	  "((NIL NIL \"unknown-user\" \"example.org\"))", "<unknown-user@example.org>" },
	{ "a real INVALID_ADDRESS@ a real domain stays",
	  "((NIL NIL \"INVALID_ADDRESS\" \"example.org\"))", "<INVALID_ADDRESS@example.org>" },
	/* NIL host: a group only when an end follows. */
	{ "NIL host, no group end: an address without a domain",
	  "((NIL NIL \"foo\" NIL))", "<foo>" },
	{ "named, NIL host, then an address",
	  "((\"Foo\" NIL \"foo\" NIL)(NIL NIL \"bar\" \"x.org\"))", "Foo <foo>, <bar@x.org>" },
	{ "a group, then a NIL-host address",
	  "((NIL NIL \"g\" NIL)(NIL NIL \"a\" \"x\")(NIL NIL NIL NIL)(NIL NIL \"foo\" NIL))",
	  "<a@x>, <foo>" },
	{ "a NIL-host address, then a group",
	  "((NIL NIL \"foo\" NIL)(NIL NIL \"g\" NIL)(NIL NIL \"a\" \"x\")(NIL NIL NIL NIL))",
	  "<foo>, <a@x>" },
	{ "a stray group end", "((NIL NIL NIL NIL)(NIL NIL \"a\" \"x\"))", "<a@x>" },
	{ "an empty host", "((NIL NIL \"foo\" \"\"))", "<foo>" },
	{ "ordinary", "((\"A B\" NIL \"a\" \"example.org\"))", "A B <a@example.org>" },
	{ "hostile name kept for the escaper",
	  "((\"<\\\"'&>\" NIL \"a\" \"b\"))", "<\"'&> <a@b>" },
	{ "NIL list", "NIL", "" },
};

static void describe(struct buf *out, const struct message_addrs *addrs)
{
	for (size_t i = 0; i < addrs->n; i++) {
		const struct message_addr *addr = &addrs->items[i];
		buf_addf(out, "%s%s%s<%s>", i ? ", " : "", addr->name ? addr->name : "",
		         addr->name ? " " : "", addr->address);
	}
}

static void test_row(const struct row *row)
{
	struct buf text = BUF_INIT, from = BUF_INIT, to = BUF_INIT, cc = BUF_INIT;
	struct imap_response *response;
	struct message_info info;
	char error[128] = "";

	buf_addf(&text, "* 1 FETCH (UID 9 ENVELOPE (NIL \"s\" %s NIL NIL %s %s NIL NIL NIL))\r\n",
	         row->list, row->list, row->list);
	response = imap_response_parse(buf_cstr(&text), text.len, 1 << 20, error,
	                               sizeof(error));
	if (!tap_ok(response != NULL, "%s: parses", row->name)) {
		tap_diag("%s", error);
		goto out;
	}
	if (!tap_ok(message_info_from_fetch(&info, response) == 0, "%s: a message", row->name))
		goto out;
	describe(&from, &info.from);
	describe(&to, &info.to);
	describe(&cc, &info.cc);
	tap_is_str(buf_cstr(&from), row->expected, row->name);
	tap_ok(!strcmp(buf_cstr(&from), buf_cstr(&to)) && !strcmp(buf_cstr(&to), buf_cstr(&cc)),
	       "%s: the same in From, To and Cc", row->name);
	for (size_t i = 0; i < info.from.n; i++)
		if (strstr(info.from.items[i].address, "MISSING") ||
		    strstr(info.from.items[i].address, "SYNTAX-ERROR") ||
		    strstr(info.from.items[i].address, "unspecified-domain"))
			tap_ok(0, "%s: a placeholder shown: %s", row->name,
			       info.from.items[i].address);
	message_info_release(&info);
out:
	imap_response_free(response);
	buf_release(&text);
	buf_release(&from);
	buf_release(&to);
	buf_release(&cc);
}

/* An embedded message's ENVELOPE goes the same way. */
static void test_embedded(void)
{
	const char *text =
		"* 1 FETCH (UID 9 BODYSTRUCTURE (\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 100 "
		"(NIL \"s\" ((NIL NIL \"foo\" \"MISSING_DOMAIN\")) NIL NIL "
		"((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) NIL NIL NIL NIL) "
		"(\"text\" \"plain\" NIL NIL NIL \"7bit\" 10 1 NIL NIL NIL NIL) 5 NIL NIL NIL NIL))\r\n";
	char error[128] = "";
	struct imap_response *response = imap_response_parse(text, strlen(text), 1 << 20,
	                                                     error, sizeof(error));
	struct imap_fetch fetch;

	if (!tap_ok(response && imap_view_fetch(response, &fetch, NULL) == 0,
	            "embedded: a FETCH view"))
		goto out;
	struct message_info info;
	memset(&info, 0, sizeof(info));
	message_info_take_envelope(&info, fetch.body->envelope);
	tap_ok(info.from.n == 1 && !strcmp(info.from.items[0].address, "foo"),
	       "embedded: From: foo");
	tap_ok(info.to.n == 0, "embedded: an empty group is no address");
	message_info_release(&info);
	imap_fetch_release(&fetch);
out:
	imap_response_free(response);
}

/* INTERNALDATE as Dovecot writes it, and as others do; bad ones ignored. */
static void test_internaldate(void)
{
	static const struct {
		const char *date;
		long long want;   /* -1: no date taken */
	} dates[] = {
		{ "\"03-Dec-2026 22:38:12 +0000\"", 1796337492 },
		{ "\" 3-Dec-2026 22:38:12 +0000\"", 1796337492 },
		{ "\"04-Dec-2026 00:08:12 +0130\"", 1796337492 },
		{ "\"03-Dec-2026 17:38:12 -0500\"", 1796337492 },
		{ "\"01-Jan-1970 00:00:00 +0000\"", 0 },
		{ "\"03-Dex-2026 22:38:12 +0000\"", -1 },
		{ "\"03-dec-2026 22:38:12 +0000\"", -1 },
		{ "\"03-Dec-2026 22:38 +0000\"", -1 },
		{ "\"03-Dec-2026 22:38:12\"", -1 },
		{ "\"03-Dec-2026 22:38:12 0000\"", -1 },
		{ "\"\"", -1 },
	};
	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		struct buf text = BUF_INIT;
		struct imap_response *response;
		struct message_info info;
		char error[128] = "";

		buf_addf(&text, "* 1 FETCH (UID 9 INTERNALDATE %s)\r\n", dates[i].date);
		response = imap_response_parse(buf_cstr(&text), text.len, 1 << 20, error,
		                               sizeof(error));
		if (response && message_info_from_fetch(&info, response) == 0) {
			long long got = info.internaldate ? (long long)info.internaldate
			                                  : (info.has_date ? 0 : -1);
			tap_ok(got == dates[i].want, "INTERNALDATE %s: %lld", dates[i].date, got);
			message_info_release(&info);
		} else {
			tap_ok(0, "INTERNALDATE %s: a message", dates[i].date);
		}
		imap_response_free(response);
		buf_release(&text);
	}
}

/* Parse text as one FETCH response and read it as a message_info: 0 or -1. */
static int info_of(const char *text, struct message_info *info)
{
	char error[128] = "";
	struct imap_response *response = imap_response_parse(text, strlen(text), 1 << 20,
	                                                     error, sizeof(error));
	int rc = response ? message_info_from_fetch(info, response) : -1;

	if (!response)
		tap_diag("%s", error);
	imap_response_free(response);
	return rc;
}

/*
 * A summary as the pages ask for it (MESSAGE_INFO_ITEMS: the header
 * fields, no ENVELOPE): folded, encoded, repeated and broken fields.
 */
static void test_summary_fields(void)
{
	static const char header[] =
		"Date: Tue, 3 Mar 2020 10:20:30 +0100\r\n"
		"Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?= and\r\n"
		"  folded  text \r\n"
		"From: \"Doe, Jane\" <jane@example.org>\r\n"
		"To: a@example.org, B <b@example.org>\r\n"
		"Cc: team: c@example.org;\r\n"
		"Message-ID: <id-1@example.org>\r\n"
		"In-Reply-To: <parent@example.org> (the parent)\r\n"
		"Subject: the second Subject is ignored\r\n"
		"\r\n";
	struct buf text = BUF_INIT;
	struct message_info info;

	buf_addf(&text, "* 4 FETCH (UID 40 INTERNALDATE \"01-Jan-2021 00:00:00 +0000\" "
	         "BODY[%s] {%zu}\r\n%s)\r\n",
	         MESSAGE_SUMMARY_FIELDS, strlen(header), header);
	if (!tap_ok(info_of(buf_cstr(&text), &info) == 0, "summary fields: a message"))
		goto out;
	tap_ok(info.uid == 40 && info.internaldate == 1609459200,
	       "summary fields: UID and INTERNALDATE");
	tap_ok(info.has_date && info.date == 1583227230, "summary fields: Date, not INTERNALDATE");
	tap_is_str(info.subject, "Gr\xc3\xbc\xc3\x9f" "e and  folded  text",
	           "summary fields: Subject decoded, unfolded, trimmed, the first");
	tap_ok(info.from.n == 1 && !strcmp(info.from.items[0].name, "Doe, Jane") &&
	       !strcmp(info.from.items[0].address, "jane@example.org"), "summary fields: From");
	tap_ok(info.to.n == 2 && !info.to.items[0].name &&
	       !strcmp(info.to.items[1].address, "b@example.org"), "summary fields: To");
	tap_ok(info.cc.n == 1 && !strcmp(info.cc.items[0].address, "c@example.org"),
	       "summary fields: Cc, a group's member");
	tap_is_str(info.message_id ? info.message_id : "(none)", "id-1@example.org",
	           "summary fields: Message-ID");
	tap_is_str(info.in_reply_to ? info.in_reply_to : "(none)", "parent@example.org",
	           "summary fields: In-Reply-To");
	message_info_release(&info);

	/* No fields at all: INTERNALDATE stands, the subject is empty. */
	buf_reset(&text);
	buf_addf(&text, "* 4 FETCH (UID 41 INTERNALDATE \"01-Jan-2021 00:00:00 +0000\" "
	         "BODY[%s] {2}\r\n\r\n)\r\n", MESSAGE_SUMMARY_FIELDS);
	if (tap_ok(info_of(buf_cstr(&text), &info) == 0, "no fields: a message")) {
		tap_ok(info.has_date && info.date == 1609459200 && !strcmp(info.subject, "") &&
		       !info.from.n && !info.message_id, "no fields: INTERNALDATE, nothing else");
		message_info_release(&info);
	}

	/* With an ENVELOPE too (a server's own answer), the ENVELOPE's stand. */
	buf_reset(&text);
	buf_addf(&text, "* 4 FETCH (UID 42 ENVELOPE (NIL \"env subject\" NIL NIL NIL NIL NIL "
	         "NIL NIL NIL) BODY[%s] {%zu}\r\n%s)\r\n", MESSAGE_HEADER_FIELDS,
	         strlen(header), header);
	if (tap_ok(info_of(buf_cstr(&text), &info) == 0, "with an ENVELOPE: a message")) {
		tap_is_str(info.subject, "env subject", "with an ENVELOPE: its Subject");
		tap_is_str(info.in_reply_to ? info.in_reply_to : "(none)", "parent@example.org",
		           "with an ENVELOPE: In-Reply-To from the fields, the ENVELOPE had none");
		message_info_release(&info);
	}
out:
	buf_release(&text);
}

int main(void)
{
	test_internaldate();
	test_summary_fields();
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		test_row(&rows[i]);
	test_embedded();
	return tap_done();
}
