/*
 * A JSON writer into a struct buf.  The writer places every comma and
 * colon itself and tracks nesting; the caller only says what comes next.
 *
 * Strings are written as valid UTF-8 whatever they hold: invalid bytes
 * become U+FFFD, control characters \u00XX, and "/" after "<" is escaped
 * so "</script>" cannot appear in the output; U+2028 and U+2029 are
 * escaped too, so the output is also a valid JavaScript literal.
 *
 * Misuse (a value in an object without a key, a key in an array, an end
 * that does not match, nesting deeper than JSON_MAX_DEPTH, a second
 * top-level value) aborts in test builds; otherwise the writer marks
 * itself broken, writes nothing more, and json_finish() returns -1.
 */
#ifndef IMAPEEK_JSON_H
#define IMAPEEK_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define JSON_MAX_DEPTH 32

struct json {
	struct buf *out;
	unsigned depth;
	/* Per level: 'o' object or 'a' array. */
	char kind[JSON_MAX_DEPTH];
	bool has_items[JSON_MAX_DEPTH];
	bool after_key;   /* a key was written, its value is due */
	bool done;        /* the top-level value is complete */
	bool broken;
};

void json_init(struct json *json, struct buf *out);
/* 0 when exactly one complete top-level value was written, else -1. */
int json_finish(struct json *json) MUST_CHECK;

void json_object_begin(struct json *json);
void json_object_end(struct json *json);
void json_array_begin(struct json *json);
void json_array_end(struct json *json);
void json_key(struct json *json, const char *key);

void json_string(struct json *json, const char *s);     /* NULL: null */
void json_stringn(struct json *json, const char *s, size_t len);
void json_int(struct json *json, int64_t value);
void json_uint(struct json *json, uint64_t value);
void json_bool(struct json *json, bool value);
void json_null(struct json *json);

/* key + value in one call, for the common object member. */
void json_kv_string(struct json *json, const char *key, const char *s);
void json_kv_int(struct json *json, const char *key, int64_t value);
void json_kv_uint(struct json *json, const char *key, uint64_t value);
void json_kv_bool(struct json *json, const char *key, bool value);

/* Append s as a JSON string literal (quotes included) to out. */
void json_quote(struct buf *out, const char *s, size_t len);

#endif
