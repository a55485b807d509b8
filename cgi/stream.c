/*
 * The bounded response stream (stream.h).
 *
 * The bytes wait in a list of fixed-size chunks, so that neither side
 * ever moves what the other has not taken yet: the producer appends at
 * the tail, the consumer copies from the head and frees what it emptied.
 * One mutex guards everything; the producer waits on one condition
 * variable for room; the consumer never waits (it is suspended instead).
 */
#include "stream.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"

#define CHUNK_SIZE (64 * 1024)

struct chunk {
	struct chunk *next;
	size_t len, pos;            /* filled, and taken by the consumer */
	char data[CHUNK_SIZE];
};

struct stream {
	pthread_mutex_t lock;
	pthread_cond_t room;        /* a writer waits here for room */
	struct stream_hooks hooks;
	int stall_ms;
	int fd;                     /* the client's socket, or -1 */
	struct chunk *first, *last;
	size_t pending;             /* bytes written, not yet read */
	uint64_t written, sent;
	long long last_drain_ms;
	/* the head */
	bool begun;
	int status;
	struct resp_header *headers;
	size_t nheaders;
	bool has_length;
	uint64_t length;
	/* states */
	bool started;               /* the head was handed to the consumer */
	bool full;                  /* a writer found the stream full */
	bool done, ok;              /* the producer finished, and how */
	bool refused;               /* a write failed: the body is incomplete */
	bool gone;                  /* the consumer is gone (its connection ended) */
	bool hung_up;               /* the client's socket hung up */
	bool cancelled;
	bool stalled;               /* nothing was read for stall_ms */
	bool suspended;             /* the consumer waits for resume */
};

static long long now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

struct stream *stream_new(const struct stream_hooks *hooks, int stall_ms)
{
	struct stream *stream = xcalloc(1, sizeof(*stream));
	pthread_condattr_t attr;

	pthread_mutex_init(&stream->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&stream->room, &attr);
	pthread_condattr_destroy(&attr);
	stream->hooks = *hooks;
	stream->stall_ms = stall_ms;
	stream->fd = -1;
	stream->last_drain_ms = now_ms();
	return stream;
}

void stream_free(struct stream *stream)
{
	if (!stream)
		return;
	while (stream->first) {
		struct chunk *chunk = stream->first;
		stream->first = chunk->next;
		free(chunk);
	}
	for (size_t i = 0; i < stream->nheaders; i++) {
		free(stream->headers[i].name);
		free(stream->headers[i].value);
	}
	free(stream->headers);
	pthread_cond_destroy(&stream->room);
	pthread_mutex_destroy(&stream->lock);
	free(stream);
}

void stream_set_socket(struct stream *stream, int fd)
{
	pthread_mutex_lock(&stream->lock);
	if (!stream->gone)
		stream->fd = fd;
	pthread_mutex_unlock(&stream->lock);
}

/* Is it worth starting the response? (lock held) */
static bool head_ready(const struct stream *stream)
{
	return stream->begun && (stream->has_length || stream->done || stream->full);
}

/*
 * Should the producer resume the consumer now?  Only a suspended one, and
 * only when it can make progress; the flag is cleared here, under the
 * lock, so that exactly one resume follows each suspend.  A client that
 * hung up still gets its connection resumed when the producer finishes:
 * the server must see the end and close it (a suspended connection is
 * never closed, and one left at the server's stop is fatal to it).
 * (lock held)
 */
static bool take_wake(struct stream *stream)
{
	bool progress;

	if (!stream->suspended || stream->gone)
		return false;
	progress = stream->started ? stream->pending || stream->done
	                           : head_ready(stream) || stream->done;
	if (progress)
		stream->suspended = false;
	return progress;
}

static void unlock_and_wake(struct stream *stream)
{
	bool wake = take_wake(stream);

	pthread_mutex_unlock(&stream->lock);
	if (wake)
		stream->hooks.resume(stream->hooks.ctx);
}

/* These are the server's to write: it frames the message itself. */
static bool framing_header(const char *name)
{
	return !strcasecmp(name, "Content-Length") ||
	       !strcasecmp(name, "Transfer-Encoding") ||
	       !strcasecmp(name, "Connection");
}

