/*
 * "/MBOX/search?q=Q": the query language of search.h, run as UID SORT
 * (REVERSE DATE) where the imapd sorts, else UID SEARCH (arrival order,
 * reversed), always with CHARSET UTF-8 and every user word as a string
 * the session layer encodes.  Where ESORT/ESEARCH come with PARTIAL, the
 * imapd returns only the page asked for and the count, so a page of a
 * large result never carries the whole set.  Served as HTML, JSON (the
 * index's shape plus "query"), Atom (&format=atom) and mboxrd
 * (&format=mbox, every hit).
 */
#include "page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap_view.h"
#include "message.h"
#include "search.h"

/* Hits exported as mbox at most: an export is not a mirror. */
#define SEARCH_MAX_EXPORT 10000
/* UIDs accepted from one answer. */
#define SEARCH_MAX_HITS (1u << 24)

static const char search_help[] =
	"Words are searched in headers and text; \"quoted phrases\" stay "
	"together.  from:NAME, to:NAME, subject:WORD and body:WORD search one "
	"field; since:YYYY-MM-DD and before:YYYY-MM-DD limit the sent date.  "
	"All terms must match.";

struct search_hits {
	uint32_t *uids;        /* this page's, newest first */
	size_t n;
	uint64_t total;
};

static bool all_ascii(const struct search_query *query)
{
	for (size_t i = 0; i < query->nterms; i++)
		for (size_t k = 0; k < query->terms[i].value.len; k++)
			if ((unsigned char)query->terms[i].value.p[k] >= 0x80)
				return false;
	return true;
}

static void build(struct imap_cmd *cmd, const struct search_query *query,
                  bool sort, const char *partial, bool charset)
{
	imap_cmd_init(cmd, sort ? "UID SORT" : "UID SEARCH");
	if (partial) {
		imap_cmd_atom(cmd, "RETURN");
		imap_cmd_list_open(cmd);
		imap_cmd_atom(cmd, "COUNT");
		imap_cmd_atom(cmd, "PARTIAL");
		imap_cmd_atom(cmd, partial);
		imap_cmd_list_close(cmd);
	}
	if (sort) {
		imap_cmd_list_open(cmd);
		imap_cmd_atom(cmd, "REVERSE");
		imap_cmd_atom(cmd, "DATE");
		imap_cmd_list_close(cmd);
		imap_cmd_atom(cmd, "UTF-8");
	} else if (charset) {
		imap_cmd_atom(cmd, "CHARSET");
		imap_cmd_atom(cmd, "UTF-8");
	}
	search_emit(query, cmd);
}

static void add_uid(struct search_hits *hits, size_t *cap, uint32_t uid)
{
	if (hits->n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		hits->uids = xrealloc(hits->uids, *cap * sizeof(*hits->uids));
	}
	hits->uids[hits->n++] = uid;
}

/*
 * The hits from offset (0-based, newest first), at most limit of them.
 * SIZE_MAX limit: all.
 */
static int run_search(struct page *page, const struct search_query *query,
                      size_t offset, size_t limit, struct search_hits *hits,
                      struct session_err *err)
{
	struct session *session = page->session;
	bool sort = session_has_cap(session, CAP_SORT);
	bool partial = limit != SIZE_MAX && session_has_cap(session, CAP_PARTIAL) &&
	               session_has_cap(session, sort ? CAP_ESORT : CAP_ESEARCH);
	bool charset = true;
	char range[48];
	struct session_result result;
	struct imap_cmd cmd;
	size_t cap = 0;
	int rc;

