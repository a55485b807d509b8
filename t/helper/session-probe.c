/*
 * session-probe ACTION: open a session on $IMAPD_CMD / $IMAPD_ENV, do
 * ACTION, close it, and print what happened, one "key value" a line:
 *
 *   open OK|TIMEOUT|FAILED|... MS    how session_open ended, elapsed ms
 *   caps NAME...                    what session_has_cap() reports
 *   utf8 yes|no                     session_utf8_names()
 *   run OK|TIMEOUT|FAILED|NO|... MS  how ACTION ended
 *   refused N / sent N               (forbidden) commands refused / written
 *   children none|left              any child not reaped after close
 *   fds same|changed                /proc/self/fd before open vs after close
 *   message TEXT                    the error's message (for the log)
 *
 * Actions: none, noop, fetch (UID FETCH 1:* BODY.PEEK[]), forbidden (every
 * command and FETCH item outside the read-only list, through session_run),
 * pipeline (UID SEARCH ALL, UID SEARCH UID 2 and NOOP sent at once, then
 * EXAMINE "Entw\u00fcrfe"), which also prints
 *
 *   answer N LINE                   an untagged answer to the Nth command
 * PROBE_TIMEOUT_MS and PROBE_MAX_LITERAL set the session's limits.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <strings.h>
#include <sys/wait.h>

#include "session.h"
#include "proc.h"
#include "imapd-args.h"

static const char *const error_names[SESSION_ERROR__MAX] = {
	"OK", "TIMEOUT", "FAILED", "NO", "REFUSED", "CANCELLED",
};

/* "fd=target" lines of our open descriptors, but the listing's own. */
static void list_fds(struct buf *out)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *entry;
	char self[16];

	buf_reset(out);
	if (!dir)
		return;
	snprintf(self, sizeof(self), "%d", dirfd(dir));
	while ((entry = readdir(dir))) {
		char link[256], path[300];
		ssize_t len;

		if (entry->d_name[0] == '.' || strcmp(entry->d_name, self) == 0)
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", entry->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		link[len > 0 ? len : 0] = '\0';
		buf_addf(out, "%s=%s\n", entry->d_name, link);
	}
	closedir(dir);
}

static uint64_t env_number(const char *name, uint64_t fallback)
{
	const char *value = getenv(name);
	uint64_t number;

	if (!value || parse_u64(str_from(value), 1, UINT32_MAX, &number) < 0)
		return fallback;
	return number;
}

/* Commands the choke point must refuse, with their arguments. */
static void build_forbidden(size_t index, struct imap_cmd *cmd, bool *more)
{
	static const char *const names[] = {
		"SELECT", "select", "STORE", "UID STORE", "COPY", "UID COPY",
		"MOVE", "UID MOVE", "APPEND", "EXPUNGE", "UID EXPUNGE", "CREATE",
		"DELETE", "RENAME", "SUBSCRIBE", "UNSUBSCRIBE", "CLOSE",
		"AUTHENTICATE", "LOGIN", "STARTTLS", "CHECK", "SETACL",
		"GETQUOTA", "XYZZY", "LOGOUT", "logout", "IDLE", "DONE",
		"NOOP\r\nA1 EXPUNGE",
	};
	static const char *const items[] = {
		"BODY[]", "body[]", "(UID Body[TEXT])", "BODY[1]", "BODY[HEADER]",
		"RFC822", "RFC822.TEXT", "RFC822.HEADER", "rfc822", "ALL", "FAST",
		"FULL", "BODY", "BINARY[1]", "(UID) BODY[]", "UID\r\nA1 STORE 1 +FLAGS (\\Deleted)",
		"BODY.PEEK[]<0>", "X-GM-LABELS",
	};
	size_t nnames = sizeof(names) / sizeof(names[0]);
	size_t nitems = sizeof(items) / sizeof(items[0]);

	*more = index + 1 < nnames + nitems + 3;
	if (index < nnames) {
		imap_cmd_init(cmd, names[index]);
		if (strstr(names[index], "STORE")) {
			imap_cmd_seqset(cmd, "1:*");
			imap_cmd_atom(cmd, "+FLAGS");
			imap_cmd_list_open(cmd);
			imap_cmd_atom(cmd, "\\Deleted");
			imap_cmd_list_close(cmd);
		} else if (strcasecmp(names[index], "SELECT") == 0 ||
		           strcmp(names[index], "CREATE") == 0 ||
		           strcmp(names[index], "DELETE") == 0) {
			imap_cmd_mailbox(cmd, STR_LIT("INBOX"));
		}
		return;
	}
	index -= nnames;
	if (index < nitems) {
		imap_cmd_init(cmd, index % 2 ? "uid fetch" : "UID FETCH");
		imap_cmd_seqset(cmd, "1:*");
		imap_cmd_fetch_items(cmd, items[index]);
		return;
	}
	index -= nitems;
	/* arguments of the wrong shape for allowed commands */
	imap_cmd_init(cmd, "UID FETCH");
	if (index == 0) {
		imap_cmd_seqset(cmd, "1:* (FLAGS)");
		imap_cmd_fetch_items(cmd, "UID");
	} else if (index == 1) {
		imap_cmd_seqset(cmd, "1");
		imap_cmd_atom(cmd, "BODY[]");
	} else {
		imap_cmd_seqset(cmd, "1");
		imap_cmd_fetch_items(cmd, "UID");
		imap_cmd_atom(cmd, "BODY[]");
	}
}

