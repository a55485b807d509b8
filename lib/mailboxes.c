#include "mailboxes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap_utf7.h"
#include "imap_view.h"

/* More mailboxes than this is not an archive a page can list. */
#define MAILBOX_LIST_MAX 10000

static void add_entry(struct mailbox_list *list, size_t *cap,
                      const char *name, const char *imap_name)
{
	if (list->n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		list->entries = xrealloc(list->entries, *cap * sizeof(*list->entries));
	}
	list->entries[list->n++] = (struct mailbox_entry){
		.name = xstrdup(name),
		.imap_name = xstrdup(imap_name),
	};
}

static int compare_entries(const void *a, const void *b)
{
	const struct mailbox_entry *x = a, *y = b;

	/* INBOX first, then by name. */
	bool x_inbox = !strcasecmp(x->name, "INBOX");
	bool y_inbox = !strcasecmp(y->name, "INBOX");
	if (x_inbox != y_inbox)
		return x_inbox ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * The URL form of a server name: levels joined by "/".  A name whose
 * levels contain "/" (a server with another delimiter) can't be a path
 * and is left out, as is an empty level.
 */
static int url_name(const char *imap_name, char delimiter, struct buf *out)
{
	buf_reset(out);
	for (const char *p = imap_name; *p; p++) {
		if (*p == '/' && delimiter != '/')
			return -1;
		buf_addch(out, *p == delimiter ? '/' : *p);
	}
	if (!out->len || out->p[0] == '/' || out->p[out->len - 1] == '/' ||
	    strstr(out->p, "//"))
		return -1;
	return 0;
}

int mailbox_list_fetch(struct mailbox_list *list, struct session *session,
                       const struct conf *conf, struct session_err *err)
{
	struct imap_cmd cmd;
	struct session_result result;
	struct buf name = BUF_INIT;
	size_t cap = 0;
	int rc = -1;

	memset(list, 0, sizeof(*list));
	imap_cmd_init(&cmd, "LIST");
	imap_cmd_string(&cmd, STR_LIT(""));
	imap_cmd_string(&cmd, STR_LIT("*"));
	session_result_init(&result);
	if (session_run(session, &cmd, &result, err) < 0)
		goto out;
	for (size_t i = 0; i < result.nuntagged; i++) {
		struct imap_list_entry entry;
		if (imap_view_list(result.untagged[i], session_utf8_names(session),
		                   &entry) < 0)
			continue;
		if (!entry.selectable || list->n >= MAILBOX_LIST_MAX) {
			imap_list_entry_release(&entry);
			continue;
		}
		if (url_name(entry.name, entry.delimiter ? entry.delimiter : '/',
		             &name) == 0 &&
		    conf_mailbox_visible(conf, buf_cstr(&name)))
			add_entry(list, &cap, buf_cstr(&name), entry.name);
		imap_list_entry_release(&entry);
	}
	if (list->n)
		qsort(list->entries, list->n, sizeof(*list->entries),
		      compare_entries);
	list->names = xcalloc(list->n + 1, sizeof(*list->names));
	for (size_t i = 0; i < list->n; i++)
		list->names[i] = list->entries[i].name;
	rc = 0;
out:
	buf_release(&name);
	session_result_release(&result);
	imap_cmd_release(&cmd);
	if (rc < 0)
		mailbox_list_release(list);
	return rc;
}

/* The entry whose server name the STATUS answer names, or NULL. */
static struct mailbox_entry *status_entry(struct mailbox_list *list,
                                          const struct imap_status_info *status,
                                          bool utf8_names)
{
	struct buf name = BUF_INIT;
	struct mailbox_entry *found = NULL;

	if (utf8_names)
		buf_add(&name, status->mailbox.p, status->mailbox.len);
	else if (imap_utf7_decode(status->mailbox, &name) < 0)
		goto out;
	for (size_t i = 0; i < list->n && !found; i++)
		if (!strcmp(list->entries[i].imap_name, buf_cstr(&name)))
			found = &list->entries[i];
out:
	buf_release(&name);
	return found;
}

/*
 * Every STATUS goes out before the first answer is read; each "* STATUS"
 * names its mailbox, so answers are matched by name, not by order.
 */
int mailbox_list_count(struct mailbox_list *list, struct session *session,
                       struct session_err *err)
{
	unsigned *tickets = xcalloc(list->n + 1, sizeof(*tickets));
	bool utf8 = session_utf8_names(session);
	size_t sent = 0;
	int rc = 0;

	for (; sent < list->n; sent++) {
		struct imap_cmd cmd;
		imap_cmd_init(&cmd, "STATUS");
		imap_cmd_mailbox(&cmd, str_from(list->entries[sent].imap_name));
		imap_cmd_list_open(&cmd);
		imap_cmd_atom(&cmd, "MESSAGES");
		imap_cmd_list_close(&cmd);
		rc = session_send(session, &cmd, &tickets[sent], err);
		imap_cmd_release(&cmd);
		if (rc < 0)
			break;
	}
	for (size_t i = 0; i < sent; i++) {
		struct session_result result;
		struct session_err wait_err;
		session_result_init(&result);
		if (session_wait(session, tickets[i], &result, &wait_err) < 0 &&
		    wait_err.code != SESSION_NO && rc == 0) {
			*err = wait_err;
			rc = -1;
		}
		for (size_t j = 0; j < result.nuntagged; j++) {
			struct imap_status_info status;
			struct mailbox_entry *entry;
			if (imap_view_status(result.untagged[j], &status) < 0 ||
			    !status.has_messages)
				continue;
			/*
			 * A name we cannot read (GNU imap4d sends names with
			 * blanks unquoted) is taken to be the one this command
			 * asked for, if that has no count yet.
			 */
			entry = status_entry(list, &status, utf8);
			if (!entry && !list->entries[i].has_count)
				entry = &list->entries[i];
			if (entry) {
				entry->messages = status.messages;
				entry->has_count = true;
			}
		}
		session_result_release(&result);
	}
	free(tickets);
	return rc;
}

const struct mailbox_entry *mailbox_list_find(const struct mailbox_list *list,
                                              const char *name)
{
	for (size_t i = 0; i < list->n; i++) {
		if (!strcmp(list->entries[i].name, name))
			return &list->entries[i];
	}
	return NULL;
}

void mailbox_list_release(struct mailbox_list *list)
{
	for (size_t i = 0; i < list->n; i++) {
		free(list->entries[i].name);
		free(list->entries[i].imap_name);
	}
	free(list->entries);
	free(list->names);
	memset(list, 0, sizeof(*list));
}
