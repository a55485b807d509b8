/* HTML to text: valid, bounded UTF-8 out of any input. */
#include <stdlib.h>

#include "charset.h"
#include "fuzz.h"
#include "html2text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out = BUF_INIT;

	html2text(&out, (const char *)data, size);
	if (!charset_utf8_valid(buf_cstr(&out), out.len) ||
	    out.len > HTML2TEXT_OUTPUT_MAX + HTML2TEXT_LINKS_MAX * 4200)
		abort();
	buf_release(&out);
	return 0;
}
