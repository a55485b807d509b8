/*
 * A message's parts as pages list them: the message page's attachments
 * and its JSON "parts", and the same under each message of a thread page.
 */
#include "partlist.h"

#include <string.h>

#include "message.h"
#include "mime.h"
#include "rfc2045.h"

/* Images larger than this are listed, not shown inline. */
#define IMAGE_INLINE_MAX (8u << 20)

/* The part page of section in message uid, appended to out. */
static void part_url(struct page *page, struct buf *out, uint32_t uid,
                     const char *section)
{
	struct html_url url = { .mailbox = page->route->mailbox,
	                        .uid = uid,
	                        .section = section };
	page_url(page, out, &url);
}

/* Sizes as a reader reads them: 512 B, 3.4 KiB, 12 MiB. */
static void human_size(struct buf *out, uint64_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double value = (double)size;
	size_t unit = 0;

	while (value >= 1024 && unit + 1 < sizeof(units) / sizeof(units[0]))
		value /= 1024, unit++;
	if (unit == 0)
		buf_addf(out, "%llu B", (unsigned long long)size);
	else
		buf_addf(out, value < 10 ? "%.1f %s" : "%.0f %s", value, units[unit]);
}

/*
 * A part a reader would open as a file: one the sender named (shown as
 * the text or not: an inline patch or README.md is also a download), or
 * one not shown that is no other form of the text (text/html beside
 * text/plain).  Never a container.
 */
static bool is_attachment(const struct message_part *part)
{
	if (!strncmp(part->type, "multipart/", 10))
		return false;
	if (part->filename)
		return true;
	if (part->displayed)
		return false;
	return part->attachment || strncmp(part->type, "text/", 5) != 0;
}

static bool is_inline_image(const struct message_part *part)
{
	static const char *const types[] = { "image/png", "image/jpeg",
	                                     "image/gif", "image/webp" };
	/* Not an image in an encoding that stays undone (x-uuencode). */
	if (mime_part_cte(part) == RFC2045_CTE_UNKNOWN)
		return false;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(part->type, types[i]))
			return part->size <= IMAGE_INLINE_MAX;
	return false;
}

void partlist_vars(struct page *page, struct tmpl_vars *vars, uint32_t uid,
                   const struct message_parts *parts)
{
	struct buf url = BUF_INIT, size = BUF_INIT;

	tmpl_vars_set_list(vars, "attachments");
	tmpl_vars_set_list(vars, "alternatives");
	for (size_t i = 0; i < parts->n; i++) {
		const struct message_part *part = &parts->items[i];
		bool attachment = is_attachment(part);
		if (!attachment && (part->displayed || !strncmp(part->type, "multipart/", 10)))
			continue;
		struct tmpl_vars *item = tmpl_vars_add_item(vars, attachment ? "attachments"
		                                                              : "alternatives");
		tmpl_vars_set_str(item, "section", part->section);
		tmpl_vars_set_str(item, "type", part->type);
		tmpl_vars_set_str(item, "filename", part->filename ? part->filename : "");
		buf_reset(&size);
		/* What the link downloads, not the encoded size. */
		human_size(&size, mime_decoded_size_estimate(part));
		tmpl_vars_set_str(item, "size", buf_cstr(&size));
		tmpl_vars_set_uint(item, "bytes", mime_decoded_size_estimate(part));
		buf_reset(&url);
		part_url(page, &url, uid, part->section);
		tmpl_vars_set_str(item, "url", buf_cstr(&url));
		tmpl_vars_set_bool(item, "image", attachment && !part->displayed &&
		                                      is_inline_image(part));
	}
	buf_release(&url);
	buf_release(&size);
}

void partlist_json(struct page *page, struct json *json, uint32_t uid,
                   const struct message_parts *parts)
{
	struct buf url = BUF_INIT;

	json_key(json, "parts");
	json_array_begin(json);
	for (size_t i = 0; i < parts->n; i++) {
		const struct message_part *part = &parts->items[i];
		json_object_begin(json);
		json_kv_string(json, "section", part->section);
		json_kv_string(json, "type", part->type);
		json_kv_string(json, "charset", part->charset);
		json_kv_string(json, "filename", part->filename);
		json_kv_uint(json, "size", part->size);
		buf_reset(&url);
		part_url(page, &url, uid, part->section);
		json_kv_string(json, "url", buf_cstr(&url));
		json_object_end(json);
	}
	json_array_end(json);
	buf_release(&url);
}
