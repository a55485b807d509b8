#include "message.h"

#include <stdlib.h>
#include <string.h>

void message_format_date(struct buf *out, time_t when)
{
	struct tm tm;
	char text[32];

	if (!gmtime_r(&when, &tm) ||
	    !strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return;
	buf_addstr(out, text);
}

static void addrs_release(struct message_addrs *addrs)
{
	for (size_t i = 0; i < addrs->n; i++) {
		free(addrs->items[i].name);
		free(addrs->items[i].address);
	}
	free(addrs->items);
	addrs->items = NULL;
	addrs->n = 0;
}

void message_info_release(struct message_info *info)
{
	free(info->message_id);
	free(info->subject);
	addrs_release(&info->from);
	addrs_release(&info->to);
	addrs_release(&info->cc);
	free(info->in_reply_to);
	for (size_t i = 0; i < info->nreferences; i++)
		free(info->references[i]);
	free(info->references);
	memset(info, 0, sizeof(*info));
}

void message_parts_release(struct message_parts *parts)
{
	for (size_t i = 0; i < parts->n; i++) {
		struct message_part *part = &parts->items[i];
		free(part->section);
		free(part->type);
		free(part->charset);
		free(part->filename);
		free(part->encoding);
	}
	free(parts->items);
	parts->items = NULL;
	parts->n = 0;
}
