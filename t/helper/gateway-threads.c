/*
 * gateway-threads CONF THREADS ROUNDS TARGET...: what imapeek-httpd's
 * workers do, without libmicrohttpd: THREADS threads, each with its own
 * gateway (and so its own imapd), answer every request-target (a path,
 * "?QUERY" after it) ROUNDS times, all at once, each thread starting at
 * another target.  Nothing orders the threads but what the library does
 * itself, so ThreadSanitizer sees every access the workers share.
 *
 * Prints, per target, "STATUS BYTES TARGET" when every answer to it had
 * that status and the same body, else "DIFFERENT TARGET".  Exit 0, or 2
 * for bad arguments or configuration.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway.h"

/* An answer as seen from outside: its status, length and FNV-1a hash. */
struct answer {
	int status;
	size_t bytes;
	uint64_t hash;
};

struct worker {
	pthread_t thread;
	const struct conf *conf;
	char *const *targets;
	size_t ntargets, index;
	unsigned rounds;
	struct answer *answers;   /* [round * ntargets + target] */
};

static int answer_begin(void *ctx, int status, const struct resp_header *headers,
                        size_t nheaders)
{
	struct answer *answer = ctx;

	(void)headers;
	(void)nheaders;
	answer->status = status;
	return 0;
}

static int answer_write(void *ctx, const char *data, size_t len)
{
	struct answer *answer = ctx;

	for (size_t i = 0; i < len; i++)
		answer->hash = (answer->hash ^ (unsigned char)data[i]) * 0x100000001b3ULL;
	answer->bytes += len;
	return 0;
}

static const struct resp_ops answer_ops = { .begin = answer_begin, .write = answer_write };

static void answer(struct gateway *gateway, const char *target,
                   struct answer *out)
{
	const char *question = strchr(target, '?');
	char *path = xstrndup(target, question ? (size_t)(question - target)
	                                       : strlen(target));
	struct req req = {
		.method = REQ_GET,
		.root = "",
		.path = path,
		.query = question ? question + 1 : "",
		.host = "localhost",
	};
	struct resp resp;

	*out = (struct answer){ 0, 0, 0xcbf29ce484222325ULL };
	resp_init(&resp, &answer_ops, out, false);
	gateway_handle(gateway, &req, &resp);
	resp_release(&resp);
	free(path);
}

static void *work(void *arg)
{
	struct worker *worker = arg;
	struct gateway *gateway = gateway_new(worker->conf);

	for (unsigned round = 0; round < worker->rounds; round++)
		for (size_t i = 0; i < worker->ntargets; i++) {
			size_t target = (i + worker->index) % worker->ntargets;
			answer(gateway, worker->targets[target],
			       &worker->answers[round * worker->ntargets + target]);
		}
	gateway_free(gateway);
	return NULL;
}

int main(int argc, char **argv)
{
	struct conf conf;
	struct buf err = BUF_INIT;
	struct worker *workers;
	uint64_t nthreads, rounds;
	size_t ntargets;

	if (argc < 5 || parse_u64(str_from(argv[2]), 1, 64, &nthreads) < 0 ||
	    parse_u64(str_from(argv[3]), 1, 1000, &rounds) < 0) {
		fprintf(stderr, "usage: gateway-threads CONF THREADS ROUNDS TARGET...\n");
		return 2;
	}
	if (conf_load(&conf, argv[1], &err) < 0) {
		fprintf(stderr, "%s\n", buf_cstr(&err));
		buf_release(&err);
		return 2;
	}
	buf_release(&err);
	ntargets = (size_t)argc - 4;
	workers = xcalloc(nthreads, sizeof(*workers));
	for (size_t t = 0; t < nthreads; t++) {
		workers[t] = (struct worker){
			.conf = &conf, .targets = argv + 4, .ntargets = ntargets,
			.index = t, .rounds = (unsigned)rounds,
			.answers = xcalloc(rounds * ntargets, sizeof(struct answer)),
		};
		if (pthread_create(&workers[t].thread, NULL, work, &workers[t]) != 0) {
			fprintf(stderr, "gateway-threads: cannot start a thread\n");
			return 2;
		}
	}
	for (size_t t = 0; t < nthreads; t++)
		pthread_join(workers[t].thread, NULL);
	for (size_t i = 0; i < ntargets; i++) {
		const struct answer *first = &workers[0].answers[i];
		bool same = true;
		for (size_t t = 0; t < nthreads; t++)
			for (unsigned round = 0; round < rounds; round++) {
				const struct answer *other =
					&workers[t].answers[round * ntargets + i];
				same = same && other->status == first->status &&
				       other->bytes == first->bytes &&
				       other->hash == first->hash;
			}
		if (same)
			printf("%d %zu %s\n", first->status, first->bytes, argv[4 + i]);
		else
			printf("DIFFERENT %s\n", argv[4 + i]);
	}
	for (size_t t = 0; t < nthreads; t++)
		free(workers[t].answers);
	free(workers);
	conf_release(&conf);
	return 0;
}
