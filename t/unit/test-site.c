/*
 * Where the site is: the root of links and the origin of absolute URLs,
 * from base-url or from the request (a Host that is a valid host[:port],
 * the port the request came in on when Host has none).
 */
#include <stdio.h>
#include <string.h>

#include "../tap.h"
#include "site.h"

struct row {
	const char *base_url;
	const char *root, *host, *server_name, *server_port;
	bool https;
	const char *want_root, *want_origin;
};

static const struct row rows[] = {
	/* base-url decides both, whatever the request says. */
	{ "https://lists.example.org/archive", "", "evil.example", NULL, "8080", false,
	  "/archive", "https://lists.example.org" },
	{ "https://lists.example.org/archive/", "/cgi", NULL, NULL, NULL, false,
	  "/archive", "https://lists.example.org" },
	{ "http://[::1]:8081", "/x", "h", NULL, NULL, true, "", "http://[::1]:8081" },
	/* From the request. */
	{ NULL, "/archive", "lists.example.org", NULL, "443", true,
	  "/archive", "https://lists.example.org" },
	{ NULL, "", "127.0.0.1:8080", NULL, "8080", false, "", "http://127.0.0.1:8080" },
	/* nginx's fastcgi_params: HTTP_HOST is $host, the port is lost. */
	{ NULL, "/archive", "localhost", "localhost", "8081", false,
	  "/archive", "http://localhost:8081" },
	{ NULL, "", "localhost", NULL, "80", false, "", "http://localhost" },
	{ NULL, "", "localhost", NULL, "443", false, "", "http://localhost:443" },
	{ NULL, "", "[2001:db8::1]:8443", NULL, "8443", true, "", "https://[2001:db8::1]:8443" },
	{ NULL, "", "[2001:db8::1]", NULL, "8443", true, "", "https://[2001:db8::1]:8443" },
	/* A Host that is no host[:port] is not used. */
	{ NULL, "", "evil.example/<script>", "www.example.org", "8080", false,
	  "", "http://www.example.org:8080" },
	{ NULL, "", "a b", NULL, "8080", false, "", "http://localhost:8080" },
	{ NULL, "", "host:99999", NULL, NULL, false, "", "http://localhost" },
	{ NULL, "", "host:", NULL, NULL, false, "", "http://localhost" },
	{ NULL, "", "[zz]", NULL, NULL, false, "", "http://localhost" },
	{ NULL, "", "", NULL, "x", false, "", "http://localhost" },
	{ NULL, "", NULL, "bad name", "8080", false, "", "http://localhost:8080" },
};

int main(void)
{
	struct buf root = BUF_INIT, origin = BUF_INIT;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *row = &rows[i];
		struct conf conf = { .base_url = (char *)row->base_url };
		struct req req = {
			.root = row->root, .host = row->host,
			.server_name = row->server_name, .server_port = row->server_port,
			.https = row->https,
		};
		site_root(&conf, &req, &root);
		site_origin(&conf, &req, &origin);
		char name[160];
		snprintf(name, sizeof(name), "Host %s, port %s, base-url %s: root \"%s\"",
		         row->host ? row->host : "NULL",
		         row->server_port ? row->server_port : "NULL",
		         row->base_url ? row->base_url : "none", row->want_root);
		tap_is_str(buf_cstr(&root), row->want_root, name);
		snprintf(name, sizeof(name), "Host %s, port %s, base-url %s: origin %s",
		         row->host ? row->host : "NULL",
		         row->server_port ? row->server_port : "NULL",
		         row->base_url ? row->base_url : "none", row->want_origin);
		tap_is_str(buf_cstr(&origin), row->want_origin, name);
	}
	buf_release(&root);
	buf_release(&origin);
	return tap_done();
}
