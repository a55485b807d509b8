/*
 * The workers' shared answers (share.h): one build for many askers of a
 * key, the answer freed with its last holder, a failed build tried again
 * by a waiter, an answer not for its key kept from the others, and a
 * cancelled wait.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "share.h"

struct answer {
	unsigned serial;
};

static atomic_uint builds, frees;
/* What the next builds do: 0 exact, 1 not for the key, -1 fail. */
static atomic_int outcome;
static atomic_bool slow;

static int build(void *ctx, const struct share_key *key, void **payload,
                 struct session_err *err)
{
	(void)ctx;
	(void)key;
	unsigned serial = atomic_fetch_add(&builds, 1) + 1;
	if (atomic_load(&slow))
		usleep(200 * 1000);
	int rc = atomic_load(&outcome);
	if (rc < 0) {
		err->code = SESSION_FAILED;
		return -1;
	}
	struct answer *answer = malloc(sizeof(*answer));
	answer->serial = serial;
	*payload = answer;
	return rc;
}

static void release(void *payload)
{
	atomic_fetch_add(&frees, 1);
	free(payload);
}

static bool gone(void *ctx)
{
	return *(atomic_bool *)ctx;
}

static const struct share_key key_a = {
	.kind = SHARE_ORDER, .mailbox = "lists/a",
	.uidvalidity = 7, .exists = 100, .newest_uid = 1234,
};

struct asker {
	struct share_key key;
	atomic_bool *cancel;
	struct share_entry *entry;
	int rc;
	struct session_err err;
};

static void *ask(void *arg)
{
	struct asker *asker = arg;
	struct share_builder builder = { build, release, NULL, gone, asker->cancel };

	asker->rc = share_get(&asker->key, &builder, &asker->entry, &asker->err);
	return NULL;
}

static void reset(int rc, bool is_slow)
{
	atomic_store(&builds, 0);
	atomic_store(&frees, 0);
	atomic_store(&outcome, rc);
	atomic_store(&slow, is_slow);
}

