/*
 * The head deadline watchdog (watch.h).
 *
 * Every deadline is "now + head_ms" when it is set, so the connections
 * whose clock runs, kept in the order their clocks started, are also in
 * the order of their deadlines: the watchdog only ever looks at the first
 * one, and sleeps until its deadline.  Adding, stopping and removing are
 * O(1) (a doubly linked list).
 *
 * For the same reason a clock started now never needs the watchdog woken
 * while it sleeps to a time no later than the new deadline: with no
 * clock running it still wakes head_ms from then.  Woken at every
 * response's end (each left the list empty under a steady load: every
 * connection served), it cost two context switches a request.
 */
#include "watch.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "buf.h"
#include "front.h"

struct watch_conn {
	int fd;
	long long deadline_ms;
	bool ticking;               /* on the list */
	bool cut;                   /* shut down by the watchdog */
	struct watch_conn *prev, *next;
};

struct watch {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	pthread_t thread;
	int head_ms;
	bool stopping;
	long long wake_ms;          /* when the watchdog looks next */
	unsigned long cuts;
	struct watch_conn *first, *last;   /* ticking, earliest deadline first */
};

static long long now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* (lock held) */
static void unlink_conn(struct watch *watch, struct watch_conn *conn)
{
	if (!conn->ticking)
		return;
	if (conn->prev)
		conn->prev->next = conn->next;
	else
		watch->first = conn->next;
	if (conn->next)
		conn->next->prev = conn->prev;
	else
		watch->last = conn->prev;
	conn->prev = conn->next = NULL;
	conn->ticking = false;
}

/* (lock held) */
static void start_clock(struct watch *watch, struct watch_conn *conn)
{
	unlink_conn(watch, conn);
	if (conn->cut)
		return;
	conn->deadline_ms = now_ms() + watch->head_ms;
	conn->prev = watch->last;
	conn->next = NULL;
	if (watch->last)
		watch->last->next = conn;
	else
		watch->first = conn;
	watch->last = conn;
	conn->ticking = true;
	if (conn->deadline_ms < watch->wake_ms)
		pthread_cond_signal(&watch->changed);
}

static void *watchdog(void *arg)
{
	struct watch *watch = arg;

	pthread_mutex_lock(&watch->lock);
	while (!watch->stopping) {
		struct watch_conn *conn = watch->first;
		long long now = now_ms();

		if (!conn || conn->deadline_ms > now) {
			struct timespec until;

			/* None: any clock started from now ends later than this. */
			watch->wake_ms = conn ? conn->deadline_ms : now + watch->head_ms;
			until.tv_sec = (time_t)(watch->wake_ms / 1000);
			until.tv_nsec = (long)(watch->wake_ms % 1000) * 1000000;
			pthread_cond_timedwait(&watch->changed, &watch->lock, &until);
			continue;
		}
		/* The server sees the end of the stream and closes it itself. */
		unlink_conn(watch, conn);
		conn->cut = true;
		watch->cuts++;
		shutdown(conn->fd, SHUT_RDWR);
	}
	pthread_mutex_unlock(&watch->lock);
	return NULL;
}

struct watch *watch_new(int head_ms)
{
	struct watch *watch = xcalloc(1, sizeof(*watch));
	pthread_condattr_t attr;

	watch->head_ms = head_ms;
	watch->wake_ms = LLONG_MAX;
	pthread_mutex_init(&watch->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&watch->changed, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&watch->thread, NULL, watchdog, watch) != 0) {
		front_log("cannot start the request head watchdog");
		pthread_cond_destroy(&watch->changed);
		pthread_mutex_destroy(&watch->lock);
		free(watch);
		return NULL;
	}
	return watch;
}

void watch_free(struct watch *watch)
{
	if (!watch)
		return;
	pthread_mutex_lock(&watch->lock);
	watch->stopping = true;
	pthread_cond_signal(&watch->changed);
	pthread_mutex_unlock(&watch->lock);
	pthread_join(watch->thread, NULL);
	pthread_cond_destroy(&watch->changed);
	pthread_mutex_destroy(&watch->lock);
	free(watch);
}

struct watch_conn *watch_add(struct watch *watch, int fd)
{
	struct watch_conn *conn = xcalloc(1, sizeof(*conn));

	conn->fd = fd;
	pthread_mutex_lock(&watch->lock);
	start_clock(watch, conn);
	pthread_mutex_unlock(&watch->lock);
	return conn;
}

void watch_head_done(struct watch *watch, struct watch_conn *conn)
{
	pthread_mutex_lock(&watch->lock);
	unlink_conn(watch, conn);
	pthread_mutex_unlock(&watch->lock);
}

void watch_head_wait(struct watch *watch, struct watch_conn *conn)
{
	pthread_mutex_lock(&watch->lock);
	start_clock(watch, conn);
	pthread_mutex_unlock(&watch->lock);
}

void watch_remove(struct watch *watch, struct watch_conn *conn)
{
	pthread_mutex_lock(&watch->lock);
	unlink_conn(watch, conn);
	pthread_mutex_unlock(&watch->lock);
	free(conn);
}

unsigned long watch_cut_count(struct watch *watch)
{
	unsigned long cuts;

	pthread_mutex_lock(&watch->lock);
	cuts = watch->cuts;
	pthread_mutex_unlock(&watch->lock);
	return cuts;
}
