#include "atom.h"
#include "utf8.h"

#include <string.h>

#define ATOM_NS "http://www.w3.org/2005/Atom"
#define THREAD_NS "http://purl.org/syndication/thread/1.0"

void atom_escape(struct buf *out, struct str text)
{
	const unsigned char *p = (const unsigned char *)text.p;
	size_t i = 0;

	while (i < text.len) {
		int32_t cp;
		size_t n = utf8_next((const char *)p + i, text.len - i, &cp);
		if (cp < 0) {
			buf_addstr(out, "\xef\xbf\xbd");
			i += n;
			continue;
		}
		switch (cp) {
		case '&': buf_addstr(out, "&amp;"); break;
		case '<': buf_addstr(out, "&lt;"); break;
		case '>': buf_addstr(out, "&gt;"); break;
		case '"': buf_addstr(out, "&quot;"); break;
		case '\'': buf_addstr(out, "&#39;"); break;
		default:
			/* XML 1.0 Char: no C0 but TAB LF CR, no U+FFFE U+FFFF */
			if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
			    cp == 0xfffe || cp == 0xffff)
				break;
			buf_add(out, p + i, n);
		}
		i += n;
	}
}

void atom_date(struct buf *out, time_t when)
{
	struct tm tm;

	if (!gmtime_r(&when, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999)
		memset(&tm, 0, sizeof(tm)), tm.tm_year = 70, tm.tm_mday = 1;
	buf_addf(out, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* RFC 3986 unreserved and the sub-delims an id may keep, else %XX. */
static void add_pct(struct buf *out, struct str text, const char *keep)
{
	for (size_t i = 0; i < text.len; i++) {
		unsigned char c = (unsigned char)text.p[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || (c && strchr("-._~", c)) || (c && strchr(keep, c)))
			buf_addch(out, (char)c);
		else
			buf_addf(out, "%%%02X", c);
	}
}

void atom_id_msgid(struct buf *out, struct str message_id)
{
	message_id = str_trim(message_id);
	if (message_id.len >= 2 && message_id.p[0] == '<' && message_id.p[message_id.len - 1] == '>')
		message_id.p++, message_id.len -= 2;
	buf_addstr(out, "mid:");
	/* RFC 2392: addr-spec with "%", "/", "?", "#" and the like encoded */
	add_pct(out, message_id, "!$&'*+=@");
}

void atom_id_uid(struct buf *out, struct str host, struct str mailbox,
                 uint32_t uidvalidity, uint32_t uid)
{
	buf_addstr(out, "tag:");
	add_pct(out, host, "");
	buf_addstr(out, ",2000:");
	add_pct(out, mailbox, "");
	buf_addf(out, "/%u/%u", (unsigned)uidvalidity, (unsigned)uid);
}

static void element(struct buf *out, const char *indent, const char *name, struct str text)
{
	buf_addf(out, "%s<%s>", indent, name);
	atom_escape(out, text);
	buf_addf(out, "</%s>\n", name);
}

static void link_element(struct buf *out, const char *indent, const char *rel,
                         const char *type, struct str href)
{
	buf_addf(out, "%s<link rel=\"%s\"", indent, rel);
	if (type)
		buf_addf(out, " type=\"%s\"", type);
	buf_addstr(out, " href=\"");
	atom_escape(out, href);
	buf_addstr(out, "\"/>\n");
}

static void date_element(struct buf *out, const char *indent, const char *name, time_t when)
{
	buf_addf(out, "%s<%s>", indent, name);
	atom_date(out, when);
	buf_addf(out, "</%s>\n", name);
}

void atom_begin(struct buf *out, const struct atom_feed *feed)
{
	buf_addstr(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	                "<feed xmlns=\"" ATOM_NS "\" xmlns:thr=\"" THREAD_NS "\">\n");
	element(out, "  ", "id", feed->id);
	element(out, "  ", "title", feed->title);
	date_element(out, "  ", "updated", feed->updated);
	if (feed->self_url.len)
		link_element(out, "  ", "self", "application/atom+xml", feed->self_url);
	if (feed->alternate_url.len)
		link_element(out, "  ", "alternate", "text/html", feed->alternate_url);
	buf_addstr(out, "  <generator>imapeek</generator>\n");
}

void atom_add_entry(struct buf *out, const struct atom_entry *entry)
{
	buf_addstr(out, "  <entry>\n");
	element(out, "    ", "id", entry->id);
	element(out, "    ", "title", entry->title);
	date_element(out, "    ", "updated", entry->updated);
	/* every entry has an author, so the feed needs none (RFC 4287 4.1.1) */
	buf_addstr(out, "    <author>\n");
	element(out, "      ", "name", entry->author_name.len ? entry->author_name
	                                  : entry->author_email.len ? entry->author_email
	                                  : STR_LIT("unknown"));
	if (entry->author_email.len)
		element(out, "      ", "email", entry->author_email);
	buf_addstr(out, "    </author>\n");
	if (entry->link.len)
		link_element(out, "    ", "alternate", "text/html", entry->link);
	if (entry->in_reply_to.len) {
		buf_addstr(out, "    <thr:in-reply-to ref=\"");
		atom_escape(out, entry->in_reply_to);
		buf_addch(out, '"');
		if (entry->in_reply_to_href.len) {
			buf_addstr(out, " href=\"");
			atom_escape(out, entry->in_reply_to_href);
			buf_addstr(out, "\" type=\"text/html\"");
		}
		buf_addstr(out, "/>\n");
	}
	if (entry->summary.len) {
		buf_addstr(out, "    <summary type=\"text\">");
		atom_escape(out, entry->summary);
		buf_addstr(out, "</summary>\n");
	}
	if (entry->content.len) {
		buf_addstr(out, "    <content type=\"text\">");
		atom_escape(out, entry->content);
		buf_addstr(out, "</content>\n");
	}
	buf_addstr(out, "  </entry>\n");
}

void atom_end(struct buf *out)
{
	buf_addstr(out, "</feed>\n");
}
