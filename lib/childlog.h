/*
 * The imapd's standard error on its way to ours.  The session reads the
 * child's stderr through a pipe of its own and passes it on a whole line
 * at a time (one write each, so lines of several imapds never mix), less
 * the per-session chatter: Dovecot's standalone imap writes an "Info:"
 * line ("Disconnected: Logged out ...") for every session, whatever its
 * log_path says, and under CGI that is a line per request in the web
 * server's error log.  Errors, warnings and anything not in Dovecot's
 * form go through untouched.
 */
#ifndef IMAPEEK_CHILDLOG_H
#define IMAPEEK_CHILDLOG_H

#include <stdbool.h>
#include <stddef.h>

/* A longer line goes out in pieces of this size (the first decides). */
#define CHILDLOG_LINE_MAX 2048

struct childlog {
	char line[CHILDLOG_LINE_MAX];
	size_t len;
	bool continued;   /* the rest of a line longer than the buffer */
	bool dropping;    /* ... whose first piece was dropped */
	int out_fd;
};

void childlog_init(struct childlog *log, int out_fd);
/* Bytes as read from the child's stderr: whole lines go out. */
void childlog_feed(struct childlog *log, const char *data, size_t len);
/* The child is gone: a last line without its newline goes out too. */
void childlog_flush(struct childlog *log);
/*
 * Is this (first piece of a) line Dovecot's per-session chatter?  An
 * "Info:" or "Debug:" line, bare or after the process's own prefix
 * ("imap(user)<pid><session>: Info: ...", which has no space).
 */
bool childlog_is_chatter(const char *line, size_t len);

#endif
