/*
 * The gateway: what a front end calls for each request.
 *
 * One struct gateway per worker (a CGI process, a FastCGI process, a
 * thread of the standalone server): it holds the configuration, the
 * worker's imapd session (kept open across requests, respawned after a
 * failure) and its caches.  Nothing in it is shared between threads.
 */
#ifndef IMAPEEK_GATEWAY_H
#define IMAPEEK_GATEWAY_H

#include "conf.h"
#include "req.h"

struct gateway;

/* conf must outlive the gateway. */
struct gateway *gateway_new(const struct conf *conf);
void gateway_free(struct gateway *gateway);

/* Answer one request completely through resp (resp_finish included). */
void gateway_handle(struct gateway *gateway, const struct req *req,
                    struct resp *resp);

#endif
