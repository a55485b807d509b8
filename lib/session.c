/*
 * The session layer (session.h).
 *
 * One loop, pump(), does all I/O: it polls the child's stdin for writing
 * (while queued bytes may go out) and its stdout for reading (while a
 * command is pending) at once, so we never sit in a write while the imapd
 * sits in a write to us.  Commands wait in a FIFO; the head of the FIFO
 * that is not fully written is the writer, stopped at a synchronizing
 * literal until the server's "+".  Tagged answers end commands by tag;
 * untagged data goes to the command that asked for it (route()).
 *
 * SIGPIPE: session_open() sets it to SIG_IGN for the whole process, once:
 * a dead imapd must show as EPIPE from write(), not kill the web server.
 * Nothing in imapeek wants SIGPIPE's default.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "childlog.h"
#include "proc.h"
#include "session.h"

/* LOGOUT at close gets a short deadline: the answer does not matter. */
#define LOGOUT_TIMEOUT_MS 1000
/* After LOGOUT (or on a broken session) before TERM, then before KILL. */
#define REAP_GRACE_MS 500
/*
 * Untagged data kept for one command: a few literals' worth.  A server
 * that streams more than this for one command is flooding us.
 */
#define RESULT_SLACK (16 * 1024 * 1024)
/*
 * Untagged notes accepted before "* PREAUTH" (Courier-IMAP's "* OK
 * [ALERT] ...", a "* CAPABILITY"): a few are normal, an endless stream
 * is a server that is not going to greet us.
 */
#define MAX_GREETING_NOTES 16

struct pending {
	unsigned ticket;
	char tag[16];
	char name[32];              /* canonical upper case, e.g. "UID FETCH" */
	struct imap_wire wire;
	size_t sent;                /* bytes of wire written */
	size_t piece;               /* next break to wait at */
	bool need_continuation;     /* stopped at a synchronizing literal */
	bool is_idle;
	bool done;                  /* tagged answer in, or failed */
	enum session_error error;   /* when done */
	uint64_t bytes;             /* untagged bytes routed here */
	struct session_result result;
	struct pending *next;
};

struct session {
	struct proc proc;
	struct childlog errlog;   /* the imapd's stderr, on its way to ours */
	struct imap_parser parser;
	char *command;              /* argv[0], for messages */
	int timeout_ms;
	int stop_fd;                /* > 0: readable when the process stops */
	bool closing;               /* in session_close: the stop fd is ignored */
	uint64_t max_literal;
	unsigned next_ticket;
	struct pending *queue;      /* FIFO, oldest first */
	bool broken;
	bool idling;                /* IDLE in force: after the server's "+" */
	bool caps[CAP__MAX];
	struct imap_encoding encoding;
	struct mailbox_state mailbox;
	bool mailbox_valid;
	struct session_err broken_err;
	bool awaiting_greeting;
	struct imap_response *greeting;
	struct imap_response *first_note; /* before the greeting, for errors */
	unsigned greeting_notes;
	/* read in pieces as large as the pipe may hold (proc.h) */
	char readbuf[256 * 1024];
	size_t readlen, readpos;    /* unparsed bytes from the last read */
};

static const char *const cap_names[CAP__MAX] = {
	[CAP_IMAP4REV1] = "IMAP4rev1", [CAP_IMAP4REV2] = "IMAP4rev2",
	[CAP_LITERAL_PLUS] = "LITERAL+", [CAP_LITERAL_MINUS] = "LITERAL-",
	[CAP_SORT] = "SORT", [CAP_THREAD_REFERENCES] = "THREAD=REFERENCES",
	[CAP_ESEARCH] = "ESEARCH", [CAP_ESORT] = "ESORT",
	[CAP_CONTEXT_SEARCH] = "CONTEXT=SEARCH", [CAP_PARTIAL] = "PARTIAL",
	[CAP_BINARY] = "BINARY", [CAP_CONDSTORE] = "CONDSTORE",
	[CAP_ENABLE] = "ENABLE", [CAP_UTF8_ACCEPT] = "UTF8=ACCEPT",
	[CAP_IDLE] = "IDLE", [CAP_UNSELECT] = "UNSELECT", [CAP_ID] = "ID",
	[CAP_NAMESPACE] = "NAMESPACE", [CAP_LIST_STATUS] = "LIST-STATUS",
	[CAP_PREVIEW] = "PREVIEW", [CAP_OBJECTID] = "OBJECTID",
};

const char *session_cap_name(enum session_cap cap)
{
	return cap < CAP__MAX ? cap_names[cap] : "?";
}

static void set_err(struct session_err *err, enum session_error code,
                    const char *fmt, ...) PRINTF_LIKE(3, 4);

