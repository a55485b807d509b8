/* Encoded words: any header value decodes to bounded, valid UTF-8. */
#include <stdlib.h>

#include "charset.h"
#include "fuzz.h"
#include "rfc2047.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out = BUF_INIT;

	rfc2047_decode(&out, (const char *)data, size);
	if (!charset_utf8_valid(buf_cstr(&out), out.len) || out.len > RFC2047_OUTPUT_MAX)
		abort();
	buf_release(&out);
	return 0;
}
