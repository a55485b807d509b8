/* rfc2231: MIME parameters with continuations, charsets and real-world forms. */
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "rfc2231.h"
#include "../tap.h"

/* want: "value|name=value|name=value" ; NULL: every parameter rejected */
static const struct {
	const char *in, *want;
} rows[] = {
	{ "text/plain; charset=utf-8", "text/plain|charset=utf-8" },
	{ "Text/Plain; CHARSET=\"UTF-8\"; Format=flowed", "text/plain|charset=UTF-8|format=flowed" },
	{ "attachment; filename=\"a \\\"b\\\" c.txt\"", "attachment|filename=a \"b\" c.txt" },
	{ "attachment; filename*=UTF-8''%53%C3%A9%6C%65%63%74%69%6F%6E%5F%33%36%35%2E%70%6E%67",
	  "attachment|filename=S\xc3\xa9lection_365.png" },
	{ "attachment;\r\n filename*0=\"0001-configs-inmates-Makefile-remove-.note.gnu.property-s.pa\";\r\n filename*1=\"tch\"",
	  "attachment|filename=0001-configs-inmates-Makefile-remove-.note.gnu.property-s.patch" },
	/* numeric, not textual, order: 10 after 9 and 2 */
	{ "x; n*10=k; n*2=c; n*0=a; n*1=b; n*3=d; n*4=e; n*5=f; n*6=g; n*7=h; n*8=i; n*9=j",
	  "x|n=abcdefghijk" },
	/* mixed encoded and plain segments; a character split across them */
	{ "x; name*0*=utf-8'en'%E2%82; name*1*=%AC; name*2=\" euro\"", "x|name=\xe2\x82\xac euro" },
	{ "x; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A",
	  "x|title=This is ***fun***" },
	{ "x; name*=iso-8859-1''caf%E9", "x|name=caf\xc3\xa9" },
	{ "x; name*=''caf%C3%A9", "x|name=caf\xc3\xa9" },
	{ "x; name*=caf%E9", "x|name=caf\xc3\xa9" },         /* no quotes: guessed */
	{ "x; name*=utf-8''100%ZZ", "x|name=100%ZZ" },      /* bad escape kept */
	/* Outlook: RFC 2047 inside a quoted filename */
	{ "attachment; filename=\"=?UTF-8?B?eDMxMF93aXRoX2Zvc3Bob3IueW1s?=\"",
	  "attachment|filename=x310_with_fosphor.yml" },
	{ "attachment; filename=\"=?iso-8859-1?Q?caf=E9?=.txt\"", "attachment|filename=caf\xc3\xa9.txt" },
	/* raw 8-bit values */
	{ "attachment; filename=\"caf\xc3\xa9.txt\"", "attachment|filename=caf\xc3\xa9.txt" },
	{ "attachment; filename=\"caf\xe9.txt\"", "attachment|filename=caf\xc3\xa9.txt" },
	/* duplicates: the RFC 2231 form wins, else the first */
	{ "x; filename=\"old.txt\"; filename*=utf-8''new.txt", "x|filename=new.txt" },
	{ "x; boundary=one; boundary=two", "x|boundary=one" },
	{ "x; n*0=a; n*0=b; n*1=c", "x|n=ac" },
	/* tolerance */
	{ "x; filename=my file (1).pdf", "x|filename=my file (1).pdf" },
	{ "x; name=\"unterminated", "x|name=unterminated" },
	{ "x;; ;name=v;", "x|name=v" },
	{ "x; novalue; a=1", "x|a=1" },
	{ "x; a = \"spaced\" ", "x|a=spaced" },
	{ "x; A=1; b=2", "x|a=1|b=2" },
	{ "multipart/mixed; boundary=\"----=_Part_1\"", "multipart/mixed|boundary=----=_Part_1" },
	{ "", "" },
	{ ";", "" },
	{ "x; =v", "x" },
	{ "x; n*99999999999999999999=a", "x|n*99999999999999999999=a" },
	{ "x; n*1=b", "x|n=b" },                              /* no section 0 */
	{ "x; name*0*=utf-8''%FF", "x|name=\xef\xbf\xbd" },
	{ "x; .ame*=;-%faEc9 d", "x|.ame=" },                /* found by fuzzing: empty value */
};

static void format(const struct rfc2231_params *params, struct buf *out)
{
	buf_addstr(out, params->value);
	for (size_t i = 0; i < params->n; i++)
		buf_addf(out, "|%s=%s", params->v[i].name, params->v[i].value);
}

static void test_bounds(void)
{
	struct buf in = BUF_INIT;
	struct rfc2231_params params;

	buf_addstr(&in, "x");
	for (int i = 0; i < 500; i++)
		buf_addf(&in, "; p%d=v", i);
	rfc2231_parse(&params, in.p, in.len);
	tap_ok(params.n == RFC2231_PARAMS_MAX, "500 parameters: %zu kept", params.n);
	tap_is_str(rfc2231_get(&params, "p0"), "v", "the first ones are the ones kept");
	rfc2231_release(&params);

	buf_reset(&in);
	buf_addstr(&in, "x");
	for (int i = 5000; i > 0; i--)
		buf_addf(&in, "; n*%d=a", i % 1001);
	rfc2231_parse(&params, in.p, in.len);
	const char *n = rfc2231_get(&params, "n");
	tap_ok(n && strlen(n) <= RFC2231_SEGMENTS_MAX + 1, "5000 segments: bounded (%zu bytes)", n ? strlen(n) : 0);
	rfc2231_release(&params);
	buf_release(&in);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct rfc2231_params params;
		struct buf got = BUF_INIT;
		char name[160];

		rfc2231_parse(&params, rows[i].in, strlen(rows[i].in));
		format(&params, &got);
		snprintf(name, sizeof(name), "params '%.70s'", rows[i].in);
		tap_is_mem(got.p, got.len, rows[i].want, strlen(rows[i].want), name);
		bool valid = true;
		for (size_t k = 0; k < params.n; k++)
			valid = valid && charset_utf8_valid(params.v[k].value, strlen(params.v[k].value));
		tap_ok(valid, "values are valid UTF-8");
		rfc2231_release(&params);
		buf_release(&got);
	}
	test_bounds();
	return tap_done();
}
