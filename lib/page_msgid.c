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

#include "imap_view.h"
#include "message.h"

/* Candidates checked per mailbox: a substring of thousands is no id. */
#define MSGID_MAX_CANDIDATES 64

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

/* The lowest UID in the examined mailbox with exactly msgid; 0 if none. */
static int find_in_mailbox(struct page *page, const char *msgid,
                           uint32_t *found, struct session_err *err)
{
	struct session_result result;
	struct imap_cmd cmd;
	struct buf needle = BUF_INIT, set = BUF_INIT;
	size_t candidates = 0;
	int rc = -1;

	*found = 0;
	buf_addf(&needle, "<%s>", msgid);
	imap_cmd_init(&cmd, "UID SEARCH");
	imap_cmd_atom(&cmd, "HEADER");
	imap_cmd_atom(&cmd, "Message-ID");
	imap_cmd_string(&cmd, str_from_buf(&needle));
	session_result_init(&result);
	rc = session_run(page->session, &cmd, &result, err);
	imap_cmd_release(&cmd);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < result.nuntagged; i++) {
		struct imap_search hits;
		if (imap_view_search(result.untagged[i], &hits) < 0)
			continue;
		for (size_t k = 0; k < hits.n && candidates < MSGID_MAX_CANDIDATES;
		     k++, candidates++)
			buf_addf(&set, "%s%u", set.len ? "," : "", hits.ids[k]);
		imap_search_release(&hits);
	}
	session_result_release(&result);
	session_result_init(&result);
	if (!set.len)
		goto out;
	imap_cmd_init(&cmd, "UID FETCH");
	imap_cmd_seqset(&cmd, buf_cstr(&set));
	imap_cmd_fetch_items(&cmd, "(UID ENVELOPE INTERNALDATE RFC822.SIZE)");
	rc = session_run(page->session, &cmd, &result, err);
	imap_cmd_release(&cmd);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < result.nuntagged; i++) {
		struct message_info info;
		if (message_info_from_fetch(&info, result.untagged[i]) < 0)
			continue;
		if (info.message_id && same_id(info.message_id, msgid) &&
		    (!*found || info.uid < *found))
			*found = info.uid;
		message_info_release(&info);
	}
out:
	session_result_release(&result);
	buf_release(&needle);
	buf_release(&set);
	return rc;
}

int page_msgid(struct page *page)
{
	struct session_err err = { 0 };
	struct session *session = page_session(page, &err);
	const char *msgid = page->route->msgid;
	const char *mailbox = NULL;
	uint32_t uid = 0;

	if (!session)
		return page_session_error(page, &err);
	if (page->route->mailbox) {
		if (page_examine(page, &err) < 0 ||
		    find_in_mailbox(page, msgid, &uid, &err) < 0)
			return page_session_error(page, &err);
		mailbox = page->route->mailbox;
	} else {
		for (size_t i = 0; i < page->mailboxes->n && !uid; i++) {
			const char *name = page->mailboxes->names[i];
			if (session_examine(session, str_from(name), false, &err) < 0 ||
			    find_in_mailbox(page, msgid, &uid, &err) < 0) {
				/* A mailbox that cannot be read hides nothing else. */
				if (session_broken(session))
					return page_session_error(page, &err);
				continue;
			}
			if (uid)
				mailbox = name;
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
