/* What pages share: headers, rendering through the layout, error pages. */
#include "page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "mailtext.h"
#include "message.h"

void page_html_headers(struct page *page)
{
	struct resp *resp = page->resp;

	resp_header(resp, "Content-Type", "text/html; charset=utf-8");
	if (page->templates)
		resp_header(resp, "Content-Security-Policy",
		            tmpl_csp(page->templates));
	else
		resp_header(resp, "Content-Security-Policy",
		            "default-src 'none'; frame-ancestors 'none'");
	resp_header(resp, "X-Content-Type-Options", "nosniff");
	resp_header(resp, "Referrer-Policy", "same-origin");
	resp_header(resp, "X-Frame-Options", "DENY");
}

void page_json_headers(struct page *page)
{
	resp_header(page->resp, "Content-Type", "application/json");
	resp_header(page->resp, "X-Content-Type-Options", "nosniff");
	resp_header(page->resp, "Access-Control-Allow-Origin", "*");
}

static int write_to_resp(void *ctx, const char *data, size_t len)
{
	return resp_write(ctx, data, len);
}

static void set_site_vars(struct page *page, struct tmpl_vars *vars)
{
	struct html_url home = { .root = page->root };

	tmpl_vars_set_str(vars, "site_title", page->conf->title);
	tmpl_vars_set_url(vars, "root_url", &home);
	tmpl_vars_set_list(vars, "crumbs");
	if (page->route && page->route->mailbox) {
		struct html_url index = { .root = page->root,
		                          .mailbox = page->route->mailbox };
		struct tmpl_vars *crumb = tmpl_vars_add_item(vars, "crumbs");
		tmpl_vars_set_str(crumb, "name", page->route->mailbox_label);
		tmpl_vars_set_url(crumb, "url", &index);
		tmpl_vars_set_url(vars, "index_url", &index);
		struct html_url feed = index;
		feed.suffix = HTML_URL_ATOM;
		tmpl_vars_set_url(vars, "feed_url", &feed);
		tmpl_vars_set_str(vars, "feed_title", page->route->mailbox_label);
	}
}

/* page_render without the failure handling, which page_error cannot use. */
static int render(struct page *page, const char *template_name,
                  struct tmpl_vars *vars)
{
	struct buf body = BUF_INIT, err = BUF_INIT;
	struct tmpl_out out = { .buf = &body, .flush_at = 16384,
	                        .write = write_to_resp, .ctx = page->resp };
	int rc;

	set_site_vars(page, vars);
	page_html_headers(page);
	rc = tmpl_render(page->templates, "layout.html", template_name, vars,
	                 &out, &err);
	if (rc < 0 && !resp_gone(page->resp))
		fprintf(stderr, "imapeek: rendering %s: %s\n", template_name,
		        buf_cstr(&err));
	buf_release(&body);
	buf_release(&err);
	return rc;
}

int page_render(struct page *page, const char *template_name,
                struct tmpl_vars *vars)
{
	if (render(page, template_name, vars) == 0)
		return 0;
	return page_fail(page, template_name, NULL);
}

/* The JSON document, whole, or -1 and nothing sent. */
static int send_json(struct page *page, struct json *json, struct buf *body)
{
	if (json_finish(json) < 0) {
		fprintf(stderr, "imapeek: %s: the JSON document is not whole\n",
		        page->req->path ? page->req->path : "/");
		return -1;
	}
	page_json_headers(page);
	buf_addch(body, '\n');
	return resp_write(page->resp, body->p, body->len);
}

int page_send_json(struct page *page, struct json *json, struct buf *body)
{
	if (send_json(page, json, body) == 0)
		return 0;
	return page_fail(page, "a JSON document", NULL);
}

/* No templates, or they failed: a plain page (fixed texts only). */
static int plain_error(struct page *page, int status)
{
	resp_header(page->resp, "Content-Type", "text/plain; charset=utf-8");
	return resp_printf(page->resp, "%d %s\n", status, http_status_text(status));
}

