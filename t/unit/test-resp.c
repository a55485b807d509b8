/*
 * The response writer: headers collected until the first body byte and
 * sent once, HEAD bodies counted and dropped, a failed write sticks, and
 * every framing mistake (header injection above all) refused: a test
 * build aborts, which a forked child shows here.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "req.h"
#include "../tap.h"

/* What the front end saw. */
struct seen {
	int begins, writes;
	int status;
	struct buf head, body;
	bool fail_writes;
};

static int seen_begin(void *ctx, int status, const struct resp_header *headers,
                      size_t nheaders)
{
	struct seen *seen = ctx;

	seen->begins++;
	seen->status = status;
	for (size_t i = 0; i < nheaders; i++)
		buf_addf(&seen->head, "%s: %s\n", headers[i].name, headers[i].value);
	return 0;
}

static int seen_write(void *ctx, const char *data, size_t len)
{
	struct seen *seen = ctx;

	seen->writes++;
	if (seen->fail_writes)
		return -1;
	buf_add(&seen->body, data, len);
	return 0;
}

static const struct resp_ops seen_ops = { .begin = seen_begin, .write = seen_write };

static void seen_release(struct seen *seen)
{
	buf_release(&seen->head);
	buf_release(&seen->body);
}

static void test_normal(void)
{
	struct seen seen = { 0 };
	struct resp resp;

	resp_init(&resp, &seen_ops, &seen, false);
	tap_ok(resp.status == 200, "status defaults to 200");
	resp_set_status(&resp, 404);
	resp_header(&resp, "Content-Type", "text/plain");
	resp_header(&resp, "ETag", "\"1\"");
	resp_header(&resp, "content-type", "text/html; charset=utf-8");
	tap_is_str(resp_get_header(&resp, "CONTENT-TYPE"), "text/html; charset=utf-8",
	           "same header name in another case replaces the value");
	tap_ok(resp_get_header(&resp, "Location") == NULL, "absent header is NULL");
	tap_ok(seen.begins == 0, "nothing sent before the first body byte");
	tap_ok(resp_puts(&resp, "hello ") == 0 &&
	       resp_printf(&resp, "%s %d", "world", 42) == 0 &&
	       resp_write(&resp, "", 0) == 0 && resp_finish(&resp) == 0,
	       "every write succeeds");
	tap_ok(seen.begins == 1, "headers sent exactly once (%d)", seen.begins);
	tap_ok(seen.status == 404, "status reaches the front end");
	tap_is_str(buf_cstr(&seen.head), "Content-Type: text/html; charset=utf-8\nETag: \"1\"\n",
	           "headers in order, replaced value in place of the first");
	tap_is_str(buf_cstr(&seen.body), "hello world 42", "body bytes");
	tap_ok(resp.body_bytes == 14, "body_bytes counts them (%zu)", resp.body_bytes);
	resp_release(&resp);
	seen_release(&seen);
}

static void test_head(void)
{
	struct seen seen = { 0 };
	struct resp resp;

	resp_init(&resp, &seen_ops, &seen, true);
	resp_header(&resp, "Content-Type", "text/plain");
	tap_ok(resp_puts(&resp, "twelve bytes") == 0, "HEAD: a write succeeds");
	tap_ok(resp_finish(&resp) == 0, "HEAD response finishes");
	tap_ok(seen.begins == 1 && seen.writes == 0,
	       "HEAD: headers sent, write never called (%d)", seen.writes);
	tap_ok(resp.body_bytes == 12, "HEAD: dropped bytes counted (%zu)", resp.body_bytes);
	resp_release(&resp);
	seen_release(&seen);
}

/*
 * A precondition that held before the page knew whether it is there: a
 * 200 becomes a 304 without body or length, anything else goes out whole.
 */
static void test_not_modified_if_ok(void)
{
	struct seen seen = { 0 };
	struct resp resp;

	resp_init(&resp, &seen_ops, &seen, false);
	resp_not_modified_if_ok(&resp);
	tap_ok(!resp_body_wanted(&resp), "a 304 to be wants no body, as a HEAD");
	resp_header(&resp, "ETag", "\"1\"");
	resp_header(&resp, "Content-Length", "14");
	resp_header(&resp, "Content-Type", "text/plain");
	tap_ok(resp_puts(&resp, "hello world 42") == 0 && resp_finish(&resp) == 0,
	       "the page writes its 200");
	tap_ok(seen.status == 304 && seen.writes == 0 && resp.body_bytes == 0,
	       "the front end sees a 304 and no body (%d, %d writes, %zu bytes)",
	       seen.status, seen.writes, resp.body_bytes);
	tap_is_str(buf_cstr(&seen.head), "ETag: \"1\"\nContent-Type: text/plain\n",
	           "... without the 200's Content-Length, the rest in order");
	resp_release(&resp);
	seen_release(&seen);

	memset(&seen, 0, sizeof(seen));
	resp_init(&resp, &seen_ops, &seen, false);
	resp_not_modified_if_ok(&resp);
	resp_set_status(&resp, 404);
	tap_ok(resp_puts(&resp, "no such message") == 0 && resp_finish(&resp) == 0 &&
	       seen.status == 404, "a 404 stays a 404");
	tap_is_str(buf_cstr(&seen.body), "no such message", "... with its body");
	resp_release(&resp);
	seen_release(&seen);

	memset(&seen, 0, sizeof(seen));
	resp_init(&resp, &seen_ops, &seen, false);
	tap_ok(resp_body_wanted(&resp), "a plain GET wants its body");
	resp_header(&resp, "ETag", "\"1\"");
	resp_header(&resp, "Vary", "Accept");
	resp_unset_header(&resp, "ETag");
	resp_unset_header(&resp, "Last-Modified");
	tap_ok(resp_finish(&resp) == 0, "unset headers, absent or not");
	tap_is_str(buf_cstr(&seen.head), "Vary: Accept\n", "... are gone");
	resp_release(&resp);
	seen_release(&seen);
}

