#include "outline.h"

#include <stdlib.h>

#include "message.h"
#include "thread.h"

void outline_add(struct page *page, uint32_t uid, struct tmpl_vars *vars,
                 struct json *json)
{
	struct session_err err = { 0 };
	struct thread_row *rows = NULL;
	struct message_info *infos = NULL;
	size_t n = page_thread_rows(page, uid, &rows, &err), ninfos = 0;
	size_t at = 0, from, to, count = 0;
	uint32_t *uids = NULL;
	size_t nuids = 0;
	struct buf url = BUF_INIT;

	for (size_t i = 0; i < n; i++) {
		count += rows[i].uid != 0;
		if (rows[i].uid == uid)
			at = i;
	}
	if (count < 2)
		goto out;
	from = at > OUTLINE_WINDOW / 2 ? at - OUTLINE_WINDOW / 2 : 0;
	to = from + OUTLINE_WINDOW < n ? from + OUTLINE_WINDOW : n;
	if (to - from < OUTLINE_WINDOW && to == n)
		from = n > OUTLINE_WINDOW ? n - OUTLINE_WINDOW : 0;
	uids = xcalloc(to - from + 1, sizeof(*uids));
	for (size_t i = from; i < to; i++)
		if (rows[i].uid)
			uids[nuids++] = rows[i].uid;
	if (page_fetch_summaries(page, uids, nuids, &infos, &ninfos, &err) < 0)
		goto out;
	if (vars) {
		tmpl_vars_set_uint(vars, "outline_count", count);
		tmpl_vars_set_uint(vars, "outline_before", from);
		tmpl_vars_set_uint(vars, "outline_after", n - to);
		tmpl_vars_set_list(vars, "outline");
	}
	if (json) {
		json_key(json, "outline");
		json_array_begin(json);
	}
	for (size_t i = from; i < to; i++) {
		const struct message_info *info = message_info_find(infos, ninfos, rows[i].uid);
		struct html_url link = { .mailbox = page->route->mailbox,
		                         .uid = rows[i].uid };
		buf_reset(&url);
		if (info)
			page_url(page, &url, &link);
		if (vars) {
			struct tmpl_vars *row = tmpl_vars_add_item(vars, "outline");
			unsigned depth = rows[i].depth;
			if (info)
				page_vars_summary(page, row, info, buf_cstr(&url));
			else
				tmpl_vars_set_str(row, "subject", "(a message not in this mailbox)");
			tmpl_vars_set_uint(row, "depth", depth);
			tmpl_vars_set_uint(row, "indent", depth > OUTLINE_MAX_INDENT
			                                      ? OUTLINE_MAX_INDENT : depth);
			tmpl_vars_set_bool(row, "current", rows[i].uid == uid);
		}
		if (json) {
			json_object_begin(json);
			json_kv_uint(json, "uid", rows[i].uid);
			json_kv_uint(json, "depth", rows[i].depth);
			json_kv_string(json, "subject", info ? info->subject : NULL);
			json_kv_string(json, "url", info ? buf_cstr(&url) : NULL);
			json_kv_bool(json, "current", rows[i].uid == uid);
			json_object_end(json);
		}
	}
	if (json)
		json_array_end(json);
out:
	archive_summaries_free(infos, ninfos);
	free(uids);
	free(rows);
	buf_release(&url);
}
