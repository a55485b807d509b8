/*
 * "/MBOX/threads/": one row per thread, newest activity first, paged; and
 * the per-worker thread cache the thread pages share.
 *
 * Where the imapd offers THREAD=REFERENCES (and SORT) the forest is its
 * "UID THREAD REFERENCES UTF-8 ALL" answer, and the order of activity
 * comes from the sort cache's UID SORT (REVERSE DATE): a message's rank
 * there stands for its date, so no header of the whole mailbox is
 * fetched.  Otherwise (GNU Mailutils) every message's Message-ID,
 * In-Reply-To, References, Subject and Date are fetched once and threaded
 * here by thread_build(), which gives Dovecot's forest on the same mail.
 */
#include "page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap_view.h"
#include "message.h"
#include "rfc5322.h"

#define THREAD_HEADER_FIELDS "HEADER.FIELDS (MESSAGE-ID IN-REPLY-TO REFERENCES)"

void thread_cache_release(struct thread_cache *cache)
{
	mailbox_stamp_release(&cache->stamp);
	thread_forest_release(&cache->forest);
	memset(cache, 0, sizeof(*cache));
}

static bool thread_cache_fresh(const struct thread_cache *cache,
                               const struct mailbox_state *state)
{
	return mailbox_stamp_matches(&cache->stamp, state);
}

/* The unfolded value of header name in a HEADER.FIELDS block, appended. */
static void header_value(struct str block, const char *name, struct buf *out)
{
	struct buf unfolded = BUF_INIT;
	size_t name_len = strlen(name);
	const char *line, *end;

	rfc5322_unfold(&unfolded, block.p ? block.p : "", block.len);
	for (line = buf_cstr(&unfolded); *line; line = *end ? end + 1 : end) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		if ((size_t)(end - line) > name_len && line[name_len] == ':' &&
		    !strncasecmp(line, name, name_len)) {
			buf_add(out, line + name_len + 1,
			        (size_t)(end - line) - name_len - 1);
			break;   /* the first one, as Dovecot reads it */
		}
	}
	buf_release(&unfolded);
}

struct client_msg {
	struct message_info info;
	struct buf message_id, in_reply_to, references;
};

static int compare_client_uid(const void *a, const void *b)
{
	const struct client_msg *x = a, *y = b;
	return x->info.uid < y->info.uid ? -1 : x->info.uid > y->info.uid;
}

/* RFC 5256 REFERENCES on our side, from every message's headers. */
static int threads_client(struct page *page, struct thread_forest *forest,
                          struct session_err *err)
{
	struct session_result result;
	struct imap_cmd cmd;
	struct client_msg *msgs = NULL;
	struct thread_msg *input = NULL;
	size_t n = 0;
	int rc = -1;

	imap_cmd_init(&cmd, "UID FETCH");
	imap_cmd_seqset(&cmd, "1:*");
	imap_cmd_fetch_items(&cmd, "(UID ENVELOPE INTERNALDATE RFC822.SIZE "
	                           "BODY.PEEK[" THREAD_HEADER_FIELDS "])");
	session_result_init(&result);
	if (session_run(page->session, &cmd, &result, err) < 0)
		goto out;
	if (result.nuntagged > THREAD_MAX_MESSAGES) {
		err->code = SESSION_FAILED;
		snprintf(err->message, sizeof(err->message), "too many messages");
		goto out;
	}
	msgs = xcalloc(result.nuntagged + 1, sizeof(*msgs));
	for (size_t i = 0; i < result.nuntagged; i++) {
		struct imap_fetch view;
		struct imap_view_err view_err;
		struct client_msg *msg = &msgs[n];
		if (imap_view_fetch(result.untagged[i], &view, &view_err) < 0)
			continue;
		if (!view.has_uid || message_info_from_view(&msg->info, &view) < 0) {
			imap_fetch_release(&view);
			continue;
		}
		const struct imap_fetch_part *part =
			imap_fetch_part(&view, false, THREAD_HEADER_FIELDS);
		struct str block = part ? part->data : STR_NULL;
		header_value(block, "message-id", &msg->message_id);
		header_value(block, "in-reply-to", &msg->in_reply_to);
		header_value(block, "references", &msg->references);
		imap_fetch_release(&view);
		n++;
	}
	qsort(msgs, n, sizeof(*msgs), compare_client_uid);
	input = xcalloc(n + 1, sizeof(*input));
	for (size_t i = 0; i < n; i++) {
		input[i] = (struct thread_msg){
			.uid = msgs[i].info.uid,
			.message_id = str_from_buf(&msgs[i].message_id),
			.in_reply_to = str_from_buf(&msgs[i].in_reply_to),
			.references = str_from_buf(&msgs[i].references),
			.subject = str_from(msgs[i].info.subject),
			.date = msgs[i].info.date,
		};
	}
	if (thread_build(forest, input, n) < 0) {
		err->code = SESSION_FAILED;
		snprintf(err->message, sizeof(err->message), "cannot thread");
		goto out;
	}
	thread_sort_newest(forest);
	rc = 0;
out:
	for (size_t i = 0; i < n; i++) {
		message_info_release(&msgs[i].info);
		buf_release(&msgs[i].message_id);
		buf_release(&msgs[i].in_reply_to);
		buf_release(&msgs[i].references);
	}
	free(msgs);
	free(input);
	session_result_release(&result);
	imap_cmd_release(&cmd);
	return rc;
}

