/*
 * A bounded byte pipe for one response, from its producer (a worker
 * thread running the page through struct resp) to its consumer (the HTTP
 * server's I/O thread, which sends the body as it comes).
 *
 * At most STREAM_CAP bytes wait in it, whatever the body's size: a writer
 * that would go over blocks until the consumer drains it, the client is
 * gone, the stream is cancelled, or nothing was drained for the stall
 * time (a client that stopped reading), which fails the write.
 *
 * The consumer never blocks: when it has nothing to do it is suspended
 * through the suspend callback, and the producer calls resume when there
 * is something (outside the stream's lock, and only after a suspend).
 *
 * The head is handed over when it is worth starting the response: when
 * the body is complete (then its length is known: Content-Length), when
 * the page declared a Content-Length itself, or when STREAM_CAP bytes are
 * waiting (then the length is unknown: chunked).  A producer that fails
 * after that aborts the stream: the consumer ends the response broken.
 */
#ifndef IMAPEEK_STREAM_H
#define IMAPEEK_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "req.h"

/* Bytes waiting in one stream at most. */
#define STREAM_CAP (1024 * 1024)

struct stream;

struct stream_hooks {
	/* Called with the stream's lock held, from the consumer's thread. */
	void (*suspend)(void *ctx);
	/* Called without the lock, from the producer's thread. */
	void (*resume)(void *ctx);
	void *ctx;
};

/* stall_ms: how long a writer waits for a consumer that takes nothing. */
struct stream *stream_new(const struct stream_hooks *hooks, int stall_ms);
void stream_free(struct stream *stream);

/*
 * The client's socket, polled (without reading) for a hang-up while the
 * consumer is suspended and cannot see one: POLLRDHUP, POLLHUP or
 * POLLERR mean the client is gone.  Only until stream_consumer_gone().
 */
void stream_set_socket(struct stream *stream, int fd);

/* ---- the producer ----------------------------------------------------- */

/*
 * Status and headers (copied; "Connection" and "Transfer-Encoding" left
 * out, "Content-Length" taken as the declared length).  0 or -1 (gone).
 */
int stream_begin(struct stream *stream, int status,
                 const struct resp_header *headers, size_t nheaders);
/* Body bytes; blocks while the stream is full.  0, or -1: stop. */
int stream_write(struct stream *stream, const char *data, size_t len);
/* Is the consumer gone, the stream cancelled, the client's socket hung up? */
bool stream_gone(struct stream *stream);
/*
 * The producer is done: ok false aborts.  body_bytes is the body's length
 * as the producer counted it (for HEAD, where nothing was written), or
 * STREAM_LENGTH_UNKNOWN.
 */
#define STREAM_LENGTH_UNKNOWN UINT64_MAX
void stream_finish(struct stream *stream, bool ok, uint64_t body_bytes);

/* ---- the consumer ----------------------------------------------------- */

struct stream_head {
	int status;
	const struct resp_header *headers;  /* owned by the stream */
	size_t nheaders;
	bool has_length;
	uint64_t length;
};

enum stream_state {
	STREAM_WAIT,    /* suspended: resume will come */
	STREAM_READY,   /* the head is in *head */
	STREAM_FAILED,  /* the producer failed before anything was handed over */
};
enum stream_state stream_head(struct stream *stream, struct stream_head *head);

/* stream_read's answers besides a byte count. */
#define STREAM_READ_WAIT 0      /* suspended: resume will come */
#define STREAM_READ_END (-1)    /* the whole body was read */
#define STREAM_READ_ABORT (-2)  /* the body is incomplete: end it broken */
ssize_t stream_read(struct stream *stream, char *out, size_t max);

/*
 * The whole body at once, right after STREAM_READY: when the producer
 * finished it (ok, its length known) and it lies in one piece of the
 * stream (64 KiB at most), it is moved out, to be sent as one buffer
 * with the head, and counted as handed over (the stream is at its end);
 * free it with stream_body_free.  Otherwise false, nothing moved:
 * stream_read it.  An empty body is *body NULL, *len 0.
 */
bool stream_take_body(struct stream *stream, char **body, size_t *len);
void stream_body_free(void *body);

/* Body bytes handed to the consumer so far. */
uint64_t stream_sent(struct stream *stream);

/* The consumer will not read any more (its connection ended). */
void stream_consumer_gone(struct stream *stream);
/* Stop the producer (the server stops): its writes fail from now on. */
void stream_cancel(struct stream *stream);

#endif
