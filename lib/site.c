#include "site.h"

#include <stdlib.h>
#include <string.h>

/* The part of base-url after "scheme://": authority, then the path. */
static const char *base_after_scheme(const char *base)
{
	const char *sep = strstr(base, "://");

	return sep ? sep + 3 : base;
}

void site_root(const struct conf *conf, const struct req *req, struct buf *out)
{
	const char *root = req->root ? req->root : "";

	if (conf->base_url && conf->base_url[0]) {
		const char *rest = base_after_scheme(conf->base_url);
		const char *slash = strchr(rest, '/');
		root = slash ? slash : "";
	}
	buf_reset(out);
	buf_addstr(out, root);
	while (out->len && out->p[out->len - 1] == '/')
		buf_truncate(out, out->len - 1);
}

static bool port_valid(const char *p, size_t len)
{
	unsigned long value = 0;

	if (len == 0 || len > 5)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		value = value * 10 + (unsigned long)(p[i] - '0');
	}
	return value >= 1 && value <= 65535;
}

bool site_authority_valid(const char *authority, bool *has_port)
{
	size_t len = strlen(authority), host_len;
	const char *colon;

	*has_port = false;
	if (!len)
		return false;
	if (authority[0] == '[') {
		const char *close = strchr(authority, ']');
		if (!close || close == authority + 1)
			return false;
		for (const char *p = authority + 1; p < close; p++)
			if (!strchr("0123456789abcdefABCDEF:.", *p))
				return false;
		host_len = (size_t)(close - authority) + 1;
		if (!close[1])
			return true;
		if (close[1] != ':')
			return false;
		*has_port = true;
		return port_valid(close + 2, len - host_len - 1);
	}
	colon = strchr(authority, ':');
	host_len = colon ? (size_t)(colon - authority) : len;
	if (!host_len || host_len > 253 || authority[0] == '.' || authority[0] == '-')
		return false;
	for (size_t i = 0; i < host_len; i++) {
		char c = authority[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'))
			return false;
	}
	if (!colon)
		return true;
	*has_port = true;
	return port_valid(colon + 1, len - host_len - 1);
}

/* Add ":port" unless it is the scheme's own. */
static void add_port(struct buf *out, const char *port, bool https)
{
	if (port && port_valid(port, strlen(port)) &&
	    strcmp(port, https ? "443" : "80") != 0)
		buf_addf(out, ":%s", port);
}

void site_origin(const struct conf *conf, const struct req *req,
                 struct buf *out)
{
	bool has_port;

	buf_reset(out);
	if (conf->base_url && conf->base_url[0]) {
		const char *rest = base_after_scheme(conf->base_url);
		const char *slash = strchr(rest, '/');
		buf_add(out, conf->base_url,
		        slash ? (size_t)(slash - conf->base_url) : strlen(conf->base_url));
		return;
	}
	buf_addstr(out, req->https ? "https://" : "http://");
	if (req->host && site_authority_valid(req->host, &has_port)) {
		buf_addstr(out, req->host);
		if (!has_port)
			add_port(out, req->server_port, req->https);
	} else if (req->server_name &&
	           site_authority_valid(req->server_name, &has_port) && !has_port) {
		buf_addstr(out, req->server_name);
		add_port(out, req->server_port, req->https);
	} else {
		buf_addstr(out, "localhost");
		add_port(out, req->server_port, req->https);
	}
}
