/*
 * The visible mailboxes: LIST "" "*" through the session, names decoded
 * to UTF-8 with "/" between hierarchy levels (what URLs and the
 * configuration's globs see), \Noselect ones and those the configuration
 * hides left out.
 */
#ifndef IMAPEEK_MAILBOXES_H
#define IMAPEEK_MAILBOXES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