int stream_begin(struct stream *stream, int status,
                 const struct resp_header *headers, size_t nheaders)
{
	int rc = 0;

	pthread_mutex_lock(&stream->lock);
	stream->status = status;
	stream->headers = xcalloc(nheaders + 1, sizeof(*stream->headers));
	for (size_t i = 0; i < nheaders; i++) {
		if (!strcasecmp(headers[i].name, "Content-Length")) {
			/* resp.c let only a plain value through; a page set it. */
			stream->has_length = parse_u64(str_from(headers[i].value), 0,
			                               UINT64_MAX, &stream->length) == 0;
			continue;
		}
		if (framing_header(headers[i].name))
			continue;
		stream->headers[stream->nheaders].name = xstrdup(headers[i].name);
		stream->headers[stream->nheaders].value = xstrdup(headers[i].value);
		stream->nheaders++;
	}
	stream->begun = true;
	if (stream->gone || stream->hung_up || stream->cancelled)
		rc = -1;
	unlock_and_wake(stream);
	return rc;
}

/* Up to len bytes into the tail; what fits.  (lock held) */
static size_t append(struct stream *stream, const char *data, size_t len)
{
	struct chunk *tail = stream->last;
	size_t room = STREAM_CAP - stream->pending, n;

	if (!tail || tail->len == CHUNK_SIZE) {
		tail = xmalloc(sizeof(*tail));
		tail->next = NULL;
		tail->len = tail->pos = 0;
		if (stream->last)
			stream->last->next = tail;
		else
			stream->first = tail;
		stream->last = tail;
	}
	n = CHUNK_SIZE - tail->len;
	if (n > len)
		n = len;
	if (n > room)
		n = room;
	memcpy(tail->data + tail->len, data, n);
	tail->len += n;
	stream->pending += n;
	stream->written += n;
	return n;
}

/* Wait for room until the stall deadline; false when stalled.  (lock held) */
static bool wait_for_room(struct stream *stream)
{
	long long deadline = stream->last_drain_ms + stream->stall_ms;
	struct timespec until = { (time_t)(deadline / 1000),
	                          (long)(deadline % 1000) * 1000000 };
	int rc = 0;

	while (stream->pending >= STREAM_CAP && !stream->gone && !stream->hung_up &&
	       !stream->cancelled && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&stream->room, &stream->lock, &until);
	if (stream->pending >= STREAM_CAP && rc == ETIMEDOUT &&
	    now_ms() >= stream->last_drain_ms + stream->stall_ms) {
		stream->stalled = true;
		return false;
	}
	return true;
}

int stream_write(struct stream *stream, const char *data, size_t len)
{
	pthread_mutex_lock(&stream->lock);
	/* More than the page declared would be a wrong body: refuse it. */
	if (stream->has_length && stream->written + len > stream->length)
		stream->refused = true;
	while (len && !stream->refused && !stream->gone && !stream->hung_up &&
	       !stream->cancelled && !stream->stalled) {
		size_t n;

		if (stream->pending >= STREAM_CAP) {
			/* Full: the response can start; wake the consumer, wait. */
			stream->full = true;
			unlock_and_wake(stream);
			pthread_mutex_lock(&stream->lock);
			if (!wait_for_room(stream))
				break;
			continue;
		}
		n = append(stream, data, len);
		data += n;
		len -= n;
	}
	if (len)
		stream->refused = true;
	unlock_and_wake(stream);
	return len ? -1 : 0;
}

bool stream_gone(struct stream *stream)
{
	bool gone;

	pthread_mutex_lock(&stream->lock);
	/*
	 * A suspended connection is not watched by the server: look at the
	 * socket itself.  Safe under the lock: the consumer's end (which
	 * comes before the server closes the socket) clears fd under it.
	 */
	if (!stream->gone && !stream->hung_up && stream->fd >= 0) {
		struct pollfd pfd = { stream->fd, POLLRDHUP, 0 };
		if (poll(&pfd, 1, 0) > 0 &&
		    (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR)))
			stream->hung_up = true;
	}
	gone = stream->gone || stream->hung_up || stream->cancelled || stream->stalled;
	pthread_mutex_unlock(&stream->lock);
	return gone;
}

