#include "flowed.h"

#include <string.h>

#include "charset.h"

/*
 * VIOLATIONS (accepted on purpose):
 * - A flowed line followed by a line of another quote depth ends its
 *   paragraph there (RFC 3676 4.5 calls this an error; we keep the text).
 * - A flowed last line ends its paragraph.
 * - Only consecutive ">" count as quote depth ("> >" is depth 1 with a
 *   stuffed space removed and "> " left as text), as RFC 3676 4.5 says.
 * - Bare CR and NUL pass to the sanitizer (NUL becomes U+FFFD).
 */

/* Quote depths deeper than this are written as this many ">". */
#define FLOWED_DEPTH_MAX 64

static void add_prefix(struct buf *out, size_t depth)
{
	if (depth > FLOWED_DEPTH_MAX)
		depth = FLOWED_DEPTH_MAX;
	for (size_t i = 0; i < depth; i++)
		buf_addch(out, '>');
	if (depth)
		buf_addch(out, ' ');
}

void flowed_decode(struct buf *out, const char *in, size_t len, bool delsp)
{
	struct buf text = BUF_INIT;
	size_t pos = 0, para_depth = 0;
	bool in_para = false;  /* the previous line was flowed */

	while (pos < len) {
		const char *nl = memchr(in + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - in) : len;
		size_t next = nl ? end + 1 : len;
		bool has_eol = nl != NULL;

		if (end > pos && in[end - 1] == '\r')
			end--;
		const char *line = in + pos;
		size_t llen = end - pos, depth = 0;
		while (depth < llen && line[depth] == '>')
			depth++;
		line += depth;
		llen -= depth;
		if (llen && line[0] == ' ')
			line++, llen--;  /* space-stuffing */

		bool sig = llen == 3 && memcmp(line, "-- ", 3) == 0;
		bool flowed = !sig && llen && line[llen - 1] == ' ';

		if (in_para && depth != para_depth) {
			/* the paragraph cannot continue at another depth */
			buf_addch(&text, '\n');
			in_para = false;
		}
		if (!in_para)
			add_prefix(&text, depth);
		if (flowed && delsp)
			buf_add(&text, line, llen - 1);
		else
			buf_add(&text, line, llen);
		if (flowed && has_eol) {
			in_para = true;
			para_depth = depth;
		} else {
			in_para = false;
			if (has_eol)
				buf_addch(&text, '\n');
		}
		pos = next;
	}
	if (in_para)
		buf_addch(&text, '\n');
	charset_utf8_sanitize(out, buf_cstr(&text), text.len);
	buf_release(&text);
}