static void test_empty_and_failure(void)
{
	struct seen seen = { 0 };
	struct resp resp;

	resp_init(&resp, &seen_ops, &seen, false);
	resp_set_status(&resp, 304);
	tap_ok(resp_finish(&resp) == 0 && seen.begins == 1 && seen.status == 304,
	       "finish without a body still sends the headers");
	resp_finish(&resp);
	tap_ok(seen.begins == 1, "a second finish sends nothing more");
	resp_release(&resp);
	seen_release(&seen);

	memset(&seen, 0, sizeof(seen));
	seen.fail_writes = true;
	resp_init(&resp, &seen_ops, &seen, false);
	tap_ok(resp_puts(&resp, "a") == -1 && resp.failed, "a failed write is reported");
	tap_ok(resp_puts(&resp, "b") == -1 && seen.writes == 1,
	       "after a failure nothing more is written");
	tap_ok(resp_finish(&resp) == -1, "finish reports the failure");
	resp_release(&resp);
	seen_release(&seen);
}

/* Run fn in a child; true if it died of SIGABRT. */
static bool aborts(void (*fn)(const void *arg), const void *arg)
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, STDERR_FILENO);
		fn(arg);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return false;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

struct header_row {
	const char *name, *value;
	bool accepted;
};

static const struct header_row header_rows[] = {
	{ "Content-Type", "text/html; charset=utf-8", true },
	{ "X-Tab", "a\tb", true },
	{ "Content-Disposition", "attachment; filename=\"caf\xc3\xa9.txt\"", true },
	{ "Location", "", true },
	{ "Location", "/a\r\nSet-Cookie: x=1", false },
	{ "Location", "/a\nSet-Cookie: x=1", false },
	{ "Location", "/a\rSet-Cookie: x=1", false },
	{ "X-Bell", "a\x07", false },
	{ "X-Del", "a\x7f", false },
	{ "Set-Cookie: x", "1", false },
	{ "Bad Name", "1", false },
	{ "", "1", false },
	{ "X\r\nInjected", "1", false },
	{ "X-Null", NULL, false },
};

static void set_header_row(const void *arg)
{
	const struct header_row *row = arg;
	struct seen seen = { 0 };
	struct resp resp;

	resp_init(&resp, &seen_ops, &seen, false);
	resp_header(&resp, row->name, row->value);
	resp_finish(&resp);
	resp_release(&resp);
	seen_release(&seen);
}

static void headerf_with_nul(const void *arg)
{
	struct seen seen = { 0 };
	struct resp resp;

	(void)arg;
	resp_init(&resp, &seen_ops, &seen, false);
	resp_headerf(&resp, "X-Nul", "a%cb", 0);
	resp_release(&resp);
}

static void header_after_body(const void *arg)
{
	struct seen seen = { 0 };
	struct resp resp;

	(void)arg;
	resp_init(&resp, &seen_ops, &seen, false);
	if (resp_puts(&resp, "body") == 0)
		resp_header(&resp, "X-Late", "1");
	resp_release(&resp);
}

static void status_after_body(const void *arg)
{
	struct seen seen = { 0 };
	struct resp resp;

	(void)arg;
	resp_init(&resp, &seen_ops, &seen, false);
	if (resp_puts(&resp, "body") == 0)
		resp_set_status(&resp, 500);
	resp_release(&resp);
}

static void overlong_value(const void *arg)
{
	struct seen seen = { 0 };
	struct resp resp;
	char *value = xmalloc(100001);

	(void)arg;
	memset(value, 'a', 100000);
	value[100000] = '\0';
	resp_init(&resp, &seen_ops, &seen, false);
	resp_header(&resp, "X-Long", value);
	resp_release(&resp);
	free(value);
}

static void test_refusals(void)
{
	for (size_t i = 0; i < sizeof(header_rows) / sizeof(header_rows[0]); i++) {
		const struct header_row *row = &header_rows[i];
		/* The name is not printed: some hold CR LF, which TAP cannot. */
		tap_ok(aborts(set_header_row, row) == !row->accepted,
		       "header row %zu %s", i, row->accepted ? "accepted" : "refused");
	}
	tap_ok(aborts(headerf_with_nul, NULL), "resp_headerf with an embedded NUL refused");
	tap_ok(aborts(header_after_body, NULL), "header after the body began aborts");
	tap_ok(aborts(status_after_body, NULL), "status after the body began aborts");
	tap_ok(aborts(overlong_value, NULL), "a 100000-byte header value is refused");
}

static void test_status_text(void)
{
	static const struct { int status; const char *text; } rows[] = {
		{ 200, "OK" }, { 301, "Moved Permanently" }, { 302, "Found" },
		{ 304, "Not Modified" }, { 400, "Bad Request" }, { 404, "Not Found" },
		{ 405, "Method Not Allowed" }, { 414, "URI Too Long" },
		{ 500, "Internal Server Error" }, { 502, "Bad Gateway" },
		{ 504, "Gateway Timeout" }, { 299, "Success" }, { 499, "Client Error" },
		{ 599, "Server Error" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		tap_is_str(http_status_text(rows[i].status), rows[i].text, rows[i].text);
}

int main(void)
{
	test_normal();
	test_head();
	test_not_modified_if_ok();
	test_empty_and_failure();
	test_refusals();
	test_status_text();
	return tap_done();
}
