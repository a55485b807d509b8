/*
 * The request head watchdog of imapeek-httpd (cgi/watch.h), with a short
 * deadline over socket pairs: a head not in by its deadline is cut, one
 * that came in is not, and a clock started while the watchdog sleeps
 * with nothing to watch (it is not woken then) is still cut on time.
 */
#include <poll.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "watch.h"
#include "../tap.h"

#define HEAD_MS 300

static long long now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec pause = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&pause, NULL);
}

/* Milliseconds until the peer of fds[0] sees the end (shutdown), or -1. */
static long long ms_to_cut(int fds[2], long long since, int max_ms)
{
	struct pollfd pfd = { fds[1], POLLIN, 0 };
	char byte;

	if (poll(&pfd, 1, max_ms) <= 0 || read(fds[1], &byte, 1) != 0)
		return -1;
	return now_ms() - since;
}

int main(void)
{
	struct watch *watch = watch_new(HEAD_MS);
	struct watch_conn *conn;
	int fds[2];
	long long start, took;

	tap_ok(watch != NULL, "the watchdog starts");

	socketpair(AF_UNIX, SOCK_STREAM, 0, fds);
	start = now_ms();
	conn = watch_add(watch, fds[0]);
	took = ms_to_cut(fds, start, 5000);
	tap_ok(took >= HEAD_MS - 10 && took < HEAD_MS + 1000,
	       "a head not in is cut at its deadline (%lld ms)", took);
	watch_remove(watch, conn);
	close(fds[0]);
	close(fds[1]);

	socketpair(AF_UNIX, SOCK_STREAM, 0, fds);
	conn = watch_add(watch, fds[0]);
	watch_head_done(watch, conn);
	tap_ok(ms_to_cut(fds, now_ms(), 2 * HEAD_MS) < 0,
	       "a head that came in is not cut");
	/* Nothing to watch for a while: the watchdog sleeps on its own. */
	sleep_ms(HEAD_MS / 2);
	start = now_ms();
	watch_head_wait(watch, conn);
	took = ms_to_cut(fds, start, 5000);
	tap_ok(took >= HEAD_MS - 10 && took < HEAD_MS + 1000,
	       "a clock started after an empty spell is cut on time (%lld ms)", took);
	watch_remove(watch, conn);
	close(fds[0]);
	close(fds[1]);

	/* Many clocks in a row, none woken for: each cut at its own deadline. */
	{
		int pairs[4][2];
		struct watch_conn *conns[4];
		long long starts[4];
		bool on_time = true;

		for (int i = 0; i < 4; i++) {
			socketpair(AF_UNIX, SOCK_STREAM, 0, pairs[i]);
			starts[i] = now_ms();
			conns[i] = watch_add(watch, pairs[i][0]);
			sleep_ms(HEAD_MS / 4);
		}
		for (int i = 0; i < 4; i++) {
			took = ms_to_cut(pairs[i], starts[i], 5000);
			if (took < HEAD_MS - 10 || took >= HEAD_MS + 1000)
				on_time = false;
		}
		tap_ok(on_time, "clocks started one after another are each cut on time");
		for (int i = 0; i < 4; i++) {
			watch_remove(watch, conns[i]);
			close(pairs[i][0]);
			close(pairs[i][1]);
		}
	}
	tap_ok(watch_cut_count(watch) == 6, "six cuts counted");
	watch_free(watch);
	return tap_done();
}