static void set_err(struct session_err *err, enum session_error code,
                    const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	err->code = code;
	err->response_code[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}

/* ---- results --------------------------------------------------------- */

void session_result_init(struct session_result *result)
{
	result->untagged = NULL;
	result->nuntagged = result->cap = 0;
	result->tagged = NULL;
}

void session_result_release(struct session_result *result)
{
	for (size_t i = 0; i < result->nuntagged; i++)
		imap_response_free(result->untagged[i]);
	free(result->untagged);
	if (result->tagged)
		imap_response_free(result->tagged);
	session_result_init(result);
}

static void result_add(struct session_result *result, struct imap_response *response)
{
	if (result->nuntagged == result->cap) {
		result->cap = result->cap ? 2 * result->cap : 16;
		result->untagged = xrealloc(result->untagged,
		                            result->cap * sizeof(*result->untagged));
	}
	result->untagged[result->nuntagged++] = response;
}

/* ---- the queue ------------------------------------------------------- */

static void pending_free(struct pending *pending)
{
	imap_wire_release(&pending->wire);
	session_result_release(&pending->result);
	free(pending);
}

static struct pending *find_ticket(struct session *session, unsigned ticket)
{
	for (struct pending *p = session->queue; p; p = p->next)
		if (p->ticket == ticket)
			return p;
	return NULL;
}

static void unlink_pending(struct session *session, struct pending *pending)
{
	for (struct pending **link = &session->queue; *link; link = &(*link)->next)
		if (*link == pending) {
			*link = pending->next;
			return;
		}
}

/* The command whose bytes go out next (may be stopped at a literal). */
static struct pending *writer(struct session *session)
{
	for (struct pending *p = session->queue; p; p = p->next)
		if (!p->done && p->sent < p->wire.bytes.len)
			return p;
	return NULL;
}

static bool any_waiting(const struct session *session)
{
	for (const struct pending *p = session->queue; p; p = p->next)
		if (!p->done)
			return true;
	return false;
}

/* The session cannot be trusted any more: fail every pending command. */
static void break_session(struct session *session, enum session_error code,
                          const char *message)
{
	if (!session->broken) {
		session->broken = true;
		session->broken_err.code = code;
		snprintf(session->broken_err.message,
		         sizeof(session->broken_err.message), "%s", message);
	}
	session->idling = false;
	for (struct pending *p = session->queue; p; p = p->next)
		if (!p->done) {
			p->done = true;
			p->error = code;
		}
}

/* ---- capabilities and mailbox state --------------------------------- */

static void learn_caps(struct session *session, struct imap_node *first)
{
	memset(session->caps, 0, sizeof(session->caps));
	for (struct imap_node *node = first; node; node = node->next) {
		if (node->type != IMAP_ATOM)
			continue;
		for (int cap = 0; cap < CAP__MAX; cap++)
			if (str_caseeq(node->text, cap_names[cap]))
				session->caps[cap] = true;
	}
	/*
	 * IMAP4rev2 (RFC 9051) includes ESEARCH and LITERAL-, and its mailbox
	 * names are UTF-8 without any ENABLE.  A server offering both
	 * revisions stays in IMAP4rev1: we send no ENABLE IMAP4rev2, as
	 * rev2 changes answers (ESEARCH for every SEARCH, no RECENT) that the
	 * archive layer reads in their rev1 form, and gains us nothing.
	 */
	if (session->caps[CAP_IMAP4REV2] && !session->caps[CAP_IMAP4REV1]) {
		session->caps[CAP_ESEARCH] = true;
		session->caps[CAP_LITERAL_MINUS] = true;
		session->encoding.utf8_accept = true;
	}
	session->encoding.literal_plus = session->caps[CAP_LITERAL_PLUS];
	session->encoding.literal_minus = session->caps[CAP_LITERAL_MINUS];
}

static uint64_t node_number(const struct imap_node *node, uint64_t max)
{
	uint64_t value;

	if (!node || node->type != IMAP_NUMBER ||
	    parse_u64(node->text, 0, max, &value) < 0)
		return 0;
	return value;
}

/* [UIDVALIDITY n] [UIDNEXT n] [HIGHESTMODSEQ n] [NOMODSEQ] [CAPABILITY ...] */
bool session_err_store_failed(struct session_err *err)
{
	if (err->code != SESSION_NO)
		return err->code != SESSION_OK;
	if (!strcasecmp(err->response_code, "NONEXISTENT"))
		return false;
	err->code = SESSION_FAILED;
	return true;
}

/*
 * Lines as long as the open mailbox's answers need: SORT, SEARCH and
 * THREAD name every message on one line, in at most 13 bytes each
 * ("4294967295 " and a thread's parentheses); 16 a message, and room for
 * the rest (the cap is the parser's, for every line).
 */
static void fit_lines(struct session *session)
{
	uint64_t need = 16 * (uint64_t)session->mailbox.exists + 65536;

	imap_parser_set_max_line(&session->parser, need > SIZE_MAX ? SIZE_MAX : (size_t)need);
}

static void learn_code(struct session *session, const struct imap_node *code)
{
	struct imap_node *name;

	if (!code || !(name = code->children) || name->type != IMAP_ATOM)
		return;
	if (str_caseeq(name->text, "UIDVALIDITY"))
		session->mailbox.uidvalidity = (uint32_t)node_number(name->next, UINT32_MAX);
	else if (str_caseeq(name->text, "UIDNEXT"))
		session->mailbox.uidnext = (uint32_t)node_number(name->next, UINT32_MAX);
	else if (str_caseeq(name->text, "HIGHESTMODSEQ"))
		session->mailbox.highestmodseq = node_number(name->next, INT64_MAX);
	else if (str_caseeq(name->text, "NOMODSEQ"))
		session->mailbox.highestmodseq = 0;
	else if (str_caseeq(name->text, "CAPABILITY"))
		learn_caps(session, name->next);
}

/* ---- routing --------------------------------------------------------- */

/* Which commands asked for which untagged data. */
static const struct {
	const char *data;
	const char *commands[4];
} routes[] = {
	{ "FETCH", { "FETCH", "UID FETCH" } },
	{ "SEARCH", { "SEARCH", "UID SEARCH" } },
	{ "ESEARCH", { "SEARCH", "UID SEARCH", "SORT", "UID SORT" } },
	{ "SORT", { "SORT", "UID SORT" } },
	{ "THREAD", { "THREAD", "UID THREAD" } },
	{ "LIST", { "LIST" } },
	{ "LSUB", { "LSUB" } },
	{ "STATUS", { "STATUS", "LIST" } },
	{ "CAPABILITY", { "CAPABILITY" } },
	{ "ENABLED", { "ENABLE" } },
	{ "NAMESPACE", { "NAMESPACE" } },
	{ "ID", { "ID" } },
	{ "FLAGS", { "EXAMINE" } },
	{ "EXISTS", { "EXAMINE" } },
	{ "RECENT", { "EXAMINE" } },
	{ "EXPUNGE", { "EXAMINE" } },
	{ "VANISHED", { "EXAMINE", "UID FETCH" } },
};

static struct pending *oldest_of(struct session *session, const char *const names[4])
{
	for (struct pending *p = session->queue; p; p = p->next) {
		if (p->done)
			continue;
		if (p->is_idle)
			return p; /* everything goes to IDLE while it is in force */
		for (int i = 0; i < 4 && names[i]; i++)
			if (strcmp(p->name, names[i]) == 0)
				return p;
	}
	return NULL;
}

static struct pending *by_tag(struct session *session, struct str tag)
{
	for (struct pending *p = session->queue; p; p = p->next)
		if (!p->done && str_eq(tag, p->tag))
			return p;
	return NULL;
}

/* ESEARCH (TAG "A12") ...: the correlator names the command. */
static struct pending *esearch_owner(struct session *session, struct imap_node *data)
{
	struct imap_node *corr = data ? data->next : NULL;

	if (corr && corr->type == IMAP_LIST && corr->children &&
	    imap_node_is_atom(corr->children, "TAG") && corr->children->next)
		return by_tag(session, imap_node_nstring(corr->children->next));
	return NULL;
}

/* Give response to pending (or free it), checking the flood limit. */
static void deliver(struct session *session, struct pending *pending,
                    struct imap_response *response)
{
	if (!pending) {
		imap_response_free(response);
		return;
	}
	pending->bytes += response->raw.len;
	result_add(&pending->result, response);
	if (pending->bytes > 2 * session->max_literal + RESULT_SLACK) {
		char message[128];

		snprintf(message, sizeof(message),
		         "%s: more than %llu bytes of data for %s",
		         session->command, (unsigned long long)pending->bytes,
		         pending->name);
		break_session(session, SESSION_FAILED, message);
	}
}

static void route_untagged(struct session *session, struct imap_response *response)
{
	struct imap_node *name_node = response->data;
	struct pending *owner = NULL;
	bool numbered;
	char message[192];

	if (response->status == IMAP_BYE) {
		owner = oldest_of(session, (const char *const[4]){ "LOGOUT" });
		if (owner && strcmp(owner->name, "LOGOUT") == 0) {
			deliver(session, owner, response);
			return;
		}
		snprintf(message, sizeof(message), "%s said BYE: %.*s", session->command,
		         (int)(response->text.len > 100 ? 100 : response->text.len),
		         response->text.p ? response->text.p : "");
		imap_response_free(response);
		break_session(session, SESSION_FAILED, message);
		return;
	}
	if (response->status != IMAP_STATUS_NONE) {
		/* untagged OK/NO/BAD: response codes, else a note for the oldest */
		learn_code(session, response->code);
		owner = oldest_of(session, (const char *const[4]){ "EXAMINE" });
		if (!owner)
			owner = oldest_of(session, (const char *const[4]){ NULL });
		for (struct pending *p = session->queue; !owner && p; p = p->next)
			if (!p->done)
				owner = p;
		deliver(session, owner, response);
		return;
	}
	numbered = name_node && name_node->type == IMAP_NUMBER &&
	           name_node->next && name_node->next->type == IMAP_ATOM;
	if (numbered) {
		name_node = response->data->next;
		if (str_caseeq(name_node->text, "EXISTS")) {
			session->mailbox.exists = (uint32_t)node_number(response->data, UINT32_MAX);
			fit_lines(session);
		}
		else if (str_caseeq(name_node->text, "EXPUNGE")) {
			session->mailbox.expunged++;
			if (session->mailbox.exists)
				session->mailbox.exists--;
		}
	}
	if (!name_node || name_node->type != IMAP_ATOM) {
		deliver(session, NULL, response);
		return;
	}
	if (!numbered && str_caseeq(name_node->text, "CAPABILITY"))
		learn_caps(session, name_node->next);
	if (!numbered && str_caseeq(name_node->text, "ESEARCH"))
		owner = esearch_owner(session, name_node);
	for (size_t i = 0; !owner && i < sizeof(routes) / sizeof(routes[0]); i++)
		if (str_caseeq(name_node->text, routes[i].data))
			owner = oldest_of(session, routes[i].commands);
	deliver(session, owner, response);
}

static void handle_response(struct session *session, struct imap_response *response)
{
	struct pending *pending;
	char message[192];

	switch (response->kind) {
	case IMAP_UNTAGGED:
		route_untagged(session, response);
		return;
	case IMAP_CONTINUATION:
		pending = writer(session);
		if (pending && pending->need_continuation) {
			pending->need_continuation = false;
			pending->piece++;
			imap_response_free(response);
			return;
		}
		for (pending = session->queue; pending; pending = pending->next)
			if (pending->is_idle && !pending->done && !session->idling) {
				session->idling = true;
				imap_response_free(response);
				return;
			}
		imap_response_free(response);
		snprintf(message, sizeof(message),
		         "%s sent a continuation nobody asked for", session->command);
		break_session(session, SESSION_FAILED, message);
		return;
	case IMAP_TAGGED:
		pending = by_tag(session, response->tag);
		if (!pending) {
			snprintf(message, sizeof(message), "%s answered unknown tag %.*s",
			         session->command,
			         (int)(response->tag.len > 20 ? 20 : response->tag.len),
			         response->tag.p);
			imap_response_free(response);
			break_session(session, SESSION_FAILED, message);
			return;
		}
		if (response->code)
			learn_code(session, response->code);
		pending->result.tagged = response;
		pending->done = true;
		pending->error = response->status == IMAP_OK ? SESSION_OK : SESSION_NO;
		/* a NO to a synchronizing literal ends the command there */
		pending->need_continuation = false;
		pending->sent = pending->wire.bytes.len;
		if (pending->is_idle)
			session->idling = false;
		return;
	}
	imap_response_free(response);
}

/* ---- I/O ------------------------------------------------------------- */

/*
 * A response while the greeting is awaited.  Untagged OK and NO lines and
 * "* CAPABILITY" before "* PREAUTH" are notes: Courier-IMAP sends "* OK
 * [ALERT] ..." before its PREAUTH.  Their capabilities are learnt and the
 * first is kept: if PREAUTH never comes, it was the greeting of a server
 * that wants a login.  Anything else (PREAUTH, BYE, garbage that parses)
 * is the greeting, for session_open() to judge.
 */
static void greeting_response(struct session *session, struct imap_response *response)
{
	bool note = response->kind == IMAP_UNTAGGED &&
	            (response->status == IMAP_OK || response->status == IMAP_NO ||
	             (response->status == IMAP_STATUS_NONE &&
	              imap_node_is_atom(response->data, "CAPABILITY")));

	if (!note || session->greeting_notes >= MAX_GREETING_NOTES) {
		session->greeting = response;
		session->awaiting_greeting = false;
		return;
	}
	session->greeting_notes++;
	if (response->status == IMAP_STATUS_NONE)
		learn_caps(session, response->data->next);
	else
		learn_code(session, response->code);
	if (!session->first_note)
		session->first_note = response;
	else
		imap_response_free(response);
}

/* Feed what was read to the parser until it wants more. */
static void parse_input(struct session *session)
{
	while (!session->broken && session->readpos < session->readlen) {
		struct imap_response *response = NULL;
		size_t used = 0;
		enum imap_parse_result result;

		result = imap_parser_feed(&session->parser,
		                          session->readbuf + session->readpos,
		                          session->readlen - session->readpos,
		                          &used, &response);
		session->readpos += used;
		if (result == IMAP_PARSE_BAD) {
			char message[192];

			snprintf(message, sizeof(message), "%s sent garbage: %s",
			         session->command, imap_parser_error(&session->parser));
			break_session(session, SESSION_FAILED, message);
			return;
		}
		if (result == IMAP_PARSE_PARTIAL)
			break;
		if (session->awaiting_greeting) {
			greeting_response(session, response);
			/* what follows the greeting waits for session_open */
			if (!session->awaiting_greeting)
				break;
			continue;
		}
		handle_response(session, response);
	}
	if (session->readpos == session->readlen)
		session->readpos = session->readlen = 0;
}

/* Bytes of the writer that may go out now: up to its next literal stop. */
static size_t sendable(const struct pending *pending)
{
	size_t end = pending->wire.bytes.len;

	if (pending->need_continuation)
		return 0;
	if (pending->piece < pending->wire.nbreaks)
		end = pending->wire.breaks[pending->piece];
	return end - pending->sent;
}

static void write_some(struct session *session)
{
	struct pending *pending;

	while ((pending = writer(session)) && !session->broken) {
		size_t len = sendable(pending);
		ssize_t wrote;

		if (len == 0)
			return;
		wrote = write(session->proc.to_child,
		              pending->wire.bytes.p + pending->sent, len);
		if (wrote < 0) {
			char message[192];

			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			snprintf(message, sizeof(message), "writing to %s: %s",
			         session->command, strerror(errno));
			break_session(session, SESSION_FAILED, message);
			return;
		}
		pending->sent += (size_t)wrote;
		if ((size_t)wrote == len && pending->piece < pending->wire.nbreaks &&
		    pending->sent == pending->wire.breaks[pending->piece])
			pending->need_continuation = true;
	}
}

/*
 * What the imapd wrote to its stderr, passed on (childlog.h); at its end,
 * or when reading fails, the pipe is closed.
 */
static void read_stderr(struct session *session)
{
	char data[4096];
	ssize_t got;

	/* A bound: a child that never stops writing cannot hold us here. */
	for (int reads = 0; reads < 16;) {
		got = read(session->proc.err_from_child, data, sizeof(data));
		if (got > 0) {
			childlog_feed(&session->errlog, data, (size_t)got);
			if ((size_t)got == sizeof(data) && ++reads < 16)
				continue;
			return;
		}
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && errno == EAGAIN)
			return;
		childlog_flush(&session->errlog);
		proc_close_stderr(&session->proc);
		return;
	}
}

