#include "mboxsplit.h"

#include <string.h>

const char *const mboxsplit_format_names[MBOXSPLIT__MAX] = {
	[MBOXSPLIT_MBOXRD] = "mboxrd",
	[MBOXSPLIT_MBOXO] = "mboxo",
};

static const char from_word[] = "From ";
#define FROM_LEN (sizeof(from_word) - 1)
static const char byte_order_mark[] = "\xef\xbb\xbf";
#define BOM_LEN (sizeof(byte_order_mark) - 1)

/* The offset after the '\n' that ends the line starting at pos, or len. */
static size_t line_end(const char *data, size_t len, size_t pos)
{
	const char *nl = memchr(data + pos, '\n', len - pos);

	return nl ? (size_t)(nl - data) + 1 : len;
}

/* The line data[pos..end) without its "\n" or "\r\n". */
static struct str bare_line(const char *data, size_t pos, size_t end)
{
	if (end > pos && data[end - 1] == '\n') {
		end--;
		if (end > pos && data[end - 1] == '\r')
			end--;
	}
	return (struct str){ data + pos, end - pos };
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool mboxsplit_is_separator(struct str line)
{
	size_t i = FROM_LEN, word;

	if (line.len <= FROM_LEN || memcmp(line.p, from_word, FROM_LEN) != 0)
		return false;
	while (i < line.len && is_blank(line.p[i]))
		i++;
	word = i;
	while (i < line.len && !is_blank(line.p[i]))
		i++;
	if (i == word)
		return false;
	while (i < line.len && is_blank(line.p[i]))
		i++;
	if (i == line.len)
		return true;
	/* the date: somewhere a time of day, "9:05" or "14:07:21" */
	for (; i + 3 < line.len; i++) {
		if (is_digit(line.p[i]) && line.p[i + 1] == ':' &&
		    is_digit(line.p[i + 2]) && is_digit(line.p[i + 3]))
			return true;
	}
	return false;
}

int mboxsplit_init(struct mboxsplit *reader, const char *data, size_t len)
{
	memset(reader, 0, sizeof(*reader));
	reader->data = data;
	reader->len = len;
	if (len >= BOM_LEN && memcmp(data, byte_order_mark, BOM_LEN) == 0)
		reader->pos = BOM_LEN;
	if (reader->pos == len)
		return 0;
	return mboxsplit_is_separator(bare_line(data, reader->pos,
	                                        line_end(data, len, reader->pos))) ? 0 : -1;
}

int mboxsplit_next(struct mboxsplit *reader, struct mboxsplit_msg *msg)
{
	const char *data = reader->data;
	size_t len = reader->len, at, last = 0, start;
	bool prev_empty = false;

	if (reader->pos >= len)
		return 0;
	at = line_end(data, len, reader->pos);
	msg->separator = bare_line(data, reader->pos, at);
	start = at;
	while (at < len) {
		size_t next = line_end(data, len, at);
		struct str line = bare_line(data, at, next);
		if (mboxsplit_is_separator(line))
			break;
		prev_empty = line.len == 0;
		last = at;
		at = next;
	}
	reader->pos = at;
	/* the writer's empty line before the next separator or the end */
	msg->raw = (struct str){ data + start, (prev_empty ? last : at) - start };
	return 1;
}

void mboxsplit_unquote(struct buf *out, struct str raw,
                       enum mboxsplit_format format)
{
	size_t at = 0;

	buf_grow(out, raw.len);
	while (at < raw.len) {
		size_t next = line_end(raw.p, raw.len, at), quotes = 0;
		while (at + quotes < next && raw.p[at + quotes] == '>')
			quotes++;
		if (quotes > 0 && (format == MBOXSPLIT_MBOXRD || quotes == 1) &&
		    next - at - quotes >= FROM_LEN &&
		    memcmp(raw.p + at + quotes, from_word, FROM_LEN) == 0)
			at++;
		buf_add(out, raw.p + at, next - at);
		at = next;
	}
}
