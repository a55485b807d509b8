/* "/": the visible mailboxes, each with its message count and link. */
#include "page.h"

#include <string.h>

/* about_html was made by the Markdown renderer (markdown.c). */
#include "html_trusted.h"

/*
 * The mailboxes to show.  None: an archive without mailboxes yet, or a
 * store the imapd cannot read, whose LIST names INBOX alone (which
 * mailboxes or hide may leave out).  A kept list may be from before a
 * repair, so it is asked again, and then the store checked: one that
 * cannot be read is a 502, never an empty archive that caches keep.
 */
static int shown_mailboxes(struct archive *archive, struct mailbox_list *list,
                           struct session_err *err)
{
	if (archive_mailboxes(archive, list, false, err) < 0)
		return -1;
	if (list->n)
		return 0;
	mailbox_list_release(list);
	if (archive_mailboxes(archive, list, true, err) < 0)
		return -1;
	return list->n ? 0 : archive_store_check(archive, err);
}

int page_mailboxes(struct page *page)
{
	struct session_err err = { 0 };
	struct mailbox_list list = { 0 };
	int rc = -1;

	if (shown_mailboxes(page->archive, &list, &err) < 0 ||
	    archive_mailbox_counts(page->archive, &list, &err) < 0) {
		page_session_error(page, &err);
		goto out;
	}
	if (page->json) {
		struct buf body = BUF_INIT;
		struct json json;

		json_init(&json, &body);
		json_object_begin(&json);
		json_key(&json, "mailboxes");
		json_array_begin(&json);
		for (size_t i = 0; i < list.n; i++) {
			struct html_url url = { .mailbox = list.entries[i].name };
			struct buf href = BUF_INIT;
			page_url(page, &href, &url);
			json_object_begin(&json);
			json_kv_string(&json, "name", list.entries[i].label);
			json_kv_uint(&json, "messages", list.entries[i].messages);
			json_kv_string(&json, "url", buf_cstr(&href));
			json_kv_string(&json, "description",
			               conf_description(page->conf, list.entries[i].label));
			json_object_end(&json);
			buf_release(&href);
		}
		json_array_end(&json);
		json_object_end(&json);
		rc = page_send_json(page, &json, &body);
		buf_release(&body);
		goto out;
	}

	struct tmpl_vars *vars = tmpl_vars_new();
	/* One <h1>, the site's; an about file's headings are below it. */
	tmpl_vars_set_str(vars, "title", page->conf->title);
	tmpl_vars_set_bool(vars, "home", true);
	tmpl_vars_set_list(vars, "mailboxes");
	for (size_t i = 0; i < list.n; i++) {
		struct tmpl_vars *item = tmpl_vars_add_item(vars, "mailboxes");
		struct html_url url = { .root = page->root,
		                        .mailbox = list.entries[i].name };
		tmpl_vars_set_str(item, "name", list.entries[i].label);
		tmpl_vars_set_uint(item, "messages", list.entries[i].messages);
		tmpl_vars_set_url(item, "url", &url);
		const char *description = conf_description(page->conf, list.entries[i].label);
		tmpl_vars_set_str(item, "description", description ? description : "");
	}
	if (page->about_html)
		tmpl_vars_set_trusted_html(vars, "about", page->about_html,
		                           strlen(page->about_html));
	rc = page_render(page, "mailboxes.html", vars);
	tmpl_vars_free(vars);
out:
	mailbox_list_release(&list);
	return rc;
}
