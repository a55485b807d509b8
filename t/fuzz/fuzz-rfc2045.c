/* base64 and quoted-printable: whole and chunked decoding must agree. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rfc2045.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	size_t chunk = size ? (size_t)data[0] % 97 + 1 : 1;

	for (int qp = 0; qp < 2; qp++) {
		struct buf whole = BUF_INIT, parts = BUF_INIT;
		if (qp) {
			struct rfc2045_qp st;
			rfc2045_qp_decode(&whole, in, size);
			rfc2045_qp_init(&st);
			for (size_t i = 0; i < size; i += chunk)
				rfc2045_qp_feed(&st, &parts, in + i, size - i < chunk ? size - i : chunk);
			rfc2045_qp_finish(&st, &parts);
			/* QP never makes more bytes than it reads */
			if (whole.len > size)
				abort();
		} else {
			struct rfc2045_b64 st;
			rfc2045_b64_decode(&whole, in, size);
			rfc2045_b64_init(&st);
			for (size_t i = 0; i < size; i += chunk)
				rfc2045_b64_feed(&st, &parts, in + i, size - i < chunk ? size - i : chunk);
			rfc2045_b64_finish(&st, &parts);
			if (whole.len > size / 4 * 3 + 3)
				abort();
		}
		if (whole.len != parts.len || memcmp(buf_cstr(&whole), buf_cstr(&parts), whole.len))
			abort();
		buf_release(&whole);
		buf_release(&parts);
	}
	rfc2045_cte_lookup((struct str){ in, size });
	return 0;
}
