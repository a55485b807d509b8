#include "route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "html.h"
#include "page.h"

/*
 * The dispatch table: for each page its name (for logs), the word of its
 * path ("" for none, "threads/" and "m/" lead to more segments), what
 * the router checks for it, whether it is served as JSON too, how long a
 * shared cache may keep it (0: not cached: redirects), its handler, and
 * the hook that asks for its mail ahead of the stamp, if any.
 */
const struct route_row route_table[PAGE__MAX] = {
	[PAGE_MAILBOXES] = { "mailboxes", "", ROUTE_HAS_JSON, 60, page_mailboxes },
	[PAGE_INDEX] = { "index", "", ROUTE_NEEDS_MAILBOX | ROUTE_HAS_JSON, 60,
	                 page_index },
	[PAGE_THREADS] = { "threads", "threads/", ROUTE_NEEDS_MAILBOX | ROUTE_HAS_JSON,
	                   60, page_threads },
	[PAGE_MESSAGE] = { "message", "", ROUTE_NEEDS_MAILBOX | ROUTE_NEEDS_UID |
	                   ROUTE_HAS_JSON, 3600, page_message, page_message_ahead },
	[PAGE_RAW] = { "raw", "raw", ROUTE_NEEDS_MAILBOX | ROUTE_NEEDS_UID |
	               ROUTE_HEAVY, 86400, page_raw },
	[PAGE_PART] = { "part", "", ROUTE_NEEDS_MAILBOX | ROUTE_NEEDS_UID |
	                ROUTE_NEEDS_SECTION | ROUTE_HEAVY, 86400, page_part },
	[PAGE_THREAD] = { "thread", "thread", ROUTE_NEEDS_MAILBOX | ROUTE_NEEDS_UID |
	                  ROUTE_HAS_JSON | ROUTE_HEAVY, 600, page_thread },
	[PAGE_THREAD_MBOX] = { "thread.mbox", "thread.mbox",
	                       ROUTE_NEEDS_MAILBOX | ROUTE_NEEDS_UID | ROUTE_HEAVY,
	                       600, page_thread_mbox },
	[PAGE_SEARCH] = { "search", "search", ROUTE_NEEDS_MAILBOX | ROUTE_HAS_JSON |
	                  ROUTE_HEAVY, 60, page_search },
	[PAGE_ATOM] = { "new.atom", "new.atom", ROUTE_NEEDS_MAILBOX, 300, page_atom },
	[PAGE_MSGID] = { "msgid", "m/", ROUTE_NEEDS_MAILBOX | ROUTE_NEEDS_MSGID, 0,
	                 page_msgid },
	[PAGE_MSGID_ALL] = { "msgid-all", "m/", ROUTE_NEEDS_MSGID, 0, page_msgid },
};

/* The page whose word, after "/MBOX/" (or "/MBOX/UID/" with a UID), is word. */
static bool word_page(const char *word, bool after_uid, enum route_page *page)
{
	for (int i = 0; i < PAGE__MAX; i++) {
		const struct route_row *row = &route_table[i];
		if (!row->word[0] || !strcmp(row->word, "m/") ||
		    !!(row->flags & ROUTE_NEEDS_UID) != after_uid ||
		    strcmp(row->word, word))
			continue;
		*page = (enum route_page)i;
		return true;
	}
	return false;
}

unsigned route_flags(enum route_page page)
{
	return page < PAGE__MAX ? route_table[page].flags : 0;
}

const char *route_page_name(enum route_page page)
{
	return page < PAGE__MAX ? route_table[page].name : "?";
}

static int fail(struct route_error *err, int status, const char *message)
{
	err->status = status;
	snprintf(err->message, sizeof(err->message), "%s", message);
	return -1;
}

int route_decode(struct str in, bool plus_is_space, struct buf *out)
{
	size_t start = out->len;

	if (html_url_decode(out, in.p ? in.p : "", in.len,
	                    HTML_DECODE_UTF8 |
	                    (plus_is_space ? HTML_DECODE_PLUS : 0)) < 0)
		return -1;
	/*
	 * No control character has a place in a path or a query word; in a
	 * query value a tab, CR or LF is a blank (a query pasted with its
	 * line breaks), so a space.
	 */
	for (size_t i = start; i < out->len; i++) {
		unsigned char c = (unsigned char)out->p[i];
		if (plus_is_space && (c == '\t' || c == '\r' || c == '\n')) {
			out->p[i] = ' ';
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			buf_truncate(out, start);
			return -1;
		}
	}
	return 0;
}

/* Path segments, decoded; the last is "" when the path ends with "/". */
struct segments {
	char *seg[ROUTE_MAX_SEGMENTS];
	size_t n;
};