/*
 * Do I/O until done(session, arg) is true, the deadline passes (TIMEOUT)
 * or the session breaks (FAILED).  Reads only while something waits for
 * an answer (or always_read: greeting, IDLE).  With soft_timeout, the
 * deadline returns 1 and breaks nothing (IDLE on a quiet mailbox).
 */
static int pump(struct session *session, long long deadline,
                bool (*done)(struct session *, void *), void *arg,
                bool always_read, bool soft_timeout, struct session_err *err)
{
	/* the last read filled readbuf: more is waiting, no need to poll */
	bool read_again = false;

	for (;;) {
		struct pollfd fds[4];
		nfds_t nfds = 0;
		int ready, wait_ms, in_slot = -1, out_slot = -1, stop_slot = -1;
		int err_slot = -1;
		struct pending *pending;

		parse_input(session);
		if (!session->broken)
			write_some(session);
		if (session->broken) {
			*err = session->broken_err;
			return -1;
		}
		if (done(session, arg))
			return 0;
		pending = writer(session);
		if (pending && sendable(pending) > 0) {
			out_slot = (int)nfds;
			fds[nfds++] = (struct pollfd){ session->proc.to_child, POLLOUT, 0 };
		}
		if (always_read || any_waiting(session)) {
			in_slot = (int)nfds;
			fds[nfds++] = (struct pollfd){ session->proc.from_child, POLLIN, 0 };
		}
		if (session->stop_fd > 0 && !session->closing && nfds > 0) {
			stop_slot = (int)nfds;
			fds[nfds++] = (struct pollfd){ session->stop_fd, POLLIN, 0 };
		}
		/* Its stderr is read whenever we wait: a full pipe would stop it. */
		if (session->proc.err_from_child >= 0 && nfds > 0) {
			err_slot = (int)nfds;
			fds[nfds++] = (struct pollfd){ session->proc.err_from_child, POLLIN, 0 };
		}
		wait_ms = (int)(deadline - proc_now_ms());
		if (wait_ms <= 0 && soft_timeout)
			return 1;
		if (wait_ms <= 0 || nfds == 0) {
			set_err(err, SESSION_TIMEOUT, "%s did not answer within %d ms",
			        session->command, session->timeout_ms);
			break_session(session, SESSION_TIMEOUT, err->message);
			return -1;
		}
		if (read_again && in_slot >= 0 && stop_slot < 0) {
			fds[in_slot].revents = POLLIN;
			if (out_slot >= 0)
				fds[out_slot].revents = 0;
			ready = 1;
		} else {
			/* The stop descriptor is asked even when more input waits. */
			ready = poll(fds, nfds, read_again && in_slot >= 0 ? 0 : wait_ms);
			if (read_again && in_slot >= 0 && ready >= 0) {
				fds[in_slot].revents = POLLIN;
				ready = 1;
			}
		}
		read_again = false;
		if (ready < 0) {
			if (errno == EINTR)
				continue;
			set_err(err, SESSION_FAILED, "poll: %s", strerror(errno));
			break_session(session, SESSION_FAILED, err->message);
			return -1;
		}
		if (err_slot >= 0 && fds[err_slot].revents)
			read_stderr(session);
		if (stop_slot >= 0 && fds[stop_slot].revents) {
			set_err(err, SESSION_CANCELLED, "stopped while waiting for %s",
			        session->command);
			break_session(session, SESSION_CANCELLED, err->message);
			return -1;
		}
		if (out_slot >= 0 && (fds[out_slot].revents & (POLLERR | POLLHUP)) &&
		    in_slot < 0) {
			set_err(err, SESSION_FAILED, "%s closed its input", session->command);
			break_session(session, SESSION_FAILED, err->message);
			return -1;
		}
		if (in_slot >= 0 && fds[in_slot].revents) {
			ssize_t got = read(session->proc.from_child, session->readbuf,
			                   sizeof(session->readbuf));

			if (got == 0) {
				set_err(err, SESSION_FAILED, "%s closed its output (exited?)",
				        session->command);
				break_session(session, SESSION_FAILED, err->message);
				return -1;
			}
			if (got < 0 && errno != EAGAIN && errno != EINTR) {
				set_err(err, SESSION_FAILED, "reading from %s: %s",
				        session->command, strerror(errno));
				break_session(session, SESSION_FAILED, err->message);
				return -1;
			}
			if (got > 0) {
				session->readpos = 0;
				session->readlen = (size_t)got;
				read_again = (size_t)got == sizeof(session->readbuf);
			}
		}
	}
}

