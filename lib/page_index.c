/*
 * "/MBOX/": the message index, newest first, one page at a time.
 *
 * Only the page's messages are fetched.  Where the imapd offers SORT, the
 * order is UID SORT (REVERSE DATE) (by the Date header, as a reader
 * expects), kept per worker until UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ or
 * the message count change.  Without SORT, the order is arrival order
 * (message sequence numbers, which follow INTERNALDATE and UID in an
 * archive that is only ever appended to), newest first: the page is a
 * range of sequence numbers and nothing else is fetched.
 */
#include "page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"

struct index_page {
	uint32_t total;
	unsigned number, pages;
	struct message_info *messages;
	size_t n;
};

static bool sort_cache_fresh(const struct sort_cache *cache,
                             const struct mailbox_state *state)
{
	return cache->mailbox && !strcmp(cache->mailbox, state->name) &&
	       cache->uidvalidity == state->uidvalidity &&
	       cache->uidnext == state->uidnext &&
	       cache->highestmodseq == state->highestmodseq &&
	       cache->exists == state->exists;
}

void sort_cache_release(struct sort_cache *cache)
{
	free(cache->mailbox);
	free(cache->uids);
	memset(cache, 0, sizeof(*cache));
}

/*
 * The UIDs of the mailbox, newest first, from UID SORT or the cache;
 * without SORT, UID SEARCH ALL backwards (arrival order, see above).
 */
int page_sorted_uids(struct page *page, struct session_err *err)
{
	struct session *session = page->session;
	struct sort_cache *cache = page->sort_cache;
	const struct mailbox_state *state = session_mailbox(session);
	bool sort = session_has_cap(session, CAP_SORT);
	struct imap_cmd cmd;
	struct session_result result;
	size_t cap = 0;
	int rc = -1;

	if (sort_cache_fresh(cache, state))
		return 0;
	sort_cache_release(cache);
	if (sort) {
		imap_cmd_init(&cmd, "UID SORT");
		imap_cmd_list_open(&cmd);
		imap_cmd_atom(&cmd, "REVERSE");
		imap_cmd_atom(&cmd, "DATE");
		imap_cmd_list_close(&cmd);
		imap_cmd_atom(&cmd, "UTF-8");
	} else {
		imap_cmd_init(&cmd, "UID SEARCH");
	}
	imap_cmd_atom(&cmd, "ALL");
	session_result_init(&result);
	if (session_run(session, &cmd, &result, err) < 0)
		goto out;
	for (size_t i = 0; i < result.nuntagged; i++) {
		const struct imap_response *response = result.untagged[i];
		if (!response->data ||
		    !imap_node_is_atom(response->data, sort ? "SORT" : "SEARCH"))
			continue;
		for (const struct imap_node *node = response->data->next; node;
		     node = node->next) {
			if (node->type != IMAP_NUMBER || !node->number ||
			    node->number > UINT32_MAX)
				continue;
			if (cache->n == cap) {
				cap = cap ? cap * 2 : 1024;
				cache->uids = xrealloc(cache->uids,
				                       cap * sizeof(*cache->uids));
			}
			cache->uids[cache->n++] = (uint32_t)node->number;
		}
	}
	if (!sort) {
		for (size_t i = 0; i < cache->n / 2; i++) {
			uint32_t uid = cache->uids[i];
			cache->uids[i] = cache->uids[cache->n - 1 - i];
			cache->uids[cache->n - 1 - i] = uid;
		}
	}
	cache->mailbox = xstrdup(state->name);
	cache->uidvalidity = state->uidvalidity;
	cache->uidnext = state->uidnext;
	cache->highestmodseq = state->highestmodseq;
	cache->exists = state->exists;
	rc = 0;
out:
	session_result_release(&result);
	imap_cmd_release(&cmd);
	return rc;
}

static int compare_seq_desc(const void *a, const void *b)
{
	const struct message_info *x = a, *y = b;
	return x->seq < y->seq ? 1 : x->seq > y->seq ? -1 : 0;
}

