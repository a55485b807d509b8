#include "outline.h"

#include <stdlib.h>
#include <string.h>

#include "message.h"
#include "thread.h"

void outline_plan(struct page *page, uint32_t uid, struct outline *outline)
{
	struct session_err err = { 0 };
	size_t at = 0, count = 0;

	memset(outline, 0, sizeof(*outline));
	outline->uid = uid;
	outline->nrows = page_thread_rows(page, uid, &outline->rows, &err);
	for (size_t i = 0; i < outline->nrows; i++) {
		count += outline->rows[i].uid != 0;
		if (outline->rows[i].uid == uid)
			at = i;
	}
	outline->count = count;
	if (count < 2)
		return;
	outline->from = at > OUTLINE_WINDOW / 2 ? at - OUTLINE_WINDOW / 2 : 0;
	outline->to = outline->from + OUTLINE_WINDOW < outline->nrows
	                  ? outline->from + OUTLINE_WINDOW : outline->nrows;
	if (outline->to - outline->from < OUTLINE_WINDOW && outline->to == outline->nrows)
		outline->from = outline->nrows > OUTLINE_WINDOW
		                    ? outline->nrows - OUTLINE_WINDOW : 0;
	outline->uids = xcalloc(outline->to - outline->from + 1, sizeof(*outline->uids));
	for (size_t i = outline->from; i < outline->to; i++)
		if (outline->rows[i].uid)
			outline->uids[outline->nuids++] = outline->rows[i].uid;
}

void outline_show(struct page *page, const struct outline *outline,
                  const struct message_info *infos, size_t ninfos,
                  struct tmpl_vars *vars, struct json *json)
{
	struct buf url = BUF_INIT;
	struct outline_nest nest = { 0 };

	if (outline->count < 2 || !ninfos)
		return;
	if (vars) {
		tmpl_vars_set_uint(vars, "outline_count", outline->count);
		tmpl_vars_set_uint(vars, "outline_before", outline->from);
		tmpl_vars_set_uint(vars, "outline_after", outline->nrows - outline->to);
		tmpl_vars_set_list(vars, "outline");
	}
	if (json) {
		json_key(json, "outline");
		json_array_begin(json);
	}
	for (size_t i = outline->from; i < outline->to; i++) {
		const struct thread_row *at = &outline->rows[i];
		const struct message_info *info = message_info_find(infos, ninfos, at->uid);
		struct html_url link = { .mailbox = page->route->mailbox, .uid = at->uid };
		bool current = at->uid == outline->uid;

		buf_reset(&url);
		if (info)
			page_url(page, &url, &link);
		if (vars) {
			struct tmpl_vars *row = tmpl_vars_add_item(vars, "outline");
			if (info)
				page_vars_summary(page, row, info, buf_cstr(&url));
			else {
				/* Its names all set: unset, the page's own would show. */
				tmpl_vars_set_str(row, "subject", "(a message not in this mailbox)");
				tmpl_vars_set_str(row, "from", "");
				tmpl_vars_set_str(row, "date", "");
				tmpl_vars_set_str(row, "datetime", "");
				tmpl_vars_set_str(row, "url", "");
			}
			unsigned indent = at->depth > OUTLINE_MAX_INDENT ? OUTLINE_MAX_INDENT
			                                                 : at->depth;
			tmpl_vars_set_uint(row, "depth", at->depth);
			tmpl_vars_set_uint(row, "indent", indent);
			tmpl_vars_set_bool(row, "current", current);
			outline_nest_row(&nest, row, indent);
		}
		if (json) {
			json_object_begin(json);
			json_kv_uint(json, "uid", at->uid);
			json_kv_uint(json, "depth", at->depth);
			json_kv_string(json, "subject", info ? info->subject : NULL);
			json_kv_string(json, "url", info ? buf_cstr(&url) : NULL);
			json_kv_bool(json, "current", current);
			json_object_end(json);
		}
	}
	if (vars)
		outline_nest_end(&nest, vars, "outline_end");
	if (json)
		json_array_end(json);
	buf_release(&url);
}

void outline_nest_row(struct outline_nest *nest, struct tmpl_vars *row,
                      unsigned depth)
{
	unsigned level;

	if (!nest->started) {
		nest->started = true;
		nest->depth = depth;
		nest->level = 0;
		return;
	}
	if (depth > nest->depth)
		level = nest->level + 1;
	else if (nest->depth - depth >= nest->level)
		level = 0;
	else
		level = nest->level - (nest->depth - depth);
	/* Never more than depth: the lists are no deeper than the drawing. */
	if (level > nest->level) {
		tmpl_vars_set_bool(row, "nest", true);
	} else {
		tmpl_vars_set_bool(row, "after", true);
		tmpl_vars_set_list(row, "rise");
		for (unsigned i = level; i < nest->level; i++)
			tmpl_vars_add_item(row, "rise");
	}
	nest->depth = depth;
	nest->level = level;
}

void outline_nest_end(const struct outline_nest *nest, struct tmpl_vars *vars,
                      const char *name)
{
	tmpl_vars_set_list(vars, name);
	for (unsigned i = 0; i < nest->level; i++)
		tmpl_vars_add_item(vars, name);
}

void outline_release(struct outline *outline)
{
	free(outline->uids);
	free(outline->rows);
	memset(outline, 0, sizeof(*outline));
}
