/*
 * thread-compare TRANSCRIPT: does thread_build() give Dovecot's answer?
 *
 * TRANSCRIPT is what t/tools/imap-transcript.py printed for
 *   UID THREAD REFERENCES UTF-8 ALL
 *   UID FETCH 1:* (UID INTERNALDATE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID
 *                  IN-REPLY-TO REFERENCES SUBJECT DATE FROM)])
 * The headers are parsed here with just enough care (unfolding, RFC 2047
 * words in any charset iconv knows, RFC 5322 dates with Dovecot's fallback to
 * INTERNALDATE), threaded, and the forest is compared with Dovecot's.
 *
 * Prints "threads: dovecot N, ours M", then each thread that differs with
 * both versions and the messages involved; exit status 0 when the two
 * forests are identical, 1 when they differ, 2 on bad input.
 */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "thread.h"

struct message {
	uint32_t uid;
	time_t internal;
	struct buf headers;
	struct buf subject;   /* decoded */
	bool has_date;
	time_t sent;
	struct str message_id, in_reply_to, references, from;
};

static const char *const months[] = { "jan", "feb", "mar", "apr", "may", "jun",
                                      "jul", "aug", "sep", "oct", "nov", "dec" };

static int month_index(const char *p, size_t len)
{
	if (len != 3)
		return -1;
	for (int i = 0; i < 12; i++)
		if (strncasecmp(p, months[i], 3) == 0)
			return i;
	return -1;
}

/* "01-Jan-2000 00:00:00 +0000" */
static int parse_internaldate(const char *p, time_t *out)
{
	struct tm tm;
	char mon[4];
	int day, year, hour, min, sec, zone;
	char sign;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(p, "%d-%3s-%d %d:%d:%d %c%4d", &day, mon, &year, &hour, &min, &sec, &sign, &zone) != 8)
		return -1;
	tm.tm_mday = day;
	tm.tm_mon = month_index(mon, strlen(mon));
	tm.tm_year = year - 1900;
	tm.tm_hour = hour, tm.tm_min = min, tm.tm_sec = sec;
	if (tm.tm_mon < 0)
		return -1;
	*out = timegm(&tm) - (sign == '-' ? -1 : 1) * ((zone / 100) * 3600 + (zone % 100) * 60);
	return 0;
}

/* Tokens of a Date: value, comments and commas dropped. */
static size_t date_tokens(const char *p, size_t len, struct str *tokens, size_t max)
{
	size_t n = 0, i = 0;

	while (i < len && n < max) {
		if (isspace((unsigned char)p[i]) || p[i] == ',') {
			i++;
			continue;
		}
		if (p[i] == '(') {
			int depth = 0;
			for (; i < len; i++) {
				if (p[i] == '(')
					depth++;
				else if (p[i] == ')' && --depth == 0) {
					i++;
					break;
				}
			}
			continue;
		}
		size_t start = i;
		while (i < len && !isspace((unsigned char)p[i]) && p[i] != ',' && p[i] != '(')
			i++;
		tokens[n++] = (struct str){ p + start, i - start };
	}
	return n;
}

static bool all_digits(struct str s)
{
	if (!s.len)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if (!isdigit((unsigned char)s.p[i]))
			return false;
	return true;
}

