/*
 * The kept summaries (summary_cache.h): a hash table of entries by
 * (mailbox, UIDVALIDITY, UID) and a list from the most to the least
 * recently used, under one mutex.  A kept entry never changes; a lookup
 * holds the ones it found (refs) and copies them after the mutex is let
 * go, so that the copies (a dozen small allocations each) do not keep the
 * other workers waiting.  An entry dropped while held (evicted, replaced)
 * is freed by its last holder.
 */
#include "summary_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

struct entry {
	struct entry *hash_next;
	struct entry *newer, *older;  /* the use list, while kept */
	const char *mailbox;          /* interned: compared by address */
	uint32_t uidvalidity;
	unsigned refs;                /* the table's one, and each lookup's */
	bool with_preview;
	char *preview;
	size_t bytes;
	struct message_info info;
};

/* Mailboxes' names, each kept once: an archive has a handful. */
struct name {
	struct name *next;
	char text[];
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	size_t limit, bytes, count;
	struct entry **buckets;
	size_t nbuckets;              /* a power of two, or 0 */
	struct entry use;             /* use.older: the newest; use.newer: the oldest */
	struct name *names;
	uint64_t hits, misses, evictions;
} cache = { .use = { .newer = &cache.use, .older = &cache.use } };

#define FIRST_BUCKETS 1024

/* An allocation of size bytes as glibc's malloc takes it: a header, 16-byte steps. */
static size_t alloc_bytes(size_t size)
{
	return (size + sizeof(size_t) + 15) / 16 * 16;
}

static size_t text_bytes(const char *text)
{
	return text ? alloc_bytes(strlen(text) + 1) : 0;
}

static size_t addrs_bytes(const struct message_addrs *addrs)
{
	size_t bytes = addrs->n ? alloc_bytes(addrs->n * sizeof(*addrs->items)) : 0;

	for (size_t i = 0; i < addrs->n; i++)
		bytes += text_bytes(addrs->items[i].name) + text_bytes(addrs->items[i].address);
	return bytes;
}

/* What an entry holds, as malloc counts it. */
static size_t entry_bytes(const struct entry *entry)
{
	const struct message_info *info = &entry->info;
	size_t bytes = alloc_bytes(sizeof(*entry)) + text_bytes(entry->preview) +
	               text_bytes(info->message_id) + text_bytes(info->subject) +
	               text_bytes(info->in_reply_to) + text_bytes(info->list_post) +
	               addrs_bytes(&info->from) + addrs_bytes(&info->to) +
	               addrs_bytes(&info->cc) +
	               (info->nreferences ? alloc_bytes(info->nreferences *
	                                                sizeof(*info->references)) : 0);

	for (size_t i = 0; i < info->nreferences; i++)
		bytes += text_bytes(info->references[i]);
	return bytes;
}

static void entry_free(struct entry *entry)
{
	message_info_release(&entry->info);
	free(entry->preview);
	free(entry);
}

static void entry_unref(struct entry *entry)
{
	if (--entry->refs == 0)
		entry_free(entry);
}

static size_t bucket_of(const char *mailbox, uint32_t uidvalidity, uint32_t uid)
{
	uint64_t key = (uint64_t)(uintptr_t)mailbox ^ ((uint64_t)uidvalidity << 32) ^ uid;

	key *= UINT64_C(0x9E3779B97F4A7C15);
	return (size_t)(key >> 32) & (cache.nbuckets - 1);
}

static struct entry **find_link(const char *mailbox, uint32_t uidvalidity, uint32_t uid)
{
	struct entry **link;

	if (!cache.nbuckets)
		return NULL;
	for (link = &cache.buckets[bucket_of(mailbox, uidvalidity, uid)]; *link;
	     link = &(*link)->hash_next)
		if ((*link)->info.uid == uid && (*link)->uidvalidity == uidvalidity &&
		    (*link)->mailbox == mailbox)
			return link;
	return link;
}

static void use_unlink(struct entry *entry)
{
	entry->newer->older = entry->older;
	entry->older->newer = entry->newer;
}

/* Now the most recently used. */
static void use_push(struct entry *entry)
{
	entry->older = cache.use.older;
	entry->newer = &cache.use;
	cache.use.older->newer = entry;
	cache.use.older = entry;
}

/* Out of the table and the use list; freed once no lookup holds it. */
static void drop(struct entry **link)
{
	struct entry *entry = *link;

	*link = entry->hash_next;
	use_unlink(entry);
	cache.bytes -= entry->bytes;
	cache.count--;
	entry_unref(entry);
}

static void evict_to(size_t limit)
{
	while (cache.bytes > limit && cache.use.newer != &cache.use) {
		struct entry *oldest = cache.use.newer;
		drop(find_link(oldest->mailbox, oldest->uidvalidity, oldest->info.uid));
		cache.evictions++;
	}
}

