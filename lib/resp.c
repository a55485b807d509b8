/*
 * The response writer: status and headers are collected until the first
 * body byte, then handed to the front end in one call.  Everything a
 * handler could get wrong with HTTP framing is refused here, in one place:
 * a header after the body began, a header name that is not a token, a value
 * with CR, LF or NUL (header injection).  Such a call is a bug in the
 * caller: it aborts in test builds so tests find it, and is logged and
 * ignored in release builds so one bad page cannot take a server down.
 */
#include "req.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* More headers than this is a handler looping, not a response. */
#define RESP_MAX_HEADERS 64
/* Long enough for a Content-Security-Policy or a Location to a long path. */
#define RESP_MAX_VALUE 16384

PRINTF_LIKE(1, 2)
static void resp_bug(const char *fmt, ...)
{
	va_list ap;

	fputs("imapeek: bug: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
#ifdef IMAPEEK_TEST_BUILD
	abort();
#endif
}

void resp_init(struct resp *resp, const struct resp_ops *ops, void *ctx,
               bool head_only)
{
	memset(resp, 0, sizeof(*resp));
	resp->ops = ops;
	resp->ctx = ctx;
	resp->head_only = head_only;
	resp->status = 200;
}

void resp_release(struct resp *resp)
{
	for (size_t i = 0; i < resp->nheaders; i++) {
		free(resp->headers[i].name);
		free(resp->headers[i].value);
	}
	free(resp->headers);
	resp->headers = NULL;
	resp->nheaders = resp->cap = 0;
}

void resp_set_status(struct resp *resp, int status)
{
	if (resp->begun) {
		resp_bug("status %d set after the body began", status);
		return;
	}
	if (status < 100 || status > 599) {
		resp_bug("status %d out of range", status);
		return;
	}
	resp->status = status;
}

/* RFC 9110 token characters. */
static bool is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool header_name_ok(const char *name)
{
	if (!*name)
		return false;
	for (const char *p = name; *p; p++)
		if (!is_tchar((unsigned char)*p))
			return false;
	return true;
}

/*
 * A value may hold visible characters, spaces, tabs and UTF-8; any other
 * control character (CR and LF above all) could end the header line.
 * NUL cannot reach here inside a C string, but it ends the value early,
 * which the caller meant no more than a line break.
 */
static bool header_value_ok(const char *value)
{
	size_t len = 0;

	for (const char *p = value; *p; p++, len++) {
		unsigned char c = (unsigned char)*p;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	return len <= RESP_MAX_VALUE;
}

static struct resp_header *find_header(const struct resp *resp,
                                       const char *name)
{
	for (size_t i = 0; i < resp->nheaders; i++)
		if (!strcasecmp(resp->headers[i].name, name))
			return &resp->headers[i];
	return NULL;
}

void resp_header(struct resp *resp, const char *name, const char *value)
{
	struct resp_header *header;

	if (resp->begun) {
		resp_bug("header %s set after the body began", name);
		return;
	}
	if (!header_name_ok(name)) {
		resp_bug("bad header name \"%.40s\"", name);
		return;
	}
	if (!value || !header_value_ok(value)) {
		resp_bug("refused value of header %s (control character or too long)",
		         name);
		return;
	}
	header = find_header(resp, name);
	if (header) {
		free(header->value);
		header->value = xstrdup(value);
		return;
	}
	if (resp->nheaders >= RESP_MAX_HEADERS) {
		resp_bug("more than %d response headers", RESP_MAX_HEADERS);
		return;
	}
	if (resp->nheaders == resp->cap) {
		resp->cap = resp->cap ? resp->cap * 2 : 8;
		resp->headers = xrealloc(resp->headers,
		                         resp->cap * sizeof(*resp->headers));
	}
	header = &resp->headers[resp->nheaders++];
	header->name = xstrdup(name);
	header->value = xstrdup(value);
}

void resp_headerf(struct resp *resp, const char *name, const char *fmt, ...)
{
	struct buf value = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&value, fmt, ap);
	va_end(ap);
	/* An embedded NUL would silently cut the value: refuse it too. */
	if (strlen(buf_cstr(&value)) != value.len)
		resp_bug("refused value of header %s (NUL)", name);
	else
		resp_header(resp, name, buf_cstr(&value));
	buf_release(&value);
}

const char *resp_get_header(const struct resp *resp, const char *name)
{
	const struct resp_header *header = find_header(resp, name);

	return header ? header->value : NULL;
}

void resp_unset_header(struct resp *resp, const char *name)
{
	struct resp_header *header;

	if (resp->begun) {
		resp_bug("header %s unset after the body began", name);
		return;
	}
	header = find_header(resp, name);
	if (!header)
		return;
	free(header->name);
	free(header->value);
	/* The others keep their order. */
	memmove(header, header + 1,
	        (size_t)(resp->headers + --resp->nheaders - header) * sizeof(*header));
}

void resp_not_modified_if_ok(struct resp *resp)
{
	resp->not_modified_if_ok = true;
}

void resp_not_modified_since(struct resp *resp, time_t since)
{
	resp->modified_since = since;
}

void resp_modified_at(struct resp *resp, time_t modified)
{
	/* RFC 9110 13.1.3: not modified when earlier than or equal. */
	if (resp->modified_since && modified && modified <= resp->modified_since)
		resp->not_modified_if_ok = true;
}

bool resp_body_wanted(const struct resp *resp)
{
	return !resp->head_only && !resp->not_modified_if_ok;
}

int resp_begin(struct resp *resp)
{
	if (resp->begun)
		return resp->failed ? -1 : 0;
	if (resp->not_modified_if_ok && resp->status == 200) {
		resp->status = 304;
		resp->discard = true;
		/* A HEAD-like page may have declared the 200's length. */
		resp_unset_header(resp, "Content-Length");
	}
	resp->begun = true;
	if (resp->ops->begin(resp->ctx, resp->status, resp->headers,
	                     resp->nheaders) < 0)
		resp->failed = true;
	return resp->failed ? -1 : 0;
}

int resp_write(struct resp *resp, const void *data, size_t len)
{
	if (resp_begin(resp) < 0)
		return -1;
	if (!len || resp->discard)
		return 0;
	resp->body_bytes += len;
	if (resp->head_only)
		return 0;
	if (resp->ops->write(resp->ctx, data, len) < 0) {
		resp->failed = true;
		return -1;
	}
	return 0;
}

int resp_puts(struct resp *resp, const char *s)
{
	return resp_write(resp, s, strlen(s));
}

int resp_printf(struct resp *resp, const char *fmt, ...)
{
	struct buf text = BUF_INIT;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	buf_vaddf(&text, fmt, ap);
	va_end(ap);
	ret = resp_write(resp, text.p, text.len);
	buf_release(&text);
	return ret;
}

int resp_finish(struct resp *resp)
{
	return resp_begin(resp);
}

bool resp_gone(struct resp *resp)
{
	if (!resp->failed && resp->ops->gone && resp->ops->gone(resp->ctx))
		resp->failed = true;
	return resp->failed;
}

void resp_abort(struct resp *resp)
{
	resp->failed = true;
	if (resp->ops->abort)
		resp->ops->abort(resp->ctx);
}

struct status_text {
	int status;
	const char *text;
};

static const struct status_text status_texts[] = {
	{ 100, "Continue" },
	{ 101, "Switching Protocols" },
	{ 200, "OK" },
	{ 201, "Created" },
	{ 202, "Accepted" },
	{ 203, "Non-Authoritative Information" },
	{ 204, "No Content" },
	{ 205, "Reset Content" },
	{ 206, "Partial Content" },
	{ 300, "Multiple Choices" },
	{ 301, "Moved Permanently" },
	{ 302, "Found" },
	{ 303, "See Other" },
	{ 304, "Not Modified" },
	{ 307, "Temporary Redirect" },
	{ 308, "Permanent Redirect" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 406, "Not Acceptable" },
	{ 408, "Request Timeout" },
	{ 409, "Conflict" },
	{ 410, "Gone" },
	{ 411, "Length Required" },
	{ 412, "Precondition Failed" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 415, "Unsupported Media Type" },
	{ 416, "Range Not Satisfiable" },
	{ 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
	{ 505, "HTTP Version Not Supported" },
};

const char *http_status_text(int status)
{
	for (size_t i = 0; i < sizeof(status_texts) / sizeof(status_texts[0]); i++)
		if (status_texts[i].status == status)
			return status_texts[i].text;
	/* RFC 9110 lets a client go by the class; say which one. */
	switch (status / 100) {
	case 1: return "Informational";
	case 2: return "Success";
	case 3: return "Redirection";
	case 4: return "Client Error";
	default: return "Server Error";
	}
}
