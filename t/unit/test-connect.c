/*
 * imapeek-connect's conversation (lib/connect.c) without a network:
 * astring rows, the capability filter, and scripted servers, each fed
 * whole and again one byte at a time.
 */
#include <string.h>

#include "connect.h"
#include "../tap.h"

struct astring_row {
	const char *in, *out;
};

static const struct astring_row astring_rows[] = {
	{ "imapeek", "\"imapeek\"" },
	{ "", "\"\"" },
	{ "a b", "\"a b\"" },
	{ "qu\"ot\\ed", "\"qu\\\"ot\\\\ed\"" },
	{ "{5}", "\"{5}\"" },
	{ "Gr\303\274n", "{5}\r\n" },    /* 8-bit: a literal */
	{ "a\rb", "{3}\r\n" },           /* a CR: a literal */
	{ "a\nb", "{3}\r\n" },
};

struct caps_row {
	const char *response, *caps; /* NULL caps: no capabilities in it */
};

static const struct caps_row caps_rows[] = {
	{ "* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN LOGINDISABLED IDLE\r\n", "IMAP4rev1 IDLE" },
	{ "C2 OK [CAPABILITY IMAP4rev1 SORT THREAD=REFERENCES] Logged in\r\n",
	  "IMAP4rev1 SORT THREAD=REFERENCES" },
	{ "* OK [CAPABILITY imap4rev1 auth=login starttls] hi\r\n", "imap4rev1" },
	{ "* CAPABILITY IMAP4rev1 \"a b\" X-OK\r\n", "IMAP4rev1 X-OK" },
	{ "* CAPABILITY\r\n", "" },
	{ "C2 OK Logged in\r\n", NULL },
	{ "* 3 EXISTS\r\n", NULL },
};

struct script {
	const char *name;
	enum connect_tls tls;
	const char *user, *password;
	/* The server's bytes, in turns: a turn is fed after our previous send. */
	const char *server[5];
	/* What we send after each turn ("" nothing), for each turn. */
	const char *sent[5];
	enum connect_event last;
	/* CONNECT_DONE: the greeting; CONNECT_FAIL: the error. */
	const char *result;
	const char *rest; /* CONNECT_DONE: bytes left for the client */
};

static const struct script scripts[] = {
	{ "implicit TLS, capabilities in the LOGIN answer", CONNECT_TLS_IMPLICIT,
	  "user", "pw",
	  { "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n",
	    "C2 OK [CAPABILITY IMAP4rev1 IDLE SORT] Logged in\r\n* 1 EXISTS\r\n" },
	  { "C2 LOGIN \"user\" \"pw\"\r\n", "" },
	  CONNECT_DONE, "* PREAUTH [CAPABILITY IMAP4rev1 IDLE SORT] Logged in by imapeek-connect\r\n",
	  "* 1 EXISTS\r\n" },
	{ "no capabilities with LOGIN: CAPABILITY asked", CONNECT_TLS_NONE, "u", "p",
	  { "* OK [CAPABILITY IMAP4rev1 X] ready\r\n", "C2 OK done\r\n",
	    "* CAPABILITY IMAP4rev1 STARTTLS IDLE\r\nC3 OK done\r\n" },
	  { "C2 LOGIN \"u\" \"p\"\r\n", "C3 CAPABILITY\r\n", "" },
	  CONNECT_DONE, "* PREAUTH [CAPABILITY IMAP4rev1 IDLE] Logged in by imapeek-connect\r\n", "" },
	{ "a password in a literal waits for \"+\"", CONNECT_TLS_IMPLICIT, "u", "Gr\303\274n",
	  { "* OK ready\r\n", "+ go on\r\n", "C2 OK [CAPABILITY IMAP4rev1] in\r\n" },
	  { "C2 LOGIN \"u\" {5}\r\n", "Gr\303\274n\r\n", "" },
	  CONNECT_DONE, "* PREAUTH [CAPABILITY IMAP4rev1] Logged in by imapeek-connect\r\n", "" },
	{ "STARTTLS, then LOGIN", CONNECT_TLS_STARTTLS, "u", "p",
	  { "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi\r\n", "C1 OK go\r\n",
	    "C2 OK [CAPABILITY IMAP4rev1 ENABLE] in\r\n" },
	  { "C1 STARTTLS\r\n", "C2 LOGIN \"u\" \"p\"\r\n", "" },
	  CONNECT_DONE, "* PREAUTH [CAPABILITY IMAP4rev1 ENABLE] Logged in by imapeek-connect\r\n", "" },
	{ "STARTTLS not offered", CONNECT_TLS_STARTTLS, "u", "p",
	  { "* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] hi\r\n" }, { "" },
	  CONNECT_FAIL, "the server does not offer STARTTLS: \"OK [CAPABILITY IMAP4rev1 LOGINDISABLED] hi\"", NULL },
	{ "STARTTLS refused", CONNECT_TLS_STARTTLS, "u", "p",
	  { "* OK hi\r\n", "C1 BAD no\r\n" }, { "C1 STARTTLS\r\n", "" },
	  CONNECT_FAIL, "STARTTLS refused: \"BAD no\"", NULL },
	{ "PREAUTH before STARTTLS", CONNECT_TLS_STARTTLS, "u", "p",
	  { "* PREAUTH hi\r\n" }, { "" },
	  CONNECT_FAIL, "the server greeted with PREAUTH, no STARTTLS possible: \"PREAUTH hi\"", NULL },
	{ "LOGINDISABLED with TLS", CONNECT_TLS_IMPLICIT, "u", "p",
	  { "* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] hi\r\n" }, { "" },
	  CONNECT_FAIL, "the server refuses LOGIN here (LOGINDISABLED): \"OK [CAPABILITY IMAP4rev1 LOGINDISABLED] hi\"", NULL },
	{ "a wrong password", CONNECT_TLS_IMPLICIT, "u", "p",
	  { "* OK hi\r\n", "C2 NO [AUTHENTICATIONFAILED] Authentication\001failed.\r\n" },
	  { "C2 LOGIN \"u\" \"p\"\r\n", "" },
	  CONNECT_FAIL, "login refused: \"NO [AUTHENTICATIONFAILED] Authentication?failed.\"", NULL },
	{ "BYE for a greeting", CONNECT_TLS_IMPLICIT, "u", "p",
	  { "* BYE too busy\r\n" }, { "" },
	  CONNECT_FAIL, "the server said BYE: \"BYE too busy\"", NULL },
	{ "no IMAP at all", CONNECT_TLS_IMPLICIT, "u", "p",
	  { "SSH-2.0-OpenSSH_9.2\r\n" }, { "" },
	  CONNECT_FAIL, NULL, NULL },
	{ "a continuation nobody asked for", CONNECT_TLS_IMPLICIT, "u", "p",
	  { "* OK hi\r\n", "+ what\r\n" }, { "C2 LOGIN \"u\" \"p\"\r\n", "" },
	  CONNECT_FAIL, "unexpected continuation from the server: \"+ what\"", NULL },
	{ "another tag", CONNECT_TLS_IMPLICIT, "u", "p",
	  { "* OK hi\r\n", "X9 OK sure\r\n" }, { "C2 LOGIN \"u\" \"p\"\r\n", "" },
	  CONNECT_FAIL, "unexpected answer to LOGIN: \"OK sure\"", NULL },
};

