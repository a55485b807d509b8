#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"

static void misuse(struct json *json, const char *what)
{
#ifdef IMAPEEK_TEST_BUILD
	(void)json;
	fprintf(stderr, "imapeek: JSON writer misuse: %s\n", what);
	abort();
#else
	(void)what;
	json->broken = true;
#endif
}

void json_init(struct json *json, struct buf *out)
{
	memset(json, 0, sizeof(*json));
	json->out = out;
}

int json_finish(struct json *json)
{
	if (!json->broken && (json->depth || !json->done))
		misuse(json, "unbalanced or empty document");
	return json->broken || json->depth || !json->done ? -1 : 0;
}

/* Before any value: place the comma, check a key came where one must. */
static bool before_value(struct json *json)
{
	if (json->broken)
		return false;
	if (json->done) {
		misuse(json, "a second top-level value");
		return false;
	}
	if (json->depth == 0)
		return true;
	if (json->kind[json->depth - 1] == 'o') {
		if (!json->after_key) {
			misuse(json, "object member without a key");
			return false;
		}
		json->after_key = false;
		return true;
	}
	if (json->has_items[json->depth - 1])
		buf_addch(json->out, ',');
	json->has_items[json->depth - 1] = true;
	return true;
}

static void after_value(struct json *json)
{
	if (json->depth == 0)
		json->done = true;
}

void json_key(struct json *json, const char *key)
{
	if (json->broken)
		return;
	if (json->depth == 0 || json->kind[json->depth - 1] != 'o' ||
	    json->after_key) {
		misuse(json, "key outside an object or twice");
		return;
	}
	if (json->has_items[json->depth - 1])
		buf_addch(json->out, ',');
	json->has_items[json->depth - 1] = true;
	json_quote(json->out, key, strlen(key));
	buf_addch(json->out, ':');
	json->after_key = true;
}

static void begin(struct json *json, char kind)
{
	if (!before_value(json))
		return;
	if (json->depth == JSON_MAX_DEPTH) {
		misuse(json, "nesting too deep");
		return;
	}
	json->kind[json->depth] = kind;
	json->has_items[json->depth] = false;
	json->depth++;
	buf_addch(json->out, kind == 'o' ? '{' : '[');
}

static void end(struct json *json, char kind)
{
	if (json->broken)
		return;
	if (json->depth == 0 || json->kind[json->depth - 1] != kind ||
	    json->after_key) {
		misuse(json, "end does not match its begin");
		return;
	}
	json->depth--;
	buf_addch(json->out, kind == 'o' ? '}' : ']');
	after_value(json);
}

void json_object_begin(struct json *json) { begin(json, 'o'); }
void json_object_end(struct json *json) { end(json, 'o'); }
void json_array_begin(struct json *json) { begin(json, 'a'); }
void json_array_end(struct json *json) { end(json, 'a'); }

void json_quote(struct buf *out, const char *s, size_t len)
{
	size_t i = 0;
	int32_t cp;

	buf_grow(out, len + 2);
	buf_addch(out, '"');
	while (i < len) {
		size_t n = utf8_next(s + i, len - i, &cp);

		if (cp < 0) {
			buf_addstr(out, HTML_REPLACEMENT);
		} else if (cp == '"' || cp == '\\') {
			buf_addch(out, '\\');
			buf_addch(out, (char)cp);
		} else if (cp == '\n') {
			buf_addstr(out, "\\n");
		} else if (cp == '\t') {
			buf_addstr(out, "\\t");
		} else if (cp < 0x20 || cp == 0x7f || cp == 0x2028 ||
		           cp == 0x2029) {
			buf_addf(out, "\\u%04x", (unsigned)cp);
		} else if (cp == '/' && i > 0 && s[i - 1] == '<') {
			buf_addstr(out, "\\/");
		} else {
			buf_add(out, s + i, n);
		}
		i += n;
	}
	buf_addch(out, '"');
}

void json_stringn(struct json *json, const char *s, size_t len)
{
	if (!before_value(json))
		return;
	json_quote(json->out, s, len);
	after_value(json);
}

void json_string(struct json *json, const char *s)
{
	if (!s)
		json_null(json);
	else
		json_stringn(json, s, strlen(s));
}

void json_int(struct json *json, int64_t value)
{
	if (!before_value(json))
		return;
	buf_addf(json->out, "%lld", (long long)value);
	after_value(json);
}

void json_uint(struct json *json, uint64_t value)
{
	if (!before_value(json))
		return;
	buf_addf(json->out, "%llu", (unsigned long long)value);
	after_value(json);
}

void json_bool(struct json *json, bool value)
{
	if (!before_value(json))
		return;
	buf_addstr(json->out, value ? "true" : "false");
	after_value(json);
}

void json_null(struct json *json)
{
	if (!before_value(json))
		return;
	buf_addstr(json->out, "null");
	after_value(json);
}

void json_kv_string(struct json *json, const char *key, const char *s)
{
	json_key(json, key);
	json_string(json, s);
}

void json_kv_int(struct json *json, const char *key, int64_t value)
{
	json_key(json, key);
	json_int(json, value);
}

void json_kv_uint(struct json *json, const char *key, uint64_t value)
{
	json_key(json, key);
	json_uint(json, value);
}

void json_kv_bool(struct json *json, const char *key, bool value)
{
	json_key(json, key);
	json_bool(json, value);
}
