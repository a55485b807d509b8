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

/* One message as an mboxrd entry, appended to out. */
static int mbox_message(struct page *page, uint32_t uid, struct buf *out,
                        struct session_err *err)
{
	struct message_info info;
	struct buf bytes = BUF_INIT;
	int found = archive_raw(page->archive, uid, &info, &bytes, err);

	if (found > 0) {
		struct buf sender = BUF_INIT;
		struct mboxrd writer;
		mboxrd_sender(STR_NULL, info.from.n ? str_from(info.from.items[0].address)
		                                    : STR_NULL, &sender);
		/* The From line carries the arrival date, as a delivery would. */
		mboxrd_begin(&writer, out, str_from_buf(&sender), info.internaldate);
		mboxrd_feed(&writer, out, bytes.p, bytes.len);
		mboxrd_end(&writer, out);
		buf_release(&sender);
		message_info_release(&info);
	}
	buf_release(&bytes);
	return found < 0 ? -1 : 0;
}

int page_mbox_send(struct page *page, const char *filename,
                   const uint32_t *uids, size_t n)
{
	struct session_err err = { 0 };
	struct gzip_resp gzip;
	struct resp *resp = page->resp;
	struct buf chunk = BUF_INIT;
	bool compress = gzip_accepted(page->req->accept_encoding);
	unsigned lost = 0;   /* messages left out in a row */
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
	for (size_t i = 0; i < n && rc == 0; i++) {
		buf_reset(&chunk);
		if (mbox_message(page, uids[i], &chunk, &err) < 0) {
			/*
			 * One message the store cannot give (GNU imap4d
			 * mis-sizes some) is left out, not the export; an
			 * imapd that cannot even be started again ends it.
			 */
			fprintf(stderr, "imapeek: mbox export: UID %u left out: %s\n",
			        uids[i], err.message);
			if (!archive_broken(page->archive) || ++lost < 3)
				continue;
			if (!resp->begun) {
				/* Nothing sent yet: a proper error page. */
				if (compress)
					gzip_resp_finish(&gzip);
				compress = false;
				rc = page_session_error(page, &err);
				break;
			}
			/* Mid-stream: stop; the client sees a short file. */
			rc = -1;
			break;
		}
		lost = 0;
		rc = resp_write(resp, chunk.p, chunk.len);
	}
	if (compress)
		gzip_resp_finish(&gzip);
	else
		resp_finish(resp);
	buf_release(&chunk);
	return rc;
}
