/*
 * "/MBOX/UID": one message with its decoded headers, its text and the list
 * of its parts; "/MBOX/UID/raw": its exact bytes.
 */
#include "page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "charset.h"
#include "message.h"
#include "mailtext.h"
#include "mime.h"
#include "outline.h"
#include "partlist.h"
#include "rfc2231.h"
#include "rfc5322.h"

/* An address list longer than this shows its first ADDR_SHOWN, the rest folded. */
#define ADDR_FOLD 6
#define ADDR_SHOWN 3

static void json_addrs(struct json *json, const char *key,
                       const struct message_addrs *addrs)
{
	json_key(json, key);
	json_array_begin(json);
	for (size_t i = 0; i < addrs->n; i++)
		page_json_addr(json, &addrs->items[i]);
	json_array_end(json);
}

static void header_row(struct tmpl_vars *vars, const char *name,
                       const char *value)
{
	struct tmpl_vars *row = tmpl_vars_add_item(vars, "headers");
	tmpl_vars_set_str(row, "name", name);
	tmpl_vars_set_str(row, "value", value);
}

static void add_addr(struct page *page, struct buf *out,
                     const struct message_addr *addr)
{
	if (out->len)
		buf_addstr(out, ", ");
	if (addr->name && addr->name[0])
		buf_addf(out, "%s <", addr->name);
	page_shown_address(page, addr, out);
	if (addr->name && addr->name[0])
		buf_addch(out, '>');
}

/*
 * "Name <address>, ..." as one header row (addresses obfuscated); a long
 * list shows its first ADDR_SHOWN and folds the rest ("more").
 */
static void header_addrs(struct page *page, struct tmpl_vars *vars,
                         const char *name, const struct message_addrs *addrs)
{
	struct buf value = BUF_INIT, more = BUF_INIT;
	size_t shown = addrs->n > ADDR_FOLD ? ADDR_SHOWN : addrs->n;

	for (size_t i = 0; i < addrs->n; i++)
		add_addr(page, i < shown ? &value : &more, &addrs->items[i]);
	if (value.len) {
		struct tmpl_vars *row = tmpl_vars_add_item(vars, "headers");
		tmpl_vars_set_str(row, "name", name);
		tmpl_vars_set_str(row, "value", buf_cstr(&value));
		if (more.len) {
			tmpl_vars_set_str(row, "more", buf_cstr(&more));
			tmpl_vars_set_uint(row, "more_count", addrs->n - shown);
		}
	}
	buf_release(&value);
	buf_release(&more);
}

/* "Wed, 1 May 2019 19:38 UTC": the date as people read it. */
static void date_for_people(struct buf *out, time_t when)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	struct tm tm;

	if (!gmtime_r(&when, &tm))
		return;
	buf_addf(out, "%s, %d %s %d %02d:%02d UTC", days[tm.tm_wday], tm.tm_mday,
	         rfc5322_months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
}

/*
 * A reply as a mailto: URL (RFC 6068) to the list of the List-Post header,
 * with Subject, In-Reply-To and References; false when the message names
 * no list, or addresses are hidden (obfuscate).
 */
static bool reply_url(struct page *page, const struct message_info *info,
                      struct buf *out)
{
	struct buf field = BUF_INIT;

	if (!info->list_post || page->conf->obfuscate)
		return false;
	buf_addstr(out, "mailto:");
	html_url_query(out, info->list_post, strlen(info->list_post));
	buf_addstr(out, "?subject=");
	if (info->subject && strncasecmp(info->subject, "Re:", 3) != 0)
		buf_addstr(&field, "Re: ");
	buf_addstr(&field, info->subject ? info->subject : "");
	html_url_query(out, field.p, field.len);
	if (info->message_id) {
		buf_reset(&field);
		buf_addf(&field, "<%s>", info->message_id);
		buf_addstr(out, "&In-Reply-To=");
		html_url_query(out, field.p, field.len);
		buf_reset(&field);
		for (size_t i = 0; i < info->nreferences; i++)
			buf_addf(&field, "<%s> ", info->references[i]);
		buf_addf(&field, "<%s>", info->message_id);
		buf_addstr(out, "&References=");
		html_url_query(out, field.p, field.len);
	}
	buf_release(&field);
	return true;
}

