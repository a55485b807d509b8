/*
 * A thread's outline on a message page: the thread's messages, parents
 * before replies, each one line (subject, sender, date) linking to its
 * page, the current one marked.  A long thread shows a window around the
 * current message (OUTLINE_WINDOW rows) and says how many rows it left
 * out before and after; the thread page has them all.
 */
#ifndef IMAPEEK_OUTLINE_H
#define IMAPEEK_OUTLINE_H

#include "page.h"

#define OUTLINE_WINDOW 25
/* Deeper replies are drawn at this indentation. */
#define OUTLINE_MAX_INDENT 12

/*
 * vars: "outline" {uid, depth, indent, subject, from, date, datetime,
 * url, current}, "outline_before" and "outline_after" (rows left out),
 * "outline_count" (messages in the thread).  json: "outline" [{uid,
 * depth, subject, url, current}].  Either may be NULL.  Nothing is set
 * when uid is in no thread of more than one message or when the thread
 * cannot be read: the message page is still worth showing.
 */
void outline_add(struct page *page, uint32_t uid, struct tmpl_vars *vars,
                 struct json *json);

#endif
