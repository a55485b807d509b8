/*
 * "/MBOX/threads/": one row per thread, newest activity first, paged.
 * The threads come from the archive (archive_threads: the imapd's THREAD
 * REFERENCES, or the same algorithm here where it has none).
 */
#include "page.h"
#include "pager.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"

/* ---- the thread index ------------------------------------------------ */

struct thread_summary {
	const struct thread *root;
	struct thread_row *rows;
	size_t nrows;
	size_t messages;
	uint32_t first_uid;        /* the first message in display order */
	uint32_t newest_uid;
};

static void thread_link(struct page *page, struct buf *out, uint32_t uid)
{
	struct html_url url = { .mailbox = page->route->mailbox, .uid = uid,
	                        .suffix = HTML_URL_THREAD };
	page_url(page, out, &url);
}

static void threads_page_url(struct page *page, struct buf *out, unsigned number,
                             const void *ctx)
{
	char value[16];
	struct html_url url = { .mailbox = page->route->mailbox,
	                        .suffix = HTML_URL_THREADS };

	(void)ctx;
	if (number > 1) {
		snprintf(value, sizeof(value), "%u", number);
		url.params[0] = (struct html_url_param){ "page", value };
	}
	if (page->json && page->route->format_given)
		url.params[number > 1] = (struct html_url_param){ "format", "json" };
	page_url(page, out, &url);
}

/* Display names (else addresses) of the thread's senders, distinct. */
static void participants(struct page *page, const struct thread_summary *thread,
                         const struct message_info *infos, size_t ninfos,
                         struct buf *out, struct json *json)
{
	struct buf seen = BUF_INIT, name = BUF_INIT;

	buf_addch(&seen, '\n');
	for (size_t i = 0; i < thread->nrows; i++) {
		const struct message_info *info =
			message_info_find(infos, ninfos, thread->rows[i].uid);
		if (!info || !info->from.n)
			continue;
		const struct message_addr *addr = &info->from.items[0];
		buf_reset(&name);
		if (addr->name && addr->name[0])
			buf_addstr(&name, addr->name);
		else
			page_shown_address(page, addr, &name);
		if (!name.len || memchr(name.p, '\n', name.len))
			continue;
		buf_addch(&name, '\n');
		if (strstr(buf_cstr(&seen), buf_cstr(&name)))
			continue;
		buf_add(&seen, name.p, name.len);
		buf_truncate(&name, name.len - 1);
		if (json)
			json_string(json, buf_cstr(&name));
		if (out) {
			if (out->len)
				buf_addstr(out, ", ");
			buf_addstr(out, buf_cstr(&name));
		}
	}
	buf_release(&seen);
	buf_release(&name);
}

