/*
 * The visible mailboxes: LIST "" "*" through the session, names decoded
 * to UTF-8 with "/" between hierarchy levels and without the personal
 * namespace's prefix (what URLs and the configuration's globs see),
 * \Noselect ones and those the configuration hides left out.
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
	char *name;       /* UTF-8, "/" between levels */
	char *imap_name;  /* UTF-8 with the server's delimiter: for EXAMINE */
	uint32_t messages;
	bool has_count;
};

struct mailbox_list {
	struct mailbox_entry *entries;
	char **names;     /* entries[i].name, for the router */
	size_t n;
};

/*
 * The URL name of a server name (UTF-8, levels split by delimiter): the
 * levels joined by "/", prefix (the personal namespace's, "INBOX." on
 * Courier; NULL or "" for none) taken off a name below it, unless nothing
 * or a level INBOX would be left.  -1 when it cannot be a path: a level
 * holding "/" (another delimiter) or an empty level.
 */
int mailbox_url_name(const char *imap_name, char delimiter, const char *prefix,
                     struct buf *out);
/* 0, or -1 with err filled. */
int mailbox_list_fetch(struct mailbox_list *list, struct session *session,
                       const struct conf *conf, struct session_err *err);
/* STATUS (MESSAGES) of every entry, pipelined. */
int mailbox_list_count(struct mailbox_list *list, struct session *session,
                       struct session_err *err);
const struct mailbox_entry *mailbox_list_find(const struct mailbox_list *list,
                                              const char *name);
void mailbox_list_release(struct mailbox_list *list);

#endif
