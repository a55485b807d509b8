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

#include "imap_view.h"
#include "message.h"

struct index_page {
	uint32_t total;         /* in the mailbox, or in the month shown */
	int year, month;        /* ?month=YYYY-MM, or 0 */
	unsigned number, pages;
	struct message_info *messages;
	size_t n;
};

static const char *const imap_months[] = { "Jan", "Feb", "Mar", "Apr",
                                           "May", "Jun", "Jul", "Aug",
                                           "Sep", "Oct", "Nov", "Dec" };

/* "1-Jan-2020": the date form of SEARCH keys, written as an atom. */
static void search_date(char *out, size_t size, int year, int month)
{
	snprintf(out, size, "1-%s-%d", imap_months[month - 1], year);
}

/* SENTSINCE the month's first day SENTBEFORE the next month's. */
static void month_keys(struct imap_cmd *cmd, int year, int month)
{
	char date[24];

	search_date(date, sizeof(date), year, month);
	imap_cmd_atom(cmd, "SENTSINCE");
	imap_cmd_atom(cmd, date);
	search_date(date, sizeof(date), month == 12 ? year + 1 : year,
	            month == 12 ? 1 : month + 1);
	imap_cmd_atom(cmd, "SENTBEFORE");
	imap_cmd_atom(cmd, date);
}

/* The UIDs sent in one month, sorted ascending, for filtering. */
static int month_uids(struct session *session, int year, int month,
                      uint32_t **uids, size_t *n, struct session_err *err)
{
	struct session_result result;
	struct imap_cmd cmd;
	size_t cap = 0;
	int rc;

	*uids = NULL;
	*n = 0;
	imap_cmd_init(&cmd, "UID SEARCH");
	month_keys(&cmd, year, month);
	session_result_init(&result);
	rc = session_run(session, &cmd, &result, err);
	for (size_t i = 0; rc == 0 && i < result.nuntagged; i++) {
		struct imap_search hits;
		if (imap_view_search(result.untagged[i], &hits) < 0)
			continue;
		for (size_t k = 0; k < hits.n; k++) {
			if (*n == cap) {
				cap = cap ? cap * 2 : 256;
				*uids = xrealloc(*uids, cap * sizeof(**uids));
			}
			(*uids)[(*n)++] = hits.ids[k];
		}
		imap_search_release(&hits);
	}
	session_result_release(&result);
	imap_cmd_release(&cmd);
	return rc;
}

static int compare_uid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * Messages per month for the chart: one SEARCH per month, pipelined,
 * RETURN (COUNT) where ESEARCH is offered so no UID list comes back.
 */
static int month_counts(struct page *page, struct session_err *err)
{
	struct sort_cache *cache = page->sort_cache;
	struct session *session = page->session;
	bool esearch = session_has_cap(session, CAP_ESEARCH);
	unsigned tickets[PAGE_CHART_MONTHS];
	struct message_info *newest = NULL;
	size_t nnewest = 0;
	int rc = -1;

	if (cache->has_months || !cache->n)
		return 0;
	if (page_fetch_infos(page, cache->uids, 1, &newest, &nnewest, err) < 0)
		return -1;
	if (!nnewest || !newest[0].has_date) {
		page_infos_free(newest, nnewest);
		return 0;
	}
	struct tm tm;
	time_t when = newest[0].date;
	gmtime_r(&when, &tm);
	page_infos_free(newest, nnewest);
	cache->last_year = tm.tm_year + 1900;
	cache->last_month = tm.tm_mon + 1;
	for (int i = 0; i < PAGE_CHART_MONTHS; i++) {
		int offset = PAGE_CHART_MONTHS - 1 - i;
		int index = cache->last_year * 12 + cache->last_month - 1 - offset;
		struct imap_cmd cmd;
		imap_cmd_init(&cmd, "UID SEARCH");
		if (esearch) {
			imap_cmd_atom(&cmd, "RETURN");
			imap_cmd_list_open(&cmd);
			imap_cmd_atom(&cmd, "COUNT");
			imap_cmd_list_close(&cmd);
		}
		month_keys(&cmd, index / 12, index % 12 + 1);
		int sent = session_send(session, &cmd, &tickets[i], err);
		imap_cmd_release(&cmd);
		if (sent < 0) {
			for (int k = 0; k < i; k++) {
				struct session_result ignored;
				session_result_init(&ignored);
				session_wait(session, tickets[k], &ignored, err);
				session_result_release(&ignored);
			}
			return -1;
		}
	}
	rc = 0;
	for (int i = 0; i < PAGE_CHART_MONTHS; i++) {
		struct session_result result;
		session_result_init(&result);
		if (session_wait(session, tickets[i], &result, err) < 0)
			rc = -1;
		cache->month_counts[i] = 0;
		for (size_t r = 0; r < result.nuntagged; r++) {
			struct imap_esearch counted;
			struct imap_search hits;
			struct imap_view_err view_err;
			if (imap_view_esearch(result.untagged[r], 0, &counted,
			                      &view_err) == 0) {
				if (counted.has_count)
					cache->month_counts[i] = (uint32_t)counted.count;
				imap_esearch_release(&counted);
			} else if (imap_view_search(result.untagged[r], &hits) == 0) {
				cache->month_counts[i] = (uint32_t)hits.n;
				imap_search_release(&hits);
			}
		}
		session_result_release(&result);
	}
	cache->has_months = rc == 0;
	return rc;
}

