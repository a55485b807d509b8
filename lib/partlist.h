/*
 * A message's parts as pages list them: the message page's attachments
 * and its JSON "parts", and the same under each message of a thread page.
 */
#ifndef IMAPEEK_PARTLIST_H
#define IMAPEEK_PARTLIST_H

#include "page.h"

struct message_parts;

/*
 * For templates, message uid's "attachments" {section, type, filename,
 * size (as read: "3.4 KiB"), bytes, url, image (shown inline)}: the files
 * a reader would open; and "alternatives" (the same keys): the other
 * parts not shown, such as the HTML form of a text.
 */
void partlist_vars(struct page *page, struct tmpl_vars *vars, uint32_t uid,
                   const struct message_parts *parts);
/* JSON's "parts": every part, as imapeek-httpd(8) has it. */
void partlist_json(struct page *page, struct json *json, uint32_t uid,
                   const struct message_parts *parts);

#endif
