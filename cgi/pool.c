/*
 * The worker pool (pool.h).  One mutex guards the queue, the handoffs and
 * the table of running jobs.  Each worker waits on a condition variable
 * of its own, and a job wakes one worker: the one it is handed to, else
 * one idle worker, which takes it off the queue.  A worker that ends a job
 * looks at the queue itself before it waits, so a queued job its end makes
 * eligible (a heavy one, under the heavy cap) needs no wake-up.  Waking
 * every worker for every job cost a few per cent of a small page's time
 * (the others woke only to wait again).
 *
 * The workers run under SCHED_BATCH, and so do their imapds (a child
 * keeps the policy): a worker or an imapd that is woken does not preempt
 * the thread that woke it.  An imapd writes one FETCH answer in several
 * pieces; a worker woken by the first one took the CPU from it, read a
 * few bytes and slept again, once or twice a request.  Batched, a page
 * costs about a third fewer context switches (raw page: 1.05x req/s,
 * message page 1.15x, two cores).  The HTTP threads keep the normal
 * policy: a resumed connection's answer goes out at once.
 */
#include "pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "front.h"

struct worker {
	struct pool *pool;
	pthread_t thread;
	struct pool_job *job;       /* running, or NULL */
	struct pool_job *handoff;   /* given to it by pool_submit, not taken yet */
	unsigned long last_affinity;
	bool idle;                  /* waiting for work, not woken yet */
	pthread_cond_t wake;
};

struct pool {
	const struct conf *conf;
	int stop_fd;
	pthread_mutex_t lock;
	struct pool_job *queue;     /* oldest first */
	struct worker *workers;
	unsigned nworkers, started;
	unsigned heavy_cap, client_cap, heavy_running;
	bool stopping;
};

unsigned pool_heavy_cap(unsigned workers)
{
	return workers > 1 ? workers / 2 : 1;
}

unsigned pool_client_cap(unsigned workers)
{
	return workers > 1 ? (workers + 1) / 2 : 1;
}

/* Jobs of client running now.  (lock held) */
static unsigned running_for(const struct pool *pool, const char *client)
{
	unsigned n = 0;

	for (unsigned i = 0; i < pool->nworkers; i++)
		if (pool->workers[i].job && !strcmp(pool->workers[i].job->client, client))
			n++;
	return n;
}

/* May a heavy job start now?  (lock held) */
static bool heavy_allowed(const struct pool *pool, const struct pool_job *job)
{
	return !job->heavy || pool->heavy_running < pool->heavy_cap;
}

/*
 * The job a free worker takes, off the queue: the oldest of a client
 * under its share, else (no such client waits: a worker would idle) the
 * oldest of any client; never a heavy one beyond the heavy cap.  (lock
 * held)
 */
static struct pool_job *take_eligible(struct pool *pool)
{
	struct pool_job **fallback = NULL;

	for (struct pool_job **link = &pool->queue; *link; link = &(*link)->next) {
		struct pool_job *job = *link;
		if (!heavy_allowed(pool, job))
			continue;
		if (running_for(pool, job->client) >= pool->client_cap) {
			if (!fallback)
				fallback = link;
			continue;
		}
		fallback = link;
		break;
	}
	if (fallback) {
		struct pool_job *job = *fallback;
		*fallback = job->next;
		job->next = NULL;
		return job;
	}
	return NULL;
}

static void *worker_main(void *arg)
{
	struct worker *worker = arg;
	struct pool *pool = worker->pool;
	struct sched_param param = { 0 };
	struct gateway *gateway;

	/* A hint, before any imapd is started: where refused, nothing changes. */
	pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
	gateway = gateway_new(pool->conf);
	gateway_set_stop_fd(gateway, pool->stop_fd);
	pthread_mutex_lock(&pool->lock);
	for (;;) {
		struct pool_job *job = NULL;

		while (!pool->stopping) {
			if ((job = worker->handoff) || (job = take_eligible(pool)))
				break;
			worker->idle = true;
			pthread_cond_wait(&worker->wake, &pool->lock);
			worker->idle = false;
		}
		if (!job)
			break;
		worker->handoff = NULL;
		worker->job = job;
		worker->last_affinity = job->affinity;
		if (job->heavy)
			pool->heavy_running++;
		pthread_mutex_unlock(&pool->lock);
		job->run(job, gateway);
		pthread_mutex_lock(&pool->lock);
		worker->job = NULL;
		if (job->heavy)
			pool->heavy_running--;
		/* Not cancelled any more (worker->job is NULL): give it back. */
		pthread_mutex_unlock(&pool->lock);
		job->done(job, true);
		pthread_mutex_lock(&pool->lock);
	}
	pthread_mutex_unlock(&pool->lock);
	gateway_free(gateway);
	return NULL;
}

