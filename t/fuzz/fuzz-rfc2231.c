/* MIME parameters: bounded lists of valid UTF-8 values. */
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "fuzz.h"
#include "rfc2231.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rfc2231_params params;

	rfc2231_parse(&params, (const char *)data, size);
	if (params.n > RFC2231_PARAMS_MAX)
		abort();
	for (size_t i = 0; i < params.n; i++) {
		const char *v = params.v[i].value;
		if (!charset_utf8_valid(v, strlen(v)))
			abort();
		if (rfc2231_get(&params, params.v[i].name) == NULL)
			abort();
	}
	rfc2231_release(&params);
	return 0;
}