int page_error(struct page *page, int status, const char *message)
{
	struct resp *resp = page->resp;
	int rc;

	/* Too late for an error page: the answer fails instead. */
	if (resp->begun)
		return page_fail(page, message, NULL);
	resp_set_status(resp, status);
	resp_header(resp, "Cache-Control", "no-store");
	/* Validators are a 200's: no 304 may ever stand for an error. */
	resp_unset_header(resp, "ETag");
	resp_unset_header(resp, "Last-Modified");
	if (page->json) {
		struct buf body = BUF_INIT;
		struct json json;

		json_init(&json, &body);
		json_object_begin(&json);
		json_kv_string(&json, "error", message);
		json_kv_int(&json, "status", status);
		json_object_end(&json);
		rc = send_json(page, &json, &body);
		buf_release(&body);
	} else if (page->templates && tmpl_exists(page->templates, "error.html")) {
		struct tmpl_vars *vars = tmpl_vars_new();
		tmpl_vars_set_int(vars, "status", status);
		tmpl_vars_set_str(vars, "reason", http_status_text(status));
		tmpl_vars_set_str(vars, "message", message);
		tmpl_vars_set_str(vars, "title", http_status_text(status));
		/* Within a mailbox that is there: the way back to it. */
		if (page->mailbox && page->route && page->route->mailbox) {
			struct html_url index = { .root = page->root,
			                          .mailbox = page->route->mailbox };
			tmpl_vars_set_url(vars, "mailbox_url", &index);
			tmpl_vars_set_str(vars, "mailbox", page->route->mailbox_label);
		}
		rc = render(page, "error.html", vars);
		tmpl_vars_free(vars);
	} else {
		rc = plain_error(page, status);
	}
	if (rc < 0 && !resp->begun)
		rc = plain_error(page, status);
	if (rc < 0)
		resp->failed = true;
	return -1;
}

void page_json_addr(struct json *json, const struct message_addr *addr)
{
	json_object_begin(json);
	json_kv_string(json, "name", addr->name);
	json_kv_string(json, "address", addr->address);
	json_object_end(json);
}

void page_json_summary_fields(struct json *json, const struct message_info *info,
                              const char *url)
{
	struct buf date = BUF_INIT;

	json_kv_uint(json, "uid", info->uid);
	json_kv_string(json, "message_id", info->message_id);
	json_kv_string(json, "subject", info->subject);
	json_key(json, "date");
	if (info->has_date) {
		message_format_date(&date, info->date);
		json_string(json, buf_cstr(&date));
	} else {
		json_null(json);
	}
	json_key(json, "from");
	if (info->from.n)
		page_json_addr(json, &info->from.items[0]);
	else
		json_null(json);
	json_kv_string(json, "url", url);
	buf_release(&date);
}

void page_json_summary(struct json *json, const struct message_info *info,
                       const char *url)
{
	json_object_begin(json);
	page_json_summary_fields(json, info, url);
	json_object_end(json);
}

/*
 * An address as a page shows it: the address with its domain hidden when
 * the configuration says obfuscate = yes.
 */
void page_shown_address(struct page *page, const struct message_addr *addr,
                          struct buf *out)
{
	const char *address = addr->address ? addr->address : "";
	const char *at = strrchr(address, '@');

	if (page->conf->obfuscate && at) {
		buf_add(out, address, (size_t)(at - address));
		buf_addstr(out, "@\xe2\x80\xa6");  /* "@…" */
	} else {
		buf_addstr(out, address);
	}
}

/* name, address and display (the name, else the address) of addr. */
void page_vars_addr(struct page *page, struct tmpl_vars *vars,
                    const struct message_addr *addr)
{
	struct buf shown = BUF_INIT;
	bool named = addr->name && addr->name[0];

	page_shown_address(page, addr, &shown);
	tmpl_vars_set_str(vars, "name", named ? addr->name : "");
	tmpl_vars_set_str(vars, "address", buf_cstr(&shown));
	tmpl_vars_set_str(vars, "display", named ? addr->name : buf_cstr(&shown));
	buf_release(&shown);
}

void page_vars_count(struct tmpl_vars *vars, const char *name, uint64_t n)
{
	struct buf one = BUF_INIT;

	buf_addf(&one, "%s_one", name);
	tmpl_vars_set_uint(vars, name, n);
	tmpl_vars_set_bool(vars, buf_cstr(&one), n == 1);
	buf_release(&one);
}

