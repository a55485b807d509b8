/*
 * URL names of server names: levels joined by "/", the personal
 * namespace's prefix (Courier's "INBOX.") taken off; a NULL expected name
 * means "cannot be a path".
 */
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "mailboxes.h"

struct row {
	const char *imap_name;
	char delimiter;
	const char *prefix;
	const char *url_name;   /* NULL: rejected */
};

static const struct row rows[] = {
	/* Dovecot LAYOUT=fs, GNU imap4d: no prefix. */
	{ "INBOX", '/', "", "INBOX" },
	{ "lists/dev", '/', "", "lists/dev" },
	{ "lists/dev", '/', NULL, "lists/dev" },
	{ "Archiv/Grüße & Co", '/', "", "Archiv/Grüße & Co" },
	/* Dovecot's Maildir++ default: "." between levels. */
	{ "lists.dev", '.', "", "lists/dev" },
	{ "a/b", '.', "", NULL },
	{ "lists..dev", '.', "", NULL },
	{ ".lists", '.', "", NULL },
	{ "lists.", '.', "", NULL },
	{ "", '.', "", NULL },
	/* Courier: the personal namespace "INBOX." */
	{ "INBOX", '.', "INBOX.", "INBOX" },
	{ "INBOX.lists.dev", '.', "INBOX.", "lists/dev" },
	{ "INBOX.Archiv.Grüße & Co.Alt", '.', "INBOX.", "Archiv/Grüße & Co/Alt" },
	{ "INBOX.a/b", '.', "INBOX.", NULL },
	{ "INBOX..x", '.', "INBOX.", NULL },
	{ "INBOX.", '.', "INBOX.", NULL },
	/* Left whole: a level INBOX would read as the INBOX itself. */
	{ "INBOX.INBOX", '.', "INBOX.", "INBOX/INBOX" },
	{ "INBOX.inbox.x", '.', "INBOX.", "INBOX/inbox/x" },
	{ "INBOX.INBOXES", '.', "INBOX.", "INBOXES" },
	/* Not below the prefix (another namespace): the whole name. */
	{ "#shared.x", '.', "INBOX.", "#shared/x" },
	{ "INBOXES.x", '.', "INBOX.", "INBOXES/x" },
	{ "inbox.x", '.', "INBOX.", "inbox/x" },
	/* Another prefix, another delimiter. */
	{ "Mail/lists/dev", '/', "Mail/", "lists/dev" },
	{ "Mail", '/', "Mail/", "Mail" },
	{ "Mail/", '/', "Mail/", NULL },
};

int main(void)
{
	struct buf out = BUF_INIT;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *row = &rows[i];
		int rc = mailbox_url_name(row->imap_name, row->delimiter, row->prefix, &out);
		if (!row->url_name)
			tap_ok(rc == -1, "%s (prefix %s) has no URL name", row->imap_name,
			       row->prefix ? row->prefix : "NULL");
		else if (tap_ok(rc == 0, "%s (prefix %s)", row->imap_name,
		                row->prefix ? row->prefix : "NULL"))
			tap_is_mem(out.p, out.len, row->url_name, strlen(row->url_name),
			           row->url_name);
	}
	buf_release(&out);
	return tap_done();
}
