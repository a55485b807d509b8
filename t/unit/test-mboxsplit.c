/*
 * mboxsplit.c: which lines separate messages, what a message's bytes are
 * (the writer's empty line dropped, line ends kept) and how mboxrd and
 * mboxo unquote ">From " and ">>From ".  A row that wants NULL is not an
 * mbox.
 */
#include <stdio.h>
#include <string.h>

#include "mboxsplit.h"
#include "../tap.h"

#define SEP "From a@b Fri Mar 29 14:07:21 2019\n"

static const struct {
	const char *name, *mbox;
	enum mboxsplit_format format;
	const char *want; /* every message, each followed by "|" */
} rows[] = {
	{ "one message", SEP "A: 1\n\nbody\n\n", MBOXSPLIT_MBOXRD, "A: 1\n\nbody\n|" },
	{ "two messages", SEP "A: 1\n\nx\n\n" SEP "A: 2\n\ny\n\n", MBOXSPLIT_MBOXRD,
	  "A: 1\n\nx\n|A: 2\n\ny\n|" },
	{ "mboxrd unquotes every level", SEP "\n>From a\n>>From b\n>>>From c\n\n", MBOXSPLIT_MBOXRD,
	  "\nFrom a\n>From b\n>>From c\n|" },
	{ "mboxo unquotes one level", SEP "\n>From a\n>>From b\n>>>From c\n\n", MBOXSPLIT_MBOXO,
	  "\nFrom a\n>>From b\n>>>From c\n|" },
	{ "no space, no unquoting", SEP "\n>From\n>Fromage\n> From x\n\n", MBOXSPLIT_MBOXRD,
	  "\n>From\n>Fromage\n> From x\n|" },
	{ "headers unquoted too", SEP ">From x\nA: 1\n\n", MBOXSPLIT_MBOXRD, "From x\nA: 1\n|" },
	{ "CRLF kept, the empty CRLF line dropped",
	  "From a@b Fri Mar 29 14:07:21 2019\r\nA: 1\r\n\r\n>From x\r\n\r\n"
	  "From a@b Fri Mar 29 14:07:21 2019\r\nA: 2\r\n\r\n",
	  MBOXSPLIT_MBOXRD, "A: 1\r\n\r\nFrom x\r\n|A: 2\r\n|" },
	{ "no final line end", SEP "A: 1\n\nend", MBOXSPLIT_MBOXRD, "A: 1\n\nend|" },
	{ "no empty line at the end", SEP "A: 1\n\nend\n", MBOXSPLIT_MBOXRD, "A: 1\n\nend\n|" },
	{ "only one empty line dropped", SEP "A: 1\n\nx\n\n\n", MBOXSPLIT_MBOXRD, "A: 1\n\nx\n\n|" },
	{ "an empty message", SEP "\n" SEP "A: 2\n", MBOXSPLIT_MBOXRD, "|A: 2\n|" },
	{ "a separator alone", SEP, MBOXSPLIT_MBOXRD, "|" },
	{ "no empty line needed before a separator", SEP "A: 1\n\nx\nFrom a@b Fri Mar 29 14:07:21 2019\nA: 2\n",
	  MBOXSPLIT_MBOXRD, "A: 1\n\nx\n|A: 2\n|" },
	{ "From, a word and no time is a body line", SEP "A: 1\n\nx\nFrom here on\nFrom 2019 to 2020\n",
	  MBOXSPLIT_MBOXRD, "A: 1\n\nx\nFrom here on\nFrom 2019 to 2020\n|" },
	{ "From without a date is a body line", SEP "A: 1\n\nFrom Russia with love\n\nx\n",
	  MBOXSPLIT_MBOXO, "A: 1\n\nFrom Russia with love\n\nx\n|" },
	{ "Netscape's From - separates", "From - \nA: 1\n\nFrom -\nA: 2\n\n", MBOXSPLIT_MBOXO,
	  "A: 1\n|A: 2\n|" },
	{ "a sender without a date separates", "From 18443@xxx\nA: 1\n\nFrom 18444@xxx\nA: 2\n",
	  MBOXSPLIT_MBOXRD, "A: 1\n|A: 2\n|" },
	{ "a date without seconds", "From x@y Wed Feb  9 22:02 MET 2000\nA: 1\n", MBOXSPLIT_MBOXRD, "A: 1\n|" },
	{ "git's format-patch line separates", "From 0123abcd Mon Sep 17 00:00:00 2001\nA: 1\n\n"
	  "From 4567cdef Mon Sep 17 00:00:00 2001\nA: 2\n", MBOXSPLIT_MBOXRD, "A: 1\n|A: 2\n|" },
	{ "a byte order mark before the first separator", "\xef\xbb\xbf" SEP "A: 1\n", MBOXSPLIT_MBOXRD,
	  "A: 1\n|" },
	{ "empty input: no message", "", MBOXSPLIT_MBOXRD, "" },
	{ "not an mbox: a message", "A: 1\n\nbody\n", MBOXSPLIT_MBOXRD, NULL },
	{ "not an mbox: From: header", "From: a@b\n\nbody\n", MBOXSPLIT_MBOXRD, NULL },
	{ "not an mbox: an empty line first", "\n" SEP "A: 1\n", MBOXSPLIT_MBOXRD, NULL },
	{ "not an mbox: From and blanks", "From  \nA: 1\n", MBOXSPLIT_MBOXRD, NULL },
};

static void test_rows(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct mboxsplit reader;
		struct mboxsplit_msg msg;
		struct buf got = BUF_INIT;
		int rc = mboxsplit_init(&reader, rows[i].mbox, strlen(rows[i].mbox));

		if (!rows[i].want) {
			tap_ok(rc < 0, "%s: refused", rows[i].name);
			continue;
		}
		if (!tap_ok(rc == 0, "%s: an mbox", rows[i].name))
			continue;
		while (mboxsplit_next(&reader, &msg) == 1) {
			mboxsplit_unquote(&got, msg.raw, rows[i].format);
			buf_addch(&got, '|');
		}
		tap_is_mem(got.p, got.len, rows[i].want, strlen(rows[i].want), rows[i].name);
		buf_release(&got);
	}
}

static void test_separator_line(void)
{
	struct mboxsplit reader;
	struct mboxsplit_msg msg;
	const char *mbox = "From x@y Wed Feb  9 22:02 MET 2000\r\nA: 1\r\n";

	mboxsplit_init(&reader, mbox, strlen(mbox));
	mboxsplit_next(&reader, &msg);
	tap_is_mem(msg.separator.p, msg.separator.len, mbox, 34, "the separator line, without its CRLF");
	tap_ok(mboxsplit_next(&reader, &msg) == 0, "then no more messages");
}

int main(void)
{
	test_rows();
	test_separator_line();
	return tap_done();
}
