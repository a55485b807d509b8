/*
 * imapeek-connect's conversation (lib/connect.c) fed a hostile server: the
 * first byte picks implicit TLS, STARTTLS or --plain, the rest is what the
 * server says, fed whole and again byte by byte.  abort() when a greeting
 * for the client is not one "* PREAUTH [CAPABILITY ...]" line without
 * STARTTLS, LOGINDISABLED or AUTH=, when an error is not one printable
 * line, when the password leaves outside LOGIN, or when the two feedings
 * end differently (STARTTLS aside: whole, bytes after its answer fail).
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "connect.h"

#define FUZZ_PASSWORD "pw-\303\274-secret"

struct outcome {
	enum connect_event event;
	struct buf text; /* greeting or error */
	bool starttls;
};

static void check_greeting(const struct buf *greeting)
{
	static const char head[] = "* PREAUTH [CAPABILITY ";
	const char *close;

	if (greeting->len < sizeof(head) + 2 || memcmp(greeting->p, head, sizeof(head) - 1) ||
	    memcmp(greeting->p + greeting->len - 2, "\r\n", 2))
		abort();
	if (memchr(greeting->p, '\n', greeting->len - 1) || memchr(greeting->p, '\r', greeting->len - 2))
		abort();
	close = memchr(greeting->p, ']', greeting->len);
	if (!close)
		abort();
	struct str caps = { greeting->p + sizeof(head) - 1, (size_t)(close - greeting->p) - (sizeof(head) - 1) };
	for (size_t i = 0; i < caps.len;) {
		size_t end = i;
		while (end < caps.len && caps.p[end] != ' ')
			end++;
		struct str name = { caps.p + i, end - i };
		if (!name.len || str_caseeq(name, "STARTTLS") || str_caseeq(name, "LOGINDISABLED") ||
		    str_case_starts_with(name, "AUTH="))
			abort();
		i = end + 1;
	}
}

static void check_sent(const struct buf *out)
{
	/* The password goes only inside the LOGIN command: as its literal or quoted. */
	const char *at = out->len ? memmem(out->p, out->len, FUZZ_PASSWORD, strlen(FUZZ_PASSWORD)) : NULL;
	if (at && !memmem(out->p, out->len, "C2 LOGIN", 8) && at != out->p)
		abort();
}

static void run(const uint8_t *data, size_t size, enum connect_tls tls, size_t step,
                struct outcome *outcome)
{
	struct connect conversation;
	size_t pos = 0;

	outcome->event = CONNECT_MORE;
	outcome->starttls = false;
	connect_init(&conversation, tls, "user", FUZZ_PASSWORD);
	while (pos < size) {
		size_t piece = step && size - pos > step ? step : size - pos, used;
		enum connect_event event = connect_feed(&conversation, (const char *)data + pos,
		                                        piece, &used);
		if (used > piece)
			abort();
		check_sent(&conversation.out);
		connect_sent(&conversation);
		pos += used;
		if (event == CONNECT_STARTTLS) {
			if (tls != CONNECT_TLS_STARTTLS)
				abort();
			outcome->starttls = true;
			connect_tls_started(&conversation);
			check_sent(&conversation.out);
			connect_sent(&conversation);
		}
		if (event == CONNECT_DONE) {
			check_greeting(&conversation.greeting);
			buf_add(&outcome->text, conversation.greeting.p, conversation.greeting.len);
			outcome->event = event;
			break;
		}
		if (event == CONNECT_FAIL) {
			for (size_t i = 0; i < conversation.error.len; i++)
				if ((unsigned char)conversation.error.p[i] < 0x20 ||
				    (unsigned char)conversation.error.p[i] >= 0x7f)
					abort();
			if (!conversation.error.len)
				abort();
			buf_add(&outcome->text, conversation.error.p, conversation.error.len);
			outcome->event = event;
			break;
		}
	}
	connect_release(&conversation);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome whole = { .text = BUF_INIT }, bytes = { .text = BUF_INIT };

	if (size < 1)
		return 0;
	enum connect_tls tls = (enum connect_tls)(data[0] % CONNECT_TLS__MAX);
	run(data + 1, size - 1, tls, 0, &whole);
	run(data + 1, size - 1, tls, 1, &bytes);
	if (!whole.starttls && !bytes.starttls && whole.event == CONNECT_DONE &&
	    (bytes.event != CONNECT_DONE || whole.text.len != bytes.text.len ||
	     memcmp(whole.text.p, bytes.text.p, whole.text.len)))
		abort();
	buf_release(&whole.text);
	buf_release(&bytes.text);
	return 0;
}
