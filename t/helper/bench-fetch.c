/*
 * bench-fetch --random SECONDS MAILBOX COUNT: the Dovecot floor of a
 * message page: one kept session through the minimal driver,
 * one "UID FETCH n (BODY.PEEK[])" at a time for a random n in 1..COUNT
 * (UIDs are load order), for SECONDS; prints "N fetches in S s: R/s".
 * bench-fetch --page SECONDS MAILBOX UID: what the message page of UID
 * asks a kept imapd (README), as the gateway asks it once the page was
 * read before: the details' FETCH (message.h's items and the start of
 * part 1) and the NOOP, in one write (the outline's summaries are kept:
 * summary_cache.h); the imapd's own share of that message page, for the
 * one UID the page benchmark asks for.
 *
 * bench-fetch MAILBOX...: messages fetched per second (UID FETCH ENVELOPE
 * BODYSTRUCTURE BODY.PEEK[] of every message, batches of 200 UIDs) from
 * $IMAPD_CMD / $IMAPD_ENV, through the session layer and through a
 * minimal pipe driver (blocking writes, a literal-aware line scanner, no
 * parser) in the same run; prints both rates, the session's overhead and
 * the verdict against the budget of 10%.
 *
 * Fair by construction: both spawn the imapd with proc_spawn() (same
 * pipes), both say ENABLE UTF8=ACCEPT CONDSTORE as session_open() does
 * against Dovecot (CONDSTORE adds MODSEQ to every FETCH), both EXAMINE and
 * fetch the same batches and LOGOUT; rounds alternate which goes first, and
 * the best of BENCH_ROUNDS (default 7) rounds of each counts.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "message.h"
#include "proc.h"
#include "session.h"
#include "imapd-args.h"

#define BATCH 200
#define ITEMS "(UID ENVELOPE BODYSTRUCTURE BODY.PEEK[])"
/* the budget for the session layer */
#define BUDGET_PERCENT 10.0

