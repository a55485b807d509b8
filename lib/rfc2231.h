/*
 * MIME parameters of Content-Type and Content-Disposition (RFC 2045
 * 5.1, RFC 2231): "type/subtype; name=value; name*=utf-8''%E2%82%AC;
 * name*0=...; name*1*=..." into a list of (lowercased name, UTF-8 value).
 */
#ifndef IMAPEEK_RFC2231_H
#define IMAPEEK_RFC2231_H

#include <stddef.h>

#include "buf.h"

/* Parameters kept per header, and continuation segments looked at. */
#define RFC2231_PARAMS_MAX 64
#define RFC2231_SEGMENTS_MAX 1000

struct rfc2231_param {
	char *name;   /* lowercased */
	char *value;  /* UTF-8, decoded */
};

struct rfc2231_params {
	char *value;  /* before the first ";", trimmed and lowercased: "text/plain" */
	struct rfc2231_param *v;
	size_t n;
};

/* Parse a header value.  Total: any input gives some (maybe empty) list. */
void rfc2231_parse(struct rfc2231_params *params, const char *in, size_t len);
/* The value of a parameter (name in lower case), or NULL. */
const char *rfc2231_get(const struct rfc2231_params *params, const char *name);
void rfc2231_release(struct rfc2231_params *params);

#endif
