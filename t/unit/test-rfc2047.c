/* rfc2047: encoded words as real mail writes them. */
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "rfc2047.h"
#include "../tap.h"

static const struct {
	const char *in, *want;
} rows[] = {
	{ "plain subject", "plain subject" },
	{ "=?utf-8?q?caf=C3=A9?=", "caf\xc3\xa9" },
	{ "=?UTF-8?Q?caf=c3=a9?=", "caf\xc3\xa9" },
	{ "=?iso-8859-1?q?a_b?=", "a b" },                        /* "_" is a space */
	{ "=?utf-8?b?Y2Fmw6k=?=", "caf\xc3\xa9" },
	{ "=?utf-8?b?Y2Fmw6k?=", "caf\xc3\xa9" },                 /* no padding */
	{ "=?utf-8?b?Y2Fm w6k=?=", "caf\xc3\xa9" },               /* a space inside */
	/* adjacent words: the whitespace between them disappears */
	{ "=?utf-8?q?a?= =?utf-8?q?b?=", "ab" },
	{ "=?utf-8?q?a?=\r\n =?utf-8?q?b?=", "ab" },
	{ "=?utf-8?q?a?= b =?utf-8?q?c?=", "a b c" },
	/* a character split across two words */
	{ "=?utf-8?b?4oI=?= =?utf-8?b?rA==?=", "\xe2\x82\xac" },
	{ "=?utf-8?q?=E2=82?= =?utf-8?q?=AC?=", "\xe2\x82\xac" },
	/* no whitespace around the word */
	{ "foo=?utf-8?q?bar?=", "foobar" },
	{ "=?utf-8?q?bar?=baz", "barbaz" },
	{ "\"=?utf-8?q?Jos=C3=A9?=\" <j@x>", "\"Jos\xc3\xa9\" <j@x>" },
	/* RFC 2231 language */
	{ "=?utf-8*en?q?hello?=", "hello" },
	{ "=?us-ascii*en-us?q?hi?=", "hi" },
	/* unknown charsets: UTF-8 if valid, else windows-1252 */
	{ "=?x-bogus?q?caf=E9?=", "caf\xc3\xa9" },
	{ "=?unknown-8bit?q?caf=C3=A9?=", "caf\xc3\xa9" },
	{ "=??q?caf=E9?=", "caf\xc3\xa9" },
	/* raw 8-bit header text */
	{ "caf\xc3\xa9", "caf\xc3\xa9" },
	{ "caf\xe9", "caf\xc3\xa9" },
	/* folding */
	{ "a long\r\n subject", "a long subject" },
	{ "a\n\tb", "a\tb" },
	{ "a\r\nb", "a b" },
	/* not encoded words: kept as they are */
	{ "=?utf-8?x?abc?=", "=?utf-8?x?abc?=" },
	{ "=?utf-8?q?unterminated", "=?utf-8?q?unterminated" },
	{ "a =? b ?= c", "a =? b ?= c" },
	{ "=?", "=?" },
	{ "=?utf-8?q?" "?=", "" },
	/* bad Q escapes kept */
	{ "=?utf-8?q?100=ZZ?=", "100=ZZ" },
	/* real-world rows from the corpora (expected values as Python's
	 * email package decodes them) */
	{ "=?iso-8859-9?Q?O=F0uzhan_Gedikli?=", "O\xc4\x9fuzhan Gedikli" },
	{ "=?big5?B?TGluLlRvbW15U0MgqkylQLTcIFRBTw==?=",
	  "Lin.TommySC \xe6\x9e\x97\xe4\xb8\x96\xe6\xac\xbd TAO" },
	{ "=?gb18030?B?xM/SsKXgpeult6WopemltA==?=",
	  "\xe5\x8d\x97\xe9\x87\x8e\xe3\x83\xa0\xe3\x83\xab\xe3\x82\xb7\xe3\x82\xa8\xe3\x83\xa9\xe3\x82\xb4" },
	{ "=?EUC-KR?Q?NOTE:_=C7=D1=B1=B9=B8=BB=B7=CE_=C7=CF=B4=C2_=B0=CD?=",
	  "NOTE: \xed\x95\x9c\xea\xb5\xad\xeb\xa7\x90\xeb\xa1\x9c \xed\x95\x98\xeb\x8a\x94 \xea\xb2\x83" },
	{ "=?koi8-r?B?4c7E0sXKIOE=?=", "\xd0\x90\xd0\xbd\xd0\xb4\xd1\x80\xd0\xb5\xd0\xb9 \xd0\x90" },
	{ "=?ks_c_5601-1987?B?Q2hpYW5nLkJyaWFuIMuw57b2xiBUQU8=?=",
	  "Chiang.Brian \xe6\xb1\x9f\xe6\xb3\xb3\xe7\xb7\xbb TAO" },
	{ "=?ISO-2022-JP?B?GyRCRnxLXDhsJWEhPCVrJUYlOSVIGyhCICh0ZXN0aW5nIEph?=",
	  "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x83\xa1\xe3\x83\xbc\xe3\x83\xab\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88 (testing Ja" },
	{ "=?utf-7?Q?Die_Hasen_und_die_Fr+APY-sche_=28Microsoft_Outlook_00=29?=",
	  "Die Hasen und die Fr\xc3\xb6sche (Microsoft Outlook 00)" },
	{ "[USRP-users]  Re: =?eucgb2312_cn?q?=B4=F0=B8=B4=3A_rfnoc?=",
	  "[USRP-users]  Re: \xe7\xad\x94\xe5\xa4\x8d: rfnoc" },
	{ "=?unknown-8bit?q?Spam_detection_software=2C?=", "Spam detection software," },
	/* hostile */
	{ "=?utf-8?q?\xff?=", "\xef\xbf\xbd" },
	{ "=?utf-8?b?/w==?=", "\xef\xbf\xbd" },
	{ "=?utf-8?q?a=00b?=", "a\xef\xbf\xbd" "b" },
	{ "=?../../etc/passwd?q?x?=", "x" },
	{ "=?utf-8//TRANSLIT?q?x?=", "x" },
	{ "=?=?=?=?=?", "=?=?=?=?=?" },
	{ "", "" },
};