static void segments_release(struct segments *segs)
{
	for (size_t i = 0; i < segs->n; i++)
		free(segs->seg[i]);
	segs->n = 0;
}

static int split_path(const char *path, struct segments *segs,
                      struct route_error *err)
{
	size_t len = strlen(path);
	const char *p, *end;

	if (len > ROUTE_MAX_PATH)
		return fail(err, 400, "The path is too long.");
	if (path[0] != '/')
		return fail(err, 400, "The path must start with a slash.");
	p = path + 1;
	end = path + len;
	for (;;) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		const char *stop = slash ? slash : end;
		struct buf decoded = BUF_INIT;

		if (segs->n == ROUTE_MAX_SEGMENTS)
			return fail(err, 400, "The path has too many levels.");
		if (route_decode((struct str){ p, (size_t)(stop - p) }, false,
		                 &decoded) < 0) {
			buf_release(&decoded);
			return fail(err, 400, "The path is not properly encoded.");
		}
		if (!strcmp(buf_cstr(&decoded), ".") ||
		    !strcmp(buf_cstr(&decoded), "..")) {
			buf_release(&decoded);
			return fail(err, 400, "The path may not contain . or ..");
		}
		/* An empty segment is only allowed last (the trailing slash). */
		if (!decoded.len && slash) {
			buf_release(&decoded);
			return fail(err, 404, "There is no such page.");
		}
		segs->seg[segs->n++] = buf_detach(&decoded, NULL);
		if (!slash)
			break;
		p = slash + 1;
	}
	return 0;
}

static bool mailbox_equal(const char *a, const char *b)
{
	/* INBOX is case-insensitive (RFC 3501 5.1), every other name exact. */
	if (!strcasecmp(a, "INBOX") && !strcasecmp(b, "INBOX"))
		return true;
	return !strcmp(a, b);
}

void route_level_escape(struct buf *key, const char *level, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (level[i] == '/')
			buf_addstr(key, "%2F");
		else if (level[i] == '%')
			buf_addstr(key, "%25");
		else
			buf_addch(key, level[i]);
	}
}

void route_level_unescape(struct buf *out, const char *level, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (level[i] == '%' && len - i >= 3 && level[i + 1] == '2' &&
		    (level[i + 2] == 'F' || level[i + 2] == '5')) {
			buf_addch(out, level[i + 2] == 'F' ? '/' : '%');
			i += 2;
		} else {
			buf_addch(out, level[i]);
		}
	}
}

char *route_key_label(const char *key)
{
	struct buf label = BUF_INIT;

	route_level_unescape(&label, key, strlen(key));
	return buf_detach(&label, NULL);
}

/* Longest run of leading segments naming a mailbox: its length, or 0. */
static size_t match_mailbox(const struct segments *segs,
                            const char *const *mailboxes, size_t nmailboxes,
                            const char **found)
{
	struct buf key = BUF_INIT;
	size_t best = 0;

	for (size_t k = 1; k <= segs->n; k++) {
		const char *level = segs->seg[k - 1];
		if (!level[0])
			break;
		if (k > 1)
			buf_addch(&key, '/');
		route_level_escape(&key, level, strlen(level));
		for (size_t i = 0; i < nmailboxes; i++) {
			if (mailbox_equal(buf_cstr(&key), mailboxes[i])) {
				best = k;
				*found = mailboxes[i];
				break;
			}
		}
	}
	buf_release(&key);
	return best;
}

/*
 * A segment meant as a number: a digit, or a sign or blank before one
 * ("-1", "+1", " 1").  Such a segment is a UID or section, and when it
 * is not written as one it is malformed (400), not an unknown page.
 */
static bool looks_numeric(const char *text)
{
	return text[strspn(text, "+- \t")] >= '0' &&
	       text[strspn(text, "+- \t")] <= '9';
}

/*
 * A UID as IMAP writes it (RFC 9051 nz-number): no sign, no blank, no
 * leading zero, at most 4294967295.  "01" is refused (400), not
 * redirected: one message has one URL, and the UID in it is the one the
 * imapd gives.
 */
static int parse_uid(const char *text, uint32_t *uid)
{
	uint64_t value;

	if (text[0] == '0')
		return -1;
	if (parse_u64(str_from(text), 1, UINT32_MAX, &value) < 0)
		return -1;
	*uid = (uint32_t)value;
	return 0;
}

bool route_section_valid(const char *text)
{
	size_t depth = 0;
	const char *p = text;

	for (;;) {
		if (*p < '1' || *p > '9')
			return false;
		size_t digits = 0;
		while (*p >= '0' && *p <= '9')
			p++, digits++;
		if (digits > 9 || ++depth > ROUTE_MAX_SECTION_DEPTH)
			return false;
		if (!*p)
			return true;
		if (*p++ != '.')
			return false;
	}
}

