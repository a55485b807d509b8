/*
 * Keys of server names: levels joined by "/", a "/" or "%" inside a level
 * escaped, the personal namespace's prefix (Courier's "INBOX.") taken off;
 * a NULL expected key means "cannot be a path".  The label is what people
 * read (route_key_label).
 */
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "mailboxes.h"
#include "route.h"

struct row {
	const char *imap_name;
	char delimiter;
	const char *prefix;
	const char *key;     /* NULL: rejected */
	const char *label;   /* NULL: the key */
};

static const struct row rows[] = {
	/* Dovecot LAYOUT=fs, GNU imap4d: no prefix. */
	{ "INBOX", '/', "", "INBOX", NULL },
	{ "lists/dev", '/', "", "lists/dev", NULL },
	{ "lists/dev", '/', NULL, "lists/dev", NULL },
	{ "Archiv/Grüße & Co", '/', "", "Archiv/Grüße & Co", NULL },
	/* Dovecot's Maildir++ default: "." between levels. */
	{ "lists.dev", '.', "", "lists/dev", NULL },
	/* A level holding "/" (Dovecot LAYOUT=index with separator "."). */
	{ "a/b", '.', "", "a%2Fb", "a/b" },
	{ "x.y/z", '.', "", "x/y%2Fz", "x/y/z" },
	{ "50%.a/b%2F", '.', "", "50%25/a%2Fb%252F", "50%/a/b%2F" },
	{ "lists/dev", '.', "", "lists%2Fdev", "lists/dev" },
	/* No hierarchy (NIL delimiter): one level, whatever it holds. */
	{ "lists/dev", '\0', "", "lists%2Fdev", "lists/dev" },
	{ "lists.dev", '\0', "", "lists.dev", NULL },
	{ "INBOX", '\0', "INBOX.", "INBOX", NULL },
	{ "..", '\0', "", NULL, NULL },
	{ "a/./b", '/', "", NULL, NULL },
	{ "a/../b", '/', "", NULL, NULL },
	{ "a/.../b", '/', "", "a/.../b", NULL },
	{ "lists..dev", '.', "", NULL, NULL },
	{ ".lists", '.', "", NULL, NULL },
	{ "lists.", '.', "", NULL, NULL },
	{ "", '.', "", NULL, NULL },
	/* Courier: the personal namespace "INBOX." */
	{ "INBOX", '.', "INBOX.", "INBOX", NULL },
	{ "INBOX.lists.dev", '.', "INBOX.", "lists/dev", NULL },
	{ "INBOX.Archiv.Grüße & Co.Alt", '.', "INBOX.", "Archiv/Grüße & Co/Alt", NULL },
	{ "INBOX.a/b", '.', "INBOX.", "a%2Fb", "a/b" },
	{ "INBOX..x", '.', "INBOX.", NULL, NULL },
	{ "INBOX.", '.', "INBOX.", NULL, NULL },
	/* Left whole: a level INBOX would read as the INBOX itself. */
	{ "INBOX.INBOX", '.', "INBOX.", "INBOX/INBOX", NULL },
	{ "INBOX.inbox.x", '.', "INBOX.", "INBOX/inbox/x", NULL },
	{ "INBOX.INBOXES", '.', "INBOX.", "INBOXES", NULL },
	/* Not below the prefix (another namespace): the whole name. */
	{ "#shared.x", '.', "INBOX.", "#shared/x", NULL },
	{ "INBOXES.x", '.', "INBOX.", "INBOXES/x", NULL },
	{ "inbox.x", '.', "INBOX.", "inbox/x", NULL },
	/* Another prefix, another delimiter. */
	{ "Mail/lists/dev", '/', "Mail/", "lists/dev", NULL },
	{ "Mail", '/', "Mail/", "Mail", NULL },
	{ "Mail/", '/', "Mail/", NULL, NULL },
};

int main(void)
{
	struct buf out = BUF_INIT;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *row = &rows[i];
		int rc = mailbox_key(row->imap_name, row->delimiter, row->prefix, &out);
		if (!row->key) {
			tap_ok(rc == -1, "%s (prefix %s) has no key", row->imap_name,
			       row->prefix ? row->prefix : "NULL");
		} else if (tap_ok(rc == 0, "%s (prefix %s)", row->imap_name,
		                  row->prefix ? row->prefix : "NULL")) {
			const char *want = row->label ? row->label : row->key;
			char *label = route_key_label(buf_cstr(&out));
			tap_is_mem(out.p, out.len, row->key, strlen(row->key), row->key);
			tap_is_mem(label, strlen(label), want, strlen(want),
			           "its label");
			free(label);
		}
	}
	buf_release(&out);
	return tap_done();
}
