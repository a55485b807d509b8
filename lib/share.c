/*
 * The workers' shared answers (share.h): a short list of entries under
 * one mutex, each with its holders counted.  An entry is BUILDING while
 * its first asker makes it without the lock; askers of the same key wait
 * on the condition variable and take the result, or, if the build
 * failed, try in turn.  The list holds only entries someone holds: a
 * handful, so a walk is as good as a table.
 */
#include "share.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"

/* How long a waiter sleeps before it asks whether its request still counts. */
#define SHARE_POLL_MS 50

/* PRIVATE: built, but not for the key (share_builder): its builder's
 * alone, out of the list; waiters take it as a failure and try again. */
enum entry_state { ENTRY_BUILDING, ENTRY_READY, ENTRY_PRIVATE, ENTRY_FAILED };

struct share_entry {
	struct share_entry *next;
	enum share_kind kind;
	char *mailbox;
	uint32_t uidvalidity, exists, newest_uid;
	struct buf query;
	enum entry_state state;
	unsigned holds;
	void *payload;
	void (*release)(void *payload);
};

static pthread_mutex_t share_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t share_done = PTHREAD_COND_INITIALIZER;
static struct share_entry *entries;

static bool same_key(const struct share_entry *entry, const struct share_key *key)
{
	return entry->kind == key->kind && entry->uidvalidity == key->uidvalidity &&
	       entry->exists == key->exists && entry->newest_uid == key->newest_uid &&
	       !strcmp(entry->mailbox, key->mailbox) && entry->query.len == key->query.len &&
	       (!key->query.len || !memcmp(entry->query.p, key->query.p, key->query.len));
}

/* A building or ready entry for key; under the lock. */
static struct share_entry *find(const struct share_key *key)
{
	for (struct share_entry *entry = entries; entry; entry = entry->next)
		if ((entry->state == ENTRY_BUILDING || entry->state == ENTRY_READY) &&
		    same_key(entry, key))
			return entry;
	return NULL;
}

/* Out of the list, if it is there. */
static void unlink_entry(struct share_entry *entry)
{
	for (struct share_entry **at = &entries; *at; at = &(*at)->next) {
		if (*at == entry) {
			*at = entry->next;
			return;
		}
	}
}

/* Drop a hold under the lock; the entry to free after unlocking, or NULL. */
static struct share_entry *drop(struct share_entry *entry)
{
	if (--entry->holds)
		return NULL;
	unlink_entry(entry);
	return entry;
}

static void free_entry(struct share_entry *entry)
{
	if (!entry)
		return;
	if (entry->payload && entry->release)
		entry->release(entry->payload);
	free(entry->mailbox);
	buf_release(&entry->query);
	free(entry);
}

static void wait_a_while(void)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += SHARE_POLL_MS * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	(void)pthread_cond_timedwait(&share_done, &share_lock, &until);
}

/* Build entry (held, BUILDING) here, then publish what came. */
static int build(struct share_entry *entry, const struct share_key *key,
                 const struct share_builder *builder, struct session_err *err)
{
	void *payload = NULL;
	int rc = builder->build(builder->ctx, key, &payload, err);
	struct share_entry *gone = NULL;

	pthread_mutex_lock(&share_lock);
	if (rc == 0) {
		entry->payload = payload;
		entry->state = ENTRY_READY;
	} else if (rc > 0) {
		entry->payload = payload;
		entry->state = ENTRY_PRIVATE;
		unlink_entry(entry);
	} else {
		entry->state = ENTRY_FAILED;
		gone = drop(entry);
	}
	pthread_cond_broadcast(&share_done);
	pthread_mutex_unlock(&share_lock);
	free_entry(gone);
	return rc;
}

int share_get(const struct share_key *key, const struct share_builder *builder,
              struct share_entry **entry, struct session_err *err)
{
	struct share_entry *found;

	*entry = NULL;
	pthread_mutex_lock(&share_lock);
	for (;;) {
		found = find(key);
		if (!found) {
			found = xcalloc(1, sizeof(*found));
			found->kind = key->kind;
			found->mailbox = xstrdup(key->mailbox);
			found->uidvalidity = key->uidvalidity;
			found->exists = key->exists;
			found->newest_uid = key->newest_uid;
			if (key->query.len)
				buf_add(&found->query, key->query.p, key->query.len);
			found->state = ENTRY_BUILDING;
			found->holds = 1;
			found->release = builder->release;
			found->next = entries;
			entries = found;
			pthread_mutex_unlock(&share_lock);
			if (build(found, key, builder, err) < 0)
				return -1;
			*entry = found;
			return 0;
		}
		found->holds++;
		while (found->state == ENTRY_BUILDING) {
			if (builder->cancelled && builder->cancelled(builder->cancel_ctx)) {
				struct share_entry *gone = drop(found);
				pthread_mutex_unlock(&share_lock);
				free_entry(gone);
				err->code = SESSION_CANCELLED;
				snprintf(err->message, sizeof(err->message),
				         "request cancelled while another worker built its answer");
				return -1;
			}
			wait_a_while();
		}
		if (found->state == ENTRY_READY)
			break;
		/* Failed or private in the other worker: let go, look again. */
		struct share_entry *gone = drop(found);
		if (gone) {
			pthread_mutex_unlock(&share_lock);
			free_entry(gone);
			pthread_mutex_lock(&share_lock);
		}
	}
	pthread_mutex_unlock(&share_lock);
	*entry = found;
	return 0;
}

void *share_payload(const struct share_entry *entry)
{
	return entry ? entry->payload : NULL;
}

void share_put(struct share_entry *entry)
{
	struct share_entry *gone;

	if (!entry)
		return;
	pthread_mutex_lock(&share_lock);
	gone = drop(entry);
	pthread_mutex_unlock(&share_lock);
	free_entry(gone);
}