static char *join_segments(const struct segments *segs, size_t from)
{
	struct buf joined = BUF_INIT;

	for (size_t i = from; i < segs->n; i++) {
		if (i > from)
			buf_addch(&joined, '/');
		buf_addstr(&joined, segs->seg[i]);
	}
	return buf_detach(&joined, NULL);
}

/*
 * A Message-ID from the path: written without its angle brackets, but
 * one pasted from a header keeps them, and means the same message.  Only
 * brackets around an id without any (RFC 5322 3.6.4), so that the id
 * without them is not taken apart again; and not "<.>" or "<..>": "."
 * and ".." have no path of their own (split_path).
 */
static char *msgid_of(const struct segments *segs, size_t from)
{
	char *id = join_segments(segs, from);
	size_t len = strlen(id);

	if (len >= 2 && id[0] == '<' && id[len - 1] == '>' &&
	    strcspn(id + 1, "<>") == len - 2 && strcmp(id, "<.>") && strcmp(id, "<..>")) {
		memmove(id, id + 1, len - 2);
		id[len - 2] = '\0';
	}
	return id;
}

/* What follows the mailbox: rest[0..nrest). */
static int route_in_mailbox(struct route *route, char *const *rest,
                            size_t nrest, const struct segments *segs,
                            struct route_error *err)
{
	if (nrest == 0) {
		route->page = PAGE_INDEX;
		route->redirect = true;
		return 0;
	}
	if (nrest == 1 && !rest[0][0]) {
		route->page = PAGE_INDEX;
		return 0;
	}
	if (!strcmp(rest[0], "threads") && nrest <= 2) {
		route->page = PAGE_THREADS;
		route->redirect = nrest == 1;
		if (nrest == 2 && rest[1][0])
			return fail(err, 404, "There is no such page.");
		return 0;
	}
	if (!strcmp(rest[0], "m") && nrest >= 2) {
		route->page = PAGE_MSGID;
		route->msgid = msgid_of(segs, segs->n - nrest + 1);
		if (!route->msgid[0])
			return fail(err, 404, "There is no such page.");
		return 0;
	}
	if (nrest == 1 && word_page(rest[0], false, &route->page))
		return 0;
	/*
	 * A stray slash after a page's word or part number ("7/thread/",
	 * "search/"): the page, and a 301 to it without the slash.  "7/" is
	 * the message's own (below).
	 */
	if (nrest >= 2 && !rest[nrest - 1][0] && !(nrest == 2 && looks_numeric(rest[0]))) {
		if (route_in_mailbox(route, rest, nrest - 1, segs, err) < 0)
			return -1;
		route->strip_slash = true;
		return 0;
	}
	if (!looks_numeric(rest[0])) {
		err->unknown_mailbox = true;
		return fail(err, 404, "There is no such mailbox or page.");
	}
	if (parse_uid(rest[0], &route->uid) < 0)
		return fail(err, 400, "That is not a valid message number (UID).");
	if (nrest == 1) {
		route->page = PAGE_MESSAGE;
		return 0;
	}
	if (nrest > 2)
		return fail(err, 404, "There is no such page.");
	if (!rest[1][0]) {
		route->page = PAGE_MESSAGE;
		route->redirect = true;
		return 0;
	}
	if (word_page(rest[1], true, &route->page))
		return 0;
	if (looks_numeric(rest[1])) {
		if (!route_section_valid(rest[1]))
			return fail(err, 400, "That is not a valid part number.");
		route->page = PAGE_PART;
		route->section = xstrdup(rest[1]);
		return 0;
	}
	return fail(err, 404, "There is no such page.");
}

static int parse_query(struct route *route, const char *query,
                       struct route_error *err)
{
	const char *p = query ? query : "";

