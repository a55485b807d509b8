/*
 * imapeek-httpd: the standalone HTTP/1.1 server, on libmicrohttpd.
 *
 * A pool of threads, each polling its own share of the connections; each
 * thread makes its own struct gateway on first use (thread-specific data)
 * and keeps it, with its imapd session, until the daemon stops, when the
 * key's destructor frees it as the thread exits.  Nothing is shared
 * between the threads but the read-only configuration.
 *
 * The main thread only waits for signals: SIGCHLD, to reap an imapd that
 * died between requests (else it stays a zombie until its worker's next
 * request), and SIGTERM or SIGINT, to stop the daemon (which joins the
 * pool, freeing every gateway: each imapd gets LOGOUT and is reaped) and
 * exit 0.
 *
 * Every answered request is one line of the access log on standard error,
 * in Apache's "combined" format plus the time taken:
 *
 *   ADDR - - [TIME] "METHOD TARGET VERSION" STATUS BYTES "REFERER" "AGENT" MSms
 *
 * written with one write(2) of at most PIPE_BUF bytes, so that the lines
 * of the worker threads never interleave in a pipe or the journal.
 */
#include <microhttpd.h>

#include <arpa/inet.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "front.h"
#include "gateway.h"
#include "proc.h"

#define DEFAULT_LISTEN "127.0.0.1:8080"
#define DEFAULT_THREADS 4
#define MAX_THREADS 256
/* Seconds an idle keep-alive connection is kept. */
#define IDLE_TIMEOUT 60

struct server {
	const struct conf *conf;
	pthread_key_t gateway_key;
};

/*
 * One request, from the URI log callback (the first thing MHD tells us,
 * with the raw request-target) to the completion callback (which logs it).
 */
struct request {
	char *target;        /* raw, percent-encoded, query included */
	/* For the access log, taken when the headers are in. */
	char client[INET6_ADDRSTRLEN];
	char *method;
	char *version;
	char *referer;       /* or NULL */
	char *user_agent;    /* or NULL */
	time_t start_time;
	bool headers_seen;
	double start_ms;
	int status;
	size_t body_bytes;   /* sent: none for HEAD */
	bool answered;
};

/*
 * Bytes of each field in a log line at most, escapes included; with the
 * fixed parts a line stays below PIPE_BUF, which write(2) to a pipe
 * writes whole or not at all.
 */
#define LOG_METHOD_MAX 32
#define LOG_TARGET_MAX 2048
#define LOG_VERSION_MAX 16
#define LOG_HEADER_MAX 512
#define LOG_LINE_MAX (INET6_ADDRSTRLEN + 64 + LOG_METHOD_MAX + LOG_TARGET_MAX + \
                      LOG_VERSION_MAX + 2 * LOG_HEADER_MAX + 64)
_Static_assert(LOG_LINE_MAX <= PIPE_BUF, "an access log line fits in PIPE_BUF");

/* The body is gathered here; MHD gets it in one piece at the end. */
struct body {
	struct buf data;
	int status;
	const struct resp_header *headers;
	size_t nheaders;
};

static int body_begin(void *ctx, int status, const struct resp_header *headers,
                      size_t nheaders)
{
	struct body *body = ctx;

	/* resp keeps the headers alive until resp_release. */
	body->status = status;
	body->headers = headers;
	body->nheaders = nheaders;
	return 0;
}

static int body_write(void *ctx, const char *data, size_t len)
{
	struct body *body = ctx;

	buf_add(&body->data, data, len);
	return 0;
}

static const struct resp_ops body_ops = { body_begin, body_write };

static struct gateway *thread_gateway(struct server *server)
{
	struct gateway *gateway = pthread_getspecific(server->gateway_key);

	if (!gateway) {
		gateway = gateway_new(server->conf);
		pthread_setspecific(server->gateway_key, gateway);
	}
	return gateway;
}

static void free_gateway(void *gateway)
{
	gateway_free(gateway);
}

/* The client's address as text, "-" when MHD does not say. */
static void client_address(struct MHD_Connection *connection, char *out,
                           size_t size)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(
		connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *addr = info ? info->client_addr : NULL;

	snprintf(out, size, "-");
	if (addr && addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)addr)->sin6_addr,
		          out, (socklen_t)size);
	else if (addr && addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)addr)->sin_addr,
		          out, (socklen_t)size);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *connection)
{
	struct request *request = xcalloc(1, sizeof(*request));

	(void)cls;
	request->target = xstrdup(uri);
	request->start_ms = front_now_ms();
	request->start_time = time(NULL);
	client_address(connection, request->client, sizeof(request->client));
	return request;
}

