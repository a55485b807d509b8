/*
 * imapeek-httpd: the standalone HTTP/1.1 server, on libmicrohttpd.
 *
 * Two kinds of threads.  libmicrohttpd's own (IO_THREADS of them, each an
 * epoll loop over its share of the connections) do only network I/O, so
 * thousands of idle or slow connections cost a socket and a little
 * memory each.  A pool of worker threads (-j N, pool.h) runs the pages;
 * each worker keeps its own gateway with its own imapd session across
 * requests.  Nothing else is shared between the threads but the
 * read-only configuration.
 *
 * A request, once its head is in, becomes an exchange: it is queued for
 * the workers and its connection is suspended.  The worker writes the
 * response into the exchange's bounded stream (stream.h: 1 MiB at most,
 * the worker blocks when it is full); when the head is worth sending the
 * connection is resumed and answered.  A body the worker completed by
 * then goes out as one buffer, sent with the head in one call (most
 * pages); otherwise a callback response copies what the stream holds
 * and, when it holds nothing yet, suspends the connection again until
 * the worker resumes it.  A body complete within 1 MiB goes out with
 * Content-Length, a longer one chunked (or with the Content-Length the
 * page declared); a worker that fails after the head went out ends the
 * response broken (no final chunk, a short Content-Length): the client
 * sees an incomplete transfer.
 *
 * Limits: max-connections (MHD_OPTION_CONNECTION_LIMIT: libmicrohttpd
 * 0.9.75 with epoll stops accepting at the limit, so more connections wait
 * in the listen queue; a burst accepted in one round beyond it is closed
 * at once, with "imapeek: libmicrohttpd: Server reached connection limit"
 * in the log),
 * max-per-client (MHD_OPTION_PER_IP_CONNECTION_LIMIT: one more from the
 * same address is closed at once), a deadline for the whole request head
 * (watch.h), and the workers' fairness caps (pool.h).
 *
 * Cancel: a worker asks, before each fetch, whether its client is still
 * there (stream_gone: the connection ended, or its socket hung up while
 * suspended), and stops.  The main thread only waits for signals:
 * SIGCHLD, to reap an imapd that died between requests, and SIGTERM or
 * SIGINT, to stop: no new connection is accepted, every waiting request
 * is dropped and every running one cancelled (a readable stop descriptor
 * ends any wait for an imapd's answer at once), the workers are joined
 * (each imapd gets LOGOUT, or is ended when it was busy), then the
 * daemon, and the process exits 0.
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
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "front.h"
#include "gateway.h"
#include "pool.h"
#include "proc.h"
#include "stream.h"
#include "summary_cache.h"
#include "watch.h"

#define DEFAULT_LISTEN "127.0.0.1:8080"
#define DEFAULT_THREADS 4
#define MAX_THREADS 256
/* libmicrohttpd's threads: network I/O only, the pages run in the pool. */
#define IO_THREADS 2
/* Seconds a connection may be idle while its response is being sent. */
#define IDLE_TIMEOUT 60
/*
 * The whole request head within this, from the connection's start or the
 * end of its previous response (so it is also the keep-alive idle time).
 */
#define HEAD_DEADLINE_MS 10000
/* A worker waits this long for a client that reads nothing, then gives up. */
#define STALL_MS 30000
/* Bytes libmicrohttpd asks the body for at a time. */
#define READ_BLOCK (32 * 1024)