static bool ticket_done(struct session *session, void *arg)
{
	struct pending *pending = find_ticket(session, *(unsigned *)arg);

	return !pending || pending->done;
}

/* ---- commands -------------------------------------------------------- */

static int enqueue(struct session *session, const struct imap_cmd *cmd,
                   bool is_idle, unsigned *ticket, struct session_err *err)
{
	struct pending *pending, **tail;
	char why[192];

	if (session->broken) {
		*err = session->broken_err;
		return -1;
	}
	if (session->idling || oldest_of(session, (const char *const[4]){ "IDLE" })) {
		set_err(err, SESSION_REFUSED, "IDLE in progress: nothing else may be sent");
		return -1;
	}
	pending = xcalloc(1, sizeof(*pending));
	pending->ticket = ++session->next_ticket;
	snprintf(pending->tag, sizeof(pending->tag), "A%u", pending->ticket);
	session_result_init(&pending->result);
	pending->is_idle = is_idle;
	if (imap_cmd_encode(cmd, pending->tag, &session->encoding, &pending->wire,
	                    why, sizeof(why)) < 0) {
		set_err(err, SESSION_REFUSED, "refused: %s", why);
		pending_free(pending);
		return -1;
	}
	/* the canonical name is what the encoder wrote after the tag */
	{
		const char *start = pending->wire.bytes.p + strlen(pending->tag) + 1;
		size_t len = strcspn(start, " \r");

		if (strncmp(start, "UID ", 4) == 0)
			len = 4 + strcspn(start + 4, " \r");
		snprintf(pending->name, sizeof(pending->name), "%.*s", (int)len, start);
	}
	if (strcmp(pending->name, "EXAMINE") == 0) {
		/* the state being filled is the new mailbox's */
		free(session->mailbox.name);
		memset(&session->mailbox, 0, sizeof(session->mailbox));
		session->mailbox_valid = false;
	}
	for (tail = &session->queue; *tail; tail = &(*tail)->next)
		;
	*tail = pending;
	*ticket = pending->ticket;
	write_some(session);
	return 0;
}