static const char *header(struct MHD_Connection *connection, const char *name)
{
	return MHD_lookup_connection_value(connection, MHD_HEADER_KIND, name);
}

/* The port the connection came in on, as text ("" when unknown). */
static void local_port(struct MHD_Connection *connection, char *out, size_t size)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct sockaddr_storage addr;
	socklen_t len = sizeof(addr);

	out[0] = '\0';
	if (!info || getsockname(info->connect_fd, (struct sockaddr *)&addr, &len) < 0)
		return;
	if (addr.ss_family == AF_INET)
		snprintf(out, size, "%u", ntohs(((struct sockaddr_in *)&addr)->sin_port));
	else if (addr.ss_family == AF_INET6)
		snprintf(out, size, "%u", ntohs(((struct sockaddr_in6 *)&addr)->sin6_port));
}

/* A copy of what the log may show of a client's string, or NULL. */
static char *log_copy(const char *value, size_t max)
{
	return value ? xstrndup(value, max) : NULL;
}

/*
 * One field of a log line: '"' and '\' escaped with a backslash, control
 * characters and bytes outside ASCII as \xHH (as Apache writes them), so
 * that nothing a client sends can end a field or a line; "-" for none; cut
 * with "..." at max bytes.
 */
static void log_field(struct buf *line, const char *value, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	size_t start = line->len;

	if (!value || !*value) {
		buf_addch(line, '-');
		return;
	}
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		if (line->len - start + 4 > max - 3) {
			buf_addstr(line, "...");
			return;
		}
		if (*p == '"' || *p == '\\') {
			buf_addch(line, '\\');
			buf_addch(line, (char)*p);
		} else if (*p < 0x20 || *p >= 0x7f) {
			buf_addstr(line, "\\x");
			buf_addch(line, hex[*p >> 4]);
			buf_addch(line, hex[*p & 15]);
		} else {
			buf_addch(line, (char)*p);
		}
	}
}

/* The access log line of an answered request, in one write. */
static void log_request(const struct request *request, bool completed)
{
	struct buf line = BUF_INIT;
	char when[64] = "-";
	struct tm tm;

	/* Apache's %t: 10/Oct/2000:13:55:36 -0700 (the C locale's months). */
	if (localtime_r(&request->start_time, &tm))
		strftime(when, sizeof(when), "%d/%b/%Y:%H:%M:%S %z", &tm);
	buf_addf(&line, "%s - - [%s] \"", request->client, when);
	log_field(&line, request->method, LOG_METHOD_MAX);
	buf_addch(&line, ' ');
	log_field(&line, request->target, LOG_TARGET_MAX);
	buf_addch(&line, ' ');
	log_field(&line, request->version, LOG_VERSION_MAX);
	buf_addf(&line, "\" %d ", request->status);
	/* Apache's %b: "-" for no body. */
	if (request->body_bytes)
		buf_addf(&line, "%zu", request->body_bytes);
	else
		buf_addch(&line, '-');
	buf_addstr(&line, " \"");
	log_field(&line, request->referer, LOG_HEADER_MAX);
	buf_addstr(&line, "\" \"");
	log_field(&line, request->user_agent, LOG_HEADER_MAX);
	buf_addf(&line, "\" %.1fms%s\n", front_now_ms() - request->start_ms,
	         completed ? "" : " (aborted)");
	if (write(STDERR_FILENO, line.p, line.len) < 0) {
		/* Nowhere left to complain to. */
	}
	buf_release(&line);
}

