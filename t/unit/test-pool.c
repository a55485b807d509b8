/*
 * The worker pool of imapeek-httpd (cgi/pool.h): heavy requests hold at
 * most heavy_cap workers and one client at most client_cap, so that cheap
 * requests of others still run; a freed slot is taken by the oldest
 * eligible job; stopping drops what waits and cancels what runs.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "pool.h"
#include "../tap.h"

struct bench {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	int running, heavy_running, max_heavy, max_running;
	int started_by[8];          /* jobs started per client "a".."h" */
	bool release;
};

struct test_job {
	struct pool_job job;
	struct bench *bench;
	bool cancelled, ran, done;
	int order;                  /* when it started, from 1 */
	struct gateway *gateway;    /* which worker ran it */
};

static struct bench bench = { .lock = PTHREAD_MUTEX_INITIALIZER,
                              .changed = PTHREAD_COND_INITIALIZER };
static int started;

static void job_run(struct pool_job *job, struct gateway *gateway)
{
	struct test_job *test = (struct test_job *)job;

	pthread_mutex_lock(&bench.lock);
	test->gateway = gateway;
	test->order = ++started;
	bench.running++;
	bench.started_by[job->client[0] - 'a']++;
	if (job->heavy && ++bench.heavy_running > bench.max_heavy)
		bench.max_heavy = bench.heavy_running;
	if (bench.running > bench.max_running)
		bench.max_running = bench.running;
	pthread_cond_broadcast(&bench.changed);
	while (!bench.release && !test->cancelled)
		pthread_cond_wait(&bench.changed, &bench.lock);
	bench.running--;
	if (job->heavy)
		bench.heavy_running--;
	pthread_mutex_unlock(&bench.lock);
}

static void job_done(struct pool_job *job, bool ran)
{
	struct test_job *test = (struct test_job *)job;

	pthread_mutex_lock(&bench.lock);
	test->ran = ran;
	test->done = true;
	pthread_cond_broadcast(&bench.changed);
	pthread_mutex_unlock(&bench.lock);
}

static void job_cancel(struct pool_job *job)
{
	struct test_job *test = (struct test_job *)job;

	/* Called with the pool's lock held; the bench's is another. */
	pthread_mutex_lock(&bench.lock);
	test->cancelled = true;
	pthread_cond_broadcast(&bench.changed);
	pthread_mutex_unlock(&bench.lock);
}

static void job_init(struct test_job *test, char client, bool heavy)
{
	memset(test, 0, sizeof(*test));
	test->job.run = job_run;
	test->job.done = job_done;
	test->job.cancel = job_cancel;
	test->job.client[0] = client;
	test->job.heavy = heavy;
}

/* Wait (5 s at most) until n jobs run; the number running then. */
static int wait_running(int n)
{
	struct timespec until;
	int running;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&bench.lock);
	while (bench.running < n &&
	       pthread_cond_timedwait(&bench.changed, &bench.lock, &until) == 0)
		;
	running = bench.running;
	pthread_mutex_unlock(&bench.lock);
	return running;
}

static void settle(void)
{
	struct timespec pause = { 0, 200 * 1000000L };

	nanosleep(&pause, NULL);
}

static void release_all(bool release)
{
	pthread_mutex_lock(&bench.lock);
	bench.release = release;
	pthread_cond_broadcast(&bench.changed);
	pthread_mutex_unlock(&bench.lock);
}

static void wait_done(struct test_job *jobs, size_t n)
{
	pthread_mutex_lock(&bench.lock);
	for (size_t i = 0; i < n; i++)
		while (!jobs[i].done)
			pthread_cond_wait(&bench.changed, &bench.lock);
	pthread_mutex_unlock(&bench.lock);
}

