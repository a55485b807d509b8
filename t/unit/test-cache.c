/*
 * The validators and the 304 decision (cache.h): HTTP dates in the three
 * forms RFC 9110 5.6.7 makes a recipient accept, If-None-Match before
 * If-Modified-Since, and If-Modified-Since per RFC 9110 13.1.3.
 */
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "cache.h"

/* 1994-11-06 08:49:37 UTC, RFC 9110's example. */
#define EXAMPLE 784111777

static const struct {
	const char *text;
	time_t want;            /* -1: must be refused */
} dates[] = {
	{ "Sun, 06 Nov 1994 08:49:37 GMT", EXAMPLE },
	{ "Sunday, 06-Nov-94 08:49:37 GMT", EXAMPLE },
	{ "Sun Nov  6 08:49:37 1994", EXAMPLE },
	{ "Sun Nov 06 08:49:37 1994", EXAMPLE },
	{ "Thu, 01 Jan 1970 00:00:00 GMT", 0 },
	{ "Sun, 06 Nov 1994 08:49:37 UTC", -1 },
	{ "Sun, 06 Nov 1994 08:49:37", -1 },
	{ "Sun, 6 Nov 1994 08:49:37 GMT", -1 },
	{ "Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT", -1 },
	{ "Xyz, 06 Nov 1994 08:49:37 GMT", -1 },
	{ "Sun, 06 Foo 1994 08:49:37 GMT", -1 },
	{ "Sun, 32 Nov 1994 08:49:37 GMT", -1 },
	{ "Sun, 06 Nov 1994 24:49:37 GMT", -1 },
	{ "Sun, 06 Nov 19x4 08:49:37 GMT", -1 },
	{ "Sunday, 06-Nov-1994 08:49:37 GMT", -1 },
	{ "Sun Nov  6 08:49:37 94", -1 },
	{ "", -1 },
	{ "yesterday", -1 },
	{ "784111777", -1 },
};

#define ETAG "W/\"1-2-3-4-5-message-00112233\""

#define SEND CACHE_SEND
#define SAME CACHE_SAME_TAG
#define IF_THERE CACHE_IF_PRESENT

static const struct {
	const char *if_none_match, *if_modified_since;
	time_t modified;
	enum cache_verdict want;
	const char *name;
} rows[] = {
	{ ETAG, NULL, EXAMPLE, SAME, "If-None-Match with the tag" },
	{ "\"1-2-3-4-5-message-00112233\"", NULL, EXAMPLE, SAME, "... compared weakly" },
	{ "\"x\", " ETAG, NULL, EXAMPLE, SAME, "... in a list" },
	{ "*", NULL, EXAMPLE, IF_THERE, "* holds if the page is there" },
	{ " *", NULL, 0, IF_THERE, "... white space before it" },
	{ "W/\"1-2-3-4-5-raw-00112233\"", NULL, EXAMPLE, SEND, "another tag: modified" },
	{ "W/\"other\"", "Sun, 06 Nov 1994 08:49:37 GMT", EXAMPLE, SEND,
	  "If-None-Match decides over a matching If-Modified-Since" },
	{ ETAG, "Sat, 05 Nov 1994 08:49:37 GMT", EXAMPLE, SAME,
	  "If-None-Match decides over an older If-Modified-Since" },
	{ NULL, "Sun, 06 Nov 1994 08:49:37 GMT", EXAMPLE, IF_THERE,
	  "If-Modified-Since equal to Last-Modified: not modified, if there" },
	{ NULL, "Sun, 06 Nov 1994 08:49:38 GMT", EXAMPLE, IF_THERE,
	  "If-Modified-Since a second later: not modified, if there" },
	{ NULL, "Sun, 06 Nov 1994 08:49:36 GMT", EXAMPLE, SEND,
	  "If-Modified-Since a second earlier: modified" },
	{ NULL, "Sunday, 06-Nov-94 08:49:37 GMT", EXAMPLE, IF_THERE,
	  "an RFC 850 date is understood" },
	{ NULL, "Sun Nov  6 08:49:37 1994", EXAMPLE, IF_THERE,
	  "an asctime date is understood" },
	{ NULL, "Sun, 06 Nov 2095 08:49:37 GMT", EXAMPLE, SEND,
	  "If-Modified-Since in the future is ignored" },
	{ NULL, "Sun, 06 Nov 2095 08:49:37 GMT", 0, SEND,
	  "... also without a Last-Modified (a search of nothing)" },
	{ NULL, "Sun, 06 Nov 1994 08:49:37 GMT", 0, SEND,
	  "no Last-Modified: If-Modified-Since is ignored" },
	{ NULL, "garbage", EXAMPLE, SEND, "an unparseable date is ignored" },
	{ NULL, NULL, EXAMPLE, SEND, "no condition: modified" },
};

int main(void)
{
	/* The server's clock for the rows: 2030-01-01. */
	time_t now = 1893456000;
	struct buf out = BUF_INIT;

	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		time_t got = -1;
		int rc = cache_http_date_parse(dates[i].text, &got);
		if (dates[i].want < 0)
			tap_ok(rc < 0, "refused: '%s'", dates[i].text);
		else
			tap_ok(rc == 0 && got == dates[i].want, "'%s' is %lld (%lld)",
			       dates[i].text, (long long)dates[i].want, (long long)got);
	}
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		tap_ok(cache_check(rows[i].if_none_match, rows[i].if_modified_since,
		                   ETAG, rows[i].modified, now) == rows[i].want,
		       "%s", rows[i].name);

	cache_http_date(&out, EXAMPLE);
	tap_is_str(buf_cstr(&out), "Sun, 06 Nov 1994 08:49:37 GMT", "IMF-fixdate out");

	/* Two requests, two digests: two tags. */
	unsigned char one[32] = { 1 }, two[32] = { 2 };
	struct cache_key key = { .uidvalidity = 1, .newest_uid = 2, .exists = 3,
	                         .highestmodseq = 4, .uid = 5,
	                         .variant = "search", .digest = one };
	struct buf tag_one = BUF_INIT, tag_two = BUF_INIT;
	cache_etag(&tag_one, &key);
	key.digest = two;
	cache_etag(&tag_two, &key);
	tap_is_str(buf_cstr(&tag_one), "W/\"1-2-3-4-5-search-0100000000000000\"",
	           "the ETag: state, UID, variant, digest");
	tap_ok(strcmp(buf_cstr(&tag_one), buf_cstr(&tag_two)) != 0,
	       "another digest, another ETag");
	tap_ok(cache_check(buf_cstr(&tag_one), NULL, buf_cstr(&tag_two), 0, now) == CACHE_SEND,
	       "... which does not match the first");
	buf_release(&out);
	buf_release(&tag_one);
	buf_release(&tag_two);
	return tap_done();
}
