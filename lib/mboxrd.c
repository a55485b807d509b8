#include "mboxrd.h"
#include "rfc5322.h"

#include <string.h>

static const char from_word[] = "From ";
#define FROM_LEN (sizeof(from_word) - 1)

/* The address inside <...>, or the whole value when there are no brackets. */
static struct str address_of(struct str value)
{
	const char *open, *close;

	value = str_trim(value);
	open = value.len ? memchr(value.p, '<', value.len) : NULL;
	if (open) {
		close = memchr(open, '>', value.len - (size_t)(open - value.p));
		if (!close)
			return STR_NULL;
		return str_trim((struct str){ open + 1, (size_t)(close - open - 1) });
	}
	return value;
}

static bool usable_sender(struct str address)
{
	if (address.len == 0 || address.len > 256 || !memchr(address.p, '@', address.len))
		return false;
	for (size_t i = 0; i < address.len; i++) {
		unsigned char c = (unsigned char)address.p[i];
		/* a blank would end the sender field; controls have no place */
		if (c <= ' ' || c == 0x7f || c == '(' || c == ')' || c == ',' || c == ';')
			return false;
	}
	return true;
}

void mboxrd_sender(struct str return_path, struct str from, struct buf *out)
{
	struct str address = address_of(return_path);

	buf_reset(out);
	if (!usable_sender(address))
		address = address_of(from);
	if (!usable_sender(address))
		address = STR_LIT("MAILER-DAEMON");
	buf_addstr_view(out, address);
}

void mboxrd_begin(struct mboxrd *writer, struct buf *out, struct str sender,
                  time_t date)
{
	struct tm tm;

	memset(writer, 0, sizeof(*writer));
	writer->line_start = true;
	if (!gmtime_r(&date, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = 70, tm.tm_mday = 1, tm.tm_wday = 4;
	}
	buf_addstr(out, "From ");
	buf_addstr_view(out, sender.len ? sender : STR_LIT("MAILER-DAEMON"));
	/* asctime(3) format, without its locale or its static buffer */
	buf_addf(out, " %s %s %2d %02d:%02d:%02d %d\n", rfc5322_days[tm.tm_wday], rfc5322_months[tm.tm_mon],
	         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
}

/* A line start that stopped matching: give back what it held. */
static void flush_prefix(struct mboxrd *writer, struct buf *out)
{
	for (size_t i = 0; i < writer->quotes; i++)
		buf_addch(out, '>');
	buf_add(out, from_word, writer->from_len);
	writer->in_prefix = false;
	writer->quotes = writer->from_len = 0;
}

static void put_byte(struct mboxrd *writer, struct buf *out, char c)
{
	if (writer->line_start) {
		writer->line_start = false;
		writer->in_prefix = true;
		writer->quotes = writer->from_len = 0;
	}
	if (writer->in_prefix) {
		if (c == '>' && writer->from_len == 0) {
			writer->quotes++;
			return;
		}
		if (c == from_word[writer->from_len]) {
			if (++writer->from_len < FROM_LEN)
				return;
			/* ^>*From : one more '>' */
			buf_addch(out, '>');
			flush_prefix(writer, out);
			return;
		}
		flush_prefix(writer, out);
	}
	buf_addch(out, c);
	if (c == '\n')
		writer->line_start = true;
}

void mboxrd_feed(struct mboxrd *writer, struct buf *out, const char *data,
                 size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = data[i];
		if (writer->cr) {
			writer->cr = false;
			if (c != '\n')
				put_byte(writer, out, '\r');
		}
		if (c == '\r') {
			writer->cr = true;
			continue;
		}
		/* mid-line, copy the run up to the next CR or LF at once */
		if (!writer->line_start && !writer->in_prefix && c != '\n') {
			size_t run = i;
			while (run < len && data[run] != '\r' && data[run] != '\n')
				run++;
			buf_add(out, data + i, run - i);
			i = run - 1;
			continue;
		}
		put_byte(writer, out, c);
	}
}

void mboxrd_end(struct mboxrd *writer, struct buf *out)
{
	if (writer->cr) {
		writer->cr = false;
		put_byte(writer, out, '\r');
	}
	if (writer->in_prefix)
		flush_prefix(writer, out);
	if (!writer->line_start)
		buf_addch(out, '\n');
	buf_addch(out, '\n');
	writer->line_start = true;
}