int main(void)
{
	const char *top = getenv("IMAPEEK_TOP");
	struct test_job jobs[12];
	struct buf err = BUF_INIT;
	struct conf conf;
	struct pool *pool;

	tap_ok(pool_heavy_cap(1) == 1 && pool_heavy_cap(2) == 1 &&
	       pool_heavy_cap(4) == 2 && pool_heavy_cap(9) == 4,
	       "heavy requests get half of the workers (at least one)");
	tap_ok(pool_client_cap(1) == 1 && pool_client_cap(2) == 1 &&
	       pool_client_cap(3) == 2 && pool_client_cap(4) == 2,
	       "one client's share is half of them, rounded up");
	char *text = xasprintf("imapd = /bin/false\ntemplates = %s/templates\n",
	                       top ? top : ".");
	if (conf_parse(&conf, "t.conf", text, strlen(text), &err) < 0)
		return tap_ok(0, "configuration: %s", buf_cstr(&err)), tap_done();
	pool = pool_new(&conf, 4, 0);
	tap_ok(pool != NULL, "a pool of 4 workers");

	/* Heavy jobs of three clients: two run, the third waits. */
	job_init(&jobs[0], 'a', true);
	job_init(&jobs[1], 'b', true);
	job_init(&jobs[2], 'c', true);
	for (int i = 0; i < 3; i++)
		pool_submit(pool, &jobs[i].job);
	wait_running(2);
	settle();
	tap_ok(bench.running == 2 && bench.heavy_running == 2,
	       "three heavy requests: two run (the heavy cap)");
	job_init(&jobs[3], 'd', false);
	pool_submit(pool, &jobs[3].job);
	tap_ok(wait_running(3) == 3, "a cheap request behind them runs at once");
	settle();
	/* A free worker is not left idle for the cap: d gets a second one. */
	job_init(&jobs[4], 'd', false);
	pool_submit(pool, &jobs[4].job);
	tap_ok(wait_running(4) == 4 && bench.started_by[3] == 2,
	       "a second cheap request of d takes the fourth worker");
	release_all(true);
	wait_done(jobs, 5);
	tap_ok(bench.max_heavy == 2, "heavy requests never held more than two workers");
	tap_ok(bench.max_running <= 4, "never more than the workers");
	tap_ok(jobs[2].ran, "the waiting heavy one ran once a heavy slot freed");
	release_all(false);

	/* A flood of one client: the next free worker serves someone else. */
	memset(bench.started_by, 0, sizeof(bench.started_by));
	started = 0;
	for (int i = 0; i < 4; i++) {
		job_init(&jobs[i], 'a', false);
		pool_submit(pool, &jobs[i].job);
	}
	wait_running(4);
	job_init(&jobs[4], 'a', false);
	job_init(&jobs[5], 'a', false);
	job_init(&jobs[6], 'b', false);
	for (int i = 4; i < 7; i++)
		pool_submit(pool, &jobs[i].job);
	settle();
	pthread_mutex_lock(&bench.lock);
	jobs[0].cancelled = true;       /* lets job 0 end */
	pthread_cond_broadcast(&bench.changed);
	pthread_mutex_unlock(&bench.lock);
	wait_running(4);
	settle();
	tap_ok(jobs[6].order == 5 && !jobs[4].order && !jobs[5].order,
	       "a's flood holds every worker; the first one freed serves b, not a's older ones");
	release_all(true);
	wait_done(jobs, 7);
	release_all(false);

	/* Affinity: a connection's requests keep to the worker that is free. */
	release_all(true);
	{
		struct gateway *first = NULL;
		int same = 0;
		for (int i = 0; i < 8; i++) {
			job_init(&jobs[i], 'e', false);
			jobs[i].job.affinity = 77;
			pool_submit(pool, &jobs[i].job);
			wait_done(&jobs[i], 1);
			if (!first)
				first = jobs[i].gateway;
			same += jobs[i].gateway == first;
			settle();
		}
		tap_ok(same == 8, "requests of one connection go to its last worker when it is free (%d of 8)",
		       same);
	}
	release_all(false);

	/* Stopping: what runs is cancelled, what waits is dropped. */
	for (int i = 6; i < 12; i++) {
		job_init(&jobs[i], 'a' + (char)(i % 3), true);
		pool_submit(pool, &jobs[i].job);
	}
	wait_running(2);
	pool_free(pool);
	{
		int cancelled = 0, dropped = 0;
		for (int i = 6; i < 12; i++) {
			cancelled += jobs[i].cancelled && jobs[i].ran;
			dropped += !jobs[i].ran && jobs[i].done;
		}
		tap_ok(cancelled == 2 && dropped == 4,
		       "stopping cancels the 2 running and drops the 4 waiting (%d, %d)",
		       cancelled, dropped);
	}
	conf_release(&conf);
	buf_release(&err);
	free(text);
	return tap_done();
}
