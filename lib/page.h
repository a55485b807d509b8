/*
 * What every page handler gets, and the helpers they share.  One file per
 * page (page_mailboxes.c, page_index.c, page_message.c, ...); the router
 * has already checked what the page needs, so a handler starts with a
 * valid mailbox, UID or section.
 */
#ifndef IMAPEEK_PAGE_H
#define IMAPEEK_PAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "conf.h"
#include "html.h"
#include "json.h"
#include "mailboxes.h"
#include "req.h"
#include "route.h"
#include "session.h"
#include "archive.h"
#include "tmpl.h"

struct archive;
struct message_info;

struct page {
	const struct conf *conf;
	const struct req *req;
	struct resp *resp;
	const struct route *route;
	const struct tmpl_set *templates;
	bool json;              /* answer with JSON rather than HTML */
	bool gzip;              /* a feed or export, gzipped (the client takes it) */
	const char *root;       /* path prefix of every URL we make */
	/* The "about" Markdown file rendered once per worker, or NULL. */
	const char *about_html;
	/* What the page asks for mail: the worker's archive. */
	struct archive *archive;
	/* The visible mailboxes, when the route needed them. */
	const struct mailbox_list *mailboxes;
	/* The route's mailbox, opened in the archive before the handler. */
	const struct mailbox_entry *mailbox;
	/* The validators the gateway computed (cache.h), or NULL. */
	const char *etag;
	/*
	 * What the route's ahead hook (route.h) asked for before the
	 * gateway's stamp, for the handler to read; ahead_release frees it
	 * (the gateway calls it, whether the handler ran or not).
	 */
	void *ahead;
	void (*ahead_release)(struct page *page);
};

/*
 * Answer with an error page (HTML or JSON) that says what went wrong and
 * never shows internals.  Always returns -1, for "return page_error(...)".
 */
int page_error(struct page *page, int status, const char *message);
/* The status for a session failure (502, 504; 404 for a NO), and its page. */
int page_session_error(struct page *page, const struct session_err *err);
/*
 * Something failed while the page was being written (err, or a writer:
 * err NULL or without a code).  Before the first body byte it is still
 * an error page (err's status, else 500).  After it, the answer is
 * marked failed (resp->failed), and the front end ends it as an aborted
 * transfer, never as a short body presented whole; what failed goes to
 * the log.  Always -1.
 */
int page_fail(struct page *page, const char *what, const struct session_err *err);

/* The URL of a page as an absolute path, appended to out. */
void page_url(struct page *page, struct buf *out, const struct html_url *url);
/* Headers every HTML page carries (Content-Type, CSP, ...). */
void page_html_headers(struct page *page);
void page_json_headers(struct page *page);
/*
 * Render a template with vars as the whole HTML response.  A rendering
 * that fails is an error page (500) when nothing was sent yet, else a
 * failed answer (page_fail).  0 or -1.
 */
int page_render(struct page *page, const char *template_name,
                struct tmpl_vars *vars) MUST_CHECK;
/*
 * Finish the JSON document json writes into body and send it as the whole
 * response; a document that is not whole (json_finish) is never sent:
 * an error page (500) instead.  0 or -1.
 */
int page_send_json(struct page *page, struct json *json,
                   struct buf *body) MUST_CHECK;

/* A message summary: imapeek-httpd(8)'s MSG object, and the same for templates. */
void page_json_summary(struct json *json, const struct message_info *info,
                       const char *url);
/* The same members, into an object the caller opened (and extends). */
void page_json_summary_fields(struct json *json, const struct message_info *info,
                              const char *url);
/*
 * A count for a template: name (the number) and name_one (true for 1),
 * so that a template can write "1 message", "2 messages".
 */
void page_vars_count(struct tmpl_vars *vars, const char *name, uint64_t n);
/*
 * "subtitle" for the layout's <title>: "WHAT, page N", "WHAT" on page 1,
 * "page N" without WHAT (NULL or ""), none for neither; so that the pages
 * of one mailbox have titles of their own.
 */
void page_vars_subtitle(struct tmpl_vars *vars, const char *what, unsigned number);
/*
 * Last-Modified for a page whose date its fetch told (a raw message's or
 * a part's arrival; 0: none), never later than now; it answers an
 * If-Modified-Since the gateway left to the page (resp_modified_at).
 */
void page_last_modified(struct page *page, time_t when);

void page_vars_summary(struct page *page, struct tmpl_vars *vars,
                       const struct message_info *info, const char *url);
/* An address as JSON ({"name","address"}) and as template vars. */
struct message_addr;
/* The address as pages show it (obfuscated if configured), appended. */
void page_shown_address(struct page *page, const struct message_addr *addr,
                        struct buf *out);
void page_json_addr(struct json *json, const struct message_addr *addr);
void page_vars_addr(struct page *page, struct tmpl_vars *vars,
                    const struct message_addr *addr);

/*
 * The messages a page shows, from the archive: summaries (as
 * archive_summaries) and whole messages with their text (as
 * archive_messages; msgs[i].uid set by the caller).  With obfuscate =
 * yes every address in them comes with its domain hidden (names,
 * addresses, subjects, filenames, texts; Message-IDs are kept), so HTML,
 * JSON and Atom show no address whole.  Pages take their mail from here;
 * only exports of the messages' bytes (raw, mbox) take it as it is.
 */
int page_fetch_summaries(struct page *page, const uint32_t *uids, size_t n,
                         struct message_info **infos, size_t *ninfos,
                         struct session_err *err);
/* page_fetch_summaries and the previews of archive_summaries_previews. */
int page_fetch_summaries_previews(struct page *page, const uint32_t *uids,
                                  size_t n, struct message_info **infos,
                                  size_t *ninfos, char ***previews,
                                  struct session_err *err);
int page_fetch_messages(struct page *page, struct archive_message *msgs,
                        size_t n, struct session_err *err);
/* page_fetch_messages with the summaries of archive_messages_also. */
int page_fetch_messages_also(struct page *page, struct archive_message *msgs,
                             size_t n, struct archive_also *also,
                             struct session_err *err);
/* The same, sent earlier: archive_messages_collect (1: ask again). */
struct archive_pending;
int page_collect_messages_also(struct page *page, struct archive_pending *pending,
                               struct archive_message *msgs, size_t n,
                               struct archive_also *also, struct session_err *err);
/* Text from mail as the page shows it (addresses hidden if so configured). */
void page_shown_text(struct page *page, const char *text, size_t len,
                     struct buf *out);

/* The rows of the thread that holds uid (0: none; err says why if any). */
struct thread_row;
size_t page_thread_rows(struct page *page, uint32_t uid, struct thread_row **rows,
                        struct session_err *err);
/* The previous/next links of a message page, in the mailbox and thread. */
void page_message_nav(struct page *page, struct tmpl_vars *vars,
                      struct json *json, uint32_t uid);

int page_mailboxes(struct page *page);
int page_index(struct page *page);
int page_message(struct page *page);
void page_message_ahead(struct page *page);
int page_raw(struct page *page);
int page_part(struct page *page);
int page_threads(struct page *page);
int page_thread(struct page *page);
int page_thread_mbox(struct page *page);
int page_search(struct page *page);
int page_atom(struct page *page);
int page_msgid(struct page *page);

#endif
