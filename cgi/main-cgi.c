/*
 * imapeek.cgi: a CGI program (RFC 3875) when a web server runs it for one
 * request, a FastCGI responder (libfcgi) when it finds a listening socket
 * on its standard input (spawn-fcgi, mod_fcgid).  FCGX_IsCGI() tells which.
 *
 * Both modes read the same variables, through one getter, into one struct
 * req, and write "Status: NNN Reason" + headers + blank line + body.
 * Under CGI the configuration and the gateway live for one request; under
 * FastCGI they are made once and the gateway (with its imapd session) is
 * kept across requests until SIGTERM or SIGUSR1.
 */
#include <fastcgi.h>
#include <fcgiapp.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "front.h"
#include "gateway.h"
#include "spool.h"
#include "summary_cache.h"

/* Where a request's CGI variables come from: the environment or FastCGI. */
struct cgi_params {
	const char *(*get)(const struct cgi_params *params, const char *name);
	FCGX_ParamArray envp;
};

static const char *get_from_env(const struct cgi_params *params,
                                const char *name)
{
	(void)params;
	return getenv(name);
}

static const char *get_from_fcgi(const struct cgi_params *params,
                                 const char *name)
{
	return FCGX_GetParam(name, params->envp);
}

/* The request and the buffers its strings point into. */
struct cgi_request {
	struct req req;
	struct buf root, path, query;
};

static void cgi_request_release(struct cgi_request *request)
{
	buf_release(&request->root);
	buf_release(&request->path);
	buf_release(&request->query);
}

static const char *param_or_null(const struct cgi_params *params,
                                 const char *name)
{
	const char *value = params->get(params, name);

	return value && *value ? value : NULL;
}

/*
 * The path below the root, percent-encoded.  PATH_INFO is useless for
 * that: web servers hand it over decoded, so "lists%2Fdev" (one segment
 * holding a "/") and "lists/dev" (two) look the same, and a mailbox named
 * "100%" becomes indistinguishable from a broken escape.  So the path is
 * taken from REQUEST_URI, the raw request-target that Apache, nginx and
 * lighttpd all pass, after stripping the query and the SCRIPT_NAME prefix.
 * When REQUEST_URI is missing or does not start with SCRIPT_NAME (a
 * rewrite rule changed the path), PATH_INFO is the best there is and is
 * percent-encoded again, keeping its "/".
 */
static void cgi_request_path(struct cgi_request *request,
                             const struct cgi_params *params)
{
	const char *uri = param_or_null(params, "REQUEST_URI");
	const char *path_info = params->get(params, "PATH_INFO");
	const char *root = request->root.len ? request->root.p : "";
	size_t root_len = request->root.len;
	struct buf target = BUF_INIT, ignored_query = BUF_INIT;

	buf_reset(&request->path);
	if (uri && front_split_target(uri, &target, &ignored_query) == 0 &&
	    !strncmp(target.p, root, root_len) &&
	    (target.p[root_len] == '/' || target.p[root_len] == '\0')) {
		buf_add(&request->path, target.p + root_len, target.len - root_len);
	} else if (path_info) {
		front_encode_path(&request->path, path_info);
	}
	if (!request->path.len || request->path.p[0] != '/') {
		/* "/archive" alone means the front page, as "/archive/" does. */
		struct buf fixed = BUF_INIT;
		buf_addch(&fixed, '/');
		buf_add(&fixed, request->path.p, request->path.len);
		buf_release(&request->path);
		request->path = fixed;
	}
	buf_release(&target);
	buf_release(&ignored_query);
}