static bool sort_cache_fresh(const struct sort_cache *cache,
                             const struct mailbox_state *state)
{
	return mailbox_stamp_matches(&cache->stamp, state);
}

void sort_cache_release(struct sort_cache *cache)
{
	mailbox_stamp_release(&cache->stamp);
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
	mailbox_stamp_take(&cache->stamp, state);
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

	uint32_t *in_month = NULL, *kept = NULL;
	size_t nmonth = 0, nkept = 0;

	index->total = session_mailbox(session)->exists;
	index->number = page->route->page_number;
	if (page->route->month &&
	    sscanf(page->route->month, "%4d-%2d", &index->year, &index->month) == 2 &&
	    index->month >= 1 && index->month <= 12) {
		/* One month: its UIDs in the mailbox's order, paged like the rest. */
		if (page_sorted_uids(page, err) < 0 ||
		    month_uids(session, index->year, index->month, &in_month,
		               &nmonth, err) < 0) {
			free(in_month);
			return -1;
		}
		qsort(in_month, nmonth, sizeof(*in_month), compare_uid);
		const struct sort_cache *cache = page->sort_cache;
		kept = xcalloc(cache->n + 1, sizeof(*kept));
		for (size_t i = 0; i < cache->n; i++)
			if (bsearch(&cache->uids[i], in_month, nmonth, sizeof(*in_month),
			            compare_uid))
				kept[nkept++] = cache->uids[i];
		free(in_month);
		index->total = (uint32_t)nkept;
		index->pages = nkept ? (unsigned)((nkept + size - 1) / size) : 1;
		if (index->number > index->pages) {
			free(kept);
			err->code = SESSION_OK;
			return 1;
		}
		size_t from = (size_t)(index->number - 1) * size;
		size_t count = from < nkept ? nkept - from : 0;
		if (count > size)
			count = size;
		rc = 0;
		if (count) {
			for (size_t i = 0; i < count; i++)
				buf_addf(&set, "%s%u", i ? "," : "", kept[from + i]);
			imap_cmd_init(&cmd, "UID FETCH");
			imap_cmd_seqset(&cmd, buf_cstr(&set));
			imap_cmd_fetch_items(&cmd, MESSAGE_INFO_ITEMS);
			rc = fetch_infos(session, &cmd, index, kept + from, count, err);
			imap_cmd_release(&cmd);
		}
		free(kept);
		buf_release(&set);
		return rc;
	}
	index->year = index->month = 0;
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
	size_t k = 0;
	struct html_url url = { .mailbox = page->route->mailbox };

	if (page->route->month)
		url.params[k++] = (struct html_url_param){ "month", page->route->month };
	if (number > 1) {
		snprintf(value, sizeof(value), "%u", number);
		url.params[k++] = (struct html_url_param){ "page", value };
	}
	page_url(page, out, &url);
}

