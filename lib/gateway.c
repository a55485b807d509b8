/*
 * The gateway: method check, routing, the worker's imapd session, and the
 * one table from page to handler.  Errors become statuses in page_error()
 * and page_session_error(), nowhere else.
 */
#include "gateway.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cache.h"
#include "gzip.h"
#include "markdown.h"
#include "message.h"
#include "archive.h"
#include "page.h"
#include "site.h"

struct gateway {
	const struct conf *conf;
	struct tmpl_set *templates;
	struct archive *archive;  /* the worker's imapd and its caches */
	char *about_html;       /* the about page, rendered once */
};

struct gateway *gateway_new(const struct conf *conf)
{
	struct gateway *gateway = xcalloc(1, sizeof(*gateway));
	struct buf err = BUF_INIT;

	gateway->conf = conf;
	gateway->archive = archive_new(conf);
	gateway->templates = tmpl_set_new();
	if (tmpl_load_dir(gateway->templates, conf->templates, &err) < 0) {
		fprintf(stderr, "imapeek: %s\n", buf_cstr(&err));
		tmpl_set_free(gateway->templates);
		gateway->templates = NULL;
	}
	buf_release(&err);
	if (conf->about) {
		struct buf text = BUF_INIT, html = BUF_INIT;
		if (markdown_read_file(conf->about, &text) == 0) {
			markdown_to_html(buf_cstr(&text), text.len, &html);
			gateway->about_html = buf_detach(&html, NULL);
		} else {
			fprintf(stderr, "imapeek: cannot read %s\n", conf->about);
		}
		buf_release(&text);
	}
	return gateway;
}

void gateway_free(struct gateway *gateway)
{
	if (!gateway)
		return;
	archive_free(gateway->archive);
	tmpl_set_free(gateway->templates);
	free(gateway->about_html);
	free(gateway);
}

void gateway_set_stop_fd(struct gateway *gateway, int stop_fd)
{
	archive_set_stop_fd(gateway->archive, stop_fd);
}

bool gateway_heavy(const struct req *req)
{
	return req->path && route_heavy(req->path);
}

/* The archive's cancel hook: is the request's client still there? */
static bool request_gone(void *ctx)
{
	return resp_gone(ctx);
}

/*
 * JSON when asked with ?format=json, or when Accept prefers
 * application/json to text/html (q-values compared; a missing q is 1).
 */
static double accept_quality(const char *accept, const char *type)
{
	const char *p = accept;
	size_t type_len = strlen(type);

	while (p && *p) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		size_t name_len = strcspn(p, ";, ");
		if (name_len > len)
			name_len = len;
		if (name_len == type_len && !strncasecmp(p, type, type_len)) {
			const char *q = strstr(p, "q=");
			if (q && q < p + len) {
				char *stop;
				double value = strtod(q + 2, &stop);
				return stop == q + 2 ? 1.0 : value;
			}
			return 1.0;
		}
		p = end;
	}
	return -1.0;
}

/* ?format= decides; without it, the Accept header. */
static bool wants_json(const struct req *req)
{
	struct buf format = BUF_INIT;
	int found = html_query_param(req->query ? req->query : "", "format", &format);
	bool json = found > 0 && !strcmp(buf_cstr(&format), "json");

	buf_release(&format);
	if (found != 0 || !req->accept)
		return json;
	double json_q = accept_quality(req->accept, "application/json");
	double html_q = accept_quality(req->accept, "text/html");
	return json_q > 0 && json_q > html_q;
}

/*
 * The one caching hook: set ETag, Last-Modified and Cache-Control from the
 * open mailbox's state (a kept session sees new mail through
 * archive_stamp), and answer 304 when the client's copy is current.  1
 * when answered, 0 to render, -1 when an error page was sent.
 */
