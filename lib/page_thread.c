/*
 * "/MBOX/UID/thread": every message of the thread that holds UID, nested,
 * each with its text; "/MBOX/UID/thread.mbox": the same messages as an
 * mboxrd file.  The thread comes from the worker's thread cache.
 */
#include "page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap_view.h"
#include "message.h"
#include "mime.h"

/* Deeper replies are drawn at this indentation: the page stays readable. */
#define THREAD_MAX_INDENT 12

struct thread_item {
	uint32_t uid;
	unsigned depth;
	bool have;                 /* the FETCH answered for it */
	struct message_info info;
	struct message_parts parts;
	struct buf text;
};

/* The rows of the thread that holds the route's UID; 0 rows: none. */
static size_t thread_rows(struct page *page, struct thread_row **rows)
{
	const struct thread_node *root =
		thread_find(&page->thread_cache->forest, page->route->uid);

	*rows = NULL;
	if (!root)
		return 0;
	return thread_flatten(root, rows);
}

static int fetch_items(struct page *page, struct thread_item *items, size_t n,
                       struct session_err *err)
{
	struct session_result result;
	struct imap_cmd cmd;
	struct buf set = BUF_INIT;
	int rc = -1;

	for (size_t i = 0, first = 1; i < n; i++) {
		if (!items[i].uid)
			continue;
		buf_addf(&set, "%s%u", first ? "" : ",", items[i].uid);
		first = 0;
	}
	if (!set.len)
		return 0;
	imap_cmd_init(&cmd, "UID FETCH");
	imap_cmd_seqset(&cmd, buf_cstr(&set));
	imap_cmd_fetch_items(&cmd, MESSAGE_DETAIL_ITEMS);
	session_result_init(&result);
	if (session_run(page->session, &cmd, &result, err) < 0)
		goto out;
	for (size_t r = 0; r < result.nuntagged; r++) {
		struct imap_fetch view;
		struct imap_view_err view_err;
		if (imap_view_fetch(result.untagged[r], &view, &view_err) < 0)
			continue;
		for (size_t i = 0; view.has_uid && i < n; i++) {
			if (items[i].uid != view.uid || items[i].have)
				continue;
			if (message_info_from_view(&items[i].info, &view) == 0) {
				items[i].have = true;
				if (mime_parts_from_view(&view, &items[i].parts) < 0)
					memset(&items[i].parts, 0, sizeof(items[i].parts));
			}
			break;
		}
		imap_fetch_release(&view);
	}
	/* The texts, one command each (their parts differ per message). */
	for (size_t i = 0; i < n; i++) {
		if (!items[i].have || !items[i].parts.n)
			continue;
		if (mime_fetch_text(page->session, items[i].uid, &items[i].parts,
		                    &items[i].text, err) < 0) {
			if (err->code != SESSION_NO && err->code != SESSION_OK)
				goto out;
			buf_reset(&items[i].text);
		}
	}
	rc = 0;
out:
	session_result_release(&result);
	imap_cmd_release(&cmd);
	buf_release(&set);
	return rc;
}

static void message_link(struct page *page, struct buf *out, uint32_t uid)
{
	struct html_url url = { .mailbox = page->route->mailbox, .uid = uid };
	page_url(page, out, &url);
}

/* SPEC.md's MSG with "depth" and "text" (page_json_summary's fields). */
static void thread_json_msg(struct json *json, const struct thread_item *item,
                            const char *url)
{
	const struct message_info *info = &item->info;

	json_object_begin(json);
	page_json_summary_fields(json, info, url);
	json_kv_uint(json, "depth", item->depth);
	json_kv_string(json, "in_reply_to", info->in_reply_to);
	json_key(json, "text");
	json_stringn(json, buf_cstr(&item->text), item->text.len);
	json_object_end(json);
}

