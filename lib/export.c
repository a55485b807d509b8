/*
 * What more than one page sends: a list of messages as an Atom feed
 * (atom.h; the newest messages of a mailbox, a search's hits) and as an
 * mboxrd export (mboxrd.h; a thread, a search's hits).  Feed entries carry
 * the message's text and RFC 4685's thr:in-reply-to naming the parent by
 * Message-ID.  An export's messages come from BODY.PEEK[] (never BODY[],
 * which would set \Seen) a batch at a time and are written as they come,
 * so memory stays at one batch however long the export; gzip on the way
 * when the client accepts it.
 */
#include "export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atom.h"
#include "gzip.h"
#include "mboxrd.h"
#include "negotiate.h"
#include "message.h"
#include "site.h"

/* Entries in a feed: a reader polls, it does not read the archive. */
#define FEED_ENTRIES 20

/* The site's origin + path: feed ids and links must be absolute. */
static void absolute_url(struct page *page, struct buf *out, const char *path)
{
	struct buf origin = BUF_INIT;

	site_origin(page->conf, page->req, &origin);
	buf_add(out, origin.p, origin.len);
	buf_addstr(out, path);
	buf_release(&origin);
}

static void feed_entry(struct page *page, const struct archive_message *msg,
                       struct buf *out)
{
	const struct message_info *info = &msg->info;
	struct buf id = BUF_INIT, link = BUF_INIT, path = BUF_INIT,
	           text = BUF_INIT, parent = BUF_INIT, author = BUF_INIT;
	struct html_url url = { .mailbox = page->route->mailbox, .uid = msg->uid };

	buf_add(&text, msg->body.text.p, msg->body.text.len);
	if (msg->note)
		buf_addf(&text, "%s[%s]", text.len ? "\n\n" : "", msg->note);
	page_url(page, &path, &url);
	absolute_url(page, &link, buf_cstr(&path));
	if (info->message_id) {
		atom_id_msgid(&id, str_from(info->message_id));
	} else {
		/* The site's authority, as in its links: "tag:host%3A8080,...". */
		struct buf origin = BUF_INIT;
		site_origin(page->conf, page->req, &origin);
		const char *authority = strstr(buf_cstr(&origin), "://");
		atom_id_uid(&id, str_from(authority ? authority + 3 : buf_cstr(&origin)),
		            str_from(page->route->mailbox),
		            archive_uidvalidity(page->archive), msg->uid);
		buf_release(&origin);
	}
	if (info->in_reply_to)
		atom_id_msgid(&parent, str_from(info->in_reply_to));
	const struct message_addr *from = info->from.n ? &info->from.items[0] : NULL;
	if (from && from->name && from->name[0])
		buf_addstr(&author, from->name);
	else if (from)
		page_shown_address(page, from, &author);
	struct atom_entry entry = {
		.id = str_from_buf(&id),
		.title = str_from(info->subject && info->subject[0] ? info->subject
		                                                    : "(no subject)"),
		.updated = info->date,
		.author_name = str_from_buf(&author),
		.link = str_from_buf(&link),
		.content = str_from_buf(&text),
		.in_reply_to = str_from_buf(&parent),
	};
	atom_add_entry(out, &entry);
	buf_release(&id);
	buf_release(&link);
	buf_release(&path);
	buf_release(&text);
	buf_release(&parent);
	buf_release(&author);
}