struct server {
	const struct conf *conf;
	struct pool *pool;
	struct watch *watch;
	atomic_bool stopping;
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
	struct exchange *exchange;  /* once the head is in */
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


/*
 * A request on its way through a worker: what the worker needs of it
 * (copied: the connection's memory is MHD's), and the stream its answer
 * comes back through.  Held by the request, by the pool while queued or
 * running, and by the MHD response while it is sent; the last one frees.
 */
struct exchange {
	struct pool_job job;        /* the pool hands this back */
	struct server *server;
	struct MHD_Connection *connection;
	struct stream *stream;
	atomic_int refs;
	struct req req;
	struct buf path, query;
	char *accept, *accept_encoding, *if_none_match, *if_modified_since, *host;
	char server_port[8];
};

/* ---- exchanges -------------------------------------------------------- */

static void exchange_unref(struct exchange *exchange)
{
	if (atomic_fetch_sub(&exchange->refs, 1) != 1)
		return;
	stream_free(exchange->stream);
	buf_release(&exchange->path);
	buf_release(&exchange->query);
	free(exchange->accept);
	free(exchange->accept_encoding);
	free(exchange->if_none_match);
	free(exchange->if_modified_since);
	free(exchange->host);
	free(exchange);
}

/* Stream hooks: only a suspended connection is resumed (stream.h). */
static void exchange_suspend(void *ctx)
{
	struct exchange *exchange = ctx;

	MHD_suspend_connection(exchange->connection);
}

static void exchange_resume(void *ctx)
{
	struct exchange *exchange = ctx;

	MHD_resume_connection(exchange->connection);
}

/* The worker's writer: the page's response goes into the stream. */
static int stream_resp_begin(void *ctx, int status,
                             const struct resp_header *headers, size_t nheaders)
{
	return stream_begin(ctx, status, headers, nheaders);
}

static int stream_resp_write(void *ctx, const char *data, size_t len)
{
	return stream_write(ctx, data, len);
}

static bool stream_resp_gone(void *ctx)
{
	return stream_gone(ctx);
}

static const struct resp_ops stream_ops = {
	.begin = stream_resp_begin,
	.write = stream_resp_write,
	.gone = stream_resp_gone,
};

/*
 * Answer through the stream.  A client gone before the work starts (it
 * waited in the queue) costs nothing.  Anything short of a whole answer
 * (a write refused, the client gone, resp_abort) finishes it failed.
 */
static void answer(struct exchange *exchange, struct gateway *gateway,
                   int front_status)
{
	struct resp resp;

	resp_init(&resp, &stream_ops, exchange->stream,
	          exchange->req.method == REQ_HEAD);
	if (front_status)
		front_error(&resp, front_status);
	else if (!resp_gone(&resp))
		gateway_handle(gateway, &exchange->req, &resp);
	/*
	 * A HEAD that counted no body was answered from metadata (a raw
	 * message, a part): its length is what the page declared, or unknown.
	 */
	stream_finish(exchange->stream, !resp.failed,
	              resp.head_only && !resp.body_bytes ? STREAM_LENGTH_UNKNOWN
	                                                 : resp.body_bytes);
	resp_release(&resp);
}

static void exchange_run(struct pool_job *job, struct gateway *gateway)
{
	answer((struct exchange *)job, gateway, 0);
}

static void exchange_done(struct pool_job *job, bool ran)
{
	struct exchange *exchange = (struct exchange *)job;

	if (!ran)
		stream_finish(exchange->stream, false, 0);
	exchange_unref(exchange);
}

static void exchange_cancel(struct pool_job *job)
{
	stream_cancel(((struct exchange *)job)->stream);
}

static const char *header(struct MHD_Connection *connection, const char *name)
{
	return MHD_lookup_connection_value(connection, MHD_HEADER_KIND, name);
}

static char *header_copy(struct MHD_Connection *connection, const char *name)
{
	const char *value = header(connection, name);

	return value ? xstrdup(value) : NULL;
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

/*
 * The client's address as text, "-" when MHD does not say: for the log,
 * and the key of the pool's per-client share.
 */
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

/*
 * The request, copied out of MHD's connection.  The path and query come
 * from the raw request-target, not from MHD's url argument: MHD
 * percent-decodes that, and "lists%2Fdev" must stay one segment.  Returns
 * the status the front end answers itself (0: to the gateway).
 */
static int exchange_fill(struct exchange *exchange, struct request *request,
                         const char *method)
{
	struct MHD_Connection *connection = exchange->connection;
	struct req *req = &exchange->req;
	const union MHD_ConnectionInfo *fd_info =
		MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);

	req->method = front_method(method);
	req->root = "";
	req->accept = exchange->accept = header_copy(connection, MHD_HTTP_HEADER_ACCEPT);
	req->accept_encoding = exchange->accept_encoding =
		header_copy(connection, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	req->if_none_match = exchange->if_none_match =
		header_copy(connection, MHD_HTTP_HEADER_IF_NONE_MATCH);
	req->if_modified_since = exchange->if_modified_since =
		header_copy(connection, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
	req->host = exchange->host = header_copy(connection, MHD_HTTP_HEADER_HOST);
	local_port(connection, exchange->server_port, sizeof(exchange->server_port));
	req->server_port = exchange->server_port[0] ? exchange->server_port : NULL;
	req->https = false;
	snprintf(exchange->job.client, sizeof(exchange->job.client), "%s", request->client);
	exchange->job.affinity = (unsigned long)(uintptr_t)connection;
	if (fd_info)
		stream_set_socket(exchange->stream, fd_info->connect_fd);
	if (front_split_target(request->target, &exchange->path, &exchange->query) < 0) {
		req->path = "/";
		req->query = "";
		return 400;
	}
	req->path = buf_cstr(&exchange->path);
	req->query = buf_cstr(&exchange->query);
	exchange->job.heavy = gateway_heavy(req);
	return front_check(req);
}

static struct exchange *exchange_new(struct server *server,
                                     struct MHD_Connection *connection)
{
	struct exchange *exchange = xcalloc(1, sizeof(*exchange));
	struct stream_hooks hooks = { exchange_suspend, exchange_resume, exchange };

	exchange->server = server;
	exchange->connection = connection;
	exchange->stream = stream_new(&hooks, STALL_MS);
	exchange->job.run = exchange_run;
	exchange->job.done = exchange_done;
	exchange->job.cancel = exchange_cancel;
	atomic_init(&exchange->refs, 1);
	return exchange;
}

/* ---- libmicrohttpd's callbacks ----------------------------------------- */

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

static struct watch_conn *watch_entry(struct MHD_Connection *connection)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(
		connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info ? info->socket_context : NULL;
}

static void on_connection(void *cls, struct MHD_Connection *connection,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
	struct server *server = cls;
	const union MHD_ConnectionInfo *info;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_context = info ? watch_add(server->watch, info->connect_fd) : NULL;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
		watch_remove(server->watch, *socket_context);
		*socket_context = NULL;
	}
}

static ssize_t read_body(void *cls, uint64_t pos, char *out, size_t max)
{
	struct exchange *exchange = cls;
	ssize_t got = stream_read(exchange->stream, out, max);

	(void)pos;
	if (got == STREAM_READ_END)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (got == STREAM_READ_ABORT)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	return got;
}

static void free_body(void *cls)
{
	exchange_unref(cls);
}

/*
 * The stream's head as an MHD response, queued: with the whole body when
 * the worker finished it first (most pages), else read from the stream
 * as it comes.
 */
static enum MHD_Result queue_streamed(struct request *request,
                                      struct exchange *exchange,
                                      const struct stream_head *head)
{
	struct MHD_Response *response;
	enum MHD_Result ret;
	char *body;
	size_t len;

	if (stream_take_body(exchange->stream, &body, &len)) {
		/* One buffer: the head and the body go out in one send. */
		response = MHD_create_response_from_buffer_with_free_callback_cls(
			len, body, stream_body_free, body);
		if (!response) {
			stream_body_free(body);
			return MHD_NO;
		}
	} else {
		atomic_fetch_add(&exchange->refs, 1);
		response = MHD_create_response_from_callback(
			head->has_length ? head->length : MHD_SIZE_UNKNOWN, READ_BLOCK,
			read_body, exchange, free_body);
		if (!response) {
			exchange_unref(exchange);
			return MHD_NO;
		}
	}
	for (size_t i = 0; i < head->nheaders; i++)
		if (MHD_add_response_header(response, head->headers[i].name,
		                            head->headers[i].value) != MHD_YES)
			front_log("header %s refused by libmicrohttpd",
			          head->headers[i].name);
	request->status = head->status;
	request->answered = true;
	ret = MHD_queue_response(exchange->connection, (unsigned)head->status, response);
	MHD_destroy_response(response);
	return ret;
}

/*
 * The worker failed before anything went out: still time for an honest
 * 5xx (503 when the server stops).
 */
static enum MHD_Result queue_failure(struct server *server, struct request *request,
                                     struct MHD_Connection *connection)
{
	int status = atomic_load(&server->stopping) ? 503 : 502;
	struct MHD_Response *response;
	struct buf body = BUF_INIT;
	enum MHD_Result ret;
	char *data;
	size_t len;

	front_error_body(&body, status);
	data = buf_detach(&body, &len);
	response = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!response) {
		free(data);
		return MHD_NO;
	}
	MHD_add_response_header(response, "Content-Type", "text/html; charset=utf-8");
	MHD_add_response_header(response, "Cache-Control", "no-store");
	if (status == 503)
		MHD_add_response_header(response, "Connection", "close");
	request->status = status;
	request->answered = true;
	ret = MHD_queue_response(connection, (unsigned)status, response);
	MHD_destroy_response(response);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	struct server *server = cls;
	struct request *request = *con_cls;
	struct exchange *exchange;
	struct stream_head head;
	int front_status;

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
		if (watch_entry(connection))
			watch_head_done(server->watch, watch_entry(connection));
		return MHD_YES;
	}
	if (*upload_data_size || request->answered) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (!request->exchange) {
		if (atomic_load(&server->stopping))
			return MHD_NO;
		exchange = request->exchange = exchange_new(server, connection);
		front_status = exchange_fill(exchange, request, method);
		if (front_status) {
			/* A short page of our own: it never fills the stream. */
			answer(exchange, NULL, front_status);
		} else {
			atomic_fetch_add(&exchange->refs, 1);
			if (pool_submit(server->pool, &exchange->job) < 0) {
				exchange_unref(exchange);
				return MHD_NO;
			}
		}
	}
	exchange = request->exchange;
	switch (stream_head(exchange->stream, &head)) {
	case STREAM_WAIT:
		return MHD_YES;    /* suspended: the worker resumes it */
	case STREAM_READY:
		return queue_streamed(request, exchange, &head);
	case STREAM_FAILED:
		break;
	}
	return queue_failure(server, request, connection);
}

