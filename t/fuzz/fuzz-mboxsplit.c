/*
 * The mbox splitter: messages lie inside the input, in order, never
 * overlapping; unquoting removes only '>' bytes, at most one a line; and
 * a message without CR written by mboxrd.c comes back from the splitter
 * byte for byte, as the only message of that mbox.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mboxrd.h"
#include "mboxsplit.h"

static size_t count_lines(struct str s)
{
	size_t lines = 0;

	for (size_t i = 0; i < s.len; i++)
		lines += s.p[i] == '\n';
	return lines + (s.len > 0 && s.p[s.len - 1] != '\n');
}

static void round_trip(struct str message)
{
	struct buf mbox = BUF_INIT, back = BUF_INIT;
	struct mboxrd writer;
	struct mboxsplit reader;
	struct mboxsplit_msg msg;

	if ((message.len > 0 && memchr(message.p, '\r', message.len)) ||
	    (message.len > 0 && message.p[message.len - 1] != '\n'))
		return;
	mboxrd_begin(&writer, &mbox, STR_LIT("a@b"), 0);
	mboxrd_feed(&writer, &mbox, message.p, message.len);
	mboxrd_end(&writer, &mbox);
	if (mboxsplit_init(&reader, mbox.p, mbox.len) < 0 ||
	    mboxsplit_next(&reader, &msg) != 1)
		abort();
	mboxsplit_unquote(&back, msg.raw, MBOXSPLIT_MBOXRD);
	if (back.len != message.len || (back.len && memcmp(back.p, message.p, back.len)) ||
	    mboxsplit_next(&reader, &msg) != 0)
		abort();
	buf_release(&mbox);
	buf_release(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;

	for (int format = 0; format < MBOXSPLIT__MAX; format++) {
		struct mboxsplit reader;
		struct mboxsplit_msg msg;
		const char *after = in;

		if (mboxsplit_init(&reader, in, size) < 0)
			return 0;
		while (mboxsplit_next(&reader, &msg) == 1) {
			struct buf out = BUF_INIT;
			if (msg.separator.p < after || msg.raw.p < msg.separator.p + msg.separator.len ||
			    msg.raw.p + msg.raw.len > in + size)
				abort();
			after = msg.raw.p + msg.raw.len;
			mboxsplit_unquote(&out, msg.raw, (enum mboxsplit_format)format);
			if (out.len > msg.raw.len || msg.raw.len - out.len > count_lines(msg.raw))
				abort();
			/* the removed bytes are '>' */
			size_t gt_in = 0, gt_out = 0;
			for (size_t i = 0; i < msg.raw.len; i++)
				gt_in += msg.raw.p[i] == '>';
			for (size_t i = 0; i < out.len; i++)
				gt_out += out.p[i] == '>';
			if (gt_in - gt_out != msg.raw.len - out.len)
				abort();
			round_trip(str_from_buf(&out));
			buf_release(&out);
		}
	}
	return 0;
}