/* RFC 5322 date-time, the way Dovecot's message_date_parse() reads it. */
static int parse_date(const char *p, size_t len, time_t *out)
{
	struct str t[16];
	size_t n = date_tokens(p, len, t, 16), k = 0;
	uint64_t day, year, hour, min, sec = 0;
	struct tm tm;
	int zone = 0;

	if (k < n && isalpha((unsigned char)t[k].p[0]))
		k++; /* day of week */
	if (k + 3 >= n || parse_u64(t[k], 1, 31, &day) < 0)
		return -1;
	int mon = month_index(t[k + 1].p, t[k + 1].len);
	if (mon < 0 || !all_digits(t[k + 2]) || parse_u64(t[k + 2], 0, 9999, &year) < 0)
		return -1;
	if (t[k + 2].len == 2)
		year += year < 70 ? 2000 : 1900;
	else if (t[k + 2].len == 3)
		year += 1900;
	struct str hms = t[k + 3];
	const char *c1 = memchr(hms.p, ':', hms.len);
	if (!c1)
		return -1;
	const char *c2 = memchr(c1 + 1, ':', hms.len - (size_t)(c1 + 1 - hms.p));
	if (parse_u64((struct str){ hms.p, (size_t)(c1 - hms.p) }, 0, 23, &hour) < 0)
		return -1;
	if (c2) {
		if (parse_u64((struct str){ c1 + 1, (size_t)(c2 - c1 - 1) }, 0, 59, &min) < 0 ||
		    parse_u64((struct str){ c2 + 1, hms.len - (size_t)(c2 + 1 - hms.p) }, 0, 60, &sec) < 0)
			return -1;
	} else if (parse_u64((struct str){ c1 + 1, hms.len - (size_t)(c1 + 1 - hms.p) }, 0, 59, &min) < 0) {
		return -1;
	}
	if (k + 4 < n) {
		struct str z = t[k + 4];
		uint64_t hhmm;
		if (z.len == 5 && (z.p[0] == '+' || z.p[0] == '-') &&
		    parse_u64((struct str){ z.p + 1, 4 }, 0, 9999, &hhmm) == 0)
			zone = (z.p[0] == '-' ? -1 : 1) * (int)((hhmm / 100) * 60 + hhmm % 100);
		else if (str_caseeq(z, "EST")) zone = -300;
		else if (str_caseeq(z, "EDT")) zone = -240;
		else if (str_caseeq(z, "CST")) zone = -360;
		else if (str_caseeq(z, "CDT")) zone = -300;
		else if (str_caseeq(z, "MST")) zone = -420;
		else if (str_caseeq(z, "MDT")) zone = -360;
		else if (str_caseeq(z, "PST")) zone = -480;
		else if (str_caseeq(z, "PDT")) zone = -420;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)year - 1900;
	tm.tm_mon = mon;
	tm.tm_mday = (int)day;
	tm.tm_hour = (int)hour, tm.tm_min = (int)min, tm.tm_sec = (int)sec;
	*out = timegm(&tm) - zone * 60;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

static void decode_b(const char *p, size_t len, struct buf *out)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned acc = 0, bits = 0;

	for (size_t i = 0; i < len; i++) {
		const char *at = p[i] ? strchr(alphabet, p[i]) : NULL;
		if (!at)
			continue;
		acc = (acc << 6) | (unsigned)(at - alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addch(out, (char)((acc >> bits) & 0xff));
		}
	}
}

static void decode_q(const char *p, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '_')
			buf_addch(out, ' ');
		else if (p[i] == '=' && i + 2 < len && hexval(p[i + 1]) >= 0 && hexval(p[i + 2]) >= 0) {
			buf_addch(out, (char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2])));
			i += 2;
		} else
			buf_addch(out, p[i]);
	}
}

/* One "=?cs?e?text?=" at p, decoded to UTF-8 (iconv); its length or 0. */
static size_t encoded_word(const char *p, size_t len, struct buf *out)
{
	const char *q1, *q2, *end;
	struct buf raw = BUF_INIT;

	if (len < 8 || p[0] != '=' || p[1] != '?')
		return 0;
	q1 = memchr(p + 2, '?', len - 2);
	if (!q1 || q1 + 2 >= p + len || q1[2] != '?')
		return 0;
	q2 = q1 + 2;
	end = NULL;
	for (const char *s = q2 + 1; s + 1 < p + len; s++)
		if (s[0] == '?' && s[1] == '=') {
			end = s;
			break;
		}
	if (!end)
		return 0;
	if (!out) /* only asking whether there is one */
		return (size_t)(end + 2 - p);
	if (q1[1] == 'B' || q1[1] == 'b')
		decode_b(q2 + 1, (size_t)(end - q2 - 1), &raw);
	else if (q1[1] == 'Q' || q1[1] == 'q')
		decode_q(q2 + 1, (size_t)(end - q2 - 1), &raw);
	else
		return 0;
	struct str charset = { p + 2, (size_t)(q1 - p - 2) };
	/* RFC 2231 language suffix: "utf-8*en" */
	const char *star = memchr(charset.p, '*', charset.len);
	if (star)
		charset.len = (size_t)(star - charset.p);
	char *name = str_dup(charset);
	iconv_t cd = str_caseeq(charset, "utf-8") ? (iconv_t)-1 : iconv_open("UTF-8", name);
	free(name);
	if (cd == (iconv_t)-1) {
		buf_add(out, raw.p ? raw.p : "", raw.len);
	} else {
		char *in = raw.p ? raw.p : (char *)"";
		size_t in_left = raw.len;
		while (in_left) {
			char chunk[256], *o = chunk;
			size_t o_left = sizeof(chunk);
			size_t rc = iconv(cd, &in, &in_left, &o, &o_left);
			buf_add(out, chunk, sizeof(chunk) - o_left);
			if (rc == (size_t)-1 && errno != E2BIG) {
				/* a byte the charset does not have: U+FFFD, go on */
				buf_addstr(out, "\xef\xbf\xbd");
				in++, in_left--;
			}
		}
		iconv_close(cd);
	}
	buf_release(&raw);
	return (size_t)(end + 2 - p);
}

