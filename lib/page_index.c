/*
 * "/MBOX/": the message index, newest first, one page at a time.
 *
 * Only the page's messages are fetched; the order is the archive's date
 * order (archive_sorted_uids: the Date header, as a reader expects,
 * whether or not the imapd sorts), with a chart of messages per month.
 */
#include "page.h"
#include "pager.h"

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

/* Page number of the index (of the month shown), in the format asked. */
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
	if (page->json && page->route->format_given)
		url.params[k++] = (struct html_url_param){ "format", "json" };
	page_url(page, out, &url);
}

static const char *const month_names[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static void month_url(struct page *page, struct buf *out, const char *month)
{
	struct html_url link = { .mailbox = page->route->mailbox };

	link.params[0] = (struct html_url_param){ "month", month };
	buf_reset(out);
	page_url(page, out, &link);
}

/*
 * The months of the whole span as a calendar, newest year first: "years"
 * {year, total, url (the newest of its months with mail), months: twelve
 * {name, month (YYYY-MM), count, url (absent when empty), current (the
 * month shown), level (0-4: its share of the busiest month, for shading)}}.
 */
static void calendar_vars(struct page *page, struct tmpl_vars *vars,
                          const struct archive_months *months)
{
	int first, last;
	uint32_t busiest = 1;
	char month[24];
	struct buf url = BUF_INIT;

	if (!months)
		return;
	first = months->first_year * 12 + months->first_month - 1;
	last = first + (int)months->n - 1;
	for (size_t i = 0; i < months->n; i++)
		if (months->counts[i] > busiest)
			busiest = months->counts[i];
	tmpl_vars_set_list(vars, "years");
	for (int year = months->last_year; year >= months->first_year; year--) {
		struct tmpl_vars *row = tmpl_vars_add_item(vars, "years");
		uint64_t total = 0;
		tmpl_vars_set_uint(row, "year", (uint64_t)year);
		tmpl_vars_set_list(row, "months");
		for (int m = 0; m < 12; m++) {
			int at = year * 12 + m;
			uint32_t count = at >= first && at <= last ? months->counts[at - first] : 0;
			struct tmpl_vars *cell = tmpl_vars_add_item(row, "months");
			snprintf(month, sizeof(month), "%04d-%02d", year, m + 1);
			tmpl_vars_set_str(cell, "name", month_names[m]);
			tmpl_vars_set_str(cell, "month", month);
			tmpl_vars_set_uint(cell, "count", count);
			tmpl_vars_set_uint(cell, "level", count ? 1 + (uint64_t)count * 3 / busiest : 0);
			tmpl_vars_set_bool(cell, "current", page->route->month &&
			                                    !strcmp(page->route->month, month));
			if (count) {
				month_url(page, &url, month);
				tmpl_vars_set_str(cell, "url", buf_cstr(&url));
			}
			total += count;
		}
		tmpl_vars_set_uint(row, "total", total);
	}
	buf_release(&url);
}

/*
 * The same as JSON: "months" [{month, messages}] and "years" [{year,
 * messages}]; empty lists for a mailbox without dated mail (months NULL),
 * so that the document has the same members whatever the mailbox.
 */
static void calendar_json(struct json *json, const struct archive_months *months)
{
	static const struct archive_months none = { .first_year = 1, .last_year = 0 };
	char month[24];

	if (!months)
		months = &none;
	int first = months->first_year * 12 + months->first_month - 1;
	json_key(json, "months");
	json_array_begin(json);
	for (size_t i = 0; i < months->n; i++) {
		int at = first + (int)i;
		snprintf(month, sizeof(month), "%04d-%02d", at / 12, at % 12 + 1);
		json_object_begin(json);
		json_kv_string(json, "month", month);
		json_kv_uint(json, "messages", months->counts[i]);
		json_object_end(json);
	}
	json_array_end(json);
	json_key(json, "years");
	json_array_begin(json);
	for (int year = months->first_year; year <= months->last_year; year++) {
		uint64_t total = 0;
		for (size_t i = 0; i < months->n; i++)
			if ((first + (int)i) / 12 == year)
				total += months->counts[i];
		json_object_begin(json);
		json_kv_uint(json, "year", (uint64_t)year);
		json_kv_uint(json, "messages", total);
		json_object_end(json);
	}
	json_array_end(json);
}

static void message_url(struct page *page, struct buf *out, uint32_t uid)
{
	struct html_url url = { .mailbox = page->route->mailbox, .uid = uid };
	page_url(page, out, &url);
}

static int send_json(struct page *page, const struct index_page *index,
                     const struct archive_months *cache)
{
	struct page_pager pager = { index->number, index->pages, index_url, NULL };
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
	calendar_json(&json, cache);
	json_key(&json, "messages");
	json_array_begin(&json);
	for (size_t i = 0; i < index->n; i++) {
		const struct message_info *info = &index->messages[i];
		buf_reset(&url);
		message_url(page, &url, info->uid);
		page_json_summary(&json, info, buf_cstr(&url));
	}
	json_array_end(&json);
	page_pager_json(page, &json, &pager);
	json_object_end(&json);
	rc = page_send_json(page, &json, &body);
	buf_release(&body);
	buf_release(&url);
	return rc;
}

static int send_html(struct page *page, const struct index_page *index,
                     const struct archive_months *months)
{
	struct page_pager pager = { index->number, index->pages, index_url, NULL };
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
	page_vars_subtitle(vars, page->route->month, index->number);
	calendar_vars(page, vars, months);
	page_vars_count(vars, "total", index->total);
	tmpl_vars_set_uint(vars, "page", index->number);
	tmpl_vars_set_uint(vars, "pages", index->pages);
	tmpl_vars_set_list(vars, "messages");
	for (size_t i = 0; i < index->n; i++) {
		struct tmpl_vars *item = tmpl_vars_add_item(vars, "messages");
		buf_reset(&url);
		message_url(page, &url, index->messages[i].uid);
		page_vars_summary(page, item, &index->messages[i], buf_cstr(&url));
	}
	page_pager_vars(page, vars, &pager);
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
