/*
 * What both front ends share: reading the configuration, turning a raw
 * request-target into the percent-encoded path and query of struct req,
 * checking a request's size, the error page of the front end itself, and
 * logging.  Nothing here knows IMAP; nothing in lib/ knows this.
 */
#ifndef IMAPEEK_FRONT_H
#define IMAPEEK_FRONT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "conf.h"
#include "req.h"

/* Longest path or query a front end passes on; longer ones get 414. */
#define FRONT_MAX_PATH 8192
#define FRONT_MAX_QUERY 8192

/* "imapeek: " + message + newline on stderr, in one write. */
void front_log(const char *fmt, ...) PRINTF_LIKE(1, 2);

/*
 * Read the configuration: -c CONF (NULL under CGI), else $IMAPEEK_CONF,
 * else /etc/imapeek.conf.  0, or -1 with "FILE:LINE: message" in err.
 */
int front_load_conf(struct conf *conf, const char *from_command_line,
                    struct buf *err);

/* REQ_GET, REQ_HEAD or REQ_OTHER; NULL counts as GET (a CGI run by hand). */
enum req_method front_method(const char *method);

/*
 * Split a raw request-target ("/a%2Fb?x=1", or the absolute form
 * "http://host/a?x=1") into its path and query, both left encoded.
 * A fragment is dropped.  -1 for anything that is not a path (the
 * asterisk form, an empty target).
 */
int front_split_target(const char *target, struct buf *path,
                       struct buf *query);

/*
 * Percent-encode a decoded path (PATH_INFO), keeping "/" and the other
 * characters RFC 3986 allows in a path segment; "%" is always encoded.
 */
void front_encode_path(struct buf *out, const char *decoded);

/*
 * 0 when the request may go to the gateway, else the status the front end
 * answers itself (414 for an over-long path or query, 400 for a path that
 * does not start with "/" or holds a byte no client may send raw).
 */
int front_check(const struct req *req);

/* A short HTML error page written through resp (finished). */
void front_error(struct resp *resp, int status);
/* The same page's body, appended to out, for a front end's own answers. */
void front_error_body(struct buf *out, int status);

/* Monotonic milliseconds, for the request log. */
double front_now_ms(void);

#endif
