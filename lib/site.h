/*
 * Where the site is, as its visitors see it: the path prefix of every
 * link and redirect, and the scheme and authority of absolute URLs (feeds).
 *
 * base-url, when set, decides both (a proxy in front may rewrite paths
 * and hosts at will).  Without it, the root is the front end's
 * (SCRIPT_NAME under CGI, "" for imapeek-httpd) and the authority the
 * request's Host, but only when it is a valid host[:port]: an arbitrary
 * Host would otherwise go into cached feeds.  A Host without a port gets
 * the port the request came in on (nginx's fastcgi_params passes $host,
 * which drops it); an invalid or missing Host falls back to the server's
 * own name and port.  X-Forwarded-* headers are not trusted: any client
 * can send them; behind a proxy, set base-url.
 */
#ifndef IMAPEEK_SITE_H
#define IMAPEEK_SITE_H

#include <stdbool.h>

#include "buf.h"
#include "conf.h"
#include "req.h"

/* The path prefix ("" or "/archive", no trailing slash) into out. */
void site_root(const struct conf *conf, const struct req *req, struct buf *out);

/* "https://host[:port]" (no trailing slash) into out. */
void site_origin(const struct conf *conf, const struct req *req,
                 struct buf *out);

/*
 * host[:port] as RFC 3986 allows it in a URL: a reg-name of letters,
 * digits, "-", "." and "_" (at most 253 bytes), an IPv4 address, or an
 * IP-literal "[...]" of hex digits, ":" and "."; a port of 1 to 5 digits
 * up to 65535.  has_port tells whether one was given.
 */
bool site_authority_valid(const char *authority, bool *has_port);

#endif
