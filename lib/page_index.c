/*
 * "/MBOX/": the message index, newest first, one page at a time.
 *
 * Only the page's messages are fetched; the order is the archive's date
 * order (archive_sorted_uids: the Date header, as a reader expects,
 * whether or not the imapd sorts), with a chart of messages per month.
 */
#include "page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"

struct index_page {
	uint32_t total;         /* in the mailbox, or in the month shown */
	int year, month;        /* ?month=YYYY-MM, or 0 */
	unsigned number, pages;
	struct message_info *messages;
	size_t n;
};

/*
 * The page's messages: a slice of the mailbox's date order (or of one
 * month's part of it), and their summaries.  1 when there is no such page.
 */
static int load_index(struct page *page, struct index_page *index,
                      struct session_err *err)
{
	size_t size = page->conf->page_size;
	const uint32_t *order;
	uint32_t *in_month = NULL;
	size_t norder;
	int rc = -1;

	index->number = page->route->page_number;
	index->year = index->month = 0;
	if (page->route->month &&
	    sscanf(page->route->month, "%4d-%2d", &index->year, &index->month) == 2 &&
	    index->month >= 1 && index->month <= 12) {
		if (archive_month_uids(page->archive, index->year, index->month,
		                       &in_month, &norder, err) < 0)
			goto out;
		order = in_month;
	} else {
		index->year = index->month = 0;
		if (archive_sorted_uids(page->archive, &order, &norder, err) < 0)
			goto out;
	}
	index->total = (uint32_t)norder;
	index->pages = norder ? (unsigned)((norder + size - 1) / size) : 1;
	if (index->number > index->pages) {
		rc = 1;
		goto out;
	}
	size_t from = (size_t)(index->number - 1) * size;
	size_t count = from < norder ? norder - from : 0;
	if (count > size)
		count = size;
	rc = page_fetch_summaries(page, order + from, count,
	                       &index->messages, &index->n, err);
out:
	free(in_month);
	return rc;
}

static void index_url(struct page *page, struct buf *out, unsigned number,
                      const void *ctx)
{
	char value[16];
	size_t k = 0;
	struct html_url url = { .mailbox = page->route->mailbox };
	(void)ctx;

	if (page->route->month)
		url.params[k++] = (struct html_url_param){ "month", page->route->month };
	if (number > 1) {
		snprintf(value, sizeof(value), "%u", number);
		url.params[k++] = (struct html_url_param){ "page", value };
	}
	page_url(page, out, &url);
}

/* Bars of the chart as template vars: SVG geometry computed here. */
static void chart_vars(struct page *page, struct tmpl_vars *vars,
                       const struct archive_months *cache)
{
	uint32_t highest = 1;
	char month[16];
	struct buf url = BUF_INIT;
	enum { BAR = 24, GAP = 6, HEIGHT = 80 };

	if (!cache)
		return;
	for (int i = 0; i < ARCHIVE_CHART_MONTHS; i++)
		if (cache->counts[i] > highest)
			highest = cache->counts[i];
	tmpl_vars_set_uint(vars, "chart_width", ARCHIVE_CHART_MONTHS * (BAR + GAP));
	tmpl_vars_set_uint(vars, "chart_height", HEIGHT + 16);
	tmpl_vars_set_list(vars, "months");
	for (int i = 0; i < ARCHIVE_CHART_MONTHS; i++) {
		int index = cache->last_year * 12 + cache->last_month - 1 -
		            (ARCHIVE_CHART_MONTHS - 1 - i);
		uint32_t count = cache->counts[i];
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

static int send_json(struct page *page, const struct index_page *index,
                     const struct archive_months *cache)
{
	struct buf body = BUF_INIT, url = BUF_INIT;
	struct json json;
	int rc;

	json_init(&json, &body);
	json_object_begin(&json);
	json_kv_string(&json, "mailbox", page->route->mailbox_label);
	json_kv_uint(&json, "total", index->total);
	json_kv_uint(&json, "page", index->number);
	json_kv_uint(&json, "pages", index->pages);
	json_kv_string(&json, "month", page->route->month);
	if (cache) {
		char month[16];
		json_key(&json, "months");
		json_array_begin(&json);
		for (int i = 0; i < ARCHIVE_CHART_MONTHS; i++) {
			int at = cache->last_year * 12 + cache->last_month - 1 -
			         (ARCHIVE_CHART_MONTHS - 1 - i);
			snprintf(month, sizeof(month), "%04d-%02d", at / 12, at % 12 + 1);
			json_object_begin(&json);
			json_kv_string(&json, "month", month);
			json_kv_uint(&json, "messages", cache->counts[i]);
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
	page_json_paging(page, &json, index->number, index->pages, index_url, NULL);
	json_object_end(&json);
	rc = page_send_json(page, &json, &body);
	buf_release(&body);
	buf_release(&url);
	return rc;
}

static int send_html(struct page *page, const struct index_page *index,
                     const struct archive_months *months)
{
	struct tmpl_vars *vars = tmpl_vars_new();
	struct buf url = BUF_INIT;
	int rc;

	struct html_url threads = { .root = page->root,
	                            .mailbox = page->route->mailbox,
	                            .suffix = HTML_URL_THREADS };
	struct html_url search = threads, atom = threads;

	search.suffix = HTML_URL_SEARCH;
	atom.suffix = HTML_URL_ATOM;
	tmpl_vars_set_str(vars, "title", page->route->mailbox_label);
	tmpl_vars_set_url(vars, "threads_url", &threads);
	tmpl_vars_set_url(vars, "search_url", &search);
	tmpl_vars_set_url(vars, "atom_url", &atom);
	tmpl_vars_set_str(vars, "query", "");
	if (page->route->month)
		tmpl_vars_set_str(vars, "month", page->route->month);
	chart_vars(page, vars, months);
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
		index_url(page, &url, index->number + 1, NULL);
		tmpl_vars_set_str(vars, "next", buf_cstr(&url));
	}
	if (index->number > 1) {
		buf_reset(&url);
		index_url(page, &url, index->number - 1, NULL);
		tmpl_vars_set_str(vars, "prev", buf_cstr(&url));
	}
	rc = page_render(page, "index.html", vars);
	tmpl_vars_free(vars);
	buf_release(&url);
	return rc;
}

int page_index(struct page *page)
{
	struct index_page index = { 0 };
	struct session_err err = { 0 };
	const struct archive_months *months = NULL;
	int rc;

	rc = load_index(page, &index, &err);
	/* The chart is a help, not the page: without it the index still shows. */
	if (rc == 0 && archive_months(page->archive, &months, &err) < 0) {
		months = NULL;
		if (archive_broken(page->archive))
			rc = -1;
		else
			memset(&err, 0, sizeof(err));
	}
	if (rc > 0) {
		rc = page_error(page, 404, "There is no such page of this mailbox.");
	} else if (rc < 0) {
		rc = page_session_error(page, &err);
	} else {
		rc = page->json ? send_json(page, &index, months)
		                : send_html(page, &index, months);
	}
	archive_summaries_free(index.messages, index.n);
	return rc;
}
