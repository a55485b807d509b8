/* "/MBOX/new.atom": an Atom feed of the mailbox's newest messages. */
#include "page.h"

#include <stdio.h>

#include "export.h"

int page_atom(struct page *page)
{
	struct session_err err = { 0 };
	struct buf title = BUF_INIT;
	const uint32_t *uids;
	size_t n;
	int rc;

	if (archive_sorted_uids(page->archive, &uids, &n, &err) < 0)
		return page_session_error(page, &err);
	buf_addf(&title, "%s: %s", page->conf->title, page->route->mailbox_label);
	rc = export_atom(page, buf_cstr(&title), NULL, uids, n);
	buf_release(&title);
	return rc;
}