int page_threads(struct page *page)
{
	struct session_err err = { 0 };
	const struct thread_forest *forest;
	struct thread_summary *threads = NULL;
	struct message_info *infos = NULL;
	size_t ninfos = 0, nthreads = 0, size = page->conf->page_size;
	uint32_t *uids = NULL;
	size_t nuids = 0, cap = 0;
	unsigned number = page->route->page_number, pages;
	struct buf url = BUF_INIT, body = BUF_INIT, text = BUF_INIT;
	int rc = -1;

	if (archive_threads(page->archive, &forest, &err) < 0)
		return page_session_error(page, &err);
	pages = forest->nthreads
	            ? (unsigned)((forest->nthreads + size - 1) / size) : 1;
	if (number > pages)
		return page_error(page, 404, "There is no such page of threads.");
	struct page_pager pager = { number, pages, threads_page_url, NULL };
	size_t from = (size_t)(number - 1) * size;
	nthreads = forest->nthreads > from ? forest->nthreads - from : 0;
	if (nthreads > size)
		nthreads = size;
	threads = xcalloc(nthreads + 1, sizeof(*threads));
	for (size_t t = 0; t < nthreads; t++) {
		struct thread_summary *thread = &threads[t];
		thread->root = &forest->threads[from + t];
		thread->nrows = thread_flatten(forest, thread->root, &thread->rows);
		thread->newest_uid = thread->root->newest_uid;
		for (size_t i = 0; i < thread->nrows; i++) {
			uint32_t uid = thread->rows[i].uid;
			if (!uid)
				continue;
			if (!thread->first_uid)
				thread->first_uid = uid;
			thread->messages++;
			if (nuids == cap) {
				cap = cap ? cap * 2 : 256;
				uids = xrealloc(uids, cap * sizeof(*uids));
			}
			uids[nuids++] = uid;
		}
	}
	if (page_fetch_summaries(page, uids, nuids, &infos, &ninfos, &err) < 0) {
		rc = page_session_error(page, &err);
		goto out;
	}
	if (page->json) {
		struct json json;
		json_init(&json, &body);
		json_object_begin(&json);
		json_kv_string(&json, "mailbox", page->route->mailbox_label);
		json_kv_uint(&json, "total", forest->nthreads);
		json_kv_uint(&json, "page", number);
		json_kv_uint(&json, "pages", pages);
		json_key(&json, "threads");
		json_array_begin(&json);
		for (size_t t = 0; t < nthreads; t++) {
			const struct thread_summary *thread = &threads[t];
			const struct message_info *first =
				message_info_find(infos, ninfos, thread->first_uid);
			const struct message_info *newest =
				message_info_find(infos, ninfos, thread->newest_uid);
			json_object_begin(&json);
			json_kv_uint(&json, "uid", thread->first_uid);
			json_kv_string(&json, "subject", first ? first->subject : NULL);
			json_kv_uint(&json, "messages", thread->messages);
			json_key(&json, "uids");
			json_array_begin(&json);
			for (size_t i = 0; i < thread->nrows; i++)
				if (thread->rows[i].uid)
					json_uint(&json, thread->rows[i].uid);
			json_array_end(&json);
			json_key(&json, "newest");
			if (newest && newest->has_date) {
				buf_reset(&text);
				message_format_date(&text, newest->date);
				json_string(&json, buf_cstr(&text));
			} else {
				json_null(&json);
			}
			json_key(&json, "participants");
			json_array_begin(&json);
			participants(page, thread, infos, ninfos, NULL, &json);
			json_array_end(&json);
			buf_reset(&url);
			thread_link(page, &url, thread->first_uid);
			json_kv_string(&json, "url", buf_cstr(&url));
			json_object_end(&json);
		}
		json_array_end(&json);
		page_pager_json(page, &json, &pager);
		json_object_end(&json);
		rc = page_send_json(page, &json, &body);
		goto out;
	}
	struct tmpl_vars *vars = tmpl_vars_new();
	tmpl_vars_set_str(vars, "title", page->route->mailbox_label);
	page_vars_subtitle(vars, "threads", number);
	page_vars_count(vars, "total", forest->nthreads);
	tmpl_vars_set_uint(vars, "page", number);
	tmpl_vars_set_uint(vars, "pages", pages);
	tmpl_vars_set_list(vars, "threads");
	for (size_t t = 0; t < nthreads; t++) {
		const struct thread_summary *thread = &threads[t];
		const struct message_info *first = message_info_find(infos, ninfos, thread->first_uid);
		const struct message_info *newest = message_info_find(infos, ninfos, thread->newest_uid);
		struct tmpl_vars *item = tmpl_vars_add_item(vars, "threads");
		buf_reset(&url);
		thread_link(page, &url, thread->first_uid);
		if (newest)
			page_vars_summary(page, item, newest, buf_cstr(&url));
		tmpl_vars_set_str(item, "url", buf_cstr(&url));
		tmpl_vars_set_str(item, "subject", first && first->subject[0]
		                                       ? first->subject : "(no subject)");
		page_vars_count(item, "messages", thread->messages);
		buf_reset(&text);
		participants(page, thread, infos, ninfos, &text, NULL);
		tmpl_vars_set_str(item, "participants", buf_cstr(&text));
	}
	page_pager_vars(page, vars, &pager);
	rc = page_render(page, "threads.html", vars);
	tmpl_vars_free(vars);
out:
	for (size_t t = 0; t < nthreads; t++)
		free(threads[t].rows);
	free(threads);
	free(uids);
	archive_summaries_free(infos, ninfos);
	buf_release(&url);
	buf_release(&body);
	buf_release(&text);
	return rc;
}