int session_send(struct session *session, const struct imap_cmd *cmd,
                 unsigned *ticket, struct session_err *err)
{
	/* LOGOUT and IDLE change the session's state: only the layer sends them */
	if (cmd->name && (strcasecmp(cmd->name, "LOGOUT") == 0 ||
	                  strcasecmp(cmd->name, "IDLE") == 0)) {
		set_err(err, SESSION_REFUSED, "%s is sent by the session layer only",
		        cmd->name);
		return -1;
	}
	return enqueue(session, cmd, false, ticket, err);
}

int session_wait(struct session *session, unsigned ticket,
                 struct session_result *result, struct session_err *err)
{
	struct pending *pending = find_ticket(session, ticket);
	int ret = -1;

	if (!pending) {
		set_err(err, SESSION_REFUSED, "no such command");
		return -1;
	}
	if (!pending->done &&
	    pump(session, proc_now_ms() + session->timeout_ms, ticket_done,
	         &ticket, false, false, err) < 0 && !pending->done)
		goto out;
	if (pending->error == SESSION_OK) {
		ret = 0;
	} else if (pending->error == SESSION_NO) {
		struct str text = pending->result.tagged ? pending->result.tagged->text
		                                         : STR_NULL;

		const struct imap_node *code = pending->result.tagged
		                                       ? pending->result.tagged->code : NULL;

		set_err(err, SESSION_NO, "%s: %s %.*s", pending->name,
		        pending->result.tagged && pending->result.tagged->status == IMAP_BAD
		                ? "BAD" : "NO",
		        (int)(text.len > 160 ? 160 : text.len), text.p ? text.p : "");
		if (code && code->children && code->children->type == IMAP_ATOM &&
		    code->children->text.len < sizeof(err->response_code)) {
			memcpy(err->response_code, code->children->text.p,
			       code->children->text.len);
			err->response_code[code->children->text.len] = '\0';
		}
	} else {
		*err = session->broken_err;
	}
out:
	if (pending->done || session->broken) {
		unlink_pending(session, pending);
		*result = pending->result;
		session_result_init(&pending->result);
		pending_free(pending);
	}
	return ret;
}