static void send_json(struct page *page, const struct thread_item *items,
                      size_t n)
{
	struct buf body = BUF_INIT, url = BUF_INIT;
	struct json json;

	json_init(&json, &body);
	json_object_begin(&json);
	json_kv_string(&json, "mailbox", page->route->mailbox);
	json_key(&json, "messages");
	json_array_begin(&json);
	for (size_t i = 0; i < n; i++) {
		const struct thread_item *item = &items[i];
		if (!item->have)
			continue;
		buf_reset(&url);
		message_link(page, &url, item->uid);
		thread_json_msg(&json, item, buf_cstr(&url));
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
	json_finish(&json);
	page_send_json(page, &body);
	buf_release(&body);
	buf_release(&url);
}

static void send_html(struct page *page, const struct thread_item *items,
                      size_t n)
{
	struct tmpl_vars *vars = tmpl_vars_new();
	struct buf url = BUF_INIT;
	struct html_url mbox = { .root = page->root,
	                         .mailbox = page->route->mailbox,
	                         .uid = page->route->uid,
	                         .suffix = HTML_URL_THREAD_MBOX };
	const char *subject = NULL;
	size_t count = 0;

	tmpl_vars_set_list(vars, "messages");
	for (size_t i = 0; i < n; i++) {
		const struct thread_item *item = &items[i];
		if (!item->have)
			continue;
		if (!subject)
			subject = item->info.subject;
		count++;
		struct tmpl_vars *entry = tmpl_vars_add_item(vars, "messages");
		buf_reset(&url);
		message_link(page, &url, item->uid);
		page_vars_summary(page, entry, &item->info, buf_cstr(&url));
		tmpl_vars_set_uint(entry, "depth", item->depth);
		tmpl_vars_set_uint(entry, "indent", item->depth > THREAD_MAX_INDENT
		                                        ? THREAD_MAX_INDENT : item->depth);
		tmpl_vars_set_strn(entry, "text", buf_cstr(&item->text),
		                   item->text.len);
		if (item->uid == page->route->uid)
			tmpl_vars_set_bool(entry, "current", true);
	}
	tmpl_vars_set_str(vars, "title", subject && subject[0] ? subject
	                                                       : "(no subject)");
	tmpl_vars_set_uint(vars, "count", count);
	tmpl_vars_set_url(vars, "mbox_url", &mbox);
	page_render(page, "thread.html", vars);
	tmpl_vars_free(vars);
	buf_release(&url);
}

int page_thread(struct page *page)
{
	struct session_err err = { 0 };
	struct thread_row *rows = NULL;
	struct thread_item *items = NULL;
	size_t n = 0;
	int rc = -1;

	if (page_threads_load(page, &err) < 0)
		return page_session_error(page, &err);
	n = thread_rows(page, &rows);
	if (!n)
		return page_error(page, 404, "There is no such message in this mailbox.");
	items = xcalloc(n, sizeof(*items));
	for (size_t i = 0; i < n; i++) {
		items[i].uid = rows[i].uid;
		items[i].depth = rows[i].depth;
	}
	if (fetch_items(page, items, n, &err) < 0) {
		rc = page_session_error(page, &err);
		goto out;
	}
	if (page->json)
		send_json(page, items, n);
	else
		send_html(page, items, n);
	rc = 0;
out:
	for (size_t i = 0; i < n; i++) {
		if (items[i].have)
			message_info_release(&items[i].info);
		message_parts_release(&items[i].parts);
		buf_release(&items[i].text);
	}
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

	if (page_threads_load(page, &err) < 0)
		return page_session_error(page, &err);
	n = thread_rows(page, &rows);
	if (!n)
		return page_error(page, 404, "There is no such message in this mailbox.");
	uids = xcalloc(n, sizeof(*uids));
	for (size_t i = 0; i < n; i++)
		if (rows[i].uid)
			uids[nuids++] = rows[i].uid;
	snprintf(filename, sizeof(filename), "thread-%u.mbox", page->route->uid);
	rc = page_mbox_send(page, filename, uids, nuids);
	free(uids);
	free(rows);
	return rc;
}

/* ---- navigation on a message page ----------------------------------- */

static void nav_link(struct page *page, struct tmpl_vars *vars,
                     struct json *json, const char *name, uint32_t uid)
{
	struct buf url = BUF_INIT;

	if (uid) {
		message_link(page, &url, uid);
		if (vars)
			tmpl_vars_set_str(vars, name, buf_cstr(&url));
	}
	if (json) {
		json_key(json, name);
		if (uid)
			json_string(json, buf_cstr(&url));
		else
			json_null(json);
	}
	buf_release(&url);
}

/*
 * Previous and next message in the mailbox's order (newest first, so
 * "previous" is the newer one, as on the index) and in the thread.  The
 * links are left out when the caches cannot be filled: the message page
 * is still worth showing.
 */
void page_message_nav(struct page *page, struct tmpl_vars *vars,
                      struct json *json, uint32_t uid)
{
	struct session_err err = { 0 };
	uint32_t newer = 0, older = 0, thread_prev = 0, thread_next = 0;

	if (page_sorted_uids(page, &err) == 0) {
		const struct sort_cache *sorted = page->sort_cache;
		for (size_t i = 0; i < sorted->n; i++) {
			if (sorted->uids[i] != uid)
				continue;
			newer = i ? sorted->uids[i - 1] : 0;
			older = i + 1 < sorted->n ? sorted->uids[i + 1] : 0;
			break;
		}
	}
	if (page_threads_load(page, &err) == 0) {
		struct thread_row *rows = NULL;
		size_t n = thread_rows(page, &rows), at = n;
		for (size_t i = 0; i < n; i++)
			if (rows[i].uid == uid)
				at = i;
		for (size_t i = at; at < n && i-- > 0;)
			if (rows[i].uid) {
				thread_prev = rows[i].uid;
				break;
			}
		for (size_t i = at + 1; i < n; i++)
			if (rows[i].uid) {
				thread_next = rows[i].uid;
				break;
			}
		free(rows);
	}
	nav_link(page, vars, json, "newer_url", newer);
	nav_link(page, vars, json, "older_url", older);
	nav_link(page, vars, json, "thread_prev_url", thread_prev);
	nav_link(page, vars, json, "thread_next_url", thread_next);
}
