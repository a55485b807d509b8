/*
 * "/MBOX/search?q=Q": the query language of search.h, its hits newest
 * first (archive_search).  Served as HTML, JSON (the
 * index's shape plus "query"), Atom (&format=atom) and mboxrd
 * (&format=mbox, the newest export-limit hits).
 */
#include "page.h"
#include "pager.h"
#include "export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"
#include "search.h"
#include "snippet.h"

static const char search_help[] =
	"Words are searched in headers and text; \"quoted phrases\" stay "
	"together.  from:NAME, to:NAME, subject:WORD and body:WORD search one "
	"field; since:YYYY-MM-DD and before:YYYY-MM-DD limit the sent date.  "
	"All terms must match.";

/* Beside "No messages match" when search_has_fragile_word(). */
static const char search_fragile_hint[] =
	"Where the archive has a full-text index, words of one or two letters "
	"and hyphenated words are not found: search for longer words, or for "
	"the parts of a hyphenated word apart.";

static void search_url(struct page *page, struct buf *out, const char *q,
                       unsigned number, const char *format)
{
	char value[16];
	size_t k = 0;
	struct html_url url = { .mailbox = page->route->mailbox,
	                        .suffix = HTML_URL_SEARCH };

	url.params[k++] = (struct html_url_param){ "q", q };
	if (page->route->oldest_first)
		url.params[k++] = (struct html_url_param){ "order", "oldest" };
	if (number > 1) {
		snprintf(value, sizeof(value), "%u", number);
		url.params[k++] = (struct html_url_param){ "page", value };
	}
	if (format)
		url.params[k++] = (struct html_url_param){ "format", format };
	page_url(page, out, &url);
}

/* Page number of the results for the query ctx, in the format asked. */
static void search_page_url(struct page *page, struct buf *out, unsigned number,
                            const void *ctx)
{
	search_url(page, out, ctx, number, page->json && page->route->format_given ? "json" : NULL);
}

/* The snippet of hit uid (previews[i] belongs to uids[i]) into out. */
static void hit_snippet(struct page *page, const uint32_t *uids, char **previews,
                        size_t n, uint32_t uid, struct buf *out)
{
	buf_reset(out);
	for (size_t i = 0; previews && i < n; i++)
		if (uids[i] == uid && previews[i])
			snippet_make(out, previews[i], strlen(previews[i]),
			             page->conf->obfuscate);
}

static int show_form(struct page *page, int status, const char *query,
                     const char *why)
{
	struct tmpl_vars *vars;
	struct html_url action = { .root = page->root,
	                           .mailbox = page->route->mailbox,
	                           .suffix = HTML_URL_SEARCH };

	/* why is a fragment ("unbalanced quotes"): a sentence of it. */
	struct buf refused = BUF_INIT;
	if (why)
		buf_addf(&refused, "The query was not searched: %s.", why);
	if (page->json) {
		struct buf message = BUF_INIT;
		buf_addf(&message, "%s %s", why ? buf_cstr(&refused) : "An empty query.",
		         search_help);
		page_error(page, status, buf_cstr(&message));
		buf_release(&message);
		buf_release(&refused);
		return -1;
	}
	vars = tmpl_vars_new();
	if (status != 200) {
		resp_set_status(page->resp, status);
		resp_header(page->resp, "Cache-Control", "no-store");
	}
	tmpl_vars_set_str(vars, "title", "Search");
	tmpl_vars_set_str(vars, "mailbox", page->route->mailbox_label);
	tmpl_vars_set_url(vars, "search_url", &action);
	tmpl_vars_set_str(vars, "query", query ? query : "");
	if (why)
		tmpl_vars_set_str(vars, "error", buf_cstr(&refused));
	tmpl_vars_set_str(vars, "help", search_help);
	if (page_render(page, "search.html", vars) < 0)
		status = 500;
	tmpl_vars_free(vars);
	buf_release(&refused);
	return status == 200 ? 0 : -1;
}

/* One page of hits, as page_search found them, for the two renderings. */
struct search_results {
	const char *text;                /* the query as typed */
	const struct search_query *query;
	const char *canonical;           /* search_format() of it */
	const struct archive_hits *hits;
	const struct message_info *infos;
	size_t ninfos;
	char **previews;                 /* previews[i] belongs to hits->uids[i] */
	unsigned number, pages;
};

static int send_json(struct page *page, const struct search_results *r)
{
	struct page_pager pager = { r->number, r->pages, search_page_url, r->text };
	struct buf body = BUF_INIT, url = BUF_INIT, snippet = BUF_INIT;
	struct json json;
	int rc;

	json_init(&json, &body);
	json_object_begin(&json);
	json_kv_string(&json, "mailbox", page->route->mailbox_label);
	json_kv_string(&json, "query", r->canonical);
	json_kv_uint(&json, "total", r->hits->total);
	json_kv_uint(&json, "page", r->number);
	json_kv_uint(&json, "pages", r->pages);
	json_key(&json, "messages");
	json_array_begin(&json);
	for (size_t i = 0; i < r->ninfos; i++) {
		struct html_url link = { .mailbox = page->route->mailbox,
		                         .uid = r->infos[i].uid };
		buf_reset(&url);
		page_url(page, &url, &link);
		json_object_begin(&json);
		page_json_summary_fields(&json, &r->infos[i], buf_cstr(&url));
		hit_snippet(page, r->hits->uids, r->previews, r->hits->n,
		            r->infos[i].uid, &snippet);
		json_kv_string(&json, "snippet", buf_cstr(&snippet));
		json_object_end(&json);
	}
	json_array_end(&json);
	page_pager_json(page, &json, &pager);
	json_object_end(&json);
	rc = page_send_json(page, &json, &body);
	buf_release(&body);
	buf_release(&url);
	buf_release(&snippet);
	return rc;
}

