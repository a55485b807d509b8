/*
 * The deadline for a whole request head.  libmicrohttpd's connection
 * timeout is an idle timeout: a client sending one header line every few
 * seconds keeps a connection for ever, and a thousand such clients keep
 * every connection the server allows.  So each connection's head has a
 * deadline, counted from the connection's start or from the end of its
 * previous response, and a watchdog thread shuts the socket down
 * (shutdown(2): the server then sees the end of the connection and closes
 * it itself) when the head is not in by then.
 *
 * The entries live from the server's "connection started" to its
 * "connection closed" notification; both, and the watchdog's shutdown,
 * take one mutex, so no descriptor is touched after the server closed it.
 */
#ifndef IMAPEEK_WATCH_H
#define IMAPEEK_WATCH_H

struct watch;
struct watch_conn;

/* Starts the watchdog thread; NULL if it cannot be started. */
struct watch *watch_new(int head_ms);
/* Stops and joins the thread; every entry must have been removed. */
void watch_free(struct watch *watch);

/* A new connection on fd: its head's clock starts now. */
struct watch_conn *watch_add(struct watch *watch, int fd);
/* The request head is in: no deadline while the request is served. */
void watch_head_done(struct watch *watch, struct watch_conn *conn);
/* A response ended: the next head's clock starts now. */
void watch_head_wait(struct watch *watch, struct watch_conn *conn);
/* The connection is closing (before its descriptor is closed). */
void watch_remove(struct watch *watch, struct watch_conn *conn);

/* Connections cut at their deadline so far. */
unsigned long watch_cut_count(struct watch *watch);

#endif