void page_last_modified(struct page *page, time_t when)
{
	struct buf value = BUF_INIT;
	time_t now = time(NULL);

	if (!when)
		return;
	if (when > now)
		when = now;
	cache_http_date(&value, when);
	resp_header(page->resp, "Last-Modified", buf_cstr(&value));
	resp_modified_at(page->resp, when);
	buf_release(&value);
}

void page_vars_subtitle(struct tmpl_vars *vars, const char *what, unsigned number)
{
	struct buf subtitle = BUF_INIT;

	if (what && what[0])
		buf_addstr(&subtitle, what);
	if (number > 1)
		buf_addf(&subtitle, "%spage %u", subtitle.len ? ", " : "", number);
	if (subtitle.len)
		tmpl_vars_set_str(vars, "subtitle", buf_cstr(&subtitle));
	buf_release(&subtitle);
}

void page_vars_summary(struct page *page, struct tmpl_vars *vars,
                       const struct message_info *info, const char *url)
{
	struct buf date = BUF_INIT, from = BUF_INIT;

	tmpl_vars_set_uint(vars, "uid", info->uid);
	tmpl_vars_set_str(vars, "subject",
	                  info->subject && info->subject[0] ? info->subject
	                                                    : "(no subject)");
	/*
	 * Every name is set, empty where the message has no value: a row's
	 * name left unset would show the page's own (a template looks a name
	 * up in the enclosing scopes too).
	 */
	if (info->has_date)
		message_format_date(&date, info->date);
	tmpl_vars_set_str(vars, "datetime", buf_cstr(&date));
	/* "2020-01-02 03:04" for reading. */
	if (date.len >= 16) {
		date.p[10] = ' ';
		buf_truncate(&date, 16);
	}
	tmpl_vars_set_str(vars, "date", buf_cstr(&date));
	if (info->from.n) {
		const struct message_addr *addr = &info->from.items[0];
		if (addr->name && addr->name[0])
			buf_addstr(&from, addr->name);
		else
			page_shown_address(page, addr, &from);
	}
	tmpl_vars_set_str(vars, "from", buf_cstr(&from));
	tmpl_vars_set_str(vars, "url", url);
	buf_release(&date);
	buf_release(&from);
}

/* ---- obfuscate = yes ----------------------------------------------- */

static void hide_buf(struct buf *text)
{
	struct buf hidden = BUF_INIT;

	mailtext_hide_addresses(&hidden, text->p ? text->p : "", text->len);
	buf_reset(text);
	buf_add(text, hidden.p, hidden.len);
	buf_release(&hidden);
}

static void hide_str(char **text)
{
	struct buf hidden = BUF_INIT;

	if (!*text)
		return;
	mailtext_hide_addresses(&hidden, *text, strlen(*text));
	free(*text);
	*text = buf_detach(&hidden, NULL);
}

static void hide_addrs(struct message_addrs *addrs)
{
	for (size_t i = 0; i < addrs->n; i++) {
		hide_str(&addrs->items[i].name);
		/* "@host" alone (no local part) is still a domain to hide. */
		if (addrs->items[i].address && addrs->items[i].address[0] == '@') {
			free(addrs->items[i].address);
			addrs->items[i].address = xstrdup("@\xe2\x80\xa6");
		}
		hide_str(&addrs->items[i].address);
	}
}

/*
 * Everything of a message a page may show, with the domain of every
 * address hidden: the names and addresses of From, To and Cc, the
 * subject, part filenames, the headers of embedded messages and every
 * text.  Message-IDs are kept: they name messages, not mailboxes, and
 * the permalinks (/m/MSGID), the JSON message_id, in_reply_to and
 * references and the feeds' entry ids are made of them.
 */
static void hide_info(struct message_info *info)
{
	hide_str(&info->subject);
	hide_str(&info->list_post);
	hide_addrs(&info->from);
	hide_addrs(&info->to);
	hide_addrs(&info->cc);
}