int session_run(struct session *session, const struct imap_cmd *cmd,
                struct session_result *result, struct session_err *err)
{
	unsigned ticket;

	if (session_send(session, cmd, &ticket, err) < 0)
		return -1;
	return session_wait(session, ticket, result, err);
}

/* A command of our own, answer dropped. */
bool session_result_warned(const struct session_result *result,
                           const char *command, struct session_err *err)
{
	for (size_t i = 0; i < result->nuntagged; i++) {
		const struct imap_response *r = result->untagged[i];
		if (r->status != IMAP_NO)
			continue;
		set_err(err, SESSION_FAILED, "%s: * NO %.*s", command,
		        (int)(r->text.len > 160 ? 160 : r->text.len),
		        r->text.p ? r->text.p : "");
		return true;
	}
	return false;
}

/*
 * One command of the session's own, waited for.  An untagged NO while it
 * ran fails it (Dovecot: "Internal mailbox synchronization failure,
 * showing only old mails" before EXAMINE's OK: a mailbox that is not
 * whole must not be served as whole).
 */
static int run_internal(struct session *session, struct imap_cmd *cmd,
                        struct session_err *err)
{
	struct session_result result;
	unsigned ticket;
	int ret;

	session_result_init(&result);
	ret = enqueue(session, cmd, false, &ticket, err);
	if (ret == 0)
		ret = session_wait(session, ticket, &result, err);
	if (ret == 0 && session_result_warned(&result, cmd->name, err))
		ret = -1;
	session_result_release(&result);
	imap_cmd_release(cmd);
	return ret;
}

int session_examine(struct session *session, struct str mailbox, bool force,
                    struct session_err *err)
{
	struct imap_cmd cmd;
	int ret;

	if (!force && session->mailbox_valid && session->mailbox.name &&
	    str_eq(mailbox, session->mailbox.name))
		return 0;
	imap_cmd_init(&cmd, "EXAMINE");
	imap_cmd_mailbox(&cmd, mailbox);
	ret = run_internal(session, &cmd, err);
	if (ret == 0) {
		session->mailbox.name = str_dup(mailbox);
		session->mailbox_valid = true;
	}
	return ret;
}

/* ---- IDLE ------------------------------------------------------------ */

static bool idle_started(struct session *session, void *arg)
{
	struct pending *pending = find_ticket(session, *(unsigned *)arg);

	return session->idling || !pending || pending->done;
}

