/*
 * bench-batch CONF MAILBOX UID...: the messages' headers and texts through
 * the archive layer, one message at a time (what the thread page, the
 * Atom feed and the mbox export did before: a round trip per message)
 * and as one batch (archive_messages: one UID FETCH for the headers, the
 * texts pipelined), in the same run against the same kept imapd.
 *
 * Rounds alternate which goes first; the best of BENCH_ROUNDS (default 7)
 * of each counts.  Prints both times in milliseconds and the ratio.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "archive.h"
#include "conf.h"

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* 0 when every message came with its text. */
static int one_by_one(struct archive *archive, const uint32_t *uids, size_t n)
{
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		struct archive_message msg = { 0 };
		struct session_err err = { 0 };
		if (archive_message(archive, uids[i], &msg, &err) < 0 || !msg.found ||
		    msg.note)
			bad = 1;
		archive_message_release(&msg);
	}
	return bad;
}

static int batched(struct archive *archive, const uint32_t *uids, size_t n)
{
	struct archive_message *msgs = calloc(n, sizeof(*msgs));
	struct session_err err = { 0 };
	int bad = 0;

	for (size_t i = 0; i < n; i++)
		msgs[i].uid = uids[i];
	if (archive_messages(archive, msgs, n, &err) < 0)
		bad = 1;
	for (size_t i = 0; i < n; i++) {
		if (!msgs[i].found || msgs[i].note)
			bad = 1;
		archive_message_release(&msgs[i]);
	}
	free(msgs);
	return bad;
}

int main(int argc, char **argv)
{
	struct conf conf;
	struct buf err_text = BUF_INIT;
	struct mailbox_list list;
	struct session_err err = { 0 };
	const struct mailbox_entry *entry;
	struct archive *archive;
	uint32_t *uids;
	size_t n = 0;
	const char *rounds_text = getenv("BENCH_ROUNDS");
	long rounds = rounds_text ? strtol(rounds_text, NULL, 10) : 7;
	double best_one = 1e18, best_batch = 1e18;
	int bad = 0;

	if (argc < 4) {
		fprintf(stderr, "usage: bench-batch CONF MAILBOX UID...\n");
		return 2;
	}
	if (conf_load(&conf, argv[1], &err_text) < 0) {
		fprintf(stderr, "%s\n", buf_cstr(&err_text));
		return 2;
	}
	uids = calloc((size_t)argc, sizeof(*uids));
	for (int i = 3; i < argc; i++)
		uids[n++] = (uint32_t)strtoul(argv[i], NULL, 10);
	archive = archive_new(&conf);
	if (archive_mailboxes(archive, &list, true, &err) < 0 ||
	    !(entry = mailbox_list_find(&list, argv[2])) ||
	    archive_open(archive, entry, &err) < 0) {
		fprintf(stderr, "bench-batch: cannot open %s: %s\n", argv[2], err.message);
		return 1;
	}
	/* Warm Dovecot's caches and ours once, unmeasured. */
	bad |= batched(archive, uids, n);
	for (long r = 0; r < (rounds > 0 && rounds < 1000 ? rounds : 7); r++) {
		for (int k = 0; k < 2; k++) {
			bool batch_now = (r + k) % 2;
			double start = now_ms(), took;
			bad |= batch_now ? batched(archive, uids, n)
			                 : one_by_one(archive, uids, n);
			took = now_ms() - start;
			if (batch_now && took < best_batch)
				best_batch = took;
			if (!batch_now && took < best_one)
				best_one = took;
		}
	}
	printf("%zu messages: one at a time %.1f ms, batched %.1f ms, %.2fx%s\n",
	       n, best_one, best_batch, best_one / best_batch,
	       bad ? "  (a message came without its text!)" : "");
	mailbox_list_release(&list);
	archive_free(archive);
	conf_release(&conf);
	free(uids);
	buf_release(&err_text);
	return bad;
}
