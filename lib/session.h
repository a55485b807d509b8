/*
 * The session layer: one pre-authenticated imapd spawned over two pipes,
 * spoken to with commands that passed the read-only choke point
 * (imap_cmd.h), answers parsed losslessly (imap_parse.h).
 *
 * - The child is started with execv (no shell), only the configured
 *   environment, every other descriptor close-on-exec; SIGPIPE is ignored.
 * - I/O is non-blocking, poll()s both pipes at once, and every answer has a
 *   deadline.  Bytes are read only while a command is pending.
 * - Several commands may be in flight (pipelining); the tagged answer ends
 *   a command, and untagged data goes to the command that asked for it.
 * - session_close() sends LOGOUT, waits a short grace, then TERM and KILL
 *   to the imapd's process group, and always reaps the child.
 */
#ifndef IMAPEEK_SESSION_H
#define IMAPEEK_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "imap_cmd.h"
#include "imap_parse.h"

enum session_error {
	SESSION_OK,
	SESSION_TIMEOUT,  /* no (complete) answer within the deadline: 504 */
	SESSION_FAILED,   /* dead child, EOF, garbage, over-long literal, BYE,
	                     no PREAUTH greeting: 502 */
	SESSION_NO,       /* the command was answered NO or BAD */
	SESSION_REFUSED,  /* the choke point refused the command; nothing sent */
	SESSION_CANCELLED, /* the request was cancelled (its client gone, the
	                      server stopping): nothing more was sent */
	SESSION_ERROR__MAX
};

/* Details for the log, never for the page. */
struct session_err {
	enum session_error code;
	char message[256];
	/* SESSION_NO: the answer's response code atom ("NONEXISTENT",
	 * "NOPERM", RFC 5530), "" when it had none. */
	char response_code[32];
};

/*
 * A NO to a command about a mailbox the server listed (EXAMINE, STATUS)
 * is the store failing to be read (an index folder the imapd cannot
 * write: "[NOPERM]"), not a missing mailbox, unless the server says the
 * mailbox is gone ("[NONEXISTENT]", RFC 5530).  err becomes
 * SESSION_FAILED in the first case; returns whether it is now.
 */
bool session_err_store_failed(struct session_err *err);

struct session_config {
	char *const *argv;    /* argv[0] is the program's path; NULL-ended */
	char *const *envp;    /* the imapd's whole environment; NULL-ended */
	int timeout_ms;       /* deadline for any one answer */
	uint64_t max_literal; /* largest literal accepted */
	/*
	 * A descriptor that becomes readable when the process is stopping
	 * (SIGTERM): a wait for an answer then ends at once, CANCELLED, and
	 * the session is broken (its imapd is ended by session_close).  0,
	 * as in a zeroed config, means none: descriptor 0 is never one.
	 */
	int stop_fd;
};

/*
 * Capabilities the gateway uses; the full list is in session->caps.  An
 * IMAP4rev2-only server has ESEARCH and LITERAL- whether it lists them or
 * not (RFC 9051).
 */
enum session_cap {
	CAP_IMAP4REV1, CAP_IMAP4REV2, CAP_LITERAL_PLUS, CAP_LITERAL_MINUS,
	CAP_SORT, CAP_THREAD_REFERENCES, CAP_ESEARCH, CAP_ESORT,
	CAP_CONTEXT_SEARCH, CAP_PARTIAL, CAP_BINARY, CAP_CONDSTORE,
	CAP_ENABLE, CAP_UTF8_ACCEPT, CAP_IDLE, CAP_UNSELECT, CAP_ID,
	CAP_NAMESPACE, CAP_LIST_STATUS, CAP_PREVIEW, CAP_OBJECTID,
	CAP__MAX
};

/* What EXAMINE told about the mailbox in use. */
struct mailbox_state {
	char *name;            /* UTF-8, as given to session_examine() */
	uint32_t exists;
	uint32_t uidvalidity;
	uint32_t uidnext;
	uint64_t highestmodseq; /* 0 without CONDSTORE */
	uint32_t expunged;     /* EXPUNGEs seen since EXAMINE: with exists, a
	                        * change seen without CONDSTORE too */
};

