/* The JSON writer: strings, numbers, nesting, and misuse. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../tap.h"
#include "json.h"

static void strings(void)
{
	/* {input, expected literal} */
	static const struct { const char *in; size_t len; const char *want; } rows[] = {
		{ "plain", 0, "\"plain\"" },
		{ "<\"'&>", 0, "\"<\\\"'&>\"" },
		{ "</script><script>", 0, "\"<\\/script><script>\"" },
		{ "a/b <x/>", 0, "\"a/b <x/>\"" },
		{ "back\\slash", 0, "\"back\\\\slash\"" },
		{ "tab\tnl\ncr\r", 0, "\"tab\\tnl\\ncr\\u000d\"" },
		{ "nul\0x", 5, "\"nul\\u0000x\"" },
		{ "\x01\x1f\x7f", 0, "\"\\u0001\\u001f\\u007f\"" },
		{ "\xe2\x80\xa8\xe2\x80\xa9", 0, "\"\\u2028\\u2029\"" },
		{ "Gr\xc3\xbc\xc3\x9f" "e \xf0\x9f\x98\x80", 0, "\"Gr\xc3\xbc\xc3\x9f" "e \xf0\x9f\x98\x80\"" },
		{ "bad\xff\xc3(", 0, "\"bad\xef\xbf\xbd\xef\xbf\xbd(\"" },
		{ "\xed\xa0\x80", 0, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
		{ "", 0, "\"\"" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct buf out = BUF_INIT;
		struct json json;
		json_init(&json, &out);
		json_stringn(&json, rows[i].in, rows[i].len ? rows[i].len : strlen(rows[i].in));
		tap_ok(json_finish(&json) == 0, "string row %zu finishes", i);
		tap_is_str(buf_cstr(&out), rows[i].want, "  literal");
		buf_release(&out);
	}
}

static void document(void)
{
	struct buf out = BUF_INIT;
	struct json json;

	json_init(&json, &out);
	json_object_begin(&json);
	json_kv_string(&json, "mailbox", "lists/dev");
	json_kv_uint(&json, "total", 18446744073709551615ull);
	json_kv_int(&json, "min", INT64_MIN);
	json_kv_bool(&json, "ok", true);
	json_kv_string(&json, "prev", NULL);
	json_key(&json, "messages");
	json_array_begin(&json);
	for (int i = 1; i <= 2; i++) {
		json_object_begin(&json);
		json_kv_int(&json, "uid", i);
		json_key(&json, "from");
		json_object_begin(&json);
		json_kv_string(&json, "name", NULL);
		json_kv_string(&json, "address", "a@b");
		json_object_end(&json);
		json_object_end(&json);
	}
	json_array_end(&json);
	json_key(&json, "empty");
	json_array_begin(&json);
	json_array_end(&json);
	json_key(&json, "nested");
	json_array_begin(&json);
	json_array_begin(&json);
	json_null(&json);
	json_bool(&json, false);
	json_array_end(&json);
	json_object_begin(&json);
	json_object_end(&json);
	json_array_end(&json);
	json_object_end(&json);
	tap_ok(json_finish(&json) == 0, "a nested document finishes");
	tap_is_str(buf_cstr(&out),
	           "{\"mailbox\":\"lists/dev\",\"total\":18446744073709551615,"
	           "\"min\":-9223372036854775808,\"ok\":true,\"prev\":null,"
	           "\"messages\":[{\"uid\":1,\"from\":{\"name\":null,\"address\":\"a@b\"}},"
	           "{\"uid\":2,\"from\":{\"name\":null,\"address\":\"a@b\"}}],"
	           "\"empty\":[],\"nested\":[[null,false],{}]}",
	           "  every comma and colon placed by the writer");
	buf_release(&out);
}

/* Misuse aborts in the test build: run each case in a child. */
static void misuse(void)
{
	static const char *const cases[] = {
		"value in object without key", "key in array", "mismatched end",
		"unclosed", "two top-level values", "too deep", "empty", "key twice",
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pid_t pid;
		int status = 0;

		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			struct buf out = BUF_INIT;
			struct json json;
			/* The expected abort is not a failure to report. */
			if (!freopen("/dev/null", "w", stderr))
				_exit(3);
			json_init(&json, &out);
			switch (i) {
			case 0: json_object_begin(&json); json_int(&json, 1); break;
			case 1: json_array_begin(&json); json_key(&json, "k"); break;
			case 2: json_array_begin(&json); json_object_end(&json); break;
			case 3: json_array_begin(&json); break;
			case 4: json_int(&json, 1); json_int(&json, 2); break;
			case 5: for (int d = 0; d <= JSON_MAX_DEPTH; d++) json_array_begin(&json); break;
			case 6: break;
			case 7: json_object_begin(&json); json_key(&json, "a"); json_key(&json, "b"); break;
			}
			_exit(json_finish(&json) < 0 ? 4 : 0);
		}
		waitpid(pid, &status, 0);
		tap_ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
		       "misuse aborts in test builds: %s", cases[i]);
	}
}

int main(void)
{
	strings();
	document();
	misuse();
	return tap_done();
}
