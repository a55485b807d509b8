/*
 * The archive layer (archive.h): every IMAP command the pages need is
 * built here, and every difference between servers is hidden here.
 */
#include "archive.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "imap_view.h"
#include "rfc2045.h"
#include "rfc5322.h"
#include "share.h"
#include "summary_cache.h"

/* UIDs accepted from one SEARCH or SORT answer. */
#define ARCHIVE_MAX_HITS (1u << 24)
/* Candidates for one Message-ID (the same id on several messages). */
#define MSGID_MAX_CANDIDATES 64
#define THREAD_HEADER_FIELDS "HEADER.FIELDS (MESSAGE-ID IN-REPLY-TO REFERENCES)"
#define DATE_HEADER_FIELD "HEADER.FIELDS (DATE)"
#define CONTENT_TYPE_FIELD "HEADER.FIELDS (CONTENT-TYPE)"
/* What the date order is made of where the server does not sort. */
#define SORT_DATE_ITEMS "(UID INTERNALDATE BODY.PEEK[" DATE_HEADER_FIELD "])"
#define RAW_ITEMS "(UID ENVELOPE INTERNALDATE RFC822.SIZE BODY.PEEK[])"

/*
 * Which state of which mailbox a cache was computed from: valid while
 * UIDVALIDITY, UIDNEXT, the message count and HIGHESTMODSEQ stay.
 */
struct stamp {
	char *mailbox;
	uint32_t uidvalidity, uidnext, exists, expunged;
	uint64_t highestmodseq;
};

/*
 * A search's whole answer, in the order shown, kept for the pages after
 * the first and for the same query asked again: a full-text search costs
 * Dovecot milliseconds even when nothing matches, and reads every message
 * without a full-text index.  Shared with the other workers (share.h), so
 * that the query asked again finds its answer whichever worker gets it;
 * each worker holds its last SEARCHES_KEPT while the mailbox is unchanged
 * (its stamp), none of more than SEARCH_KEPT_MAX_HITS UIDs: at most 1.6 MB
 * a worker, less when they hold the same.
 */
#define SEARCHES_KEPT 4
#define SEARCH_KEPT_MAX_HITS 100000

/*
 * A shared answer (share.h) a worker holds, and its session's stamp when
 * it was taken: good while the session sees the mailbox unchanged.
 */
struct held {
	struct stamp stamp;
	struct share_entry *entry;
};

struct kept_search {
	struct buf key;     /* the command's name and arguments */
	struct held answer; /* a struct uid_list */
};

/* A mailbox's date order, newest first. */
struct uid_list {
	uint32_t *uids;
	size_t n;
};

struct archive {
	const struct conf *conf;
	struct session *session;
	unsigned sessions_opened;  /* tells a session from one opened since */
	/* This request asked whether its imapd still runs (session_of). */
	bool alive_checked;
	/* The open mailbox's server name, to EXAMINE it again in a new imapd. */
	char *open_name;
	/* The open mailbox's date order (struct uid_list, newest first), its
	 * months' counts (struct archive_months) and its threads (struct
	 * thread_forest), shared with the other workers. */
	struct held order, months, threads;
	/* The request's cancel hook (archive_set_cancel), or NULL. */
	bool (*cancelled)(void *ctx);
	void *cancel_ctx;
	int stop_fd;
	/* The last searches' whole answers (kept_search_find). */
	struct kept_search searches[SEARCHES_KEPT];
	size_t next_search;
	/* The last LIST's mailboxes and when they were asked (monotonic). */
	struct mailbox_list listed;
	bool has_listed;
	time_t listed_at;
	/* The newest message as archive_stamp last asked, and when. */
	struct stamp newest_stamp;
	uint32_t newest_uid;
	time_t newest_arrival;
};

static void fail(struct session_err *err, enum session_error code,
                 const char *why)
{
	err->code = code;
	snprintf(err->message, sizeof(err->message), "%s", why);
}

/* ---- stamps ----------------------------------------------------------- */

static bool stamp_matches(const struct stamp *stamp,
                          const struct mailbox_state *state)
{
	return stamp->mailbox && state->name && !strcmp(stamp->mailbox, state->name) &&
	       stamp->uidvalidity == state->uidvalidity &&
	       stamp->uidnext == state->uidnext &&
	       stamp->highestmodseq == state->highestmodseq &&
	       stamp->exists == state->exists && stamp->expunged == state->expunged;
}

static void stamp_release(struct stamp *stamp)
{
	free(stamp->mailbox);
	memset(stamp, 0, sizeof(*stamp));
}

static void stamp_take(struct stamp *stamp, const struct mailbox_state *state)
{
	stamp_release(stamp);
	stamp->mailbox = xstrdup(state->name ? state->name : "");
	stamp->uidvalidity = state->uidvalidity;
	stamp->uidnext = state->uidnext;
	stamp->highestmodseq = state->highestmodseq;
	stamp->exists = state->exists;
	stamp->expunged = state->expunged;
}

/* ---- the session -------------------------------------------------------- */

struct archive *archive_new(const struct conf *conf)
{
	struct archive *archive = xcalloc(1, sizeof(*archive));

	archive->conf = conf;
	return archive;
}

static void held_release(struct held *held)
{
	stamp_release(&held->stamp);
	share_put(held->entry);
	held->entry = NULL;
}

/* The held answer, if the session still sees the mailbox as it was. */
static const void *held_fresh(const struct held *held, const struct session *session)
{
	return held->entry && stamp_matches(&held->stamp, session_mailbox(session))
	       ? share_payload(held->entry) : NULL;
}

static void forget_listed(struct archive *archive)
{
	mailbox_list_release(&archive->listed);
	archive->has_listed = false;
}

static void kept_search_release(struct kept_search *kept)
{
	buf_release(&kept->key);
	held_release(&kept->answer);
}

void archive_free(struct archive *archive)
{
	if (!archive)
		return;
	for (size_t i = 0; i < SEARCHES_KEPT; i++)
		kept_search_release(&archive->searches[i]);
	forget_listed(archive);
	stamp_release(&archive->newest_stamp);
	session_close(archive->session);
	held_release(&archive->order);
	held_release(&archive->months);
	held_release(&archive->threads);
	free(archive->open_name);
	free(archive);
}

/*
 * An imapd that failed or timed out is ended (and reaped) now.  Whether
 * it exited unseen (Dovecot ends a session idle for 30 minutes) is asked
 * once a request, by its first operation (alive): within a request, a
 * dead imapd shows on its pipes (a waitid() less per command).
 */
static void end_broken(struct archive *archive, bool alive)
{
	if (archive->session && (alive ? session_broken(archive->session)
	                               : session_failed(archive->session))) {
		session_close(archive->session);
		archive->session = NULL;
	}
}

void archive_end_request(struct archive *archive)
{
	end_broken(archive, false);
	archive->alive_checked = false;
	archive->cancelled = NULL;
	archive->cancel_ctx = NULL;
}

void archive_set_cancel(struct archive *archive, bool (*cancelled)(void *ctx),
                        void *ctx)
{
	archive->cancelled = cancelled;
	archive->cancel_ctx = ctx;
}

void archive_set_stop_fd(struct archive *archive, int stop_fd)
{
	archive->stop_fd = stop_fd;
}

uint32_t archive_uidvalidity(const struct archive *archive)
{
	return archive->session && archive->open_name
	           ? session_mailbox(archive->session)->uidvalidity : 0;
}

bool archive_broken(const struct archive *archive)
{
	return !archive->session || session_broken(archive->session);
}

/*
 * The worker's imapd, started (or started anew after a failure) on demand.
 * A new one mid-request (the last quit on a BYE to BINARY, or timed out on
 * a literal it mis-sized) gets the open mailbox EXAMINEd again, so that
 * the request goes on with the next message.
 */
static struct session *session_of(struct archive *archive,
                                  struct session_err *err)
{
	struct session_config config = {
		.argv = archive->conf->imapd_argv,
		.envp = archive->conf->imapd_env,
		.timeout_ms = (int)archive->conf->timeout * 1000,
		.max_literal = archive->conf->max_literal,
		.stop_fd = archive->stop_fd,
	};

	/* Every operation starts here: the one place a cancel is seen. */
	if (archive->cancelled && archive->cancelled(archive->cancel_ctx)) {
		fail(err, SESSION_CANCELLED, "request cancelled: client gone or stopping");
		return NULL;
	}
	end_broken(archive, !archive->alive_checked);
	archive->alive_checked = true;
	if (archive->session)
		return archive->session;
	archive->session = session_open(&config, err);
	archive->sessions_opened++;
	if (!archive->session) {
		fprintf(stderr, "imapeek: imapd %s: %s\n",
		        archive->conf->imapd_argv[0], err->message);
		return NULL;
	}
	if (archive->open_name &&
	    session_examine(archive->session, str_from(archive->open_name), false,
	                    err) < 0)
		return NULL;
	return archive->session;
}

/* Run one command to its tagged answer; result initialised here. */
static int run(struct archive *archive, struct imap_cmd *cmd,
               struct session_result *result, struct session_err *err)
{
	struct session *session = session_of(archive, err);

	session_result_init(result);
	if (!session)
		return -1;
	return session_run(session, cmd, result, err);
}

/* "UID FETCH set items" sent, not waited for. */
static int send_fetch(struct session *session, const char *set, const char *items,
                      unsigned *ticket, struct session_err *err)
{
	struct imap_cmd cmd;
	int rc;

	imap_cmd_init(&cmd, "UID FETCH");
	imap_cmd_seqset(&cmd, set);
	imap_cmd_fetch_items(&cmd, items);
	rc = session_send(session, &cmd, ticket, err);
	imap_cmd_release(&cmd);
	return rc;
}

/* "UID FETCH set items" run; the caller releases result. */
static int uid_fetch(struct archive *archive, const char *set, const char *items,
                     struct session_result *result, struct session_err *err)
{
	struct session *session = session_of(archive, err);
	unsigned ticket;

	session_result_init(result);
	if (!session || send_fetch(session, set, items, &ticket, err) < 0)
		return -1;
	return session_wait(session, ticket, result, err);
}

/* A UID set "3,5,9" of the non-zero uids. */
static void uid_set(struct buf *set, const uint32_t *uids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (uids[i])
			buf_addf(set, "%s%u", set->len ? "," : "", uids[i]);
}

/* The FETCH for uid among the answers, as a view (released by the caller). */
static bool find_fetch(const struct session_result *result, uint32_t uid,
                       struct imap_fetch *view)
{
	for (size_t i = 0; i < result->nuntagged; i++) {
		struct imap_view_err view_err;
		if (imap_view_fetch(result->untagged[i], view, &view_err) < 0)
			continue;
		if (view->has_uid && view->uid == uid)
			return true;
		imap_fetch_release(view);
	}
	memset(view, 0, sizeof(*view));
	return false;
}

/* ---- mailboxes --------------------------------------------------------- */

static time_t monotonic_seconds(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec;
}

int archive_mailboxes(struct archive *archive, struct mailbox_list *list,
                      bool fresh, struct session_err *err)
{
	struct session *session;
	time_t now = monotonic_seconds();

	memset(list, 0, sizeof(*list));
	if (!fresh && archive->has_listed &&
	    now - archive->listed_at < ARCHIVE_LIST_FRESH) {
		mailbox_list_copy(list, &archive->listed);
		return 0;
	}
	forget_listed(archive);
	session = session_of(archive, err);
	if (!session || mailbox_list_fetch(list, session, archive->conf, err) < 0)
		return -1;
	mailbox_list_copy(&archive->listed, list);
	archive->has_listed = true;
	archive->listed_at = now;
	return 0;
}

int archive_mailbox_counts(struct archive *archive, struct mailbox_list *list,
                           struct session_err *err)
{
	struct session *session = session_of(archive, err);

	if (!session)
		return -1;
	return mailbox_list_count(list, session, err);
}

int archive_store_check(struct archive *archive, struct session_err *err)
{
	struct session *session = session_of(archive, err);

	return session ? mailbox_store_check(session, err) : -1;
}

int archive_open(struct archive *archive, const struct mailbox_entry *entry,
                 struct session_err *err)
{
	struct session *session;

	/* Another mailbox: a new imapd need not EXAMINE the last one first. */
	if (archive->open_name && strcmp(archive->open_name, entry->imap_name)) {
		free(archive->open_name);
		archive->open_name = NULL;
	}
	session = session_of(archive, err);
	if (!session)
		return -1;
	if (session_examine(session, str_from(entry->imap_name), false, err) < 0) {
		forget_listed(archive);
		/* Listed, so a NO is a store that cannot be read (a 502), not a
		 * missing mailbox, unless it has just gone ([NONEXISTENT]). */
		session_err_store_failed(err);
		return -1;
	}
	if (!archive->open_name)
		archive->open_name = xstrdup(entry->imap_name);
	return 0;
}

/*
 * A kept session learns of new mail with NOOP (new EXISTS, EXPUNGE,
 * HIGHESTMODSEQ).  UIDNEXT is not announced again, so the newest message's
 * UID (and its INTERNALDATE, for Last-Modified) is asked for when the
 * mailbox changed since it was last asked (the caches' rule, stamp_matches):
 * a page of an unchanged mailbox costs the server one NOOP.
 */
static int newest_message(struct archive *archive, struct session *session,
                          struct session_err *err)
{
	struct session_result result;
	struct imap_cmd newest;
	int rc;