static int send_html(struct page *page, const struct search_results *r)
{
	struct page_pager pager = { r->number, r->pages, search_page_url, r->text };
	struct tmpl_vars *vars = tmpl_vars_new();
	struct buf url = BUF_INIT, snippet = BUF_INIT;
	struct html_url action = { .root = page->root,
	                           .mailbox = page->route->mailbox,
	                           .suffix = HTML_URL_SEARCH };
	int rc;

	tmpl_vars_set_str(vars, "title", "Search");
	tmpl_vars_set_str(vars, "mailbox", page->route->mailbox_label);
	tmpl_vars_set_url(vars, "search_url", &action);
	tmpl_vars_set_str(vars, "query", r->text);
	page_vars_subtitle(vars, r->text, page->route->page_number);
	tmpl_vars_set_str(vars, "help", search_help);
	page_vars_count(vars, "total", r->hits->total);
	tmpl_vars_set_uint(vars, "page", r->number);
	tmpl_vars_set_uint(vars, "pages", r->pages);
	if (r->hits->total == 0 && search_has_fragile_word(r->query))
		tmpl_vars_set_str(vars, "hint", search_fragile_hint);
	tmpl_vars_set_list(vars, "messages");
	for (size_t i = 0; i < r->ninfos; i++) {
		struct html_url link = { .mailbox = page->route->mailbox,
		                         .uid = r->infos[i].uid };
		struct tmpl_vars *item = tmpl_vars_add_item(vars, "messages");
		buf_reset(&url);
		page_url(page, &url, &link);
		page_vars_summary(page, item, &r->infos[i], buf_cstr(&url));
		hit_snippet(page, r->hits->uids, r->previews, r->hits->n,
		            r->infos[i].uid, &snippet);
		tmpl_vars_set_str(item, "snippet", buf_cstr(&snippet));
	}
	tmpl_vars_set_bool(vars, "oldest_first", page->route->oldest_first);
	page_pager_vars(page, vars, &pager);
	buf_reset(&url);
	search_url(page, &url, r->text, 0, "atom");
	tmpl_vars_set_str(vars, "atom_url", buf_cstr(&url));
	buf_reset(&url);
	search_url(page, &url, r->text, 0, "mbox");
	tmpl_vars_set_str(vars, "mbox_url", buf_cstr(&url));
	/* An export holds export-limit messages at most: say so beside it. */
	if (r->hits->total > page->conf->export_limit)
		tmpl_vars_set_uint(vars, "mbox_limit", page->conf->export_limit);
	rc = page_render(page, "search.html", vars);
	tmpl_vars_free(vars);
	buf_release(&url);
	buf_release(&snippet);
	return rc;
}

int page_search(struct page *page)
{
	struct session_err err = { 0 };
	struct search_query query;
	struct archive_hits hits = { 0 };
	struct message_info *infos = NULL;
	char **previews = NULL;
	size_t ninfos = 0, size = page->conf->page_size;
	const char *text = page->route->query;
	char why[160];
	struct buf canonical = BUF_INIT, url = BUF_INIT;
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
	/* An export is not a mirror: export-limit hits at most, from the first. */
	if (format == FORMAT_MBOX) {
		rc = archive_search(page->archive, &query, page->route->oldest_first,
		                    0, page->conf->export_limit, &hits, &err);
	} else if (format == FORMAT_ATOM) {
		/* A feed is the newest hits, whatever order was asked. */
		rc = archive_search(page->archive, &query, false, 0,
		                    page->conf->export_limit < 20 ? page->conf->export_limit
		                                                  : 20,
		                    &hits, &err);
	} else {
		rc = archive_search(page->archive, &query, page->route->oldest_first,
		                    (size_t)(number - 1) * size, size, &hits, &err);
	}
	if (rc < 0) {
		rc = err.code == SESSION_NO
		         ? show_form(page, 400, text,
		                     "The mail store could not run this search.")
		         : page_session_error(page, &err);
		goto out;
	}
	if (format == FORMAT_MBOX) {
		rc = export_mbox(page, "search.mbox", hits.uids, hits.n);
		goto out;
	}
	if (format == FORMAT_ATOM) {
		struct buf title = BUF_INIT;
		buf_addf(&title, "%s: %s: %s", page->conf->title,
		         page->route->mailbox_label, buf_cstr(&canonical));
		/* Its page in HTML: the same search. */
		search_url(page, &url, text, 0, NULL);
		rc = export_atom(page, buf_cstr(&title), buf_cstr(&url), hits.uids, hits.n);
		buf_release(&title);
		goto out;
	}
	pages = hits.total ? (unsigned)((hits.total + size - 1) / size) : 1;
	if (number > pages) {
		rc = page_error(page, 404, "There is no such page of results.");
		goto out;
	}
	if (page_fetch_summaries_previews(page, hits.uids, hits.n, &infos, &ninfos,
	                                  &previews, &err) < 0) {
		rc = page_session_error(page, &err);
		goto out;
	}
	struct search_results results = {
		.text = text, .query = &query, .canonical = buf_cstr(&canonical),
		.hits = &hits, .infos = infos, .ninfos = ninfos, .previews = previews,
		.number = number, .pages = pages,
	};
	rc = page->json ? send_json(page, &results) : send_html(page, &results);
out:
	archive_summaries_free(infos, ninfos);
	archive_previews_free(previews, hits.n);
	archive_hits_release(&hits);
	search_query_release(&query);
	buf_release(&canonical);
	buf_release(&url);
	return rc;
}
