/*
 * The bounded response stream of imapeek-httpd (cgi/stream.h), with a
 * producer thread and the test as the consumer: a short body gets its
 * length, a long one waits at STREAM_CAP bytes at most and starts
 * without one, a failure after the start aborts, a declared length is
 * kept to, a finished body in one piece is taken whole, a consumer that
 * goes away or reads nothing frees the producer, and every suspend is
 * followed by exactly one resume.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "stream.h"
#include "../tap.h"

/* The consumer's side of the hooks: suspended or not, and resumes seen. */
struct consumer {
	atomic_int suspends, resumes;
	atomic_bool suspended;
};

static void on_suspend(void *ctx)
{
	struct consumer *consumer = ctx;

	atomic_fetch_add(&consumer->suspends, 1);
	atomic_store(&consumer->suspended, true);
}

static void on_resume(void *ctx)
{
	struct consumer *consumer = ctx;

	atomic_fetch_add(&consumer->resumes, 1);
	atomic_store(&consumer->suspended, false);
}

static struct stream *new_stream(struct consumer *consumer, int stall_ms)
{
	struct stream_hooks hooks = { on_suspend, on_resume, consumer };

	memset(consumer, 0, sizeof(*consumer));
	return stream_new(&hooks, stall_ms);
}

static void sleep_ms(int ms)
{
	struct timespec pause = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&pause, NULL);
}

/* Wait (5 s at most) until the consumer was resumed. */
static bool wait_resumed(struct consumer *consumer)
{
	for (int i = 0; i < 500 && atomic_load(&consumer->suspended); i++)
		sleep_ms(10);
	return !atomic_load(&consumer->suspended);
}

/* A producer writing total bytes in pieces, then finishing. */
struct producer {
	struct stream *stream;
	size_t total, piece;
	bool ok;                    /* finish(ok) */
	atomic_size_t written;      /* accepted by stream_write so far */
	int write_rc;
	const char *content_length; /* declared, or NULL */
};

static void *produce(void *arg)
{
	struct producer *producer = arg;
	char *piece = malloc(producer->piece);
	struct resp_header length = { (char *)"Content-Length",
	                              (char *)producer->content_length };
	struct resp_header type = { (char *)"Content-Type", (char *)"text/plain" };
	struct resp_header both[2] = { type, length };

	for (size_t i = 0; i < producer->piece; i++)
		piece[i] = (char)('a' + i % 26);
	stream_begin(producer->stream, 200, both, producer->content_length ? 2 : 1);
	while (atomic_load(&producer->written) < producer->total) {
		size_t n = producer->total - atomic_load(&producer->written);
		if (n > producer->piece)
			n = producer->piece;
		producer->write_rc = stream_write(producer->stream, piece, n);
		if (producer->write_rc < 0)
			break;
		atomic_fetch_add(&producer->written, n);
	}
	stream_finish(producer->stream, producer->ok && producer->write_rc == 0,
	              atomic_load(&producer->written));
	free(piece);
	return NULL;
}

/* Run the producer in a thread; wait until the consumer has the head. */
static void start_producer(struct producer *producer, pthread_t *thread,
                           struct consumer *consumer, struct stream_head *head)
{
	pthread_create(thread, NULL, produce, producer);
	while (stream_head(producer->stream, head) == STREAM_WAIT)
		wait_resumed(consumer);
}

/* Read everything as a consumer would; -1 (abort) or the bytes read. */
static long long drain(struct stream *stream, struct consumer *consumer,
                       size_t *max_pending, struct producer *producer)
{
	char buf[32 * 1024];
	long long total = 0;

	for (;;) {
		ssize_t got = stream_read(stream, buf, sizeof(buf));

		if (got == STREAM_READ_END)
			return total;
		if (got == STREAM_READ_ABORT)
			return -1;
		if (got == STREAM_READ_WAIT) {
			if (!wait_resumed(consumer))
				return -2;
			continue;
		}
		total += got;
		if (max_pending && producer) {
			/* Bytes whose write returned and that are not read yet. */
			long long pending = (long long)atomic_load(&producer->written) - total;
			if (pending > (long long)*max_pending)
				*max_pending = (size_t)pending;
		}
	}
}