/* Run a script with the server's turns fed in pieces of step bytes (0: whole). */
static void run_script(const struct script *script, size_t step)
{
	struct connect conversation;
	enum connect_event event = CONNECT_MORE;
	struct buf sent = BUF_INIT;
	const char *rest = "";
	size_t rest_len = 0;
	bool sent_ok = true;

	connect_init(&conversation, script->tls, script->user, script->password);
	for (size_t turn = 0; turn < 5 && script->server[turn]; turn++) {
		const char *data = script->server[turn];
		size_t len = strlen(data), pos = 0;
		buf_reset(&sent);
		while (pos < len) {
			size_t piece = step && len - pos > step ? step : len - pos, used;
			event = connect_feed(&conversation, data + pos, piece, &used);
			buf_add(&sent, conversation.out.p, conversation.out.len);
			connect_sent(&conversation);
			if (event == CONNECT_STARTTLS) {
				connect_tls_started(&conversation);
				buf_add(&sent, conversation.out.p, conversation.out.len);
				connect_sent(&conversation);
			}
			if (event == CONNECT_DONE) {
				rest = data + pos + used;
				rest_len = len - pos - used;
				break;
			}
			if (event == CONNECT_FAIL)
				break;
			pos += used;
		}
		if (script->sent[turn] && strcmp(buf_cstr(&sent), script->sent[turn])) {
			sent_ok = false;
			tap_diag("turn %zu sent '%s'", turn, buf_cstr(&sent));
		}
		if (event == CONNECT_DONE || event == CONNECT_FAIL)
			break;
	}
	tap_ok(sent_ok, "%s (step %zu): we send what we should", script->name, step);
	tap_ok(event == script->last, "%s (step %zu): ends in event %d", script->name, step,
	       (int)script->last);
	if (event == CONNECT_DONE && script->last == CONNECT_DONE) {
		tap_is_str(buf_cstr(&conversation.greeting), script->result, "... the greeting");
		tap_is_mem(rest, rest_len, script->rest, strlen(script->rest),
		           "... and the bytes left for the client");
	} else if (event == CONNECT_FAIL && script->result) {
		tap_is_str(buf_cstr(&conversation.error), script->result, "... the error");
	} else if (event == CONNECT_FAIL) {
		tap_ok(conversation.error.len > 0, "... an error: %s", buf_cstr(&conversation.error));
	}
	buf_release(&sent);
	connect_release(&conversation);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(astring_rows) / sizeof(astring_rows[0]); i++) {
		struct buf out = BUF_INIT;
		int rc = connect_astring(&out, astring_rows[i].in);
		tap_is_str(buf_cstr(&out), astring_rows[i].out, "astring row");
		tap_ok(rc == (astring_rows[i].out[0] == '{'), "... literal %d", rc);
		buf_release(&out);
	}
	for (size_t i = 0; i < sizeof(caps_rows) / sizeof(caps_rows[0]); i++) {
		char error[128];
		const char *text = caps_rows[i].response;
		struct imap_response *response = imap_response_parse(text, strlen(text), 1024,
		                                                      error, sizeof(error));
		struct buf out = BUF_INIT;
		if (!tap_ok(response != NULL, "caps row %zu parses", i))
			continue;
		int rc = connect_caps_filter(&out, response);
		if (caps_rows[i].caps)
			tap_ok(rc == 0 && !strcmp(buf_cstr(&out), caps_rows[i].caps),
			       "caps row %zu: '%s'", i, buf_cstr(&out));
		else
			tap_ok(rc == -1, "caps row %zu: no capabilities", i);
		buf_release(&out);
		imap_response_free(response);
	}
	struct buf logout = BUF_INIT;
	connect_logout(&logout, true);
	tap_is_str(buf_cstr(&logout), "\r\nC4 LOGOUT\r\n", "LOGOUT after a cut line starts a line");
	buf_release(&logout);
	for (size_t i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++) {
		run_script(&scripts[i], 0);
		run_script(&scripts[i], 1);
	}
	return tap_done();
}
