/*
 * The mail-text renderer: whatever the text, the HTML holds only our own
 * tags, balanced, every link is http, https or mailto, and it is valid
 * UTF-8; with and without obfuscation.
 */
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "fuzz.h"
#include "mailtext.h"

static const char *const allowed[] = {
	"a ", "/a>", "blockquote>", "/blockquote>", "details ", "/details>",
	"summary>", "/summary>", "div ", "/div>", "pre>", "/pre>",
};

static size_t count(const char *html, const char *needle)
{
	size_t n = 0;
	for (const char *p = html; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void check(const struct buf *out)
{
	const char *html = buf_cstr(out);

	if (!charset_utf8_valid(html, out->len) || strlen(html) != out->len)
		abort();
	for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<')) {
		bool ok = false;
		for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
			ok |= !strncmp(p + 1, allowed[i], strlen(allowed[i]));
		if (!ok)
			abort();
	}
	for (const char *p = strstr(html, "<a href=\""); p; p = strstr(p + 1, "<a href=\"")) {
		p += 9;
		if (strncasecmp(p, "http://", 7) && strncasecmp(p, "https://", 8) &&
		    strncasecmp(p, "mailto:", 7))
			abort();
	}
	if (count(html, "<blockquote>") != count(html, "</blockquote>") ||
	    count(html, "<details") != count(html, "</details>") ||
	    count(html, "<a ") != count(html, "</a>") ||
	    count(html, "<div") != count(html, "</div>") ||
	    count(html, "<pre>") != count(html, "</pre>"))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int obfuscate = 0; obfuscate < 2; obfuscate++) {
		struct mailtext_opts opts = { .obfuscate = obfuscate };
		struct buf out = BUF_INIT;
		mailtext_to_html(&out, (const char *)data, size, &opts);
		check(&out);
		buf_release(&out);
	}
	return 0;
}
