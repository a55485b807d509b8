/* ETag, Last-Modified and the 304 decision (see cache.h). */
#include "cache.h"
#include "rfc5322.h"

#include <string.h>
#include <strings.h>

/* Bytes of the digest in an ETag: 64 bits tell requests apart. */
#define CACHE_DIGEST_BYTES 8

void cache_etag(struct buf *out, const struct cache_key *key)
{
	buf_addf(out, "W/\"%u-%u-%u-%llu-%u-%s", key->uidvalidity,
	         key->newest_uid, key->exists,
	         (unsigned long long)key->highestmodseq, key->uid,
	         key->variant ? key->variant : "");
	if (key->digest) {
		buf_addch(out, '-');
		for (size_t i = 0; i < CACHE_DIGEST_BYTES; i++)
			buf_addf(out, "%02x", key->digest[i]);
	}
	buf_addch(out, '"');
}


void cache_http_date(struct buf *out, time_t when)
{
	struct tm tm;

	if (!gmtime_r(&when, &tm) || tm.tm_year + 1900 > 9999 ||
	    tm.tm_year + 1900 < 0)
		return;
	buf_addf(out, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	         rfc5322_days[tm.tm_wday], tm.tm_mday, rfc5322_months[tm.tm_mon],
	         tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int digits(const char *p, size_t n, int *value)
{
	*value = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		*value = *value * 10 + (p[i] - '0');
	}
	return 0;
}

static int month_of(const char *name)
{
	for (int i = 0; i < 12; i++)
		if (!strncmp(name, rfc5322_months[i], 3))
			return i;
	return -1;
}

/* "08:49:37" at p into tm. */
static int clock_of(const char *p, struct tm *tm)
{
	if (p[2] != ':' || p[5] != ':' || digits(p, 2, &tm->tm_hour) < 0 ||
	    digits(p + 3, 2, &tm->tm_min) < 0 || digits(p + 6, 2, &tm->tm_sec) < 0)
		return -1;
	return 0;
}

/* A day name of rfc5322_days at p, n letters ("Sun", or "Sunday"). */
static bool day_of(const char *p, size_t n)
{
	static const char *const long_days[7] = {
		"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
		"Saturday",
	};

	for (int i = 0; i < 7; i++)
		if (strlen(n == 3 ? rfc5322_days[i] : long_days[i]) == n &&
		    !strncmp(p, n == 3 ? rfc5322_days[i] : long_days[i], n))
			return true;
	return false;
}

/*
 * RFC 9110 5.6.7: the IMF-fixdate we send, and the two obsolete forms a
 * recipient must still accept:
 *     Sun, 06 Nov 1994 08:49:37 GMT      IMF-fixdate
 *     Sunday, 06-Nov-94 08:49:37 GMT     RFC 850 (two-digit year)
 *     Sun Nov  6 08:49:37 1994           asctime()
 */
int cache_http_date_parse(const char *text, time_t *out)
{
	struct tm tm;
	size_t len = text ? strlen(text) : 0, comma;
	const char *p;
	int rc = -1;

	if (!len || len > 40)
		return -1;
	memset(&tm, 0, sizeof(tm));
	comma = strcspn(text, ",");
	if (comma == 3 && len == 29 && day_of(text, 3)) {
		p = text + 5;
		if (text[4] == ' ' && p[2] == ' ' && p[6] == ' ' && p[11] == ' ' &&
		    !strcmp(p + 20, " GMT") && digits(p, 2, &tm.tm_mday) == 0 &&
		    (tm.tm_mon = month_of(p + 3)) >= 0 &&
		    digits(p + 7, 4, &tm.tm_year) == 0 && clock_of(p + 12, &tm) == 0)
			rc = 0;
		tm.tm_year -= 1900;
	} else if (comma > 3 && comma < len && day_of(text, comma)) {
		p = text + comma + 2;
		if (text[comma + 1] == ' ' && (size_t)(p - text) + 22 == len &&
		    p[2] == '-' && p[6] == '-' && p[9] == ' ' &&
		    !strcmp(p + 18, " GMT") && digits(p, 2, &tm.tm_mday) == 0 &&
		    (tm.tm_mon = month_of(p + 3)) >= 0 &&
		    digits(p + 7, 2, &tm.tm_year) == 0 && clock_of(p + 10, &tm) == 0) {
			/* A year more than 50 years ahead is of the last century. */
			time_t now = time(NULL);
			struct tm today;
			int year = 2000 + tm.tm_year;
			if (gmtime_r(&now, &today) && year > today.tm_year + 1900 + 50)
				year -= 100;
			tm.tm_year = year - 1900;
			rc = 0;
		}
	} else if (comma == len && len == 24 && day_of(text, 3)) {
		p = text + 4;
		char mday[2] = { p[4] == ' ' ? '0' : p[4], p[5] };
		if (text[3] == ' ' && p[3] == ' ' && p[6] == ' ' && p[15] == ' ' &&
		    (tm.tm_mon = month_of(p)) >= 0 &&
		    digits(mday, 2, &tm.tm_mday) == 0 && clock_of(p + 7, &tm) == 0 &&
		    digits(p + 16, 4, &tm.tm_year) == 0)
			rc = 0;
		tm.tm_year -= 1900;
	}
	if (rc < 0 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	*out = timegm(&tm);
	return 0;
}

/* Weak comparison: W/ prefixes ignored, the quoted tags compared. */
static bool tag_in_list(const char *list, const char *etag)
{
	const char *tag = !strncmp(etag, "W/", 2) ? etag + 2 : etag;
	size_t tag_len = strlen(tag);
	const char *p = list;

	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!strncmp(p, "W/", 2))
			p += 2;
		if (*p != '"')
			return false;
		const char *end = strchr(p + 1, '"');
		if (!end)
			return false;
		if ((size_t)(end + 1 - p) == tag_len && !strncmp(p, tag, tag_len))
			return true;
		p = end + 1;
	}
	return false;
}

/* "*": any current representation (RFC 9110 13.1.2). */
static bool any_tag(const char *list)
{
	while (*list == ' ' || *list == '\t')
		list++;
	return *list == '*';
}

enum cache_verdict cache_check(const char *if_none_match,
                               const char *if_modified_since, const char *etag,
                               time_t modified, time_t now)
{
	time_t since;

	if (if_none_match) {
		if (any_tag(if_none_match))
			return CACHE_IF_PRESENT;
		return etag && tag_in_list(if_none_match, etag) ? CACHE_SAME_TAG
		                                                 : CACHE_SEND;
	}
	/*
	 * RFC 9110 13.1.3: not modified when the last modification is
	 * earlier than or equal to the date given.  A date we cannot parse,
	 * one in the future (no copy can be from then: the client's clock or
	 * a guess), or a resource without a date: the condition is ignored.
	 */
	if (!if_modified_since || !modified ||
	    cache_http_date_parse(if_modified_since, &since) < 0 || since > now)
		return CACHE_SEND;
	return modified <= since ? CACHE_IF_PRESENT : CACHE_SEND;
}