/* Bars of the chart as template vars: SVG geometry computed here. */
static void chart_vars(struct page *page, struct tmpl_vars *vars)
{
	const struct sort_cache *cache = page->sort_cache;
	uint32_t highest = 1;
	char month[16];
	struct buf url = BUF_INIT;
	enum { BAR = 24, GAP = 6, HEIGHT = 80 };

	if (!cache->has_months)
		return;
	for (int i = 0; i < PAGE_CHART_MONTHS; i++)
		if (cache->month_counts[i] > highest)
			highest = cache->month_counts[i];
	tmpl_vars_set_uint(vars, "chart_width", PAGE_CHART_MONTHS * (BAR + GAP));
	tmpl_vars_set_uint(vars, "chart_height", HEIGHT + 16);
	tmpl_vars_set_list(vars, "months");
	for (int i = 0; i < PAGE_CHART_MONTHS; i++) {
		int index = cache->last_year * 12 + cache->last_month - 1 -
		            (PAGE_CHART_MONTHS - 1 - i);
		uint32_t count = cache->month_counts[i];
		unsigned height = (unsigned)((uint64_t)count * HEIGHT / highest);
		struct tmpl_vars *bar = tmpl_vars_add_item(vars, "months");
		struct html_url link = { .mailbox = page->route->mailbox };
		snprintf(month, sizeof(month), "%04d-%02d", index / 12, index % 12 + 1);
		link.params[0] = (struct html_url_param){ "month", month };
		buf_reset(&url);
		page_url(page, &url, &link);
		tmpl_vars_set_str(bar, "month", month);
		tmpl_vars_set_str(bar, "label", month + 5);
		tmpl_vars_set_str(bar, "url", buf_cstr(&url));
		tmpl_vars_set_uint(bar, "count", count);
		tmpl_vars_set_uint(bar, "x", (uint64_t)i * (BAR + GAP));
		tmpl_vars_set_uint(bar, "text_x", (uint64_t)i * (BAR + GAP) + BAR / 2);
		tmpl_vars_set_uint(bar, "y", HEIGHT - height);
		tmpl_vars_set_uint(bar, "width", BAR);
		tmpl_vars_set_uint(bar, "height", height ? height : 1);
		tmpl_vars_set_uint(bar, "text_y", HEIGHT + 13);
	}
	buf_release(&url);
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
	json_kv_string(&json, "month", page->route->month);
	if (page->sort_cache->has_months) {
		const struct sort_cache *cache = page->sort_cache;
		char month[16];
		json_key(&json, "months");
		json_array_begin(&json);
		for (int i = 0; i < PAGE_CHART_MONTHS; i++) {
			int at = cache->last_year * 12 + cache->last_month - 1 -
			         (PAGE_CHART_MONTHS - 1 - i);
			snprintf(month, sizeof(month), "%04d-%02d", at / 12, at % 12 + 1);
			json_object_begin(&json);
			json_kv_string(&json, "month", month);
			json_kv_uint(&json, "messages", cache->month_counts[i]);
			json_object_end(&json);
		}
		json_array_end(&json);
	}
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

	struct html_url threads = { .root = page->root,
	                            .mailbox = page->route->mailbox,
	                            .suffix = HTML_URL_THREADS };
	struct html_url search = threads, atom = threads;

	search.suffix = HTML_URL_SEARCH;
	atom.suffix = HTML_URL_ATOM;
	tmpl_vars_set_str(vars, "title", page->route->mailbox);
	tmpl_vars_set_url(vars, "threads_url", &threads);
	tmpl_vars_set_url(vars, "search_url", &search);
	tmpl_vars_set_url(vars, "atom_url", &atom);
	tmpl_vars_set_str(vars, "query", "");
	if (page->route->month)
		tmpl_vars_set_str(vars, "month", page->route->month);
	chart_vars(page, vars);
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
	/* The chart is a help, not the page: without it the index still shows. */
	if (rc == 0 && (page_sorted_uids(page, &err) < 0 ||
	                month_counts(page, &err) < 0)) {
		if (session_broken(page->session))
			rc = -1;
		else
			memset(&err, 0, sizeof(err));
	}
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
