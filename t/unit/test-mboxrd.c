/*
 * mboxrd.c: exact output for tricky messages, the same whatever the
 * pieces they arrive in (every split point, and byte by byte), and the
 * envelope sender.  With "--write DIR" it writes DIR/out.mbox and
 * DIR/expect-N (what a reader must get back) for t0104-mboxrd.t's
 * round trip through python3's mailbox module.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mboxrd.h"
#include "../tap.h"

static const struct {
	const char *name, *message, *quoted;
} rows[] = {
	{ "plain", "Subject: x\n\nbody\n", "Subject: x\n\nbody\n" },
	{ "From line quoted", "Subject: x\n\nFrom here\n", "Subject: x\n\n>From here\n" },
	{ ">From gets one more", "a\n>From x\n>>From y\n", "a\n>>From x\n>>>From y\n" },
	{ "not quoted: From without blank, from, inner From", "From\nfrom x\n x From y\nFromage\n>Fro\n",
	  "From\nfrom x\n x From y\nFromage\n>Fro\n" },
	{ "first line From", "From x\n", ">From x\n" },
	{ "CRLF to LF", "a\r\nFrom b\r\n\r\n", "a\n>From b\n\n" },
	{ "lone CR kept", "a\rFrom b\r", "a\rFrom b\r\n" },
	{ "no trailing newline", "a\n>From", "a\n>From\n" },
	{ "ends in a From prefix", "a\nFrom ", "a\n>From \n" },
	{ "ends in quotes", "a\n>>", "a\n>>\n" },
	{ "empty message", "", "" },
	{ "only a newline", "\n", "\n" },
	{ "many quotes", ">>>>>>>>>>From x\n>>>>>>>>>>Fro\n", ">>>>>>>>>>>From x\n>>>>>>>>>>Fro\n" },
	{ "CR inside the prefix", ">Fr\rom x\n", ">Fr\rom x\n" },
	{ "CRLF then From", "\r\nFrom \r\n", "\n>From \n" },
};

static void write_message(struct buf *out, const char *message, size_t len, size_t split, bool bytewise)
{
	struct mboxrd writer;

	mboxrd_begin(&writer, out, STR_LIT("a@b"), 0);
	if (bytewise) {
		for (size_t i = 0; i < len; i++)
			mboxrd_feed(&writer, out, message + i, 1);
	} else {
		mboxrd_feed(&writer, out, message, split);
		mboxrd_feed(&writer, out, message + split, len - split);
	}
	mboxrd_end(&writer, out);
}

static void test_rows(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct buf want = BUF_INIT, got = BUF_INIT;
		size_t len = strlen(rows[i].message);
		bool same = true;

		buf_addf(&want, "From a@b Thu Jan  1 00:00:00 1970\n%s\n", rows[i].quoted);
		write_message(&got, rows[i].message, len, len, false);
		tap_is_mem(got.p, got.len, want.p, want.len, rows[i].name);
		for (size_t split = 0; split <= len && same; split++) {
			buf_reset(&got);
			write_message(&got, rows[i].message, len, split, false);
			same = got.len == want.len && memcmp(got.p, want.p, want.len) == 0;
			if (!same)
				tap_diag("differs when split at %zu", split);
		}
		buf_reset(&got);
		write_message(&got, rows[i].message, len, 0, true);
		same = same && got.len == want.len && memcmp(got.p, want.p, want.len) == 0;
		tap_ok(same, "%s: same at every split point and byte by byte", rows[i].name);
		buf_release(&want);
		buf_release(&got);
	}
}

static const struct {
	const char *return_path, *from, *expected;
} sender_rows[] = {
	{ "<bounce@lists.example.org>", "Alice <alice@example.org>", "bounce@lists.example.org" },
	{ NULL, "Alice <alice@example.org>", "alice@example.org" },
	{ NULL, "alice@example.org", "alice@example.org" },
	{ NULL, "\"Smith, John\" <john@example.org>", "john@example.org" },
	{ "<>", "Alice <alice@example.org>", "alice@example.org" },
	{ "<>", NULL, "MAILER-DAEMON" },
	{ NULL, NULL, "MAILER-DAEMON" },
	{ NULL, "undisclosed-recipients:;", "MAILER-DAEMON" },
	{ NULL, "<a b@example.org>", "MAILER-DAEMON" },
	{ "<x\r\nFrom: y@z>", "<a\tb@c>", "MAILER-DAEMON" },
	{ NULL, "Alice <alice@example.org", "MAILER-DAEMON" },
};

static void test_sender(void)
{
	struct buf out = BUF_INIT;

	for (size_t i = 0; i < sizeof(sender_rows) / sizeof(sender_rows[0]); i++) {
		mboxrd_sender(str_from(sender_rows[i].return_path), str_from(sender_rows[i].from), &out);
		tap_ok(strcmp(buf_cstr(&out), sender_rows[i].expected) == 0, "sender row %zu: %s", i, buf_cstr(&out));
	}
	buf_release(&out);

	struct mboxrd writer;
	mboxrd_begin(&writer, &out, STR_LIT("alice@example.org"), 1609754400);
	tap_is_str(buf_cstr(&out), "From alice@example.org Mon Jan  4 10:00:00 2021\n", "From line: asctime in UTC");
	buf_reset(&out);
	mboxrd_begin(&writer, &out, STR_NULL, 1608000000);
	tap_is_str(buf_cstr(&out), "From MAILER-DAEMON Tue Dec 15 02:40:00 2020\n", "From line: no sender");
	buf_release(&out);
}

/* The round-trip set: messages, each fed in awkward pieces. */
static const char *const trip[] = {
	"From: a@example.org\r\nSubject: one\r\n\r\nFrom the start\r\n>From quoted\r\n>>From twice\r\n",
	"Subject: two\n\nFrom",
	"Subject: three\n\nno newline at the end",
	"Subject: four\n\n\nFrom \n>\n>>From\n",
	"Subject: five\n\nbinary \x01\x7f\xff\xfe and a lone \r here\n",
};

