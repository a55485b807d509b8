/* rfc5322: unfolding, dates, Message-ID lists, address lists. */
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "rfc5322.h"
#include "../tap.h"

static void test_dates(void)
{
	/* want: RFC 3339 UTC; NULL: must be rejected.  Values cross-checked
	 * with Python's email.utils.parsedate_tz. */
	static const struct {
		const char *in, *want;
	} rows[] = {
		{ "Thu, 21 Sep 2023 17:42:53 +0800", "2023-09-21T09:42:53Z" },
		{ "Thu, 02 Jan 2020 03:04:05 +0000", "2020-01-02T03:04:05Z" },
		{ "2 Jan 2020 03:04 -0000", "2020-01-02T03:04:00Z" },          /* no seconds, no day */
		{ "Thu Jan  2 03:04:05 2020", "2020-01-02T03:04:05Z" },         /* asctime */
		{ "Fri, 3 Jan 20 03:04:05 EST", "2020-01-03T08:04:05Z" },       /* 2-digit year */
		{ "Mon, 6 May 2002 12:00:00 PDT (PDT)", "2002-05-06T19:00:00Z" },
		{ "1 feb 99 1:2:3 GMT", "1999-02-01T01:02:03Z" },
		{ "Tue, 1 Jan 102 00:00:00 UT", "2002-01-01T00:00:00Z" },       /* 3-digit year */
		{ "Wed, 31 Dec 1969 23:59:59 +0000", "1969-12-31T23:59:59Z" },
		{ "Sat, 29 Feb 2020 12:00:00 +0100", "2020-02-29T11:00:00Z" },
		{ "Sun, 1 March 2020 10:00:00 +0530", "2020-03-01T04:30:00Z" },
		{ "(comment) Mon, 2 Mar 2020 (more) 10:00:00 (x) +0000", "2020-03-02T10:00:00Z" },
		{ "Mon, 2 Mar 2020 10:00:00", "2020-03-02T10:00:00Z" },         /* no zone */
		{ "Mon, 2 Mar 2020", "2020-03-02T00:00:00Z" },                  /* no time */
		{ "Mon, 2 Mar 2020 23:59:60 +0000", "2020-03-02T23:59:59Z" },   /* leap second */
		{ "Mon,2 Mar 2020 10:00:00 +0000 junk here", "2020-03-02T10:00:00Z" },
		{ "2020 Mar 2 10:00:00", "2020-03-02T10:00:00Z" },
		{ "Mon, 2 Mar 2020 10.00.00 +0000", "2020-03-02T10:00:00Z" },
		{ "Mon, 2 Mar 2020 10:00:00 Z", "2020-03-02T10:00:00Z" },
		{ "Mon, 2 Mar 2020 10:00:00 +2400", "2020-03-02T10:00:00Z" },   /* bad zone ignored */
		/* a 12-hour clock (Python's parsedate_tz ignores the half) */
		{ "Wed 29 May 2019 06:09:22 PM EDT", "2019-05-29T22:09:22Z" },
		{ "May 8, 2005 1:17 PM", "2005-05-08T13:17:00Z" },
		{ "Tue, 3 Mar 2020 3:04PM +0000", "2020-03-03T15:04:00Z" },
		{ "Tue, 3 Mar 2020 12:04 AM +0000", "2020-03-03T00:04:00Z" },
		{ "Tue, 3 Mar 2020 12:04 pm +0000", "2020-03-03T12:04:00Z" },
		{ "Tue, 3 Mar 2020 9:04 a.m. +0100", "2020-03-03T08:04:00Z" },
		{ "Tue, 3 Mar 2020 15:04 PM +0000", "2020-03-03T15:04:00Z" },  /* 24-hour already */
		{ "Tue, 3 Mar 2020 PM 3:04 +0000", "2020-03-03T03:04:00Z" },   /* before the time: no clock */
		{ "", NULL },
		{ "garbage", NULL },
		{ "Mon, 30 Feb 2020 10:00:00 +0000", NULL },
		{ "Mon, 29 Feb 2019 10:00:00 +0000", NULL },
		{ "Mon, 2 Foo 2020 10:00:00 +0000", NULL },
		{ "Mon, 0 Mar 2020", NULL },
		{ "Mon, 2 Mar 99999999999999999999999", NULL },
		{ "Mon, 2 Mar 2020 25:00:00 +0000", "2020-03-02T00:00:00Z" },   /* bad time: midnight */
		{ "((((((((", NULL },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		time_t t;
		char out[RFC5322_DATE_LEN + 1] = "";
		int rc = rfc5322_date_parse(rows[i].in, strlen(rows[i].in), &t);
		if (rc == 0)
			rfc5322_date_format(t, out);
		if (!rows[i].want)
			tap_ok(rc < 0, "date '%s' rejected", rows[i].in);
		else
			tap_ok(rc == 0 && !strcmp(out, rows[i].want), "date '%s' -> %s (got %s)",
			       rows[i].in, rows[i].want, out);
	}
	time_t t;
	/* found by fuzzing: a NUL made the tokenizer stop advancing */
	tap_ok(rfc5322_date_parse("b/o@am\0dbn.dom\r", 15, &t) < 0, "date with a NUL: rejected, no hang");
	char out[RFC5322_DATE_LEN + 1];
	tap_ok(rfc5322_date_format(0, out) == 0 && !strcmp(out, "1970-01-01T00:00:00Z"), "format epoch");
}

