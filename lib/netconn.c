#include "netconn.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <gnutls/x509.h>

#include "proc.h"

/* One TLS record at most per write: a short write is a normal write. */
#define NETCONN_MAX_WRITE 16384

static int wait_fd(int fd, short events, long long deadline_ms)
{
	for (;;) {
		long long left = deadline_ms - proc_now_ms();
		if (left <= 0)
			return 0;
		struct pollfd pfd = { .fd = fd, .events = events };
		int rc = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc != 0)
			return rc;
	}
}

/* One address: 0 connected, -1 with errno_out set (ETIMEDOUT on the deadline). */
static int try_address(const struct addrinfo *ai, long long deadline_ms,
                       int *fd_out, int *errno_out)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	                ai->ai_protocol);
	if (fd < 0) {
		*errno_out = errno;
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS) {
			*errno_out = errno;
			close(fd);
			return -1;
		}
		if (wait_fd(fd, POLLOUT, deadline_ms) <= 0) {
			*errno_out = ETIMEDOUT;
			close(fd);
			return -1;
		}
		int soerr = 0;
		socklen_t soerr_len = sizeof(soerr);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &soerr_len) < 0)
			soerr = errno;
		if (soerr) {
			*errno_out = soerr;
			close(fd);
			return -1;
		}
	}
	*fd_out = fd;
	return 0;
}