/* Fetch the summaries of a set; keep them in the order of uids if given. */
static int fetch_infos(struct session *session, struct imap_cmd *cmd,
                       struct index_page *index, const uint32_t *order,
                       size_t norder, struct session_err *err)
{
	struct session_result result;
	int rc = -1;

	session_result_init(&result);
	if (session_run(session, cmd, &result, err) < 0)
		goto out;
	index->messages = xcalloc(result.nuntagged + 1, sizeof(*index->messages));
	for (size_t i = 0; i < result.nuntagged; i++) {
		struct message_info info;
		if (message_info_from_fetch(&info, result.untagged[i]) == 0)
			index->messages[index->n++] = info;
	}
	if (!order) {
		qsort(index->messages, index->n, sizeof(*index->messages),
		      compare_seq_desc);
	} else {
		/* Put each message at the position of its UID in order. */
		struct message_info *sorted = xcalloc(norder + 1, sizeof(*sorted));
		size_t placed = 0;
		for (size_t k = 0; k < norder; k++) {
			for (size_t i = 0; i < index->n; i++) {
				if (index->messages[i].uid == order[k]) {
					sorted[placed++] = index->messages[i];
					index->messages[i].uid = 0;
					break;
				}
			}
		}
		for (size_t i = 0; i < index->n; i++)
			if (index->messages[i].uid)
				message_info_release(&index->messages[i]);
		free(index->messages);
		index->messages = sorted;
		index->n = placed;
	}
	rc = 0;
out:
	session_result_release(&result);
	return rc;
}

static int load_index(struct page *page, struct index_page *index,
                      struct session_err *err)
{
	struct session *session = page->session;
	size_t size = page->conf->page_size;
	struct imap_cmd cmd;
	struct buf set = BUF_INIT;
	int rc = -1;

	index->total = session_mailbox(session)->exists;
	index->number = page->route->page_number;
	index->pages = index->total ? (unsigned)((index->total + size - 1) / size)
	                            : 1;
	if (index->number > index->pages) {
		err->code = SESSION_OK;
		return 1;  /* no such page */
	}
	if (!index->total)
		return 0;
	if (session_has_cap(session, CAP_SORT)) {
		if (page_sorted_uids(page, err) < 0)
			return -1;
		const struct sort_cache *cache = page->sort_cache;
		size_t from = (size_t)(index->number - 1) * size;
		size_t count = from < cache->n ? cache->n - from : 0;
		if (count > size)
			count = size;
		if (!count)
			return 0;
		for (size_t i = 0; i < count; i++)
			buf_addf(&set, "%s%u", i ? "," : "", cache->uids[from + i]);
		imap_cmd_init(&cmd, "UID FETCH");
		imap_cmd_seqset(&cmd, buf_cstr(&set));
		imap_cmd_fetch_items(&cmd, MESSAGE_INFO_ITEMS);
		rc = fetch_infos(session, &cmd, index, cache->uids + from, count, err);
	} else {
		uint32_t high = index->total - (index->number - 1) * (uint32_t)size;
		uint32_t low = high > size ? high - (uint32_t)size + 1 : 1;
		buf_addf(&set, "%u:%u", low, high);
		imap_cmd_init(&cmd, "FETCH");
		imap_cmd_seqset(&cmd, buf_cstr(&set));
		imap_cmd_fetch_items(&cmd, MESSAGE_INFO_ITEMS);
		rc = fetch_infos(session, &cmd, index, NULL, 0, err);
	}
	imap_cmd_release(&cmd);
	buf_release(&set);
	return rc;
}

void page_infos_free(struct message_info *infos, size_t n)
{
	for (size_t i = 0; i < n; i++)
		message_info_release(&infos[i]);
	free(infos);
}

int page_fetch_infos(struct page *page, const uint32_t *uids, size_t n,
                     struct message_info **infos, size_t *ninfos,
                     struct session_err *err)
{
	struct index_page fetched = { 0 };
	struct imap_cmd cmd;
	struct buf set = BUF_INIT;
	int rc;

	*infos = NULL;
	*ninfos = 0;
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		buf_addf(&set, "%s%u", i ? "," : "", uids[i]);
	imap_cmd_init(&cmd, "UID FETCH");
	imap_cmd_seqset(&cmd, buf_cstr(&set));
	imap_cmd_fetch_items(&cmd, MESSAGE_INFO_ITEMS);
	rc = fetch_infos(page->session, &cmd, &fetched, uids, n, err);
	imap_cmd_release(&cmd);
	buf_release(&set);
	if (rc == 0) {
		*infos = fetched.messages;
		*ninfos = fetched.n;
	}
	return rc;
}

