/*
 * Stand-ins until the real modules land; delete this file when
 * lib/gateway.c and lib/conf.c exist.
 *
 * They let the front ends be built and tested before the gateway and the
 * configuration module are merged: the gateway echoes the request as
 * text/plain, the configuration reader knows the keys of SPEC.md but keeps
 * only what the echo shows.  Every definition is weak, so a real module
 * that lands first overrides its part without a duplicate-symbol error.
 */
#include "conf.h"
#include "gateway.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STANDIN __attribute__((weak))

struct gateway {
	const struct conf *conf;
	unsigned long requests;  /* served by this gateway: shows reuse */
};

STANDIN struct gateway *gateway_new(const struct conf *conf)
{
	struct gateway *gateway = xcalloc(1, sizeof(*gateway));

	gateway->conf = conf;
	return gateway;
}

STANDIN void gateway_free(struct gateway *gateway)
{
	free(gateway);
}

static const char *or_none(const char *value)
{
	return value ? value : "(none)";
}

STANDIN void gateway_handle(struct gateway *gateway, const struct req *req,
                            struct resp *resp)
{
	gateway->requests++;
	resp_header(resp, "Content-Type", "text/plain; charset=utf-8");
	resp_header(resp, "X-Content-Type-Options", "nosniff");
	/* Lets the front-end tests tell the echo from the real pages. */
	resp_header(resp, "X-Imapeek-Standin", "echo");
	/*
	 * How many requests this gateway served shows whether it is kept;
	 * a header, so that GET and HEAD bodies stay the same length.
	 */
	resp_headerf(resp, "X-Standin-Requests", "%lu", gateway->requests);
	if (req->method == REQ_OTHER) {
		resp_set_status(resp, 405);
		resp_header(resp, "Allow", "GET, HEAD");
	} else if (!strcmp(req->path, "/missing")) {
		resp_set_status(resp, 404);
	}
	resp_printf(resp, "status: %d\n", resp->status);
	resp_printf(resp, "root: %s\n", req->root);
	resp_printf(resp, "path: %s\n", req->path);
	resp_printf(resp, "query: %s\n", req->query);
	resp_printf(resp, "accept: %s\n", or_none(req->accept));
	resp_printf(resp, "accept-encoding: %s\n", or_none(req->accept_encoding));
	resp_printf(resp, "if-none-match: %s\n", or_none(req->if_none_match));
	resp_printf(resp, "if-modified-since: %s\n",
	            or_none(req->if_modified_since));
	resp_printf(resp, "host: %s\n", or_none(req->host));
	resp_printf(resp, "https: %s\n", req->https ? "yes" : "no");
	resp_printf(resp, "title: %s\n", gateway->conf->title);
	resp_finish(resp);
}

STANDIN const char *conf_choose_path(const char *from_command_line)
{
	const char *env;

	if (from_command_line)
		return from_command_line;
	env = getenv("IMAPEEK_CONF");
	return env && *env ? env : "/etc/imapeek.conf";
}

static const char *const standin_keys[] = {
	"imapd", "imapd-env", "title", "about", "mailboxes", "hide",
	"page-size", "timeout", "max-literal", "obfuscate", "base-url",
	"templates", NULL,
};

static bool standin_known_key(struct str key)
{
	for (size_t i = 0; standin_keys[i]; i++)
		if (str_eq(key, standin_keys[i]))
			return true;
	return false;
}

STANDIN int conf_load(struct conf *conf, const char *path, struct buf *err)
{
	struct buf line = BUF_INIT;
	unsigned lineno = 0;
	bool have_imapd = false;
	int ret = -1;
	FILE *file;
	int c;

	memset(conf, 0, sizeof(*conf));
	conf->path = xstrdup(path);
	conf->title = xstrdup("imapeek");
	conf->page_size = 50;
	conf->timeout = 10;
	conf->max_literal = 67108864;
	file = fopen(path, "r");
	if (!file) {
		buf_addf(err, "%s:0: cannot read: %s", path, strerror(errno));
		goto out;
	}
	do {
		c = getc(file);
		if (c != EOF && c != '\n') {
			buf_addch(&line, (char)c);
			continue;
		}
		if (c == EOF && !line.len)
			break;
		lineno++;
		struct str text = str_trim(str_from_buf(&line));
		if (text.len && text.p[0] != '#') {
			const char *eq = memchr(text.p, '=', text.len);
			if (!eq) {
				buf_addf(err, "%s:%u: expected key = value", path, lineno);
				goto out;
			}
			struct str key = str_trim((struct str){ text.p, (size_t)(eq - text.p) });
			struct str value = str_trim((struct str){ eq + 1,
				text.len - (size_t)(eq + 1 - text.p) });
			if (!standin_known_key(key)) {
				buf_addf(err, "%s:%u: unknown key \"%.*s\"", path,
				         lineno, (int)key.len, key.p);
				goto out;
			}
			if (str_eq(key, "imapd"))
				have_imapd = true;
			if (str_eq(key, "title")) {
				free(conf->title);
				conf->title = str_dup(value);
			}
		}
		buf_reset(&line);
	} while (c != EOF);
	if (!have_imapd) {
		buf_addf(err, "%s:%u: missing required key \"imapd\"", path, lineno);
		goto out;
	}
	ret = 0;
out:
	if (file)
		fclose(file);
	buf_release(&line);
	if (ret < 0)
		conf_release(conf);
	return ret;
}

STANDIN void conf_release(struct conf *conf)
{
	free(conf->path);
	free(conf->title);
	memset(conf, 0, sizeof(*conf));
}
