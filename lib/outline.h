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
#include "thread.h"

#define OUTLINE_WINDOW 25
/* Deeper replies are drawn at this indentation. */
#define OUTLINE_MAX_INDENT 12

/*
 * Before the message is fetched, outline_plan finds its rows and the UIDs
 * whose summaries the outline needs (uids, nuids; none when uid is in no
 * thread of more than one message or the threads cannot be read: the
 * message page is still worth showing), so that they come in the same
 * round trip as the message (archive_messages_also).
 */
struct outline {
	uint32_t uid;                /* the current message */
	struct thread_row *rows;
	size_t nrows, from, to;      /* rows [from, to) are shown */
	size_t count;                /* messages in the thread */
	uint32_t *uids;
	size_t nuids;
};
void outline_plan(struct page *page, uint32_t uid, struct outline *outline);
/*
 * With the summaries fetched: vars "outline" {uid, depth, indent, subject,
 * from, date, datetime, url, current}, "outline_before" and
 * "outline_after" (rows left out), "outline_count" (messages in the
 * thread).  json: "outline" [{uid, depth, subject, url, current}].  Either
 * may be NULL.  Nothing is set without summaries.
 */
void outline_show(struct page *page, const struct outline *outline,
                  const struct message_info *infos, size_t ninfos,
                  struct tmpl_vars *vars, struct json *json);
void outline_release(struct outline *outline);

/*
 * An outline's rows as nested lists, so that a screen reader says which
 * message answers which.  Each row gets, for the template: "nest" (open
 * a list inside the row before), "after" (end the row before) and "rise"
 * (a list per level to close before this row); outline_nest_end gives
 * vars the list name with an item per level still open after the last.
 * Levels follow the rows' depths (drawn ones: capped at the page's most)
 * as a walk from the first row shown, at level 0: never deeper than one
 * below the row before, never above 0; so a window that starts deep in a
 * thread, or a reply whose parent is not shown, still nests properly.
 */
struct outline_nest {
	bool started;
	unsigned depth, level;   /* the row before's */
};
void outline_nest_row(struct outline_nest *nest, struct tmpl_vars *row,
                      unsigned depth);
void outline_nest_end(const struct outline_nest *nest, struct tmpl_vars *vars,
                      const char *name);

#endif