static void short_body(void)
{
	struct consumer consumer;
	struct stream *stream = new_stream(&consumer, 5000);
	struct resp_header type = { (char *)"Content-Type", (char *)"text/html" };
	struct resp_header conn = { (char *)"Connection", (char *)"close" };
	struct resp_header headers[2] = { type, conn };
	struct stream_head head;
	char buf[64];

	tap_ok(stream_head(stream, &head) == STREAM_WAIT && consumer.suspends == 1,
	       "nothing begun: the consumer is suspended");
	stream_begin(stream, 404, headers, 2);
	tap_ok(consumer.resumes == 0, "a head alone does not resume it (not worth starting)");
	stream_write(stream, "hello ", 6);
	stream_write(stream, "world", 5);
	tap_ok(consumer.resumes == 0, "nor a short body still being written");
	stream_finish(stream, true, 11);
	tap_ok(consumer.resumes == 1, "the finish resumes it, once");
	tap_ok(stream_head(stream, &head) == STREAM_READY, "then the head is ready");
	tap_ok(head.status == 404 && head.has_length && head.length == 11,
	       "a body complete before the start has its length");
	tap_ok(head.nheaders == 1 && !strcmp(head.headers[0].name, "Content-Type"),
	       "framing headers (Connection) are left to the server");
	tap_ok(stream_read(stream, buf, sizeof(buf)) == 11 && !memcmp(buf, "hello world", 11),
	       "the body reads back whole");
	tap_ok(stream_read(stream, buf, sizeof(buf)) == STREAM_READ_END, "then its end");
	tap_ok(stream_sent(stream) == 11, "11 bytes sent");
	stream_free(stream);
}

static void head_request(void)
{
	struct consumer consumer;
	struct stream *stream = new_stream(&consumer, 5000);
	struct stream_head head;

	stream_begin(stream, 200, NULL, 0);
	stream_finish(stream, true, 4321);
	tap_ok(stream_head(stream, &head) == STREAM_READY && head.has_length &&
	       head.length == 4321, "HEAD: the length counted, nothing written");
	stream_free(stream);

	stream = new_stream(&consumer, 5000);
	stream_begin(stream, 200, NULL, 0);
	stream_finish(stream, true, (uint64_t)STREAM_CAP + 1);
	tap_ok(stream_head(stream, &head) == STREAM_READY && !head.has_length,
	       "HEAD of a body longer than the cap: no length, as its GET");
	stream_free(stream);

	stream = new_stream(&consumer, 5000);
	stream_begin(stream, 200, NULL, 0);
	stream_finish(stream, true, STREAM_LENGTH_UNKNOWN);
	tap_ok(stream_head(stream, &head) == STREAM_READY && !head.has_length,
	       "HEAD answered from metadata without a length: none is made up");
	stream_free(stream);
}

/*
 * The whole body in one piece: moved out once the producer finished it,
 * never while it is unfinished, failed, partly read, or a HEAD's.
 */