/* CPU seconds (user + system) this process spent so far. */
static double cpu_seconds(void)
{
	struct rusage usage;

	getrusage(RUSAGE_SELF, &usage);
	return (double)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
	       (double)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/* Seconds on the monotonic clock: runs take a fraction of a second. */
static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the minimal driver --------------------------------------------- */

struct driver {
	struct proc proc;
	char buf[65536];
	size_t len, pos;
	unsigned tag;
};

static int driver_fill(struct driver *driver)
{
	ssize_t got;

	for (;;) {
		struct pollfd pfd = { driver->proc.from_child, POLLIN, 0 };

		got = read(driver->proc.from_child, driver->buf, sizeof(driver->buf));
		if (got > 0)
			break;
		if (got == 0 || (errno != EAGAIN && errno != EINTR))
			return -1;
		poll(&pfd, 1, -1);
	}
	driver->len = (size_t)got;
	driver->pos = 0;
	return 0;
}

/* Read until a line starting with tag (NULL: one line); count FETCHes. */
static int driver_until(struct driver *driver, const char *tag, size_t *fetches)
{
	struct buf line = BUF_INIT;
	uint64_t skip = 0;
	int ret = -1;

	for (;;) {
		if (driver->pos == driver->len && driver_fill(driver) < 0)
			goto out;
		if (skip) {
			size_t take = driver->len - driver->pos;

			if (take > skip)
				take = (size_t)skip;
			driver->pos += take;
			skip -= take;
			continue;
		}
		char *nl = memchr(driver->buf + driver->pos, '\n', driver->len - driver->pos);
		size_t take = nl ? (size_t)(nl - driver->buf) - driver->pos + 1
		                 : driver->len - driver->pos;

		buf_add(&line, driver->buf + driver->pos, take);
		driver->pos += take;
		if (!nl)
			continue;
		if (line.len >= 3 && line.p[line.len - 3] == '}') {
			char *open = memrchr(line.p, '{', line.len);

			if (open)
				skip = strtoull(open + 1, NULL, 10);
		}
		if (fetches && strstr(line.p, " FETCH (") && line.p[0] == '*')
			(*fetches)++;
		if (!tag || (strncmp(line.p, tag, strlen(tag)) == 0 && line.p[strlen(tag)] == ' ')) {
			if (!skip) {
				ret = 0;
				goto out;
			}
		}
		buf_reset(&line);
	}
out:
	buf_release(&line);
	return ret;
}

/*
 * Send commands[0..n) in one write (pipelined, as the session layer sends
 * a page's FETCHes) and read until the last one's tagged answer.
 */
static int driver_cmds(struct driver *driver, const char *const *commands, size_t n,
                       size_t *fetches)
{
	struct buf text = BUF_INIT;
	char tag[16] = "";
	size_t off = 0;
	int flags = fcntl(driver->proc.to_child, F_GETFL);

	for (size_t i = 0; i < n; i++) {
		snprintf(tag, sizeof(tag), "d%u", ++driver->tag);
		buf_addf(&text, "%s %s\r\n", tag, commands[i]);
	}
	/* plain blocking writes: the commands are short */
	fcntl(driver->proc.to_child, F_SETFL, flags & ~O_NONBLOCK);
	while (off < text.len) {
		ssize_t wrote = write(driver->proc.to_child, text.p + off, text.len - off);

		if (wrote < 0) {
			buf_release(&text);
			return -1;
		}
		off += (size_t)wrote;
	}
	buf_release(&text);
	return driver_until(driver, tag, fetches);
}

static int driver_cmd(struct driver *driver, const char *command, size_t *fetches)
{
	return driver_cmds(driver, &command, 1, fetches);
}

static double run_driver(struct imapd_args *args, char **mailboxes, size_t count,
                         size_t *fetched)
{
	struct driver driver = { .tag = 0 };
	char why[256], command[256];
	double start = now_seconds();

	*fetched = 0;
	if (proc_spawn(&driver.proc, args->argv, args->envp, false, why, sizeof(why)) < 0 ||
	    driver_until(&driver, NULL, NULL) < 0 ||
	    driver_cmd(&driver, "ENABLE UTF8=ACCEPT CONDSTORE", NULL) < 0)
		return -1;
	for (size_t m = 0; m < count; m++) {
		size_t exists = 0;

		snprintf(command, sizeof(command), "EXAMINE \"%s\"", mailboxes[m]);
		if (driver_cmd(&driver, command, NULL) < 0)
			return -1;
		/* UIDs are 1..N in load order (t/tools/mkmaildir.py) */
		for (uint64_t lo = 1;; lo += BATCH) {
			size_t before = *fetched;

			snprintf(command, sizeof(command), "UID FETCH %llu:%llu " ITEMS,
			         (unsigned long long)lo, (unsigned long long)(lo + BATCH - 1));
			if (driver_cmd(&driver, command, fetched) < 0)
				return -1;
			exists += *fetched - before;
			if (*fetched - before < BATCH)
				break;
		}
	}
	driver_cmd(&driver, "LOGOUT", NULL);
	proc_close_pipes(&driver.proc);
	proc_end(&driver.proc, 500);
	return now_seconds() - start;
}

/*
 * One kept session, one round trip a message: random whole messages
 * (--random: COUNT is the mailbox's size), or a message page's commands
 * for one UID (--page: the one the page benchmark asks for).
 */
static int run_kept(struct imapd_args *args, const char *seconds_text,
                    const char *mailbox, const char *number_text, bool pages)
{
	struct driver driver = { .tag = 0 };
	char why[256], command[1024];
	uint64_t seconds, number, fetched = 0;
	double start, elapsed;

	if (parse_u64(str_from(seconds_text), 1, 3600, &seconds) < 0 ||
	    parse_u64(str_from(number_text), 1, UINT32_MAX, &number) < 0) {
		fprintf(stderr, "bench-fetch: --random SECONDS MAILBOX COUNT | --page SECONDS MAILBOX UID\n");
		return 2;
	}
	snprintf(command, sizeof(command), "EXAMINE \"%s\"", mailbox);
	if (proc_spawn(&driver.proc, args->argv, args->envp, false, why, sizeof(why)) < 0 ||
	    driver_until(&driver, NULL, NULL) < 0 ||
	    driver_cmd(&driver, "ENABLE UTF8=ACCEPT CONDSTORE", NULL) < 0 ||
	    driver_cmd(&driver, command, NULL) < 0) {
		fprintf(stderr, "bench-fetch: the imapd did not start or EXAMINE failed\n");
		return 1;
	}
	srandom(20240317);
	start = now_seconds();
	do {
		size_t got = 0;

		if (pages) {
			/* as the gateway asks a page read before: the details
			 * and the NOOP of its stamp, in one write (the outline's
			 * summaries are kept) */
			const char *two[2] = { command, "NOOP" };

			snprintf(command, sizeof(command), "UID FETCH %llu %s",
			         (unsigned long long)number,
			         MESSAGE_DETAIL_ITEMS_WITH(" BODY.PEEK[1]<0.65536>"));
			if (driver_cmds(&driver, two, 2, &got) < 0 || got < 1) {
				fprintf(stderr, "bench-fetch: a page's FETCH failed\n");
				return 1;
			}
		} else {
			snprintf(command, sizeof(command), "UID FETCH %llu (BODY.PEEK[])",
			         1 + (unsigned long long)((uint64_t)random() % number));
			if (driver_cmd(&driver, command, &got) < 0 || got < 1) {
				fprintf(stderr, "bench-fetch: a FETCH failed\n");
				return 1;
			}
		}
		fetched++;
		elapsed = now_seconds() - start;
	} while (elapsed < (double)seconds);
	driver_cmd(&driver, "LOGOUT", NULL);
	proc_close_pipes(&driver.proc);
	proc_end(&driver.proc, 500);
	printf("%llu %s in %.2f s: %.0f/s\n", (unsigned long long)fetched,
	       pages ? "pages" : "fetches", elapsed, (double)fetched / elapsed);
	return 0;
}

/* ---- the session layer ---------------------------------------------- */

static double run_session(struct imapd_args *args, char **mailboxes, size_t count,
                          size_t *fetched)
{
	struct session_config config = {
		.argv = args->argv, .envp = args->envp,
		.timeout_ms = 60000, .max_literal = 64 << 20,
	};
	struct session_err err;
	struct session *session;
	double start = now_seconds();
	double elapsed = -1;

	*fetched = 0;
	session = session_open(&config, &err);
	if (!session) {
		fprintf(stderr, "bench-fetch: %s\n", err.message);
		return -1;
	}
	for (size_t m = 0; m < count; m++) {
		if (session_examine(session, str_from(mailboxes[m]), true, &err) < 0)
			goto out;
		for (uint64_t lo = 1;; lo += BATCH) {
			struct session_result result;
			struct imap_cmd cmd;
			char set[64];
			size_t got;
			int ret;

			snprintf(set, sizeof(set), "%llu:%llu", (unsigned long long)lo,
			         (unsigned long long)(lo + BATCH - 1));
			imap_cmd_init(&cmd, "UID FETCH");
			imap_cmd_seqset(&cmd, set);
			imap_cmd_fetch_items(&cmd, ITEMS);
			session_result_init(&result);
			ret = session_run(session, &cmd, &result, &err);
			got = 0;
			for (size_t i = 0; i < result.nuntagged; i++)
				got += imap_node_is_atom(imap_node_nth(result.untagged[i]->data, 1),
				                         "FETCH");
			session_result_release(&result);
			imap_cmd_release(&cmd);
			if (ret < 0)
				goto out;
			*fetched += got;
			if (got < BATCH)
				break;
		}
	}
	elapsed = 0;
out:
	if (elapsed < 0)
		fprintf(stderr, "bench-fetch: %s\n", err.message);
	session_close(session);
	return elapsed < 0 ? -1 : now_seconds() - start;
}

int main(int argc, char **argv)
{
	struct imapd_args args;
	double best_driver = 0, best_session = 0, overhead;
	/* the client's own CPU: steadier than wall time on a busy machine */
	double cpu_driver = 0, cpu_session = 0;
	size_t n_driver = 0, n_session = 0, count = (size_t)argc - 1;
	const char *rounds_env = getenv("BENCH_ROUNDS");
	uint64_t rounds = 7;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-fetch MAILBOX...\n"
		                "       bench-fetch --random SECONDS MAILBOX COUNT\n"
		                "       bench-fetch --page SECONDS MAILBOX UID\n");
		return 2;
	}
	if (strcmp(argv[1], "--random") == 0 || strcmp(argv[1], "--page") == 0) {
		int rc;

		if (argc != 5) {
			fprintf(stderr, "usage: bench-fetch --random SECONDS MAILBOX COUNT | --page SECONDS MAILBOX UID\n");
			return 2;
		}
		imapd_args_init(&args, getenv("IMAPD_CMD"), getenv("IMAPD_ENV"));
		rc = run_kept(&args, argv[2], argv[3], argv[4], argv[1][2] == 'p');
		imapd_args_release(&args);
		return rc;
	}
	if (rounds_env && parse_u64(str_from(rounds_env), 1, 100, &rounds) < 0) {
		fprintf(stderr, "bench-fetch: BENCH_ROUNDS must be 1..100\n");
		return 2;
	}
	imapd_args_init(&args, getenv("IMAPD_CMD"), getenv("IMAPD_ENV"));
	/* warm the imapd's index and the page cache, then the rounds */
	run_driver(&args, argv + 1, count, &n_driver);
	run_session(&args, argv + 1, count, &n_session);
	for (uint64_t round = 0; round < rounds; round++) {
		double d, s, cpu_d, cpu_s, cpu_start;

		/* alternate the order: whoever runs second finds warmer caches */
		if (round % 2) {
			cpu_start = cpu_seconds();
			s = run_session(&args, argv + 1, count, &n_session);
			cpu_s = cpu_seconds() - cpu_start;
			d = run_driver(&args, argv + 1, count, &n_driver);
			cpu_d = cpu_seconds() - cpu_start - cpu_s;
		} else {
			cpu_start = cpu_seconds();
			d = run_driver(&args, argv + 1, count, &n_driver);
			cpu_d = cpu_seconds() - cpu_start;
			s = run_session(&args, argv + 1, count, &n_session);
			cpu_s = cpu_seconds() - cpu_start - cpu_d;
		}
		if (!cpu_driver || cpu_d < cpu_driver)
			cpu_driver = cpu_d;
		if (!cpu_session || cpu_s < cpu_session)
			cpu_session = cpu_s;
		if (d < 0 || s < 0) {
			imapd_args_release(&args);
			return 1;
		}
		if (!best_driver || d < best_driver)
			best_driver = d;
		if (!best_session || s < best_session)
			best_session = s;
	}
	overhead = (best_session / best_driver - 1) * 100;
	printf("best of %llu rounds\n", (unsigned long long)rounds);
	printf("%-16s %10s %10s %12s %12s\n", "driver", "messages", "seconds",
	       "messages/s", "client CPU s");
	printf("%-16s %10zu %10.4f %12.0f %12.4f\n", "minimal pipes", n_driver,
	       best_driver, n_driver / best_driver, cpu_driver);
	printf("%-16s %10zu %10.4f %12.0f %12.4f\n", "session layer", n_session,
	       best_session, n_session / best_session, cpu_session);
	printf("session overhead: %+.1f%% (rate ratio session/minimal %.3f)\n",
	       overhead, (n_session / best_session) / (n_driver / best_driver));
	printf("verdict: %s (budget %.0f%%)\n",
	       overhead < BUDGET_PERCENT ? "within budget" : "OVER BUDGET", BUDGET_PERCENT);
	imapd_args_release(&args);
	if (n_driver != n_session) {
		fprintf(stderr, "bench-fetch: the drivers fetched %zu and %zu messages\n",
		        n_driver, n_session);
		return 1;
	}
	return 0;
}
