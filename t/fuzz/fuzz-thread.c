/*
 * thread.c on any bytes: as a THREAD answer (what it accepts must format
 * back to something it accepts the same way), and as a message set, one
 * message a line, "Message-ID|References|In-Reply-To|Subject", uids and
 * dates from the line number.  Every message must be in the forest once.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "thread.h"

static struct str next_field(struct str *line)
{
	const char *bar = memchr(line->p, '|', line->len);
	struct str field = { line->p, bar ? (size_t)(bar - line->p) : line->len };

	line->p += bar ? field.len + 1 : field.len;
	line->len -= bar ? field.len + 1 : field.len;
	return field;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct str input = { (const char *)data, size };
	struct thread_forest forest, again;
	struct buf text = BUF_INIT, text2 = BUF_INIT;
	struct thread_msg msgs[64];
	size_t count = 0;

	thread_forest_init(&forest);
	thread_forest_init(&again);
	if (thread_from_imap(&forest, input) == 0) {
		thread_format(&forest, &text);
		if (thread_from_imap(&again, str_from_buf(&text)) < 0)
			abort();
		thread_format(&again, &text2);
		if (text.len != text2.len || (text.len && memcmp(text.p, text2.p, text.len) != 0))
			abort();
	}
	memset(msgs, 0, sizeof(msgs));
	for (struct str rest = input; rest.len && count < 64; count++) {
		const char *nl = memchr(rest.p, '\n', rest.len);
		struct str line = { rest.p, nl ? (size_t)(nl - rest.p) : rest.len };
		rest.p += nl ? line.len + 1 : line.len;
		rest.len -= nl ? line.len + 1 : line.len;
		msgs[count].uid = (uint32_t)count + 1;
		msgs[count].date = (time_t)(line.len % 7);
		msgs[count].message_id = next_field(&line);
		msgs[count].references = next_field(&line);
		msgs[count].in_reply_to = next_field(&line);
		msgs[count].subject = next_field(&line);
	}
	if (thread_build(&forest, msgs, count) < 0 || forest.nmessages != count)
		abort();
	thread_sort_newest(&forest);
	for (size_t t = 0; t < forest.nthreads; t++) {
		struct thread_row *rows;
		(void)thread_flatten(&forest, &forest.threads[t], &rows);
		free(rows);
	}
	thread_forest_release(&forest);
	thread_forest_release(&again);
	buf_release(&text);
	buf_release(&text2);
	return 0;
}
