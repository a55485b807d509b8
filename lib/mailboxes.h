/*
 * The visible mailboxes: LIST "" "*" through the session, names decoded
 * to UTF-8, split into hierarchy levels at the server's delimiter and
 * without the personal namespace's prefix (what URLs and the
 * configuration's globs see), \Noselect ones and those the configuration
 * hides left out.
 */
#ifndef IMAPEEK_MAILBOXES_H
#define IMAPEEK_MAILBOXES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "conf.h"
#include "session.h"

struct mailbox_entry {
	char *name;       /* its key (route.h): what URLs and the router use */
	char *label;      /* its name for people: levels joined by "/" */
	char *imap_name;  /* UTF-8 with the server's delimiter: for EXAMINE */
	uint32_t messages;
	bool has_count;
};

struct mailbox_list {
	struct mailbox_entry *entries;
	char **names;     /* entries[i].name (keys), for the router */
	size_t n;
};

/*
 * The key (route.h) of a server name (UTF-8, levels split by delimiter;
 * '\0' for a server without hierarchy): prefix (the personal namespace's,
 * "INBOX." on Courier; NULL or "" for none) taken off a name below it,
 * unless nothing or a level INBOX would be left.  -1 when it cannot be a
 * path: an empty level, or a level "." or ".." (browsers resolve those
 * away before a request is sent).
 */
int mailbox_key(const char *imap_name, char delimiter, const char *prefix,
                struct buf *out);
/* 0, or -1 with err filled. */
int mailbox_list_fetch(struct mailbox_list *list, struct session *session,
                       const struct conf *conf, struct session_err *err);
/* STATUS (MESSAGES) of every entry, pipelined. */
int mailbox_list_count(struct mailbox_list *list, struct session *session,
                       struct session_err *err);
/*
 * Can the store be read at all?  STATUS INBOX: 0 when it answers (or
 * says INBOX does not exist), -1 with err (SESSION_FAILED) when the server
 * cannot read it.  A LIST of an unreadable store still names INBOX, and
 * nothing else: a mailbox missing from it may be the store failing.
 */
int mailbox_store_check(struct session *session, struct session_err *err);
const struct mailbox_entry *mailbox_list_find(const struct mailbox_list *list,
                                              const char *name);
/* A copy of from, of its own, into to (empty). */
void mailbox_list_copy(struct mailbox_list *to, const struct mailbox_list *from);
void mailbox_list_release(struct mailbox_list *list);

#endif
