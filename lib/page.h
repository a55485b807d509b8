/*
 * What every page handler gets, and the helpers they share.  One file per
 * page (page_mailboxes.c, page_index.c, page_message.c, ...); the router
 * has already checked what the page needs, so a handler starts with a
 * valid mailbox, UID or section.
 */
#ifndef IMAPEEK_PAGE_H
#define IMAPEEK_PAGE_H

#include <stdbool.h>

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

struct page {
	struct gateway *gateway;
	const struct conf *conf;
	const struct req *req;
	struct resp *resp;
	const struct route *route;
	const struct tmpl_set *templates;
	bool json;              /* answer with JSON rather than HTML */
	const char *root;       /* path prefix of every URL we make */
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

int page_mailboxes(struct page *page);
int page_index(struct page *page);
int page_message(struct page *page);
int page_raw(struct page *page);
int page_part(struct page *page);

#endif