static void decode_subject(struct str value, struct buf *out)
{
	size_t i = 0;
	bool last_encoded = false;

	while (i < value.len) {
		size_t used = encoded_word(value.p + i, value.len - i, out);
		if (used) {
			i += used;
			last_encoded = true;
			continue;
		}
		if (value.p[i] == ' ' || value.p[i] == '\t' || value.p[i] == '\r' || value.p[i] == '\n') {
			/* white space between two encoded words disappears */
			size_t start = i;
			while (i < value.len && strchr(" \t\r\n", value.p[i]))
				i++;
			if (!last_encoded || i >= value.len ||
			    encoded_word(value.p + i, value.len - i, NULL) == 0)
				buf_add(out, value.p + start, i - start);
			continue;
		}
		buf_addch(out, value.p[i++]);
		last_encoded = false;
	}
}

/* The first header called name, unfolded lines still inside. */
static struct str header(const struct buf *headers, const char *name)
{
	size_t name_len = strlen(name);
	const char *p = headers->p, *end = headers->p + headers->len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = eol ? eol : end;
		if ((size_t)(line_end - p) > name_len && strncasecmp(p, name, name_len) == 0 &&
		    p[name_len] == ':') {
			const char *value = p + name_len + 1, *stop = line_end;
			while (stop < end && stop + 1 < end && (stop[1] == ' ' || stop[1] == '\t')) {
				const char *next = memchr(stop + 1, '\n', (size_t)(end - stop - 1));
				stop = next ? next : end;
			}
			struct str v = { value, (size_t)(stop - value) };
			return str_trim(v);
		}
		p = line_end + 1;
	}
	return STR_NULL;
}

static bool has_header(const struct buf *headers, const char *name)
{
	size_t name_len = strlen(name);
	const char *p = headers->p, *end = headers->p + headers->len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if ((size_t)(end - p) > name_len && strncasecmp(p, name, name_len) == 0 && p[name_len] == ':')
			return true;
		p = eol ? eol + 1 : end;
	}
	return false;
}

static int read_file(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (!f)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, n);
	fclose(f);
	return 0;
}

static void describe(const struct message *msgs, size_t count, uint32_t uid)
{
	for (size_t i = 0; i < count; i++) {
		if (msgs[i].uid != uid)
			continue;
		printf("#     uid %u date %lld%s subject '%s' id '%.*s' refs '%.60s' irt '%.*s'\n",
		       (unsigned)uid, (long long)msgs[i].sent, msgs[i].has_date ? "" : " (INTERNALDATE)",
		       buf_cstr(&msgs[i].subject), (int)msgs[i].message_id.len, msgs[i].message_id.p ? msgs[i].message_id.p : "",
		       msgs[i].references.p ? msgs[i].references.p : "",
		       (int)msgs[i].in_reply_to.len, msgs[i].in_reply_to.p ? msgs[i].in_reply_to.p : "");
	}
}

/* One thread of forest as text, to compare thread by thread. */
static void thread_text(const struct thread_forest *forest,
                        const struct thread *root, struct buf *out)
{
	/* A view of forest's rows (never released) with one thread. */
	struct thread_forest one = *forest;

	one.threads = (struct thread *)root;
	one.nthreads = 1;
	thread_format(&one, out);
}