/* n askers of key at once; their entries are left for the caller. */
static void ask_together(struct asker *askers, size_t n, const struct share_key *key,
                         atomic_bool *cancel)
{
	pthread_t threads[8];

	for (size_t i = 0; i < n; i++) {
		memset(&askers[i], 0, sizeof(askers[i]));
		askers[i].key = *key;
		askers[i].cancel = cancel;
		pthread_create(&threads[i], NULL, ask, &askers[i]);
	}
	for (size_t i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
}

int main(void)
{
	struct asker askers[8];
	atomic_bool never = false;

	/* Four workers at once, a slow build: one build, one answer. */
	reset(0, true);
	ask_together(askers, 4, &key_a, &never);
	tap_ok(askers[0].rc == 0 && askers[1].rc == 0 && askers[2].rc == 0 && askers[3].rc == 0,
	       "four askers of one key all get an answer");
	tap_ok(atomic_load(&builds) == 1, "... built once (%u builds)", atomic_load(&builds));
	tap_ok(share_payload(askers[0].entry) == share_payload(askers[1].entry) &&
	       share_payload(askers[0].entry) == share_payload(askers[3].entry),
	       "... the same answer for all");
	share_put(askers[0].entry);
	share_put(askers[1].entry);
	share_put(askers[2].entry);
	tap_ok(atomic_load(&frees) == 0, "held by one worker: not freed");
	/* Another state of the mailbox is another answer. */
	struct share_key newer = key_a;
	newer.exists = 101;
	newer.newest_uid = 1235;
	ask_together(askers + 4, 1, &newer, &never);
	tap_ok(askers[4].rc == 0 && atomic_load(&builds) == 2 &&
	       share_payload(askers[4].entry) != share_payload(askers[3].entry),
	       "a new message: a new key, a build of its own");
	share_put(askers[3].entry);
	tap_ok(atomic_load(&frees) == 1, "the last hold of the old answer frees it");
	share_put(askers[4].entry);
	tap_ok(atomic_load(&frees) == 2, "and of the new one");
	/* Nothing held: the next asker builds again. */
	reset(0, false);
	ask_together(askers, 1, &key_a, &never);
	tap_ok(askers[0].rc == 0 && atomic_load(&builds) == 1, "an answer nobody holds is gone");
	/* Kinds and mailboxes are keys too. */
	struct share_key threads = key_a, other = key_a;
	threads.kind = SHARE_THREADS;
	other.mailbox = "lists/b";
	ask_together(askers + 1, 1, &threads, &never);
	ask_together(askers + 2, 1, &other, &never);
	tap_ok(atomic_load(&builds) == 3, "another kind, another mailbox: builds of their own");
	/* Searches are told apart by their query. */
	struct share_key search = key_a;
	search.kind = SHARE_SEARCH;
	search.query = str_from("UID SORT (REVERSE DATE) UTF-8 TEXT watchdog");
	ask_together(askers + 3, 2, &search, &never);
	search.query = str_from("UID SORT (REVERSE DATE) UTF-8 TEXT watchdogs");
	ask_together(askers + 5, 1, &search, &never);
	tap_ok(atomic_load(&builds) == 5 &&
	       share_payload(askers[3].entry) == share_payload(askers[4].entry) &&
	       share_payload(askers[5].entry) != share_payload(askers[4].entry),
	       "a search is shared with the same query, not with another");
	for (int i = 0; i < 6; i++)
		share_put(askers[i].entry);
	tap_ok(atomic_load(&frees) == 5, "all freed");

	/* A failed build: every asker tries in turn, each gets the error. */
	reset(-1, true);
	ask_together(askers, 3, &key_a, &never);
	tap_ok(askers[0].rc == -1 && askers[1].rc == -1 && askers[2].rc == -1 &&
	       askers[0].err.code == SESSION_FAILED && askers[2].err.code == SESSION_FAILED,
	       "a failing build fails every asker");
	tap_ok(atomic_load(&builds) == 3, "... each tried it once (%u builds)", atomic_load(&builds));

	/* Not for the key (the mailbox moved during the build): the
	 * builder's alone, the others build their own. */
	reset(1, true);
	ask_together(askers, 3, &key_a, &never);
	tap_ok(askers[0].rc == 0 && askers[1].rc == 0 && askers[2].rc == 0 &&
	       atomic_load(&builds) == 3 &&
	       share_payload(askers[0].entry) != share_payload(askers[1].entry) &&
	       share_payload(askers[1].entry) != share_payload(askers[2].entry),
	       "an answer not for its key is never shared");
	reset(0, false);
	ask_together(askers + 3, 1, &key_a, &never);
	tap_ok(atomic_load(&builds) == 1, "... nor found later");
	for (int i = 0; i < 4; i++)
		share_put(askers[i].entry);
	tap_ok(atomic_load(&frees) == 4, "every private answer freed by its holder");

	/* A waiter whose client went: cancelled, the builder unharmed. */
	atomic_bool cancel = false;
	pthread_t builder_thread, waiter_thread;
	reset(0, true);
	memset(askers, 0, 2 * sizeof(askers[0]));
	askers[0].key = key_a;
	askers[0].cancel = &never;
	askers[1].key = key_a;
	askers[1].cancel = &cancel;
	pthread_create(&builder_thread, NULL, ask, &askers[0]);
	usleep(50 * 1000);
	pthread_create(&waiter_thread, NULL, ask, &askers[1]);
	usleep(30 * 1000);
	atomic_store(&cancel, true);
	pthread_join(waiter_thread, NULL);
	pthread_join(builder_thread, NULL);
	tap_ok(askers[1].rc == -1 && askers[1].err.code == SESSION_CANCELLED && !askers[1].entry,
	       "a cancelled wait ends CANCELLED, holding nothing");
	tap_ok(askers[0].rc == 0 && atomic_load(&builds) == 1, "... and the build goes on");
	share_put(askers[0].entry);
	tap_ok(atomic_load(&frees) == 1, "freed");
	share_put(NULL);
	return tap_done();
}