static void on_completed(void *cls, struct MHD_Connection *connection,
                         void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct server *server = cls;
	struct request *request = *con_cls;

	if (!request)
		return;
	if (request->exchange) {
		/* Before MHD closes the socket: the stream forgets it here. */
		stream_consumer_gone(request->exchange->stream);
		if (request->answered && request->exchange->req.method != REQ_HEAD)
			request->body_bytes = stream_sent(request->exchange->stream);
		exchange_unref(request->exchange);
	}
	if (watch_entry(connection))
		watch_head_wait(server->watch, watch_entry(connection));
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

/*
 * The listening socket, bound here rather than by libmicrohttpd, so that
 * a failure names the address asked for and the reason (libmicrohttpd's
 * own message says "port 0" for an address given whole).  -1 with errno.
 */
static int listen_on(const struct sockaddr_storage *addr, socklen_t len)
{
	int fd = socket(addr->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int on = 1, saved;

	if (fd < 0)
		return -1;
	/* As libmicrohttpd does: a restart rebinds at once; IPv6 is IPv6 only. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    (addr->ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) < 0) ||
	    bind(fd, (const struct sockaddr *)addr, len) < 0 ||
	    listen(fd, SOMAXCONN) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/*
 * libmicrohttpd's own messages ("Server reached connection limit", a
 * client gone mid-body) as lines of imapeek's, so that every line of the
 * log starts with "imapeek:".
 */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct buf line = BUF_INIT;

	(void)cls;
	buf_vaddf(&line, fmt, ap);
	while (line.len && (line.p[line.len - 1] == '\n' || line.p[line.len - 1] == '\r'))
		buf_truncate(&line, line.len - 1);
	front_log("libmicrohttpd: %s", buf_cstr(&line));
	buf_release(&line);
}

/* "listening on http://ADDR:PORT/", with the port bound (for -l ...:0). */
static void print_listening(int fd)
{
	struct sockaddr_storage addr;
	socklen_t len = sizeof(addr);
	char host[INET6_ADDRSTRLEN] = "?";

	if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0)
		memset(&addr, 0, sizeof(addr));
	if (addr.ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&addr;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		front_log("listening on http://[%s]:%u/", host, ntohs(in6->sin6_port));
	} else {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&addr;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		front_log("listening on http://%s:%u/", host, ntohs(in->sin_port));
	}
}

/*
 * Descriptors: one per connection, and a few per worker (the imapd's
 * pipes and pidfd).  Take the hard limit, and say when even that is short
 * of max-connections.
 */
static void raise_fd_limit(const struct conf *conf, unsigned threads)
{
	struct rlimit limit;
	rlim_t want = (rlim_t)conf->max_connections + 8 * (rlim_t)threads + 64;

	if (getrlimit(RLIMIT_NOFILE, &limit) < 0)
		return;
	if (limit.rlim_cur < limit.rlim_max) {
		limit.rlim_cur = limit.rlim_max;
		setrlimit(RLIMIT_NOFILE, &limit);
	}
	if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < want)
		front_log("max-connections %u wants about %llu descriptors; the limit is %llu",
		          conf->max_connections, (unsigned long long)want,
		          (unsigned long long)limit.rlim_cur);
}