static int write_trip(const char *dir)
{
	struct buf mbox = BUF_INIT, expect = BUF_INIT;
	int ret = 1;

	for (size_t m = 0; m < sizeof(trip) / sizeof(trip[0]); m++) {
		const char *msg = trip[m];
		size_t len = strlen(msg), at = 0;
		struct mboxrd writer;
		char *path;
		FILE *f;

		mboxrd_begin(&writer, &mbox, STR_LIT("sender@example.org"), (time_t)(1600000000 + m * 86400));
		/* pieces of 1, 2, 3, ... bytes: every boundary lands somewhere new */
		for (size_t piece = 1; at < len; piece++) {
			size_t n = len - at < piece ? len - at : piece;
			mboxrd_feed(&writer, &mbox, msg + at, n);
			at += n;
		}
		mboxrd_end(&writer, &mbox);
		/* what comes back: LF line ends and a final line end */
		buf_reset(&expect);
		for (size_t i = 0; i < len; i++)
			if (!(msg[i] == '\r' && i + 1 < len && msg[i + 1] == '\n'))
				buf_addch(&expect, msg[i]);
		if (expect.len && expect.p[expect.len - 1] != '\n')
			buf_addch(&expect, '\n');
		path = xasprintf("%s/expect-%zu", dir, m);
		f = fopen(path, "wb");
		free(path);
		if (!f || fwrite(expect.p, 1, expect.len, f) != expect.len || fclose(f) != 0)
			goto out;
	}
	char *path = xasprintf("%s/out.mbox", dir);
	FILE *f = fopen(path, "wb");
	free(path);
	if (!f || fwrite(mbox.p, 1, mbox.len, f) != mbox.len || fclose(f) != 0)
		goto out;
	ret = 0;
out:
	buf_release(&mbox);
	buf_release(&expect);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--write") == 0)
		return write_trip(argv[2]);
	test_rows();
	test_sender();
	return tap_done();
}
