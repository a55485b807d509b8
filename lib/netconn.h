/*
 * A TCP connection to a server, in the clear or in TLS, for
 * imapeek-connect: connect with a deadline, start TLS (implicit or after
 * STARTTLS) with the certificate verified and the host name checked, then
 * non-blocking reads and writes that never wait.
 *
 * TLS is GnuTLS: libmicrohttpd depends on it already (so it costs no new
 * library on any system that runs imapeek-httpd), it is well kept, it is
 * in Debian, and it verifies a chain and a host name (or an IP address
 * against the certificate's iPAddress names) in one call.
 *
 * Errors go to a caller's buffer as "HOST:PORT: reason", one line.
 */
#ifndef IMAPEEK_NETCONN_H
#define IMAPEEK_NETCONN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <gnutls/gnutls.h>

#include "buf.h"

/* netconn_read/netconn_write: nothing can be done now; poll first. */
#define NETCONN_AGAIN (-2)

struct netconn {
	int fd;
	char *host;
	char *where;          /* "HOST:PORT", for messages */
	gnutls_session_t tls; /* NULL in the clear */
	gnutls_certificate_credentials_t creds;
	size_t send_pending;  /* a TLS write that must be retried as it was */
	bool read_wants_out;  /* the last TLS read stopped to write */
	bool write_wants_in;  /* the last TLS write stopped to read */
};

/* Resolve host and connect within timeout_ms: 0, or -1 with err set. */
int netconn_open(struct netconn *conn, const char *host, unsigned port,
                 int timeout_ms, struct buf *err);
/*
 * The TLS handshake within timeout_ms, the server's certificate checked
 * against cafile (PEM), or the system's trust store when cafile is NULL.
 */
int netconn_start_tls(struct netconn *conn, const char *cafile, int timeout_ms,
                      struct buf *err);
/* Close (a TLS close_notify first, best effort) and free. */
void netconn_close(struct netconn *conn);

/*
 * Bytes read (> 0), 0 at the end of the stream, NETCONN_AGAIN, or -1
 * with err set.  A TLS connection may hold bytes already decrypted that
 * poll(2) does not see: netconn_buffered() says so.
 */
ssize_t netconn_read(struct netconn *conn, void *data, size_t len, struct buf *err);
bool netconn_buffered(const struct netconn *conn);
/*
 * Bytes written (> 0), NETCONN_AGAIN or -1 with err set.  After
 * NETCONN_AGAIN the same bytes must be offered again first.
 */
ssize_t netconn_write(struct netconn *conn, const void *data, size_t len,
                      struct buf *err);
/*
 * The poll(2) events to wait for on conn->fd to read (want_read) or
 * write (want_write); TLS may need to write to read or the other way.
 */
short netconn_events(const struct netconn *conn, bool want_read, bool want_write);

/* Blocking helpers for the log-in, with a deadline on proc_now_ms(). */
ssize_t netconn_read_wait(struct netconn *conn, void *data, size_t len,
                          long long deadline_ms, struct buf *err);
int netconn_write_all(struct netconn *conn, const void *data, size_t len,
                      long long deadline_ms, struct buf *err);

#endif