/* The message's Message-ID permalink (/MBOX/m/MSGID), if it has one. */
static bool permalink_url(struct page *page, const struct message_info *info,
                          struct buf *out)
{
	struct html_url url = { .mailbox = page->route->mailbox,
	                        .suffix = HTML_URL_MSGID,
	                        .message_id = info->message_id };

	if (!info->message_id || !info->message_id[0])
		return false;
	page_url(page, out, &url);
	return true;
}

static int send_json(struct page *page, const struct message_info *info,
                     const struct message_parts *parts, const struct buf *text,
                     const struct outline *outline, const struct archive_also *also)
{
	struct buf body = BUF_INIT, url = BUF_INIT, date = BUF_INIT;
	struct json json;
	int rc;
	struct html_url thread = { .mailbox = page->route->mailbox,
	                           .uid = info->uid, .suffix = HTML_URL_THREAD };
	struct html_url raw = thread;

	raw.suffix = HTML_URL_RAW;
	json_init(&json, &body);
	json_object_begin(&json);
	json_kv_string(&json, "mailbox", page->route->mailbox_label);
	json_kv_uint(&json, "uid", info->uid);
	json_kv_string(&json, "message_id", info->message_id);
	json_kv_string(&json, "subject", info->subject);
	json_key(&json, "date");
	if (info->has_date) {
		message_format_date(&date, info->date);
		json_string(&json, buf_cstr(&date));
	} else {
		json_null(&json);
	}
	json_addrs(&json, "from", &info->from);
	json_addrs(&json, "to", &info->to);
	json_addrs(&json, "cc", &info->cc);
	json_kv_string(&json, "in_reply_to", info->in_reply_to);
	json_key(&json, "references");
	json_array_begin(&json);
	for (size_t i = 0; i < info->nreferences; i++)
		json_string(&json, info->references[i]);
	json_array_end(&json);
	json_key(&json, "text");
	json_stringn(&json, buf_cstr(text), text->len);
	partlist_json(page, &json, info->uid, parts);
	buf_reset(&url);
	page_url(page, &url, &thread);
	json_kv_string(&json, "thread_url", buf_cstr(&url));
	buf_reset(&url);
	page_url(page, &url, &raw);
	json_kv_string(&json, "raw_url", buf_cstr(&url));
	page_message_nav(page, NULL, &json, info->uid);
	buf_reset(&url);
	json_kv_string(&json, "permalink", permalink_url(page, info, &url)
	                                       ? buf_cstr(&url) : NULL);
	buf_reset(&url);
	json_kv_string(&json, "reply", reply_url(page, info, &url) ? buf_cstr(&url) : NULL);
	outline_show(page, outline, also->infos, also->ninfos, NULL, &json);
	json_object_end(&json);
	rc = page_send_json(page, &json, &body);
	buf_release(&body);
	buf_release(&url);
	buf_release(&date);
	return rc;
}

/* An embedded message's headers as the page shows them (obfuscated). */
static void embedded_headers(struct page *page, struct mailtext_doc *doc,
                             const struct message_part *part)
{
	const struct message_info *info = part->embedded;
	const struct message_addrs *lists[] = { &info->from, &info->to, &info->cc };
	const char *list_names[] = { "From", "To", "Cc" };
	const char *names[5];
	struct buf values[5];
	const char *value_ptrs[5];
	size_t n = 0;

	for (size_t l = 0; l < 3; l++) {
		if (!lists[l]->n)
			continue;
		buf_init(&values[n]);
		for (size_t i = 0; i < lists[l]->n; i++) {
			const struct message_addr *addr = &lists[l]->items[i];
			if (i)
				buf_addstr(&values[n], ", ");
			if (addr->name)
				buf_addf(&values[n], "%s <", addr->name);
			page_shown_address(page, addr, &values[n]);
			if (addr->name)
				buf_addch(&values[n], '>');
		}
		names[n++] = list_names[l];
	}
	if (info->has_date) {
		buf_init(&values[n]);
		date_for_people(&values[n], info->date);
		names[n++] = "Date";
	}
	buf_init(&values[n]);
	buf_addstr(&values[n], info->subject ? info->subject : "");
	names[n++] = "Subject";
	for (size_t i = 0; i < n; i++)
		value_ptrs[i] = buf_cstr(&values[i]);
	mailtext_doc_message(doc, part->section, names, value_ptrs, n);
	for (size_t i = 0; i < n; i++)
		buf_release(&values[i]);
}

