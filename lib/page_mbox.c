/*
 * Exports as mboxrd (mboxrd.h): a thread (/MBOX/UID/thread.mbox) or a
 * search's hits (&format=mbox).  Each message's exact bytes come from
 * BODY.PEEK[] (never BODY[], which would set \Seen) and are written
 * before the next one is fetched, so memory stays at one message however
 * long the export; gzip on the way when the client accepts it.
 */
#include "page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gzip.h"
#include "message.h"
#include "mime.h"
#include "mboxrd.h"

struct mbox_export {
	struct resp *resp;
	struct buf entry;
};

/* One message as an mboxrd entry, written out as it comes. */
static int mbox_take(void *ctx, const struct message_info *info, struct str bytes)
{
	struct mbox_export *export = ctx;
	struct buf sender = BUF_INIT;
	struct mboxrd writer;

	buf_reset(&export->entry);
	mboxrd_sender(STR_NULL, info->from.n ? str_from(info->from.items[0].address)
	                                     : STR_NULL, &sender);
	/* The From line carries the arrival date, as a delivery would. */
	mboxrd_begin(&writer, &export->entry, str_from_buf(&sender), info->internaldate);
	mboxrd_feed(&writer, &export->entry, bytes.p ? bytes.p : "", bytes.len);
	mboxrd_end(&writer, &export->entry);
	buf_release(&sender);
	return resp_write(export->resp, export->entry.p, export->entry.len);
}

int page_mbox_send(struct page *page, const char *filename,
                   const uint32_t *uids, size_t n)
{
	struct session_err err = { 0 };
	struct gzip_resp gzip;
	struct resp *resp = page->resp;
	struct mbox_export export = { NULL, BUF_INIT };
	bool compress = gzip_accepted(page->req->accept_encoding);
	int rc = 0;

	resp_header(resp, "Content-Type", "application/mbox");
	resp_headerf(resp, "Content-Disposition", "attachment; filename=\"%s\"",
	             filename);
	resp_header(resp, "X-Content-Type-Options", "nosniff");
	resp_header(resp, "Vary", "Accept, Accept-Encoding");
	if (compress) {
		gzip_resp_init(&gzip, resp);
		resp = &gzip.resp;
	}
	export.resp = resp;
	/* Messages the store cannot give are left out (archive_raws). */
	if (archive_raws(page->archive, uids, n, mbox_take, &export, &err) < 0) {
		if (!resp->begun && err.code) {
			/* Nothing sent yet: a proper error page. */
			if (compress)
				gzip_resp_finish(&gzip);
			compress = false;
			rc = page_session_error(page, &err);
		} else {
			/* Mid-stream: stop; the client sees a short file. */
			fprintf(stderr, "imapeek: mbox export stopped: %s\n", err.message);
			rc = -1;
		}
	}
	if (compress)
		gzip_resp_finish(&gzip);
	else
		resp_finish(resp);
	buf_release(&export.entry);
	return rc;
}
