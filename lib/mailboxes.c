#include "mailboxes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap_utf7.h"
#include "imap_view.h"
#include "route.h"

/* More mailboxes than this is not an archive a page can list. */
#define MAILBOX_LIST_MAX 10000

static void add_entry(struct mailbox_list *list, size_t *cap,
                      const char *name, const char *label,
                      const char *imap_name)
{
	if (list->n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		list->entries = xrealloc(list->entries, *cap * sizeof(*list->entries));
	}
	list->entries[list->n++] = (struct mailbox_entry){
		.name = xstrdup(name),
		.label = xstrdup(label),
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
	int by_label = strcmp(x->label, y->label);
	return by_label ? by_label : strcmp(x->name, y->name);
}

int mailbox_key(const char *imap_name, char delimiter, const char *prefix,
                struct buf *out)
{
	size_t skip = prefix ? strlen(prefix) : 0;
	const char *rest = imap_name + skip;

	/* Not below the prefix, nothing left, or a level INBOX that would
	 * read as the INBOX: the whole name. */
	if (!skip || strncmp(imap_name, prefix, skip) != 0 || !*rest ||
	    (!strncasecmp(rest, "INBOX", 5) && (!rest[5] || rest[5] == delimiter)))
		rest = imap_name;
	buf_reset(out);
	for (const char *level = rest;;) {
		const char *end = delimiter ? strchr(level, delimiter) : NULL;
		size_t len = end ? (size_t)(end - level) : strlen(level);

		if (!len || (len == 1 && level[0] == '.') ||
		    (len == 2 && level[0] == '.' && level[1] == '.'))
			return -1;
		if (level != rest)
			buf_addch(out, '/');
		route_level_escape(out, level, len);
		if (!end)
			return 0;
		level = end + 1;
	}
}

/* A selectable mailbox of the LIST answer, before it gets its URL name. */
struct listed {
	char *imap_name;
	char delimiter;
	char *key;  /* NULL: cannot be a path */
};

static int compare_listed(const void *a, const void *b)
{
	const struct listed *x = a, *y = b;
	if (!x->key || !y->key)
		return !x->key - !y->key;
	return strcmp(x->key, y->key);
}

/*
 * URL names of every listed mailbox with PREFIX taken off; false (and
 * names to be made again) when two would be the same ("INBOX.a" and a
 * name "a" of another namespace).  Sorts listed by URL name.
 */
static bool name_listed(struct listed *listed, size_t n, const char *prefix)
{
	struct buf name = BUF_INIT;

	for (size_t i = 0; i < n; i++) {
		free(listed[i].key);
		listed[i].key = NULL;
		if (mailbox_key(listed[i].imap_name, listed[i].delimiter,
		                prefix, &name) == 0)
			listed[i].key = buf_detach(&name, NULL);
	}
	buf_release(&name);
	if (n)
		qsort(listed, n, sizeof(*listed), compare_listed);
	for (size_t i = 1; i < n; i++)
		if (listed[i].key && listed[i - 1].key &&
		    !strcmp(listed[i].key, listed[i - 1].key))
			return false;
	return true;
}

/*
 * NAMESPACE goes out with LIST, where the server has it: the personal
 * namespace's prefix (Courier's "INBOX.") is no part of a URL name, so
 * the same mail has the same URLs behind Courier and Dovecot.  The server
 * names stay what commands send.
 */
int mailbox_list_fetch(struct mailbox_list *list, struct session *session,
                       const struct conf *conf, struct session_err *err)
{
	struct imap_cmd namespace_cmd, list_cmd;
	struct session_result namespace_result, list_result;
	struct imap_namespace namespace = { 0 };
	struct listed *listed = NULL;
	size_t nlisted = 0, listed_cap = 0, cap = 0;
	unsigned namespace_ticket = 0, list_ticket;
	bool utf8 = session_utf8_names(session);
	bool ask_namespace = session_has_cap(session, CAP_NAMESPACE);
	int rc = -1;

	memset(list, 0, sizeof(*list));
	imap_cmd_init(&namespace_cmd, "NAMESPACE");
	imap_cmd_init(&list_cmd, "LIST");
	imap_cmd_string(&list_cmd, STR_LIT(""));
	imap_cmd_string(&list_cmd, STR_LIT("*"));
	session_result_init(&namespace_result);
	session_result_init(&list_result);
	if (ask_namespace &&
	    session_send(session, &namespace_cmd, &namespace_ticket, err) < 0)
		goto out;
	if (session_send(session, &list_cmd, &list_ticket, err) < 0)
		goto out;
	if (ask_namespace) {
		struct session_err namespace_err;
		/* A NO leaves the names whole; a broken session fails below. */
		if (session_wait(session, namespace_ticket, &namespace_result,
		                 &namespace_err) < 0 &&
		    namespace_err.code != SESSION_NO) {
			*err = namespace_err;
			goto out;
		}
		for (size_t i = 0; i < namespace_result.nuntagged && !namespace.prefix; i++)
			if (imap_view_namespace(namespace_result.untagged[i], utf8,
			                        &namespace) < 0)
				imap_namespace_release(&namespace);
	}
	if (session_wait(session, list_ticket, &list_result, err) < 0) {
		/* A NO to LIST: the store cannot be read (502), whatever code. */
		if (err->code == SESSION_NO)
			err->code = SESSION_FAILED;
		goto out;
	}
	for (size_t i = 0; i < list_result.nuntagged; i++) {
		struct imap_list_entry entry;
		if (imap_view_list(list_result.untagged[i], utf8, &entry) < 0)
			continue;
		if (entry.selectable && nlisted < MAILBOX_LIST_MAX) {
			if (nlisted == listed_cap) {
				listed_cap = listed_cap ? listed_cap * 2 : 16;
				listed = xrealloc(listed, listed_cap * sizeof(*listed));
			}
			listed[nlisted++] = (struct listed){
				.imap_name = entry.name,
				.delimiter = entry.delimiter,
			};
			entry.name = NULL;
		}
		imap_list_entry_release(&entry);
	}
	if (!name_listed(listed, nlisted, namespace.prefix))
		name_listed(listed, nlisted, NULL);
	for (size_t i = 0; i < nlisted; i++) {
		if (!listed[i].key)
			continue;
		char *label = route_key_label(listed[i].key);
		if (conf_mailbox_visible(conf, label))
			add_entry(list, &cap, listed[i].key, label,
			          listed[i].imap_name);
		free(label);
	}
	if (list->n)
		qsort(list->entries, list->n, sizeof(*list->entries),
		      compare_entries);
	list->names = xcalloc(list->n + 1, sizeof(*list->names));
	for (size_t i = 0; i < list->n; i++)
		list->names[i] = list->entries[i].name;
	rc = 0;
out:
	for (size_t i = 0; i < nlisted; i++) {
		free(listed[i].imap_name);
		free(listed[i].key);
	}
	free(listed);
	imap_namespace_release(&namespace);
	session_result_release(&namespace_result);
	session_result_release(&list_result);
	imap_cmd_release(&namespace_cmd);
	imap_cmd_release(&list_cmd);
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
		/* A NO to a listed mailbox is a store that cannot be read: the
		 * list is a 502, never an archive of empty mailboxes. */
		if (((session_wait(session, tickets[i], &result, &wait_err) < 0 &&
		      session_err_store_failed(&wait_err)) ||
		     session_result_warned(&result, "STATUS", &wait_err)) && rc == 0) {
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

int mailbox_store_check(struct session *session, struct session_err *err)
{
	struct imap_cmd cmd;
	struct session_result result;
	unsigned ticket;
	int rc = -1;

	imap_cmd_init(&cmd, "STATUS");
	imap_cmd_mailbox(&cmd, STR_LIT("INBOX"));
	imap_cmd_list_open(&cmd);
	imap_cmd_atom(&cmd, "MESSAGES");
	imap_cmd_list_close(&cmd);
	session_result_init(&result);
	if (session_send(session, &cmd, &ticket, err) == 0) {
		if (session_wait(session, ticket, &result, err) < 0)
			rc = session_err_store_failed(err) ? -1 : 0;
		else
			rc = session_result_warned(&result, "STATUS", err) ? -1 : 0;
	}
	session_result_release(&result);
	imap_cmd_release(&cmd);
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

void mailbox_list_copy(struct mailbox_list *to, const struct mailbox_list *from)
{
	to->n = from->n;
	to->entries = xcalloc(from->n ? from->n : 1, sizeof(*to->entries));
	to->names = xcalloc(from->n + 1, sizeof(*to->names));
	for (size_t i = 0; i < from->n; i++) {
		to->entries[i] = from->entries[i];
		to->entries[i].name = xstrdup(from->entries[i].name);
		to->entries[i].label = xstrdup(from->entries[i].label);
		to->entries[i].imap_name = xstrdup(from->entries[i].imap_name);
		to->names[i] = to->entries[i].name;
	}
}

void mailbox_list_release(struct mailbox_list *list)
{
	for (size_t i = 0; i < list->n; i++) {
		free(list->entries[i].name);
		free(list->entries[i].label);
		free(list->entries[i].imap_name);
	}
	free(list->entries);
	free(list->names);
	memset(list, 0, sizeof(*list));
}
