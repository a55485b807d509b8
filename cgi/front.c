#include "front.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

void front_log(const char *fmt, ...)
{
	struct buf line = BUF_INIT;
	va_list ap;

	buf_addstr(&line, "imapeek: ");
	va_start(ap, fmt);
	buf_vaddf(&line, fmt, ap);
	va_end(ap);
	buf_addch(&line, '\n');
	/* One write so that lines of concurrent workers do not interleave. */
	if (write(STDERR_FILENO, line.p, line.len) < 0) {
		/* Nowhere left to complain to. */
	}
	buf_release(&line);
}

int front_load_conf(struct conf *conf, const char *from_command_line,
                    struct buf *err)
{
	return conf_load(conf, conf_choose_path(from_command_line), err);
}

enum req_method front_method(const char *method)
{
	if (!method || !strcmp(method, "GET"))
		return REQ_GET;
	if (!strcmp(method, "HEAD"))
		return REQ_HEAD;
	return REQ_OTHER;
}

int front_split_target(const char *target, struct buf *path,
                       struct buf *query)
{
	const char *end;
	size_t path_len;

	buf_reset(path);
	buf_reset(query);
	/* The absolute form: drop "scheme://authority", keep what follows. */
	if (!strncasecmp(target, "http://", 7) ||
	    !strncasecmp(target, "https://", 8)) {
		target = strstr(target, "://") + 3;
		target += strcspn(target, "/?#");
		if (*target != '/')
			buf_addch(path, '/');
	} else if (*target != '/') {
		return -1;
	}
	end = target + strcspn(target, "#");
	path_len = strcspn(target, "?#");
	buf_add(path, target, path_len);
	if (target[path_len] == '?')
		buf_add(query, target + path_len + 1,
		        (size_t)(end - (target + path_len + 1)));
	return 0;
}

/* RFC 3986 pchar minus pct-encoded: unreserved, sub-delims, ":" and "@". */
static bool keep_in_path(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c && strchr("-._~!$&'()*+,;=:@/", c) != NULL;
}

void front_encode_path(struct buf *out, const char *decoded)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)decoded; *p; p++) {
		if (keep_in_path(*p)) {
			buf_addch(out, (char)*p);
		} else {
			buf_addch(out, '%');
			buf_addch(out, hex[*p >> 4]);
			buf_addch(out, hex[*p & 15]);
		}
	}
}

/* Bytes a request-target may not hold raw: controls and space. */
static bool target_bytes_ok(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return false;
	return true;
}

int front_check(const struct req *req)
{
	if (strlen(req->path) > FRONT_MAX_PATH ||
	    strlen(req->query) > FRONT_MAX_QUERY)
		return 414;
	if (req->path[0] != '/' || !target_bytes_ok(req->path) ||
	    !target_bytes_ok(req->query))
		return 400;
	return 0;
}

void front_error_body(struct buf *out, int status)
{
	const char *text = http_status_text(status);

	buf_addf(out,
	         "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	         "<title>%d %s</title></head>\n<body><h1>%d %s</h1></body></html>\n",
	         status, text, status, text);
}

void front_error(struct resp *resp, int status)
{
	struct buf body = BUF_INIT;

	resp_set_status(resp, status);
	resp_header(resp, "Content-Type", "text/html; charset=utf-8");
	resp_header(resp, "Content-Security-Policy", "default-src 'none'");
	resp_header(resp, "Cache-Control", "no-store");
	front_error_body(&body, status);
	/* A write that fails marks resp failed: the front end sees it there. */
	if (resp_write(resp, body.p, body.len) == 0)
		resp_finish(resp);
	buf_release(&body);
}

double front_now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)now.tv_sec * 1000.0 + (double)now.tv_nsec / 1e6;
}
