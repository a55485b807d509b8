#include "connect.h"

#include <stdlib.h>
#include <string.h>

#include "imap_view.h"

/* Our tags; nothing of the client is on the wire before we are done. */
#define TAG_STARTTLS "C1"
#define TAG_LOGIN "C2"
#define TAG_CAPABILITY "C3"
#define TAG_LOGOUT "C4"

/* What the server says when it refuses, at most this long in a message. */
#define SERVER_TEXT_MAX 200

static void wipe(struct buf *b)
{
	if (b->p)
		explicit_bzero(b->p, b->cap);
	buf_reset(b);
}

static void wipe_string(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void connect_init(struct connect *connect, enum connect_tls tls,
                  const char *user, const char *password)
{
	memset(connect, 0, sizeof(*connect));
	connect->tls = tls;
	connect->state = CONNECT_GREETING;
	connect->user = xstrdup(user);
	connect->password = xstrdup(password);
	imap_parser_init(&connect->parser, CONNECT_MAX_LITERAL);
}

void connect_release(struct connect *connect)
{
	wipe(&connect->out);
	wipe(&connect->login);
	buf_release(&connect->out);
	buf_release(&connect->login);
	buf_release(&connect->greeting);
	buf_release(&connect->error);
	buf_release(&connect->caps);
	wipe_string(connect->user);
	wipe_string(connect->password);
	imap_parser_release(&connect->parser);
	memset(connect, 0, sizeof(*connect));
}

void connect_sent(struct connect *connect)
{
	wipe(&connect->out);
}

void connect_logout(struct buf *out, bool mid_line)
{
	if (mid_line)
		buf_addstr(out, "\r\n");
	buf_addstr(out, TAG_LOGOUT " LOGOUT\r\n");
}

int connect_astring(struct buf *out, const char *value)
{
	bool literal = false;

	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		if (*p >= 0x80 || *p == '\r' || *p == '\n')
			literal = true;
	if (literal) {
		buf_addf(out, "{%zu}\r\n", strlen(value));
		return 1;
	}
	buf_addch(out, '"');
	for (const char *p = value; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_addch(out, '\\');
		buf_addch(out, *p);
	}
	buf_addch(out, '"');
	return 0;
}

static bool is_atom(struct str name)
{
	if (name.len == 0)
		return false;
	for (size_t i = 0; i < name.len; i++) {
		unsigned char c = (unsigned char)name.p[i];
		if (c <= 0x20 || c >= 0x7f || strchr("(){%*\"\\]", c))
			return false;
	}
	return true;
}

int connect_caps_filter(struct buf *out, const struct imap_response *response)
{
	struct imap_caps caps;

	if (imap_view_capability(response, &caps) < 0)
		return -1;
	for (size_t i = 0; i < caps.n; i++) {
		struct str name = caps.names[i];
		if (!is_atom(name) || str_caseeq(name, "LOGINDISABLED") ||
		    str_caseeq(name, "STARTTLS") || str_case_starts_with(name, "AUTH="))
			continue;
		if (out->len)
			buf_addch(out, ' ');
		buf_addstr_view(out, name);
	}
	imap_caps_release(&caps);
	return 0;
}

/* The server's line from its status on, printable and short, for errors. */
static void add_server_text(struct buf *out, const struct imap_response *response)
{
	struct str raw = response->raw;
	size_t start = 0, shown = 0;

	if (response->kind == IMAP_TAGGED || response->kind == IMAP_UNTAGGED) {
		while (start < raw.len && raw.p[start] != ' ')
			start++;
		if (start < raw.len)
			start++;
	}
	buf_addch(out, '"');
	for (size_t i = start; i < raw.len && raw.p[i] != '\r' && raw.p[i] != '\n'; i++) {
		unsigned char c = (unsigned char)raw.p[i];
		if (shown++ == SERVER_TEXT_MAX) {
			buf_addstr(out, "...");
			break;
		}
		buf_addch(out, c >= 0x20 && c < 0x7f ? (char)c : '?');
	}
	buf_addch(out, '"');
}

static enum connect_event fail(struct connect *connect, const char *why,
                               const struct imap_response *response)
{
	buf_addstr(&connect->error, why);
	if (response) {
		buf_addstr(&connect->error, ": ");
		add_server_text(&connect->error, response);
	}
	connect->state = CONNECT_FINISHED;
	return CONNECT_FAIL;
}

/* LOGIN, cut where a literal's bytes wait for the server's "+". */
static void send_login(struct connect *connect)
{
	struct buf *login = &connect->login;

	wipe(login);
	connect->login_pieces = 0;
	connect->login_next = 0;
	connect->have_caps = false;
	buf_reset(&connect->caps);
	buf_addstr(login, TAG_LOGIN " LOGIN ");
	const char *values[2] = { connect->user, connect->password };
	for (size_t i = 0; i < 2; i++) {
		if (i)
			buf_addch(login, ' ');
		if (connect_astring(login, values[i]) == 1) {
			connect->login_piece[connect->login_pieces++] = login->len;
			buf_addstr(login, values[i]);
		}
	}
	buf_addstr(login, "\r\n");
	size_t end = connect->login_pieces ? connect->login_piece[0] : login->len;
	buf_add(&connect->out, login->p, end);
	connect->state = CONNECT_LOGIN_SENT;
}

/* The server's "+" during LOGIN: the next piece. */
static void send_login_piece(struct connect *connect)
{
	size_t start = connect->login_piece[connect->login_next++];
	size_t end = connect->login_next < connect->login_pieces
	             ? connect->login_piece[connect->login_next]
	             : connect->login.len;
	buf_add(&connect->out, connect->login.p + start, end - start);
}

static enum connect_event finish(struct connect *connect)
{
	buf_addstr(&connect->greeting, "* PREAUTH [CAPABILITY ");
	buf_add(&connect->greeting, connect->caps.p, connect->caps.len);
	buf_addstr(&connect->greeting, "] Logged in by imapeek-connect\r\n");
	wipe(&connect->login);
	connect->state = CONNECT_FINISHED;
	return CONNECT_DONE;
}

static bool is_tagged(const struct imap_response *response, const char *tag)
{
	return response->kind == IMAP_TAGGED && str_eq(response->tag, tag);
}

static enum connect_event on_greeting(struct connect *connect,
                                      const struct imap_response *response)
{
	struct imap_caps caps = { NULL, 0 };
	bool known = false;

	if (response->kind != IMAP_UNTAGGED)
		return fail(connect, "the server's greeting is no greeting", response);
	if (response->status == IMAP_BYE)
		return fail(connect, "the server said BYE", response);
	if (response->status == IMAP_PREAUTH) {
		/*
		 * Logged in before we said who we are: before STARTTLS that
		 * would leave the connection unencrypted (RFC 2595 section
		 * 3.1's attack), so only with TLS or --plain.
		 */
		if (connect->tls == CONNECT_TLS_STARTTLS)
			return fail(connect, "the server greeted with PREAUTH, no STARTTLS possible", response);
		connect->state = CONNECT_CAPABILITY_SENT;
		buf_addstr(&connect->out, TAG_CAPABILITY " CAPABILITY\r\n");
		return CONNECT_MORE;
	}
	if (response->status != IMAP_OK)
		return fail(connect, "the server's greeting is no greeting", response);
	if (imap_view_capability(response, &caps) == 0)
		known = true;
	bool starttls = known && imap_caps_has(&caps, "STARTTLS");
	bool disabled = known && imap_caps_has(&caps, "LOGINDISABLED");
	imap_caps_release(&caps);
	if (connect->tls == CONNECT_TLS_STARTTLS) {
		if (known && !starttls)
			return fail(connect, "the server does not offer STARTTLS", response);
		buf_addstr(&connect->out, TAG_STARTTLS " STARTTLS\r\n");
		connect->state = CONNECT_STARTTLS_SENT;
		return CONNECT_MORE;
	}
	if (disabled)
		return fail(connect, "the server refuses LOGIN here (LOGINDISABLED)", response);
	send_login(connect);
	return CONNECT_MORE;
}

static enum connect_event on_response(struct connect *connect,
                                      const struct imap_response *response)
{
	if (connect->state == CONNECT_GREETING)
		return on_greeting(connect, response);
	if (response->kind == IMAP_UNTAGGED && response->status == IMAP_BYE)
		return fail(connect, "the server said BYE", response);
	if (response->kind == IMAP_CONTINUATION) {
		if (connect->state == CONNECT_LOGIN_SENT &&
		    connect->login_next < connect->login_pieces) {
			send_login_piece(connect);
			return CONNECT_MORE;
		}
		return fail(connect, "unexpected continuation from the server", response);
	}
	if (response->kind == IMAP_UNTAGGED) {
		/* Capabilities after login count; before it they may change. */
		if (connect->state != CONNECT_STARTTLS_SENT &&
		    imap_view_kind(response) == IMAP_VIEW_CAPABILITY) {
			buf_reset(&connect->caps);
			connect_caps_filter(&connect->caps, response);
			connect->have_caps = true;
		}
		return CONNECT_MORE;
	}
	switch (connect->state) {
	case CONNECT_STARTTLS_SENT:
		if (!is_tagged(response, TAG_STARTTLS))
			return fail(connect, "unexpected answer to STARTTLS", response);
		if (response->status != IMAP_OK)
			return fail(connect, "STARTTLS refused", response);
		return CONNECT_STARTTLS;
	case CONNECT_LOGIN_SENT:
		if (!is_tagged(response, TAG_LOGIN))
			return fail(connect, "unexpected answer to LOGIN", response);
		if (response->status != IMAP_OK)
			return fail(connect, "login refused", response);
		{
			struct buf caps = BUF_INIT;
			if (connect_caps_filter(&caps, response) == 0) {
				buf_reset(&connect->caps);
				buf_add(&connect->caps, caps.p, caps.len);
				connect->have_caps = true;
			}
			buf_release(&caps);
		}
		if (connect->have_caps)
			return finish(connect);
		buf_addstr(&connect->out, TAG_CAPABILITY " CAPABILITY\r\n");
		connect->state = CONNECT_CAPABILITY_SENT;
		return CONNECT_MORE;
	case CONNECT_CAPABILITY_SENT:
		if (!is_tagged(response, TAG_CAPABILITY))
			return fail(connect, "unexpected answer to CAPABILITY", response);
		if (response->status != IMAP_OK || !connect->have_caps)
			return fail(connect, "no capabilities after login", response);
		return finish(connect);
	default:
		return fail(connect, "unexpected answer", response);
	}
}

enum connect_event connect_feed(struct connect *connect, const char *data,
                                size_t len, size_t *used)
{
	enum connect_event event = CONNECT_MORE;
	size_t pos = 0;

	if (connect->state == CONNECT_FINISHED) {
		*used = 0;
		if (!connect->error.len)
			buf_addstr(&connect->error, "fed after the end");
		return CONNECT_FAIL;
	}
	while (pos < len) {
		struct imap_response *response = NULL;
		size_t taken = 0;
		enum imap_parse_result result = imap_parser_feed(&connect->parser, data + pos,
		                                                 len - pos, &taken, &response);
		pos += taken;
		if (result == IMAP_PARSE_BAD) {
			buf_addf(&connect->error, "the server does not speak IMAP: %s",
			         imap_parser_error(&connect->parser));
			connect->state = CONNECT_FINISHED;
			event = CONNECT_FAIL;
			break;
		}
		if (result == IMAP_PARSE_PARTIAL)
			break;
		event = on_response(connect, response);
		imap_response_free(response);
		if (event != CONNECT_MORE)
			break;
	}
	/*
	 * Bytes after the answer to STARTTLS were sent in the clear before
	 * the handshake: whoever sent them could be in the middle (CVE-2011-0411).
	 */
	if (event == CONNECT_STARTTLS && pos < len) {
		buf_addstr(&connect->error, "the server sent bytes after its STARTTLS answer");
		connect->state = CONNECT_FINISHED;
		event = CONNECT_FAIL;
	}
	*used = pos;
	return event;
}

void connect_tls_started(struct connect *connect)
{
	/* Nothing said before the handshake can be trusted after it. */
	imap_parser_release(&connect->parser);
	imap_parser_init(&connect->parser, CONNECT_MAX_LITERAL);
	send_login(connect);
}
