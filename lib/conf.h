/*
 * The configuration file of imapeek.conf(5): "key = value" lines, "#" comments.
 * An unknown key, a bad value or a missing required key is an error
 * reported as "FILE:LINE: message".
 */
#ifndef IMAPEEK_CONF_H
#define IMAPEEK_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct conf {
	char *path;              /* the file read */
	char **imapd_argv;       /* "imapd", split like a shell, NULL-ended */
	char **imapd_env;        /* "imapd-env" NAME=VALUE, NULL-ended */
	char *title;             /* "imapeek" */
	char *about;             /* Markdown file path, or NULL */
	char **mailboxes;        /* glob patterns, NULL-ended; default "*" */
	char **hide;             /* glob patterns, NULL-ended; default none */
	unsigned page_size;      /* 1..500, default 50 */
	unsigned timeout;        /* seconds, default 10 */
	uint64_t max_literal;    /* bytes, default 67108864 */
	bool obfuscate;          /* default no */
	char *base_url;          /* or NULL: from the request */
	char *templates;         /* folder; default IMAPEEK_TEMPLATES */
	unsigned max_connections; /* imapeek-httpd: open connections, default 256 */
	unsigned max_per_client;  /* ... from one client address, default 16 */
	unsigned export_limit;    /* messages in an mbox export or feed, 1000 */
	/* "description = NAME: TEXT", may repeat: the mailbox NAME (as shown,
	 * levels joined by "/") and its one-line description; NULL-ended. */
	char **description_names, **description_texts;
	char *settings;          /* every "key=value" read, a line each */
};

/* The configured description of a mailbox (its shown name), or NULL. */
const char *conf_description(const struct conf *conf, const char *mailbox);

/* Which file to read: -c CONF, else $IMAPEEK_CONF, else /etc/imapeek.conf. */
const char *conf_choose_path(const char *from_command_line);

/*
 * 0, or -1 with "FILE:LINE: message" in err (conf is then empty).  Values
 * are trimmed and never quoted (only imapd's words are); a "#" starts a
 * comment only at the start of a line.  Relative "about" and "templates"
 * paths are relative to the folder of the configuration file.  Every key
 * but imapd-env and description may appear once; every key needs a value.
 */
int conf_load(struct conf *conf, const char *path, struct buf *err);
/* The same from a string (tests); name is used in messages. */
int conf_parse(struct conf *conf, const char *name, const char *text,
               size_t len, struct buf *err);
void conf_release(struct conf *conf);

/*
 * What the configuration makes of the site's output, for validators
 * (cache.h): every setting read, in order, appended to out.  All of
 * them, not a chosen few: a setting that changes no page costs one
 * revalidation when it changes, a forgotten one would serve stale pages.
 */
void conf_fingerprint(const struct conf *conf, struct buf *out);

/*
 * Split a command line like a shell splits words: blanks separate, double
 * quotes group (backslash escapes " and \ inside them), no expansion.
 * 0 and a NULL-ended argv, or -1 (unbalanced quote, empty).
 */
int conf_split_words(const char *line, char ***argv, struct buf *err);
void conf_free_words(char **argv);

/*
 * Is a mailbox shown: its name as people read it (UTF-8, levels joined
 * by "/", a "/" inside a level left as it is) matches one of the
 * "mailboxes" patterns and no "hide" pattern.  Patterns are fnmatch(3)
 * globs without FNM_PATHNAME, so a star also matches "/":
 *     mailboxes = lists/<star>   shows lists/dev and lists/dev/old (not "lists")
 *     mailboxes = <star>         shows every mailbox at every level
 * A "hide" pattern hides the mailboxes it matches and everything below
 * them: hide = private hides private and private/2019 too.  A level
 * holding "/" (a name "a/b" on a server whose delimiter is ".") is
 * matched as the text "a/b", so hide = a hides it: in doubt, hidden.
 * (<star> stands for "*", which cannot be written inside a C comment here.)
 */
bool conf_mailbox_visible(const struct conf *conf, const char *mailbox);

#endif
