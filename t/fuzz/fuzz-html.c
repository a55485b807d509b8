/* Escapers and decoders on any bytes: HTML and JSON output is valid UTF-8
 * with no raw markup character or "</"; a decoded URL has no NUL and, when
 * asked, is valid UTF-8; the query parser never crashes. */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct buf out = BUF_INIT, value = BUF_INIT;
	char *query;

	html_escape(&out, in, size);
	if (!utf8_valid(out.p ? out.p : "", out.len) ||
	    (out.len && (memchr(out.p, '<', out.len) || memchr(out.p, '"', out.len) ||
	                 memchr(out.p, '\'', out.len) || memchr(out.p, '\0', out.len))))
		abort();
	buf_reset(&out);
	json_quote(&out, in, size);
	if (!utf8_valid(out.p, out.len) || memmem(out.p, out.len, "</", 2) ||
	    memchr(out.p, '\0', out.len))
		abort();
	buf_reset(&out);
	if (html_url_decode(&out, in, size, HTML_DECODE_UTF8) == 0 &&
	    (!utf8_valid(buf_cstr(&out), out.len) ||
	     (out.len && memchr(out.p, '\0', out.len))))
		abort();
	query = xstrndup(in, size);
	html_query_param(query, "page", &value);
	free(query);
	buf_release(&out);
	buf_release(&value);
	return 0;
}
