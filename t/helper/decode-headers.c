/*
 * decode-headers FILE...: for every message of every file (a single
 * message, or an mbox split at "From " lines), decode Subject, From and
 * To with rfc2047 / rfc5322 and print one line per header:
 *
 *     FILE:N <TAB> header <TAB> value
 *
 * with "\\", TAB and LF in the value escaped as \\ \t \n.  Addresses print
 * as "name <address>" joined by ", ".  The corpus test compares this with
 * Python's email package.  Exit status 1 if any value is not valid UTF-8.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "charset.h"
#include "rfc2047.h"
#include "rfc5322.h"

static const char *const wanted[] = { "subject", "from", "to" };

static void print_escaped(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\\')
			fputs("\\\\", stdout);
		else if (p[i] == '\t')
			fputs("\\t", stdout);
		else if (p[i] == '\n')
			fputs("\\n", stdout);
		else if (p[i] == '\r')
			fputs("\\r", stdout);
		else
			putchar(p[i]);
	}
}

/* The raw value of the first header called name, folding included. */
static struct str find_header(struct str msg, const char *name)
{
	size_t nlen = strlen(name), i = 0;

	while (i < msg.len) {
		const char *line = msg.p + i;
		const char *nl = memchr(line, '\n', msg.len - i);
		size_t llen = nl ? (size_t)(nl - line) : msg.len - i;
		if (llen == 0 || (llen == 1 && line[0] == '\r'))
			break;  /* end of the header */
		if (llen > nlen && strncasecmp(line, name, nlen) == 0 && line[nlen] == ':') {
			size_t end = i + llen + 1;
			while (end < msg.len && (msg.p[end] == ' ' || msg.p[end] == '\t')) {
				const char *more = memchr(msg.p + end, '\n', msg.len - end);
				end = more ? (size_t)(more - msg.p) + 1 : msg.len;
			}
			if (end > msg.len)
				end = msg.len;
			return (struct str){ line + nlen + 1, end - i - nlen - 1 };
		}
		i += llen + 1;
	}
	return STR_NULL;
}

static int one_message(const char *file, int n, struct str msg)
{
	int bad = 0;

	for (size_t h = 0; h < sizeof(wanted) / sizeof(wanted[0]); h++) {
		struct str raw = find_header(msg, wanted[h]);
		struct buf out = BUF_INIT;
		if (!raw.p)
			continue;
		if (h == 0) {
			rfc2047_decode(&out, raw.p, raw.len);
			struct str t = str_trim(str_from_buf(&out));
			memmove(out.p, t.p, t.len);
			buf_truncate(&out, t.len);
		} else {
			struct rfc5322_addrs addrs;
			rfc5322_addrs_parse(&addrs, raw.p, raw.len);
			for (size_t k = 0; k < addrs.n; k++) {
				if (k)
					buf_addstr(&out, ", ");
				if (addrs.v[k].name)
					buf_addf(&out, "%s <%s>", addrs.v[k].name, addrs.v[k].address);
				else
					buf_addstr(&out, addrs.v[k].address);
			}
			rfc5322_addrs_release(&addrs);
		}
		if (!charset_utf8_valid(buf_cstr(&out), out.len))
			bad = 1;
		printf("%s:%d\t%s\t", file, n, wanted[h]);
		print_escaped(buf_cstr(&out), out.len);
		putchar('\n');
		buf_release(&out);
	}
	return bad;
}

static int one_file(const char *path)
{
	struct buf data = BUF_INIT;
	char chunk[65536];
	size_t got;
	int bad = 0, n = 0;
	FILE *f = fopen(path, "rb");

	if (!f) {
		perror(path);
		return 1;
	}
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&data, chunk, got);
	fclose(f);
	const char *p = buf_cstr(&data);
	size_t len = data.len;
	if (len >= 5 && memcmp(p, "From ", 5) == 0) {
		/* an mbox: messages start at "From " lines */
		size_t start = 0;
		while (start < len) {
			const char *body = memchr(p + start, '\n', len - start);
			if (!body)
				break;
			size_t hdr = (size_t)(body - p) + 1;
			const char *next = memmem(p + hdr, len - hdr, "\nFrom ", 6);
			size_t end = next ? (size_t)(next - p) + 1 : len;
			bad |= one_message(path, n++, (struct str){ p + hdr, end - hdr });
			start = end;
		}
	} else {
		bad |= one_message(path, n, (struct str){ p, len });
	}
	buf_release(&data);
	return bad;
}

int main(int argc, char **argv)
{
	int bad = 0;

	for (int i = 1; i < argc; i++)
		bad |= one_file(argv[i]);
	return bad;
}
