/*
 * The router on any request-target (the path up to the first "?", the
 * query after it), against two fixed mailbox lists, and route_decode on
 * any bytes.
 *
 * A resolved route has what its page needs (route.h) and a mailbox of the
 * list; a refused one is a 400 or 404 with a message and nothing left
 * allocated.  Against the first list, whose names never shadow a page
 * (no mailbox is named like a page word or a UID below another mailbox:
 * the longest name wins, SPEC.md), the URL html_url_build makes from a
 * resolved route resolves to the same route, without a redirect.
 * route_decode gives valid UTF-8 without control characters, which the
 * encoders of html.h turn back into the same text.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "route.h"
#include "utf8.h"

static const char *const plain_mailboxes[] = {
	"INBOX", "lists", "lists/dev", "Archiv/Grüße & Co", "a%25b", "a%2Fb",
	"x/y%2Fz", "sp ace/+plus", "dots.in.name/.hidden",
};
/* Names that shadow pages: checked for invariants only. */
static const char *const shadowing_mailboxes[] = {
	"lists", "lists/threads", "lists/search", "lists/7", "m", "m/x",
	"inbox", "INBOX", "lists/new.atom",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void check_decode(const char *data, size_t size, bool plus)
{
	struct buf out = BUF_INIT, again = BUF_INIT, encoded = BUF_INIT;

	buf_addstr(&out, "x");
	if (route_decode((struct str){ data, size }, plus, &out) < 0) {
		if (out.len != 1)
			abort();
		goto out;
	}
	if (!utf8_valid(out.p + 1, out.len - 1))
		abort();
	for (size_t i = 1; i < out.len; i++)
		if ((unsigned char)out.p[i] < 0x20 || out.p[i] == 0x7f)
			abort();
	/* The encoder of each context, then the decoder of that context. */
	if (plus)
		html_url_query(&encoded, out.p + 1, out.len - 1);
	else
		html_url_segment(&encoded, out.p + 1, out.len - 1);
	if (route_decode(str_from_buf(&encoded), plus, &again) < 0 ||
	    again.len != out.len - 1 || memcmp(buf_cstr(&again), out.p + 1, again.len))
		abort();
out:
	buf_release(&out);
	buf_release(&again);
	buf_release(&encoded);
}

static bool same_string(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool same_route(const struct route *a, const struct route *b)
{
	return a->page == b->page && a->uid == b->uid &&
	       a->page_number == b->page_number && a->format == b->format &&
	       same_string(a->mailbox, b->mailbox) &&
	       same_string(a->mailbox_label, b->mailbox_label) &&
	       same_string(a->section, b->section) &&
	       same_string(a->msgid, b->msgid) &&
	       same_string(a->query, b->query) &&
	       same_string(a->month, b->month);
}

/* What every resolved route holds, whatever the list. */
static void check_route(const struct route *route, const char *const *mailboxes,
                        size_t nmailboxes)
{
	unsigned flags = route_flags(route->page);
	bool listed = false;

	if (route->page >= PAGE__MAX)
		abort();
	for (size_t i = 0; route->mailbox && i < nmailboxes; i++)
		listed = listed || !strcmp(route->mailbox, mailboxes[i]);
	if (!!(flags & ROUTE_NEEDS_MAILBOX) != !!route->mailbox ||
	    (route->mailbox && !listed))
		abort();
	if (route->mailbox) {
		char *label = route_key_label(route->mailbox);
		bool same = route->mailbox_label && !strcmp(label, route->mailbox_label);
		free(label);
		if (!same)
			abort();
	}
	if (!!(flags & ROUTE_NEEDS_UID) != (route->uid != 0))
		abort();
	if (!!(flags & ROUTE_NEEDS_SECTION) != !!route->section ||
	    (route->section && !route_section_valid(route->section)))
		abort();
	if (!!(flags & ROUTE_NEEDS_MSGID) != !!route->msgid ||
	    (route->msgid && !route->msgid[0]))
		abort();
	if (route->page_number < 1 || route->page_number > 1000000 ||
	    route->format > FORMAT_MBOX)
		abort();
	if (route->redirect && route->page != PAGE_INDEX &&
	    route->page != PAGE_THREADS && route->page != PAGE_MESSAGE)
		abort();
}

static const enum html_url_suffix page_suffix[PAGE__MAX] = {
	[PAGE_MAILBOXES] = HTML_URL_NONE, [PAGE_INDEX] = HTML_URL_NONE,
	[PAGE_THREADS] = HTML_URL_THREADS, [PAGE_MESSAGE] = HTML_URL_NONE,
	[PAGE_RAW] = HTML_URL_RAW, [PAGE_PART] = HTML_URL_NONE,
	[PAGE_THREAD] = HTML_URL_THREAD, [PAGE_THREAD_MBOX] = HTML_URL_THREAD_MBOX,
	[PAGE_SEARCH] = HTML_URL_SEARCH, [PAGE_ATOM] = HTML_URL_ATOM,
	[PAGE_MSGID] = HTML_URL_MSGID, [PAGE_MSGID_ALL] = HTML_URL_MSGID,
};

static const char *const format_names[] = { "html", "json", "atom", "mbox" };

/* The route's canonical URL must lead back to it. */
static void check_round_trip(const struct route *route)
{
	struct html_url url = {
		.root = "",
		.mailbox = route->mailbox,
		.uid = route->uid,
		.section = route->section,
		.suffix = page_suffix[route->page],
		.message_id = route->msgid,
	};
	struct buf built = BUF_INIT, path = BUF_INIT;
	struct route again;
	struct route_error err;
	char number[16];
	size_t nparams = 0;
	const char *question;

	if (route->page_number != 1) {
		snprintf(number, sizeof(number), "%u", route->page_number);
		url.params[nparams++] = (struct html_url_param){ "page", number };
	}
	if (route->format != FORMAT_HTML)
		url.params[nparams++] =
			(struct html_url_param){ "format", format_names[route->format] };
	if (route->query)
		url.params[nparams++] = (struct html_url_param){ "q", route->query };
	if (route->month)
		url.params[nparams++] = (struct html_url_param){ "month", route->month };
	/* The order, where an URL has room left for it. */
	bool ordered = nparams < HTML_URL_MAX_PARAMS;
	if (route->oldest_first && ordered)
		url.params[nparams++] = (struct html_url_param){ "order", "oldest" };
	if (html_url_build(&built, &url) < 0)
		abort();
	question = strchr(built.p, '?');
	buf_add(&path, built.p, question ? (size_t)(question - built.p) : built.len);
	/* Percent-encoding can take a path or a query over the limits. */
	if (path.len <= ROUTE_MAX_PATH &&
	    (!question || strlen(question + 1) <= ROUTE_MAX_PATH)) {
		if (route_resolve(&again, buf_cstr(&path), question ? question + 1 : "",
		                  plain_mailboxes, COUNT(plain_mailboxes), &err) < 0)
			abort();
		if (again.redirect || !same_route(route, &again) ||
		    (ordered && again.oldest_first != route->oldest_first))
			abort();
		route_release(&again);
	}
	buf_release(&built);
	buf_release(&path);
}

static void check_resolve(const char *path, const char *query,
                          const char *const *mailboxes, size_t nmailboxes,
                          bool round_trip)
{
	struct route route;
	struct route_error err;

	if (route_resolve(&route, path, query, mailboxes, nmailboxes, &err) < 0) {
		if ((err.status != 400 && err.status != 404) || !err.message[0] ||
		    route.mailbox || route.mailbox_label || route.section ||
		    route.msgid || route.query || route.month)
			abort();
		return;
	}
	check_route(&route, mailboxes, nmailboxes);
	if (round_trip)
		check_round_trip(&route);
	route_release(&route);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The front ends hand over C strings: a NUL ends the target. */
	char *target = xstrndup((const char *)data, size);
	char *question = strchr(target, '?');
	const char *query = "";

	if (question) {
		*question = '\0';
		query = question + 1;
	}
	check_resolve(target, query, plain_mailboxes, COUNT(plain_mailboxes), true);
	check_resolve(target, query, shadowing_mailboxes, COUNT(shadowing_mailboxes),
	              false);
	check_decode((const char *)data, size, false);
	check_decode((const char *)data, size, true);
	free(target);
	return 0;
}