int session_idle_start(struct session *session, struct session_err *err)
{
	struct imap_cmd cmd;
	unsigned ticket;
	struct session_result result;
	int ret;

	if (any_waiting(session)) {
		set_err(err, SESSION_REFUSED, "IDLE with commands in flight");
		return -1;
	}
	imap_cmd_init(&cmd, "IDLE");
	ret = enqueue(session, &cmd, true, &ticket, err);
	imap_cmd_release(&cmd);
	if (ret < 0)
		return -1;
	if (pump(session, proc_now_ms() + session->timeout_ms, idle_started,
	         &ticket, false, false, err) < 0)
		return -1;
	if (session->idling)
		return 0;
	/* answered without "+": the command is over */
	session_result_init(&result);
	ret = session_wait(session, ticket, &result, err);
	session_result_release(&result);
	if (ret == 0) {
		set_err(err, SESSION_FAILED, "IDLE ended without a continuation");
		return -1;
	}
	return -1;
}

static struct pending *idle_pending(struct session *session)
{
	for (struct pending *p = session->queue; p; p = p->next)
		if (p->is_idle)
			return p;
	return NULL;
}

static bool idle_has_data(struct session *session, void *arg)
{
	struct pending *pending = idle_pending(session);

	(void)arg;
	return !pending || pending->done || pending->result.nuntagged > 0;
}

int session_idle_wait(struct session *session, int timeout_ms,
                      struct session_result *result, struct session_err *err)
{
	struct pending *pending = idle_pending(session);
	int ret = 0;

	if (!pending || !session->idling) {
		set_err(err, SESSION_REFUSED, "not idling");
		return -1;
	}
	/* a quiet mailbox is no failure of the imapd: a soft deadline */
	if (pending->result.nuntagged == 0)
		ret = pump(session, proc_now_ms() + timeout_ms, idle_has_data, NULL,
		           true, true, err);
	if (ret < 0)
		return -1;
	if (ret == 1)
		return 0;
	if (pending->done && pending->error != SESSION_OK) {
		*err = session->broken_err;
		return -1;
	}
	/* hand over the untagged data; the IDLE command goes on */
	*result = pending->result;
	result->tagged = NULL;
	session_result_init(&pending->result);
	return result->nuntagged > 0 ? 1 : 0;
}

int session_idle_done(struct session *session, struct session_err *err)
{
	struct pending *pending = idle_pending(session);
	struct session_result result;
	unsigned ticket;
	int ret;

	if (!pending) {
		set_err(err, SESSION_REFUSED, "not idling");
		return -1;
	}
	ticket = pending->ticket;
	if (session->idling) {
		/* DONE is no command: it goes out as the rest of the IDLE */
		buf_addstr(&pending->wire.bytes, "DONE\r\n");
		session->idling = false;
	}
	session_result_init(&result);
	ret = session_wait(session, ticket, &result, err);
	session_result_release(&result);
	return ret;
}

/* ---- open and close -------------------------------------------------- */

static void not_preauth_err(struct session *session,
                            const struct imap_response *greeting,
                            struct session_err *err)
{
	size_t shown = 0;

	while (shown < greeting->raw.len && shown < 60 &&
	       greeting->raw.p[shown] != '\r' && greeting->raw.p[shown] != '\n')
		shown++;
	set_err(err, SESSION_FAILED,
	        "%s greeted with \"%.*s\", not \"* PREAUTH\": it must run "
	        "pre-authenticated", session->command, (int)shown, greeting->raw.p);
}

static bool have_greeting(struct session *session, void *arg)
{
	(void)arg;
	return session->greeting != NULL;
}

/* See the top of this file. */
static pthread_once_t sigpipe_once = PTHREAD_ONCE_INIT;

static void ignore_sigpipe(void)
{
	signal(SIGPIPE, SIG_IGN);
}

struct session *session_open(const struct session_config *config,
                             struct session_err *err)
{
	struct session *session = xcalloc(1, sizeof(*session));
	struct imap_response *greeting = NULL;
	struct imap_cmd cmd;
	char why[192];