/* These are MHD's to write: it frames the message itself. */
static bool framing_header(const char *name)
{
	return !strcasecmp(name, "Content-Length") ||
	       !strcasecmp(name, "Transfer-Encoding") ||
	       !strcasecmp(name, "Connection");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	struct server *server = cls;
	struct request *request = *con_cls;
	struct buf path = BUF_INIT, query = BUF_INIT;
	struct body body = { BUF_INIT, 0, NULL, 0 };
	struct MHD_Response *response = NULL;
	enum MHD_Result ret = MHD_NO;
	struct req req;
	char server_port[8];
	struct resp resp;
	int status;
	char *data;
	size_t len;

	(void)url;
	(void)upload_data;
	/*
	 * The first call comes when the headers are in.  A response queued
	 * then is an "early" one to libmicrohttpd, which closes the
	 * connection after it; so answer on a later call, once any request
	 * body (which nothing here wants) has been read and skipped.
	 */
	if (!request->headers_seen) {
		request->headers_seen = true;
		request->method = xstrndup(method, LOG_METHOD_MAX);
		request->version = xstrndup(version, LOG_VERSION_MAX);
		request->referer = log_copy(header(connection, MHD_HTTP_HEADER_REFERER),
		                            LOG_HEADER_MAX);
		request->user_agent = log_copy(
			header(connection, MHD_HTTP_HEADER_USER_AGENT), LOG_HEADER_MAX);
		return MHD_YES;
	}
	if (*upload_data_size || request->answered) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	memset(&req, 0, sizeof(req));
	req.method = front_method(method);
	req.root = "";
	req.accept = header(connection, MHD_HTTP_HEADER_ACCEPT);
	req.accept_encoding = header(connection, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	req.if_none_match = header(connection, MHD_HTTP_HEADER_IF_NONE_MATCH);
	req.if_modified_since = header(connection, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
	req.host = header(connection, MHD_HTTP_HEADER_HOST);
	local_port(connection, server_port, sizeof(server_port));
	req.server_port = server_port[0] ? server_port : NULL;
	req.https = false;

	/*
	 * The path and query come from the raw request-target, not from MHD's
	 * url argument: MHD percent-decodes that, and "lists%2Fdev" must stay
	 * one segment.  HEAD is rendered like GET: MHD drops the body itself
	 * and so still sends the Content-Length the GET would have.
	 */
	resp_init(&resp, &body_ops, &body, false);
	if (front_split_target(request->target, &path, &query) < 0) {
		req.path = "/";
		req.query = "";
		front_error(&resp, 400);
	} else {
		req.path = buf_cstr(&path);
		req.query = buf_cstr(&query);
		status = front_check(&req);
		if (status)
			front_error(&resp, status);
		else
			gateway_handle(thread_gateway(server), &req, &resp);
	}
	resp_finish(&resp);

	/*
	 * The whole body is in memory before the first byte goes out; raw
	 * messages and mbox downloads would be better streamed through
	 * MHD_create_response_from_callback, a later improvement.
	 */
	data = buf_detach(&body.data, &len);
	response = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!response) {
		free(data);
		goto out;
	}
	for (size_t i = 0; i < body.nheaders; i++) {
		if (framing_header(body.headers[i].name))
			continue;
		if (MHD_add_response_header(response, body.headers[i].name,
		                            body.headers[i].value) != MHD_YES)
			front_log("header %s refused by libmicrohttpd",
			          body.headers[i].name);
	}
	request->status = body.status;
	/* MHD sends no body for HEAD (nor for 304, which has none). */
	request->body_bytes = req.method == REQ_HEAD ? 0 : len;
	request->answered = true;
	ret = MHD_queue_response(connection, (unsigned)body.status, response);
out:
	if (response)
		MHD_destroy_response(response);
	resp_release(&resp);
	buf_release(&body.data);
	buf_release(&path);
	buf_release(&query);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *connection,
                         void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct request *request = *con_cls;

	(void)cls;
	(void)connection;
	if (!request)
		return;
	if (request->answered)
		log_request(request, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
	free(request->target);
	free(request->method);
	free(request->version);
	free(request->referer);
	free(request->user_agent);
	free(request);
	*con_cls = NULL;
}

/* ---- options ---------------------------------------------------------- */

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: imapeek-httpd [-c CONF] [-l ADDR:PORT] [-j THREADS] [-h]\n"
	        "  -c CONF         configuration file (else $IMAPEEK_CONF, else /etc/imapeek.conf)\n"
	        "  -l ADDR:PORT    address to listen on, IPv4 or [IPv6] (default %s)\n"
	        "  -j THREADS      worker threads, each with its own imapd (default %d)\n"
	        "  -h              this help\n",
	        DEFAULT_LISTEN, DEFAULT_THREADS);
}