int main(int argc, char **argv)
{
	const char *conf_arg = NULL, *listen_arg = DEFAULT_LISTEN;
	struct server server = { .conf = NULL };
	struct sockaddr_storage addr;
	socklen_t addr_len = 0;
	struct MHD_Daemon *daemon = NULL;
	struct buf err = BUF_INIT;
	struct conf conf;
	bool have_conf = false;
	uint64_t threads = DEFAULT_THREADS, one = 1;
	unsigned flags;
	sigset_t signals;
	int signo, opt, ret = 1, stop_fd = -1, listen_fd = -1;

	atomic_init(&server.stopping, false);
	static const struct option long_options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	while ((opt = getopt_long(argc, argv, "c:l:j:h", long_options, NULL)) != -1) {
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
		front_log("%s", buf_cstr(&err));
		goto out;
	}
	have_conf = true;
	server.conf = &conf;
	raise_fd_limit(&conf, (unsigned)threads);

	/* Every thread started from here inherits this mask: signals come to sigwait. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&signals);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &signals, NULL);

	/* Readable once stopping: every imapd session's waits end at once. */
	stop_fd = eventfd(0, EFD_CLOEXEC);
	if (stop_fd < 0) {
		front_log("cannot create the stop descriptor");
		goto out;
	}
	summary_cache_enable(SUMMARY_CACHE_BYTES);
	server.watch = watch_new(HEAD_DEADLINE_MS);
	server.pool = server.watch ? pool_new(&conf, (unsigned)threads, stop_fd) : NULL;
	if (!server.pool)
		goto out;
	listen_fd = listen_on(&addr, addr_len);
	if (listen_fd < 0) {
		front_log("cannot listen on %s: %s", listen_arg, strerror(errno));
		goto out;
	}
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	        MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	if (addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, &server,
	        /* First, as libmicrohttpd asks of its logger. */
	        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	        MHD_OPTION_LISTEN_SOCKET, listen_fd,
	        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
	        MHD_OPTION_NOTIFY_COMPLETED, on_completed, &server,
	        MHD_OPTION_NOTIFY_CONNECTION, on_connection, &server,
	        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT,
	        MHD_OPTION_CONNECTION_LIMIT, conf.max_connections,
	        MHD_OPTION_PER_IP_CONNECTION_LIMIT, conf.max_per_client,
	        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)IO_THREADS,
	        MHD_OPTION_END);
	if (!daemon) {
		front_log("cannot listen on %s", listen_arg);
		goto out;
	}
	print_listening(listen_fd);
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
	atomic_store(&server.stopping, true);
	if (stop_fd >= 0 && write(stop_fd, &one, sizeof(one)) < 0)
		front_log("cannot signal the stop descriptor");
	if (daemon)
		listen_fd = MHD_quiesce_daemon(daemon);
	/* Drops what waits, cancels what runs, joins the workers. */
	pool_free(server.pool);
	/* Every connection was resumed by its exchange's end: none is suspended. */
	if (daemon)
		MHD_stop_daemon(daemon);
	if (listen_fd >= 0)
		close(listen_fd);
	watch_free(server.watch);
	summary_cache_enable(0);
	if (stop_fd >= 0)
		close(stop_fd);
	if (have_conf)
		conf_release(&conf);
	buf_release(&err);
	return ret;
}
