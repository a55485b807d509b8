#include "html.h"
#include "route.h"

#include <string.h>

/* Bytes copied as they are: printable ASCII but &<>"', and tab and LF. */
static const unsigned char html_plain[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

void html_escape(struct buf *out, const char *s, size_t len)
{
	size_t i = 0, start = 0;
	int32_t cp;

	/* Only grow for bytes to come: buf_grow() of an empty buffer leaves
	 * its new memory unterminated. */
	if (len)
		buf_grow(out, len);
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		/* Plain ASCII text, the most of any page, is copied as it is. */
		if (html_plain[c]) {
			i++;
			continue;
		}
		size_t n = utf8_next(s + i, len - i, &cp);
		const char *rep = NULL;

		switch (cp) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		case '\t': case '\n': break;
		case '\r': rep = ""; break;
		default:
			if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
				rep = HTML_REPLACEMENT;
			break;
		}
		if (rep) {
			buf_add(out, s + start, i - start);
			buf_addstr(out, rep);
			start = i + n;
		}
		i += n;
	}
	buf_add(out, s + start, i - start);
}

void html_escape_str(struct buf *out, const char *s)
{
	html_escape(out, s, strlen(s));
}

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

static void percent_encode(struct buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";

	if (len)
		buf_grow(out, len);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (unreserved(c)) {
			buf_addch(out, (char)c);
		} else {
			char esc[3] = { '%', hex[c >> 4], hex[c & 15] };
			buf_add(out, esc, 3);
		}
	}
}

void html_url_segment(struct buf *out, const char *s, size_t len)
{
	percent_encode(out, s, len);
}

void html_url_query(struct buf *out, const char *s, size_t len)
{
	/* The same set as a segment: nothing that could end the value
	 * ("&", "#"), turn into a space ("+") or start a new key ("="). */
	percent_encode(out, s, len);
}

int html_url_decode(struct buf *out, const char *s, size_t len,
                    unsigned flags)
{
	size_t start = out->len;
	int ret = -1;

	if (len)
		buf_grow(out, len);
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '%') {
			int hi, lo;
			if (len - i < 3 || (hi = hex_digit_value(s[i + 1])) < 0 ||
			    (lo = hex_digit_value(s[i + 2])) < 0)
				goto out;
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && (flags & HTML_DECODE_PLUS)) {
			c = ' ';
		}
		if (c == '\0')
			goto out;
		buf_addch(out, c);
	}
	if ((flags & HTML_DECODE_UTF8) &&
	    !utf8_valid(buf_cstr(out) + start, out->len - start))
		goto out;
	ret = 0;
out:
	if (ret)
		buf_truncate(out, start);
	return ret;
}

int html_query_param(const char *query, const char *name, struct buf *value)
{
	size_t qlen = strlen(query), nlen = strlen(name);
	const char *p = query, *end = query + qlen;
	struct buf key = BUF_INIT, val = BUF_INIT;
	int ret = -1, found = 0;

	if (qlen > HTML_QUERY_MAX)
		goto out;
	/* Every pair is decoded, not only the one asked for: a malformed
	 * query is malformed whichever parameter a page reads. */
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *pair_end = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(pair_end - p));
		const char *key_end = eq ? eq : pair_end;

		buf_reset(&key);
		buf_reset(&val);
		if (html_url_decode(&key, p, (size_t)(key_end - p),
		                    HTML_DECODE_PLUS | HTML_DECODE_UTF8))
			goto out;
		if (eq && html_url_decode(&val, eq + 1, (size_t)(pair_end - eq - 1),
		                          HTML_DECODE_PLUS | HTML_DECODE_UTF8))
			goto out;
		if (!found && key.len == nlen && memcmp(buf_cstr(&key), name, nlen) == 0) {
			buf_reset(value);
			buf_add(value, val.p, val.len);
			found = 1;
		}
		p = amp ? amp + 1 : end;
	}
	ret = found;
out:
	buf_release(&key);
	buf_release(&val);
	return ret;
}

/* The page each suffix leads to: its path word is the router's. */
static const enum route_page suffix_pages[HTML_URL_SUFFIX__MAX] = {
	[HTML_URL_NONE] = PAGE_INDEX,
	[HTML_URL_RAW] = PAGE_RAW,
	[HTML_URL_THREAD] = PAGE_THREAD,
	[HTML_URL_THREAD_MBOX] = PAGE_THREAD_MBOX,
	[HTML_URL_THREADS] = PAGE_THREADS,
	[HTML_URL_SEARCH] = PAGE_SEARCH,
	[HTML_URL_ATOM] = PAGE_ATOM,
	[HTML_URL_MSGID] = PAGE_MSGID_ALL,
};

/* A mailbox key (route.h) as path segments, one per level. */
static int add_mailbox(struct buf *out, const char *key)
{
	struct buf level = BUF_INIT;
	const char *p = key;
	int ret = -1;

	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		buf_reset(&level);
		route_level_unescape(&level, p, n);
		if (!level.len || !strcmp(buf_cstr(&level), ".") ||
		    !strcmp(buf_cstr(&level), ".."))
			goto out;
		html_url_segment(out, level.p, level.len);
		buf_addch(out, '/');
		if (!slash)
			break;
		p = slash + 1;
	}
	ret = 0;
out:
	buf_release(&level);
	return ret;
}

int html_url_build(struct buf *out, const struct html_url *url)
{
	size_t start = out->len;
	bool has_uid = url->uid != 0;
	int ret = -1;

	if ((unsigned)url->suffix >= HTML_URL_SUFFIX__MAX)
		goto out;
	if (url->root && url->root[0] && url->root[0] != '/')
		goto out;
	/* A suffix needs what its page needs (no suffix: "/", "/MBOX/", a message, a part). */
	const struct route_row *row = &route_table[suffix_pages[url->suffix]];
	if (url->suffix != HTML_URL_NONE &&
	    (!!(row->flags & ROUTE_NEEDS_UID) != has_uid ||
	     ((row->flags & ROUTE_NEEDS_MAILBOX) && !url->mailbox)))
		goto out;
	if ((has_uid || url->section) && !url->mailbox)
		goto out;
	if (url->section && (!has_uid || url->suffix != HTML_URL_NONE ||
	                     !route_section_valid(url->section)))
		goto out;
	if ((url->suffix == HTML_URL_MSGID) != (url->message_id != NULL))
		goto out;
	if (url->message_id && !url->message_id[0])
		goto out;

	if (url->root)
		buf_addstr(out, url->root);
	buf_addch(out, '/');
	if (url->mailbox && add_mailbox(out, url->mailbox))
		goto out;
	if (has_uid) {
		buf_addf(out, "%llu", (unsigned long long)url->uid);
		if (url->section)
			buf_addf(out, "/%s", url->section);
		else if (url->suffix != HTML_URL_NONE)
			buf_addch(out, '/');
	}
	if (url->suffix != HTML_URL_NONE)
		buf_addstr(out, row->word);
	if (url->message_id)
		html_url_segment(out, url->message_id, strlen(url->message_id));
	for (size_t i = 0; i < HTML_URL_MAX_PARAMS && url->params[i].name; i++) {
		const struct html_url_param *param = &url->params[i];
		buf_addch(out, i ? '&' : '?');
		html_url_query(out, param->name, strlen(param->name));
		buf_addch(out, '=');
		if (param->value)
			html_url_query(out, param->value, strlen(param->value));
	}
	ret = 0;
out:
	if (ret)
		buf_truncate(out, start);
	return ret;
}