	imap_cmd_init(&newest, "UID FETCH");
	imap_cmd_seqset(&newest, "*");
	imap_cmd_fetch_items(&newest, "(UID INTERNALDATE)");
	session_result_init(&result);
	rc = session_run(session, &newest, &result, err);
	imap_cmd_release(&newest);
	/* An empty mailbox has no "*": nothing newest, no error. */
	if (rc < 0 && err->code == SESSION_NO && !session_broken(session)) {
		memset(err, 0, sizeof(*err));
		rc = 0;
	}
	archive->newest_uid = 0;
	archive->newest_arrival = 0;
	for (size_t i = 0; rc == 0 && i < result.nuntagged; i++) {
		struct message_info info;
		if (message_info_from_fetch(&info, result.untagged[i]) < 0)
			continue;
		if (info.uid > archive->newest_uid) {
			archive->newest_uid = info.uid;
			archive->newest_arrival = info.internaldate;
		}
		message_info_release(&info);
	}
	session_result_release(&result);
	return rc;
}

/* newest_message, and the stamp it was asked at. */
static int know_newest(struct archive *archive, struct session_err *err)
{
	const struct mailbox_state *state = session_mailbox(archive->session);

	/* The stamp from before: a change the FETCH brings is asked again. */
	stamp_release(&archive->newest_stamp);
	if (state)
		stamp_take(&archive->newest_stamp, state);
	if (newest_message(archive, archive->session, err) < 0) {
		stamp_release(&archive->newest_stamp);
		return -1;
	}
	return 0;
}

int archive_stamp(struct archive *archive, struct archive_stamp *stamp,
                  struct session_err *err)
{
	struct session *session = session_of(archive, err);
	struct session_result result;
	struct imap_cmd noop;
	const struct mailbox_state *state;
	int rc;

	memset(stamp, 0, sizeof(*stamp));
	if (!session)
		return -1;
	imap_cmd_init(&noop, "NOOP");
	session_result_init(&result);
	rc = session_run(session, &noop, &result, err);
	if (rc == 0 && session_result_warned(&result, "NOOP", err))
		rc = -1;
	session_result_release(&result);
	imap_cmd_release(&noop);
	if (rc < 0)
		return -1;
	state = session_mailbox(session);
	if (state && !stamp_matches(&archive->newest_stamp, state)) {
		if (know_newest(archive, err) < 0)
			return -1;
		state = session_mailbox(session);
	}
	if (!state) {
		fail(err, SESSION_FAILED, "the stamp of no open mailbox");
		return -1;
	}
	stamp->newest_uid = archive->newest_uid;
	stamp->newest_arrival = archive->newest_arrival;
	stamp->uidvalidity = state->uidvalidity;
	stamp->exists = state->exists;
	stamp->highestmodseq = state->highestmodseq;
	return 0;
}

int archive_refresh(struct archive *archive, struct session_err *err)
{
	struct archive_stamp ignored;

	return archive_stamp(archive, &ignored, err);
}

/* ---- the order of a mailbox ------------------------------------------ */

static void add_uid(uint32_t **uids, size_t *n, size_t *cap, uint32_t uid)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		*uids = xrealloc(*uids, *cap * sizeof(**uids));
	}
	(*uids)[(*n)++] = uid;
}

/*
 * The UIDs of every "* SORT" or "* SEARCH" answer (name), and of every
 * "* ESEARCH ... ALL" (which an IMAP4rev2 server sends for UID SEARCH),
 * in order.
 */
static void collect_numbers(const struct session_result *result, const char *name,
                            uint32_t **uids, size_t *n)
{
	size_t cap = *n;

	for (size_t i = 0; i < result->nuntagged; i++) {
		const struct imap_response *response = result->untagged[i];
		struct imap_esearch esearch;
		struct imap_view_err view_err;
		if (imap_view_esearch(response, ARCHIVE_MAX_HITS, &esearch,
		                      &view_err) == 0) {
			for (size_t k = 0; k < esearch.nall && *n < ARCHIVE_MAX_HITS; k++)
				add_uid(uids, n, &cap, esearch.all[k]);
			imap_esearch_release(&esearch);
			continue;
		}
		if (!response->data || !imap_node_is_atom(response->data, name))
			continue;
		/* Packed by the parser (a number each, no node): the usual case. */
		for (size_t k = 0; k < response->nnumbers && *n < ARCHIVE_MAX_HITS; k++)
			add_uid(uids, n, &cap, response->numbers[k]);
		for (const struct imap_node *node = response->data->next;
		     node && *n < ARCHIVE_MAX_HITS; node = node->next) {
			if (node->type == IMAP_NUMBER && node->number &&
			    node->number <= UINT32_MAX)
				add_uid(uids, n, &cap, (uint32_t)node->number);
		}
	}
}

struct dated_uid {
	uint32_t uid, seq;
	time_t date;
};

/*
 * RFC 5256's REVERSE DATE: newest sent date first (the Date header, else
 * INTERNALDATE).  Messages of the same date keep the mailbox's order, as
 * Dovecot's SORT keeps them (REVERSE applies to the date only).
 */
