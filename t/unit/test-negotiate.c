/* Table tests of content negotiation: Accept and Accept-Encoding. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "negotiate.h"

#define ABSENT NEGOTIATE_ABSENT

/* Accept: the weights of application/json and text/html, and the choice. */
struct accept_row {
	const char *accept;
	int json, html;
	bool wants_json;
};

static const struct accept_row accept_rows[] = {
	{ NULL, ABSENT, ABSENT, false },
	{ "", ABSENT, ABSENT, false },
	{ "application/json", 1000, ABSENT, true },
	{ "text/html", ABSENT, 1000, false },
	{ "APPLICATION/JSON", 1000, ABSENT, true },
	{ "text/html,application/json;q=0.5", 500, 1000, false },
	{ "text/html;q=0.5,application/json", 1000, 500, true },
	{ "text/html ; q=0.5 , application/json ; q=0.9", 900, 500, true },
	{ "application/json;q=0.5, text/html;q=0.5", 500, 500, false },
	{ "application/json;q=0", 0, ABSENT, false },
	{ "application/json;Q=1.000", 1000, ABSENT, true },
	{ "application/json;q=0.001", 1, ABSENT, true },
	/* What browsers and curl send. */
	{ "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", 800, 1000, false },
	{ "*/*", 1000, 1000, false },
	{ "*", 1000, 1000, false },
	/* Specificity: the exact type over type/<star> over <star>/<star>. */
	{ "application/*", 1000, ABSENT, true },
	{ "*/*;q=0.1, application/json", 1000, 100, true },
	{ "application/json;q=0, */*", 0, 1000, false },
	{ "text/*;q=0.3, text/html;q=0.7, */*;q=0.5", 500, 700, false },
	{ "application/json;q=0.2, application/json;q=0.4", 400, ABSENT, true },
	/* Parameters other than q, quoted strings holding commas and quotes. */
	{ "application/json;charset=utf-8;q=0.4, text/html;q=0.3", 400, 300, true },
	{ "text/html;level=\"a,b;q=0\";q=0.2, application/json;q=0.1", 100, 200, false },
	{ "text/html;x=\"a\\\"q=0,\";q=0.2, application/json;q=0.3", 300, 200, true },
	/* Parameters after q are extensions: the first q is the weight. */
	{ "application/json;q=0.5;q=0", 500, ABSENT, true },
	/* Malformed weights or elements are skipped. */
	{ "application/json;q=2", ABSENT, ABSENT, false },
	{ "application/json;q=1.5", ABSENT, ABSENT, false },
	{ "application/json;q=0.5000", ABSENT, ABSENT, false },
	{ "application/json;q=.5", ABSENT, ABSENT, false },
	{ "application/json;q=", ABSENT, ABSENT, false },
	{ "application/json;q=nan", ABSENT, ABSENT, false },
	{ "application/json;q=1e3", ABSENT, ABSENT, false },
	{ "application/json;q=-1", ABSENT, ABSENT, false },
	{ "application/json;q=0x1", ABSENT, ABSENT, false },
	{ "application/json;q=\"1\"", ABSENT, ABSENT, false },
	{ "application/json;q=0.5 x, text/html", ABSENT, 1000, false },
	{ "application/json garbage, text/html;q=0.1", ABSENT, 100, false },
	{ "application/json;, text/html", ABSENT, 1000, false },
	{ "application/json;=1", ABSENT, ABSENT, false },
	{ ";q=1, application/json", 1000, ABSENT, true },
	{ ",,, ,application/json,,", 1000, ABSENT, true },
	{ "application/jsonx, xapplication/json, application/json5", ABSENT, ABSENT, false },
	{ "application/json\t;\tq=0.7", 700, ABSENT, true },
	{ "text/html;x=\"unclosed, application/json", ABSENT, 1000, false },
	/* "q=" inside another parameter's value is not the weight. */
	{ "application/json;x=\"q=0\"", 1000, ABSENT, true },
	{ "application/json;xq=0", 1000, ABSENT, true },
};

/* Accept-Encoding: the weight of gzip and the choice. */
struct encoding_row {
	const char *accept_encoding;
	int gzip;
};

static const struct encoding_row encoding_rows[] = {
	{ NULL, ABSENT },
	{ "", ABSENT },
	{ "gzip", 1000 },
	{ "GZIP", 1000 },
	{ "x-gzip", 1000 },
	{ "gzip, deflate, br", 1000 },
	{ "deflate, br", ABSENT },
	{ "identity", ABSENT },
	{ "gzip;q=0", 0 },
	{ "gzip; q=0.000", 0 },
	{ "gzip;q=0.5", 500 },
	{ "gzip ;Q=0.001", 1 },
	{ "*", 1000 },
	{ "*;q=0", 0 },
	/* The coding's own element wins over "*", in any order. */
	{ "*;q=0, gzip", 1000 },
	{ "gzip;q=0, *", 0 },
	{ "br, *;q=0.2", 200 },
	{ "gzip;level=1;q=0", 0 },
	{ "gzip;q=0.5, gzip;q=0.7", 700 },
	{ "gzips, agzip, gzip2", ABSENT },
	{ "gzip;q=", ABSENT },
	{ "gzip;q=abc", ABSENT },
	{ "gzip;q=1.01", ABSENT },
	{ "gzip q=0", ABSENT },
	{ "*/*", ABSENT },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(accept_rows) / sizeof(accept_rows[0]); i++) {
		const struct accept_row *row = &accept_rows[i];
		const char *shown = row->accept ? row->accept : "(none)";
		int json = negotiate_accept(row->accept, "application/json");
		int html = negotiate_accept(row->accept, "text/html");
		bool wants = negotiate_json(row->accept);
		int good = json == row->json && html == row->html &&
		           wants == row->wants_json;
		tap_ok(good, "Accept: %s -> json %d, html %d, %s", shown, row->json,
		       row->html, row->wants_json ? "JSON" : "HTML");
		if (!good)
			tap_diag("got json %d, html %d, %s", json, html,
			         wants ? "JSON" : "HTML");
	}
	for (size_t i = 0; i < sizeof(encoding_rows) / sizeof(encoding_rows[0]); i++) {
		const struct encoding_row *row = &encoding_rows[i];
		const char *shown = row->accept_encoding ? row->accept_encoding : "(none)";
		int gzip = negotiate_encoding(row->accept_encoding, "gzip");
		bool allowed = negotiate_gzip(row->accept_encoding);
		int good = gzip == row->gzip && allowed == (row->gzip > 0);
		tap_ok(good, "Accept-Encoding: %s -> gzip %d", shown, row->gzip);
		if (!good)
			tap_diag("got gzip %d, %s", gzip, allowed ? "allowed" : "refused");
	}

	/* A field is read up to NEGOTIATE_MAX_FIELD bytes, whatever its length. */
	size_t len = NEGOTIATE_MAX_FIELD * 4;
	char *huge = malloc(len + sizeof(", application/json"));
	memset(huge, ',', len);
	strcpy(huge + len, ", application/json");
	tap_ok(negotiate_accept(huge, "application/json") == ABSENT,
	       "an element past %d bytes is not read", NEGOTIATE_MAX_FIELD);
	memcpy(huge, "gzip;q=0.3", 10);
	tap_ok(negotiate_encoding(huge, "gzip") == 300,
	       "... while the first elements of a long field are");
	free(huge);
	return tap_done();
}
