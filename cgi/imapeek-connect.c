/*
 * imapeek-connect: a remote IMAP server as a pre-authenticated imapd.
 *
 *   imapeek-connect [-p PORT] [--starttls | --plain] [--cafile FILE]
 *                   -u USER -P PASSWORD-FILE HOST
 *
 * It connects (TLS unless --plain), logs in (lib/connect.c), greets its
 * standard output with "* PREAUTH [CAPABILITY ...]" and then relays bytes
 * both ways untouched until one side ends; LOGOUT goes to the server when
 * standard input ends.  Every failure before the greeting is one line on
 * standard error and a non-zero exit, with nothing on standard output, so
 * that imapeek reports it as an imapd that did not start.
 *
 * The password is read from a file only its owner can read; it is never
 * printed, and the copies of it are wiped once sent.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "connect.h"
#include "netconn.h"
#include "proc.h"

#define PROG "imapeek-connect"
#define USAGE "usage: " PROG " [-p PORT] [--starttls | --plain] [--cafile FILE] " \
              "-u USER -P PASSWORD-FILE HOST"

/* Connecting, the TLS handshake and the log-in each get this long. */
#define STEP_TIMEOUT_MS 20000
/* How long the server gets to answer LOGOUT once imapeek is gone. */
#define LOGOUT_WAIT_MS 2000
/* Bytes held at most in each direction; a full side stops reading. */
#define RELAY_BUF (256 * 1024)
#define READ_CHUNK 65536
#define PASSWORD_MAX 1024

enum exit_code {
	EXIT_DONE = 0,
	EXIT_FAILED = 1, /* unreachable, TLS, login, lost connection */
	EXIT_USAGE = 2,
};

struct options {
	const char *host;
	const char *user;
	const char *password_file;
	const char *cafile;
	unsigned port;
	enum connect_tls tls;
};

PRINTF_LIKE(1, 2)
static void complain(const char *fmt, ...)
{
	struct buf line = BUF_INIT;
	va_list ap;

	buf_addstr(&line, PROG ": ");
	va_start(ap, fmt);
	buf_vaddf(&line, fmt, ap);
	va_end(ap);
	buf_addch(&line, '\n');
	/* One write: one line in a log shared with other processes. */
	if (write(STDERR_FILENO, line.p, line.len) < 0) {
		/* nowhere else to say it */
	}
	buf_release(&line);
}

static int parse_options(int argc, char **argv, struct options *opts)
{
	enum { OPT_STARTTLS = 256, OPT_PLAIN, OPT_CAFILE };
	static const struct option longopts[] = {
		{ "starttls", no_argument, NULL, OPT_STARTTLS },
		{ "plain", no_argument, NULL, OPT_PLAIN },
		{ "cafile", required_argument, NULL, OPT_CAFILE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool port_given = false, starttls = false, plain = false;
	uint64_t port;
	int c;

	memset(opts, 0, sizeof(*opts));
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:u:P:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_u64(str_from(optarg), 1, 65535, &port) < 0) {
				complain("-p: not a port number: \"%s\"", optarg);
				return -1;
			}
			opts->port = (unsigned)port;
			port_given = true;
			break;
		case 'u':
			opts->user = optarg;
			break;
		case 'P':
			opts->password_file = optarg;
			break;
		case OPT_STARTTLS:
			starttls = true;
			break;
		case OPT_PLAIN:
			plain = true;
			break;
		case OPT_CAFILE:
			opts->cafile = optarg;
			break;
		case 'h':
			printf("%s\n", USAGE);
			exit(EXIT_DONE);
		case ':':
			complain("%s needs a value; %s", argv[optind - 1], USAGE);
			return -1;
		default:
			complain("unknown option %s; %s", argv[optind - 1], USAGE);
			return -1;
		}
	}
	if (starttls && plain) {
		complain("--starttls and --plain exclude each other");
		return -1;
	}
	if (plain && opts->cafile) {
		complain("--cafile makes no sense with --plain");
		return -1;
	}
	if (!opts->user || !opts->user[0] || !opts->password_file || optind != argc - 1 ||
	    !argv[optind][0]) {
		complain("%s", USAGE);
		return -1;
	}
	opts->host = argv[optind];
	opts->tls = starttls ? CONNECT_TLS_STARTTLS : plain ? CONNECT_TLS_NONE
	                                                    : CONNECT_TLS_IMPLICIT;
	if (!port_given)
		opts->port = opts->tls == CONNECT_TLS_IMPLICIT ? 993 : 143;
	return 0;
}

/*
 * The first line of the file, without its line end.  The file must be
 * nobody's but its owner's: a password others can read is no secret, and
 * one others can write is not the owner's.
 */
