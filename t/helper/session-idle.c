/*
 * session-idle [MAILBOX]: IDLE through the session layer on $IMAPD_CMD /
 * $IMAPD_ENV, printing what happened, one "key value" a line, as it
 * happens (a test waits for "idling" before it delivers mail):
 *
 *   open CODE MS              session_open
 *   examine CODE EXISTS       with MAILBOX: EXAMINE and its message count
 *   idle_start CODE MS        session_idle_start, elapsed ms
 *   idling                    IDLE is in force
 *   send_during_idle CODE     a NOOP tried while idling (must be REFUSED)
 *   idle_exists N MS          untagged "N EXISTS" from session_idle_wait,
 *                             ms after idling began
 *   idle_wait CODE            session_idle_wait failed
 *   idle_done CODE MS         session_idle_done
 *   noop CODE                 the next command
 *   fetch CODE N              with MAILBOX: UID FETCH 1:* (UID), N FETCHes
 *   children none|left        after session_close
 *   message TEXT              the last error's message (for the log)
 *
 * PROBE_TIMEOUT_MS sets the session's deadline (10000); PROBE_IDLE_WAIT_MS
 * how long to wait for EXISTS while idling (1000).
 */
#include <errno.h>
#include <stdint.h>
#include <sys/wait.h>

#include "session.h"
#include "proc.h"
#include "imapd-args.h"

static const char *const error_names[SESSION_ERROR__MAX] = {
	"OK", "TIMEOUT", "FAILED", "NO", "REFUSED", "CANCELLED",
};

static uint64_t env_number(const char *name, uint64_t fallback)
{
	const char *value = getenv(name);
	uint64_t number;

	if (!value || parse_u64(str_from(value), 1, UINT32_MAX, &number) < 0)
		return fallback;
	return number;
}

static const char *code_of(int ret, const struct session_err *err)
{
	return error_names[ret == 0 ? SESSION_OK : err->code];
}

/* The count of the last "* N EXISTS" in result, or -1. */
static long long exists_in(const struct session_result *result)
{
	long long exists = -1;

	for (size_t i = 0; i < result->nuntagged; i++) {
		struct imap_node *data = result->untagged[i]->data;

		if (data && data->type == IMAP_NUMBER &&
		    imap_node_is_atom(data->next, "EXISTS"))
			exists = (long long)data->number;
	}
	return exists;
}

/* IDLE until EXISTS comes or wait_ms pass; then DONE. */
static void idle(struct session *session, long long wait_ms, struct session_err *err)
{
	struct imap_cmd cmd;
	unsigned ticket;
	long long start = proc_now_ms(), idling_since;
	int ret;

	ret = session_idle_start(session, err);
	printf("idle_start %s %lld\n", code_of(ret, err), proc_now_ms() - start);
	if (ret < 0)
		return;
	idling_since = proc_now_ms();
	printf("idling\n");
	fflush(stdout);
	imap_cmd_init(&cmd, "NOOP");
	ret = session_send(session, &cmd, &ticket, err);
	imap_cmd_release(&cmd);
	printf("send_during_idle %s\n", code_of(ret, err));
	for (;;) {
		struct session_result result;
		long long left = idling_since + wait_ms - proc_now_ms(), exists;

		if (left <= 0)
			break;
		session_result_init(&result);
		ret = session_idle_wait(session, (int)(left > 500 ? 500 : left),
		                        &result, err);
		exists = ret > 0 ? exists_in(&result) : -1;
		session_result_release(&result);
		if (ret < 0) {
			printf("idle_wait %s\n", code_of(ret, err));
			return;
		}
		if (exists >= 0) {
			printf("idle_exists %lld %lld\n", exists, proc_now_ms() - idling_since);
			break;
		}
	}
	start = proc_now_ms();
	ret = session_idle_done(session, err);
	printf("idle_done %s %lld\n", code_of(ret, err), proc_now_ms() - start);
}

int main(int argc, char **argv)
{
	struct imapd_args args;
	struct session_config config;
	struct session_err err = { .code = SESSION_OK };
	struct session_result result;
	struct session *session;
	struct imap_cmd cmd;
	const char *mailbox = argc > 1 ? argv[1] : NULL;
	long long start;
	int ret, status;

	setvbuf(stdout, NULL, _IOLBF, 0);
	imapd_args_init(&args, getenv("IMAPD_CMD"), getenv("IMAPD_ENV"));
	config = (struct session_config){
		.argv = args.argv, .envp = args.envp,
		.timeout_ms = (int)env_number("PROBE_TIMEOUT_MS", 10000),
		.max_literal = 1 << 20,
	};
	start = proc_now_ms();
	session = session_open(&config, &err);
	printf("open %s %lld\n", session ? "OK" : error_names[err.code],
	       proc_now_ms() - start);
	if (!session)
		goto out;
	if (mailbox) {
		ret = session_examine(session, str_from(mailbox), true, &err);
		printf("examine %s %lld\n", code_of(ret, &err),
		       ret == 0 ? (long long)session_mailbox(session)->exists : -1LL);
	}
	idle(session, (long long)env_number("PROBE_IDLE_WAIT_MS", 1000), &err);

	imap_cmd_init(&cmd, "NOOP");
	session_result_init(&result);
	ret = session_run(session, &cmd, &result, &err);
	session_result_release(&result);
	imap_cmd_release(&cmd);
	printf("noop %s\n", code_of(ret, &err));
	if (mailbox && ret == 0) {
		size_t fetches = 0;

		imap_cmd_init(&cmd, "UID FETCH");
		imap_cmd_seqset(&cmd, "1:*");
		imap_cmd_fetch_items(&cmd, "(UID)");
		session_result_init(&result);
		ret = session_run(session, &cmd, &result, &err);
		for (size_t i = 0; i < result.nuntagged; i++)
			fetches += imap_node_is_atom(imap_node_nth(result.untagged[i]->data, 1),
			                             "FETCH");
		session_result_release(&result);
		imap_cmd_release(&cmd);
		printf("fetch %s %zu\n", code_of(ret, &err), fetches);
	}
	session_close(session);
out:
	/* session_close must have reaped: no child of ours may be left */
	printf("children %s\n",
	       waitpid(-1, &status, WNOHANG) < 0 && errno == ECHILD ? "none" : "left");
	if (err.message[0])
		printf("message %s\n", err.message);
	imapd_args_release(&args);
	return 0;
}