void stream_finish(struct stream *stream, bool ok, uint64_t body_bytes)
{
	pthread_mutex_lock(&stream->lock);
	stream->done = true;
	stream->ok = ok && !stream->refused;
	/* Complete before it started: its length is known. */
	if (stream->ok && !stream->started && !stream->has_length &&
	    body_bytes <= STREAM_CAP) {
		stream->has_length = true;
		stream->length = body_bytes;
	}
	unlock_and_wake(stream);
}

/* The consumer has nothing to do: it sleeps until a resume.  (lock held) */
static void suspend_consumer(struct stream *stream)
{
	stream->suspended = true;
	stream->hooks.suspend(stream->hooks.ctx);
}

enum stream_state stream_head(struct stream *stream, struct stream_head *head)
{
	enum stream_state state;

	pthread_mutex_lock(&stream->lock);
	if (stream->done && !stream->ok && !stream->started) {
		state = STREAM_FAILED;
	} else if (head_ready(stream)) {
		stream->started = true;
		head->status = stream->status;
		head->headers = stream->headers;
		head->nheaders = stream->nheaders;
		head->has_length = stream->has_length;
		head->length = stream->length;
		state = STREAM_READY;
	} else {
		suspend_consumer(stream);
		state = STREAM_WAIT;
	}
	pthread_mutex_unlock(&stream->lock);
	return state;
}

ssize_t stream_read(struct stream *stream, char *out, size_t max)
{
	ssize_t got = 0;

	pthread_mutex_lock(&stream->lock);
	while (stream->first && (size_t)got < max) {
		struct chunk *chunk = stream->first;
		size_t n = chunk->len - chunk->pos;

		if (n > max - (size_t)got)
			n = max - (size_t)got;
		memcpy(out + got, chunk->data + chunk->pos, n);
		chunk->pos += n;
		got += (ssize_t)n;
		if (chunk->pos < chunk->len || chunk == stream->last)
			break;
		stream->first = chunk->next;
		free(chunk);
	}
	if (stream->first && stream->first == stream->last &&
	    stream->first->pos == stream->first->len) {
		/* The tail emptied: reuse it from its start. */
		stream->first->pos = stream->first->len = 0;
	}
	if (got) {
		stream->pending -= (size_t)got;
		stream->sent += (uint64_t)got;
		stream->last_drain_ms = now_ms();
		pthread_cond_signal(&stream->room);
	} else if (stream->done) {
		got = stream->ok && (!stream->has_length || stream->sent == stream->length)
		          ? STREAM_READ_END : STREAM_READ_ABORT;
	} else {
		suspend_consumer(stream);
		got = STREAM_READ_WAIT;
	}
	pthread_mutex_unlock(&stream->lock);
	return got;
}

bool stream_take_body(struct stream *stream, char **body, size_t *len)
{
	struct chunk *chunk;
	bool whole;

	pthread_mutex_lock(&stream->lock);
	chunk = stream->first;
	/* Nothing read yet: a lone chunk holds the body from its start. */
	whole = stream->started && stream->done && stream->ok && !stream->sent &&
	        stream->has_length && stream->pending == stream->length &&
	        chunk == stream->last;
	if (whole) {
		*body = chunk ? chunk->data : NULL;
		*len = stream->pending;
		stream->first = stream->last = NULL;
		stream->sent = stream->pending;
		stream->pending = 0;
	}
	pthread_mutex_unlock(&stream->lock);
	return whole;
}

void stream_body_free(void *body)
{
	if (body)
		free((char *)body - offsetof(struct chunk, data));
}

uint64_t stream_sent(struct stream *stream)
{
	uint64_t sent;

	pthread_mutex_lock(&stream->lock);
	sent = stream->sent;
	pthread_mutex_unlock(&stream->lock);
	return sent;
}

void stream_consumer_gone(struct stream *stream)
{
	pthread_mutex_lock(&stream->lock);
	stream->gone = true;
	stream->suspended = false;
	stream->fd = -1;
	pthread_cond_broadcast(&stream->room);
	pthread_mutex_unlock(&stream->lock);
}

void stream_cancel(struct stream *stream)
{
	pthread_mutex_lock(&stream->lock);
	stream->cancelled = true;
	pthread_cond_broadcast(&stream->room);
	pthread_mutex_unlock(&stream->lock);
}