	/* Once, whichever worker opens a session first: a flag of our own
	 * read and set by several workers at once would be a data race. */
	pthread_once(&sigpipe_once, ignore_sigpipe);
	session->proc.pid = 0;
	session->proc.pidfd = -1;
	session->proc.to_child = session->proc.from_child = -1;
	session->proc.err_from_child = -1;
	childlog_init(&session->errlog, STDERR_FILENO);
	session->command = xstrdup(config->argv && config->argv[0] ? config->argv[0] : "imapd");
	session->timeout_ms = config->timeout_ms > 0 ? config->timeout_ms : 10000;
	session->stop_fd = config->stop_fd;
	session->max_literal = config->max_literal ? config->max_literal : 64 << 20;
	imap_parser_init(&session->parser, session->max_literal);
	if (proc_spawn(&session->proc, config->argv, config->envp, true, why,
	               sizeof(why)) < 0) {
		set_err(err, SESSION_FAILED, "%s", why);
		goto fail;
	}
	/* the greeting is the only response read with nothing pending */
	session->awaiting_greeting = true;
	if (pump(session, proc_now_ms() + session->timeout_ms, have_greeting, NULL,
	         true, false, err) < 0) {
		/*
		 * An "* OK" and then silence is a server waiting for a login:
		 * a configuration error (FAILED, 502), not a slow imapd.
		 */
		if (err->code == SESSION_TIMEOUT && session->first_note &&
		    session->first_note->status == IMAP_OK)
			not_preauth_err(session, session->first_note, err);
		goto fail;
	}
	greeting = session->greeting;
	session->greeting = NULL;
	if (greeting->kind != IMAP_UNTAGGED || greeting->status != IMAP_PREAUTH) {
		if (session->greeting_notes >= MAX_GREETING_NOTES)
			set_err(err, SESSION_FAILED,
			        "%s sent more than %d lines before \"* PREAUTH\"",
			        session->command, MAX_GREETING_NOTES);
		else
			not_preauth_err(session, greeting, err);
		goto fail;
	}
	if (greeting->code && greeting->code->children &&
	    imap_node_is_atom(greeting->code->children, "CAPABILITY"))
		learn_caps(session, greeting->code->children->next);
	imap_response_free(greeting);
	greeting = NULL;
	if (session->first_note) {
		imap_response_free(session->first_note);
		session->first_note = NULL;
	}
	if (!session->caps[CAP_IMAP4REV1] && !session->caps[CAP_IMAP4REV2]) {
		imap_cmd_init(&cmd, "CAPABILITY");
		if (run_internal(session, &cmd, err) < 0)
			goto fail;
	}
	if (session->caps[CAP_ENABLE] &&
	    (session->caps[CAP_UTF8_ACCEPT] || session->caps[CAP_CONDSTORE])) {
		struct session_result result;
		unsigned ticket;
		int ret;

		imap_cmd_init(&cmd, "ENABLE");
		if (session->caps[CAP_UTF8_ACCEPT])
			imap_cmd_atom(&cmd, "UTF8=ACCEPT");
		if (session->caps[CAP_CONDSTORE])
			imap_cmd_atom(&cmd, "CONDSTORE");
		session_result_init(&result);
		ret = enqueue(session, &cmd, false, &ticket, err);
		if (ret == 0)
			ret = session_wait(session, ticket, &result, err);
		imap_cmd_release(&cmd);
		/* only what the server says it enabled counts */
		for (size_t i = 0; ret == 0 && i < result.nuntagged; i++) {
			struct imap_response *response = result.untagged[i];

			if (!response->data || !imap_node_is_atom(response->data, "ENABLED"))
				continue;
			for (struct imap_node *node = response->data->next; node; node = node->next)
				if (imap_node_is_atom(node, "UTF8=ACCEPT"))
					session->encoding.utf8_accept = true;
		}
		session_result_release(&result);
		if (ret < 0 && err->code != SESSION_NO)
			goto fail;
	}
	return session;
fail:
	if (greeting)
		imap_response_free(greeting);
	session->broken = true;
	session_close(session);
	return NULL;
}

static bool logout_done(struct session *session, void *arg)
{
	(void)arg;
	return !any_waiting(session);
}

void session_close(struct session *session)
{
	struct session_err err;
	int grace = 0;

	if (!session)
		return;
	session->closing = true;
	/*
	 * No LOGOUT to a broken session (a timeout: the imapd hangs) or a
	 * dead imapd: it would only wait on a pipe nobody reads.
	 */
	if (!session_broken(session) && session->proc.pid > 0) {
		struct imap_cmd cmd;
		unsigned ticket;

		if (session->idling)
			session_idle_done(session, &err);
		/*
		 * LOGOUT whenever the session is usable: GNU imap4d spins at
		 * full CPU when its input closes without one.
		 */
		imap_cmd_init(&cmd, "LOGOUT");
		if (!session->broken &&
		    enqueue(session, &cmd, false, &ticket, &err) == 0) {
			session->timeout_ms = LOGOUT_TIMEOUT_MS;
			pump(session, proc_now_ms() + LOGOUT_TIMEOUT_MS, logout_done,
			     NULL, false, false, &err);
			grace = REAP_GRACE_MS;
		}
		imap_cmd_release(&cmd);
	}
	proc_close_pipes(&session->proc);
	/* a broken imapd gets no grace before TERM: it misbehaved already */
	proc_end(&session->proc, grace);
	/* Ended: what it wrote last is in the pipe (unless a child of its
	 * own still holds it open: then what is there now). */
	if (session->proc.err_from_child >= 0)
		read_stderr(session);
	childlog_flush(&session->errlog);
	proc_close_stderr(&session->proc);
	while (session->queue) {
		struct pending *pending = session->queue;

		session->queue = pending->next;
		pending_free(pending);
	}
	if (session->greeting)
		imap_response_free(session->greeting);
	if (session->first_note)
		imap_response_free(session->first_note);
	imap_parser_release(&session->parser);
	free(session->mailbox.name);
	free(session->command);
	free(session);
}

bool session_has_cap(const struct session *session, enum session_cap cap)
{
	return cap < CAP__MAX && session->caps[cap];
}

/*
 * Broken, or its imapd gone while the session sat idle (Dovecot ends a
 * session idle for 30 minutes with BYE and exits; an administrator kills
 * it): otherwise only the next command would notice, and cost the next
 * visitor a 502.
 */
bool session_broken(const struct session *session)
{
	return session->broken || proc_exited(&session->proc);
}

bool session_failed(const struct session *session)
{
	return session->broken;
}

pid_t session_pid(const struct session *session)
{
	return session->proc.pid;
}

const struct mailbox_state *session_mailbox(const struct session *session)
{
	return session->mailbox_valid ? &session->mailbox : NULL;
}

bool session_utf8_names(const struct session *session)
{
	return session->encoding.utf8_accept;
}