int netconn_open(struct netconn *conn, const char *host, unsigned port,
                 int timeout_ms, struct buf *err)
{
	struct addrinfo hints, *list = NULL;
	char service[16];
	int last_errno = 0;
	int ret = -1;

	memset(conn, 0, sizeof(*conn));
	conn->fd = -1;
	conn->host = xstrdup(host);
	/* An IPv6 address in brackets, as in a URL, so the port stands out. */
	conn->where = xasprintf(strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, port);
	snprintf(service, sizeof(service), "%u", port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV;
	int rc = getaddrinfo(host, service, &hints, &list);
	if (rc != 0) {
		buf_addf(err, "%s: cannot resolve the host name: %s", conn->where,
		         rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		goto out;
	}
	long long deadline = proc_now_ms() + timeout_ms;
	for (const struct addrinfo *ai = list; ai; ai = ai->ai_next) {
		if (try_address(ai, deadline, &conn->fd, &last_errno) == 0) {
			ret = 0;
			goto out;
		}
		if (last_errno == ETIMEDOUT)
			break;
	}
	buf_addf(err, "%s: cannot connect: %s", conn->where,
	         last_errno == ETIMEDOUT ? "no answer in time" : strerror(last_errno));
out:
	if (list)
		freeaddrinfo(list);
	return ret;
}

static bool is_ip_address(const char *host)
{
	unsigned char addr[16];

	return inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
}

static void add_verify_error(struct netconn *conn, struct buf *err)
{
	unsigned status = gnutls_session_get_verify_cert_status(conn->tls);
	gnutls_datum_t text = { NULL, 0 };

	buf_addf(err, "%s: certificate not trusted", conn->where);
	if (status && gnutls_certificate_verification_status_print(
	                      status, GNUTLS_CRT_X509, &text, 0) == 0) {
		buf_addstr(err, ": ");
		for (unsigned i = 0; i < text.size; i++)
			buf_addch(err, text.data[i] == '\n' ? ' ' : (char)text.data[i]);
	}
	gnutls_free(text.data);
}

int netconn_start_tls(struct netconn *conn, const char *cafile, int timeout_ms,
                      struct buf *err)
{
	int rc;

	rc = gnutls_certificate_allocate_credentials(&conn->creds);
	if (rc < 0)
		goto tls_error;
	if (cafile) {
		rc = gnutls_certificate_set_x509_trust_file(conn->creds, cafile,
		                                            GNUTLS_X509_FMT_PEM);
		if (rc <= 0) {
			buf_addf(err, "%s: no CA certificate in %s%s%s", conn->where, cafile,
			         rc < 0 ? ": " : "", rc < 0 ? gnutls_strerror(rc) : "");
			return -1;
		}
	} else {
		rc = gnutls_certificate_set_x509_system_trust(conn->creds);
		if (rc <= 0) {
			buf_addf(err, "%s: no system trust store (use --cafile)", conn->where);
			return -1;
		}
	}
	rc = gnutls_init(&conn->tls, GNUTLS_CLIENT | GNUTLS_NONBLOCK);
	if (rc < 0)
		goto tls_error;
	rc = gnutls_set_default_priority(conn->tls);
	if (rc < 0)
		goto tls_error;
	rc = gnutls_credentials_set(conn->tls, GNUTLS_CRD_CERTIFICATE, conn->creds);
	if (rc < 0)
		goto tls_error;
	/* SNI takes names only (RFC 6066 section 3). */
	if (!is_ip_address(conn->host)) {
		rc = gnutls_server_name_set(conn->tls, GNUTLS_NAME_DNS, conn->host,
		                            strlen(conn->host));
		if (rc < 0)
			goto tls_error;
	}
	/* The chain, and the host name or IP address, checked in the handshake. */
	gnutls_session_set_verify_cert(conn->tls, conn->host, 0);
	gnutls_transport_set_int(conn->tls, conn->fd);
	gnutls_handshake_set_timeout(conn->tls, 0);
	long long deadline = proc_now_ms() + timeout_ms;
	while ((rc = gnutls_handshake(conn->tls)) < 0) {
		if (rc == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR) {
			add_verify_error(conn, err);
			return -1;
		}
		if (gnutls_error_is_fatal(rc))
			goto tls_error;
		short events = gnutls_record_get_direction(conn->tls) ? POLLOUT : POLLIN;
		if (wait_fd(conn->fd, events, deadline) <= 0) {
			buf_addf(err, "%s: TLS handshake: no answer in time", conn->where);
			return -1;
		}
	}
	return 0;
tls_error:
	buf_addf(err, "%s: TLS handshake failed: %s", conn->where, gnutls_strerror(rc));
	return -1;
}

void netconn_close(struct netconn *conn)
{
	if (conn->tls) {
		/* SHUT_WR: say goodbye without waiting for the server's. */
		gnutls_bye(conn->tls, GNUTLS_SHUT_WR);
		gnutls_deinit(conn->tls);
	}
	if (conn->creds)
		gnutls_certificate_free_credentials(conn->creds);
	if (conn->fd >= 0)
		close(conn->fd);
	free(conn->host);
	free(conn->where);
	memset(conn, 0, sizeof(*conn));
	conn->fd = -1;
}

/* What a read(2) or write(2) without TLS returned, as netconn_read says it. */
static ssize_t plain_result(const struct netconn *conn, ssize_t n, struct buf *err)
{
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return NETCONN_AGAIN;
	buf_addf(err, "%s: connection lost: %s", conn->where, strerror(errno));
	return -1;
}

ssize_t netconn_read(struct netconn *conn, void *data, size_t len, struct buf *err)
{
	if (!conn->tls)
		return plain_result(conn, read(conn->fd, data, len), err);
	ssize_t n = gnutls_record_recv(conn->tls, data, len);
	conn->read_wants_out = false;
	if (n >= 0)
		return n;
	if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED) {
		conn->read_wants_out = gnutls_record_get_direction(conn->tls) == 1;
		return NETCONN_AGAIN;
	}
	/* Many servers close without a close_notify; IMAP has its own end. */
	if (n == GNUTLS_E_PREMATURE_TERMINATION)
		return 0;
	if (!gnutls_error_is_fatal((int)n))
		return NETCONN_AGAIN;
	buf_addf(err, "%s: connection lost: %s", conn->where, gnutls_strerror((int)n));
	return -1;
}

bool netconn_buffered(const struct netconn *conn)
{
	return conn->tls && gnutls_record_check_pending(conn->tls) > 0;
}

ssize_t netconn_write(struct netconn *conn, const void *data, size_t len,
                      struct buf *err)
{
	ssize_t n;

	if (len > NETCONN_MAX_WRITE)
		len = NETCONN_MAX_WRITE;
	if (!conn->tls)
		return plain_result(conn, write(conn->fd, data, len), err);
	/* GnuTLS wants an interrupted write resumed with NULL, 0. */
	if (conn->send_pending)
		n = gnutls_record_send(conn->tls, NULL, 0);
	else
		n = gnutls_record_send(conn->tls, data, len);
	conn->write_wants_in = false;
	if (n >= 0) {
		conn->send_pending = 0;
		return n;
	}
	if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED) {
		if (!conn->send_pending)
			conn->send_pending = len;
		conn->write_wants_in = gnutls_record_get_direction(conn->tls) == 0;
		return NETCONN_AGAIN;
	}
	buf_addf(err, "%s: connection lost: %s", conn->where, gnutls_strerror((int)n));
	return -1;
}

short netconn_events(const struct netconn *conn, bool want_read, bool want_write)
{
	short events = 0;

	/* A TLS read that stopped to write (or back) waits for that. */
	if (want_read)
		events |= conn->read_wants_out ? POLLOUT : POLLIN;
	if (want_write || conn->send_pending)
		events |= conn->write_wants_in ? POLLIN : POLLOUT;
	return events;
}

ssize_t netconn_read_wait(struct netconn *conn, void *data, size_t len,
                          long long deadline_ms, struct buf *err)
{
	for (;;) {
		ssize_t n = netconn_read(conn, data, len, err);
		if (n != NETCONN_AGAIN)
			return n;
		if (wait_fd(conn->fd, netconn_events(conn, true, false), deadline_ms) <= 0) {
			buf_addf(err, "%s: no answer in time", conn->where);
			return -1;
		}
	}
}

int netconn_write_all(struct netconn *conn, const void *data, size_t len,
                      long long deadline_ms, struct buf *err)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = netconn_write(conn, p, len, err);
		if (n < 0 && n != NETCONN_AGAIN)
			return -1;
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (wait_fd(conn->fd, netconn_events(conn, false, true), deadline_ms) <= 0) {
			buf_addf(err, "%s: cannot send in time", conn->where);
			return -1;
		}
	}
	return 0;
}