static void test_hostile_sizes(void)
{
	struct buf in = BUF_INIT, out = BUF_INIT;

	/* many starts of words without an end: must stay linear */
	for (int i = 0; i < 200000; i++)
		buf_addstr(&in, "=?a?q?");
	rfc2047_decode(&out, in.p, in.len);
	tap_ok(out.len <= RFC2047_OUTPUT_MAX && charset_utf8_valid(out.p, out.len),
	       "1.2 MB of unterminated words: bounded, valid (%zu bytes)", out.len);
	buf_reset(&in);
	buf_reset(&out);
	for (int i = 0; i < 100000; i++)
		buf_addstr(&in, "=?utf-8?b?4oKs4oKs?= ");
	rfc2047_decode(&out, in.p, in.len);
	tap_ok(out.len <= RFC2047_OUTPUT_MAX && out.len > RFC2047_OUTPUT_MAX - 8 &&
	       charset_utf8_valid(out.p, out.len), "2 MB of words: cut at the limit, on a character");
	buf_release(&in);
	buf_release(&out);
}

/* The fast path takes only what decoding leaves as it is. */
static void test_plain(void)
{
	static const struct {
		const char *in;
		bool plain;
	} plain_rows[] = {
		{ "Re: [PATCH v2] watchdog: fix the timeout", true },
		{ "a = b? c", true },
		{ "tab\there", true },
		{ "", true },
		{ "=?utf-8?q?x?=", false },
		{ "x =?", false },
		{ "folded\r\n line", false },
		{ "bare\nline", false },
		{ "caf\xc3\xa9", false },
		{ "caf\xe9", false },
	};
	for (size_t i = 0; i < sizeof(plain_rows) / sizeof(plain_rows[0]); i++) {
		size_t len = strlen(plain_rows[i].in);
		tap_ok(rfc2047_plain(plain_rows[i].in, len) == plain_rows[i].plain,
		       "plain row %zu: %s", i, plain_rows[i].plain ? "as it is" : "to decode");
		if (plain_rows[i].plain) {
			char *s = rfc2047_decode_str(plain_rows[i].in, len);
			tap_is_str(s, plain_rows[i].in, "... decodes to itself");
			free(s);
		}
	}
	tap_ok(!rfc2047_plain("a\0b", 3), "plain: not with a NUL");
}

int main(void)
{
	test_plain();
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct buf out = BUF_INIT;
		char name[160];
		rfc2047_decode(&out, rows[i].in, strlen(rows[i].in));
		snprintf(name, sizeof(name), "decode '%.60s'", rows[i].in);
		tap_is_mem(buf_cstr(&out), out.len, rows[i].want, strlen(rows[i].want), name);
		buf_release(&out);
	}
	char *s = rfc2047_decode_str("=?utf-8?q?x?=", 13);
	tap_is_str(s, "x", "decode_str");
	free(s);
	test_hostile_sizes();
	return tap_done();
}
