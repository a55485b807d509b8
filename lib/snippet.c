#include "snippet.h"

#include <string.h>
#include <strings.h>

#include "mailtext.h"
#include "utf8.h"

/* A line that is no text: a boundary, a part header, quoted-printable's end. */
static bool skipped_line(const char *line, size_t len)
{
	if (len >= 2 && line[0] == '-' && line[1] == '-')
		return true;
	if (len >= 8 && !strncasecmp(line, "Content-", 8))
		return true;
	return len == 0;
}

/* A long line of base64's alphabet alone is encoded data. */
static bool encoded_line(const char *line, size_t len)
{
	if (len < 40)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = line[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=' ||
		      c == '\r'))
			return false;
	}
	return true;
}

/* "jane@example.org" from start on becomes "jane@…", as pages show it. */
static void hide_domains_from(struct buf *out, size_t start)
{
	struct buf copy = BUF_INIT;

	buf_add(&copy, out->p + start, out->len - start);
	buf_truncate(out, start);
	mailtext_hide_addresses(out, copy.p ? copy.p : "", copy.len);
	buf_release(&copy);
}

void snippet_make(struct buf *out, const char *raw, size_t len, bool hide_domains)
{
	size_t start = out->len, pos = 0, last_space = 0;
	bool in_body = false, space = false, cut = false;

	while (pos < len && !cut) {
		const char *nl = memchr(raw + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - raw) : len;
		const char *line = raw + pos;
		size_t line_len = end - pos;
		pos = end + 1;
		if (line_len && line[line_len - 1] == '\r')
			line_len--;
		/* Leading boundaries, part headers and blank lines are skipped. */
		if (!in_body && skipped_line(line, line_len))
			continue;
		in_body = true;
		if (encoded_line(line, line_len))
			continue;
		for (size_t i = 0; i < line_len;) {
			int32_t cp;
			size_t n = utf8_next(line + i, line_len - i, &cp);
			if (cp < 0) {
				i += n;  /* bad bytes: dropped */
				continue;
			}
			if (cp < 0x20 || cp == 0x7f || cp == ' ' || cp == 0xa0) {
				space = out->len > start;
			} else {
				if (space) {
					last_space = out->len;
					buf_addch(out, ' ');
					space = false;
				}
				buf_add(out, line + i, n);
			}
			i += n;
			if (out->len - start >= SNIPPET_MAX) {
				cut = true;
				break;
			}
		}
		space = out->len > start;
	}
	if (cut) {
		if (last_space > start + SNIPPET_MAX / 2)
			buf_truncate(out, last_space);
		buf_addstr(out, "\xe2\x80\xa6");
	}
	if (hide_domains)
		hide_domains_from(out, start);
}