/* "127.0.0.1:8080", "[::1]:8080", "localhost:8080" into an address. */
static int parse_listen(const char *arg, struct sockaddr_storage *addr,
                        socklen_t *addr_len)
{
	struct addrinfo hints, *found = NULL;
	const char *colon;
	char *host = NULL;
	uint64_t port;
	int ret = -1;

	if (arg[0] == '[') {
		const char *close = strchr(arg, ']');
		if (!close || close[1] != ':')
			goto out;
		host = xstrndup(arg + 1, (size_t)(close - arg - 1));
		colon = close + 1;
	} else {
		colon = strrchr(arg, ':');
		if (!colon || strchr(arg, ':') != colon)
			goto out;
		host = xstrndup(arg, (size_t)(colon - arg));
	}
	if (!*host || parse_u64(str_from(colon + 1), 0, 65535, &port) < 0)
		goto out;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = arg[0] == '[' ? AF_INET6 : AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if (getaddrinfo(host, colon + 1, &hints, &found) != 0 || !found ||
	    found->ai_addrlen > sizeof(*addr))
		goto out;
	memcpy(addr, found->ai_addr, found->ai_addrlen);
	*addr_len = found->ai_addrlen;
	ret = 0;
out:
	if (found)
		freeaddrinfo(found);
	free(host);
	return ret;
}

static void print_listening(struct MHD_Daemon *daemon,
                            const struct sockaddr_storage *addr)
{
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = info ? info->port : 0;

	if (addr->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)addr)->sin6_addr,
		          host, sizeof(host));
		front_log("listening on http://[%s]:%u/", host, port);
	} else {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)addr)->sin_addr,
		          host, sizeof(host));
		front_log("listening on http://%s:%u/", host, port);
	}
}

int main(int argc, char **argv)
{
	const char *conf_arg = NULL, *listen_arg = DEFAULT_LISTEN;
	struct server server = { NULL, 0 };
	struct sockaddr_storage addr;
	socklen_t addr_len = 0;
	struct MHD_Daemon *daemon = NULL;
	struct buf err = BUF_INIT;
	struct conf conf;
	bool have_conf = false, have_key = false;
	uint64_t threads = DEFAULT_THREADS;
	unsigned flags;
	sigset_t signals;
	int signo, opt, ret = 1;

	while ((opt = getopt(argc, argv, "c:l:j:h")) != -1) {
		switch (opt) {
		case 'c':
			conf_arg = optarg;
			break;
		case 'l':
			listen_arg = optarg;
			break;
		case 'j':
			if (parse_u64(str_from(optarg), 1, MAX_THREADS, &threads) < 0) {
				fprintf(stderr, "imapeek-httpd: -j wants a number of threads from 1 to %d\n",
				        MAX_THREADS);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (parse_listen(listen_arg, &addr, &addr_len) < 0) {
		fprintf(stderr, "imapeek-httpd: bad -l \"%s\": want ADDR:PORT or [IPV6]:PORT\n",
		        listen_arg);
		return 2;
	}
	if (front_load_conf(&conf, conf_arg, &err) < 0) {
		fprintf(stderr, "%s\n", buf_cstr(&err));
		goto out;
	}
	have_conf = true;
	server.conf = &conf;
	if (pthread_key_create(&server.gateway_key, free_gateway) != 0) {
		front_log("cannot create the per-thread gateway key");
		goto out;
	}
	have_key = true;

	/* Every thread MHD starts inherits this mask: signals come to sigwait. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&signals);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &signals, NULL);

	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
	if (addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, &server,
	        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
	        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
	        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT,
	        /*
	         * -j 1 is the polling thread alone, without a pool: a pool
	         * size below 2 only makes MHD log a warning, so the option
	         * list ends here then.
	         */
	        threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END,
	        (unsigned)threads,
	        MHD_OPTION_END);
	if (!daemon) {
		front_log("cannot listen on %s", listen_arg);
		goto out;
	}
	print_listening(daemon, &addr);
	/*
	 * The workers' sessions know their imapd by a pidfd and never touch a
	 * child reaped here (proc.h).
	 */
	for (;;) {
		if (sigwait(&signals, &signo) != 0)
			continue;
		if (signo != SIGCHLD)
			break;
		proc_reap_any();
	}
	front_log("signal %d: stopping", signo);
	ret = 0;
out:
	/* Joins the pool threads: their gateways are freed on the way out. */
	if (daemon)
		MHD_stop_daemon(daemon);
	if (have_key)
		pthread_key_delete(server.gateway_key);
	if (have_conf)
		conf_release(&conf);
	buf_release(&err);
	(void)addr_len;
	return ret;
}
