/* charset: labels, conversions with fallbacks, UTF-8 sanitizing. */
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "../tap.h"

static void test_canonical(void)
{
	static const struct {
		const char *label, *want;  /* NULL: rejected */
	} rows[] = {
		{ "utf-8", "UTF-8" },
		{ "UTF8", "UTF-8" },
		{ "\"utf-8\"", "UTF-8" },
		{ " ks_c_5601-1987 ", "CP949" },
		{ "gb2312", "GB18030" },
		{ "GBK", "GB18030" },
		{ "eucgb2312_cn", "GB18030" },
		{ "x-mac-roman", "MACINTOSH" },
		{ "x-mac-cyrillic", "MAC-CYRILLIC" },
		{ "unicode-1-1-utf-7", "UTF-7" },
		{ "iso-8859-8-i", "ISO-8859-8" },
		{ "x-sjis", "CP932" },
		{ "Shift_JIS", "CP932" },
		{ "latin1", "WINDOWS-1252" },
		{ "windows-1256", "CP1256" },
		{ "utf-8*en", "UTF-8" },
		{ "unknown-8bit", "AUTO" },
		{ "us-ascii", "AUTO" },
		{ "koi8-r", "KOI8-R" },
		{ "", NULL },
		{ "utf-8//TRANSLIT", NULL },
		{ "../../tmp/evil", NULL },
		{ "a b", NULL },
		{ "x-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL },
		{ "utf-8\n", "UTF-8" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char name[CHARSET_NAME_MAX + 1];
		int rc = charset_canonical(rows[i].label, strlen(rows[i].label), name);
		if (!rows[i].want)
			tap_ok(rc < 0 && name[0] == '\0', "label '%s' rejected", rows[i].label);
		else
			tap_ok(rc == 0 && strcmp(name, rows[i].want) == 0, "label '%s' -> %s (got %s)",
			       rows[i].label, rows[i].want, name);
	}
}

static void test_convert(const char *round)
{
	static const struct {
		const char *charset, *in;
		size_t len;  /* 0: strlen */
		const char *want;
	} rows[] = {
		{ "utf-8", "caf\xc3\xa9", 0, "caf\xc3\xa9" },
		{ "iso-8859-1", "caf\xe9", 0, "caf\xc3\xa9" },
		/* latin1 is read as windows-1252, as browsers do: 0x80 is the euro */
		{ "iso-8859-1", "\x80 5", 0, "\xe2\x82\xac 5" },
		{ "windows-1252", "\x93quoted\x94", 0, "\xe2\x80\x9cquoted\xe2\x80\x9d" },
		{ "iso-8859-2", "\xb1", 0, "\xc4\x85" },
		{ "iso-8859-9", "O\xf0uzhan", 0, "O\xc4\x9fuzhan" },
		{ "koi8-r", "\xe1\xce\xc4\xd2\xc5\xca", 0, "\xd0\x90\xd0\xbd\xd0\xb4\xd1\x80\xd0\xb5\xd0\xb9" },
		{ "gb2312", "\xc4\xcf", 0, "\xe5\x8d\x97" },
		{ "big5", "\xaa\x4c", 0, "\xe6\x9e\x97" },
		{ "ks_c_5601-1987", "\xc7\xd1", 0, "\xed\x95\x9c" },
		{ "euc-kr", "\xc7\xd1\xb1\xb9", 0, "\xed\x95\x9c\xea\xb5\xad" },
		{ "shift_jis", "\x93\xfa\x96\x7b", 0, "\xe6\x97\xa5\xe6\x9c\xac" },
		{ "iso-2022-jp", "\x1b$BF|K\\\x1b(B", 0, "\xe6\x97\xa5\xe6\x9c\xac" },
		{ "utf-7", "Fr+APY-sche", 0, "Fr\xc3\xb6sche" },
		{ "cp1256", "\xc7", 0, "\xd8\xa7" },
		{ "x-mac-roman", "\x8a", 0, "\xc3\xa4" },
		/* no charset, bogus, unknown: UTF-8 when valid, else windows-1252 */
		{ NULL, "caf\xc3\xa9", 0, "caf\xc3\xa9" },
		{ NULL, "caf\xe9", 0, "caf\xc3\xa9" },
		{ "x-bogus-y", "caf\xe9", 0, "caf\xc3\xa9" },
		{ "unknown-8bit", "\xc3\xa9t\xc3\xa9", 0, "\xc3\xa9t\xc3\xa9" },
		{ "us-ascii", "na\xefve", 0, "na\xc3\xafve" },
		{ "us-ascii", "plain", 0, "plain" },
		{ "utf-8//TRANSLIT", "x\xe9", 0, "x\xc3\xa9" },
		/* hostile: bad bytes become one U+FFFD per bad sequence */
		{ "utf-8", "a\xff" "b", 0, "a\xef\xbf\xbd" "b" },
		{ "gb2312", "a\xff\xff" "b", 0, "a\xef\xbf\xbd" "b" },
		{ "big5", "\xaa", 0, "\xef\xbf\xbd" },
		{ "iso-2022-jp", "\x1b$B\xff\xff", 0, NULL },
		{ "utf-8", "a\0b", 3, "a\xef\xbf\xbd" "b" },
		{ "utf-16le", "a\0\0\xd8", 4, "a\xef\xbf\xbd" },
		{ "utf-8", "", 0, "" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct buf out = BUF_INIT;
		size_t len = rows[i].len ? rows[i].len : strlen(rows[i].in);
		charset_to_utf8(&out, rows[i].charset, rows[i].in, len);
		char name[120];
		snprintf(name, sizeof(name), "%sconvert row %zu (%s)", round, i,
		         rows[i].charset ? rows[i].charset : "none");
		if (rows[i].want)
			tap_is_mem(buf_cstr(&out), out.len, rows[i].want, strlen(rows[i].want), name);
		else
			tap_ok(charset_utf8_valid(buf_cstr(&out), out.len) && strstr(buf_cstr(&out), "\xef\xbf\xbd"),
			       "%s: valid UTF-8 with U+FFFD", name);
		buf_release(&out);
	}
}

static void test_sanitize(void)
{
	static const struct {
		const char *in;
		size_t len;
		const char *want;
	} rows[] = {
		{ "plain", 5, "plain" },
		{ "\xe2\x82\xac", 3, "\xe2\x82\xac" },
		{ "\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80" },
		{ "\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd" },          /* overlong "/" */
		{ "\xe0\x80\xaf", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },  /* surrogate */
		{ "\xf4\x90\x80\x80", 4, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xe2\x82", 2, "\xef\xbf\xbd" },                      /* truncated: one */
		{ "\xe2\x82x", 3, "\xef\xbf\xbdx" },
		{ "\x80\x80", 2, "\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xf8\x88\x80\x80\x80", 5, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "a\0b", 3, "a\xef\xbf\xbd" "b" },
		{ "", 0, "" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct buf out = BUF_INIT;
		charset_utf8_sanitize(&out, rows[i].in, rows[i].len);
		char name[64];
		snprintf(name, sizeof(name), "sanitize row %zu", i);
		tap_is_mem(buf_cstr(&out), out.len, rows[i].want, strlen(rows[i].want), name);
		tap_ok(charset_utf8_valid(buf_cstr(&out), out.len), "sanitize row %zu valid", i);
		buf_release(&out);
	}
	tap_ok(charset_utf8_cut("a\xe2\x82\xac", 4, 3) == 1, "cut does not split a character");
	tap_ok(charset_utf8_cut("abc", 3, 2) == 2, "cut ASCII");
}

static void test_hostile_all_bytes(void)
{
	static const char *const labels[] = { "utf-8", "big5", "gb18030", "iso-2022-jp", "utf-7",
	                                      "cp949", "shift_jis", "utf-16", "koi8-r", NULL };
	char all[512];
	for (int i = 0; i < 512; i++)
		all[i] = (char)(i * 7 + i / 256);
	for (size_t l = 0; l < sizeof(labels) / sizeof(labels[0]); l++) {
		struct buf out = BUF_INIT;
		charset_to_utf8(&out, labels[l], all, sizeof(all));
		tap_ok(out.len > 0 && charset_utf8_valid(out.p, out.len),
		       "every byte value through %s: valid UTF-8", labels[l] ? labels[l] : "none");
		buf_release(&out);
	}
}

/*
 * A thread keeps its iconv descriptors (eight charsets): one used again
 * starts from its initial state, and one evicted and opened again works.
 */
static void test_kept_descriptors(void)
{
	struct buf out = BUF_INIT;

	charset_to_utf8(&out, "iso-2022-jp", "\x1b$BF|", 5);
	tap_is_str(buf_cstr(&out), "\xe6\x97\xa5", "iso-2022-jp ending shifted to JIS X 0208");
	buf_reset(&out);
	charset_to_utf8(&out, "iso-2022-jp", "F|", 2);
	tap_is_str(buf_cstr(&out), "F|", "... the next text starts in ASCII");
	buf_release(&out);
}

int main(void)
{
	test_canonical();
	test_convert("");
	test_kept_descriptors();
	/* again, with descriptors kept from the first round and evicted */
	test_convert("again: ");
	test_sanitize();
	test_hostile_all_bytes();
	return tap_done();
}
