#include "mime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "charset.h"
#include "flowed.h"
#include "html2text.h"
#include "imap_view.h"
#include "rfc2045.h"
#include "rfc2047.h"
#include "rfc2231.h"

struct str mime_fetch_section(const struct imap_response *fetch,
                              const char *item, const char *section)
{
	const struct imap_node *list = fetch->data;

	/* "* N FETCH (...)": the list is the third token. */
	while (list && list->type != IMAP_LIST)
		list = list->next;
	if (!list)
		return STR_NULL;
	for (const struct imap_node *node = list->children; node && node->next;
	     node = node->next->next) {
		const struct imap_node *value = node->next;
		if (node->type != IMAP_ATOM || !str_caseeq(node->text, item) ||
		    !node->section)
			continue;
		const struct imap_node *spec = node->section->children;
		bool match = section[0] ? spec && !spec->next &&
		                              str_caseeq(spec->text, section)
		                        : !spec;
		if (match)
			return imap_node_nstring(value);
	}
	return STR_NULL;
}

const struct message_part *mime_find_part(const struct message_parts *parts,
                                          const char *section)
{
	for (size_t i = 0; i < parts->n; i++)
		if (!strcmp(parts->items[i].section, section))
			return &parts->items[i];
	return NULL;
}

void mime_decode_body(const struct message_part *part, struct str raw,
                      struct buf *out)
{
	enum rfc2045_cte cte = rfc2045_cte_lookup(str_from(part->encoding ? part->encoding : "7bit"));

	rfc2045_decode(cte, out, raw.p ? raw.p : "", raw.len);
}

void mime_text_to_utf8(const struct message_part *part, struct str decoded,
                       struct buf *out)
{
	struct buf utf8 = BUF_INIT;

	if (part->charset && part->charset[0])
		charset_to_utf8(&utf8, part->charset, decoded.p ? decoded.p : "",
		                decoded.len);
	else
		charset_guess_to_utf8(&utf8, decoded.p ? decoded.p : "", decoded.len);
	if (!strcmp(part->type, "text/html")) {
		html2text(out, buf_cstr(&utf8), utf8.len);
	} else if (part->flowed) {
		flowed_decode(out, buf_cstr(&utf8), utf8.len, part->delsp);
	} else {
		/* Line ends as "\n", whatever the mail had. */
		for (size_t i = 0; i < utf8.len; i++) {
			if (utf8.p[i] == '\r' && i + 1 < utf8.len && utf8.p[i + 1] == '\n')
				continue;
			buf_addch(out, utf8.p[i] == '\r' ? '\n' : utf8.p[i]);
		}
	}
	buf_release(&utf8);
}

int mime_fetch_text(struct session *session, uint32_t uid,
                    const struct message_parts *parts, struct buf *text,
                    struct session_err *err)
{
	struct imap_cmd cmd;
	struct session_result result;
	struct buf items = BUF_INIT, uidset = BUF_INIT;
	const struct imap_response *fetch = NULL;
	size_t wanted = 0;
	int rc = -1;

	buf_addch(&items, '(');
	for (size_t i = 0; i < parts->n && wanted < MIME_MAX_TEXT_PARTS; i++) {
		if (!parts->items[i].displayed)
			continue;
		buf_addf(&items, "%sBODY.PEEK[%s]", wanted ? " " : "",
		         parts->items[i].section);
		wanted++;
	}
	buf_addch(&items, ')');
	session_result_init(&result);
	if (!wanted) {
		rc = 0;
		goto out;
	}
	buf_addf(&uidset, "%u", uid);
	imap_cmd_init(&cmd, "UID FETCH");
	imap_cmd_seqset(&cmd, buf_cstr(&uidset));
	imap_cmd_fetch_items(&cmd, buf_cstr(&items));
	rc = session_run(session, &cmd, &result, err);
	imap_cmd_release(&cmd);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < result.nuntagged && !fetch; i++) {
		struct message_info info;
		if (message_info_from_fetch(&info, result.untagged[i]) == 0) {
			if (info.uid == uid)
				fetch = result.untagged[i];
			message_info_release(&info);
		}
	}
	for (size_t i = 0, shown = 0; fetch && i < parts->n && shown < wanted; i++) {
		const struct message_part *part = &parts->items[i];
		struct buf decoded = BUF_INIT;
		if (!part->displayed)
			continue;
		shown++;
		mime_decode_body(part, mime_fetch_section(fetch, "BODY", part->section),
		                 &decoded);
		if (text->len) {
			/* Parts are separated by one blank line. */
			while (text->len && text->p[text->len - 1] == '\n')
				buf_truncate(text, text->len - 1);
			buf_addstr(text, "\n\n");
		}
		mime_text_to_utf8(part, str_from_buf(&decoded), text);
		buf_release(&decoded);
	}
	rc = 0;
out:
	session_result_release(&result);
	buf_release(&items);
	buf_release(&uidset);
	return rc;
}
