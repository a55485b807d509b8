/* Charset conversion: the first line names the charset, the rest is text. */
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	const char *nl = memchr(in, '\n', size);
	size_t label_len = nl ? (size_t)(nl - in) : 0;
	char *label = nl ? strndup(in, label_len) : NULL;
	const char *text = nl ? nl + 1 : in;
	size_t text_len = nl ? size - label_len - 1 : size;
	struct buf out = BUF_INIT, clean = BUF_INIT;

	charset_to_utf8(&out, label, text, text_len);
	if (!charset_utf8_valid(buf_cstr(&out), out.len))
		abort();
	charset_utf8_sanitize(&clean, in, size);
	if (!charset_utf8_valid(buf_cstr(&clean), clean.len))
		abort();
	/* sanitizing valid UTF-8 changes nothing */
	if (charset_utf8_valid(in, size) && (clean.len != size || memcmp(clean.p, in, size)))
		abort();
	size_t cut = charset_utf8_cut(buf_cstr(&clean), clean.len, clean.len / 2);
	if (!charset_utf8_valid(buf_cstr(&clean), cut))
		abort();
	free(label);
	buf_release(&out);
	buf_release(&clean);
	return 0;
}
