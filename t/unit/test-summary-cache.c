/*
 * The kept summaries (summary_cache.h): a summary comes back as it went
 * in, as a copy of the caller's own; it is known by mailbox, UIDVALIDITY
 * and UID; a preview counts only when it was kept with it; the bytes stay
 * under the bound, the least recently used going first; a cache that is
 * off keeps nothing; and workers that look up and insert at once get
 * whole summaries (run under ThreadSanitizer too).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "summary_cache.h"

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* A summary as message.c makes one: every string its own. */
static void make_info(struct message_info *info, uint32_t uid, const char *subject)
{
	memset(info, 0, sizeof(*info));
	info->uid = uid;
	info->seq = uid + 1000;
	info->subject = dup_or_null(subject);
	info->message_id = dup_or_null("id@example.org");
	info->date = 1600000000 + uid;
	info->has_date = true;
	info->internaldate = 1600000100 + uid;
	info->from.n = 1;
	info->from.items = calloc(1, sizeof(*info->from.items));
	info->from.items[0].name = dup_or_null("Ann Example");
	info->from.items[0].address = dup_or_null("ann@example.org");
	info->in_reply_to = dup_or_null("parent@example.org");
}

static bool same_info(const struct message_info *a, const struct message_info *b)
{
	return a->uid == b->uid && !strcmp(a->subject, b->subject) &&
	       !strcmp(a->message_id, b->message_id) && a->date == b->date &&
	       a->has_date == b->has_date && a->internaldate == b->internaldate &&
	       a->internaldate == b->internaldate && a->from.n == 1 && b->from.n == 1 &&
	       !strcmp(a->from.items[0].name, b->from.items[0].name) &&
	       !strcmp(a->from.items[0].address, b->from.items[0].address) &&
	       !strcmp(a->in_reply_to, b->in_reply_to) && a->to.n == b->to.n;
}

static void put(const char *mailbox, uint32_t uidvalidity, uint32_t uid,
                const char *subject, bool with_preview, const char *preview)
{
	struct message_info info;

	make_info(&info, uid, subject);
	summary_cache_put(mailbox, uidvalidity, &info, with_preview, preview);
	message_info_release(&info);
}

/* Looks up one: true with a copy in *info (and *preview) when kept. */
static bool get(const char *mailbox, uint32_t uidvalidity, uint32_t uid,
                struct message_info *info, char **preview)
{
	bool hit = false;

	memset(info, 0, sizeof(*info));
	summary_cache_get(mailbox, uidvalidity, &uid, 1, info, preview, &hit);
	return hit;
}

static void test_round_trip(void)
{
	struct message_info want, got;
	char *preview = NULL;

	summary_cache_enable(1 << 20);
	make_info(&want, 42, "Re: fan control");
	summary_cache_put("lists/dev", 7, &want, false, NULL);
	tap_ok(get("lists/dev", 7, 42, &got, NULL), "a kept summary is found");
	tap_ok(same_info(&got, &want), "... with every field as it was put");
	tap_ok(got.seq == 0, "... but its sequence number, a session's (0)");
	tap_ok(got.subject != want.subject && got.from.items != want.from.items,
	       "... as a copy of the caller's own");
	message_info_release(&want);
	message_info_release(&got);
	tap_ok(get("lists/dev", 7, 42, &got, NULL) && !strcmp(got.subject, "Re: fan control"),
	       "the kept one outlives the caller's");
	message_info_release(&got);

	tap_ok(!get("lists/dev", 8, 42, &got, NULL), "another UIDVALIDITY: not found");
	tap_ok(!get("lists/other", 7, 42, &got, NULL), "another mailbox: not found");
	tap_ok(!get("lists/dev", 7, 43, &got, NULL), "another UID: not found");
	tap_ok(!get("lists/dev", 7, 42, &got, &preview),
	       "kept without its preview, it does not answer one that wants it");
	put("lists/dev", 7, 42, "Re: fan control", true, "The fan spins");
	tap_ok(get("lists/dev", 7, 42, &got, &preview) && preview &&
	       !strcmp(preview, "The fan spins"), "kept with its preview, it does");
	free(preview);
	message_info_release(&got);
	put("lists/dev", 7, 42, "Re: fan control", false, NULL);
	preview = NULL;
	tap_ok(get("lists/dev", 7, 42, &got, &preview) && preview,
	       "a summary without a preview does not replace one with");
	free(preview);
	message_info_release(&got);
	put("lists/dev", 7, 50, "no preview", true, NULL);
	preview = (char *)"unchanged";
	tap_ok(get("lists/dev", 7, 50, &got, &preview) && !preview,
	       "a server with no preview for a message: kept as none (NULL)");
	message_info_release(&got);
	summary_cache_enable(0);
}