/*
 * The body as HTML: text parts through the mail-text renderer, Markdown
 * through cmark (safe mode), embedded messages with their headers.
 */
static void body_html(struct page *page, struct tmpl_vars *vars,
                      const struct mime_body *body, const char *note)
{
	struct mailtext_opts opts = { .obfuscate = page->conf->obfuscate };
	struct mailtext_doc doc;

	mailtext_doc_init(&doc, &opts);
	for (size_t i = 0; i < body->n; i++) {
		const struct mime_segment *segment = &body->items[i];
		const struct buf *text = &segment->text;
		mailtext_doc_enter(&doc, segment->part->section);
		switch (segment->kind) {
		case MIME_SEGMENT_MESSAGE:
			embedded_headers(page, &doc, segment->part);
			break;
		case MIME_SEGMENT_MARKDOWN:
			mailtext_doc_markdown(&doc, buf_cstr(text), text->len);
			break;
		case MIME_SEGMENT_NOTE:
			mailtext_doc_note(&doc, buf_cstr(text));
			break;
		case MIME_SEGMENT_TEXT:
			mailtext_doc_text(&doc, buf_cstr(text), text->len);
			break;
		}
	}
	if (note)
		mailtext_doc_note(&doc, note);
	else if (!body->n)
		mailtext_doc_note(&doc, "This message has no text to show; "
		                        "its parts are listed below.");
	mailtext_doc_set_var(&doc, vars, "body");
	mailtext_doc_release(&doc);
}

static int send_html(struct page *page, const struct message_info *info,
                     const struct message_parts *parts,
                     const struct mime_body *body, const char *note,
                     const struct outline *outline, const struct archive_also *also)
{
	struct tmpl_vars *vars = tmpl_vars_new();
	struct buf scratch = BUF_INIT;
	int rc;
	struct html_url link = { .root = page->root,
	                         .mailbox = page->route->mailbox,
	                         .uid = info->uid };

	tmpl_vars_set_str(vars, "title", info->subject && info->subject[0]
	                                     ? info->subject : "(no subject)");
	page_vars_summary(page, vars, info, "");
	tmpl_vars_set_list(vars, "headers");
	header_addrs(page, vars, "From", &info->from);
	header_addrs(page, vars, "To", &info->to);
	header_addrs(page, vars, "Cc", &info->cc);
	if (info->has_date) {
		struct tmpl_vars *row = tmpl_vars_add_item(vars, "headers");
		tmpl_vars_set_str(row, "name", "Date");
		date_for_people(&scratch, info->date);
		tmpl_vars_set_str(row, "value", buf_cstr(&scratch));
		buf_reset(&scratch);
		message_format_date(&scratch, info->date);
		tmpl_vars_set_str(row, "when", buf_cstr(&scratch));
	}
	if (info->message_id)
		header_row(vars, "Message-ID", info->message_id);
	buf_reset(&scratch);
	if (permalink_url(page, info, &scratch))
		tmpl_vars_set_str(vars, "permalink_url", buf_cstr(&scratch));
	buf_reset(&scratch);
	if (reply_url(page, info, &scratch))
		tmpl_vars_set_str(vars, "reply_url", buf_cstr(&scratch));
	body_html(page, vars, body, note);
	partlist_vars(page, vars, info->uid, parts);
	link.suffix = HTML_URL_RAW;
	tmpl_vars_set_url(vars, "raw_url", &link);
	link.suffix = HTML_URL_THREAD;
	tmpl_vars_set_url(vars, "thread_url", &link);
	page_message_nav(page, vars, NULL, info->uid);
	outline_show(page, outline, also->infos, also->ninfos, vars, NULL);
	rc = page_render(page, "message.html", vars);
	tmpl_vars_free(vars);
	buf_release(&scratch);
	return rc;
}