static enum session_error run_action(struct session *session, const char *action,
                                     struct session_err *err)
{
	struct session_result result;
	struct imap_cmd cmd;
	enum session_error code = SESSION_OK;

	session_result_init(&result);
	err->code = SESSION_OK;
	err->message[0] = '\0';
	if (strcmp(action, "noop") == 0 || strcmp(action, "fetch") == 0) {
		bool fetch = action[0] == 'f';

		imap_cmd_init(&cmd, fetch ? "UID FETCH" : "NOOP");
		if (fetch) {
			imap_cmd_seqset(&cmd, "1:*");
			imap_cmd_fetch_items(&cmd, "(UID BODY.PEEK[])");
		}
		if (session_run(session, &cmd, &result, err) < 0)
			code = err->code;
		imap_cmd_release(&cmd);
	} else if (strcmp(action, "pipeline") == 0) {
		static const char *const criteria[] = { "ALL", "UID", "2", NULL };
		unsigned tickets[3];
		int sent = 0;

		/* the searches are answered in any order: routed by their tags */
		for (; sent < 3; sent++) {
			imap_cmd_init(&cmd, sent < 2 ? "UID SEARCH" : "NOOP");
			if (sent == 0)
				imap_cmd_atom(&cmd, criteria[0]);
			if (sent == 1) {
				imap_cmd_atom(&cmd, criteria[1]);
				imap_cmd_seqset(&cmd, criteria[2]);
			}
			if (session_send(session, &cmd, &tickets[sent], err) < 0) {
				imap_cmd_release(&cmd);
				break;
			}
			imap_cmd_release(&cmd);
		}
		for (int i = 0; i < sent; i++) {
			if (session_wait(session, tickets[i], &result, err) < 0 &&
			    code == SESSION_OK)
				code = err->code;
			for (size_t r = 0; r < result.nuntagged; r++) {
				struct str raw = result.untagged[r]->raw;

				printf("answer %d %.*s\n", i + 1,
				       (int)strcspn(raw.p, "\r\n"), raw.p);
			}
			session_result_release(&result);
		}
		if (sent < 3 && code == SESSION_OK)
			code = err->code;
		if (code == SESSION_OK &&
		    session_examine(session, STR_LIT("Entw\xc3\xbcrfe"), false, err) < 0)
			code = err->code;
	} else if (strcmp(action, "forbidden") == 0) {
		size_t refused = 0, sent = 0;
		bool more = true;

		for (size_t i = 0; more; i++) {
			struct session_err one;

			build_forbidden(i, &cmd, &more);
			if (session_run(session, &cmd, &result, &one) < 0 &&
			    one.code == SESSION_REFUSED)
				refused++;
			else
				sent++;
			session_result_release(&result);
			imap_cmd_release(&cmd);
		}
		printf("refused %zu\nsent %zu\n", refused, sent);
		/* one allowed command, so the recording is known to work */
		imap_cmd_init(&cmd, "NOOP");
		if (session_run(session, &cmd, &result, err) < 0)
			code = err->code;
		imap_cmd_release(&cmd);
	}
	session_result_release(&result);
	return code;
}

int main(int argc, char **argv)
{
	struct session_config config = { 0 };
	struct imapd_args args;
	struct session_err err = { .code = SESSION_OK };
	struct session *session;
	struct buf before = BUF_INIT, after = BUF_INIT;
	const char *action = argc > 1 ? argv[1] : "none";
	long long start;
	int status;

	imapd_args_init(&args, getenv("IMAPD_CMD"), getenv("IMAPD_ENV"));
	config.argv = args.argv;
	config.envp = args.envp;
	config.timeout_ms = (int)env_number("PROBE_TIMEOUT_MS", 2000);
	config.max_literal = env_number("PROBE_MAX_LITERAL", 1 << 20);
	list_fds(&before);

	start = proc_now_ms();
	session = session_open(&config, &err);
	printf("open %s %lld\n", error_names[session ? SESSION_OK : err.code],
	       proc_now_ms() - start);
	if (session) {
		enum session_error code;

		printf("caps");
		for (int cap = 0; cap < CAP__MAX; cap++)
			if (session_has_cap(session, cap))
				printf(" %s", session_cap_name(cap));
		printf("\nutf8 %s\n", session_utf8_names(session) ? "yes" : "no");

		start = proc_now_ms();
		code = run_action(session, action, &err);
		printf("run %s %lld\n", error_names[code], proc_now_ms() - start);
		printf("broken %s\n", session_broken(session) ? "yes" : "no");
	}
	if (err.message[0])
		printf("message %s\n", err.message);
	start = proc_now_ms();
	session_close(session);
	printf("close %lld\n", proc_now_ms() - start);
	/* session_close must have reaped: no child of ours may be left */
	printf("children %s\n",
	       waitpid(-1, &status, WNOHANG) < 0 && errno == ECHILD ? "none" : "left");
	list_fds(&after);
	printf("fds %s\n", strcmp(buf_cstr(&before), buf_cstr(&after)) == 0
	                           ? "same" : "changed");
	if (strcmp(buf_cstr(&before), buf_cstr(&after)) != 0)
		printf("# before:\n%s# after:\n%s", buf_cstr(&before), buf_cstr(&after));
	buf_release(&before);
	buf_release(&after);
	imapd_args_release(&args);
	return 0;
}