static void cgi_request_fill(struct cgi_request *request,
                             const struct cgi_params *params)
{
	const char *script_name = params->get(params, "SCRIPT_NAME");
	const char *query = params->get(params, "QUERY_STRING");
	const char *https = params->get(params, "HTTPS");
	struct buf target = BUF_INIT;

	memset(request, 0, sizeof(*request));
	buf_addstr(&request->root, script_name ? script_name : "");
	while (request->root.len && request->root.p[request->root.len - 1] == '/')
		buf_truncate(&request->root, request->root.len - 1);
	cgi_request_path(request, params);
	if (query) {
		buf_addstr(&request->query, query);
	} else if (param_or_null(params, "REQUEST_URI")) {
		/* QUERY_STRING is required by RFC 3875, but be lenient. */
		front_split_target(params->get(params, "REQUEST_URI"), &target,
		                   &request->query);
	}
	buf_release(&target);

	request->req.method = front_method(params->get(params, "REQUEST_METHOD"));
	request->req.root = buf_cstr(&request->root);
	request->req.path = buf_cstr(&request->path);
	request->req.query = buf_cstr(&request->query);
	request->req.accept = param_or_null(params, "HTTP_ACCEPT");
	request->req.accept_encoding = param_or_null(params, "HTTP_ACCEPT_ENCODING");
	request->req.if_none_match = param_or_null(params, "HTTP_IF_NONE_MATCH");
	request->req.if_modified_since =
		param_or_null(params, "HTTP_IF_MODIFIED_SINCE");
	request->req.host = param_or_null(params, "HTTP_HOST");
	request->req.server_name = param_or_null(params, "SERVER_NAME");
	request->req.server_port = param_or_null(params, "SERVER_PORT");
	request->req.https = https && (!strcasecmp(https, "on") ||
	                               !strcmp(https, "1"));
}

/* ---- writers ---------------------------------------------------------- */

static int stdio_put(void *sink, const char *data, size_t len)
{
	return fwrite(data, 1, len, sink) == len ? 0 : -1;
}

static int fcgi_put(void *sink, const char *data, size_t len)
{
	FCGX_Request *request = sink;

	/* FCGX_PutStr takes an int: feed it in slices. */
	while (len) {
		int slice = len > 65536 ? 65536 : (int)len;
		if (FCGX_PutStr(data, slice, request->out) != slice)
			return -1;
		data += slice;
		len -= (size_t)slice;
	}
	return 0;
}

/*
 * One request, answered by the gateway or, without one, with a 500.
 * -1 when the answer ended broken after its head went out (spool.h).
 */
static int serve(struct gateway *gateway, const struct cgi_params *params,
                 struct spool *spool)
{
	struct cgi_request request;
	struct resp resp;
	int status, rc;

	cgi_request_fill(&request, params);
	resp_init(&resp, &spool_ops, spool, request.req.method == REQ_HEAD);
	status = front_check(&request.req);
	if (status)
		front_error(&resp, status);
	else if (!gateway)
		front_error(&resp, 500);
	else
		gateway_handle(gateway, &request.req, &resp);
	rc = spool_finish(spool, &resp);
	resp_release(&resp);
	cgi_request_release(&request);
	return rc;
}

static int run_cgi(void)
{
	struct cgi_params params = { get_from_env, NULL };
	struct spool spool;
	struct conf conf;
	struct buf err = BUF_INIT;
	struct gateway *gateway = NULL;
	bool have_conf = false;

	/* The server's error log gets the FILE:LINE; the visitor a 500. */
	if (front_load_conf(&conf, NULL, &err) < 0)
		front_log("%s", buf_cstr(&err));
	else
		have_conf = true;
	if (have_conf)
		gateway = gateway_new(&conf);
	/*
	 * A body cut short after its head went out: with a Content-Length
	 * (held bodies, raw messages) the web server sees it; without one
	 * (a long export) CGI has no way to say it, only the log does.
	 */
	spool_init(&spool, stdio_put, stdout);
	if (serve(gateway, &params, &spool) < 0)
		front_log("the response to %s was cut short",
		          getenv("REQUEST_URI") ? getenv("REQUEST_URI") : "?");
	spool_release(&spool);
	fflush(stdout);
	if (gateway)
		gateway_free(gateway);
	if (have_conf)
		conf_release(&conf);
	buf_release(&err);
	return 0;
}

/*
 * Process state of the FastCGI loop (not request state): the stop flag
 * set by SIGTERM (mod_fcgid, spawn-fcgi users) or SIGUSR1 (libfcgi's own
 * convention), and /dev/null, which the handler puts over the listening
 * socket so that an accept() entered just after the flag was checked
 * fails at once instead of waiting for one more request.
 */