/*
 * A message page's mail: the message with its text, and the summaries of
 * its thread's outline, planned from the threads as the session knew
 * them when asked.
 */
struct message_mail {
	struct archive_message msg;
	struct outline outline;
	struct archive_also also;
	struct archive_pending *pending; /* sent ahead, not yet read */
};

static void message_mail_plan(struct page *page, struct message_mail *mail)
{
	outline_plan(page, page->route->uid, &mail->outline);
	mail->also.uids = mail->outline.uids;
	mail->also.n = mail->outline.nuids;
	mail->msg.uid = page->route->uid;
}

static void message_mail_release(struct page *page, struct message_mail *mail)
{
	archive_pending_free(page->archive, mail->pending);
	mail->pending = NULL;
	archive_summaries_free(mail->also.infos, mail->also.ninfos);
	mail->also = (struct archive_also){ 0 };
	outline_release(&mail->outline);
	archive_message_release(&mail->msg);
}

static void ahead_release(struct page *page)
{
	message_mail_release(page, page->ahead);
	free(page->ahead);
	page->ahead = NULL;
}

/*
 * Ahead of the gateway's stamp (route.h): the message and its outline's
 * summaries sent before the NOOP, which then costs no round trip of its
 * own; a message page is one round trip to the imapd, not two.
 */
void page_message_ahead(struct page *page)
{
	struct message_mail *mail = xcalloc(1, sizeof(*mail));

	message_mail_plan(page, mail);
	mail->pending = archive_messages_send(page->archive, &mail->msg, 1, &mail->also);
	page->ahead = mail;
	page->ahead_release = ahead_release;
}

int page_message(struct page *page)
{
	struct message_mail own = { 0 };
	struct message_mail *mail = page->ahead ? page->ahead : &own;
	struct session_err err = { 0 };
	int rc = 1;

	if (mail->pending) {
		rc = page_collect_messages_also(page, mail->pending, &mail->msg, 1,
		                                &mail->also, &err);
		archive_pending_free(page->archive, mail->pending);
		mail->pending = NULL;
	}
	/* Not asked ahead, or the NOOP brought news: the outline again. */
	if (rc == 1) {
		message_mail_release(page, mail);
		message_mail_plan(page, mail);
		rc = page_fetch_messages_also(page, &mail->msg, 1, &mail->also, &err);
	}
	if (rc < 0) {
		rc = page_session_error(page, &err);
		goto out;
	}
	if (!mail->msg.found) {
		rc = page_error(page, 404, "There is no such message in this mailbox.");
		goto out;
	}
	rc = page->json ? send_json(page, &mail->msg.info, &mail->msg.parts,
	                            &mail->msg.body.text, &mail->outline, &mail->also)
	                : send_html(page, &mail->msg.info, &mail->msg.parts,
	                            &mail->msg.body, mail->msg.note, &mail->outline,
	                            &mail->also);
out:
	if (mail == &own)
		message_mail_release(page, &own);
	return rc;
}

/*
 * The message's exact bytes: what it is, addresses included, whatever
 * obfuscate says (as mbox exports: see README).  A HEAD is answered from
 * RFC822.SIZE, the length of those bytes, without fetching them.  A GET
 * asks for RFC822.SIZE and the first RAW_PIECE bytes in one command: a
 * smaller message arrives whole in one round trip.  A longer one goes out
 * a piece at a time (archive_raw_chunk): a 20 MB message is never held
 * whole.  It declares its size as Content-Length, so that a stream cut
 * short is seen as such, and the pieces must add up to it exactly, else
 * the answer fails (page_fail) rather than go out short or long.
 */
#define RAW_PIECE (512 * 1024)

/*
 * Its size, and its first piece, or for a HEAD its Content-Type field
 * alone (what the head of a GET needs of the bytes): 1, 0 when not
 * there, -1.
 */
static int raw_first(struct page *page, struct buf *bytes,
                     struct archive_raw_meta *meta, struct session_err *err)
{
	return !resp_body_wanted(page->resp)
	           ? archive_raw_size(page->archive, page->route->uid, meta, bytes, err)
	           : archive_raw_first(page->archive, page->route->uid, RAW_PIECE,
	                               bytes, meta, err);
}

