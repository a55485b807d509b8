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

/*
 * Every imapd session of this gateway waits on stop_fd too: once it is
 * readable (the process stops), a wait for an answer ends at once.
 */
void gateway_set_stop_fd(struct gateway *gateway, int stop_fd);

/*
 * May the request take long (an export, a search, a raw message or part,
 * a thread)?  Decided from the path alone, before any IMAP: a front end
 * with a pool of workers keeps some of them for the other requests.
 */
bool gateway_heavy(const struct req *req);

/*
 * Answer one request completely through resp (resp_finish included).
 * Before each fetch it asks resp_gone(): once the client is gone (or the
 * server stops), nothing more is fetched and the answer ends early.
 */
void gateway_handle(struct gateway *gateway, const struct req *req,
                    struct resp *resp);

#endif