static volatile sig_atomic_t fcgi_stop;
static int fcgi_devnull = -1;
/*
 * A pipe whose read end becomes readable on the signal: every wait of the
 * imapd session for an answer ends at once (session.h), so a request in
 * progress stops within moments, whatever it waits for.
 */
static int fcgi_stop_pipe[2] = { -1, -1 };

static void on_stop(int signo)
{
	int saved_errno = errno;

	(void)signo;
	fcgi_stop = 1;
	FCGX_ShutdownPending();
	if (fcgi_devnull >= 0)
		dup2(fcgi_devnull, FCGI_LISTENSOCK_FILENO);
	if (fcgi_stop_pipe[1] >= 0 && write(fcgi_stop_pipe[1], "", 1) < 0) {
		/* Full already: readable, which is all it is for. */
	}
	errno = saved_errno;
}

/*
 * Is the request's client gone?  The web server closes its FastCGI
 * connection when its client goes away (nginx without
 * fastcgi_ignore_client_abort, Apache's mod_proxy_fcgi), and a stop
 * signal counts the same: the work in progress is for nobody.
 */
static bool fcgi_gone(void *sink)
{
	FCGX_Request *request = sink;
	struct pollfd pfd = { request->ipcFd, POLLRDHUP, 0 };

	if (fcgi_stop)
		return true;
	return pfd.fd >= 0 && poll(&pfd, 1, 0) > 0 &&
	       (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

/*
 * A response that ended broken after its head went out: what was written
 * is flushed, then the connection is closed without FCGI_END_REQUEST, so
 * the web server sees a premature end (nginx: "upstream prematurely
 * closed FastCGI stdout") and passes the break on to its client (no final
 * chunk, or a short Content-Length) instead of a short body as whole.
 */
static void fcgi_abort(FCGX_Request *request)
{
	FCGX_FFlush(request->err);
	FCGX_FFlush(request->out);
	FCGX_Free(request, 1);
}

/*
 * SIGCHLD in the FastCGI loop: reap an imapd that died between requests,
 * which would otherwise stay a zombie until the next request.  Safe with
 * the session layer's own reaping: it knows its imapd by a pidfd and
 * blocks SIGCHLD while it needs it unreaped (proc.h), and this process is
 * single-threaded.
 */
static void on_child(int signo)
{
	int saved_errno = errno;

	(void)signo;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	errno = saved_errno;
}

/*
 * Standard error under FastCGI.  spawn-fcgi starts its children with
 * descriptor 2 on /dev/null, so the reason of a failure (ours, and the
 * imapd's: it inherits descriptor 2) would be lost.  Then descriptor 2
 * becomes a pipe, and what is written to it goes out with the next
 * request on that request's FastCGI stderr stream, which nginx and Apache
 * write to their error log.  The pipe is non-blocking at both ends: when
 * nothing drains it for long (1 MiB unread), lines are dropped rather
 * than a writer (an imapd) blocked.  Where descriptor 2 leads somewhere
 * (mod_fcgid's error log, systemd's journal, spawn-fcgi -n), it is kept.
 */
static int stderr_pipe = -1;

static bool stderr_is_lost(void)
{
	struct stat st, null_st;

	if (fstat(STDERR_FILENO, &st) < 0)
		return true;
	return S_ISCHR(st.st_mode) && stat("/dev/null", &null_st) == 0 &&
	       st.st_rdev == null_st.st_rdev;
}

static void stderr_capture(void)
{
	int fds[2];

	if (!stderr_is_lost())
		return;
	/* A closed descriptor 2 must not be taken by the pipe itself. */
	if (fcntl(STDERR_FILENO, F_GETFD) < 0 &&
	    open("/dev/null", O_WRONLY) != STDERR_FILENO)
		return;
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
		return;
	fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);
	/* dup2 leaves descriptor 2 without FD_CLOEXEC: the imapd gets it. */
	if (dup2(fds[1], STDERR_FILENO) < 0) {
		close(fds[0]);
		close(fds[1]);
		return;
	}
	close(fds[1]);
	stderr_pipe = fds[0];
}

/* What waits in the pipe, at most 1 MiB, onto the request's stderr. */
static void stderr_forward(FCGX_Stream *err)
{
	char chunk[4096];
	size_t total = 0;
	ssize_t n;

	if (stderr_pipe < 0)
		return;
	while (total < (1u << 20) &&
	       (n = read(stderr_pipe, chunk, sizeof(chunk))) > 0) {
		FCGX_PutStr(chunk, (int)n, err);
		total += (size_t)n;
	}
}

static int run_fcgi(void)
{
	struct sigaction action;
	FCGX_Request request;
	struct conf conf;
	struct buf conf_err = BUF_INIT;
	struct gateway *gateway = NULL;
	bool have_conf;
	unsigned long served = 0;

	stderr_capture();
	if (FCGX_Init() != 0) {
		front_log("cannot initialise libfcgi");
		return 1;
	}
	/*
	 * A configuration error does not end the process: a FastCGI manager
	 * would only report "exited with 1" and start it again.  Every request
	 * gets a 500, and the web server's error log the reason, with each.
	 */
	have_conf = front_load_conf(&conf, NULL, &conf_err) == 0;
	if (!have_conf && stderr_pipe < 0)
		front_log("%s", buf_cstr(&conf_err));
	fcgi_devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (pipe2(fcgi_stop_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		fcgi_stop_pipe[0] = fcgi_stop_pipe[1] = -1;
	/* No SA_RESTART: the signal must interrupt accept(). */
	memset(&action, 0, sizeof(action));
	action.sa_handler = on_stop;
	sigemptyset(&action.sa_mask);
	sigaction(SIGTERM, &action, NULL);
	sigaction(SIGUSR1, &action, NULL);
	sigaction(SIGINT, &action, NULL);
	/* SA_RESTART: a child's end must not interrupt accept() or a read. */
	action.sa_handler = on_child;
	action.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigaction(SIGCHLD, &action, NULL);
	FCGX_InitRequest(&request, FCGI_LISTENSOCK_FILENO, FCGI_FAIL_ACCEPT_ON_INTR);

	if (have_conf) {
		summary_cache_enable(SUMMARY_CACHE_BYTES);
		gateway = gateway_new(&conf);
		if (fcgi_stop_pipe[0] >= 0)
			gateway_set_stop_fd(gateway, fcgi_stop_pipe[0]);
	}
	while (!fcgi_stop) {
		struct spool spool;
		int rc;

		if (FCGX_Accept_r(&request) < 0)
			break;
		struct cgi_params params = { get_from_fcgi, request.envp };
		spool_init(&spool, fcgi_put, &request);
		spool.gone = fcgi_gone;
		rc = serve(gateway, &params, &spool);
		spool_release(&spool);
		if (!have_conf)
			FCGX_FPrintF(request.err, "imapeek: %s\n", buf_cstr(&conf_err));
		stderr_forward(request.err);
		if (rc < 0)
			fcgi_abort(&request);
		else
			FCGX_Finish_r(&request);
		served++;
	}
	FCGX_Free(&request, 1);
	if (gateway)
		gateway_free(gateway);
	summary_cache_enable(0);
	if (have_conf)
		conf_release(&conf);
	buf_release(&conf_err);
	if (fcgi_devnull >= 0)
		close(fcgi_devnull);
	/* The write end stays: a late signal must find it open. */
	if (!fcgi_stop)
		front_log("FastCGI accept failed after %lu requests", served);
	return fcgi_stop ? 0 : 1;
}

/*
 * systemd's socket activation (sd_listen_fds(3), and systemd-socket-activate)
 * passes the listening socket as descriptor 3 with LISTEN_PID and
 * LISTEN_FDS set; libfcgi looks for it on descriptor 0.  Move it there, so
 * a .socket unit works with or without StandardInput=socket.
 */
static void take_activated_socket(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");

	if (!pid || !fds || strtol(pid, NULL, 10) != (long)getpid() ||
	    strcmp(fds, "1") != 0)
		return;
	if (dup2(3, FCGI_LISTENSOCK_FILENO) == FCGI_LISTENSOCK_FILENO)
		close(3);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
}

int main(void)
{
	/* A client that goes away must be a failed write, not a dead worker. */
	signal(SIGPIPE, SIG_IGN);
	take_activated_socket();
	return FCGX_IsCGI() ? run_cgi() : run_fcgi();
}