	memset(hits, 0, sizeof(*hits));
	if (partial && limit) {
		/* SORT's order is ours; SEARCH's is ascending: count from the end. */
		if (sort)
			snprintf(range, sizeof(range), "%zu:%zu", offset + 1, offset + limit);
		else
			snprintf(range, sizeof(range), "-%zu:-%zu", offset + 1, offset + limit);
	} else {
		partial = false;
	}
	for (;;) {
		build(&cmd, query, sort, partial ? range : NULL, charset);
		session_result_init(&result);
		rc = session_run(session, &cmd, &result, err);
		imap_cmd_release(&cmd);
		/* imapds without CHARSET support still search ASCII. */
		if (rc < 0 && err->code == SESSION_NO && !sort && charset &&
		    all_ascii(query)) {
			session_result_release(&result);
			charset = false;
			continue;
		}
		break;
	}
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < result.nuntagged; i++) {
		const struct imap_response *response = result.untagged[i];
		struct imap_search plain;
		struct imap_esearch esearch;
		struct imap_view_err view_err;
		if (imap_view_esearch(response, limit == SIZE_MAX ? SEARCH_MAX_HITS
		                                                  : limit + 1,
		                      &esearch, &view_err) == 0) {
			if (esearch.has_count)
				hits->total = esearch.count;
			for (size_t k = 0; k < esearch.npartial; k++)
				add_uid(hits, &cap, esearch.partial[k]);
			for (size_t k = 0; k < esearch.nall; k++)
				add_uid(hits, &cap, esearch.all[k]);
			imap_esearch_release(&esearch);
			continue;
		}
		if ((sort ? imap_view_sort(response, &plain)
		          : imap_view_search(response, &plain)) < 0)
			continue;
		for (size_t k = 0; k < plain.n; k++)
			add_uid(hits, &cap, plain.ids[k]);
		imap_search_release(&plain);
	}
	if (!sort && partial) {
		/* PARTIAL -1:-N answers in ascending order: newest first. */
		for (size_t i = 0; i < hits->n / 2; i++) {
			uint32_t uid = hits->uids[i];
			hits->uids[i] = hits->uids[hits->n - 1 - i];
			hits->uids[hits->n - 1 - i] = uid;
		}
	}
	if (!partial) {
		if (!sort) {
			for (size_t i = 0; i < hits->n / 2; i++) {
				uint32_t uid = hits->uids[i];
				hits->uids[i] = hits->uids[hits->n - 1 - i];
				hits->uids[hits->n - 1 - i] = uid;
			}
		}
		hits->total = hits->n;
		size_t from = offset < hits->n ? offset : hits->n;
		size_t count = hits->n - from;
		if (count > limit)
			count = limit;
		if (count)
			memmove(hits->uids, hits->uids + from,
			        count * sizeof(*hits->uids));
		hits->n = count;
	}
	rc = 0;
out:
	session_result_release(&result);
	return rc;
}

static void search_url(struct page *page, struct buf *out, const char *q,
                       unsigned number, const char *format)
{
	char value[16];
	size_t k = 0;
	struct html_url url = { .mailbox = page->route->mailbox,
	                        .suffix = HTML_URL_SEARCH };

	url.params[k++] = (struct html_url_param){ "q", q };
	if (number > 1) {
		snprintf(value, sizeof(value), "%u", number);
		url.params[k++] = (struct html_url_param){ "page", value };
	}
	if (format)
		url.params[k++] = (struct html_url_param){ "format", format };
	page_url(page, out, &url);
}

static int show_form(struct page *page, int status, const char *query,
                     const char *why)
{
	struct tmpl_vars *vars;
	struct html_url action = { .root = page->root,
	                           .mailbox = page->route->mailbox,
	                           .suffix = HTML_URL_SEARCH };

	if (page->json) {
		struct buf message = BUF_INIT;
		buf_addf(&message, "%s %s", why ? why : "An empty query.", search_help);
		page_error(page, status, buf_cstr(&message));
		buf_release(&message);
		return -1;
	}
	vars = tmpl_vars_new();
	if (status != 200) {
		resp_set_status(page->resp, status);
		resp_header(page->resp, "Cache-Control", "no-store");
	}
	tmpl_vars_set_str(vars, "title", "Search");
	tmpl_vars_set_str(vars, "mailbox", page->route->mailbox);
	tmpl_vars_set_url(vars, "search_url", &action);
	tmpl_vars_set_str(vars, "query", query ? query : "");
	if (why)
		tmpl_vars_set_str(vars, "error", why);
	tmpl_vars_set_str(vars, "help", search_help);
	page_render(page, "search.html", vars);
	tmpl_vars_free(vars);
	return status == 200 ? 0 : -1;
}