static void hide_message(struct archive_message *msg)
{
	hide_info(&msg->info);
	for (size_t i = 0; i < msg->parts.n; i++) {
		hide_str(&msg->parts.items[i].filename);
		if (msg->parts.items[i].embedded)
			hide_info(msg->parts.items[i].embedded);
	}
	for (size_t i = 0; i < msg->body.n; i++)
		hide_buf(&msg->body.items[i].text);
	hide_buf(&msg->body.text);
}

int page_fetch_summaries(struct page *page, const uint32_t *uids, size_t n,
                         struct message_info **infos, size_t *ninfos,
                         struct session_err *err)
{
	int rc = archive_summaries(page->archive, uids, n, infos, ninfos, err);

	for (size_t i = 0; rc == 0 && page->conf->obfuscate && i < *ninfos; i++)
		hide_info(&(*infos)[i]);
	return rc;
}

int page_fetch_summaries_previews(struct page *page, const uint32_t *uids,
                                  size_t n, struct message_info **infos,
                                  size_t *ninfos, char ***previews,
                                  struct session_err *err)
{
	int rc = archive_summaries_previews(page->archive, uids, n, infos, ninfos,
	                                    previews, err);

	for (size_t i = 0; rc == 0 && page->conf->obfuscate && i < *ninfos; i++)
		hide_info(&(*infos)[i]);
	return rc;
}

/* Messages and summaries as the page shows them (obfuscate). */
static void hide_fetched(struct page *page, struct archive_message *msgs, size_t n,
                         struct archive_also *also)
{
	for (size_t i = 0; page->conf->obfuscate && i < n; i++)
		hide_message(&msgs[i]);
	for (size_t i = 0; also && page->conf->obfuscate && i < also->ninfos; i++)
		hide_info(&also->infos[i]);
}

int page_fetch_messages_also(struct page *page, struct archive_message *msgs,
                             size_t n, struct archive_also *also,
                             struct session_err *err)
{
	int rc = archive_messages_also(page->archive, msgs, n, also, err);

	hide_fetched(page, msgs, n, also);
	return rc;
}

int page_collect_messages_also(struct page *page, struct archive_pending *pending,
                               struct archive_message *msgs, size_t n,
                               struct archive_also *also, struct session_err *err)
{
	int rc = archive_messages_collect(page->archive, pending, msgs, n, also, err);

	hide_fetched(page, msgs, n, also);
	return rc;
}

int page_fetch_messages(struct page *page, struct archive_message *msgs,
                        size_t n, struct session_err *err)
{
	return page_fetch_messages_also(page, msgs, n, NULL, err);
}

void page_shown_text(struct page *page, const char *text, size_t len,
                     struct buf *out)
{
	if (page->conf->obfuscate)
		mailtext_hide_addresses(out, text, len);
	else
		buf_add(out, text, len);
}

/* The rows of the thread that holds uid; 0 rows: none (or no threads). */
size_t page_thread_rows(struct page *page, uint32_t uid, struct thread_row **rows,
                        struct session_err *err)
{
	const struct thread_forest *forest;
	const struct thread *root;

	*rows = NULL;
	if (archive_threads(page->archive, &forest, err) < 0)
		return 0;
	root = thread_find(forest, uid);
	return root ? thread_flatten(forest, root, rows) : 0;
}

/* ---- navigation on a message page ----------------------------------- */

static void nav_link(struct page *page, struct tmpl_vars *vars,
                     struct json *json, const char *name, uint32_t uid)
{
	struct buf url = BUF_INIT;

	if (uid) {
		struct html_url link = { .mailbox = page->route->mailbox, .uid = uid };
		page_url(page, &url, &link);
		if (vars)
			tmpl_vars_set_str(vars, name, buf_cstr(&url));
	}
	if (json) {
		json_key(json, name);
		if (uid)
			json_string(json, buf_cstr(&url));
		else
			json_null(json);
	}
	buf_release(&url);
}

/* "back_url": the index page that lists the message, page number. */
static void back_link(struct page *page, struct tmpl_vars *vars, size_t number)
{
	struct buf url = BUF_INIT;
	struct html_url index = { .mailbox = page->route->mailbox };
	char value[24];

	if (number > 1) {
		snprintf(value, sizeof(value), "%zu", number);
		index.params[0] = (struct html_url_param){ "page", value };
	}
	page_url(page, &url, &index);
	tmpl_vars_set_str(vars, "back_url", buf_cstr(&url));
	buf_release(&url);
}

