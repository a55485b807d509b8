/*
 * Any bytes as an Accept and as an Accept-Encoding field (up to a NUL, as
 * the front ends hand them over).  Weights are NEGOTIATE_ABSENT or
 * 0..1000; the choices follow from the weights; the field read in upper
 * or lower case, or after an empty element, gives the same weights (names
 * and "q" are case-insensitive, other parameters are ignored, and empty
 * elements count for nothing).
 */
#include "fuzz.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "negotiate.h"

static const char *const media_types[] = {
	"application/json", "text/html", "text/plain", "application/atom+xml",
};
static const char *const codings[] = { "gzip", "br", "identity", "deflate" };

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct weights {
	int accept[COUNT(media_types)];
	int encoding[COUNT(codings)];
	bool json, gzip;
};

static void weigh(const char *field, struct weights *weights)
{
	for (size_t i = 0; i < COUNT(media_types); i++) {
		int weight = negotiate_accept(field, media_types[i]);
		if (weight != NEGOTIATE_ABSENT && (weight < 0 || weight > 1000))
			abort();
		weights->accept[i] = weight;
	}
	for (size_t i = 0; i < COUNT(codings); i++) {
		int weight = negotiate_encoding(field, codings[i]);
		if (weight != NEGOTIATE_ABSENT && (weight < 0 || weight > 1000))
			abort();
		weights->encoding[i] = weight;
	}
	weights->json = negotiate_json(field);
	weights->gzip = negotiate_gzip(field);
	if (weights->json != (weights->accept[0] > 0 &&
	                      weights->accept[0] > weights->accept[1]))
		abort();
	if (weights->gzip != (weights->encoding[0] > 0))
		abort();
}

static void same_weights(const char *field, const struct weights *want)
{
	struct weights got;

	memset(&got, 0, sizeof(got));
	weigh(field, &got);
	if (memcmp(&got, want, sizeof(got)) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *field = xstrndup((const char *)data, size);
	size_t len = strlen(field);
	struct weights weights;
	struct buf variant = BUF_INIT;

	memset(&weights, 0, sizeof(weights));
	weigh(field, &weights);
	/* Within the part of the field that is read, case does not count. */
	if (len <= NEGOTIATE_MAX_FIELD) {
		for (size_t i = 0; i < len; i++)
			buf_addch(&variant, (char)toupper((unsigned char)field[i]));
		same_weights(buf_cstr(&variant), &weights);
		buf_reset(&variant);
		for (size_t i = 0; i < len; i++)
			buf_addch(&variant, (char)tolower((unsigned char)field[i]));
		same_weights(buf_cstr(&variant), &weights);
	}
	if (len + 3 <= NEGOTIATE_MAX_FIELD) {
		buf_reset(&variant);
		buf_addf(&variant, " ,\t%s", field);
		same_weights(buf_cstr(&variant), &weights);
	}
	buf_release(&variant);
	free(field);
	return 0;
}
