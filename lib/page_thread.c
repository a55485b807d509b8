/*
 * "/MBOX/UID/thread": every message of the thread that holds UID, nested,
 * each with its text and its attachments; "/MBOX/UID/thread.mbox": the same messages as an
 * mboxrd file.  The thread comes from the worker's thread cache.
 */
#include "page.h"
#include "export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"
#include "mime.h"
#include "outline.h"
#include "partlist.h"


struct thread_item {
	unsigned depth;
	struct archive_message msg;   /* msg.uid 0: a message not in the mailbox */
};


/* The text a reader sees for one message of the thread. */
static void item_text(const struct thread_item *item, struct buf *out)
{
	buf_add(out, item->msg.body.text.p, item->msg.body.text.len);
	if (item->msg.note)
		buf_addf(out, "%s[%s]", out->len ? "\n\n" : "", item->msg.note);
}

static void message_link(struct page *page, struct buf *out, uint32_t uid)
{
	struct html_url url = { .mailbox = page->route->mailbox, .uid = uid };
	page_url(page, out, &url);
}

/* imapeek-httpd(8)'s MSG with "depth", "text" and "parts" (page_json_summary's fields). */
static void thread_json_msg(struct page *page, struct json *json,
                            const struct thread_item *item, const char *url)
{
	const struct message_info *info = &item->msg.info;
	struct buf text = BUF_INIT;

	json_object_begin(json);
	page_json_summary_fields(json, info, url);
	json_kv_uint(json, "depth", item->depth);
	json_kv_string(json, "in_reply_to", info->in_reply_to);
	item_text(item, &text);
	json_key(json, "text");
	json_stringn(json, buf_cstr(&text), text.len);
	partlist_json(page, json, item->msg.uid, &item->msg.parts);
	json_object_end(json);
	buf_release(&text);
}

static int send_json(struct page *page, const struct thread_item *items,
                     size_t n)
{
	struct buf body = BUF_INIT, url = BUF_INIT;
	struct json json;
	int rc;

	json_init(&json, &body);
	json_object_begin(&json);
	json_kv_string(&json, "mailbox", page->route->mailbox_label);
	json_key(&json, "messages");
	json_array_begin(&json);
	for (size_t i = 0; i < n; i++) {
		const struct thread_item *item = &items[i];
		if (!item->msg.found)
			continue;
		buf_reset(&url);
		message_link(page, &url, item->msg.uid);
		thread_json_msg(page, &json, item, buf_cstr(&url));
	}
	json_array_end(&json);
	buf_reset(&url);
	{
		struct html_url mbox = { .mailbox = page->route->mailbox,
		                         .uid = page->route->uid,
		                         .suffix = HTML_URL_THREAD_MBOX };
		page_url(page, &url, &mbox);
	}
	json_kv_string(&json, "mbox_url", buf_cstr(&url));
	json_object_end(&json);
	rc = page_send_json(page, &json, &body);
	buf_release(&body);
	buf_release(&url);
	return rc;
}

static int send_html(struct page *page, const struct thread_item *items,
                     size_t n)
{
	struct tmpl_vars *vars = tmpl_vars_new();
	int rc;
	struct buf url = BUF_INIT, text = BUF_INIT;
	struct html_url mbox = { .root = page->root,
	                         .mailbox = page->route->mailbox,
	                         .uid = page->route->uid,
	                         .suffix = HTML_URL_THREAD_MBOX };
	const char *subject = NULL;
	size_t count = 0;
	struct outline_nest nest = { 0 };

	tmpl_vars_set_list(vars, "messages");
	for (size_t i = 0; i < n; i++) {
		const struct thread_item *item = &items[i];
		if (!item->msg.found)
			continue;
		if (!subject)
			subject = item->msg.info.subject;
		count++;
		struct tmpl_vars *entry = tmpl_vars_add_item(vars, "messages");
		buf_reset(&url);
		message_link(page, &url, item->msg.uid);
		page_vars_summary(page, entry, &item->msg.info, buf_cstr(&url));
		unsigned indent = item->depth > OUTLINE_MAX_INDENT ? OUTLINE_MAX_INDENT
		                                                   : item->depth;
		tmpl_vars_set_uint(entry, "depth", item->depth);
		tmpl_vars_set_uint(entry, "indent", indent);
		outline_nest_row(&nest, entry, indent);
		buf_reset(&text);
		item_text(item, &text);
		tmpl_vars_set_strn(entry, "text", buf_cstr(&text), text.len);
		partlist_vars(page, entry, item->msg.uid, &item->msg.parts);
		if (item->msg.uid == page->route->uid)
			tmpl_vars_set_bool(entry, "current", true);
	}
	tmpl_vars_set_str(vars, "title", subject && subject[0] ? subject
	                                                       : "(no subject)");
	page_vars_count(vars, "count", count);
	outline_nest_end(&nest, vars, "outline_end");
	tmpl_vars_set_url(vars, "mbox_url", &mbox);
	rc = page_render(page, "thread.html", vars);
	tmpl_vars_free(vars);
	buf_release(&url);
	buf_release(&text);
	return rc;
}

int page_thread(struct page *page)
{
	struct session_err err = { 0 };
	struct thread_row *rows = NULL;
	struct thread_item *items = NULL;
	struct archive_message *msgs;
	size_t n;
	int rc = -1;

	n = page_thread_rows(page, page->route->uid, &rows, &err);
	if (!n)
		return err.code ? page_session_error(page, &err)
		                : page_error(page, 404, "There is no such message in this mailbox.");
	items = xcalloc(n, sizeof(*items));
	msgs = xcalloc(n, sizeof(*msgs));
	for (size_t i = 0; i < n; i++)
		msgs[i].uid = rows[i].uid;
	/* Every message with its text, in one batch. */
	rc = page_fetch_messages(page, msgs, n, &err);
	for (size_t i = 0; i < n; i++) {
		items[i].depth = rows[i].depth;
		items[i].msg = msgs[i];
	}
	free(msgs);
	if (rc < 0) {
		rc = page_session_error(page, &err);
		goto out;
	}
	rc = page->json ? send_json(page, items, n) : send_html(page, items, n);
out:
	for (size_t i = 0; i < n; i++)
		archive_message_release(&items[i].msg);
	free(items);
	free(rows);
	return rc;
}

int page_thread_mbox(struct page *page)
{
	struct session_err err = { 0 };
	struct thread_row *rows = NULL;
	uint32_t *uids = NULL;
	size_t n, nuids = 0;
	char filename[64];
	int rc;

	n = page_thread_rows(page, page->route->uid, &rows, &err);
	if (!n)
		return err.code ? page_session_error(page, &err)
		                : page_error(page, 404, "There is no such message in this mailbox.");
	uids = xcalloc(n, sizeof(*uids));
	for (size_t i = 0; i < n; i++)
		if (rows[i].uid)
			uids[nuids++] = rows[i].uid;
	snprintf(filename, sizeof(filename), "thread-%u.mbox", page->route->uid);
	rc = export_mbox(page, filename, uids, nuids);
	free(uids);
	free(rows);
	return rc;
}
