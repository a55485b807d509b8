/*
 * The neutral request and the one writer a handler gets.
 *
 * Every front end (CGI, FastCGI, the standalone server) fills a struct req
 * and a struct resp with its own resp_ops; the library never sees CGI
 * variables or sockets.  A handler sets the status and headers, then
 * writes the body; the first body write sends the headers, and a header set
 * after that is a bug (it aborts in test builds).  For HEAD, body bytes are
 * counted and dropped.
 *
 * Two things can end a response early.  The client may go away (or the
 * server be told to stop): resp_gone() says so, and work between fetches
 * asks it, so that nothing is fetched for nobody.  And the handler may
 * fail after the status line went out: resp_abort() then tells the front
 * end to end the response so that the client sees an incomplete transfer
 * (no final chunk, a short Content-Length, a FastCGI request without its
 * end), never a short body presented as whole.
 */
#ifndef IMAPEEK_REQ_H
#define IMAPEEK_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"

enum req_method { REQ_GET, REQ_HEAD, REQ_OTHER };

struct req {
	enum req_method method;
	/* Where the gateway is mounted ("" or "/archive"), no trailing slash. */
	const char *root;
	/* The path below root, still percent-encoded, starting with "/". */
	const char *path;
	/* The query string without "?", "" when none. */
	const char *query;
	/* Request headers; NULL when absent. */
	const char *accept;
	const char *accept_encoding;
	const char *if_none_match;
	const char *if_modified_since;
	const char *host;         /* the Host header, unchecked (site.h) */
	/* The server's own name and the port the request came in on:
	 * SERVER_NAME and SERVER_PORT under CGI; NULL when unknown. */
	const char *server_name;
	const char *server_port;
	bool https;
};

struct resp_header {
	char *name;
	char *value;
};

struct resp_ops {
	/* Status and headers, once, before the first body byte. */
	int (*begin)(void *ctx, int status, const struct resp_header *headers,
	             size_t nheaders);
	/* Body bytes (never called for HEAD). */
	int (*write)(void *ctx, const char *data, size_t len);
	/* Optional: is the client gone, or the server stopping? */
	bool (*gone)(void *ctx);
	/* Optional: the body will not be completed (resp_abort). */
	void (*abort)(void *ctx);
};

struct resp {
	const struct resp_ops *ops;
	void *ctx;
	bool head_only;
	int status;
	struct resp_header *headers;
	size_t nheaders, cap;
	bool begun;
	/*
	 * The answer is not whole: a write failed (the client went away),
	 * or the page failed after the body began (page_fail: a fetch or a
	 * writer in the middle of a part, an export, a template).  The front
	 * end must then end the transfer as aborted (reset the connection,
	 * no last chunk), never as a short body presented whole.
	 */
	bool failed;
	size_t body_bytes;  /* written (or, for HEAD, dropped) */
	/*
	 * A precondition held that cannot tell whether the page is there
	 * (resp_not_modified_if_ok); then, once a 200 became the 304, its
	 * body goes nowhere and is not counted.
	 */
	bool not_modified_if_ok;
	bool discard;
	/*
	 * An If-Modified-Since for a page whose date only its fetch tells
	 * (resp_not_modified_since); 0: none.
	 */
	time_t modified_since;
};

void resp_init(struct resp *resp, const struct resp_ops *ops, void *ctx,
               bool head_only);
void resp_release(struct resp *resp);
void resp_set_status(struct resp *resp, int status);
/* Replaces a header of the same name (case-insensitive). */
void resp_header(struct resp *resp, const char *name, const char *value);
void resp_headerf(struct resp *resp, const char *name, const char *fmt, ...)
	PRINTF_LIKE(3, 4);
const char *resp_get_header(const struct resp *resp, const char *name);
void resp_unset_header(struct resp *resp, const char *name);
/*
 * The client's copy is current if there is a page at all (cache.h,
 * CACHE_IF_PRESENT): a 200 becomes a 304 as it begins, its body dropped;
 * any other status goes out as it is.  The page needs no body for its
 * 200 then, as for HEAD (resp_body_wanted).
 */
void resp_not_modified_if_ok(struct resp *resp);
/*
 * The request's If-Modified-Since date, for a page that learns its own
 * date from its fetch: resp_modified_at then decides.
 */
void resp_not_modified_since(struct resp *resp, time_t since);
/*
 * The page's date, once known: when it is no later than
 * resp_not_modified_since's, a 200 becomes a 304 as with
 * resp_not_modified_if_ok, and no body is wanted after this.
 */
void resp_modified_at(struct resp *resp, time_t modified);
/* Whether a 200's body goes anywhere: not for HEAD, nor a 304 to be. */
bool resp_body_wanted(const struct resp *resp);
/* Sends the headers if not yet sent.  0 or -1. */
int resp_begin(struct resp *resp) MUST_CHECK;
int resp_write(struct resp *resp, const void *data, size_t len) MUST_CHECK;
int resp_puts(struct resp *resp, const char *s) MUST_CHECK;
int resp_printf(struct resp *resp, const char *fmt, ...) PRINTF_LIKE(2, 3) MUST_CHECK;
/*
 * Ends the response: begins it if nothing was written.  Its failure is
 * also in resp->failed, which is what a front end reads once the
 * gateway returns.
 */
int resp_finish(struct resp *resp);
/*
 * True when nobody will read what follows: a write failed, or the front
 * end says the client is gone or the server stops.  Cheap enough to ask
 * before every fetch.
 */
bool resp_gone(struct resp *resp);
/*
 * The body cannot be completed: resp->failed, here and in the response a
 * wrapper writes into (gzip).  Pages say it with page_fail(), which also
 * gives an error page while nothing was sent.
 */
void resp_abort(struct resp *resp);

/* The reason phrase of a status code ("Not Found"). */
const char *http_status_text(int status);

#endif
