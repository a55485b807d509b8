/*
 * Stand-ins until the real modules land; delete this file when
 * lib/gateway.c and lib/conf.c exist.  (lib/conf.c has landed: only the
 * gateway is stood in for now.)
 *
 * It lets the front ends be built and tested before the gateway is
 * merged: the gateway echoes the request as text/plain, with a header
 * that tells the front-end tests they may check the echo.  Every
 * definition is weak, so the real lib/gateway.c overrides it without a
 * duplicate-symbol error should both be present for a while.
 */
#include "gateway.h"

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
