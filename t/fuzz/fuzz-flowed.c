/* format=flowed: valid UTF-8 out, both DelSp settings. */
#include <stdlib.h>

#include "charset.h"
#include "flowed.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int delsp = 0; delsp < 2; delsp++) {
		struct buf out = BUF_INIT;
		flowed_decode(&out, (const char *)data, size, delsp);
		if (!charset_utf8_valid(buf_cstr(&out), out.len))
			abort();
		buf_release(&out);
	}
	return 0;
}