/*
 * Previous and next message in the mailbox's order (newest first, so
 * "previous" is the newer one, as on the index) and in the thread.  The
 * links are left out when the caches cannot be filled: the message page
 * is still worth showing.
 */
void page_message_nav(struct page *page, struct tmpl_vars *vars,
                      struct json *json, uint32_t uid)
{
	struct session_err err = { 0 };
	uint32_t newer = 0, older = 0, thread_prev = 0, thread_next = 0;

	const uint32_t *sorted;
	size_t nsorted;

	if (archive_sorted_uids(page->archive, &sorted, &nsorted, &err) == 0) {
		for (size_t i = 0; i < nsorted; i++) {
			if (sorted[i] != uid)
				continue;
			newer = i ? sorted[i - 1] : 0;
			older = i + 1 < nsorted ? sorted[i + 1] : 0;
			if (vars)
				back_link(page, vars, i / page->conf->page_size + 1);
			break;
		}
	}
	{
		struct thread_row *rows = NULL;
		size_t n = page_thread_rows(page, uid, &rows, &err), at = n;
		for (size_t i = 0; i < n; i++)
			if (rows[i].uid == uid)
				at = i;
		for (size_t i = at; at < n && i-- > 0;)
			if (rows[i].uid) {
				thread_prev = rows[i].uid;
				break;
			}
		for (size_t i = at + 1; i < n; i++)
			if (rows[i].uid) {
				thread_next = rows[i].uid;
				break;
			}
		free(rows);
	}
	nav_link(page, vars, json, "newer_url", newer);
	nav_link(page, vars, json, "older_url", older);
	nav_link(page, vars, json, "thread_prev_url", thread_prev);
	nav_link(page, vars, json, "thread_next_url", thread_next);
}

static const struct {
	enum session_error code;
	int status;
	const char *message;
} session_statuses[SESSION_ERROR__MAX] = {
	[SESSION_OK] = { SESSION_OK, 500, "Something went wrong." },
	[SESSION_TIMEOUT] = { SESSION_TIMEOUT, 504,
	                      "The mail store did not answer in time." },
	[SESSION_FAILED] = { SESSION_FAILED, 502,
	                     "The mail store could not be read." },
	[SESSION_NO] = { SESSION_NO, 404, "There is no such message or part." },
	[SESSION_REFUSED] = { SESSION_REFUSED, 500,
	                      "That request would change the archive." },
	/* Seen only when the client is still there: the server is stopping. */
	[SESSION_CANCELLED] = { SESSION_CANCELLED, 503,
	                        "The server is stopping; try again shortly." },
};

int page_fail(struct page *page, const char *what, const struct session_err *err)
{
	const char *detail = err && err->message[0] ? err->message : "(no detail)";

	if (!page->resp->begun)
		return err && err->code ? page_session_error(page, err)
		                        : page_error(page, 500, "The page could not be made.");
	/* A write that failed marked it already: the client went away. */
	if (!resp_gone(page->resp))
		fprintf(stderr, "imapeek: %s: %s failed after the answer began: %s\n",
		        page->req->path ? page->req->path : "/", what, detail);
	/* The front end ends the transfer as broken (no last chunk). */
	resp_abort(page->resp);
	return -1;
}

int page_session_error(struct page *page, const struct session_err *err)
{
	enum session_error code = err->code < SESSION_ERROR__MAX ? err->code
	                                                         : SESSION_FAILED;
	fprintf(stderr, "imapeek: %s: %s\n", page->req->path ? page->req->path : "/",
	        err->message[0] ? err->message : "(no detail)");
	return page_error(page, session_statuses[code].status,
	                  session_statuses[code].message);
}

void page_url(struct page *page, struct buf *out, const struct html_url *url)
{
	struct html_url copy = *url;

	copy.root = page->root;
	if (html_url_build(out, &copy) < 0)
		buf_addstr(out, page->root[0] ? page->root : "/");
}