struct pool *pool_new(const struct conf *conf, unsigned workers, int stop_fd)
{
	struct pool *pool = xcalloc(1, sizeof(*pool));

	pool->conf = conf;
	pool->stop_fd = stop_fd;
	pool->nworkers = workers;
	pool->heavy_cap = pool_heavy_cap(workers);
	pool->client_cap = pool_client_cap(workers);
	pool->workers = xcalloc(workers, sizeof(*pool->workers));
	pthread_mutex_init(&pool->lock, NULL);
	for (unsigned i = 0; i < workers; i++)
		pthread_cond_init(&pool->workers[i].wake, NULL);
	for (unsigned i = 0; i < workers; i++) {
		pool->workers[i].pool = pool;
		if (pthread_create(&pool->workers[i].thread, NULL, worker_main,
		                   &pool->workers[i]) != 0) {
			front_log("cannot start worker thread %u", i + 1);
			pool_free(pool);
			return NULL;
		}
		pool->started++;
	}
	return pool;
}

int pool_submit(struct pool *pool, struct pool_job *job)
{
	struct pool_job **tail;
	int rc = -1;

	pthread_mutex_lock(&pool->lock);
	if (!pool->stopping) {
		job->next = NULL;
		rc = 0;
		/* Its connection's last worker is free: no one older waits for it. */
		for (unsigned i = 0; job->affinity && i < pool->nworkers; i++) {
			struct worker *worker = &pool->workers[i];
			if (worker->idle && !worker->handoff &&
			    worker->last_affinity == job->affinity &&
			    heavy_allowed(pool, job)) {
				worker->handoff = job;
				worker->idle = false;
				pthread_cond_signal(&worker->wake);
				goto out;
			}
		}
		for (tail = &pool->queue; *tail; tail = &(*tail)->next)
			;
		*tail = job;
		/* One idle worker, claimed (idle no more) so the next job wakes
		 * another; with none idle, the next to end a job takes it. */
		for (unsigned i = 0; i < pool->nworkers; i++) {
			struct worker *worker = &pool->workers[i];
			if (worker->idle && !worker->handoff) {
				worker->idle = false;
				pthread_cond_signal(&worker->wake);
				break;
			}
		}
	}
out:
	pthread_mutex_unlock(&pool->lock);
	return rc;
}

void pool_free(struct pool *pool)
{
	struct pool_job *dropped;

	if (!pool)
		return;
	pthread_mutex_lock(&pool->lock);
	pool->stopping = true;
	dropped = pool->queue;
	pool->queue = NULL;
	/* Under the lock: a running job cannot be given back meanwhile. */
	for (unsigned i = 0; i < pool->nworkers; i++) {
		struct worker *worker = &pool->workers[i];
		if (worker->job && worker->job->cancel)
			worker->job->cancel(worker->job);
		if (worker->handoff) {
			worker->handoff->next = dropped;
			dropped = worker->handoff;
			worker->handoff = NULL;
		}
	}
	for (unsigned i = 0; i < pool->nworkers; i++)
		pthread_cond_signal(&pool->workers[i].wake);
	pthread_mutex_unlock(&pool->lock);
	while (dropped) {
		struct pool_job *job = dropped;
		dropped = job->next;
		job->done(job, false);
	}
	for (unsigned i = 0; i < pool->started; i++)
		pthread_join(pool->workers[i].thread, NULL);
	for (unsigned i = 0; i < pool->nworkers; i++)
		pthread_cond_destroy(&pool->workers[i].wake);
	pthread_mutex_destroy(&pool->lock);
	free(pool->workers);
	free(pool);
}