static int read_password(const char *path, struct buf *password)
{
	char chunk[PASSWORD_MAX + 1];
	struct stat st;
	size_t len = 0;
	int ret = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		complain("%s: cannot open the password file: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		complain("%s: the password file is no regular file", path);
		goto out;
	}
	if (st.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)) {
		complain("%s: the password file is readable or writable by group or "
		         "others (mode %04o): chmod 600 it", path, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	while (len < sizeof(chunk)) {
		ssize_t n = read(fd, chunk + len, sizeof(chunk) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			complain("%s: cannot read the password file: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	size_t end = 0;
	while (end < len && chunk[end] != '\n')
		end++;
	if (end == sizeof(chunk)) {
		complain("%s: the password is longer than %d bytes", path, PASSWORD_MAX);
		goto out;
	}
	if (end > 0 && chunk[end - 1] == '\r')
		end--;
	if (end == 0) {
		complain("%s: the password file's first line is empty", path);
		goto out;
	}
	if (memchr(chunk, '\0', end)) {
		complain("%s: the password holds a NUL byte", path);
		goto out;
	}
	buf_add(password, chunk, end);
	ret = 0;
out:
	explicit_bzero(chunk, sizeof(chunk));
	close(fd);
	return ret;
}

/*
 * Connect, TLS, log in.  0 with the greeting and the server's first
 * bytes for the client in down, or -1 said on stderr.
 */
static int log_in(struct netconn *conn, const struct options *opts,
                  const char *password, struct buf *down)
{
	struct connect conversation;
	struct buf err = BUF_INIT;
	char *chunk = xmalloc(READ_CHUNK);
	int ret = -1;

	connect_init(&conversation, opts->tls, opts->user, password);
	if (netconn_open(conn, opts->host, opts->port, STEP_TIMEOUT_MS, &err) < 0)
		goto out;
	if (opts->tls == CONNECT_TLS_IMPLICIT &&
	    netconn_start_tls(conn, opts->cafile, STEP_TIMEOUT_MS, &err) < 0)
		goto out;
	long long deadline = proc_now_ms() + STEP_TIMEOUT_MS;
	for (;;) {
		ssize_t n = netconn_read_wait(conn, chunk, READ_CHUNK, deadline, &err);
		if (n < 0)
			goto out;
		if (n == 0) {
			buf_addf(&err, "%s: the server closed the connection%s", conn->where,
			         conversation.state == CONNECT_GREETING ? " without a greeting" : "");
			goto out;
		}
		size_t used = 0;
		enum connect_event event = connect_feed(&conversation, chunk, (size_t)n, &used);
		if (event == CONNECT_FAIL) {
			buf_addf(&err, "%s: %s", conn->where, buf_cstr(&conversation.error));
			goto out;
		}
		if (event == CONNECT_STARTTLS) {
			if (netconn_start_tls(conn, opts->cafile, STEP_TIMEOUT_MS, &err) < 0)
				goto out;
			connect_tls_started(&conversation);
		}
		if (conversation.out.len) {
			int rc = netconn_write_all(conn, conversation.out.p, conversation.out.len,
			                           deadline, &err);
			connect_sent(&conversation);
			if (rc < 0)
				goto out;
		}
		if (event == CONNECT_DONE) {
			buf_add(down, conversation.greeting.p, conversation.greeting.len);
			buf_add(down, chunk + used, (size_t)n - used);
			ret = 0;
			goto out;
		}
	}
out:
	if (ret < 0)
		complain("%s", buf_cstr(&err));
	connect_release(&conversation);
	buf_release(&err);
	free(chunk);
	return ret;
}

static int set_nonblocking(int fd, int *saved)
{
	*saved = fcntl(fd, F_GETFL);
	if (*saved < 0)
		return -1;
	return fcntl(fd, F_SETFL, *saved | O_NONBLOCK);
}

/*
 * Every byte both ways until the server ends or, once standard input has
 * ended and LOGOUT was sent, the server had LOGOUT_WAIT_MS to answer.  A
 * side is read only while the buffer toward the other side has room, and
 * nothing waits on a write: a slow reader on one side never stops the
 * other.  Returns the exit code.
 */
static int relay(struct netconn *conn, struct buf *down)
{
	struct buf up = BUF_INIT, err = BUF_INIT;
	bool in_open = true, out_open = true, server_open = true, logout_sent = false;
	bool mid_line = false;
	long long logout_deadline = 0;
	int in_flags = -1, out_flags = -1;
	int ret = EXIT_DONE;

	if (set_nonblocking(STDIN_FILENO, &in_flags) < 0 ||
	    set_nonblocking(STDOUT_FILENO, &out_flags) < 0) {
		complain("cannot make standard input and output non-blocking: %s", strerror(errno));
		ret = EXIT_FAILED;
		goto out;
	}
	for (;;) {
		if (!server_open && (!down->len || !out_open))
			break;
		if (!in_open && !logout_sent && server_open && !up.len) {
			connect_logout(&up, mid_line);
			logout_sent = true;
			logout_deadline = proc_now_ms() + LOGOUT_WAIT_MS;
		}
		int timeout = -1;
		if (logout_sent) {
			long long left = logout_deadline - proc_now_ms();
			if (left <= 0)
				break;
			timeout = (int)left;
		}
		bool want_server_read = server_open && down->len < RELAY_BUF;
		bool want_server_write = server_open && up.len > 0;
		short server_events = netconn_events(conn, want_server_read, want_server_write);
		/* No events, no poll: a hang-up could not be acted on, only spin. */
		struct pollfd pfd[3] = {
			{ .fd = in_open && up.len < RELAY_BUF ? STDIN_FILENO : -1, .events = POLLIN },
			{ .fd = out_open && down->len ? STDOUT_FILENO : -1, .events = POLLOUT },
			{ .fd = server_open && server_events ? conn->fd : -1, .events = server_events },
		};
		/* TLS may hold decrypted bytes poll(2) cannot see. */
		if (want_server_read && netconn_buffered(conn))
			timeout = 0;
		if (poll(pfd, 3, timeout) < 0) {
			if (errno == EINTR)
				continue;
			complain("poll: %s", strerror(errno));
			ret = EXIT_FAILED;
			break;
		}
		if (pfd[0].revents) {
			buf_grow(&up, READ_CHUNK);
			size_t room = RELAY_BUF - up.len;
			ssize_t n = read(STDIN_FILENO, up.p + up.len, room < READ_CHUNK ? room : READ_CHUNK);
			if (n > 0) {
				up.len += (size_t)n;
				up.p[up.len] = '\0';
				mid_line = up.p[up.len - 1] != '\n';
			} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
				in_open = false;
			}
		}
		if (pfd[1].revents) {
			ssize_t n = write(STDOUT_FILENO, down->p, down->len);
			if (n > 0) {
				buf_consume(down, (size_t)n);
			} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
				/* imapeek is gone: its input is as good as ended. */
				out_open = false;
				in_open = false;
				buf_reset(down);
			}
		}
		if (server_open && (pfd[2].revents || (want_server_read && netconn_buffered(conn)))) {
			if (want_server_write) {
				ssize_t n = netconn_write(conn, up.p, up.len, &err);
				if (n > 0) {
					buf_consume(&up, (size_t)n);
				} else if (n == -1) {
					server_open = false;
				}
			}
			if (server_open && want_server_read) {
				buf_grow(down, READ_CHUNK);
				size_t room = RELAY_BUF - down->len;
				ssize_t n = netconn_read(conn, down->p + down->len,
				                         room < READ_CHUNK ? room : READ_CHUNK, &err);
				if (n > 0) {
					down->len += (size_t)n;
					down->p[down->len] = '\0';
					if (!out_open)
						buf_reset(down);
				} else if (n == 0 || n == -1) {
					server_open = false;
				}
			}
			if (!server_open && err.len && !logout_sent) {
				complain("%s", buf_cstr(&err));
				ret = EXIT_FAILED;
			}
		}
	}
out:
	if (in_flags >= 0)
		fcntl(STDIN_FILENO, F_SETFL, in_flags);
	if (out_flags >= 0)
		fcntl(STDOUT_FILENO, F_SETFL, out_flags);
	buf_release(&up);
	buf_release(&err);
	return ret;
}

int main(int argc, char **argv)
{
	struct options opts;
	struct netconn conn = { .fd = -1 };
	struct buf password = BUF_INIT, down = BUF_INIT;
	int ret = EXIT_USAGE;

	/* A closed pipe is an error return, not a death. */
	signal(SIGPIPE, SIG_IGN);
	if (parse_options(argc, argv, &opts) < 0)
		goto out;
	ret = EXIT_FAILED;
	if (read_password(opts.password_file, &password) < 0)
		goto out;
	int rc = log_in(&conn, &opts, buf_cstr(&password), &down);
	explicit_bzero(password.p, password.len);
	if (rc < 0)
		goto out;
	ret = relay(&conn, &down);
out:
	netconn_close(&conn);
	buf_release(&password);
	buf_release(&down);
	return ret;
}
