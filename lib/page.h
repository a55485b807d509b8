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
#include "tmpl.h"

struct gateway;
struct message_info;

/*
 * Which state of which mailbox a per-worker cache was computed from: it is
 * valid while UIDVALIDITY, UIDNEXT, the message count and HIGHESTMODSEQ
 * stay the same.
 */
struct mailbox_stamp {
	char *mailbox;
	uint32_t uidvalidity, uidnext, exists;
	uint64_t highestmodseq;
};

bool mailbox_stamp_matches(const struct mailbox_stamp *stamp,
                           const struct mailbox_state *state);
void mailbox_stamp_take(struct mailbox_stamp *stamp,
                        const struct mailbox_state *state);
void mailbox_stamp_release(struct mailbox_stamp *stamp);

/* UID SORT's answer for one mailbox, kept per worker while it is valid. */
struct sort_cache {
	struct mailbox_stamp stamp;
	uint32_t *uids;       /* newest first */
	size_t n;
	/* Messages per month for the index's chart, PAGE_CHART_MONTHS of
	   them ending with the newest message's month; valid with the rest. */
	bool has_months;
	int last_year, last_month;  /* month 1..12 */
	uint32_t month_counts[12];
};
#define PAGE_CHART_MONTHS 12

void sort_cache_release(struct sort_cache *cache);

/*
 * The mailbox's threads, newest activity first, kept per worker on the
 * same terms as the sort cache.  From UID THREAD REFERENCES where the
 * imapd offers it, else built here (thread.h) from the headers.
 */
#include "thread.h"
struct thread_cache {
	struct mailbox_stamp stamp;
	struct thread_forest forest;
	bool client_side;     /* built by thread_build(), not the imapd */
};

void thread_cache_release(struct thread_cache *cache);

struct page {
	struct gateway *gateway;
	const struct conf *conf;
	const struct req *req;
	struct resp *resp;
	const struct route *route;
	const struct tmpl_set *templates;
	bool json;              /* answer with JSON rather than HTML */
	const char *root;       /* path prefix of every URL we make */
	/* The "about" Markdown file rendered once per worker, or NULL. */
	const char *about_html;
	/* The worker's session once page_session() opened it. */
	struct session *session;
	struct sort_cache *sort_cache;
	struct thread_cache *thread_cache;
	/* The validators the gateway computed (cache.h), or NULL. */
	const char *etag;
	/* The visible mailboxes, when the route needed them. */
	const struct mailbox_list *mailboxes;
};

/*
 * The worker's imapd session, opened (or respawned after a failure) on
 * demand.  NULL with err filled when the imapd can't be started.
 */
struct session *page_session(struct page *page, struct session_err *err);
/* EXAMINE the route's mailbox (only when it is not already the one). */
int page_examine(struct page *page, struct session_err *err);

/*
 * Answer with an error page (HTML or JSON) that says what went wrong and
 * never shows internals.  Always returns -1, for "return page_error(...)".
 */
int page_error(struct page *page, int status, const char *message);
/* The status for a session failure (502, 504; 404 for a NO), and its page. */
int page_session_error(struct page *page, const struct session_err *err);

/* The URL of a page as an absolute path, appended to out. */
void page_url(struct page *page, struct buf *out, const struct html_url *url);
/* Headers every HTML page carries (Content-Type, CSP, ...). */
void page_html_headers(struct page *page);
void page_json_headers(struct page *page);
/* Render a template with vars as the whole HTML response. */
int page_render(struct page *page, const char *template_name,
                struct tmpl_vars *vars);
/* Send a finished JSON document as the whole response. */
int page_send_json(struct page *page, struct buf *body);

/* A message summary: SPEC.md's MSG object, and the same for templates. */
void page_json_summary(struct json *json, const struct message_info *info,
                       const char *url);
/* The same members, into an object the caller opened (and extends). */
void page_json_summary_fields(struct json *json, const struct message_info *info,
                              const char *url);
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
 * EXAMINE the mailbox and UID FETCH the route's UID with items.  0 with
 * view (borrowing from result; release it) and info filled, else -1 with
 * the error page sent.
 */
struct imap_fetch;
/*
 * UID FETCH one message's items: 1 with view (borrowing from result;
 * release it) and info filled, 0 when there is no such message, -1 with
 * err filled.  No page is sent.
 */
int page_fetch_one(struct session *session, uint32_t uid, const char *items,
                   struct session_result *result, struct imap_fetch *view,
                   struct message_info *info, struct session_err *err);
int page_fetch_uid(struct page *page, const char *items,
                   struct session_result *result, struct imap_fetch *view,
                   struct message_info *info);

/*
 * The mailbox's UIDs newest first (Date header) in page->sort_cache:
 * UID SORT, or without SORT every UID in descending order.  0 or -1.
 */
int page_sorted_uids(struct page *page, struct session_err *err);
/* The mailbox's threads in page->thread_cache.  0 or -1. */
int page_threads_load(struct page *page, struct session_err *err);

/* Summaries of uids (any order) fetched and returned in that order. */
int page_fetch_infos(struct page *page, const uint32_t *uids, size_t n,
                     struct message_info **infos, size_t *ninfos,
                     struct session_err *err);
void page_infos_free(struct message_info *infos, size_t n);

/* Feeds and exports of a list of messages (page_feed.c, page_mbox.c). */
int page_feed_send(struct page *page, const char *title,
                   const uint32_t *uids, size_t n);
int page_mbox_send(struct page *page, const char *filename,
                   const uint32_t *uids, size_t n);
/* The previous/next links of a message page (page_message.c calls). */
void page_message_nav(struct page *page, struct tmpl_vars *vars,
                      struct json *json, uint32_t uid);

int page_mailboxes(struct page *page);
int page_index(struct page *page);
int page_message(struct page *page);
int page_raw(struct page *page);
int page_part(struct page *page);
int page_threads(struct page *page);
int page_thread(struct page *page);
int page_thread_mbox(struct page *page);
int page_search(struct page *page);
int page_atom(struct page *page);
int page_msgid(struct page *page);

#endif