static void test_many(void)
{
	uint32_t uids[5] = { 3, 1, 9, 2, 7 };
	struct message_info infos[5];
	bool hit[5] = { false };
	size_t hits;

	summary_cache_enable(1 << 20);
	put("lists/dev", 1, 1, "one", false, NULL);
	put("lists/dev", 1, 2, "two", false, NULL);
	put("lists/dev", 1, 7, "seven", false, NULL);
	memset(infos, 0, sizeof(infos));
	hits = summary_cache_get("lists/dev", 1, uids, 5, infos, NULL, hit);
	tap_ok(hits == 3 && !hit[0] && hit[1] && !hit[2] && hit[3] && hit[4],
	       "many at once: each kept one found in its place (%zu hits)", hits);
	tap_ok(!strcmp(infos[1].subject, "one") && !strcmp(infos[3].subject, "two") &&
	       !strcmp(infos[4].subject, "seven") && !infos[0].subject,
	       "... the others left alone");
	for (size_t i = 0; i < 5; i++)
		message_info_release(&infos[i]);
	summary_cache_enable(0);
}

static void test_bound(void)
{
	struct summary_cache_stats stats;
	struct message_info got;
	size_t limit = 64 * 1024;
	char subject[64];

	summary_cache_enable(limit);
	for (uint32_t uid = 1; uid <= 2000; uid++) {
		snprintf(subject, sizeof(subject), "subject of message %u", uid);
		put("lists/big", 1, uid, subject, false, NULL);
		/* The first one is read all along: it stays. */
		if (get("lists/big", 1, 1, &got, NULL))
			message_info_release(&got);
	}
	summary_cache_stats(&stats);
	tap_ok(stats.bytes <= limit && stats.limit == limit,
	       "2,000 summaries into 64 KiB: %zu bytes kept", stats.bytes);
	tap_ok(stats.entries > 50 && stats.entries < 2000 && stats.evictions > 0,
	       "... %zu of them, the others evicted (%llu)", stats.entries,
	       (unsigned long long)stats.evictions);
	tap_ok(get("lists/big", 1, 2000, &got, NULL), "the newest is kept");
	message_info_release(&got);
	tap_ok(get("lists/big", 1, 1, &got, NULL), "the first, used all along, is kept");
	message_info_release(&got);
	tap_ok(!get("lists/big", 1, 2, &got, NULL), "the second, unused since, is gone");

	summary_cache_enable(0);
	summary_cache_stats(&stats);
	tap_ok(stats.entries == 0 && stats.bytes == 0, "turned off, it drops all it kept");
	put("lists/big", 1, 5, "five", false, NULL);
	summary_cache_stats(&stats);
	tap_ok(stats.entries == 0 && !get("lists/big", 1, 5, &got, NULL),
	       "off, it keeps nothing");
}

#define WORKERS 4
#define ROUNDS 3000

static void *worker(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	unsigned *bad = calloc(1, sizeof(*bad));
	char subject[64];

	for (unsigned round = 0; round < ROUNDS; round++) {
		uint32_t uids[8];
		struct message_info infos[8];
		bool hit[8] = { false };
		seed = seed * 1103515245 + 12345;
		for (size_t i = 0; i < 8; i++)
			uids[i] = (seed >> 8) % 500 + (uint32_t)i + 1;
		memset(infos, 0, sizeof(infos));
		summary_cache_get("lists/busy", 3, uids, 8, infos, NULL, hit);
		for (size_t i = 0; i < 8; i++) {
			if (hit[i]) {
				snprintf(subject, sizeof(subject), "message %u", uids[i]);
				if (infos[i].uid != uids[i] || strcmp(infos[i].subject, subject))
					(*bad)++;
			} else {
				snprintf(subject, sizeof(subject), "message %u", uids[i]);
				put("lists/busy", 3, uids[i], subject, false, NULL);
			}
			message_info_release(&infos[i]);
		}
	}
	return bad;
}

static void test_threads(void)
{
	pthread_t threads[WORKERS];
	struct summary_cache_stats stats;
	unsigned bad = 0;

	/* Small: evictions race with lookups. */
	summary_cache_enable(16 * 1024);
	for (uintptr_t i = 0; i < WORKERS; i++)
		pthread_create(&threads[i], NULL, worker, (void *)(i + 1));
	for (size_t i = 0; i < WORKERS; i++) {
		void *result;
		pthread_join(threads[i], &result);
		bad += *(unsigned *)result;
		free(result);
	}
	summary_cache_stats(&stats);
	tap_ok(bad == 0, "four workers looking up and inserting at once: every hit whole and right");
	tap_ok(stats.hits > 0 && stats.evictions > 0 && stats.bytes <= 16 * 1024,
	       "... with hits (%llu) and evictions (%llu), under the bound",
	       (unsigned long long)stats.hits, (unsigned long long)stats.evictions);
	summary_cache_enable(0);
}

int main(void)
{
	test_round_trip();
	test_many();
	test_bound();
	test_threads();
	return tap_done();
}