static void index_url(struct page *page, struct buf *out, unsigned number)
{
	char value[16];
	struct html_url url = { .mailbox = page->route->mailbox };

	if (number > 1) {
		snprintf(value, sizeof(value), "%u", number);
		url.params[0] = (struct html_url_param){ "page", value };
	}
	page_url(page, out, &url);
}

static void message_url(struct page *page, struct buf *out, uint32_t uid)
{
	struct html_url url = { .mailbox = page->route->mailbox, .uid = uid };
	page_url(page, out, &url);
}

static void send_json(struct page *page, const struct index_page *index)
{
	struct buf body = BUF_INIT, url = BUF_INIT;
	struct json json;

	json_init(&json, &body);
	json_object_begin(&json);
	json_kv_string(&json, "mailbox", page->route->mailbox);
	json_kv_uint(&json, "total", index->total);
	json_kv_uint(&json, "page", index->number);
	json_kv_uint(&json, "pages", index->pages);
	json_key(&json, "messages");
	json_array_begin(&json);
	for (size_t i = 0; i < index->n; i++) {
		const struct message_info *info = &index->messages[i];
		buf_reset(&url);
		message_url(page, &url, info->uid);
		page_json_summary(&json, info, buf_cstr(&url));
	}
	json_array_end(&json);
	json_key(&json, "next");
	if (index->number < index->pages) {
		buf_reset(&url);
		index_url(page, &url, index->number + 1);
		json_string(&json, buf_cstr(&url));
	} else {
		json_null(&json);
	}
	json_key(&json, "prev");
	if (index->number > 1) {
		buf_reset(&url);
		index_url(page, &url, index->number - 1);
		json_string(&json, buf_cstr(&url));
	} else {
		json_null(&json);
	}
	json_object_end(&json);
	json_finish(&json);
	page_send_json(page, &body);
	buf_release(&body);
	buf_release(&url);
}

static void send_html(struct page *page, const struct index_page *index)
{
	struct tmpl_vars *vars = tmpl_vars_new();
	struct buf url = BUF_INIT;

	tmpl_vars_set_str(vars, "title", page->route->mailbox);
	tmpl_vars_set_uint(vars, "total", index->total);
	tmpl_vars_set_uint(vars, "page", index->number);
	tmpl_vars_set_uint(vars, "pages", index->pages);
	tmpl_vars_set_list(vars, "messages");
	for (size_t i = 0; i < index->n; i++) {
		struct tmpl_vars *item = tmpl_vars_add_item(vars, "messages");
		buf_reset(&url);
		message_url(page, &url, index->messages[i].uid);
		page_vars_summary(page, item, &index->messages[i], buf_cstr(&url));
	}
	if (index->number < index->pages) {
		buf_reset(&url);
		index_url(page, &url, index->number + 1);
		tmpl_vars_set_str(vars, "next", buf_cstr(&url));
	}
	if (index->number > 1) {
		buf_reset(&url);
		index_url(page, &url, index->number - 1);
		tmpl_vars_set_str(vars, "prev", buf_cstr(&url));
	}
	page_render(page, "index.html", vars);
	tmpl_vars_free(vars);
	buf_release(&url);
}

int page_index(struct page *page)
{
	struct index_page index = { 0 };
	struct session_err err = { 0 };
	int rc;

	if (page_examine(page, &err) < 0)
		return page_session_error(page, &err);
	rc = load_index(page, &index, &err);
	if (rc > 0) {
		rc = page_error(page, 404, "There is no such page of this mailbox.");
	} else if (rc < 0) {
		rc = page_session_error(page, &err);
	} else {
		resp_header(page->resp, "Cache-Control", "public, max-age=60");
		if (page->json)
			send_json(page, &index);
		else
			send_html(page, &index);
	}
	for (size_t i = 0; i < index.n; i++)
		message_info_release(&index.messages[i]);
	free(index.messages);
	return rc;
}