static void grow(void)
{
	size_t nbuckets = cache.nbuckets ? cache.nbuckets * 2 : FIRST_BUCKETS;
	struct entry **old = cache.buckets;
	size_t nold = cache.nbuckets;

	cache.buckets = xcalloc(nbuckets, sizeof(*cache.buckets));
	cache.nbuckets = nbuckets;
	for (size_t b = 0; b < nold; b++)
		while (old[b]) {
			struct entry *entry = old[b];
			size_t to = bucket_of(entry->mailbox, entry->uidvalidity, entry->info.uid);
			old[b] = entry->hash_next;
			entry->hash_next = cache.buckets[to];
			cache.buckets[to] = entry;
		}
	free(old);
}

/* The interned name, or NULL when none is kept.  (lock held) */
static const char *interned(const char *mailbox)
{
	for (struct name *name = cache.names; name; name = name->next)
		if (!strcmp(name->text, mailbox))
			return name->text;
	return NULL;
}

/* The one copy of a mailbox's name, made if need be.  (lock held) */
static const char *intern(const char *mailbox)
{
	const char *known = interned(mailbox);
	size_t len = strlen(mailbox);
	struct name *name;

	if (known)
		return known;
	name = xmalloc(sizeof(*name) + len + 1);
	memcpy(name->text, mailbox, len + 1);
	name->next = cache.names;
	cache.names = name;
	return name->text;
}

void summary_cache_enable(size_t bytes)
{
	pthread_mutex_lock(&cache_lock);
	cache.limit = bytes;
	evict_to(bytes);
	if (!bytes) {
		free(cache.buckets);
		cache.buckets = NULL;
		cache.nbuckets = 0;
		while (cache.names) {
			struct name *next = cache.names->next;
			free(cache.names);
			cache.names = next;
		}
	}
	pthread_mutex_unlock(&cache_lock);
}

size_t summary_cache_get(const char *mailbox, uint32_t uidvalidity,
                         const uint32_t *uids, size_t n,
                         struct message_info *infos, char **previews, bool *hit)
{
	struct entry **held = xcalloc(n + 1, sizeof(*held));
	const char *name;
	size_t hits = 0;

	pthread_mutex_lock(&cache_lock);
	name = cache.limit ? interned(mailbox) : NULL;
	for (size_t i = 0; name && i < n; i++) {
		struct entry **link = find_link(name, uidvalidity, uids[i]);
		struct entry *entry = link ? *link : NULL;
		if (!entry || (previews && !entry->with_preview))
			continue;
		entry->refs++;
		held[i] = entry;
		use_unlink(entry);
		use_push(entry);
	}
	pthread_mutex_unlock(&cache_lock);

	for (size_t i = 0; i < n; i++) {
		if (!held[i])
			continue;
		message_info_copy(&infos[i], &held[i]->info);
		if (previews)
			previews[i] = held[i]->preview ? xstrdup(held[i]->preview) : NULL;
		hit[i] = true;
		hits++;
	}

	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < n; i++)
		if (held[i])
			entry_unref(held[i]);
	cache.hits += hits;
	cache.misses += n - hits;
	pthread_mutex_unlock(&cache_lock);
	free(held);
	return hits;
}

void summary_cache_put(const char *mailbox, uint32_t uidvalidity,
                       const struct message_info *info, bool with_preview,
                       const char *preview)
{
	struct entry *entry;
	struct entry **link;

	/* A cheap look first: nothing is copied for a cache that is off. */
	pthread_mutex_lock(&cache_lock);
	if (!cache.limit) {
		pthread_mutex_unlock(&cache_lock);
		return;
	}
	pthread_mutex_unlock(&cache_lock);

	entry = xcalloc(1, sizeof(*entry));
	message_info_copy(&entry->info, info);
	entry->uidvalidity = uidvalidity;
	entry->with_preview = with_preview;
	entry->preview = with_preview && preview ? xstrdup(preview) : NULL;
	entry->bytes = entry_bytes(entry);
	entry->refs = 1;

	pthread_mutex_lock(&cache_lock);
	if (!cache.limit || entry->bytes > cache.limit) {
		pthread_mutex_unlock(&cache_lock);
		entry_free(entry);
		return;
	}
	if (cache.count >= cache.nbuckets)
		grow();
	entry->mailbox = intern(mailbox);
	link = find_link(entry->mailbox, uidvalidity, info->uid);
	/* A summary with its preview is not replaced by one without. */
	if (*link && (*link)->with_preview && !with_preview) {
		use_unlink(*link);
		use_push(*link);
		pthread_mutex_unlock(&cache_lock);
		entry_free(entry);
		return;
	}
	if (*link)
		drop(link);
	link = find_link(entry->mailbox, uidvalidity, info->uid);
	*link = entry;
	use_push(entry);
	cache.bytes += entry->bytes;
	cache.count++;
	evict_to(cache.limit);
	pthread_mutex_unlock(&cache_lock);
}

void summary_cache_stats(struct summary_cache_stats *stats)
{
	pthread_mutex_lock(&cache_lock);
	stats->entries = cache.count;
	stats->bytes = cache.bytes;
	stats->limit = cache.limit;
	stats->hits = cache.hits;
	stats->misses = cache.misses;
	stats->evictions = cache.evictions;
	pthread_mutex_unlock(&cache_lock);
}