int export_atom(struct page *page, const char *title, const char *alternate,
                const uint32_t *uids, size_t n)
{
	struct session_err err = { 0 };
	struct buf out = BUF_INIT, self = BUF_INIT, self_abs = BUF_INIT,
	           alt = BUF_INIT, alt_abs = BUF_INIT;
	struct gzip_resp gzip;
	struct resp *resp = page->resp;
	struct archive_message *msgs;
	time_t updated = 0;
	int rc = -1;

	if (n > FEED_ENTRIES)
		n = FEED_ENTRIES;
	if (n > page->conf->export_limit)
		n = page->conf->export_limit;
	/* Every entry with its text: one batch, not a round trip each. */
	msgs = xcalloc(n + 1, sizeof(*msgs));
	for (size_t i = 0; i < n; i++)
		msgs[i].uid = uids[i];
	if (page_fetch_messages(page, msgs, n, &err) < 0) {
		rc = page_session_error(page, &err);
		goto out;
	}
	/* The feed's date is its newest entry's: stable while nothing arrives. */
	for (size_t i = 0; i < n; i++)
		if (msgs[i].found && msgs[i].info.date > updated)
			updated = msgs[i].info.date;
	buf_addstr(&self, page->req->path ? page->req->path : "/");
	{
		struct buf path = BUF_INIT;
		buf_addstr(&path, page->root);
		buf_addstr(&path, page->req->path ? page->req->path : "/");
		if (page->req->query && page->req->query[0])
			buf_addf(&path, "?%s", page->req->query);
		absolute_url(page, &self_abs, buf_cstr(&path));
		buf_release(&path);
	}
	if (alternate) {
		buf_addstr(&alt, alternate);
	} else {
		struct html_url index = { .mailbox = page->route->mailbox };
		page_url(page, &alt, &index);
	}
	absolute_url(page, &alt_abs, buf_cstr(&alt));
	struct atom_feed feed = {
		.id = str_from_buf(&self_abs),
		.title = str_from(title),
		.updated = updated,
		.self_url = str_from_buf(&self_abs),
		.alternate_url = str_from_buf(&alt_abs),
	};
	atom_begin(&out, &feed);
	for (size_t i = 0; i < n; i++)
		if (msgs[i].found)
			feed_entry(page, &msgs[i], &out);
	atom_end(&out);
	resp_header(resp, "Content-Type", "application/atom+xml; charset=utf-8");
	resp_header(resp, "X-Content-Type-Options", "nosniff");
	resp_header(resp, "Vary", "Accept, Accept-Encoding");
	if (page->gzip) {
		gzip_resp_init(&gzip, resp);
		rc = resp_write(&gzip.resp, out.p, out.len);
		if (gzip_resp_finish(&gzip) < 0)
			rc = -1;
	} else {
		rc = resp_write(resp, out.p, out.len);
	}
	if (rc < 0)
		rc = page_fail(page, "the feed", NULL);
out:
	for (size_t i = 0; i < n; i++)
		archive_message_release(&msgs[i]);
	free(msgs);
	buf_release(&out);
	buf_release(&self);
	buf_release(&self_abs);
	buf_release(&alt);
	buf_release(&alt_abs);
	return rc;
}

struct mbox_export {
	struct resp *resp;
	struct buf entry;
	struct mboxrd writer;   /* of the message under way */
};

/*
 * A message as an mboxrd entry, written out a piece at a time as it
 * comes: the message's own bytes and its sender, addresses kept whatever
 * obfuscate says (an export is the mail itself, for a mail reader, not a
 * page; README).
 */
static int mbox_take(void *ctx, const struct archive_raw_piece *piece)
{
	struct mbox_export *export = ctx;

	buf_reset(&export->entry);
	if (piece->first) {
		const struct message_info *info = piece->info;
		struct buf sender = BUF_INIT;
		mboxrd_sender(STR_NULL, info->from.n ? str_from(info->from.items[0].address)
		                                     : STR_NULL, &sender);
		/* The From line carries the arrival date, as a delivery would. */
		mboxrd_begin(&export->writer, &export->entry, str_from_buf(&sender),
		             info->internaldate);
		buf_release(&sender);
	}
	mboxrd_feed(&export->writer, &export->entry,
	            piece->bytes.p ? piece->bytes.p : "", piece->bytes.len);
	if (piece->last)
		mboxrd_end(&export->writer, &export->entry);
	return resp_write(export->resp, export->entry.p, export->entry.len);
}

int export_mbox(struct page *page, const char *filename,
                const uint32_t *uids, size_t n)
{
	struct session_err err = { 0 };
	struct gzip_resp gzip;
	struct resp *resp = page->resp;
	struct mbox_export export = { .entry = BUF_INIT };
	bool compress = page->gzip;
	int rc = 0;

	/* The first (newest) export-limit messages: an export is not a mirror. */
	if (n > page->conf->export_limit)
		n = page->conf->export_limit;
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
			/* Nothing sent yet: a proper error page, not gzipped. */
			if (compress)
				gzip_resp_abandon(&gzip);
			compress = false;
			rc = page_session_error(page, &err);
		} else {
			/* Mid-stream: the answer fails, the client sees it cut. */
			rc = page_fail(page, "the mbox export", &err);
		}
	}
	if (compress && gzip_resp_finish(&gzip) < 0)
		rc = page_fail(page, "the mbox export's gzip", NULL);
	buf_release(&export.entry);
	return rc;
}