static void whole_body(void)
{
	struct consumer consumer;
	struct stream *stream = new_stream(&consumer, 5000);
	struct resp_header length = { (char *)"Content-Length", (char *)"11" };
	struct stream_head head;
	char *body = (char *)"x", buf[64];
	size_t len = 99;

	stream_begin(stream, 200, NULL, 0);
	stream_write(stream, "hello world", 11);
	tap_ok(stream_head(stream, &head) == STREAM_WAIT, "unfinished: no head yet");
	stream_finish(stream, true, 11);
	tap_ok(stream_head(stream, &head) == STREAM_READY, "finished: the head");
	tap_ok(stream_take_body(stream, &body, &len) && len == 11 &&
	       !memcmp(body, "hello world", 11), "the whole body taken in one piece");
	tap_ok(stream_sent(stream) == 11 && !stream_take_body(stream, &body, &len),
	       "counted as handed over, and taken once");
	tap_ok(stream_read(stream, buf, sizeof(buf)) == STREAM_READ_END,
	       "the stream is at its end");
	stream_body_free(body);
	stream_free(stream);

	/* Declared, complete: taken.  Declared, still written: not. */
	stream = new_stream(&consumer, 5000);
	stream_begin(stream, 200, &length, 1);
	stream_write(stream, "hello", 5);
	tap_ok(stream_head(stream, &head) == STREAM_READY &&
	       !stream_take_body(stream, &body, &len),
	       "a declared length still being written is read, not taken");
	stream_write(stream, " world", 6);
	stream_finish(stream, true, 11);
	tap_ok(stream_read(stream, buf, sizeof(buf)) == 11 &&
	       stream_read(stream, buf, sizeof(buf)) == STREAM_READ_END,
	       "... and reads whole");
	stream_free(stream);

	stream = new_stream(&consumer, 5000);
	stream_begin(stream, 200, NULL, 0);
	stream_finish(stream, true, 0);
	tap_ok(stream_head(stream, &head) == STREAM_READY &&
	       stream_take_body(stream, &body, &len) && !body && !len,
	       "an empty body: taken, NULL");
	stream_free(stream);

	stream = new_stream(&consumer, 5000);
	stream_begin(stream, 200, NULL, 0);
	stream_finish(stream, true, 4321);
	tap_ok(stream_head(stream, &head) == STREAM_READY &&
	       !stream_take_body(stream, &body, &len) && head.length == 4321,
	       "HEAD (a length, no bytes): not taken");
	stream_free(stream);

	stream = new_stream(&consumer, 5000);
	stream_begin(stream, 200, &length, 1);
	stream_write(stream, "hello", 5);
	stream_finish(stream, true, 5);
	tap_ok(stream_head(stream, &head) == STREAM_READY &&
	       !stream_take_body(stream, &body, &len),
	       "shorter than declared: not taken (it must end broken)");
	tap_ok(stream_read(stream, buf, sizeof(buf)) == 5 &&
	       stream_read(stream, buf, sizeof(buf)) == STREAM_READ_ABORT,
	       "... and ends aborted");
	stream_free(stream);
}

/*
 * A body over one piece of the stream but within the cap: finished, it
 * still goes by stream_read (the pieces are not joined).
 */
static void whole_body_pieces(void)
{
	struct consumer consumer;
	struct stream *stream = new_stream(&consumer, 5000);
	struct producer producer = { .stream = stream, .total = 200000,
	                             .piece = 4096, .ok = true };
	struct stream_head head;
	pthread_t thread;
	char *body;
	size_t len;

	start_producer(&producer, &thread, &consumer, &head);
	pthread_join(thread, NULL);
	tap_ok(!stream_take_body(stream, &body, &len) &&
	       drain(stream, &consumer, NULL, NULL) == 200000,
	       "a finished body of several pieces is read, not taken");
	stream_free(stream);
}

static void long_body(void)
{
	struct consumer consumer;
	struct stream *stream = new_stream(&consumer, 5000);
	struct producer producer = { .stream = stream, .total = 5 * STREAM_CAP + 123,
	                             .piece = 100000, .ok = true };
	struct stream_head head;
	size_t max_pending = 0;
	pthread_t thread;
	long long got;

	tap_ok(stream_head(stream, &head) == STREAM_WAIT, "suspended before the head");
	pthread_create(&thread, NULL, produce, &producer);
	tap_ok(wait_resumed(&consumer), "resumed once the stream is full");
	sleep_ms(100);
	tap_ok(atomic_load(&producer.written) <= STREAM_CAP,
	       "the producer waits with STREAM_CAP bytes at most in the stream (%zu)",
	       atomic_load(&producer.written));
	tap_ok(stream_head(stream, &head) == STREAM_READY && !head.has_length,
	       "a long body starts without a length (chunked)");
	got = drain(stream, &consumer, &max_pending, &producer);
	pthread_join(thread, NULL);
	tap_ok(got == (long long)producer.total, "every byte came through (%lld)", got);
	tap_ok(max_pending <= STREAM_CAP, "never more than STREAM_CAP waiting (%zu)",
	       max_pending);
	tap_ok(consumer.suspends == consumer.resumes,
	       "every suspend had its resume (%d, %d)", consumer.suspends,
	       consumer.resumes);
	stream_free(stream);
}

