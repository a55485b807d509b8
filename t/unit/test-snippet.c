/* Search snippets: a message's start as one short line of valid UTF-8. */
#include <string.h>

#include "../tap.h"
#include "snippet.h"

static const struct {
	const char *in, *want, *name;
} rows[] = {
	{ "Hello,\r\n\r\nthe build   fails\ton arm.\r\n", "Hello, the build fails on arm.",
	  "lines and blank runs become single spaces" },
	{ "--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln\r\n",
	  "Grüße aus Köln", "a leading boundary and part headers are skipped" },
	{ "SGVsbG8gd29ybGQsIHRoaXMgaXMgYmFzZTY0IGVuY29kZWQgdGV4dA==\r\n", "",
	  "base64 alone gives no snippet" },
	{ "bad \xff\xfe bytes \x01 and controls", "bad bytes and controls",
	  "bad bytes and control characters are dropped" },
	{ "", "", "nothing gives nothing" },
};

int main(void)
{
	struct buf out = BUF_INIT;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		buf_reset(&out);
		snippet_make(&out, rows[i].in, strlen(rows[i].in), false);
		tap_is_str(buf_cstr(&out), rows[i].want, rows[i].name);
	}
	/* A long text is cut at a word, with an ellipsis, within the limit. */
	struct buf in = BUF_INIT;
	for (int i = 0; i < 100; i++)
		buf_addstr(&in, "wörd ");
	buf_reset(&out);
	snippet_make(&out, in.p, in.len, false);
	tap_ok(out.len <= SNIPPET_MAX + 3 && out.len > SNIPPET_MAX / 2 &&
	       !strcmp(out.p + out.len - 3, "\xe2\x80\xa6") &&
	       !strncmp(out.p + out.len - 8, "wörd", 5),
	       "a long text is cut after a whole word, with an ellipsis (%zu bytes)", out.len);
	buf_release(&in);
	buf_reset(&out);
	const char *mail = "Ask jane.doe@mail.example.org, or @here.";
	snippet_make(&out, mail, strlen(mail), true);
	tap_is_str(buf_cstr(&out), "Ask jane.doe@\xe2\x80\xa6, or @here.",
	           "obfuscated: an address's domain is hidden");
	buf_release(&out);
	return tap_done();
}
