/* flowed: RFC 3676 format=flowed, DelSp=yes and no. */
#include <string.h>

#include "charset.h"
#include "flowed.h"
#include "../tap.h"

static const struct {
	const char *in;
	bool delsp;
	const char *want;
} rows[] = {
	{ "one \r\ntwo \r\nthree\r\n", false, "one two three\n" },
	{ "one \r\ntwo\r\n", true, "onetwo\n" },
	{ "one  \ntwo\n", true, "one two\n" },
	{ "fixed\nlines\n", false, "fixed\nlines\n" },
	/* quote depth: joined within one depth only */
	{ "> quoted \n> text\n", false, "> quoted text\n" },
	{ ">> deep \n>> er\n> back\n", false, ">> deep er\n> back\n" },
	{ "> flowed \nnot quoted\n", false, "> flowed \nnot quoted\n" },
	/* space-stuffing removed */
	{ " From here\n", false, "From here\n" },
	{ "  two spaces\n", false, " two spaces\n" },
	{ ">  stuffed\n", false, ">  stuffed\n" },
	{ "> stuffed\n", false, "> stuffed\n" },
	/* the signature separator is not a flowed line */
	{ "text\n-- \nsig \nline\n", false, "text\n-- \nsig line\n" },
	{ "> -- \n> x\n", false, "> -- \n> x\n" },
	/* paragraphs end at blank lines and fixed lines */
	{ "a \nb\n\nc \nd\n", false, "a b\n\nc d\n" },
	/* a flowed last line, and no final line end */
	{ "a \nb ", false, "a b " },
	{ "last", false, "last" },
	{ "", false, "" },
	{ "\n\n", false, "\n\n" },
	{ " \n", false, "\n" },
	/* hostile */
	{ "bad \xff utf-8 \n\xc0\xaf\n", false, "bad \xef\xbf\xbd utf-8 \xef\xbf\xbd\xef\xbf\xbd\n" },
	{ "nul\0byte", false, NULL },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct buf out = BUF_INIT;
		char name[128];
		size_t len = rows[i].want ? strlen(rows[i].in) : 8;
		flowed_decode(&out, rows[i].in, len, rows[i].delsp);
		snprintf(name, sizeof(name), "flowed row %zu '%.30s'%s", i, rows[i].in, rows[i].delsp ? " delsp" : "");
		if (rows[i].want)
			tap_is_mem(buf_cstr(&out), out.len, rows[i].want, strlen(rows[i].want), name);
		else
			tap_ok(charset_utf8_valid(buf_cstr(&out), out.len) && strstr(buf_cstr(&out), "byte"),
			       "%s: NUL replaced, text kept", name);
		buf_release(&out);
	}

	/* 10,000 quote levels and a 1 MB paragraph: bounded, linear */
	struct buf in = BUF_INIT, out = BUF_INIT;
	for (int i = 0; i < 10000; i++)
		buf_addch(&in, '>');
	buf_addstr(&in, " deep\n");
	for (int i = 0; i < 100000; i++)
		buf_addstr(&in, "word word \n");
	buf_addstr(&in, "end\n");
	flowed_decode(&out, in.p, in.len, false);
	tap_ok(out.len < in.len && !strncmp(out.p + 64, " deep\n", 6),
	       "deep quotes written as 64 levels");
	tap_ok(out.p[out.len - 1] == '\n' && memchr(out.p + 70, '\n', out.len - 71) == NULL,
	       "100,000 flowed lines make one line");
	buf_release(&in);
	buf_release(&out);
	return tap_done();
}