static int compare_msg_uid(const void *a, const void *b)
{
	const struct thread_msg *x = a, *y = b;
	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

/* THREAD REFERENCES by the imapd, ordered by the ranks of UID SORT. */
static int threads_server(struct page *page, struct thread_forest *forest,
                          struct session_err *err)
{
	struct session_result result;
	struct imap_cmd cmd;
	struct thread_msg *ranks = NULL;
	bool found = false;
	int rc = -1;

	imap_cmd_init(&cmd, "UID THREAD");
	imap_cmd_atom(&cmd, "REFERENCES");
	imap_cmd_atom(&cmd, "UTF-8");
	imap_cmd_atom(&cmd, "ALL");
	session_result_init(&result);
	if (session_run(page->session, &cmd, &result, err) < 0)
		goto out;
	for (size_t i = 0; i < result.nuntagged && !found; i++) {
		const struct imap_response *response = result.untagged[i];
		const struct imap_node *atom = response->data;
		if (!atom || !imap_node_is_atom(atom, "THREAD"))
			continue;
		const char *from = atom->text.p + atom->text.len;
		const char *end = response->raw.p + response->raw.len;
		while (end > from && (end[-1] == '\r' || end[-1] == '\n'))
			end--;
		while (from < end && *from == ' ')
			from++;
		if (thread_from_imap(forest, (struct str){ from, (size_t)(end - from) }) < 0) {
			err->code = SESSION_FAILED;
			snprintf(err->message, sizeof(err->message), "bad THREAD answer");
			goto out;
		}
		found = true;
	}
	if (!found)
		thread_forest_init(forest);
	if (page_sorted_uids(page, err) < 0)
		goto out;
	/* A message's place in the newest-first order stands for its date. */
	const struct sort_cache *sorted = page->sort_cache;
	ranks = xcalloc(sorted->n + 1, sizeof(*ranks));
	for (size_t i = 0; i < sorted->n; i++)
		ranks[i] = (struct thread_msg){ .uid = sorted->uids[i],
		                                .date = (time_t)(sorted->n - i) };
	qsort(ranks, sorted->n, sizeof(*ranks), compare_msg_uid);
	thread_attach(forest, ranks, sorted->n);
	thread_sort_newest(forest);
	rc = 0;
out:
	free(ranks);
	session_result_release(&result);
	imap_cmd_release(&cmd);
	return rc;
}

int page_threads_load(struct page *page, struct session_err *err)
{
	struct thread_cache *cache = page->thread_cache;
	const struct mailbox_state *state;
	int rc;

	if (page_examine(page, err) < 0)
		return -1;
	state = session_mailbox(page->session);
	if (thread_cache_fresh(cache, state))
		return 0;
	thread_cache_release(cache);
	thread_forest_init(&cache->forest);
	if (session_has_cap(page->session, CAP_THREAD_REFERENCES) &&
	    session_has_cap(page->session, CAP_SORT)) {
		rc = threads_server(page, &cache->forest, err);
	} else {
		cache->client_side = true;
		rc = threads_client(page, &cache->forest, err);
	}
	if (rc < 0) {
		thread_cache_release(cache);
		return -1;
	}
	mailbox_stamp_take(&cache->stamp, state);
	return 0;
}

/* ---- the thread index ------------------------------------------------ */

struct thread_summary {
	const struct thread_node *root;
	struct thread_row *rows;
	size_t nrows;
	size_t messages;
	uint32_t first_uid;        /* the first message in display order */
	uint32_t newest_uid;
};

static const struct message_info *find_info(const struct message_info *infos,
                                            size_t n, uint32_t uid)
{
	for (size_t i = 0; i < n; i++)
		if (infos[i].uid == uid)
			return &infos[i];
	return NULL;
}

static void thread_link(struct page *page, struct buf *out, uint32_t uid)
{
	struct html_url url = { .mailbox = page->route->mailbox, .uid = uid,
	                        .suffix = HTML_URL_THREAD };
	page_url(page, out, &url);
}

static void threads_page_url(struct page *page, struct buf *out, unsigned number)
{
	char value[16];
	struct html_url url = { .mailbox = page->route->mailbox,
	                        .suffix = HTML_URL_THREADS };

	if (number > 1) {
		snprintf(value, sizeof(value), "%u", number);
		url.params[0] = (struct html_url_param){ "page", value };
	}
	if (page->json)
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
			find_info(infos, ninfos, thread->rows[i].uid);
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
	struct thread_cache *cache = page->thread_cache;
	struct thread_summary *threads = NULL;
	struct message_info *infos = NULL;
	size_t ninfos = 0, nthreads = 0, size = page->conf->page_size;
	uint32_t *uids = NULL;
	size_t nuids = 0, cap = 0;
	unsigned number = page->route->page_number, pages;
	struct buf url = BUF_INIT, body = BUF_INIT, text = BUF_INIT;
	int rc = -1;

	if (page_threads_load(page, &err) < 0)
		return page_session_error(page, &err);
	pages = cache->forest.nthreads
	            ? (unsigned)((cache->forest.nthreads + size - 1) / size) : 1;
	if (number > pages)
		return page_error(page, 404, "There is no such page of threads.");
	size_t from = (size_t)(number - 1) * size;
	nthreads = cache->forest.nthreads > from ? cache->forest.nthreads - from : 0;
	if (nthreads > size)
		nthreads = size;
	threads = xcalloc(nthreads + 1, sizeof(*threads));
	for (size_t t = 0; t < nthreads; t++) {
		struct thread_summary *thread = &threads[t];
		thread->root = cache->forest.threads[from + t];
		thread->nrows = thread_flatten(thread->root, &thread->rows);
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
	if (page_fetch_infos(page, uids, nuids, &infos, &ninfos, &err) < 0) {
		rc = page_session_error(page, &err);
		goto out;
	}
	if (page->json) {
		struct json json;
		json_init(&json, &body);
		json_object_begin(&json);
		json_kv_string(&json, "mailbox", page->route->mailbox);
		json_kv_uint(&json, "total", cache->forest.nthreads);
		json_kv_uint(&json, "page", number);
		json_kv_uint(&json, "pages", pages);
		json_key(&json, "threads");
		json_array_begin(&json);
		for (size_t t = 0; t < nthreads; t++) {
			const struct thread_summary *thread = &threads[t];
			const struct message_info *first =
				find_info(infos, ninfos, thread->first_uid);
			const struct message_info *newest =
				find_info(infos, ninfos, thread->newest_uid);
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
		json_key(&json, "next");
		if (number < pages) {
			buf_reset(&url);
			threads_page_url(page, &url, number + 1);
			json_string(&json, buf_cstr(&url));
		} else {
			json_null(&json);
		}
		json_key(&json, "prev");
		if (number > 1) {
			buf_reset(&url);
			threads_page_url(page, &url, number - 1);
			json_string(&json, buf_cstr(&url));
		} else {
			json_null(&json);
		}
		json_object_end(&json);
		json_finish(&json);
		rc = page_send_json(page, &body);
		goto out;
	}
	struct tmpl_vars *vars = tmpl_vars_new();
	tmpl_vars_set_str(vars, "title", page->route->mailbox);
	tmpl_vars_set_uint(vars, "total", cache->forest.nthreads);
	tmpl_vars_set_uint(vars, "page", number);
	tmpl_vars_set_uint(vars, "pages", pages);
	tmpl_vars_set_list(vars, "threads");
	for (size_t t = 0; t < nthreads; t++) {
		const struct thread_summary *thread = &threads[t];
		const struct message_info *first = find_info(infos, ninfos, thread->first_uid);
		const struct message_info *newest = find_info(infos, ninfos, thread->newest_uid);
		struct tmpl_vars *item = tmpl_vars_add_item(vars, "threads");
		buf_reset(&url);
		thread_link(page, &url, thread->first_uid);
		if (newest)
			page_vars_summary(page, item, newest, buf_cstr(&url));
		tmpl_vars_set_str(item, "url", buf_cstr(&url));
		tmpl_vars_set_str(item, "subject", first && first->subject[0]
		                                       ? first->subject : "(no subject)");
		tmpl_vars_set_uint(item, "messages", thread->messages);
		buf_reset(&text);
		participants(page, thread, infos, ninfos, &text, NULL);
		tmpl_vars_set_str(item, "participants", buf_cstr(&text));
	}
	if (number < pages) {
		buf_reset(&url);
		threads_page_url(page, &url, number + 1);
		tmpl_vars_set_str(vars, "next", buf_cstr(&url));
	}
	if (number > 1) {
		buf_reset(&url);
		threads_page_url(page, &url, number - 1);
		tmpl_vars_set_str(vars, "prev", buf_cstr(&url));
	}
	rc = page_render(page, "threads.html", vars);
	tmpl_vars_free(vars);
out:
	for (size_t t = 0; t < nthreads; t++)
		free(threads[t].rows);
	free(threads);
	free(uids);
	page_infos_free(infos, ninfos);
	buf_release(&url);
	buf_release(&body);
	buf_release(&text);
	return rc;
}