int main(int argc, char **argv)
{
	struct buf text = BUF_INIT, ours = BUF_INIT;
	struct message *msgs = NULL;
	struct thread_msg *input = NULL;
	struct thread_forest dovecot, built;
	size_t count = 0, cap = 0, differences = 0;
	struct str theirs = STR_NULL;
	int ret = 2;

	thread_forest_init(&dovecot);
	thread_forest_init(&built);
	if (argc != 2 || read_file(argv[1], &text) < 0) {
		fprintf(stderr, "usage: thread-compare TRANSCRIPT\n");
		goto out;
	}
	for (const char *p = text.p; p && p < text.p + text.len;) {
		const char *eol = memchr(p, '\n', (size_t)(text.p + text.len - p));
		size_t line_len = eol ? (size_t)(eol - p) : (size_t)(text.p + text.len - p);
		struct str line = { p, line_len };
		p = eol ? eol + 1 : NULL;
		if (str_starts_with(line, "S: * THREAD")) {
			theirs = (struct str){ line.p + 11, line.len - 11 };
			continue;
		}
		if (!str_starts_with(line, "S: * ") || !memmem(line.p, line.len, " FETCH (", 8))
			continue;
		const char *uid_at = memmem(line.p, line.len, "UID ", 4);
		const char *date_at = memmem(line.p, line.len, "INTERNALDATE \"", 14);
		const char *lit = line.len && line.p[line.len - 1] == '}' ? memrchr(line.p, '{', line.len) : NULL;
		uint64_t uid, size;
		if (!uid_at || !date_at || !lit)
			continue;
		const char *uid_end = uid_at + 4;
		while (isdigit((unsigned char)*uid_end))
			uid_end++;
		if (parse_u64((struct str){ uid_at + 4, (size_t)(uid_end - uid_at - 4) }, 1, UINT32_MAX, &uid) < 0 ||
		    parse_u64((struct str){ lit + 1, (size_t)(line.p + line.len - lit - 2) }, 0, 1 << 20, &size) < 0 ||
		    !p || size > (size_t)(text.p + text.len - p))
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 256;
			msgs = xrealloc(msgs, cap * sizeof(*msgs));
		}
		struct message *m = &msgs[count++];
		memset(m, 0, sizeof(*m));
		m->uid = (uint32_t)uid;
		(void)parse_internaldate(date_at + 14, &m->internal);
		buf_add(&m->headers, p, (size_t)size);
		p += size;
	}
	if (!theirs.p) {
		fprintf(stderr, "thread-compare: no THREAD answer in %s\n", argv[1]);
		goto out;
	}
	input = xcalloc(count ? count : 1, sizeof(*input));
	for (size_t i = 0; i < count; i++) {
		struct message *m = &msgs[i];
		struct str date = header(&m->headers, "Date");
		m->message_id = header(&m->headers, "Message-ID");
		m->references = header(&m->headers, "References");
		m->in_reply_to = header(&m->headers, "In-Reply-To");
		m->from = header(&m->headers, "From");
		decode_subject(header(&m->headers, "Subject"), &m->subject);
		m->has_date = date.p && parse_date(date.p, date.len, &m->sent) == 0 && m->sent != 0;
		if (!m->has_date)
			m->sent = m->internal;
		input[i] = (struct thread_msg){
			.uid = m->uid, .message_id = m->message_id, .in_reply_to = m->in_reply_to,
			.references = m->references, .from = m->from, .date = m->sent,
			.subject = has_header(&m->headers, "Subject") ? str_from_buf(&m->subject) : STR_NULL,
		};
		if (input[i].subject.p == NULL && has_header(&m->headers, "Subject"))
			input[i].subject = STR_LIT("");
	}
	if (thread_build(&built, input, count) < 0 || thread_from_imap(&dovecot, theirs) < 0) {
		fprintf(stderr, "thread-compare: cannot thread or cannot read the THREAD answer\n");
		goto out;
	}
	thread_format(&built, &ours);
	printf("messages: %zu\nthreads: dovecot %zu, ours %zu\n", count, dovecot.nthreads, built.nthreads);
	/* Thread by thread, keyed by the first uid in each. */
	for (size_t t = 0; t < dovecot.nthreads; t++) {
		struct buf a = BUF_INIT, b = BUF_INIT;
		struct thread_row *rows;
		size_t n = thread_flatten(&dovecot, &dovecot.threads[t], &rows);
		uint32_t key = 0;
		for (size_t k = 0; k < n && !key; k++)
			key = rows[k].uid;
		const struct thread *mine = thread_find(&built, key);
		thread_text(&dovecot, &dovecot.threads[t], &a);
		if (mine)
			thread_text(&built, mine, &b);
		if (strcmp(buf_cstr(&a), buf_cstr(&b)) != 0) {
			differences++;
			printf("# differs: dovecot %s ours %s\n", buf_cstr(&a), mine ? buf_cstr(&b) : "(none)");
			for (size_t k = 0; k < n; k++)
				if (rows[k].uid)
					describe(msgs, count, rows[k].uid);
		}
		free(rows);
		buf_release(&a);
		buf_release(&b);
	}
	if (!differences) {
		struct buf want = BUF_INIT;
		buf_addstr_view(&want, str_trim(theirs));
		if (strcmp(buf_cstr(&ours), buf_cstr(&want)) != 0) {
			differences++;
			printf("# same threads, different order\n# dovecot %.300s\n# ours    %.300s\n",
			       buf_cstr(&want), buf_cstr(&ours));
		}
		buf_release(&want);
	}
	printf("differences: %zu\n", differences);
	ret = differences ? 1 : 0;
out:
	for (size_t i = 0; i < count; i++) {
		buf_release(&msgs[i].headers);
		buf_release(&msgs[i].subject);
	}
	free(msgs);
	free(input);
	thread_forest_release(&dovecot);
	thread_forest_release(&built);
	buf_release(&text);
	buf_release(&ours);
	return ret;
}
