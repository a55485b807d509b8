/* ETag, Last-Modified and the 304 decision (see cache.h). */
#include "cache.h"
#include "rfc5322.h"

#include <string.h>
#include <strings.h>

void cache_etag(struct buf *out, const struct cache_key *key)
{
	buf_addf(out, "W/\"%u-%u-%u-%llu-%u-%s\"", key->uidvalidity,
	         key->newest_uid, key->exists,
	         (unsigned long long)key->highestmodseq, key->uid,
	         key->variant ? key->variant : "");
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

/* Only the IMF-fixdate form: what we send and what clients send back. */
int cache_http_date_parse(const char *text, time_t *out)
{
	struct tm tm;
	int month = -1;

	/* "Sun, 06 Nov 1994 08:49:37 GMT" */
	if (!text || strlen(text) != 29 || text[3] != ',' || text[4] != ' ' ||
	    text[7] != ' ' || text[11] != ' ' || text[16] != ' ' ||
	    text[19] != ':' || text[22] != ':' || strcmp(text + 25, " GMT"))
		return -1;
	memset(&tm, 0, sizeof(tm));
	for (int i = 0; i < 12; i++)
		if (!strncmp(text + 8, rfc5322_months[i], 3))
			month = i;
	if (month < 0 || digits(text + 5, 2, &tm.tm_mday) < 0 ||
	    digits(text + 12, 4, &tm.tm_year) < 0 ||
	    digits(text + 17, 2, &tm.tm_hour) < 0 ||
	    digits(text + 20, 2, &tm.tm_min) < 0 ||
	    digits(text + 23, 2, &tm.tm_sec) < 0 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return -1;
	tm.tm_mon = month;
	tm.tm_year -= 1900;
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
		if (*p == '*')
			return true;
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

bool cache_not_modified(const char *if_none_match,
                        const char *if_modified_since, const char *etag,
                        time_t modified)
{
	time_t since;

	if (if_none_match)
		return etag && tag_in_list(if_none_match, etag);
	if (if_modified_since && modified &&
	    cache_http_date_parse(if_modified_since, &since) == 0)
		return modified <= since;
	return false;
}