static int gateway_cache(struct page *page, struct buf *etag)
{
	const struct route *route = page->route;
	struct session_err err = { 0 };
	struct buf value = BUF_INIT;
	struct cache_key key = { 0 };
	struct archive_stamp stamp;
	char variant[32];
	bool gzip = route->page == PAGE_ATOM || route->page == PAGE_THREAD_MBOX ||
	            route->format == FORMAT_ATOM || route->format == FORMAT_MBOX;

	if (!route_table[route->page].max_age || !page->mailbox)
		return 0;
	if (archive_stamp(page->archive, &stamp, &err) < 0) {
		page_session_error(page, &err);
		return -1;
	}
	snprintf(variant, sizeof(variant), "%s%s",
	         page->json ? "json" : route->format == FORMAT_ATOM ? "atom"
	         : route->format == FORMAT_MBOX ? "mbox" : "html",
	         gzip && gzip_accepted(page->req->accept_encoding) ? "-gz" : "");
	key = (struct cache_key){
		.uidvalidity = stamp.uidvalidity, .newest_uid = stamp.newest_uid,
		.exists = stamp.exists, .highestmodseq = stamp.highestmodseq,
		.uid = route->uid, .variant = variant,
		.modified = stamp.newest_arrival,
	};
	cache_etag(etag, &key);
	resp_header(page->resp, "ETag", buf_cstr(etag));
	if (key.modified) {
		cache_http_date(&value, key.modified);
		resp_header(page->resp, "Last-Modified", buf_cstr(&value));
	}
	resp_headerf(page->resp, "Cache-Control", "public, max-age=%u",
	             route_table[route->page].max_age);
	resp_header(page->resp, "Vary", gzip ? "Accept, Accept-Encoding" : "Accept");
	buf_release(&value);
	page->etag = buf_cstr(etag);
	if (!cache_not_modified(page->req->if_none_match,
	                        page->req->if_modified_since, buf_cstr(etag),
	                        key.modified))
		return 0;
	resp_set_status(page->resp, 304);
	return 1;
}

void gateway_handle(struct gateway *gateway, const struct req *req,
                    struct resp *resp)
{
	struct route route;
	struct route_error route_err;
	struct mailbox_list mailboxes = { 0 };
	struct session_err err = { 0 };
	struct page page = {
		.conf = gateway->conf,
		.req = req,
		.resp = resp,
		.route = &route,
		.templates = gateway->templates,
		.root = "",
		.mailboxes = &mailboxes,
		.about_html = gateway->about_html,
		.archive = gateway->archive,
	};
	struct buf etag = BUF_INIT, root = BUF_INIT;
	const char *path = req->path && req->path[0] ? req->path : "/";
	bool routed = false;

	archive_set_cancel(gateway->archive, request_gone, resp);
	site_root(gateway->conf, req, &root);
	page.root = buf_cstr(&root);
	page.json = wants_json(req);
	memset(&route, 0, sizeof(route));
	if (req->method == REQ_OTHER) {
		resp_header(resp, "Allow", "GET, HEAD");
		page_error(&page, 405, "Only GET and HEAD are served here.");
		goto out;
	}
	if (!gateway->templates) {
		page_error(&page, 500, "The site's templates could not be loaded.");
		goto out;
	}
	if (route_needs_mailboxes(path) &&
	    archive_mailboxes(gateway->archive, &mailboxes, &err) < 0) {
		page_session_error(&page, &err);
		goto out;
	}
	if (route_resolve(&route, path, req->query,
	                  (const char *const *)mailboxes.names, mailboxes.n,
	                  &route_err) < 0) {
		/* Not listed: a store that cannot be read is a 502, not a 404. */
		if (route_err.unknown_mailbox &&
		    archive_store_check(gateway->archive, &err) < 0)
			page_session_error(&page, &err);
		else
			page_error(&page, route_err.status, route_err.message);
		goto out;
	}
	routed = true;
	page.json = page.json && (route_flags(route.page) & ROUTE_HAS_JSON);
	if (route.redirect) {
		struct html_url url = {
			.mailbox = route.mailbox,
			.uid = route.page == PAGE_MESSAGE ? route.uid : 0,
			.suffix = route.page == PAGE_THREADS ? HTML_URL_THREADS
			                                     : HTML_URL_NONE,
		};
		struct buf location = BUF_INIT;
		page_url(&page, &location, &url);
		if (req->query && req->query[0])
			buf_addf(&location, "?%s", req->query);
		resp_header(resp, "Location", buf_cstr(&location));
		buf_release(&location);
		page_error(&page, 301, "This page has moved to its canonical address.");
		goto out;
	}
	/* Pages of a mailbox find it open, by the server's own name. */
	if (route.mailbox) {
		page.mailbox = mailbox_list_find(&mailboxes, route.mailbox);
		if (!page.mailbox) {
			page_error(&page, 404, "There is no such mailbox.");
			goto out;
		}
		if (archive_open(gateway->archive, page.mailbox, &err) < 0) {
			page_session_error(&page, &err);
			goto out;
		}
	}
	if (gateway_cache(&page, &etag) != 0)
		goto out;
	/* A page of no mailbox (the list) has no validators, only a lifetime. */
	if (!page.mailbox && route_table[route.page].max_age)
		resp_headerf(resp, "Cache-Control", "public, max-age=%u",
		             route_table[route.page].max_age);
	route_table[route.page].handler(&page);
out:
	resp_finish(resp);
	archive_end_request(gateway->archive);
	buf_release(&etag);
	buf_release(&root);
	if (routed)
		route_release(&route);
	mailbox_list_release(&mailboxes);
}