static void test_ids(void)
{
	/* want: ids joined by " " */
	static const struct {
		const char *in, *want;
	} rows[] = {
		{ "<a@b>", "a@b" },
		{ "<a@b> <c@d>", "a@b c@d" },
		{ "<a@b>\r\n\t<c@d>", "a@b c@d" },
		{ "junk <a@b> (comment) more junk,<c@d>", "a@b c@d" },
		{ "<a@b\r\n c>", "a@bc" },
		{ "a@b", "a@b" },                      /* no brackets at all */
		{ "a@b, c@d junk", "a@b c@d" },
		{ "<a@b", "a@b" },                     /* unterminated */
		{ "<a@b <c@d>", "a@b c@d" },
		{ "<>", "" },
		{ "", "" },
		{ "no ids here", "" },
		{ "<caf\xe9@x>", "caf\xc3\xa9@x" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct rfc5322_ids ids;
		struct buf got = BUF_INIT;
		rfc5322_ids_parse(&ids, rows[i].in, strlen(rows[i].in));
		for (size_t k = 0; k < ids.n; k++)
			buf_addf(&got, "%s%s", k ? " " : "", ids.v[k]);
		char name[100];
		snprintf(name, sizeof(name), "ids '%.40s'", rows[i].in);
		tap_is_mem(buf_cstr(&got), got.len, rows[i].want, strlen(rows[i].want), name);
		rfc5322_ids_release(&ids);
		buf_release(&got);
	}
	struct buf in = BUF_INIT;
	struct rfc5322_ids ids;
	for (int i = 0; i < 5000; i++)
		buf_addf(&in, "<%d@x> ", i);
	rfc5322_ids_parse(&ids, in.p, in.len);
	tap_ok(ids.n == RFC5322_IDS_MAX, "5000 ids: %zu kept", ids.n);
	rfc5322_ids_release(&ids);
	buf_release(&in);
}

static void test_addrs(void)
{
	/* want: "name|address" entries joined by "; ", name "-" when none */
	static const struct {
		const char *in, *want;
	} rows[] = {
		{ "a@b", "-|a@b" },
		{ "John Doe <j@d>", "John Doe|j@d" },
		{ "\"Doe, John\" <j@d>, x@y", "Doe, John|j@d; -|x@y" },
		{ "Doe, John <j@d>", "Doe, John|j@d" },          /* unquoted comma */
		{ "j@d (John Doe)", "John Doe|j@d" },            /* comment as name */
		{ "John <j@d> (work)", "John|j@d" },
		{ "=?utf-8?q?Jos=C3=A9?= <j@d>", "Jos\xc3\xa9|j@d" },
		{ "\"=?utf-8?q?Jos=C3=A9?=\" <j@d>", "Jos\xc3\xa9|j@d" },
		{ "=?iso-8859-9?Q?O=F0uzhan_Gedikli?= <o@g>", "O\xc4\x9fuzhan Gedikli|o@g" },
		{ "team: a@b, C <c@d>;, e@f", "-|a@b; C|c@d; -|e@f" },   /* group */
		{ "undisclosed-recipients:;", "" },
		{ "<@route1,@route2:j@d>", "-|j@d" },
		{ "\"quoted \\\"name\\\"\" <q@x>", "quoted \"name\"|q@x" },
		{ "Jos\xe9 <j@d>", "Jos\xc3\xa9|j@d" },            /* raw latin-1 */
		{ "Jos\xc3\xa9 <j@d>", "Jos\xc3\xa9|j@d" },        /* RFC 6532 */
		{ "a@b,,, ,c@d", "-|a@b; -|c@d" },
		{ "<j@d>", "-|j@d" },
		{ "\"\" <j@d>", "-|j@d" },
		{ "John Doe", "-|John Doe" },                    /* no address at all */
		{ "John\r\n Doe <j@d>", "John Doe|j@d" },
		{ "<unterminated@x", "-|unterminated@x" },
		{ "\"unterminated <j@d>", "-|unterminated <j@d>" },
		{ "(unterminated comment j@d", "" },
		{ "Joseph K <jk@c.com>\n        magick@w.com", "Joseph K|jk@c.com; -|magick@w.com" },
		{ "tim@p.com concierge@p.com", "-|tim@p.com; -|concierge@p.com" },
		{ "<>", "-|" },                                  /* the null address */
		{ "\"Just A Name\"", "Just A Name|" },           /* a name alone */
		{ "\"A\", \"B\" <b@x>", "A, B|b@x" },
		{ "\"A\" x", "-|A x" },                         /* not only quoted */
		{ "foo@", "-|foo" },                             /* no domain */
		{ "@bar", "-|@bar" },                            /* no local part */
		{ "<@example.org>", "-|@example.org" },
		/* RFC 5322 A.5: comments inside the angle brackets */
		{ "Pete(A wonderful \\) chap) <pete(his account)@silly.test(his host)>",
		  "Pete|pete@silly.test" },
		{ "<a(nested (deep) \\( x)@b>", "-|a@b" },
		{ "<a@b (never closed>", "-|a@b" },
		{ "", "" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct rfc5322_addrs addrs;
		struct buf got = BUF_INIT;
		rfc5322_addrs_parse(&addrs, rows[i].in, strlen(rows[i].in));
		for (size_t k = 0; k < addrs.n; k++)
			buf_addf(&got, "%s%s|%s", k ? "; " : "", addrs.v[k].name ? addrs.v[k].name : "-",
			         addrs.v[k].address);
		char name[100];
		snprintf(name, sizeof(name), "addrs '%.50s'", rows[i].in);
		tap_is_mem(buf_cstr(&got), got.len, rows[i].want, strlen(rows[i].want), name);
		rfc5322_addrs_release(&addrs);
		buf_release(&got);
	}
	struct buf in = BUF_INIT;
	struct rfc5322_addrs addrs;
	for (int i = 0; i < 3000; i++)
		buf_addf(&in, "n%d <a%d@x>, ", i, i);
	rfc5322_addrs_parse(&addrs, in.p, in.len);
	tap_ok(addrs.n == RFC5322_ADDRS_MAX, "3000 addresses: %zu kept", addrs.n);
	rfc5322_addrs_release(&addrs);
	buf_release(&in);
}

static void test_unfold(void)
{
	struct buf out = BUF_INIT;
	rfc5322_unfold(&out, "a\r\n b\n\tc\r\nd", 12);
	tap_is_str(buf_cstr(&out), "a b\tc\r\nd", "unfold: CRLF/LF + WSP removed, a bare CRLF kept");
	static const struct {
		const char *in, *want;
	} rows[] = {
		{ "", "" },
		{ "plain", "plain" },
		{ "a\r b", "a\r b" },                 /* a lone CR is no break */
		{ "a\r\r\n b", "a\r b" },
		{ "end\r\n", "end\r\n" },           /* nothing after the break */
		{ "end\r\n ", "end " },
		{ "x\n\n y", "x\n y" },
		{ "\r\n\t\r\n z", "\t z" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char name[64];
		buf_reset(&out);
		rfc5322_unfold(&out, rows[i].in, strlen(rows[i].in));
		snprintf(name, sizeof(name), "unfold row %zu", i);
		tap_is_str(buf_cstr(&out), rows[i].want, name);
	}
	buf_release(&out);
}

/* Several fields in one pass, as rfc5322_field finds each alone. */
static void test_fields(void)
{
	static const char block[] =
		"Subject: first\r\n  folded\r\n"
		"X-Other: x\r\n"
		"FROM:a@b\r\n"
		"Subject: second\r\n"
		"Cc:\r\n"
		"broken line without a colon\r\n";
	const char *names[] = { "subject", "from", "cc", "to", "x-other" };
	struct str values[5];
	struct buf unfolded = BUF_INIT, one = BUF_INIT;

	rfc5322_fields(block, strlen(block), names, 5, values, &unfolded);
	tap_is_mem(values[0].p, values[0].len, " first  folded\r", 15,
	           "fields: the first Subject, unfolded, not trimmed");
	tap_is_mem(values[1].p, values[1].len, "a@b\r", 4, "fields: names in any case");
	tap_ok(values[2].p && values[2].len == 1, "fields: an empty Cc is there");
	tap_ok(!values[3].p, "fields: no To");
	for (size_t k = 0; k < 5; k++) {
		buf_reset(&one);
		int found = rfc5322_field(block, strlen(block), names[k], &one);
		tap_ok(found == (values[k].p != NULL) &&
		       (!found || (one.len == values[k].len && !memcmp(one.p, values[k].p, one.len))),
		       "fields: %s as rfc5322_field finds it", names[k]);
	}
	rfc5322_fields(NULL, 0, names, 1, values, &unfolded);
	tap_ok(!values[0].p, "fields: no block, no field");
	buf_release(&unfolded);
	buf_release(&one);
}

static void test_header_length(void)
{
	static const struct {
		const char *message;
		size_t want;
		const char *name;
	} rows[] = {
		{ "A: 1\nB: 2\n\nbody\nC: 3\n", 10, "LF: up to the empty line" },
		{ "A: 1\r\nB: 2\r\n\r\nbody", 12, "CRLF" },
		{ "A: 1\n folded\n\n", 13, "a folded field is header" },
		{ "\nbody", 0, "no header at all" },
		{ "\r\nbody", 0, "... with CRLF" },
		{ "A: 1\nB: 2\n", 10, "no empty line: all of it" },
		{ "A: 1\n\r", 6, "a lone CR after the last line end is not an empty line" },
		{ "", 0, "nothing" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		tap_ok(rfc5322_header_length(rows[i].message, strlen(rows[i].message)) == rows[i].want,
		       "header length: %s", rows[i].name);
}

int main(void)
{
	test_header_length();
	test_fields();
	test_dates();
	test_ids();
	test_addrs();
	test_unfold();
	return tap_done();
}