static int compare_dated(const void *a, const void *b)
{
	const struct dated_uid *x = a, *y = b;

	if (x->date != y->date)
		return x->date > y->date ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * A message's date as the date order has it, from a FETCH of
 * SORT_DATE_ITEMS: its Date header, else its INTERNALDATE (info's).
 */
static time_t sort_date(const struct imap_fetch *view, const struct message_info *info)
{
	const struct imap_fetch_part *part = imap_fetch_part(view, false, DATE_HEADER_FIELD);
	struct buf value = BUF_INIT;
	time_t date = info->internaldate;

	if (part && rfc5322_field(part->data.p, part->data.len, "date", &value) &&
	    rfc5322_date_parse(value.p, value.len, &date) < 0)
		date = info->internaldate;
	buf_release(&value);
	return date;
}

/*
 * The messages of an answer to a FETCH of SORT_DATE_ITEMS, with their
 * dates, in the answer's order; *n of them (answers that do not parse are
 * left out).  The caller frees the array.
 */
static struct dated_uid *dated_answers(const struct session_result *result, size_t *n)
{
	struct dated_uid *dated = xcalloc(result->nuntagged + 1, sizeof(*dated));

	*n = 0;
	for (size_t i = 0; i < result->nuntagged; i++) {
		struct imap_fetch view;
		struct imap_view_err view_err;
		struct message_info info;
		if (imap_view_fetch(result->untagged[i], &view, &view_err) < 0)
			continue;
		if (message_info_from_view(&info, &view) == 0) {
			dated[(*n)++] = (struct dated_uid){ info.uid, view.seq,
			                                    sort_date(&view, &info) };
			message_info_release(&info);
		}
		imap_fetch_release(&view);
	}
	return dated;
}

static int compare_dated_uid(const void *a, const void *b)
{
	const struct dated_uid *x = a, *y = b;
	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

/* Without SORT: every message's Date header, sorted here. */
static int sort_client_side(struct archive *archive, struct uid_list *order,
                            struct session_err *err)
{
	struct session_result result;
	struct dated_uid *dated;
	size_t n;
	int rc = -1;

	if (uid_fetch(archive, "1:*", SORT_DATE_ITEMS, &result, err) < 0) {
		/* An empty mailbox: nothing to sort. */
		rc = err->code == SESSION_NO && !session_mailbox(archive->session)->exists
		         ? 0 : -1;
		if (rc == 0)
			memset(err, 0, sizeof(*err));
		goto out_result;
	}
	dated = dated_answers(&result, &n);
	if (n)
		qsort(dated, n, sizeof(*dated), compare_dated);
	order->uids = xcalloc(n + 1, sizeof(*order->uids));
	for (size_t i = 0; i < n; i++)
		order->uids[i] = dated[i].uid;
	order->n = n;
	free(dated);
	rc = 0;
out_result:
	session_result_release(&result);
	return rc;
}

/*
 * Under AddressSanitizer and ThreadSanitizer, malloc is theirs: glibc's
 * malloc_trim would walk arenas they do not use (and crashes under ASan
 * in a threaded server).
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZER_ALLOCATOR 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZER_ALLOCATOR 1
#endif
#endif
#ifndef SANITIZER_ALLOCATOR
#define SANITIZER_ALLOCATOR 0
#endif

/*
 * After a whole-mailbox answer (THREAD, SORT, a FETCH of every Date) is
 * parsed and dropped: its many small blocks are free, but the allocator
 * keeps the pages they sat in, between what is kept.  Hand them back, so
 * that what a worker holds for long is what it keeps, not its peak.
 */
static void give_back_memory(void)
{
#if !SANITIZER_ALLOCATOR
	malloc_trim(0);
#endif
}

static void uid_list_free(void *payload)
{
	struct uid_list *list = payload;

	free(list->uids);
	free(list);
}

/* 0 when uids are key's messages (count and newest), else 1: share.h. */
static int exactly(const struct share_key *key, size_t n, uint32_t newest)
{
	return n == key->exists && newest == key->newest_uid ? 0 : 1;
}

/* The date order, asked of the imapd: a share_builder's build. */
static int build_order(void *ctx, const struct share_key *key, void **payload,
                       struct session_err *err)
{
	struct archive *archive = ctx;
	struct uid_list *order = xcalloc(1, sizeof(*order));
	struct session_result result;
	struct imap_cmd cmd;
	int rc;

	if (session_has_cap(archive->session, CAP_SORT)) {
		imap_cmd_init(&cmd, "UID SORT");
		imap_cmd_list_open(&cmd);
		imap_cmd_atom(&cmd, "REVERSE");
		imap_cmd_atom(&cmd, "DATE");
		imap_cmd_list_close(&cmd);
		imap_cmd_atom(&cmd, "UTF-8");
		imap_cmd_atom(&cmd, "ALL");
		rc = run(archive, &cmd, &result, err);
		if (rc == 0)
			collect_numbers(&result, "SORT", &order->uids, &order->n);
		session_result_release(&result);
		imap_cmd_release(&cmd);
	} else {
		rc = sort_client_side(archive, order, err);
	}
	give_back_memory();
	if (rc < 0) {
		uid_list_free(order);
		return -1;
	}
	*payload = order;
	uint32_t newest = 0;
	for (size_t i = 0; i < order->n; i++)
		if (order->uids[i] > newest)
			newest = order->uids[i];
	return exactly(key, order->n, newest);
}

/*
 * What names the open mailbox's set of messages for every session alike
 * (share.h): its newest UID is asked for if the mailbox changed since.
 */
static int share_key_of(struct archive *archive, enum share_kind kind,
                        struct share_key *key, struct session_err *err)
{
	const struct mailbox_state *state = session_mailbox(archive->session);

	if (!state || !state->name) {
		fail(err, SESSION_FAILED, "no open mailbox");
		return -1;
	}
	if (!stamp_matches(&archive->newest_stamp, state) && know_newest(archive, err) < 0)
		return -1;
	state = session_mailbox(archive->session);
	*key = (struct share_key){ .kind = kind, .mailbox = state->name,
	                           .uidvalidity = state->uidvalidity,
	                           .exists = state->exists,
	                           .newest_uid = archive->newest_uid };
	return 0;
}

/*
 * The shared answer of kind (and query) for the open mailbox: the one in
 * held while the session sees the mailbox unchanged, else a new one into
 * held, stamped when its key was read: the answer is of that state or a
 * later one, and a change during its build is seen at the next request,
 * whose stamp then differs.  Its payload, or NULL with err filled.
 */
static const void *hold_answer(struct archive *archive, enum share_kind kind,
                               const struct buf *query,
                               int (*build)(void *, const struct share_key *,
                                            void **, struct session_err *),
                               void (*release)(void *), void *ctx,
                               struct held *held, struct session_err *err)
{
	struct share_builder builder = {
		.build = build, .release = release, .ctx = ctx,
		.cancelled = archive->cancelled, .cancel_ctx = archive->cancel_ctx,
	};
	const void *fresh = held_fresh(held, archive->session);
	struct share_key key;

	if (fresh)
		return fresh;
	held_release(held);
	if (share_key_of(archive, kind, &key, err) < 0)
		return NULL;
	if (query)
		key.query = str_from_buf(query);
	stamp_take(&held->stamp, session_mailbox(archive->session));
	if (share_get(&key, &builder, &held->entry, err) < 0) {
		stamp_release(&held->stamp);
		return NULL;
	}
	return share_payload(held->entry);
}

int archive_sorted_uids(struct archive *archive, const uint32_t **uids,
                        size_t *n, struct session_err *err)
{
	struct session *session = session_of(archive, err);
	const struct uid_list *order;

	*uids = NULL;
	*n = 0;
	if (!session)
		return -1;
	order = hold_answer(archive, SHARE_ORDER, NULL, build_order, uid_list_free,
	                    archive, &archive->order, err);
	if (!order)
		return -1;
	*uids = order->uids;
	*n = order->n;
	return 0;
}

/* ---- months ------------------------------------------------------------ */

/*
 * Months are counted as year * 12 + month - 1.  SENTSINCE the first day
 * of month from, SENTBEFORE the first day of month until.
 */
static void span_keys(struct imap_cmd *cmd, int from, int until)
{
	imap_cmd_atom(cmd, "SENTSINCE");
	imap_cmd_date(cmd, from / 12, from % 12 + 1, 1);
	imap_cmd_atom(cmd, "SENTBEFORE");
	imap_cmd_date(cmd, until / 12, until % 12 + 1, 1);
}

static void month_keys(struct imap_cmd *cmd, int year, int month)
{
	int at = year * 12 + month - 1;
	span_keys(cmd, at, at + 1);
}

/* How many messages one SEARCH answer counts (ESEARCH COUNT or SEARCH). */
static uint32_t counted(const struct session_result *result)
{
	uint32_t count = 0;

	for (size_t i = 0; i < result->nuntagged; i++) {
		struct imap_esearch esearch;
		struct imap_search hits;
		struct imap_view_err view_err;
		if (imap_view_esearch(result->untagged[i], 0, &esearch, &view_err) == 0) {
			if (esearch.has_count)
				count = (uint32_t)esearch.count;
			imap_esearch_release(&esearch);
		} else if (imap_view_search(result->untagged[i], &hits) == 0) {
			count += (uint32_t)hits.n;
			imap_search_release(&hits);
		}
	}
	return count;
}

/*
 * How many messages each span [from[i], from[i] + len) of months holds:
 * one SEARCH each, among the UIDs of sets[i] when sets is not NULL.  With
 * ESEARCH they are pipelined, RETURN (COUNT), each answer tagged with its
 * command; a plain "* SEARCH" says nothing of which command it answers,
 * so without ESEARCH they go one at a time.
 */
static int count_spans(struct archive *archive, const int *from, size_t n,
                       int len, const struct buf *sets, uint32_t *counts,
                       struct session_err *err)
{
	struct session *session = archive->session;
	bool esearch = session_has_cap(session, CAP_ESEARCH);
	unsigned *tickets = xcalloc(n + 1, sizeof(*tickets));
	size_t sent = 0;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		struct session_result result;
		struct imap_cmd cmd;
		imap_cmd_init(&cmd, "UID SEARCH");
		if (esearch) {
			imap_cmd_atom(&cmd, "RETURN");
			imap_cmd_list_open(&cmd);
			imap_cmd_atom(&cmd, "COUNT");
			imap_cmd_list_close(&cmd);
		}
		if (sets) {
			imap_cmd_atom(&cmd, "UID");
			imap_cmd_seqset(&cmd, buf_cstr(&sets[i]));
		}
		span_keys(&cmd, from[i], from[i] + len);
		if (esearch) {
			rc = session_send(session, &cmd, &tickets[sent], err);
			sent += rc == 0;
		} else {
			session_result_init(&result);
			rc = session_run(session, &cmd, &result, err);
			counts[i] = counted(&result);
			session_result_release(&result);
		}
		imap_cmd_release(&cmd);
		if (rc < 0)
			break;
	}
	for (size_t i = 0; i < sent; i++) {
		struct session_result result;
		struct session_err wait_err = { 0 };
		session_result_init(&result);
		if (session_wait(session, tickets[i], &result, &wait_err) < 0 && rc == 0) {
			*err = wait_err;
			rc = -1;
		}
		counts[i] = counted(&result);
		session_result_release(&result);
	}
	free(tickets);
	return rc;
}

/*
 * Every month of the span: years first, then the months of the years that
 * have mail (a message dated 1970 costs one SEARCH per year, not twelve).
 */
static int count_months(struct archive *archive, struct archive_months *months,
                        struct session_err *err)
{
	int first = months->first_year * 12 + months->first_month - 1;
	int nyears = months->last_year - months->first_year + 1;
	int *from = xcalloc((size_t)nyears * 12, sizeof(*from));
	uint32_t *years = xcalloc((size_t)nyears, sizeof(*years));
	size_t nfrom = 0;
	int rc;

	/* over whatever count_months_near left */
	memset(months->counts, 0, months->n * sizeof(*months->counts));
	for (int y = 0; y < nyears; y++)
		from[y] = (months->first_year + y) * 12;
	rc = count_spans(archive, from, (size_t)nyears, 12, NULL, years, err);
	for (int y = 0; rc == 0 && y < nyears; y++)
		for (int m = 0; m < 12 && years[y]; m++) {
			int at = (months->first_year + y) * 12 + m;
			if (at >= first && at - first < (int)months->n)
				from[nfrom++] = at;
		}
	if (rc == 0 && nfrom) {
		uint32_t *counts = xcalloc(nfrom, sizeof(*counts));
		rc = count_spans(archive, from, nfrom, 1, NULL, counts, err);
		for (size_t i = 0; rc == 0 && i < nfrom; i++)
			months->counts[from[i] - first] = counts[i];
		free(counts);
	}
	free(from);
	free(years);
	return rc;
}

/*
 * Counting each month over the whole mailbox costs a SEARCH that reads
 * every message's date per month: at 832,300 messages over 46 years, 598
 * of them took 190 s.  But the date order (UID SORT (REVERSE DATE))
 * holds a month's messages together, so each month is counted among the
 * UIDs near it alone:
 *
 * - binary searches in the order find where each month starts and ends,
 *   all months' at once, a FETCH of Date headers a step (about 20 steps
 *   at 832,300); each end is moved out by MONTH_MARGIN, as SENTSINCE and
 *   SENTBEFORE read the date in the sender's zone (RFC 3501 6.4.4) where
 *   the order has it in UTC, and a zone is at most 99:59 (RFC 5322);
 * - each month's SEARCH gets "UID set" of the messages in between;
 * - one SEARCH over the whole span checks the sum.  A month counted among
 *   fewer messages can only come out short, so an equal sum means every
 *   month is exact.  When it is not (Dovecot dates a Date header it
 *   cannot read 1970-01-01 for SENTSINCE but sorts it by INTERNALDATE),
 *   the months are counted over the whole mailbox after all.
 */
#define MONTH_MARGIN (5 * 24 * 3600)
/* UIDs in one FETCH of Date headers, and the longest "UID set" of a month
 * (RFC 7162 3.2.1 asks servers for lines of 8,192 octets at least). */
#define WINDOW_FETCH 500
#define WINDOW_SET_MAX 4000

/* The first second of month (year * 12 + month - 1), UTC. */
static time_t month_start(int month)
{
	struct tm tm = { .tm_year = month / 12 - 1900, .tm_mon = month % 12, .tm_mday = 1 };
	return timegm(&tm);
}

struct probe {
	size_t at;                 /* a place in the date order */
	time_t date;               /* its message's Date, else INTERNALDATE */
};

static int compare_probe_at(const void *a, const void *b)
{
	const struct probe *x = a, *y = b;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* The date of each probe's message, uids[probe->at], as the order has it. */
static int probe_dates(struct archive *archive, const uint32_t *uids,
                       struct probe *probes, size_t n, struct session_err *err)
{
	for (size_t start = 0; start < n; start += WINDOW_FETCH) {
		size_t count = n - start < WINDOW_FETCH ? n - start : WINDOW_FETCH;
		struct probe *chunk = probes + start;
		struct session_result result;
		struct buf set = BUF_INIT;
		for (size_t i = 0; i < count; i++) {
			chunk[i].date = 0;
			buf_addf(&set, "%s%u", i ? "," : "", uids[chunk[i].at]);
		}
		int rc = uid_fetch(archive, buf_cstr(&set), SORT_DATE_ITEMS, &result, err);
		buf_release(&set);
		if (rc < 0) {
			session_result_release(&result);
			return -1;
		}
		size_t ndated;
		struct dated_uid *dated = dated_answers(&result, &ndated);
		session_result_release(&result);
		if (ndated)
			qsort(dated, ndated, sizeof(*dated), compare_dated_uid);
		for (size_t i = 0; i < count; i++) {
			struct dated_uid key = { .uid = uids[chunk[i].at] };
			const struct dated_uid *found =
				ndated ? bsearch(&key, dated, ndated, sizeof(*dated),
				                 compare_dated_uid) : NULL;
			if (found)
				chunk[i].date = found->date;
		}
		free(dated);
	}
	return 0;
}

/*
 * For each of the n limits, the first place in uids (newest first) whose
 * date is older than the limit: binary searches side by side, one FETCH
 * of the probes a step.
 */
static int find_limits(struct archive *archive, const uint32_t *uids, size_t nuids,
                       const time_t *limits, size_t n, size_t *places,
                       struct session_err *err)
{
	size_t *hi = xcalloc(n + 1, sizeof(*hi));
	struct probe *probes = xcalloc(n + 1, sizeof(*probes));
	int rc = 0;

	for (size_t k = 0; k < n; k++) {
		places[k] = 0;
		hi[k] = nuids;
	}
	for (;;) {
		size_t nprobes = 0, kept = 0;
		for (size_t k = 0; k < n; k++)
			if (places[k] < hi[k])
				probes[nprobes++].at = places[k] + (hi[k] - places[k]) / 2;
		if (!nprobes)
			break;
		qsort(probes, nprobes, sizeof(*probes), compare_probe_at);
		for (size_t i = 0; i < nprobes; i++)
			if (!kept || probes[i].at != probes[kept - 1].at)
				probes[kept++] = probes[i];
		if ((rc = probe_dates(archive, uids, probes, kept, err)) < 0)
			break;
		for (size_t k = 0; k < n; k++) {
			if (places[k] >= hi[k])
				continue;
			struct probe key = { .at = places[k] + (hi[k] - places[k]) / 2 };
			const struct probe *found =
				bsearch(&key, probes, kept, sizeof(*probes), compare_probe_at);
			if (found->date < limits[k])
				hi[k] = key.at;
			else
				places[k] = key.at + 1;
		}
	}
	free(hi);
	free(probes);
	return rc;
}

static int compare_uid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* "3:5,9" of uids (sorted here); "lowest:highest" when that would be long. */
static void window_set(uint32_t *uids, size_t n, struct buf *set)
{
	qsort(uids, n, sizeof(*uids), compare_uid);
	for (size_t i = 0; i < n && set->len <= WINDOW_SET_MAX; i++) {
		size_t j = i;
		while (j + 1 < n && uids[j + 1] <= uids[j] + 1)
			j++;
		buf_addf(set, "%s%u", set->len ? "," : "", uids[i]);
		if (uids[j] != uids[i])
			buf_addf(set, ":%u", uids[j]);
		i = j;
	}
	if (set->len > WINDOW_SET_MAX) {
		buf_reset(set);
		buf_addf(set, "%u:%u", uids[0], uids[n - 1]);
	}
}

/*
 * The months counted near their messages (above): 0 when done, 1 when
 * the sum did not hold (months->counts are then to be counted again).
 */
static int count_months_near(struct archive *archive, struct archive_months *months,
                             const uint32_t *uids, size_t nuids, struct session_err *err)
{
	size_t n = months->n, nsets = 0;
	int first = months->first_year * 12 + months->first_month - 1;
	time_t *limits = xcalloc(2 * n + 1, sizeof(*limits));
	size_t *places = xcalloc(2 * n + 1, sizeof(*places));
	int *from = xcalloc(n + 1, sizeof(*from));
	struct buf *sets = xcalloc(n + 1, sizeof(*sets));
	uint32_t *window = NULL, *counts = xcalloc(n + 1, sizeof(*counts)), total = 0;
	uint64_t sum = 0;
	int rc;

	/* month m's messages lie between places[2m] and places[2m + 1] */
	for (size_t m = 0; m < n; m++) {
		limits[2 * m] = month_start(first + (int)m + 1) + MONTH_MARGIN;
		limits[2 * m + 1] = month_start(first + (int)m) - MONTH_MARGIN;
	}
	rc = find_limits(archive, uids, nuids, limits, 2 * n, places, err);
	for (size_t m = 0; rc == 0 && m < n; m++) {
		size_t lo = places[2 * m], hi = places[2 * m + 1];
		months->counts[m] = 0;
		if (lo >= hi)
			continue;
		window = xrealloc(window, (hi - lo) * sizeof(*window));
		memcpy(window, uids + lo, (hi - lo) * sizeof(*window));
		window_set(window, hi - lo, &sets[nsets]);
		from[nsets++] = first + (int)m;
	}
	if (rc == 0)
		rc = count_spans(archive, from, nsets, 1, sets, counts, err);
	if (rc == 0)
		rc = count_spans(archive, &first, 1, (int)n, NULL, &total, err);
	for (size_t i = 0; rc == 0 && i < nsets; i++) {
		months->counts[from[i] - first] = counts[i];
		sum += counts[i];
	}
	if (rc == 0 && sum != total)
		rc = 1;
	for (size_t i = 0; i < nsets; i++)
		buf_release(&sets[i]);
	free(sets);
	free(from);
	free(window);
	free(counts);
	free(places);
	free(limits);
	return rc;
}

/*
 * Messages looked at, at each end of the date order, for the newest and
 * the oldest month.  Dovecot's SORT puts a date before 1970 first, as
 * the newest, and a date too large for it last: the ends of the order
 * may hold dates no calendar should start or end on.
 */
#define END_PROBES 16
/* A date later than now by more than this is a broken clock's. */
#define FUTURE_SLACK (24 * 3600)

/*
 * The month (year * 12 + month - 1) of the newest (newest_end) or the
 * oldest plausible date among the END_PROBES messages at that end of
 * uids: dated from 1970 to a day from now; -1 when none is.
 */
static int end_month(struct archive *archive, const uint32_t *uids, size_t n,
                     bool newest_end, struct session_err *err, int *month)
{
	size_t count = n < END_PROBES ? n : END_PROBES;
	struct message_info *info = NULL;
	size_t ninfo = 0;
	time_t latest = time(NULL) + FUTURE_SLACK;
	struct tm tm;

	*month = -1;
	if (archive_summaries(archive, newest_end ? uids : uids + n - count, count,
	                      &info, &ninfo, err) < 0)
		return -1;
	for (size_t i = 0; i < ninfo; i++) {
		if (!info[i].has_date || info[i].date < 0 || info[i].date > latest ||
		    !gmtime_r(&info[i].date, &tm))
			continue;
		int m = (tm.tm_year + 1900) * 12 + tm.tm_mon;
		if (*month < 0 || (newest_end ? m > *month : m < *month))
			*month = m;
	}
	archive_summaries_free(info, ninfo);
	return 0;
}

static void months_free(void *payload)
{
	struct archive_months *span = payload;

	free(span->counts);
	free(span);
}

/* The months and their counts: a share_builder's build. */
static int build_months(void *ctx, const struct share_key *key, void **payload,
                        struct session_err *err)
{
	struct archive *archive = ctx;
	struct archive_months *span = xcalloc(1, sizeof(*span));
	struct stamp before = { 0 };
	const uint32_t *uids;
	size_t n;
	int newest, oldest, rc = -1;

	(void)key;
	stamp_take(&before, session_mailbox(archive->session));
	if (archive_sorted_uids(archive, &uids, &n, err) < 0)
		goto out;
	if (n && (end_month(archive, uids, n, true, err, &newest) < 0 ||
	          end_month(archive, uids, n, false, err, &oldest) < 0))
		goto out;
	if (n && newest >= 0) {
		/* Sorted by date, the last have the oldest (a dateless one: its
		 * arrival); a span longer than ARCHIVE_MAX_YEARS is cut. */
		if (oldest < 0 || oldest > newest)
			oldest = newest;
		if (newest - oldest >= ARCHIVE_MAX_YEARS * 12)
			oldest = newest - (ARCHIVE_MAX_YEARS * 12 - 1);
		span->first_year = oldest / 12;
		span->first_month = oldest % 12 + 1;
		span->last_year = newest / 12;
		span->last_month = newest % 12 + 1;
		span->n = (size_t)(newest - oldest + 1);
		span->counts = xcalloc(span->n, sizeof(*span->counts));
		int near = count_months_near(archive, span, uids, n, err);
		if (near < 0 || (near > 0 && count_months(archive, span, err) < 0))
			goto out;
	}
	/* For the key's messages only if the mailbox did not move meanwhile. */
	rc = stamp_matches(&before, session_mailbox(archive->session)) ? 0 : 1;
	*payload = span;
	span = NULL;
out:
	if (span)
		months_free(span);
	stamp_release(&before);
	return rc;
}

int archive_months(struct archive *archive, const struct archive_months **months,
                   struct session_err *err)
{
	struct session *session = session_of(archive, err);
	const struct archive_months *span;

	*months = NULL;
	if (!session)
		return -1;
	span = hold_answer(archive, SHARE_MONTHS, NULL, build_months, months_free,
	                   archive, &archive->months, err);
	if (!span)
		return -1;
	*months = span->n ? span : NULL;
	return 0;
}

/*
 * The UIDs of set (any order; sorted here) in the mailbox's date order,
 * newest first: one walk of the kept order, marking set in a bitmap when
 * its UIDs are dense enough (an eighth of a byte a UID), else by binary
 * search.  UIDs of set that the order does not have are dropped.
 */
static int keep_sorted(struct archive *archive, uint32_t *set, size_t nset,
                       uint32_t **kept, size_t *nkept, struct session_err *err)
{
	const uint32_t *sorted;
	size_t nsorted;
	uint32_t highest = 0;

	*kept = NULL;
	*nkept = 0;
	if (archive_sorted_uids(archive, &sorted, &nsorted, err) < 0)
		return -1;
	*kept = xcalloc(nset + 1, sizeof(**kept));
	if (!nset)
		return 0;
	for (size_t i = 0; i < nset; i++)
		if (set[i] > highest)
			highest = set[i];
	if (highest / 8 <= nsorted * 4 + 65536) {
		uint64_t *marked = xcalloc(highest / 64 + 1, sizeof(*marked));
		for (size_t i = 0; i < nset; i++)
			marked[set[i] / 64] |= UINT64_C(1) << (set[i] % 64);
		for (size_t i = 0; i < nsorted && *nkept < nset; i++)
			if (sorted[i] <= highest &&
			    (marked[sorted[i] / 64] >> (sorted[i] % 64) & 1))
				(*kept)[(*nkept)++] = sorted[i];
		free(marked);
		return 0;
	}
	qsort(set, nset, sizeof(*set), compare_uid);
	for (size_t i = 0; i < nsorted && *nkept < nset; i++)
		if (bsearch(&sorted[i], set, nset, sizeof(*set), compare_uid))
			(*kept)[(*nkept)++] = sorted[i];
	return 0;
}

/*
 * How many messages the chart counts in month (year * 12 + month - 1):
 * -1 when the chart does not show it (or there is none).
 */
static long charted(struct archive *archive, int month, struct session_err *err)
{
	const struct archive_months *months;
	int first;

	if (archive_months(archive, &months, err) < 0) {
		memset(err, 0, sizeof(*err));
		return -1;
	}
	if (!months)
		return -1;
	first = months->first_year * 12 + months->first_month - 1;
	if (month < first || month - first >= (int)months->n)
		return -1;
	return months->counts[month - first];
}

/* The UIDs near month in the date order, as a "UID set" (count_months_near). */
static int month_window(struct archive *archive, int month, struct buf *set,
                        struct session_err *err)
{
	const uint32_t *sorted;
	size_t nsorted, places[2];
	time_t limits[2] = { month_start(month + 1) + MONTH_MARGIN,
	                     month_start(month) - MONTH_MARGIN };

	if (archive_sorted_uids(archive, &sorted, &nsorted, err) < 0 ||
	    find_limits(archive, sorted, nsorted, limits, 2, places, err) < 0)
		return -1;
	if (places[0] < places[1]) {
		uint32_t *window = xmalloc((places[1] - places[0]) * sizeof(*window));
		memcpy(window, sorted + places[0], (places[1] - places[0]) * sizeof(*window));
		window_set(window, places[1] - places[0], set);
		free(window);
	}
	return 0;
}

/* "UID SEARCH [UID set] SENTSINCE ... SENTBEFORE ...": the month's UIDs. */
static int search_month(struct archive *archive, int year, int month,
                        const struct buf *set, uint32_t **found, size_t *nfound,
                        struct session_err *err)
{
	struct session_result result;
	struct imap_cmd cmd;
	int rc;

	free(*found);
	*found = NULL;
	*nfound = 0;
	imap_cmd_init(&cmd, "UID SEARCH");
	if (set) {
		imap_cmd_atom(&cmd, "UID");
		imap_cmd_seqset(&cmd, buf_cstr(set));
	}
	month_keys(&cmd, year, month);
	rc = run(archive, &cmd, &result, err);
	imap_cmd_release(&cmd);
	if (rc == 0)
		collect_numbers(&result, "SEARCH", found, nfound);
	session_result_release(&result);
	return rc;
}

/*
 * Among the UIDs near the month when the chart counts it and they hold
 * that many (none to look for when it counts 0), else over the whole
 * mailbox.
 */
int archive_month_uids(struct archive *archive, int year, int month,
                       uint32_t **uids, size_t *n, struct session_err *err)
{
	struct buf set = BUF_INIT;
	uint32_t *found = NULL;
	size_t nfound = 0;
	long expected = charted(archive, year * 12 + month - 1, err);
	bool done = expected == 0;
	int rc = 0;

	*uids = NULL;
	*n = 0;
	if (expected > 0) {
		if (month_window(archive, year * 12 + month - 1, &set, err) < 0) {
			memset(err, 0, sizeof(*err)); /* the whole mailbox, then */
		} else if (set.len) {
			rc = search_month(archive, year, month, &set, &found, &nfound, err);
			done = rc < 0 || nfound == (size_t)expected;
		}
	}
	if (!done)
		rc = search_month(archive, year, month, NULL, &found, &nfound, err);
	if (rc == 0)
		rc = keep_sorted(archive, found, nfound, uids, n, err);
	free(found);
	buf_release(&set);
	return rc;
}

/* ---- summaries --------------------------------------------------------- */

static int compare_info_uid(const void *a, const void *b)
{
	const struct message_info *x = a, *y = b;
	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

void archive_summaries_free(struct message_info *infos, size_t n)
{
	for (size_t i = 0; i < n; i++)
		message_info_release(&infos[i]);
	free(infos);
}

/* The PREVIEW of each FETCH answer, (*previews)[k] for uids[k]. */
static void take_previews(const struct session_result *result, const uint32_t *uids,
                          size_t n, char **previews)
{
	for (size_t i = 0; i < result->nuntagged; i++) {
		struct imap_fetch view;
		struct imap_view_err view_err;
		if (imap_view_fetch(result->untagged[i], &view, &view_err) < 0)
			continue;
		for (size_t k = 0; k < n && view.preview.p; k++)
			if (uids[k] == view.uid && !previews[k])
				previews[k] = str_dup(view.preview);
		imap_fetch_release(&view);
	}
}

/* The preview fetched for uid, or NULL. */
static const char *preview_of(const uint32_t *uids, size_t n, char **previews,
                              uint32_t uid)
{
	for (size_t k = 0; k < n; k++)
		if (uids[k] == uid)
			return previews[k];
	return NULL;
}

/*
 * archive_summaries, with items; the previews too unless NULL.  The
 * summaries kept from earlier pages (summary_cache.h) are not asked for
 * again; those fetched are kept.
 */
static int fetch_summaries(struct archive *archive, const uint32_t *uids, size_t n,
                           const char *items, struct message_info **infos,
                           size_t *ninfos, char **previews, struct session_err *err)
{
	const struct mailbox_state *state =
		archive->session ? session_mailbox(archive->session) : NULL;
	struct session_result result;
	struct message_info *got = NULL;
	struct message_info *kept = xcalloc(n + 1, sizeof(*kept));
	bool *hit = xcalloc(n + 1, sizeof(*hit));
	uint32_t *missing = xcalloc(n + 1, sizeof(*missing));
	struct buf set = BUF_INIT;
	size_t ngot = 0, nmissing = 0;
	int rc = 0;

	*infos = NULL;
	*ninfos = 0;
	session_result_init(&result);
	if (state)
		summary_cache_get(state->name, state->uidvalidity, uids, n, kept,
		                  previews, hit);
	for (size_t k = 0; k < n; k++)
		if (!hit[k])
			missing[nmissing++] = uids[k];
	uid_set(&set, missing, nmissing);
	if (set.len && (rc = uid_fetch(archive, buf_cstr(&set), items, &result, err)) < 0)
		goto out;
	if (previews)
		take_previews(&result, uids, n, previews);
	got = xcalloc(result.nuntagged + 1, sizeof(*got));
	for (size_t i = 0; i < result.nuntagged; i++)
		if (message_info_from_fetch(&got[ngot], result.untagged[i]) == 0)
			ngot++;
	state = archive->session ? session_mailbox(archive->session) : NULL;
	for (size_t i = 0; state && i < ngot; i++)
		summary_cache_put(state->name, state->uidvalidity, &got[i], previews != NULL,
		                  previews ? preview_of(uids, n, previews, got[i].uid) : NULL);
	if (ngot)
		qsort(got, ngot, sizeof(*got), compare_info_uid);
	*infos = xcalloc(n + 1, sizeof(**infos));
	for (size_t k = 0; k < n; k++) {
		struct message_info key = { .uid = uids[k] };
		struct message_info *info = hit[k] ? &kept[k]
		                          : ngot ? bsearch(&key, got, ngot, sizeof(*got),
		                                           compare_info_uid) : NULL;
		/* Taken once: a UID asked for twice is shown once. */
		if (info && info->uid && !message_info_find(*infos, *ninfos, uids[k])) {
			(*infos)[(*ninfos)++] = *info;
			memset(info, 0, sizeof(*info));
			info->uid = uids[k];
			info->seq = UINT32_MAX;   /* marks "moved out" */
		}
	}
	for (size_t i = 0; i < ngot; i++)
		if (got[i].seq != UINT32_MAX)
			message_info_release(&got[i]);
	free(got);
out:
	for (size_t k = 0; k < n; k++)
		if (kept[k].seq != UINT32_MAX)
			message_info_release(&kept[k]);
	free(kept);
	free(hit);
	free(missing);
	buf_release(&set);
	session_result_release(&result);
	return rc;
}

int archive_summaries(struct archive *archive, const uint32_t *uids, size_t n,
                      struct message_info **infos, size_t *ninfos,
                      struct session_err *err)
{
	return fetch_summaries(archive, uids, n, MESSAGE_INFO_ITEMS, infos, ninfos,
	                       NULL, err);
}

int archive_summaries_previews(struct archive *archive, const uint32_t *uids,
                               size_t n, struct message_info **infos,
                               size_t *ninfos, char ***previews,
                               struct session_err *err)
{
	struct session *session = session_of(archive, err);
	struct session_err preview_err = { 0 };

	*previews = xcalloc(n + 1, sizeof(**previews));
	*infos = NULL;
	*ninfos = 0;
	if (!session)
		return -1;
	if (session_has_cap(session, CAP_PREVIEW))
		return fetch_summaries(archive, uids, n,
		                       "(UID INTERNALDATE PREVIEW BODY.PEEK[" MESSAGE_SUMMARY_FIELDS "])",
		                       infos, ninfos, *previews, err);
	if (archive_summaries(archive, uids, n, infos, ninfos, err) < 0)
		return -1;
	/* Previews are a help, not the answer: without them the page stands. */
	archive_previews_free(*previews, n);
	if (archive_previews(archive, uids, n, previews, &preview_err) < 0 &&
	    archive_broken(archive))
		fprintf(stderr, "imapeek: the previews: %s\n", preview_err.message);
	return 0;
}

/*
 * A short text of each message: the server's PREVIEW (RFC 8970) where it
 * has one, else the start of its first part (BODY.PEEK[1]<0.N>) as it is
 * stored (no decoding: a hint of the text, cut at a line's end).  The
 * caller makes either valid UTF-8 and escapes it.
 */
int archive_previews(struct archive *archive, const uint32_t *uids, size_t n,
                     char ***previews, struct session_err *err)
{
	struct session *session = session_of(archive, err);
	struct session_result result;
	struct buf set = BUF_INIT;
	bool preview;
	int rc;

	*previews = xcalloc(n + 1, sizeof(**previews));
	if (!session)
		return -1;
	uid_set(&set, uids, n);
	if (!set.len) {
		buf_release(&set);
		return 0;
	}
	preview = session_has_cap(session, CAP_PREVIEW);
	rc = uid_fetch(archive, buf_cstr(&set),
	               preview ? "(UID PREVIEW)"
	                       : "(UID BODY.PEEK[1]<0." ARCHIVE_PREVIEW_BYTES_TEXT ">)",
	               &result, err);
	buf_release(&set);
	for (size_t i = 0; rc == 0 && i < result.nuntagged; i++) {
		struct imap_fetch view;
		struct imap_view_err view_err;
		if (imap_view_fetch(result.untagged[i], &view, &view_err) < 0) {
			imap_fetch_release(&view);
			continue;
		}
		const struct imap_fetch_part *part = preview ? NULL
		                                              : imap_fetch_part(&view, false, "1");
		struct str text = preview ? view.preview : part ? part->data : STR_NULL;
		for (size_t k = 0; k < n && text.p; k++)
			if (uids[k] == view.uid && !(*previews)[k])
				(*previews)[k] = str_dup(text);
		imap_fetch_release(&view);
	}
	session_result_release(&result);
	return rc;
}

void archive_previews_free(char **previews, size_t n)
{
	for (size_t i = 0; previews && i < n; i++)
		free(previews[i]);
	free(previews);
}

/* ---- messages ---------------------------------------------------------- */

static const char text_lost[] =
	"The text of this message could not be read from the mail store; "
	"its raw form may still be.";

void archive_message_release(struct archive_message *msg)
{
	message_info_release(&msg->info);
	message_parts_release(&msg->parts);
	mime_body_release(&msg->body);
	msg->found = false;
	msg->note = NULL;
}

/*
 * A message page's FETCHes in flight (send_details): the details' and
 * the summaries', and the open mailbox's state when they went.
 */
struct archive_pending {
	unsigned session;        /* the archive's sessions_opened then */
	unsigned tickets[2];
	size_t sent;             /* commands to read: 0, 1 or 2 */
	bool failed;             /* the details' FETCH did not go: err says why */
	struct session_err err;
	struct stamp sent_at;
	/* also's summaries that were kept (summary_cache.h): copies, not asked */
	struct message_info *kept;
	size_t nkept;
};

/*
 * The summaries of also->uids among the answers, once each.  The newest
 * answers are looked at first: the summaries' FETCH comes after the
 * details', whose answer for the same message is larger to read.
 */
static void take_also(struct archive *archive, struct archive_pending *pending,
                      struct archive_also *also, const struct archive_message *msgs,
                      size_t n, const struct session_result *results, size_t nresults)
{
	const struct mailbox_state *state =
		archive->session ? session_mailbox(archive->session) : NULL;

	also->infos = xcalloc(also->n + 1, sizeof(*also->infos));
	also->ninfos = 0;
	for (size_t k = 0; k < pending->nkept && also->ninfos < also->n; k++)
		if (!message_info_find(also->infos, also->ninfos, pending->kept[k].uid)) {
			also->infos[also->ninfos++] = pending->kept[k];
			memset(&pending->kept[k], 0, sizeof(pending->kept[k]));
		}
	for (size_t r = nresults; r-- > 0;)
		for (size_t i = results[r].nuntagged; i-- > 0 && also->ninfos < also->n;) {
			const struct imap_response *response = results[r].untagged[i];
			struct message_info *info = &also->infos[also->ninfos];
			bool wanted = false, detailed = false;
			uint32_t uid;
			if (!imap_view_fetch_uid(response, &uid) ||
			    message_info_find(also->infos, also->ninfos, uid))
				continue;
			for (size_t k = 0; k < also->n && !wanted; k++)
				wanted = also->uids[k] == uid;
			if (!wanted || message_info_from_fetch(info, response) < 0)
				continue;
			if (info->uid != uid) {
				message_info_release(info);
				continue;
			}
			/*
			 * Asked for by the summaries' FETCH (whichever command's
			 * answer the server sent it with): kept.
			 */
			for (size_t m = 0; m < n && !detailed; m++)
				detailed = msgs[m].uid == uid;
			if (!detailed && state)
				summary_cache_put(state->name, state->uidvalidity, info, false, NULL);
			also->ninfos++;
		}
}

/*
 * The details' FETCH asks for the first TEXT_GUESS bytes of part 1 too:
 * for most mail (one text part, or the text before a multipart/mixed's
 * attachments) that is the whole text, and the message comes in one
 * round trip.  Its transfer encoding is undone here (mime_decode_body, as
 * for a part the server will not decode) rather than asked of the server
 * (BINARY) in another round trip.  When more parts are shown, or part 1 is
 * longer, the texts' FETCH follows as before.
 */
#define TEXT_GUESS 65536
#define TEXT_GUESS_ITEM "BODY.PEEK[1]<0.65536>"

/* msg's text from the details' answer when it holds all of it: true. */
static bool text_from_guess(struct archive_message *msg, const struct imap_fetch *view)
{
	struct buf items = BUF_INIT;
	const struct imap_fetch_part *part = imap_fetch_part(view, false, "1");
	bool whole;

	whole = part && part->data.len < TEXT_GUESS &&
	        mime_body_items(&msg->parts, false, &items) == 1 &&
	        !strcmp(buf_cstr(&items), "(BODY.PEEK[1])");
	buf_release(&items);
	if (whole)
		mime_body_from_fetch(view, &msg->parts, &msg->body);
	return whole;
}

/*
 * Headers and structure of msgs, one UID FETCH for all of them, and the
 * summaries of also->uids in the same write: sent, not waited for.
 */
static void send_details(struct archive *archive, const struct archive_message *msgs,
                         size_t n, const struct archive_also *also,
                         struct archive_pending *pending)
{
	struct session *session = session_of(archive, &pending->err);
	struct session_err also_err = { 0 };
	const struct mailbox_state *state;
	struct buf set = BUF_INIT;
	uint32_t *uids = xcalloc(n + 1, sizeof(*uids));

	for (size_t i = 0; i < n; i++)
		uids[i] = msgs[i].uid;
	uid_set(&set, uids, n);
	free(uids);
	pending->failed = !session;
	if (!session || !set.len)
		goto out;
	if (send_fetch(session, buf_cstr(&set),
	               MESSAGE_DETAIL_ITEMS_WITH(" " TEXT_GUESS_ITEM), &pending->tickets[0],
	               &pending->err) < 0) {
		pending->failed = true;
		goto out;
	}
	pending->sent = 1;
	pending->session = archive->sessions_opened;
	buf_reset(&set);
	/*
	 * Not the messages asked for in full (take_also reads their details),
	 * nor the summaries kept from earlier pages.
	 */
	uids = xcalloc((also ? also->n : 0) + 1, sizeof(*uids));
	size_t nuids = 0;
	for (size_t k = 0; also && k < also->n; k++) {
		bool detailed = false;
		for (size_t i = 0; i < n && !detailed; i++)
			detailed = msgs[i].uid == also->uids[k];
		if (!detailed)
			uids[nuids++] = also->uids[k];
	}
	state = session_mailbox(session);
	if (state && nuids) {
		bool *hit = xcalloc(nuids, sizeof(*hit));
		size_t nmissing = 0;
		pending->kept = xcalloc(nuids, sizeof(*pending->kept));
		summary_cache_get(state->name, state->uidvalidity, uids, nuids,
		                  pending->kept, NULL, hit);
		for (size_t k = 0; k < nuids; k++) {
			if (!hit[k]) {
				uids[nmissing++] = uids[k];
				continue;
			}
			/* Moved to the front: each copy is held once. */
			struct message_info info = pending->kept[k];
			memset(&pending->kept[k], 0, sizeof(pending->kept[k]));
			pending->kept[pending->nkept++] = info;
		}
		nuids = nmissing;
		free(hit);
	}
	uid_set(&set, uids, nuids);
	free(uids);
	/* The summaries are a help: their failure leaves the page whole. */
	if (set.len && send_fetch(session, buf_cstr(&set), MESSAGE_INFO_ITEMS,
	                          &pending->tickets[1], &also_err) == 0)
		pending->sent = 2;
	state = session_mailbox(session);
	if (state)
		stamp_take(&pending->sent_at, state);
out:
	buf_release(&set);
}

/*
 * The answers to send_details: msgs found (texted[i] when the details
 * held the whole text, text_from_guess) and also's summaries.  The
 * server may route a FETCH answer to either command: both answers are
 * looked in.  0, or -1 with err.  ahead: they were sent before the
 * stamp's NOOP (archive_messages_send).
 */
static int take_details(struct archive *archive, struct archive_pending *pending,
                        struct archive_message *msgs, size_t n,
                        struct archive_also *also, bool ahead, bool *texted,
                        struct session_err *err)
{
	struct session_err also_err = { 0 };
	struct session_result results[2];
	size_t sent = pending->sent;
	int rc = 0;

	pending->sent = 0;
	if (pending->failed) {
		*err = pending->err;
		return -1;
	}
	/* Its session broke and another was opened: the answers are lost. */
	if (sent && (!archive->session || pending->session != archive->sessions_opened)) {
		fail(err, SESSION_FAILED, "the imapd ended before it answered");
		return -1;
	}
	for (size_t k = 0; k < sent; k++) {
		session_result_init(&results[k]);
		if (session_wait(archive->session, pending->tickets[k], &results[k],
		                 k ? &also_err : err) < 0 && k == 0)
			rc = -1;
	}
	/*
	 * Asked ahead, the details meet first what the stamp's NOOP met when
	 * it went first: a NO, or a warning (an untagged NO: what came is
	 * not whole), is the store failing to be read (a 502, not a 404; a
	 * UID FETCH answers OK for UIDs that are not there), but for a
	 * message expunged meanwhile ([EXPUNGEISSUED], RFC 9051 7.1).
	 */
	if (ahead && rc < 0 && err->code == SESSION_NO &&
	    strcasecmp(err->response_code, "EXPUNGEISSUED") != 0)
		session_err_store_failed(err);
	else if (ahead && rc == 0 && sent &&
	         session_result_warned(&results[0], "UID FETCH", err))
		rc = -1;
	for (size_t r = 0; rc == 0 && r < sent; r++)
		for (size_t u = 0; u < results[r].nuntagged; u++) {
			const struct imap_response *response = results[r].untagged[u];
			struct imap_fetch view;
			struct imap_view_err view_err;
			size_t wanted = n;
			uint32_t uid;
			/* the outline's summaries are not read here */
			if (!imap_view_fetch_uid(response, &uid))
				continue;
			for (size_t i = 0; i < n && wanted == n; i++)
				if (msgs[i].uid == uid && !msgs[i].found)
					wanted = i;
			if (wanted == n || imap_view_fetch(response, &view, &view_err) < 0)
				continue;
			for (size_t i = wanted; view.has_uid && view.body && i < n; i++) {
				if (msgs[i].uid != view.uid || msgs[i].found)
					continue;
				if (message_info_from_view(&msgs[i].info, &view) == 0) {
					msgs[i].found = true;
					if (mime_parts_from_view(&view, &msgs[i].parts) < 0)
						memset(&msgs[i].parts, 0, sizeof(msgs[i].parts));
					texted[i] = text_from_guess(&msgs[i], &view);
				}
				break;
			}
			imap_fetch_release(&view);
		}
	if (rc == 0 && also)
		take_also(archive, pending, also, msgs, n, results, sent);
	for (size_t k = 0; k < sent; k++)
		session_result_release(&results[k]);
	return rc;
}

/* Answers sent for and not taken: read and dropped. */
static void drop_details(struct archive *archive, struct archive_pending *pending)
{
	for (size_t k = 0; k < pending->sent; k++) {
		struct session_result result;
		struct session_err ignored = { 0 };

		session_result_init(&result);
		if (archive->session && pending->session == archive->sessions_opened)
			session_wait(archive->session, pending->tickets[k], &result, &ignored);
		session_result_release(&result);
	}
	pending->sent = 0;
	stamp_release(&pending->sent_at);
	for (size_t k = 0; k < pending->nkept; k++)
		message_info_release(&pending->kept[k]);
	free(pending->kept);
	pending->kept = NULL;
	pending->nkept = 0;
}

/* The texts' FETCH for one message; 0 when it has no text to fetch. */
static size_t text_command(const struct archive_message *msg, bool binary,
                           struct imap_cmd *cmd)
{
	struct buf items = BUF_INIT;
	char set[16];
	size_t wanted = mime_body_items(&msg->parts, binary, &items);

	if (wanted) {
		snprintf(set, sizeof(set), "%u", msg->uid);
		imap_cmd_init(cmd, "UID FETCH");
		imap_cmd_seqset(cmd, set);
		imap_cmd_fetch_items(cmd, buf_cstr(&items));
	}
	buf_release(&items);
	return wanted;
}

/* The message's text from whichever of the answers carries its FETCH. */
static bool take_text(struct archive_message *msg,
                      const struct session_result *results, size_t nresults)
{
	struct imap_fetch view;

	for (size_t i = 0; i < nresults; i++) {
		if (!find_fetch(&results[i], msg->uid, &view))
			continue;
		mime_body_release(&msg->body);
		mime_body_from_fetch(&view, &msg->parts, &msg->body);
		imap_fetch_release(&view);
		return true;
	}
	return false;
}

/*
 * One message's text with BODY.PEEK and our own decoders, in an imapd
 * started anew if the last one quit: the way back for a message the
 * server would not (or could not) decode, or that broke the session.
 */
static int text_plain(struct archive *archive, struct archive_message *msg,
                      struct session_err *err)
{
	struct session *session = session_of(archive, err);
	struct session_result result;
	struct imap_cmd cmd;
	int rc;

	if (!session)
		return -1;
	if (!text_command(msg, false, &cmd))
		return 0;
	session_result_init(&result);
	rc = session_run(session, &cmd, &result, err);
	if (rc == 0 && !take_text(msg, &result, 1))
		mime_body_from_fetch(NULL, &msg->parts, &msg->body);
	session_result_release(&result);
	imap_cmd_release(&cmd);
	return rc;
}

/*
 * The texts of msgs: one FETCH per message (their parts differ), all sent
 * before the first answer is read.  BINARY where offered; a message whose
 * BINARY fetch gets NO (RFC 3516's UNKNOWN-CTE), or ends the imapd (BYE:
 * Dovecot does so on broken base64), or whose answer cannot be read, is
 * fetched again alone with BODY.PEEK; if that fails too, it gets a note.
 */
static int fetch_texts(struct archive *archive, struct archive_message *msgs,
                       size_t n, const bool *texted, struct session_err *err)
{
	struct session *session = session_of(archive, err);
	bool binary = session && session_has_cap(session, CAP_BINARY);
	unsigned *tickets = xcalloc(n + 1, sizeof(*tickets));
	bool *sent = xcalloc(n + 1, sizeof(*sent));
	bool *again = xcalloc(n + 1, sizeof(*again));
	bool *answered = xcalloc(n + 1, sizeof(*answered));
	struct session_result *results = xcalloc(n + 1, sizeof(*results));
	size_t lost = 0, wanted = 0;
	int rc = 0;

	for (size_t i = 0; session && i < n; i++) {
		struct imap_cmd cmd;
		if (texted[i])
			continue;
		if (!msgs[i].found || !text_command(&msgs[i], binary, &cmd)) {
			if (msgs[i].found)   /* nothing displayed: headers only */
				mime_body_from_fetch(NULL, &msgs[i].parts, &msgs[i].body);
			continue;
		}
		wanted++;
		again[i] = true;
		if (!session_broken(session) &&
		    session_send(session, &cmd, &tickets[i], err) == 0)
			sent[i] = true;
		imap_cmd_release(&cmd);
	}
	/*
	 * Untagged FETCH answers are routed to the oldest pending FETCH, not
	 * always to the command that asked: each message's text is looked
	 * for in all the answers, by UID.
	 */
	for (size_t i = 0; session && i < n; i++) {
		struct session_err wait_err = { 0 };
		session_result_init(&results[i]);
		if (sent[i] &&
		    session_wait(session, tickets[i], &results[i], &wait_err) == 0)
			answered[i] = true;
	}
	for (size_t i = 0; session && i < n; i++)
		if (answered[i] && take_text(&msgs[i], results, n))
			again[i] = false;
	for (size_t i = 0; session && i < n; i++)
		session_result_release(&results[i]);
	for (size_t i = 0; i < n; i++) {
		struct session_err plain_err = { 0 };
		if (!again[i])
			continue;
		if (text_plain(archive, &msgs[i], &plain_err) < 0) {
			fprintf(stderr, "imapeek: the text of UID %u: %s\n", msgs[i].uid,
			        plain_err.message[0] ? plain_err.message : "(no detail)");
			mime_body_release(&msgs[i].body);
			mime_body_from_fetch(NULL, &msgs[i].parts, &msgs[i].body);
			msgs[i].note = text_lost;
			lost++;
			*err = plain_err;
		}
	}
	if (wanted && lost == wanted && archive_broken(archive))
		rc = -1;
	else
		memset(err, 0, sizeof(*err));
	free(tickets);
	free(sent);
	free(again);
	free(answered);
	free(results);
	return rc;
}

/* msgs emptied but for their UIDs, also's summaries none yet. */
static void messages_clear(struct archive_message *msgs, size_t n,
                           struct archive_also *also)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t uid = msgs[i].uid;
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].uid = uid;
	}
	if (also) {
		also->infos = NULL;
		also->ninfos = 0;
	}
}

/*
 * The details sent for, then the texts they did not hold: 0 or -1; when
 * asked ahead of the stamp, 1 when the mailbox changed since.
 */
static int take_messages(struct archive *archive, struct archive_pending *pending,
                         struct archive_message *msgs, size_t n,
                         struct archive_also *also, bool ahead,
                         struct session_err *err)
{
	const struct mailbox_state *state;
	bool *texted = xcalloc(n + 1, sizeof(*texted));
	int rc;

	messages_clear(msgs, n, also);
	rc = take_details(archive, pending, msgs, n, also, ahead, texted, err);
	state = archive->session ? session_mailbox(archive->session) : NULL;
	if (rc == 0 && ahead && (!state || !stamp_matches(&pending->sent_at, state))) {
		for (size_t i = 0; i < n; i++)
			archive_message_release(&msgs[i]);
		if (also)
			archive_summaries_free(also->infos, also->ninfos);
		messages_clear(msgs, n, also);
		rc = 1;
	} else if (rc == 0) {
		rc = fetch_texts(archive, msgs, n, texted, err);
	}
	free(texted);
	return rc;
}

int archive_messages_also(struct archive *archive, struct archive_message *msgs,
                          size_t n, struct archive_also *also,
                          struct session_err *err)
{
	struct archive_pending pending = { 0 };
	int rc;

	send_details(archive, msgs, n, also, &pending);
	rc = take_messages(archive, &pending, msgs, n, also, false, err);
	drop_details(archive, &pending);
	return rc;
}

struct archive_pending *archive_messages_send(struct archive *archive,
                                              const struct archive_message *msgs,
                                              size_t n, const struct archive_also *also)
{
	struct archive_pending *pending = xcalloc(1, sizeof(*pending));

	send_details(archive, msgs, n, also, pending);
	return pending;
}

int archive_messages_collect(struct archive *archive, struct archive_pending *pending,
                             struct archive_message *msgs, size_t n,
                             struct archive_also *also, struct session_err *err)
{
	return take_messages(archive, pending, msgs, n, also, true, err);
}

void archive_pending_free(struct archive *archive, struct archive_pending *pending)
{
	if (!pending)
		return;
	drop_details(archive, pending);
	free(pending);
}

int archive_messages(struct archive *archive, struct archive_message *msgs,
                     size_t n, struct session_err *err)
{
	return archive_messages_also(archive, msgs, n, NULL, err);
}

int archive_message(struct archive *archive, uint32_t uid,
                    struct archive_message *msg, struct session_err *err)
{
	msg->uid = uid;
	return archive_messages(archive, msg, 1, err);
}

int archive_raw(struct archive *archive, uint32_t uid, struct message_info *info,
                struct buf *out, struct session_err *err)
{
	struct session_result result;
	struct imap_fetch view;
	char set[16];
	int rc;

	if (info)
		memset(info, 0, sizeof(*info));
	snprintf(set, sizeof(set), "%u", uid);
	rc = uid_fetch(archive, set, info ? RAW_ITEMS : "(UID BODY.PEEK[])", &result,
	               err);
	if (rc == 0) {
		rc = find_fetch(&result, uid, &view);
		if (rc && info && message_info_from_view(info, &view) < 0)
			memset(info, 0, sizeof(*info));
		if (rc) {
			struct str bytes = mime_fetch_section(&view, "");
			buf_add(out, bytes.p ? bytes.p : "", bytes.len);
			imap_fetch_release(&view);
		}
	}
	session_result_release(&result);
	return rc;
}

typedef int (*take_piece)(void *ctx, const struct archive_raw_piece *piece);

/*
 * One message alone, ARCHIVE_RAW_PIECE bytes at a time: its summary and
 * first piece in one FETCH, then the rest.  1 when all of it was taken,
 * 0 when it is gone or failed before its first piece (left out, logged),
 * -1 when take() failed or the message broke off after its first piece
 * (an export cannot leave out half a message).
 */
static int raw_in_pieces(struct archive *archive, uint32_t uid, take_piece take,
                         void *ctx, struct session_err *err)
{
	struct session_result result;
	struct imap_fetch view;
	struct message_info info;
	struct buf bytes = BUF_INIT, items = BUF_INIT;
	struct archive_raw_piece piece = { .info = &info, .first = true };
	uint64_t offset = 0;
	char set[16];
	int rc, found;

	snprintf(set, sizeof(set), "%u", uid);
	buf_addf(&items, "(UID ENVELOPE INTERNALDATE RFC822.SIZE BODY.PEEK[]<0.%d>)",
	         ARCHIVE_RAW_PIECE);
	rc = uid_fetch(archive, set, buf_cstr(&items), &result, err);
	buf_release(&items);
	found = rc == 0 && find_fetch(&result, uid, &view);
	if (found) {
		struct str data = mime_fetch_section(&view, "");
		buf_add(&bytes, data.p ? data.p : "", data.len);
		found = message_info_from_view(&info, &view) == 0;
		imap_fetch_release(&view);
	}
	session_result_release(&result);
	if (!found) {
		if (err->code == SESSION_CANCELLED)
			return -1;
		fprintf(stderr, "imapeek: UID %u left out of an export: %s\n", uid,
		        err->message[0] ? err->message : "gone from the mailbox");
		memset(err, 0, sizeof(*err));
		buf_release(&bytes);
		return 0;
	}
	for (;;) {
		piece.bytes = str_from_buf(&bytes);
		piece.last = bytes.len < ARCHIVE_RAW_PIECE;
		offset += bytes.len;
		if (take(ctx, &piece) < 0) {
			rc = -1;
			break;
		}
		if (piece.last) {
			rc = 1;
			break;
		}
		piece.first = false;
		buf_reset(&bytes);
		if (archive_raw_chunk(archive, uid, offset, ARCHIVE_RAW_PIECE, &bytes,
		                      err) <= 0) {
			if (!err->message[0])
				snprintf(err->message, sizeof(err->message),
				         "UID %u broke off at byte %llu", uid,
				         (unsigned long long)offset);
			rc = -1;
			break;
		}
	}
	message_info_release(&info);
	buf_release(&bytes);
	return rc;
}

/* The RFC822.SIZE of each of uids (0: none, the message is gone). */
static int raw_sizes(struct archive *archive, const uint32_t *uids, size_t n,
                     uint64_t *sizes, struct session_err *err)
{
	struct session_result result;
	struct buf set = BUF_INIT;
	int rc;

	memset(sizes, 0, n * sizeof(*sizes));
	uid_set(&set, uids, n);
	rc = uid_fetch(archive, buf_cstr(&set), "(UID RFC822.SIZE)", &result, err);
	buf_release(&set);
	for (size_t r = 0; rc == 0 && r < result.nuntagged; r++) {
		struct imap_fetch view;
		struct imap_view_err view_err;
		if (imap_view_fetch(result.untagged[r], &view, &view_err) < 0)
			continue;
		for (size_t i = 0; view.has_uid && i < n; i++)
			if (uids[i] == view.uid && view.has_rfc822_size)
				sizes[i] = view.rfc822_size ? view.rfc822_size : 1;
		imap_fetch_release(&view);
	}
	session_result_release(&result);
	return rc;
}

/* uids[0..count), each whole, in one FETCH: 0, or -1 as raw_in_pieces. */
static int raw_batch(struct archive *archive, const uint32_t *uids, size_t count,
                     take_piece take, void *ctx, struct session_err *err)
{
	struct session_result result;
	struct buf set = BUF_INIT;
	int rc;

	uid_set(&set, uids, count);
	rc = uid_fetch(archive, buf_cstr(&set), RAW_ITEMS, &result, err);
	buf_release(&set);
	for (size_t i = 0; i < count; i++) {
		struct imap_fetch view;
		struct message_info info;
		int taken = 0;
		if (rc < 0 && err->code == SESSION_CANCELLED) {
			taken = -1;
		} else if (rc < 0) {
			struct session_err alone_err = { 0 };
			taken = raw_in_pieces(archive, uids[i], take, ctx, &alone_err);
			if (taken < 0)
				*err = alone_err;
		} else if (find_fetch(&result, uids[i], &view)) {
			if (message_info_from_view(&info, &view) == 0) {
				struct archive_raw_piece piece = {
					.info = &info, .bytes = mime_fetch_section(&view, ""),
					.first = true, .last = true,
				};
				taken = take(ctx, &piece);
				message_info_release(&info);
			}
			imap_fetch_release(&view);
		}
		if (taken < 0) {
			session_result_release(&result);
			return -1;
		}
	}
	session_result_release(&result);
	memset(err, 0, sizeof(*err));
	return 0;
}

int archive_raws(struct archive *archive, const uint32_t *uids, size_t n,
                 int (*take)(void *ctx, const struct archive_raw_piece *piece),
                 void *ctx, struct session_err *err)
{
	uint64_t sizes[ARCHIVE_RAW_SIZES];

	for (size_t from = 0; from < n; from += ARCHIVE_RAW_SIZES) {
		size_t end = n - from < ARCHIVE_RAW_SIZES ? n : from + ARCHIVE_RAW_SIZES;

		/* An imapd that cannot even be started ends the export. */
		if (!session_of(archive, err) ||
		    raw_sizes(archive, uids + from, end - from, sizes, err) < 0)
			return -1;
		for (size_t i = from; i < end;) {
			uint64_t bytes = sizes[i - from];
			size_t count = 1;

			if (!bytes) {   /* gone since the list was made */
				i++;
				continue;
			}
			if (bytes > ARCHIVE_RAW_BATCH_BYTES) {
				if (raw_in_pieces(archive, uids[i], take, ctx, err) < 0)
					return -1;
				i++;
				continue;
			}
			while (i + count < end && count < ARCHIVE_RAW_BATCH &&
			       sizes[i + count - from] &&
			       sizes[i + count - from] <= ARCHIVE_RAW_BATCH_BYTES - bytes) {
				bytes += sizes[i + count - from];
				count++;
			}
			if (raw_batch(archive, uids + i, count, take, ctx, err) < 0)
				return -1;
			i += count;
		}
	}
	return 0;
}

/* A message's INTERNALDATE from its FETCH answer; 0 when not given. */
static time_t arrival(const struct imap_fetch *view)
{
	time_t when;

	if (!view->has_internaldate ||
	    message_parse_internaldate(view->internaldate, &when) < 0)
		return 0;
	return when;
}

int archive_parts(struct archive *archive, uint32_t uid,
                  struct message_parts *parts, time_t *arrived,
                  struct session_err *err)
{
	struct session_result result;
	struct imap_fetch view;
	char set[16];
	int rc;

	memset(parts, 0, sizeof(*parts));
	*arrived = 0;
	snprintf(set, sizeof(set), "%u", uid);
	rc = uid_fetch(archive, set, "(UID INTERNALDATE BODYSTRUCTURE)", &result, err);
	if (rc == 0) {
		rc = find_fetch(&result, uid, &view);
		if (rc) {
			if (mime_parts_from_view(&view, parts) < 0)
				memset(parts, 0, sizeof(*parts));
			*arrived = arrival(&view);
			imap_fetch_release(&view);
		}
	}
	session_result_release(&result);
	return rc;
}

/* A raw message's meta from its FETCH answer. */
static void raw_meta(const struct imap_fetch *view, struct archive_raw_meta *meta)
{
	meta->size = view->has_rfc822_size ? view->rfc822_size : 0;
	meta->arrived = arrival(view);
}

int archive_raw_size(struct archive *archive, uint32_t uid,
                     struct archive_raw_meta *meta, struct buf *content_type,
                     struct session_err *err)
{
	struct session_result result;
	struct imap_fetch view;
	char set[16];
	int rc;

	memset(meta, 0, sizeof(*meta));
	snprintf(set, sizeof(set), "%u", uid);
	rc = uid_fetch(archive, set,
	               "(UID RFC822.SIZE INTERNALDATE BODY.PEEK[" CONTENT_TYPE_FIELD "])",
	               &result, err);
	if (rc == 0) {
		rc = find_fetch(&result, uid, &view);
		if (rc) {
			struct str field = mime_fetch_section(&view, CONTENT_TYPE_FIELD);
			raw_meta(&view, meta);
			buf_add(content_type, field.p ? field.p : "", field.len);
			imap_fetch_release(&view);
		}
	}
	session_result_release(&result);
	return rc;
}

/*
 * Bytes [offset, offset + len) of section ("": the whole message),
 * appended; with meta, the message's RFC822.SIZE and INTERNALDATE too.
 */
static int fetch_piece(struct archive *archive, uint32_t uid, const char *section,
                       uint64_t offset, size_t len, struct buf *out,
                       struct archive_raw_meta *meta, struct session_err *err)
{
	struct session_result result;
	struct imap_fetch view;
	struct buf items = BUF_INIT;
	char set[16];
	int rc;

	snprintf(set, sizeof(set), "%u", uid);
	buf_addf(&items, "(UID %sBODY.PEEK[%s]<%llu.%zu>)",
	         meta ? "RFC822.SIZE INTERNALDATE " : "",
	         section, (unsigned long long)offset, len);
	rc = uid_fetch(archive, set, buf_cstr(&items), &result, err);
	if (rc == 0) {
		rc = find_fetch(&result, uid, &view);
		if (rc) {
			struct str data = mime_fetch_section(&view, section);
			buf_add(out, data.p ? data.p : "", data.len);
			if (meta)
				raw_meta(&view, meta);
			imap_fetch_release(&view);
		}
	}
	session_result_release(&result);
	buf_release(&items);
	return rc;
}

int archive_part_size(struct archive *archive, uint32_t uid,
                      const struct message_part *part, uint64_t *size,
                      struct session_err *err)
{
	enum rfc2045_cte cte = mime_part_cte(part);
	struct session_err size_err = { 0 };
	struct session_result result;
	struct session *session;
	struct imap_fetch view;
	struct buf items = BUF_INIT;
	char set[16];
	int rc = 0;

	/* Sent as it is: the encoded size is the size. */
	if (cte != RFC2045_CTE_BASE64 && cte != RFC2045_CTE_QP) {
		*size = part->size;
		return 1;
	}
	if (!(session = session_of(archive, err)))
		return -1;
	if (!session_has_cap(session, CAP_BINARY))
		return 0;
	snprintf(set, sizeof(set), "%u", uid);
	buf_addf(&items, "(UID BINARY.SIZE[%s])", part->section);
	/* A NO (UNKNOWN-CTE) or a BYE (broken base64): not known, no error. */
	if (uid_fetch(archive, set, buf_cstr(&items), &result, &size_err) == 0 &&
	    find_fetch(&result, uid, &view)) {
		rc = imap_fetch_binary_size(&view, part->section, size) == 0;
		imap_fetch_release(&view);
	}
	session_result_release(&result);
	buf_release(&items);
	return rc;
}

int archive_raw_chunk(struct archive *archive, uint32_t uid, uint64_t offset,
                      size_t len, struct buf *out, struct session_err *err)
{
	return fetch_piece(archive, uid, "", offset, len, out, NULL, err);
}

int archive_raw_first(struct archive *archive, uint32_t uid, size_t len,
                      struct buf *out, struct archive_raw_meta *meta,
                      struct session_err *err)
{
	memset(meta, 0, sizeof(*meta));
	return fetch_piece(archive, uid, "", 0, len, out, meta, err);
}

int archive_part_chunk(struct archive *archive, uint32_t uid,
                       const char *section, uint64_t offset, size_t len,
                       struct buf *out, struct session_err *err)
{
	return fetch_piece(archive, uid, section, offset, len, out, NULL, err) < 0
	           ? -1 : 0;
}

/* ---- search ------------------------------------------------------------ */

static bool all_ascii(const struct search_query *query)
{
	for (size_t i = 0; i < query->nterms; i++)
		for (size_t k = 0; k < query->terms[i].value.len; k++)
			if ((unsigned char)query->terms[i].value.p[k] >= 0x80)
				return false;
	return true;
}

static void search_command(struct imap_cmd *cmd, const struct search_query *query,
                           bool sort, bool oldest_first, const char *partial,
                           bool charset)
{
	imap_cmd_init(cmd, sort ? "UID SORT" : "UID SEARCH");
	if (partial) {
		imap_cmd_atom(cmd, "RETURN");
		imap_cmd_list_open(cmd);
		imap_cmd_atom(cmd, "COUNT");
		imap_cmd_atom(cmd, "PARTIAL");
		imap_cmd_atom(cmd, partial);
		imap_cmd_list_close(cmd);
	}
	if (sort) {
		imap_cmd_list_open(cmd);
		if (!oldest_first)
			imap_cmd_atom(cmd, "REVERSE");
		imap_cmd_atom(cmd, "DATE");
		imap_cmd_list_close(cmd);
		imap_cmd_atom(cmd, "UTF-8");
	} else if (charset) {
		imap_cmd_atom(cmd, "CHARSET");
		imap_cmd_atom(cmd, "UTF-8");
	}
	search_emit(query, cmd);
}

/* What tells one search from another: the command, argument by argument. */
static void search_key(const struct imap_cmd *cmd, struct buf *key)
{
	buf_reset(key);
	buf_addstr(key, cmd->name);
	for (size_t i = 0; i < cmd->nargs; i++)
		buf_addf(key, "%c%d:%llu:%zu:", '\0', (int)cmd->args[i].type,
		         (unsigned long long)cmd->args[i].number, cmd->args[i].value.len);
	for (size_t i = 0; i < cmd->nargs; i++)
		buf_add(key, cmd->args[i].value.p ? cmd->args[i].value.p : "",
		        cmd->args[i].value.len);
}

/* A copy of a whole answer into hits. */
static void copy_hits(struct archive_hits *hits, const struct uid_list *answer)
{
	hits->uids = xcalloc(answer->n + 1, sizeof(*hits->uids));
	if (answer->n)
		memcpy(hits->uids, answer->uids, answer->n * sizeof(*hits->uids));
	hits->n = answer->n;
}

/* A search this worker holds for key, in the session's state, or NULL. */
static const struct uid_list *kept_search_find(struct archive *archive,
                                               const struct buf *key)
{
	for (size_t i = 0; i < SEARCHES_KEPT; i++) {
		struct kept_search *kept = &archive->searches[i];
		const struct uid_list *answer = held_fresh(&kept->answer, archive->session);
		if (answer && kept->key.len == key->len &&
		    !memcmp(kept->key.p, key->p, key->len))
			return answer;
	}
	return NULL;
}

/* What build_search needs to ask. */
struct search_ask {
	struct archive *archive;
	const struct search_query *query;
	bool oldest_first;
};

/* A search's whole answer in the order shown: a share_builder's build. */
static int build_search(void *ctx, const struct share_key *key, void **payload,
                        struct session_err *err)
{
	const struct search_ask *ask = ctx;
	struct archive *archive = ask->archive;
	struct session *session = archive->session;
	/*
	 * Newest first, with the mailbox's date order at hand (kept for the
	 * index pages: the same SORT (REVERSE DATE)), the hits are put in it
	 * here: a plain SEARCH spares the imapd reading every hit's date, a
	 * fifth of a full-text search's time in Dovecot.  Without it (a CGI
	 * request, a worker's first page) the server sorts, as it does
	 * oldest first, where SORT (DATE) keeps its order of same-date
	 * messages.
	 */
	bool have_order = held_fresh(&archive->order, session) != NULL;
	bool sort = session_has_cap(session, CAP_SORT) && (ask->oldest_first || !have_order);
	bool charset = true;
	struct uid_list *answer = xcalloc(1, sizeof(*answer));
	struct session_result result;
	struct stamp before = { 0 };
	struct imap_cmd cmd;
	int rc;

	stamp_take(&before, session_mailbox(session));
	for (;;) {
		search_command(&cmd, ask->query, sort, ask->oldest_first, NULL, charset);
		rc = run(archive, &cmd, &result, err);
		imap_cmd_release(&cmd);
		if (rc < 0 && err->code == SESSION_NO && !sort) {
			session_result_release(&result);
			/* Courier's SEARCH refuses CHARSET UTF-8 where its SORT
			 * takes UTF-8: the server orders then. */
			if (session_has_cap(session, CAP_SORT)) {
				sort = true;
				continue;
			}
			/* imapds without CHARSET support still search ASCII. */
			if (charset && all_ascii(ask->query)) {
				charset = false;
				continue;
			}
		}
		break;
	}
	if (rc == 0)
		collect_numbers(&result, sort ? "SORT" : "SEARCH", &answer->uids, &answer->n);
	session_result_release(&result);
	size_t nhits = answer->n;
	if (rc == 0 && !sort) {
		uint32_t *ordered;
		size_t nordered;
		rc = keep_sorted(archive, answer->uids, answer->n, &ordered, &nordered, err);
		free(answer->uids);
		answer->uids = ordered;
		answer->n = nordered;
		for (size_t i = 0; rc == 0 && ask->oldest_first && i < answer->n / 2; i++) {
			uint32_t swap = answer->uids[i];
			answer->uids[i] = answer->uids[answer->n - 1 - i];
			answer->uids[answer->n - 1 - i] = swap;
		}
	}
	if (rc < 0) {
		stamp_release(&before);
		uid_list_free(answer);
		return -1;
	}
	*payload = answer;
	/* For the key's messages only if the mailbox did not move meanwhile
	 * (and the order had every hit). */
	rc = stamp_matches(&before, session_mailbox(session)) && answer->n == nhits ? 0 : 1;
	for (size_t i = 0; i < answer->n && rc == 0; i++)
		if (answer->uids[i] > key->newest_uid)
			rc = 1;
	stamp_release(&before);
	return rc;
}

/* Keep the held answer as one of the worker's last searches, or let it go. */
static void kept_search_keep(struct archive *archive, const struct buf *key,
                             struct held *answer)
{
	const struct uid_list *list = share_payload(answer->entry);
	struct kept_search *kept = &archive->searches[archive->next_search];

	if (list->n > SEARCH_KEPT_MAX_HITS) {
		held_release(answer);
		return;
	}
	archive->next_search = (archive->next_search + 1) % SEARCHES_KEPT;
	kept_search_release(kept);
	kept->answer = *answer;
	memset(answer, 0, sizeof(*answer));
	buf_add(&kept->key, key->p, key->len);
}

void archive_hits_release(struct archive_hits *hits)
{
	free(hits->uids);
	memset(hits, 0, sizeof(*hits));
}

/*
 * UID SORT (REVERSE DATE) where the imapd sorts; with ESORT and PARTIAL
 * only the page asked for comes back, with the count.  Without SORT, UID
 * SEARCH and the hits put in the mailbox's date order here.
 */
int archive_search(struct archive *archive, const struct search_query *query,
                   bool oldest_first, size_t offset, size_t limit,
                   struct archive_hits *hits, struct session_err *err)
{
	struct session *session = session_of(archive, err);
	struct session_result result;
	struct imap_cmd cmd;
	struct buf key = BUF_INIT;
	bool sort, partial;
	char range[48];
	size_t cap = 0;
	int rc;

	memset(hits, 0, sizeof(*hits));
	if (!session)
		return -1;
	session_result_init(&result);
	sort = session_has_cap(session, CAP_SORT);
	partial = sort && limit && limit != SIZE_MAX &&
	          session_has_cap(session, CAP_PARTIAL) &&
	          session_has_cap(session, CAP_ESORT);
	/* The whole answer, shared and kept; the page is cut out of it. */
	if (!partial) {
		const struct uid_list *answer;
		struct search_ask ask = { archive, query, oldest_first };
		struct held held = { 0 };
		search_command(&cmd, query, sort, oldest_first, NULL, true);
		search_key(&cmd, &key);
		/* Without SORT the order is made here: it is no part of cmd. */
		buf_addch(&key, oldest_first ? 'o' : 'n');
		imap_cmd_release(&cmd);
		answer = kept_search_find(archive, &key);
		if (!answer) {
			answer = hold_answer(archive, SHARE_SEARCH, &key, build_search,
			                     uid_list_free, &ask, &held, err);
			if (!answer) {
				rc = -1;
				goto out;
			}
			copy_hits(hits, answer);
			kept_search_keep(archive, &key, &held);
		} else {
			copy_hits(hits, answer);
		}
		/* The whole list came: cut the page out of it. */
		hits->total = hits->n;
		size_t from = offset < hits->n ? offset : hits->n;
		size_t count = hits->n - from < limit ? hits->n - from : limit;
		if (count)
			memmove(hits->uids, hits->uids + from, count * sizeof(*hits->uids));
		hits->n = count;
		rc = 0;
		goto out;
	}
	/* Only the page asked for (ESORT, PARTIAL), with the count. */
	snprintf(range, sizeof(range), "%zu:%zu", offset + 1, offset + limit);
	search_command(&cmd, query, sort, oldest_first, range, true);
	rc = run(archive, &cmd, &result, err);
	imap_cmd_release(&cmd);
	if (rc < 0)
		goto out;
	/* ESEARCH's COUNT and PARTIAL; its ALL and plain answers below. */
	for (size_t i = 0; i < result.nuntagged; i++) {
		struct imap_esearch esearch;
		struct imap_view_err view_err;
		if (imap_view_esearch(result.untagged[i], ARCHIVE_MAX_HITS, &esearch,
		                      &view_err) == 0) {
			if (esearch.has_count)
				hits->total = esearch.count;
			for (size_t k = 0; k < esearch.npartial; k++)
				add_uid(&hits->uids, &hits->n, &cap, esearch.partial[k]);
			imap_esearch_release(&esearch);
		}
	}
	collect_numbers(&result, "SORT", &hits->uids, &hits->n);
	if (hits->n > limit)
		hits->n = limit;
out:
	session_result_release(&result);
	buf_release(&key);
	if (rc < 0)
		archive_hits_release(hits);
	return rc;
}

/* ---- threads ----------------------------------------------------------- */

/*
 * Where the imapd offers THREAD=REFERENCES the forest is its "UID THREAD
 * REFERENCES UTF-8 ALL" answer, and the order of activity comes from the
 * date order: a message's rank there stands for its date, so no header of
 * the whole mailbox is fetched.  Otherwise (GNU Mailutils) every message's
 * Message-ID, In-Reply-To, References, Subject and Date are fetched once
 * and threaded here by thread_build(), which gives Dovecot's forest on
 * the same mail.
 */

struct client_msg {
	struct message_info info;
	struct buf message_id, in_reply_to, references;
};

static int compare_client_uid(const void *a, const void *b)
{
	const struct client_msg *x = a, *y = b;
	return x->info.uid < y->info.uid ? -1 : x->info.uid > y->info.uid;
}

/* RFC 5256 REFERENCES on our side, from every message's headers. */
static int threads_client(struct archive *archive, struct thread_forest *forest,
                          struct session_err *err)
{
	struct session_result result;
	struct client_msg *msgs = NULL;
	struct thread_msg *input = NULL;
	size_t n = 0;
	int rc = -1;

	if (uid_fetch(archive, "1:*", "(UID ENVELOPE INTERNALDATE "
	                              "BODY.PEEK[" THREAD_HEADER_FIELDS "])",
	              &result, err) < 0) {
		if (err->code == SESSION_NO && !session_mailbox(archive->session)->exists) {
			memset(err, 0, sizeof(*err));
			rc = 0;
		}
		goto out;
	}
	if (result.nuntagged > THREAD_MAX_MESSAGES) {
		fail(err, SESSION_FAILED, "too many messages to thread");
		goto out;
	}
	msgs = xcalloc(result.nuntagged + 1, sizeof(*msgs));
	for (size_t i = 0; i < result.nuntagged; i++) {
		struct imap_fetch view;
		struct imap_view_err view_err;
		struct client_msg *msg = &msgs[n];
		if (imap_view_fetch(result.untagged[i], &view, &view_err) < 0)
			continue;
		if (!view.has_uid || message_info_from_view(&msg->info, &view) < 0) {
			imap_fetch_release(&view);
			continue;
		}
		const struct imap_fetch_part *part =
			imap_fetch_part(&view, false, THREAD_HEADER_FIELDS);
		static const char *const ids[3] = { "message-id", "in-reply-to", "references" };
		struct buf *outs[3] = { &msg->message_id, &msg->in_reply_to, &msg->references };
		struct str block = part ? part->data : STR_NULL, values[3];
		struct buf unfolded = BUF_INIT;
		rfc5322_fields(block.p, block.len, ids, 3, values, &unfolded);
		for (size_t k = 0; k < 3; k++)
			if (values[k].p)
				buf_add(outs[k], values[k].p, values[k].len);
		buf_release(&unfolded);
		imap_fetch_release(&view);
		n++;
	}
	if (n)
		qsort(msgs, n, sizeof(*msgs), compare_client_uid);
	input = xcalloc(n + 1, sizeof(*input));
	for (size_t i = 0; i < n; i++) {
		input[i] = (struct thread_msg){
			.uid = msgs[i].info.uid,
			.message_id = str_from_buf(&msgs[i].message_id),
			.in_reply_to = str_from_buf(&msgs[i].in_reply_to),
			.references = str_from_buf(&msgs[i].references),
			.subject = str_from(msgs[i].info.subject),
			.date = msgs[i].info.date,
		};
	}
	if (thread_build(forest, input, n) < 0) {
		fail(err, SESSION_FAILED, "cannot thread");
		goto out;
	}
	thread_sort_newest(forest);
	thread_index_uids(forest);
	rc = 0;
out:
	for (size_t i = 0; i < n; i++) {
		message_info_release(&msgs[i].info);
		buf_release(&msgs[i].message_id);
		buf_release(&msgs[i].in_reply_to);
		buf_release(&msgs[i].references);
	}
	free(msgs);
	free(input);
	session_result_release(&result);
	return rc;
}

/* THREAD REFERENCES by the imapd, ordered by the ranks of the date order. */
static int threads_server(struct archive *archive, struct thread_forest *forest,
                          struct session_err *err)
{
	struct session_result result;
	struct imap_cmd cmd;
	const uint32_t *sorted;
	size_t nsorted;
	bool found = false;
	int rc;

	imap_cmd_init(&cmd, "UID THREAD");
	imap_cmd_atom(&cmd, "REFERENCES");
	imap_cmd_atom(&cmd, "UTF-8");
	imap_cmd_atom(&cmd, "ALL");
	rc = run(archive, &cmd, &result, err);
	imap_cmd_release(&cmd);
	for (size_t i = 0; rc == 0 && i < result.nuntagged && !found; i++) {
		const struct imap_response *response = result.untagged[i];
		struct str list;
		if (imap_view_kind(response) != IMAP_VIEW_THREAD)
			continue;
		if (imap_view_thread(response, &list) < 0 || thread_from_imap(forest, list) < 0) {
			fail(err, SESSION_FAILED, "bad THREAD answer");
			rc = -1;
		}
		found = true;
	}
	/* The answer's line (bytes a message) goes before the SORT comes. */
	session_result_release(&result);
	if (rc < 0)
		return -1;
	if (!found)
		thread_forest_init(forest);
	if (archive_sorted_uids(archive, &sorted, &nsorted, err) < 0)
		return -1;
	/* A message's place in the newest-first order stands for its date. */
	thread_index_uids(forest);
	thread_date_by_rank(forest, sorted, nsorted);
	thread_sort_newest(forest);
	return 0;
}

static void forest_free(void *payload)
{
	thread_forest_release(payload);
	free(payload);
}

/* The threads, by the imapd or here: a share_builder's build. */
static int build_threads(void *ctx, const struct share_key *key, void **payload,
                         struct session_err *err)
{
	struct archive *archive = ctx;
	struct thread_forest *forest = xcalloc(1, sizeof(*forest));
	int rc;

	thread_forest_init(forest);
	if (session_has_cap(archive->session, CAP_THREAD_REFERENCES))
		rc = threads_server(archive, forest, err);
	else
		rc = threads_client(archive, forest, err);
	give_back_memory();
	if (rc < 0) {
		forest_free(forest);
		return -1;
	}
	*payload = forest;
	return exactly(key, forest->nmessages, thread_newest_uid(forest));
}

int archive_threads(struct archive *archive, const struct thread_forest **forest,
                    struct session_err *err)
{
	struct session *session = session_of(archive, err);

	*forest = NULL;
	if (!session)
		return -1;
	*forest = hold_answer(archive, SHARE_THREADS, NULL, build_threads, forest_free,
	                      archive, &archive->threads, err);
	return *forest ? 0 : -1;
}

/* ---- Message-IDs ------------------------------------------------------- */

/*
 * Message-IDs as pages show them have their white space removed (folded
 * ids are real), so the requested one is compared in that form too.
 */
static bool same_id(const char *shown, const char *asked)
{
	for (;;) {
		while (*asked == ' ' || *asked == '\t')
			asked++;
		if (*shown != *asked)
			return false;
		if (!*shown)
			return true;
		shown++, asked++;
	}
}

int archive_find_msgid(struct archive *archive, const char *msgid,
                       uint32_t *found, struct session_err *err)
{
	struct session_result result;
	struct imap_cmd cmd;
	struct buf needle = BUF_INIT, set = BUF_INIT;
	uint32_t *candidates = NULL;
	size_t ncandidates = 0;
	int rc;

	*found = 0;
	buf_addf(&needle, "<%s>", msgid);
	imap_cmd_init(&cmd, "UID SEARCH");
	imap_cmd_atom(&cmd, "HEADER");
	imap_cmd_atom(&cmd, "Message-ID");
	imap_cmd_string(&cmd, str_from_buf(&needle));
	rc = run(archive, &cmd, &result, err);
	imap_cmd_release(&cmd);
	if (rc == 0)
		collect_numbers(&result, "SEARCH", &candidates, &ncandidates);
	session_result_release(&result);
	if (rc < 0 || !ncandidates)
		goto out;
	/* SEARCH HEADER matches substrings: the envelope says which is exact. */
	uid_set(&set, candidates, ncandidates < MSGID_MAX_CANDIDATES
	                              ? ncandidates : MSGID_MAX_CANDIDATES);
	rc = uid_fetch(archive, buf_cstr(&set), MESSAGE_INFO_ITEMS, &result, err);
	for (size_t i = 0; rc == 0 && i < result.nuntagged; i++) {
		struct message_info info;
		if (message_info_from_fetch(&info, result.untagged[i]) < 0)
			continue;
		if (info.message_id && same_id(info.message_id, msgid) &&
		    (!*found || info.uid < *found))
			*found = info.uid;
		message_info_release(&info);
	}
	session_result_release(&result);
out:
	free(candidates);
	buf_release(&needle);
	buf_release(&set);
	return rc;
}