int page_search(struct page *page)
{
	struct session_err err = { 0 };
	struct search_query query;
	struct search_hits hits = { 0 };
	struct message_info *infos = NULL;
	size_t ninfos = 0, size = page->conf->page_size;
	const char *text = page->route->query;
	char why[160];
	struct buf canonical = BUF_INIT, url = BUF_INIT, body = BUF_INIT;
	unsigned number = page->route->page_number, pages;
	enum route_format format = page->route->format;
	int rc = -1;

	search_query_init(&query);
	if (!text || !text[0]) {
		rc = show_form(page, page->json ? 400 : 200, NULL, NULL);
		goto out;
	}
	if (search_parse(&query, str_from(text), why, sizeof(why)) < 0) {
		rc = show_form(page, 400, text, why);
		goto out;
	}
	search_format(&query, &canonical);
	if (page_examine(page, &err) < 0) {
		rc = page_session_error(page, &err);
		goto out;
	}
	if (format == FORMAT_MBOX) {
		rc = run_search(page, &query, 0, SIZE_MAX, &hits, &err);
		if (rc == 0 && hits.n > SEARCH_MAX_EXPORT)
			hits.n = SEARCH_MAX_EXPORT;
	} else if (format == FORMAT_ATOM) {
		rc = run_search(page, &query, 0, 20, &hits, &err);
	} else {
		rc = run_search(page, &query, (size_t)(number - 1) * size, size,
		                &hits, &err);
	}
	if (rc < 0) {
		rc = err.code == SESSION_NO
		         ? show_form(page, 400, text,
		                     "The mail store could not run this search.")
		         : page_session_error(page, &err);
		goto out;
	}
	if (format == FORMAT_MBOX) {
		rc = page_mbox_send(page, "search.mbox", hits.uids, hits.n);
		goto out;
	}
	if (format == FORMAT_ATOM) {
		struct buf title = BUF_INIT;
		buf_addf(&title, "%s: %s: %s", page->conf->title,
		         page->route->mailbox, buf_cstr(&canonical));
		rc = page_feed_send(page, buf_cstr(&title), hits.uids, hits.n);
		buf_release(&title);
		goto out;
	}
	pages = hits.total ? (unsigned)((hits.total + size - 1) / size) : 1;
	if (number > pages) {
		rc = page_error(page, 404, "There is no such page of results.");
		goto out;
	}
	if (page_fetch_infos(page, hits.uids, hits.n, &infos, &ninfos, &err) < 0) {
		rc = page_session_error(page, &err);
		goto out;
	}
	if (page->json) {
		struct json json;
		json_init(&json, &body);
		json_object_begin(&json);
		json_kv_string(&json, "mailbox", page->route->mailbox);
		json_kv_string(&json, "query", buf_cstr(&canonical));
		json_kv_uint(&json, "total", hits.total);
		json_kv_uint(&json, "page", number);
		json_kv_uint(&json, "pages", pages);
		json_key(&json, "messages");
		json_array_begin(&json);
		for (size_t i = 0; i < ninfos; i++) {
			struct html_url link = { .mailbox = page->route->mailbox,
			                         .uid = infos[i].uid };
			buf_reset(&url);
			page_url(page, &url, &link);
			page_json_summary(&json, &infos[i], buf_cstr(&url));
		}
		json_array_end(&json);
		json_key(&json, "next");
		if (number < pages) {
			buf_reset(&url);
			search_url(page, &url, text, number + 1, "json");
			json_string(&json, buf_cstr(&url));
		} else {
			json_null(&json);
		}
		json_key(&json, "prev");
		if (number > 1) {
			buf_reset(&url);
			search_url(page, &url, text, number - 1, "json");
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
	struct html_url action = { .root = page->root,
	                           .mailbox = page->route->mailbox,
	                           .suffix = HTML_URL_SEARCH };
	tmpl_vars_set_str(vars, "title", "Search");
	tmpl_vars_set_str(vars, "mailbox", page->route->mailbox);
	tmpl_vars_set_url(vars, "search_url", &action);
	tmpl_vars_set_str(vars, "query", text);
	tmpl_vars_set_str(vars, "help", search_help);
	tmpl_vars_set_uint(vars, "total", hits.total);
	tmpl_vars_set_uint(vars, "page", number);
	tmpl_vars_set_uint(vars, "pages", pages);
	tmpl_vars_set_list(vars, "messages");
	for (size_t i = 0; i < ninfos; i++) {
		struct html_url link = { .mailbox = page->route->mailbox,
		                         .uid = infos[i].uid };
		struct tmpl_vars *item = tmpl_vars_add_item(vars, "messages");
		buf_reset(&url);
		page_url(page, &url, &link);
		page_vars_summary(page, item, &infos[i], buf_cstr(&url));
	}
	if (number < pages) {
		buf_reset(&url);
		search_url(page, &url, text, number + 1, NULL);
		tmpl_vars_set_str(vars, "next", buf_cstr(&url));
	}
	if (number > 1) {
		buf_reset(&url);
		search_url(page, &url, text, number - 1, NULL);
		tmpl_vars_set_str(vars, "prev", buf_cstr(&url));
	}
	buf_reset(&url);
	search_url(page, &url, text, 0, "atom");
	tmpl_vars_set_str(vars, "atom_url", buf_cstr(&url));
	buf_reset(&url);
	search_url(page, &url, text, 0, "mbox");
	tmpl_vars_set_str(vars, "mbox_url", buf_cstr(&url));
	rc = page_render(page, "search.html", vars);
	tmpl_vars_free(vars);
out:
	page_infos_free(infos, ninfos);
	free(hits.uids);
	search_query_release(&query);
	buf_release(&canonical);
	buf_release(&url);
	buf_release(&body);
	return rc;
}