static void abort_after_start(void)
{
	struct consumer consumer;
	struct stream *stream = new_stream(&consumer, 5000);
	struct producer producer = { .stream = stream, .total = 2 * STREAM_CAP,
	                             .piece = 65536, .ok = false };
	struct stream_head head;
	pthread_t thread;

	start_producer(&producer, &thread, &consumer, &head);
	tap_ok(!head.has_length, "started chunked");
	tap_ok(drain(stream, &consumer, NULL, NULL) == -1,
	       "a producer that fails after the start aborts the body");
	pthread_join(thread, NULL);
	stream_free(stream);

	/* Before the start: the consumer can still answer an error. */
	stream = new_stream(&consumer, 5000);
	stream_begin(stream, 200, NULL, 0);
	stream_write(stream, "part", 4);
	stream_finish(stream, false, 4);
	tap_ok(stream_head(stream, &head) == STREAM_FAILED,
	       "a failure before the start is FAILED (a 5xx is still possible)");
	stream_free(stream);
}

static void declared_length(void)
{
	struct consumer consumer;
	struct stream *stream = new_stream(&consumer, 5000);
	struct producer producer = { .stream = stream, .total = 3 * STREAM_CAP,
	                             .piece = 65536, .ok = true,
	                             .content_length = "4000000" };
	struct stream_head head;
	pthread_t thread;
	long long got;

	start_producer(&producer, &thread, &consumer, &head);
	tap_ok(head.has_length && head.length == 4000000,
	       "a declared Content-Length starts the response at once, with it");
	got = drain(stream, &consumer, NULL, NULL);
	pthread_join(thread, NULL);
	tap_ok(got == -1, "fewer bytes than declared: aborted, never short as whole");
	stream_free(stream);

	stream = new_stream(&consumer, 5000);
	producer = (struct producer){ .stream = stream, .total = 100, .piece = 60,
	                              .ok = true, .content_length = "90" };
	pthread_create(&thread, NULL, produce, &producer);
	pthread_join(thread, NULL);
	tap_ok(producer.write_rc == -1, "a write past the declared length is refused");
	tap_ok(stream_head(stream, &head) == STREAM_FAILED,
	       "... and the answer fails");
	stream_free(stream);
}

static void consumer_gone(void)
{
	struct consumer consumer;
	struct stream *stream = new_stream(&consumer, 60000);
	struct producer producer = { .stream = stream, .total = 10 * STREAM_CAP,
	                             .piece = 65536, .ok = true };
	struct stream_head head;
	struct timespec t0, t1;
	pthread_t thread;

	start_producer(&producer, &thread, &consumer, &head);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	stream_consumer_gone(stream);
	pthread_join(thread, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tap_ok(producer.write_rc == -1 && stream_gone(stream),
	       "a consumer gone fails the blocked write");
	tap_ok(t1.tv_sec - t0.tv_sec < 2, "... at once, not at the stall time");
	stream_free(stream);

	stream = new_stream(&consumer, 60000);
	producer = (struct producer){ .stream = stream, .total = 10 * STREAM_CAP,
	                              .piece = 65536, .ok = true };
	pthread_create(&thread, NULL, produce, &producer);
	sleep_ms(100);
	stream_cancel(stream);
	pthread_join(thread, NULL);
	tap_ok(producer.write_rc == -1 && stream_gone(stream),
	       "a cancel (the server stops) fails the blocked write too");
	stream_free(stream);
}

static void stalled(void)
{
	struct consumer consumer;
	struct stream *stream = new_stream(&consumer, 200);
	struct producer producer = { .stream = stream, .total = 3 * STREAM_CAP,
	                             .piece = 65536, .ok = true };
	struct stream_head head;
	pthread_t thread;

	start_producer(&producer, &thread, &consumer, &head);
	pthread_join(thread, NULL);
	tap_ok(producer.write_rc == -1, "a consumer that reads nothing for the stall time frees the producer");
	tap_ok(drain(stream, &consumer, NULL, NULL) == -1, "... and its body ends aborted");
	stream_free(stream);
}

int main(void)
{
	short_body();
	head_request();
	whole_body();
	whole_body_pieces();
	long_body();
	abort_after_start();
	declared_length();
	consumer_gone();
	stalled();
	return tap_done();
}