/*
 * The raw bytes as text/plain, in the charset the message gives at its
 * top (as public-inbox does) when it is one we know that keeps ASCII as
 * ASCII: the header lines are ASCII whatever the body is.  Else UTF-8
 * (a multipart message has no charset at its top).  head holds the
 * message's header, or more.
 */
static void raw_content_type(const char *head, size_t len, struct buf *out)
{
	struct buf value = BUF_INIT;
	struct rfc2231_params params = { 0 };
	const char *label = NULL;
	char name[CHARSET_NAME_MAX + 1];

	if (rfc5322_field(head, rfc5322_header_length(head, len), "Content-Type",
	                  &value) > 0) {
		rfc2231_parse(&params, value.p, value.len);
		if (!params.value || !params.value[0] || !strncmp(params.value, "text/", 5))
			label = rfc2231_get(&params, "charset");
	}
	if (label && charset_label_is_token(label) &&
	    charset_canonical(label, strlen(label), name) == 0 &&
	    charset_ascii_compatible(name))
		buf_addf(out, "text/plain; charset=%s", label);
	else
		buf_addstr(out, "text/plain; charset=utf-8");
	rfc2231_release(&params);
	buf_release(&value);
}

int page_raw(struct page *page)
{
	struct session_err err = { 0 };
	struct buf bytes = BUF_INIT, type = BUF_INIT;
	struct archive_raw_meta meta = { 0 };
	uint64_t size, offset = 0;
	bool more;
	int rc;

	/*
	 * The first piece before the head: a failure is still an error page.
	 * A UID not there may be new mail this kept session has not seen
	 * (no NOOP for a raw message: gateway_cache): once more after one.
	 */
	rc = raw_first(page, &bytes, &meta, &err);
	if (rc == 0)
		rc = archive_refresh(page->archive, &err) < 0
		         ? -1 : raw_first(page, &bytes, &meta, &err);
	if (rc < 0) {
		rc = page_session_error(page, &err);
		goto out;
	} else if (!rc) {
		rc = page_error(page, 404, "There is no such message in this mailbox.");
		goto out;
	}
	size = meta.size;
	/* Its bytes never change under its UID: its arrival is their date. */
	page_last_modified(page, meta.arrived);
	raw_content_type(bytes.p ? bytes.p : "", bytes.len, &type);
	resp_header(page->resp, "Content-Type", buf_cstr(&type));
	resp_header(page->resp, "X-Content-Type-Options", "nosniff");
	resp_header(page->resp, "Content-Security-Policy", "sandbox; default-src 'none'");
	/* A server that gives no RFC822.SIZE (0) gets no declared length. */
	if (size && (!resp_body_wanted(page->resp) || bytes.len == RAW_PIECE))
		resp_headerf(page->resp, "Content-Length", "%llu", (unsigned long long)size);
	if (!resp_body_wanted(page->resp)) {
		rc = resp_finish(page->resp);
		goto out;
	}
	if (bytes.len < RAW_PIECE) {
		rc = resp_write(page->resp, bytes.p, bytes.len);
		goto out;
	}
	for (;;) {
		if (size && offset + bytes.len > size) {
			rc = -1;
			break;
		}
		more = bytes.len == RAW_PIECE;
		offset += bytes.len;
		if ((rc = resp_write(page->resp, bytes.p, bytes.len)) < 0 || !more)
			break;
		buf_reset(&bytes);
		if (archive_raw_chunk(page->archive, page->route->uid, offset, RAW_PIECE,
		                      &bytes, &err) <= 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && size && offset != size)
		rc = -1;
	if (rc < 0) {
		if (!err.message[0])
			snprintf(err.message, sizeof(err.message),
			         "its pieces went to byte %llu of its RFC822.SIZE %llu",
			         (unsigned long long)offset, (unsigned long long)size);
		rc = page_fail(page, "the raw message", &err);
	}
out:
	buf_release(&bytes);
	buf_release(&type);
	return rc;
}
