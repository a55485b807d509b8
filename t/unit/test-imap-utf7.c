/*
 * Modified UTF-7: {input, expected} rows both ways, NULL expected = must be
 * rejected; every accepted row also round-trips.
 */
#include <string.h>

#include "imap_utf7.h"
#include "../tap.h"

struct row {
	const char *in, *out;
};

static const struct row decode_rows[] = {
	{ "INBOX", "INBOX" },
	{ "", "" },
	{ "&-", "&" },
	{ "Tom &- Jerry", "Tom & Jerry" },
	{ "&AOQ-", "\303\244" },                             /* a umlaut */
	{ "Entw&APw-rfe", "Entw\303\274rfe" },
	{ "~peter/mail/&U,BTFw-/&ZeVnLIqe-", "~peter/mail/\345\217\260\345\214\227/\346\227\245\346\234\254\350\252\236" },
	{ "&2D3eAA-", "\360\237\230\200" },                  /* U+1F600, a pair */
	{ "&AOQA9gD8-", "\303\244\303\266\303\274" },
	{ "&AOQ-&-", "\303\244&" },
	{ "&BBIEOwQwBDQEOAQ8BDgEQA-", "\320\222\320\273\320\260\320\264\320\270\320\274\320\270\321\200" },
	/* hostile */
	{ "&", NULL },                  /* not closed */
	{ "&AOQ", NULL },               /* not closed */
	{ "&AOQ-&", NULL },
	{ "&AOR-", NULL },              /* non-zero leftover bits */
	{ "&AO-", NULL },               /* 12 bits: a cut unit */
	{ "&AOQA-", NULL },             /* 24 bits: 8 leftover */
	{ "&AOQ*-", NULL },             /* bad base64 */
	{ "&AOQ/-", NULL },             /* "/" is "," in mUTF-7 */
	{ "&AOQ=-", NULL },             /* no padding */
	{ "&AGE-", NULL },              /* "a" must be direct */
	{ "&ACY-", NULL },              /* "&" must be "&-" */
	{ "&AAA-", NULL },              /* U+0000 */
	{ "&2D0-", NULL },              /* lone high surrogate */
	{ "&3gA-", NULL },              /* lone low surrogate */
	{ "&2D3YPQ-", NULL },           /* high, high */
	{ "&2D0-&3gA-", NULL },         /* a pair split over two runs */
	{ "&AOQ-&AOQ-", NULL },         /* two adjacent runs: not canonical */
	{ "caf\303\251", NULL },        /* 8-bit */
	{ "tab\there", NULL },
	{ "nl\r\n", NULL },
};

static const struct row encode_rows[] = {
	{ "INBOX", "INBOX" },
	{ "", "" },
	{ "&", "&-" },
	{ "Tom & Jerry", "Tom &- Jerry" },
	{ "\303\244", "&AOQ-" },
	{ "Entw\303\274rfe", "Entw&APw-rfe" },
	{ "~peter/mail/\345\217\260\345\214\227/\346\227\245\346\234\254\350\252\236", "~peter/mail/&U,BTFw-/&ZeVnLIqe-" },
	{ "\360\237\230\200", "&2D3eAA-" },
	{ "\303\244\303\266\303\274", "&AOQA9gD8-" },
	{ "a\303\244b\303\244", "a&AOQ-b&AOQ-" },
	{ "tab\there", "tab&AAk-here" },  /* control characters are encoded */
	/* hostile: invalid UTF-8 */
	{ "\303", NULL },               /* cut */
	{ "\303(", NULL },              /* bad continuation */
	{ "\300\257", NULL },           /* overlong "/" */
	{ "\340\200\257", NULL },       /* overlong */
	{ "\355\240\200", NULL },       /* surrogate U+D800 */
	{ "\364\220\200\200", NULL },   /* beyond U+10FFFF */
	{ "\377", NULL },
	{ "\200", NULL },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(decode_rows) / sizeof(decode_rows[0]); i++) {
		const struct row *row = &decode_rows[i];
		struct buf out = BUF_INIT;
		buf_addstr(&out, "keep:");
		int rc = imap_utf7_decode(str_from(row->in), &out);
		if (!row->out) {
			tap_ok(rc == -1 && !strcmp(buf_cstr(&out), "keep:"),
			       "decode rejects row %zu, output untouched", i);
		} else {
			tap_ok(rc == 0, "decode row %zu", i);
			tap_is_str(buf_cstr(&out) + 5, row->out, row->in);
			struct buf back = BUF_INIT;
			tap_ok(imap_utf7_encode(str_from(buf_cstr(&out) + 5), &back) == 0 &&
			       !strcmp(buf_cstr(&back), row->in), "row %zu encodes back", i);
			buf_release(&back);
		}
		buf_release(&out);
	}
	for (size_t i = 0; i < sizeof(encode_rows) / sizeof(encode_rows[0]); i++) {
		const struct row *row = &encode_rows[i];
		struct buf out = BUF_INIT;
		int rc = imap_utf7_encode(str_from(row->in), &out);
		if (!row->out) {
			tap_ok(rc == -1 && out.len == 0, "encode rejects row %zu", i);
		} else {
			tap_ok(rc == 0, "encode row %zu", i);
			tap_is_str(buf_cstr(&out), row->out, row->out);
			struct buf back = BUF_INIT;
			tap_ok(imap_utf7_decode(str_from(buf_cstr(&out)), &back) == 0 &&
			       !strcmp(buf_cstr(&back), row->in), "row %zu decodes back", i);
			buf_release(&back);
		}
		buf_release(&out);
	}
	/* NUL inside the input is rejected both ways. */
	struct buf out = BUF_INIT;
	tap_ok(imap_utf7_encode((struct str){ "a\0b", 3 }, &out) == -1, "encode rejects NUL");
	tap_ok(imap_utf7_decode((struct str){ "a\0b", 3 }, &out) == -1, "decode rejects NUL");
	buf_release(&out);
	return tap_done();
}
