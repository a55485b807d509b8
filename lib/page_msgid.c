/*
 * Permalinks: "/MBOX/m/MSGID" and "/m/MSGID" answer 302 to the message
 * with that Message-ID.  IMAP's HEADER search is a substring match, so
 * its hits are only candidates: each one's Message-ID is fetched and
 * compared exactly.  "/m/" looks in every visible mailbox, in the order
 * of the mailbox list, and takes the first match.
 */
#include "page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"

int page_msgid(struct page *page)
{
	struct session_err err = { 0 };
	const char *msgid = page->route->msgid;
	const char *mailbox = NULL;
	uint32_t uid = 0;

	if (page->mailbox) {
		if (archive_find_msgid(page->archive, msgid, &uid, &err) < 0)
			return page_session_error(page, &err);
		mailbox = page->mailbox->name;
	} else {
		for (size_t i = 0; i < page->mailboxes->n && !uid; i++) {
			const struct mailbox_entry *entry = &page->mailboxes->entries[i];
			if (archive_open(page->archive, entry, &err) < 0 ||
			    archive_find_msgid(page->archive, msgid, &uid, &err) < 0) {
				/* A mailbox that cannot be read hides nothing else. */
				if (archive_broken(page->archive))
					return page_session_error(page, &err);
				continue;
			}
			if (uid)
				mailbox = entry->name;
		}
	}
	if (!uid)
		return page_error(page, 404, "There is no message with this Message-ID.");
	struct html_url url = { .mailbox = mailbox, .uid = uid };
	struct buf location = BUF_INIT;
	page_url(page, &location, &url);
	if (page->json)
		buf_addstr(&location, "?format=json");
	resp_header(page->resp, "Location", buf_cstr(&location));
	buf_release(&location);
	return page_error(page, 302, "The message is at another address.");
}