/*
 * A command's answer: the untagged responses routed to it, in order, and
 * its tagged response.  The result owns them.
 */
struct session_result {
	struct imap_response **untagged;
	size_t nuntagged, cap;
	struct imap_response *tagged;
};

void session_result_init(struct session_result *result);
void session_result_release(struct session_result *result);
/*
 * Did the server send an untagged NO with this answer (a warning, RFC
 * 3501 7.1.2: Dovecot's "showing only old mails")?  Then err is filled
 * (SESSION_FAILED, naming command): what came cannot be taken as whole.
 */
bool session_result_warned(const struct session_result *result,
                           const char *command, struct session_err *err);

struct session;

/*
 * Spawn the imapd and read its greeting, which must be "* PREAUTH";
 * untagged OK, NO and CAPABILITY lines before it are accepted (a few, and
 * within the deadline), but an "* OK" that PREAUTH never follows is a
 * server wanting a login (FAILED).  Learn the capabilities (greeting code
 * or CAPABILITY), ENABLE UTF8=ACCEPT and CONDSTORE where offered.  NULL on
 * failure, err filled.
 */
struct session *session_open(const struct session_config *config,
                             struct session_err *err);
/*
 * LOGOUT, then reap (TERM, KILL after a grace).  A broken session or one
 * whose imapd exited gets no LOGOUT and no grace: TERM at once, KILL after
 * a short wait.  The LOGOUT is sent even when the stop descriptor is
 * readable (its own deadline is short).  NULL is fine.
 */
void session_close(struct session *session);

bool session_has_cap(const struct session *session, enum session_cap cap);
/* The capability's name as servers announce it ("THREAD=REFERENCES"). */
const char *session_cap_name(enum session_cap cap);
/* True once the session failed or its imapd exited: close and respawn it. */
bool session_broken(const struct session *session);
/* True once an error on its pipes or a timeout broke it: no system call. */
bool session_failed(const struct session *session);
pid_t session_pid(const struct session *session);
/*
 * Mailbox names travel as UTF-8: ENABLE UTF8=ACCEPT is in force, or the
 * server speaks IMAP4rev2 only.
 */
bool session_utf8_names(const struct session *session);
const struct mailbox_state *session_mailbox(const struct session *session);

/*
 * Send one command and wait for its answer.  The command is checked by
 * imap_cmd_check() before anything is written.  Returns 0 when the tagged
 * answer is OK, else -1 with err filled (SESSION_NO keeps the session
 * usable; TIMEOUT and FAILED break it).
 */
int session_run(struct session *session, const struct imap_cmd *cmd,
                struct session_result *result, struct session_err *err);

/*
 * Pipelining: session_send() queues and writes a command and returns a
 * ticket; session_wait() reads until that command's tagged answer.
 * Tickets are waited for in any order; answers to others are kept.
 */
int session_send(struct session *session, const struct imap_cmd *cmd,
                 unsigned *ticket, struct session_err *err);
int session_wait(struct session *session, unsigned ticket,
                 struct session_result *result, struct session_err *err);

/*
 * EXAMINE mailbox (UTF-8) unless it is already the examined one and
 * force is false.  Fills the session's mailbox_state.
 */
int session_examine(struct session *session, struct str mailbox, bool force,
                    struct session_err *err);

/*
 * IDLE: session_idle_start() returns once the server's "+" came;
 * session_idle_wait() waits up to timeout_ms for untagged data (returns 1
 * with data in result, 0 on timeout); session_idle_done() sends DONE and
 * waits for the tagged answer.  Nothing else may be sent in between.
 */
int session_idle_start(struct session *session, struct session_err *err);
int session_idle_wait(struct session *session, int timeout_ms,
                      struct session_result *result, struct session_err *err);
int session_idle_done(struct session *session, struct session_err *err);

#endif
