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
#include <sys/stat.h>
#include <time.h>

#include "cache.h"
#include "gzip.h"
#include "markdown.h"
#include "message.h"
#include "negotiate.h"
#include "archive.h"
#include "page.h"
#include "sha256.h"
#include "site.h"

struct gateway {
	const struct conf *conf;
	struct tmpl_set *templates;
	struct archive *archive;  /* the worker's imapd and its caches */
	char *about_html;       /* the about page, rendered once */
	/* The site's part of every validator (site_fingerprint). */
	unsigned char fingerprint[SHA256_LEN];
	time_t site_time;
};

/* The latest of *newest and path's modification time. */
static void newer(time_t *newest, const char *path)
{
	struct stat st;

	if (path && stat(path, &st) == 0 && st.st_mtime > *newest)
		*newest = st.st_mtime;
}

/*
 * What the pages are made of besides the mail, once per worker: the
 * program (its file: an upgrade is another file), every setting of the
 * configuration, the templates' text and the about file's.  Any change
 * to one of them is a new fingerprint, so every ETag changes with it;
 * and Last-Modified never goes below the latest time one of them
 * changed (site_time), so a client that revalidates by date alone sees
 * the change too.
 */
static void site_fingerprint(struct gateway *gateway, const struct buf *about)
{
	const struct conf *conf = gateway->conf;
	struct buf all = BUF_INIT;
	struct stat st;
	time_t newest = 0;

	if (stat("/proc/self/exe", &st) == 0)
		buf_addf(&all, "program %llu %llu %lld %lld.%09ld\n",
		         (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
		         (long long)st.st_size, (long long)st.st_mtim.tv_sec,
		         st.st_mtim.tv_nsec);
	newer(&newest, "/proc/self/exe");
	buf_addstr(&all, "settings\n");
	conf_fingerprint(conf, &all);
	newer(&newest, conf->path);
	buf_addf(&all, "templates %s\n", conf->templates ? conf->templates : "");
	if (gateway->templates) {
		tmpl_fingerprint(gateway->templates, &all);
		if (tmpl_newest(gateway->templates) > newest)
			newest = tmpl_newest(gateway->templates);
	}
	buf_addf(&all, "about %zu\n", about->len);
	buf_add(&all, about->p ? about->p : "", about->len);
	newer(&newest, conf->about);
	sha256(all.p, all.len, gateway->fingerprint);
	gateway->site_time = newest;
	buf_release(&all);
}

struct gateway *gateway_new(const struct conf *conf)
{
	struct gateway *gateway = xcalloc(1, sizeof(*gateway));
	struct buf err = BUF_INIT, about = BUF_INIT;

	gateway->conf = conf;
	gateway->archive = archive_new(conf);
	gateway->templates = tmpl_set_new();
	if (tmpl_load_dir(gateway->templates, conf->templates, &err) < 0) {
		fprintf(stderr, "imapeek: %s\n", buf_cstr(&err));
		tmpl_set_free(gateway->templates);
		gateway->templates = NULL;
	}
	buf_reset(&err);
	if (conf->about) {
		struct buf html = BUF_INIT;
		if (markdown_read_file(conf->about, &about, &err) == 0) {
			markdown_to_html(buf_cstr(&about), about.len, &html);
			gateway->about_html = buf_detach(&html, NULL);
		} else {
			fprintf(stderr, "imapeek: about: %s\n", buf_cstr(&err));
		}
	}
	buf_release(&err);
	site_fingerprint(gateway, &about);
	buf_release(&about);
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

/* ?format= decides; without it, the Accept header (negotiate.h). */
static bool wants_json(const struct req *req)
{
	struct buf format = BUF_INIT;
	int found = html_query_param(req->query ? req->query : "", "format", &format);
	bool json = found > 0 && !strcmp(buf_cstr(&format), "json");

	buf_release(&format);
	return found != 0 ? json : negotiate_json(req->accept);
}

/* Feeds and exports are gzipped when the client accepts it (export.c). */
static bool compressible(const struct route *route)
{
	return route->page == PAGE_ATOM || route->page == PAGE_THREAD_MBOX ||
	       (route->page == PAGE_SEARCH &&
	        (route->format == FORMAT_ATOM || route->format == FORMAT_MBOX));
}

/*
 * The representation, for people reading an ETag: the page, then how it
 * is written when that is not the page's own way ("search.json",
 * "search.atom", "new.atom.gz").
 */
static void cache_variant(const struct page *page, struct buf *out)
{
	const struct route *route = page->route;

	buf_addstr(out, route_page_name(route->page));
	if (page->json)
		buf_addstr(out, ".json");
	else if (route->format == FORMAT_ATOM)
		buf_addstr(out, ".atom");
	else if (route->format == FORMAT_MBOX)
		buf_addstr(out, ".mbox");
	if (page->gzip)
		buf_addstr(out, ".gz");
}

/*
 * Everything of the request a page's bytes depend on, and the site's
 * fingerprint, as one digest: the path and the whole query (page=,
 * month=, q=, format=: every search its own tag; a parameter that
 * changes nothing costs a separate cache entry, never a wrong one), the
 * representation, the root of links and, for a feed, the origin of its
 * absolute URLs (base-url, or the request's Host; no other page has
 * absolute URLs).
 */
static void cache_digest(const struct page *page, const unsigned char *site,
                         const char *variant, unsigned char *digest)
{
	const struct req *req = page->req;
	struct buf all = BUF_INIT, origin = BUF_INIT;

	if (page->route->page == PAGE_ATOM || page->route->format == FORMAT_ATOM)
		site_origin(page->conf, req, &origin);
	buf_add(&all, (const char *)site, SHA256_LEN);
	buf_addf(&all, "\n%s\n%s\n%s\n%s\n", variant, page->root,
	         buf_cstr(&origin), req->path ? req->path : "");
	buf_addstr(&all, req->query ? req->query : "");
	sha256(all.p, all.len, digest);
	buf_release(&all);
	buf_release(&origin);
}

/*
 * The one caching hook: set ETag, Last-Modified and Cache-Control from the
 * open mailbox's state (a kept session sees new mail through
 * archive_stamp), the request and the site, and answer 304 when the
 * client's copy is current.  1 when answered, 0 to render, -1 when an
 * error page was sent.
 */
static int gateway_cache(struct gateway *gateway, struct page *page,
                         struct buf *etag)
{
	const struct route *route = page->route;
	struct session_err err = { 0 };
	struct buf value = BUF_INIT, variant = BUF_INIT;
	struct cache_key key = { 0 };
	struct archive_stamp stamp;
	unsigned char digest[SHA256_LEN];
	time_t now = time(NULL);

	if (!route_table[route->page].max_age || !page->mailbox)
		return 0;
	/*
	 * A message's bytes never change under its UID and UIDVALIDITY (RFC
	 * 9051 2.3.1.1): a raw message's or a part's tag is those alone, and
	 * no new mail changes it.  No NOOP either (the page asks for one when
	 * the UID is not there yet: archive_refresh).  Its Last-Modified is
	 * the message's arrival (INTERNALDATE), which only the page's own
	 * fetch tells: a raw message's or a part's page sets it
	 * (page_last_modified) and answers an If-Modified-Since left to it
	 * here.  (A date alone cannot tell a message from another after a
	 * UIDVALIDITY change; the tag can, and If-None-Match wins where a
	 * client sends both.)
	 */
	if (route->page == PAGE_RAW || route->page == PAGE_PART) {
		memset(&stamp, 0, sizeof(stamp));
		stamp.uidvalidity = archive_uidvalidity(page->archive);
	} else if (archive_stamp(page->archive, &stamp, &err) < 0) {
		page_session_error(page, &err);
		return -1;
	}
	cache_variant(page, &variant);
	cache_digest(page, gateway->fingerprint, buf_cstr(&variant), digest);
	key = (struct cache_key){
		.uidvalidity = stamp.uidvalidity, .newest_uid = stamp.newest_uid,
		.exists = stamp.exists, .highestmodseq = stamp.highestmodseq,
		.uid = route->uid, .variant = buf_cstr(&variant), .digest = digest,
		.modified = stamp.newest_arrival > gateway->site_time
		                ? stamp.newest_arrival : gateway->site_time,
	};
	if (route->page == PAGE_RAW || route->page == PAGE_PART) {
		time_t since;
		key.modified = 0;
		if (!page->req->if_none_match &&
		    page->req->if_modified_since &&
		    cache_http_date_parse(page->req->if_modified_since, &since) == 0 &&
		    since <= now)
			resp_not_modified_since(page->resp, since);
	}
	/* RFC 9110 8.8.2.1: never later than now (a date from the future). */
	if (key.modified > now)
		key.modified = now;
	cache_etag(etag, &key);
	resp_header(page->resp, "ETag", buf_cstr(etag));
	if (key.modified) {
		cache_http_date(&value, key.modified);
		resp_header(page->resp, "Last-Modified", buf_cstr(&value));
	}
	resp_headerf(page->resp, "Cache-Control", "public, max-age=%u",
	             route_table[route->page].max_age);
	resp_header(page->resp, "Vary", compressible(route)
	                                    ? "Accept, Accept-Encoding" : "Accept");
	buf_release(&value);
	buf_release(&variant);
	page->etag = buf_cstr(etag);
	switch (cache_check(page->req->if_none_match, page->req->if_modified_since,
	                    buf_cstr(etag), key.modified, now)) {
	case CACHE_SEND:
		return 0;
	case CACHE_SAME_TAG:
		/*
		 * The tag came with a 200 of this URL and names the mailbox's
		 * state: the same state makes the same page, so the 304 needs
		 * no mail.  Not a raw message's or a part's tag, which names
		 * the UID alone: the message may have been expunged since.
		 */
		if (route->page != PAGE_RAW && route->page != PAGE_PART) {
			resp_set_status(page->resp, 304);
			return 1;
		}
		break;
	case CACHE_IF_PRESENT:
		/*
		 * A mailbox's first page of messages or of threads and its
		 * feed are there whenever the mailbox is (it is: archive_open):
		 * a feed reader's If-Modified-Since costs no mail.
		 */
		if ((route->page == PAGE_INDEX || route->page == PAGE_THREADS ||
		     route->page == PAGE_ATOM) &&
		    route->page_number == 1 && !route->month) {
			resp_set_status(page->resp, 304);
			return 1;
		}
		break;
	}
	/* The page finds out whether it is there; a 200 becomes the 304. */
	resp_not_modified_if_ok(page->resp);
	return 0;
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
	int rc;

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
	    archive_mailboxes(gateway->archive, &mailboxes, false, &err) < 0) {
		page_session_error(&page, &err);
		goto out;
	}
	rc = route_resolve(&route, path, req->query,
	                   (const char *const *)mailboxes.names, mailboxes.n,
	                   &route_err);
	/* Not in the kept list: it may be new (archive_mailboxes). */
	if (rc < 0 && route_err.unknown_mailbox) {
		mailbox_list_release(&mailboxes);
		if (archive_mailboxes(gateway->archive, &mailboxes, true, &err) < 0) {
			page_session_error(&page, &err);
			goto out;
		}
		rc = route_resolve(&route, path, req->query,
		                   (const char *const *)mailboxes.names, mailboxes.n,
		                   &route_err);
	}
	if (rc < 0) {
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
	page.gzip = compressible(&route) && negotiate_gzip(req->accept_encoding);
	if (route.redirect || route.respelled || route.strip_slash) {
		struct html_url url = {
			.mailbox = route.mailbox,
			.uid = route.page == PAGE_MESSAGE ? route.uid : 0,
			.suffix = route.page == PAGE_THREADS ? HTML_URL_THREADS
			                                     : HTML_URL_NONE,
		};
		struct buf location = BUF_INIT;
		if ((route.respelled || route.strip_slash) && !route.redirect) {
			/*
			 * The path as it came, less a stray slash at its end;
			 * INBOX (one level) under its listed name.
			 */
			const char *rest = path;
			size_t len;
			if (route.respelled) {
				url.uid = 0;
				url.suffix = HTML_URL_NONE;
				page_url(&page, &location, &url);
				rest = strchr(path + 1, '/');
				rest = rest ? rest + 1 : "";
			} else {
				buf_addstr(&location, page.root);
			}
			len = strlen(rest);
			if (route.strip_slash && len && rest[len - 1] == '/')
				len--;
			buf_add(&location, rest, len);
		} else {
			page_url(&page, &location, &url);
		}
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
	/*
	 * A page that can ask for its mail before the stamp does (route.h):
	 * the stamp's NOOP follows its commands in the pipe, not a round
	 * trip of its own.  Not when a 304 may answer without mail.
	 */
	if (route_table[route.page].ahead && page.mailbox && !req->if_none_match &&
	    !req->if_modified_since)
		route_table[route.page].ahead(&page);
	if (gateway_cache(gateway, &page, &etag) != 0)
		goto out;
	/*
	 * A page of no mailbox (the list) has no validators, only a lifetime,
	 * and is HTML or JSON by Accept as the others are.
	 */
	if (!page.mailbox && route_table[route.page].max_age) {
		resp_headerf(resp, "Cache-Control", "public, max-age=%u",
		             route_table[route.page].max_age);
		resp_header(resp, "Vary", "Accept");
	}
	route_table[route.page].handler(&page);
out:
	resp_finish(resp);
	if (page.ahead_release)
		page.ahead_release(&page);
	archive_end_request(gateway->archive);
	buf_release(&etag);
	buf_release(&root);
	if (routed)
		route_release(&route);
	mailbox_list_release(&mailboxes);
}
