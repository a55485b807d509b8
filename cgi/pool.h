/*
 * The standalone server's workers: N threads, each with its own gateway
 * (and so its own imapd session, kept across requests), taking requests
 * from one queue.
 *
 * Fairness.  One queue, oldest first, with two rules:
 *   - a heavy request (gateway_heavy: an export, a search, a raw message
 *     or part, a thread) is taken only while fewer than heavy_cap heavy
 *     ones run, so expensive requests of any number of clients leave the
 *     other workers to the cheap pages everyone else is reading: a client
 *     looping mbox exports, or a hundred that never read a 20 MB message,
 *     delay other exports, not the message pages;
 *   - a free worker takes the oldest request of a client that has fewer
 *     than client_cap requests running, and only when no such client
 *     waits the oldest of any: a client that floods the queue gets every
 *     idle worker, but anyone else's request is served at the next free
 *     one, not after the flood.  (A reverse proxy is one client address:
 *     a strict per-client cap would idle half the workers behind it.)
 * Neither rule reorders anything when a request goes to the free worker
 * that served its connection last (pool_job.affinity): a free worker
 * would have taken any older eligible request already.
 * A separate pool for heavy requests would need imapd sessions of its
 * own; a cap on one queue needs none, and a heavy slot left free serves
 * cheap requests.
 */
#ifndef IMAPEEK_POOL_H
#define IMAPEEK_POOL_H

#include <stdbool.h>

#include "conf.h"
#include "gateway.h"

struct pool_job {
	/* Set by the submitter. */
	void (*run)(struct pool_job *job, struct gateway *gateway);
	/*
	 * The pool is done with the job, once: after run (ran true), or
	 * without running it when the pool stops.  The job is the caller's
	 * again (free it here).
	 */
	void (*done)(struct pool_job *job, bool ran);
	/* Running when the pool stops: make it end soon (pool lock held). */
	void (*cancel)(struct pool_job *job);
	char client[64];        /* the client's address, as text */
	bool heavy;
	/*
	 * The connection it came on (0: none).  When the worker that served
	 * that connection last is free, it gets the job: a client's pages
	 * keep to one worker and its warm caches (sorted UIDs, threads), as
	 * they would with one worker per connection.
	 */
	unsigned long affinity;
	/* The pool's. */
	struct pool_job *next;
};

struct pool;

/*
 * workers threads, each making its gateway over conf and stop_fd
 * (gateway_set_stop_fd).  The caps follow from workers (pool.c).  NULL
 * when a thread cannot be started.
 */
struct pool *pool_new(const struct conf *conf, unsigned workers, int stop_fd);
/* Queue a job; -1 (the job untouched) once the pool stops. */
int pool_submit(struct pool *pool, struct pool_job *job);
/*
 * Stop: no job is taken any more; queued jobs are dropped, running ones
 * cancelled; the threads are joined, each freeing its gateway (LOGOUT to
 * its imapd, or its end).  Then free.
 */
void pool_free(struct pool *pool);

/* The caps for a number of workers (also for the tests). */
unsigned pool_heavy_cap(unsigned workers);
unsigned pool_client_cap(unsigned workers);

#endif
