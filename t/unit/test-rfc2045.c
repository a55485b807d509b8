/* rfc2045: base64 and quoted-printable, whole and in chunks; CTE names. */
#include <stdlib.h>
#include <string.h>

#include "rfc2045.h"
#include "../tap.h"

struct row {
	const char *in, *want;
};

static const struct row b64_rows[] = {
	{ "aGVsbG8=", "hello" },
	{ "aGVsbG8", "hello" },                       /* missing padding */
	{ "aGVs\r\nbG8=\r\n", "hello" },              /* CRLF */
	{ "aGVs bG8\t=", "hello" },                   /* whitespace */
	{ "aGV!s*bG8=", "hello" },                    /* garbage skipped */
	{ "aGVsbG8=aGVsbG8=", "hellohello" },         /* two blobs pasted */
	{ "aGVsbG8===", "hello" },                    /* too much padding */
	{ "=aGVsbG8", "hello" },                      /* padding first */
	{ "YQ", "a" },
	{ "YWI", "ab" },
	{ "Y", "" },                                  /* a lone sextet */
	{ "Y=YmM", "bc" },                            /* a bad group, then more */
	{ "", "" },
	{ "====", "" },
	{ "\x80\xff\x00", "" },
	{ "4pyTIMOgIGxhIG1vZGU=", "\xe2\x9c\x93 \xc3\xa0 la mode" },
};

static const struct row qp_rows[] = {
	{ "caf=E9", "caf\xe9" },
	{ "caf=e9", "caf\xe9" },                      /* lowercase hex */
	{ "soft=\r\nbreak", "softbreak" },
	{ "soft=\nbreak", "softbreak" },
	{ "soft= \t\r\nbreak", "softbreak" },         /* "=" then spaces */
	{ "trailing   \r\nnext", "trailing\r\nnext" },
	{ "trailing \t\nnext", "trailing\nnext" },
	{ "keep=3D", "keep=" },
	{ "bad=XYz", "bad=XYz" },                     /* invalid kept literally */
	{ "bad=4", "bad=4" },
	{ "end=", "end" },
	{ "a==3D", "a==" },
	{ "=\n", "" },
	{ "tab\there", "tab\there" },
	{ "8bit \xe9 kept", "8bit \xe9 kept" },
	{ "=0D=0A", "\r\n" },
	{ "", "" },
	{ "==\r\n", "=" },
	{ "x=\r", "x=\r" },                          /* CR alone is no line end */
	{ "space =20\n", "space  \n" },
};

static void run_b64(const char *in, size_t len, size_t chunk, struct buf *out)
{
	struct rfc2045_b64 st;

	rfc2045_b64_init(&st);
	for (size_t i = 0; i < len; i += chunk)
		rfc2045_b64_feed(&st, out, in + i, len - i < chunk ? len - i : chunk);
	rfc2045_b64_finish(&st, out);
}

static void run_qp(const char *in, size_t len, size_t chunk, struct buf *out)
{
	struct rfc2045_qp st;

	rfc2045_qp_init(&st);
	for (size_t i = 0; i < len; i += chunk)
		rfc2045_qp_feed(&st, out, in + i, len - i < chunk ? len - i : chunk);
	rfc2045_qp_finish(&st, out);
}

static void test_rows(const char *what, const struct row *rows, size_t n,
                      void (*run)(const char *, size_t, size_t, struct buf *))
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(rows[i].in);
		struct buf whole = BUF_INIT;
		char name[128];

		run(rows[i].in, len, len ? len : 1, &whole);
		snprintf(name, sizeof(name), "%s '%.40s'", what, rows[i].in);
		tap_is_mem(buf_cstr(&whole), whole.len, rows[i].want, strlen(rows[i].want), name);
		bool same = true;
		for (size_t chunk = 1; chunk <= 4; chunk++) {
			struct buf part = BUF_INIT;
			run(rows[i].in, len, chunk, &part);
			if (part.len != whole.len || memcmp(buf_cstr(&part), buf_cstr(&whole), whole.len))
				same = false;
			buf_release(&part);
		}
		tap_ok(same, "%s '%.40s' in 1..4 byte chunks: same output", what, rows[i].in);
		buf_release(&whole);
	}
}

/* Long lines force the QP decoder to decode in pieces; chunking must not
 * change anything, and a real 1 MB line must come out right. */
static void test_qp_long(void)
{
	struct buf in = BUF_INIT, want = BUF_INIT, whole = BUF_INIT, chunked = BUF_INIT;

	for (int i = 0; i < 100000; i++) {
		buf_addstr(&in, "ab=3D  =\tc");
		buf_addstr(&want, "ab=  =\tc");
	}
	buf_addstr(&in, "   \r\n");
	buf_addstr(&want, "\r\n");
	rfc2045_qp_decode(&whole, in.p, in.len);
	tap_is_mem(whole.p, whole.len, want.p, want.len, "QP: a 1 MB line decodes");
	run_qp(in.p, in.len, 4093, &chunked);
	tap_ok(chunked.len == whole.len && !memcmp(chunked.p, whole.p, whole.len),
	       "QP: 1 MB line in 4093-byte chunks, same output");
	buf_reset(&chunked);
	run_qp(in.p, in.len, 1, &chunked);
	tap_ok(chunked.len == whole.len && !memcmp(chunked.p, whole.p, whole.len),
	       "QP: 1 MB line in 1-byte chunks, same output");
	buf_release(&in);
	buf_release(&want);
	buf_release(&whole);
	buf_release(&chunked);
}

static void test_cte(void)
{
	static const struct {
		const char *in;
		enum rfc2045_cte want;
	} rows[] = {
		{ "base64", RFC2045_CTE_BASE64 },
		{ " BASE64 ", RFC2045_CTE_BASE64 },
		{ "\"base64\"", RFC2045_CTE_BASE64 },
		{ "Quoted-Printable", RFC2045_CTE_QP },
		{ "quoted-printable (comment)", RFC2045_CTE_QP },
		{ "7bit", RFC2045_CTE_7BIT },
		{ "8bit", RFC2045_CTE_8BIT },
		{ "8-bit", RFC2045_CTE_8BIT },
		{ "binary", RFC2045_CTE_BINARY },
		{ "", RFC2045_CTE_7BIT },
		{ "x-uuencode", RFC2045_CTE_UNKNOWN },
		{ "base64x", RFC2045_CTE_UNKNOWN },
		{ "quoted-printable;base64", RFC2045_CTE_QP },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		tap_ok(rfc2045_cte_lookup(str_from(rows[i].in)) == rows[i].want,
		       "CTE '%s' -> %s", rows[i].in, rfc2045_cte_name(rows[i].want));
}

int main(void)
{
	test_rows("base64", b64_rows, sizeof(b64_rows) / sizeof(b64_rows[0]), run_b64);
	test_rows("QP", qp_rows, sizeof(qp_rows) / sizeof(qp_rows[0]), run_qp);
	test_qp_long();
	test_cte();
	return tap_done();
}
