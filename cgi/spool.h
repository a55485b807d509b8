/*
 * The CGI and FastCGI response writer: "Status: NNN Reason", the headers,
 * a blank line and the body, written through put().
 *
 * The head and the first SPOOL_HOLD bytes of the body are held back.  A
 * body complete within them goes out with its Content-Length, so that a
 * web server (and its client) can tell a cut transfer from a whole one;
 * a failure before anything went out becomes a 502 page instead of a
 * broken 200.  A longer body goes out as it comes, after the head without
 * Content-Length (the web server chunks it) unless the page declared one
 * (a raw message: its RFC822.SIZE).  Memory stays at SPOOL_HOLD whatever
 * the body's size.
 */
#ifndef IMAPEEK_SPOOL_H
#define IMAPEEK_SPOOL_H

#include <stdbool.h>

#include "buf.h"
#include "req.h"

#define SPOOL_HOLD (1024 * 1024)

struct spool {
	int (*put)(void *sink, const char *data, size_t len);
	void *sink;
	/* Optional: is the client gone, or the process stopping? */
	bool (*gone)(void *sink);
	/* private */
	struct buf head;        /* "Status:" line and headers, no blank line */
	struct buf body;        /* held back */
	bool declared;          /* the page set Content-Length */
	bool sent;              /* the head went out */
	bool failed;            /* put() failed */
};

/* The writer for resp_init(..., &spool_ops, spool, ...). */
extern const struct resp_ops spool_ops;

void spool_init(struct spool *spool,
                int (*put)(void *sink, const char *data, size_t len), void *sink);
/*
 * After the handler: send what is held.  0 when the response went out
 * whole; -1 when it ended broken (aborted or failed after the head went
 * out): the front end must end the transfer so the web server sees it.
 */
int spool_finish(struct spool *spool, const struct resp *resp);
void spool_release(struct spool *spool);

#endif