	route->page_number = 1;
	route->format = FORMAT_HTML;
	if (strlen(p) > ROUTE_MAX_PATH)
		return fail(err, 400, "The query is too long.");
	while (*p) {
		const char *amp = strchr(p, '&');
		const char *end = amp ? amp : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));
		struct str key = { p, (size_t)((eq ? eq : end) - p) };
		struct str raw_value = eq ? (struct str){ eq + 1, (size_t)(end - eq - 1) }
		                          : STR_NULL;
		struct buf value = BUF_INIT;
		int rc = 0;

		if (route_decode(raw_value, true, &value) < 0) {
			rc = fail(err, 400, "The query is not properly encoded.");
		} else if (str_eq(key, "page")) {
			uint64_t number;
			if (buf_cstr(&value)[0] == '0' ||
			    parse_u64(str_from_buf(&value), 1, 1000000, &number) < 0)
				rc = fail(err, 400, "The page number is not valid.");
			else
				route->page_number = (unsigned)number;
		} else if (str_eq(key, "format")) {
			static const struct {
				const char *name;
				enum route_format format;
			} formats[] = {
				{ "html", FORMAT_HTML }, { "json", FORMAT_JSON },
				{ "atom", FORMAT_ATOM }, { "mbox", FORMAT_MBOX },
			};
			size_t i;
			for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
				if (!strcmp(buf_cstr(&value), formats[i].name))
					break;
			if (i == sizeof(formats) / sizeof(formats[0])) {
				rc = fail(err, 400, "Unknown format: use html, json, atom or mbox.");
			} else {
				route->format = formats[i].format;
				route->format_given = true;
			}
		} else if (str_eq(key, "q")) {
			free(route->query);
			route->query = buf_detach(&value, NULL);
		} else if (str_eq(key, "month")) {
			const char *m = buf_cstr(&value);
			if (strlen(m) != 7 || m[4] != '-' ||
			    strspn(m, "0123456789-") != 7 || m[5] > '1' ||
			    (m[5] == '1' && m[6] > '2') || (m[5] == '0' && m[6] == '0'))
				rc = fail(err, 400, "The month must be written YYYY-MM.");
			else {
				free(route->month);
				route->month = buf_detach(&value, NULL);
			}
		} else if (str_eq(key, "order")) {
			if (!strcmp(buf_cstr(&value), "oldest"))
				route->oldest_first = true;
			else if (strcmp(buf_cstr(&value), "newest") != 0)
				rc = fail(err, 400, "The order is newest or oldest.");
		}
		/* Other keys are ignored, as a web page would. */
		buf_release(&value);
		if (rc < 0)
			return -1;
		p = amp ? amp + 1 : end;
	}
	return 0;
}

bool route_heavy(const char *path)
{
	struct segments segs = { .n = 0 };
	struct route_error err;
	enum route_page page;
	bool heavy = false;

	if (split_path(path, &segs, &err) == 0 && segs.n >= 2) {
		const char *last = segs.seg[segs.n - 1];
		const char *before = segs.seg[segs.n - 2];
		bool after_uid = before[0] && strspn(before, "0123456789") == strlen(before);

		if (after_uid && route_section_valid(last))
			heavy = route_table[PAGE_PART].flags & ROUTE_HEAVY;
		else if (word_page(last, after_uid, &page) ||
		         word_page(last, false, &page))
			heavy = route_table[page].flags & ROUTE_HEAVY;
	}
	segments_release(&segs);
	return heavy;
}

bool route_needs_mailboxes(const char *path)
{
	return strcmp(path, "/") != 0;
}

int route_resolve(struct route *route, const char *path, const char *query,
                  const char *const *mailboxes, size_t nmailboxes,
                  struct route_error *err)
{
	struct segments segs = { .n = 0 };
	const char *mailbox = NULL;
	size_t matched;
	int rc = -1;

	memset(route, 0, sizeof(*route));
	err->status = 0;
	err->unknown_mailbox = false;
	err->message[0] = '\0';
	if (parse_query(route, query, err) < 0)
		goto out;
	if (split_path(path, &segs, err) < 0)
		goto out;
	if (segs.n == 1 && !segs.seg[0][0]) {
		route->page = PAGE_MAILBOXES;
		rc = 0;
		goto out;
	}
	matched = match_mailbox(&segs, mailboxes, nmailboxes, &mailbox);
	if (!matched) {
		if (segs.n >= 2 && !strcmp(segs.seg[0], "m")) {
			route->page = PAGE_MSGID_ALL;
			route->msgid = msgid_of(&segs, 1);
			if (!route->msgid[0])
				fail(err, 404, "There is no such page.");
			else
				rc = 0;
			goto out;
		}
		err->unknown_mailbox = true;
		fail(err, 404, "There is no such mailbox.");
		goto out;
	}
	route->mailbox = xstrdup(mailbox);
	route->mailbox_label = route_key_label(mailbox);
	/* Only INBOX matches in another case, and it is one level. */
	route->respelled = matched == 1 && !strcasecmp(mailbox, "INBOX") &&
	                   strcmp(segs.seg[0], mailbox) != 0;
	rc = route_in_mailbox(route, segs.seg + matched, segs.n - matched, &segs,
	                      err);
out:
	segments_release(&segs);
	if (rc < 0)
		route_release(route);
	return rc;
}

void route_release(struct route *route)
{
	free(route->mailbox);
	free(route->mailbox_label);
	free(route->section);
	free(route->msgid);
	free(route->query);
	free(route->month);
	route->mailbox = route->mailbox_label = NULL;
	route->section = route->msgid = NULL;
	route->query = route->month = NULL;
}
