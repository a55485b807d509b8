/* Table tests of the router: path + query -> page, mailbox, uid, section. */
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "route.h"

static const char *const mailboxes[] = {
	/* Keys (route.h): "a%25b" is the level "a%b", "a%2Fb" the level "a/b". */
	"INBOX", "lists", "lists/dev", "Archiv/Grüße & Co", "a%25b", "a%2Fb",
	"x/y%2Fz",
};

struct row {
	const char *path, *query;
	int status;             /* 0 = resolves */
	enum route_page page;
	const char *mailbox, *section, *msgid;
	uint32_t uid;
	bool redirect;
	unsigned page_number;
};

static const struct row rows[] = {
	{ "/", "", 0, PAGE_MAILBOXES, NULL, NULL, NULL, 0, false, 1 },
	{ "/lists/dev/", "", 0, PAGE_INDEX, "lists/dev", NULL, NULL, 0, false, 1 },
	{ "/lists/dev", "", 0, PAGE_INDEX, "lists/dev", NULL, NULL, 0, true, 1 },
	{ "/lists/", "page=3", 0, PAGE_INDEX, "lists", NULL, NULL, 0, false, 3 },
	{ "/lists/7", "", 0, PAGE_MESSAGE, "lists", NULL, NULL, 7, false, 1 },
	{ "/lists/dev/7", "", 0, PAGE_MESSAGE, "lists/dev", NULL, NULL, 7, false, 1 },
	{ "/lists/dev/7/", "", 0, PAGE_MESSAGE, "lists/dev", NULL, NULL, 7, true, 1 },
	{ "/lists/dev/7/raw", "", 0, PAGE_RAW, "lists/dev", NULL, NULL, 7, false, 1 },
	{ "/lists/dev/7/2.1", "", 0, PAGE_PART, "lists/dev", "2.1", NULL, 7, false, 1 },
	{ "/lists/dev/7/thread", "", 0, PAGE_THREAD, "lists/dev", NULL, NULL, 7, false, 1 },
	{ "/lists/dev/7/thread.mbox", "", 0, PAGE_THREAD_MBOX, "lists/dev", NULL, NULL, 7, false, 1 },
	{ "/lists/dev/threads/", "", 0, PAGE_THREADS, "lists/dev", NULL, NULL, 0, false, 1 },
	{ "/lists/dev/threads", "", 0, PAGE_THREADS, "lists/dev", NULL, NULL, 0, true, 1 },
	{ "/lists/dev/search", "q=a+b", 0, PAGE_SEARCH, "lists/dev", NULL, NULL, 0, false, 1 },
	{ "/lists/dev/new.atom", "", 0, PAGE_ATOM, "lists/dev", NULL, NULL, 0, false, 1 },
	{ "/lists/dev/m/a%2Fb%40c", "", 0, PAGE_MSGID, "lists/dev", NULL, "a/b@c", 0, false, 1 },
	{ "/m/x%2By%25z@host", "", 0, PAGE_MSGID_ALL, NULL, NULL, "x+y%z@host", 0, false, 1 },
	{ "/m/a/b", "", 0, PAGE_MSGID_ALL, NULL, NULL, "a/b", 0, false, 1 },
	{ "/m/%3Ca@b%3E", "", 0, PAGE_MSGID_ALL, NULL, NULL, "a@b", 0, false, 1 },
	{ "/lists/dev/m/<a@b>", "", 0, PAGE_MSGID, "lists/dev", NULL, "a@b", 0, false, 1 },
	{ "/inbox/", "", 0, PAGE_INDEX, "INBOX", NULL, NULL, 0, false, 1 },
	{ "/Inbox/1/raw", "", 0, PAGE_RAW, "INBOX", NULL, NULL, 1, false, 1 },
	{ "/lists/dev/7/thread/", "", 0, PAGE_THREAD, "lists/dev", NULL, NULL, 7, false, 1 },
	{ "/lists/dev/7/2.1/", "", 0, PAGE_PART, "lists/dev", "2.1", NULL, 7, false, 1 },
	{ "/lists/dev/search/", "q=a", 0, PAGE_SEARCH, "lists/dev", NULL, NULL, 0, false, 1 },
	{ "/lists/dev/7/nothing/", "", 404, 0, NULL, NULL, NULL, 0, false, 1 },
	{ "/INBOX/1", "", 0, PAGE_MESSAGE, "INBOX", NULL, NULL, 1, false, 1 },
	{ "/Archiv/Gr%C3%BC%C3%9Fe%20%26%20Co/", "", 0, PAGE_INDEX, "Archiv/Grüße & Co", NULL, NULL, 0, false, 1 },
	{ "/a%25b/1", "", 0, PAGE_MESSAGE, "a%25b", NULL, NULL, 1, false, 1 },
	/* 404: unknown or hidden things */
	{ "/nope/", "", 404, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/7/frob", "", 404, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/frob", "", 404, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/7/raw/x", "", 404, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "//lists/", "", 404, 0, NULL, NULL, NULL, 0, false, 0 },
	/* 400: malformed input */
	{ "/lists/dev/0", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/007", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/4294967296", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/12x", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	/* A number not written as IMAP writes a UID (nz-number): 400. */
	{ "/lists/dev/-1", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/+1", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/%2B1", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/%201", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/1%20", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/%091", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/01", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/01/raw", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/1x", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/0x10", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/1e3", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/4294967295", "", 0, PAGE_MESSAGE, "lists/dev", NULL, NULL, 4294967295u, false, 1 },
	{ "/lists/dev/99999999999999999999999", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/--1", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/-x", "", 404, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/7/-1", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/7/+2", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/7/%201", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/7/01", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/7/0", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/7/1..2", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/7/1.", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/7/1.0", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/dev/7/1.2.3.4.5.6.7.8.9.1.2.3.4.5.6.7.8.9.1.2.3.4.5.6.7.8.9.1.2.3.4.5.6", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/%zz/", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/%2", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/%00/", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/%0d%0a/", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/%ff/", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/%c0%af/", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/%2F/", "", 404, 0, NULL, NULL, NULL, 0, false, 0 },
	/* A level holding "/" is one segment with %2F; "/" alone splits levels. */
	{ "/a%2Fb/", "", 0, PAGE_INDEX, "a%2Fb", NULL, NULL, 0, false, 1 },
	{ "/a%2fb/7", "", 0, PAGE_MESSAGE, "a%2Fb", NULL, NULL, 7, false, 1 },
	{ "/a/b/", "", 404, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/x/y%2Fz/threads/", "", 0, PAGE_THREADS, "x/y%2Fz", NULL, NULL, 0, false, 1 },
	{ "/x/y/z/", "", 404, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/x%2Fy%2Fz/", "", 404, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/a%25b/", "", 0, PAGE_INDEX, "a%25b", NULL, NULL, 0, false, 1 },
	{ "/a%252Fb/", "", 404, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists%2Fdev/", "", 404, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/../", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/%2e%2e/", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "lists/", "", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/", "page=0", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/", "page=x", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/", "page=99999999999999999999", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/", "format=xml", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/", "q=%zz", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/lists/", "month=2020-13", 400, 0, NULL, NULL, NULL, 0, false, 0 },
	{ "/m/", "", 404, 0, NULL, NULL, NULL, 0, false, 0 },
};

int main(void)
{
	char *huge;
	struct route route;
	struct route_error err;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *row = &rows[i];
		int rc = route_resolve(&route, row->path, row->query, mailboxes,
		                       sizeof(mailboxes) / sizeof(mailboxes[0]), &err);
		if (row->status) {
			tap_ok(rc < 0 && err.status == row->status,
			       "%s?%s -> %d (%s)", row->path, row->query,
			       row->status, rc < 0 ? err.message : "resolved");
			if (rc == 0)
				route_release(&route);
			continue;
		}
		int good = rc == 0 && route.page == row->page &&
		           route.redirect == row->redirect &&
		           /* a stray slash after a page's last word: 301 without it */
		           route.strip_slash == (row->page != PAGE_INDEX && row->page != PAGE_THREADS &&
		                                 row->page != PAGE_MAILBOXES && !row->redirect &&
		                                 row->path[strlen(row->path) - 1] == '/') &&
		           /* INBOX in another case: 301 to its listed name */
		           route.respelled == (row->mailbox && !strcmp(row->mailbox, "INBOX") &&
		                               strncmp(row->path, "/INBOX", 6) != 0) &&
		           route.uid == row->uid &&
		           route.page_number == row->page_number &&
		           (!row->mailbox || (route.mailbox && !strcmp(route.mailbox, row->mailbox))) &&
		           (!row->section || (route.section && !strcmp(route.section, row->section))) &&
		           (!row->msgid || (route.msgid && !strcmp(route.msgid, row->msgid)));
		tap_ok(good, "%s?%s -> %s %s", row->path, row->query,
		       route_page_name(row->page), row->mailbox ? row->mailbox : "");
		if (!good && rc < 0)
			tap_diag("error %d: %s", err.status, err.message);
		if (rc == 0)
			route_release(&route);
	}

	huge = malloc(ROUTE_MAX_PATH + 2);
	huge[0] = '/';
	memset(huge + 1, 'a', ROUTE_MAX_PATH);
	huge[ROUTE_MAX_PATH + 1] = '\0';
	tap_ok(route_resolve(&route, huge, "", mailboxes, 7, &err) < 0 &&
	       err.status == 400, "a path over %d bytes is 400", ROUTE_MAX_PATH);
	for (size_t i = 1; i < ROUTE_MAX_PATH; i += 2)
		huge[i] = 'a', huge[i + 1] = '/';
	tap_ok(route_resolve(&route, huge, "", mailboxes, 7, &err) < 0 &&
	       err.status == 400, "a path of thousands of levels is 400");
	free(huge);

	struct route q;
	tap_ok(route_resolve(&q, "/lists/search", "q=from%3A%22J+S%22&format=json&x=%zz", mailboxes, 7, &err) < 0,
	       "a bad escape in an ignored key is still 400");
	tap_ok(route_resolve(&q, "/lists/search", "q=from%3A%22J+S%22&format=json", mailboxes, 7, &err) == 0 &&
	       !strcmp(q.query, "from:\"J S\"") && q.format == FORMAT_JSON,
	       "query value decoded, + is space, format=json");
	route_release(&q);
	tap_ok(route_resolve(&q, "/lists/search", "q=imapd%09server%0D%0Aidle", mailboxes, 7, &err) == 0 &&
	       !strcmp(q.query, "imapd server  idle"),
	       "a tab, CR or LF in a query value is a blank");
	route_release(&q);
	tap_ok(route_resolve(&q, "/lists/search", "q=a%01b", mailboxes, 7, &err) < 0 && err.status == 400,
	       "... another control character is 400");
	return tap_done();
}
