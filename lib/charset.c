#include "charset.h"

#include "utf8.h"

#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * Real-world labels that iconv does not know, or knows as a smaller charset
 * than the one the sending software really used (the WHATWG Encoding
 * Standard's choices: gb2312 and gbk are GB18030, ks_c_5601-1987 and euc-kr
 * are CP949, shift_jis is CP932, latin1 is windows-1252).
 */
static const struct {
	const char *label, *name;
} charset_aliases[] = {
	{ "utf8", "UTF-8" },
	{ "utf-8", "UTF-8" },
	{ "unicode-1-1-utf-8", "UTF-8" },
	{ "x-unicode20utf8", "UTF-8" },
	{ "us-ascii", "AUTO" },
	{ "ascii", "AUTO" },
	{ "ansi_x3.4-1968", "AUTO" },
	{ "iso-646-us", "AUTO" },
	{ "unknown-8bit", "AUTO" },
	{ "x-unknown", "AUTO" },
	{ "unknown", "AUTO" },
	{ "default", "AUTO" },
	{ "default_charset", "AUTO" },
	{ "charset", "AUTO" },
	{ "x-user-defined", "AUTO" },
	{ "8bit", "AUTO" },
	{ "iso-8859-1", "WINDOWS-1252" },
	{ "iso8859-1", "WINDOWS-1252" },
	{ "iso_8859-1", "WINDOWS-1252" },
	{ "iso-8859-1:1987", "WINDOWS-1252" },
	{ "latin1", "WINDOWS-1252" },
	{ "latin-1", "WINDOWS-1252" },
	{ "l1", "WINDOWS-1252" },
	{ "cp819", "WINDOWS-1252" },
	{ "ibm819", "WINDOWS-1252" },
	{ "windows-1252", "WINDOWS-1252" },
	{ "cp1252", "WINDOWS-1252" },
	{ "x-cp1252", "WINDOWS-1252" },
	{ "ks_c_5601-1987", "CP949" },
	{ "ks_c_5601", "CP949" },
	{ "ks_c_5601-1989", "CP949" },
	{ "ksc5601", "CP949" },
	{ "ksc_5601", "CP949" },
	{ "euc-kr", "CP949" },
	{ "x-euc-kr", "CP949" },
	{ "windows-949", "CP949" },
	{ "gb2312", "GB18030" },
	{ "gb_2312-80", "GB18030" },
	{ "x-gbk", "GB18030" },
	{ "gbk", "GB18030" },
	{ "cp936", "GB18030" },
	{ "windows-936", "GB18030" },
	{ "euc-cn", "GB18030" },
	{ "eucgb2312_cn", "GB18030" },
	{ "euc_cn", "GB18030" },
	{ "x-euc-cn", "GB18030" },
	{ "chinese", "GB18030" },
	{ "csgb2312", "GB18030" },
	{ "big5", "BIG5-HKSCS" },
	{ "x-x-big5", "BIG5-HKSCS" },
	{ "cn-big5", "BIG5-HKSCS" },
	{ "big5-hkscs", "BIG5-HKSCS" },
	{ "cp950", "BIG5-HKSCS" },
	{ "shift_jis", "CP932" },
	{ "shift-jis", "CP932" },
	{ "x-sjis", "CP932" },
	{ "sjis", "CP932" },
	{ "ms_kanji", "CP932" },
	{ "windows-31j", "CP932" },
	{ "cp932", "CP932" },
	{ "iso-2022-jp", "ISO-2022-JP-3" },
	{ "csiso2022jp", "ISO-2022-JP-3" },
	{ "x-euc-jp", "EUC-JP" },
	{ "x-mac-roman", "MACINTOSH" },
	{ "mac", "MACINTOSH" },
	{ "macintosh", "MACINTOSH" },
	{ "x-mac-cyrillic", "MAC-CYRILLIC" },
	{ "x-mac-ukrainian", "MAC-UK" },
	{ "x-mac-ce", "MAC-CENTRALEUROPE" },
	{ "x-mac-centraleurroman", "MAC-CENTRALEUROPE" },
	{ "x-mac-icelandic", "MAC-IS" },
	{ "unicode-1-1-utf-7", "UTF-7" },
	{ "utf-7", "UTF-7" },
	{ "x-unicode-2-0-utf-7", "UTF-7" },
	{ "cp1256", "CP1256" },
	{ "windows-1256", "CP1256" },
	{ "iso-8859-8-i", "ISO-8859-8" },
	{ "iso-8859-8-e", "ISO-8859-8" },
	{ "iso-8859-6-i", "ISO-8859-6" },
	{ "iso-8859-6-e", "ISO-8859-6" },
	{ "logical", "ISO-8859-8" },
	{ "visual", "ISO-8859-8" },
	{ "tis-620", "CP874" },
	{ "iso-8859-11", "CP874" },
	{ "windows-874", "CP874" },
	{ "x-iso-10646-ucs-2-be", "UCS-2BE" },
};

/* Charset names handed to iconv: letters, digits and ".:_-" only, so a
 * label can never carry "//TRANSLIT" or a path to a gconv module. */
static bool label_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == ':';
}

int charset_canonical(const char *label, size_t len, char name[CHARSET_NAME_MAX + 1])
{
	struct str s = str_trim((struct str){ label ? label : "", label ? len : 0 });
	char lower[CHARSET_NAME_MAX + 1];

	name[0] = '\0';
	if (s.len >= 2 && (s.p[0] == '"' || s.p[0] == '\'') && s.p[s.len - 1] == s.p[0])
		s = str_trim((struct str){ s.p + 1, s.len - 2 });
	/* RFC 2231 section 5: charset*language */
	for (size_t i = 0; i < s.len; i++)
		if (s.p[i] == '*') {
			s.len = i;
			break;
		}
	if (s.len == 0 || s.len > CHARSET_NAME_MAX)
		return -1;
	for (size_t i = 0; i < s.len; i++) {
		if (!label_char_ok((unsigned char)s.p[i]))
			return -1;
		char c = s.p[i];
		lower[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	lower[s.len] = '\0';
	for (size_t i = 0; i < sizeof(charset_aliases) / sizeof(charset_aliases[0]); i++)
		if (strcmp(lower, charset_aliases[i].label) == 0) {
			strcpy(name, charset_aliases[i].name);
			return 0;
		}
	for (size_t i = 0; i <= s.len; i++)
		name[i] = (lower[i] >= 'a' && lower[i] <= 'z') ? (char)(lower[i] - 'a' + 'A') : lower[i];
	/* "windows-1252" is ours; other windows-125x go to iconv as CP125x. */
	if (strncmp(name, "WINDOWS-125", 11) == 0 && name[11] && !name[12]) {
		char digit = name[11];
		strcpy(name, "CP125");
		name[5] = digit;
		name[6] = '\0';
	}
	return 0;
}

static void add_replacement(struct buf *out)
{
	buf_add(out, "\xef\xbf\xbd", 3);
}

/* WHATWG's windows-1252: the five undefined bytes map to the C1 controls,
 * so the decoder is total. */
static const unsigned short cp1252_high[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static void add_codepoint(struct buf *out, unsigned cp)
{
	char u[4];

	if (cp < 0x80) {
		buf_addch(out, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		buf_add(out, u, 2);
	} else {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		buf_add(out, u, 3);
	}
}

/*
 * The length of the run of ASCII bytes but NUL (0x01-0x7F) at in: most
 * mail text is one such run, checked eight bytes at a time.
 */
static size_t ascii_run(const unsigned char *in, size_t len)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t word;
		memcpy(&word, in + i, sizeof(word));
		/* a byte >= 0x80, or a zero byte (the classic haszero test) */
		if ((word | ((word - ones) & ~word)) & highs)
			break;
	}
	while (i < len && in[i] - 1u < 0x7Fu)
		i++;
	return i;
}

void charset_cp1252_to_utf8(struct buf *out, const char *in, size_t len)
{
	buf_grow(out, len + len / 2);
	out->p[out->len] = '\0';  /* buf_grow leaves a new buffer unterminated */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		/* ASCII but NUL (most mail) in runs, not a byte at a time */
		size_t ascii = i + ascii_run((const unsigned char *)in + i, len - i);
		if (ascii > i) {
			buf_add(out, in + i, ascii - i);
			i = ascii - 1;
		} else if (c == 0) {
			add_replacement(out);
		} else if (c < 0xA0) {
			add_codepoint(out, cp1252_high[c - 0x80]);
		} else {
			add_codepoint(out, c);
		}
	}
}

/*
 * Length of the well-formed UTF-8 sequence at in, or 0 when it is
 * ill-formed (a NUL counts as ill-formed here: it becomes U+FFFD); *bad is
 * then the length of the maximal ill-formed subpart.
 */
static size_t utf8_seq(const unsigned char *in, size_t len, size_t *bad)
{
	int32_t cp;
	size_t n = utf8_next((const char *)in, len, &cp);

	*bad = n;
	return cp > 0 ? n : 0;
}

int charset_utf8_sanitize(struct buf *out, const char *in, size_t len)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, start = 0, bad;
	int rc = 0;

	buf_grow(out, len);
	out->p[out->len] = '\0';  /* buf_grow leaves a new buffer unterminated */
	while (i < len) {
		if (p[i] >= 0x01 && p[i] < 0x80) {
			i += ascii_run(p + i, len - i);
			continue;
		}
		size_t n = utf8_seq(p + i, len - i, &bad);
		if (n) {
			i += n;
			continue;
		}
		/* bad counts the lead byte plus the continuation bytes that were
		 * still plausible: one U+FFFD for all of them. */
		buf_add(out, in + start, i - start);
		add_replacement(out);
		i += bad;
		start = i;
		rc = -1;
	}
	buf_add(out, in + start, i - start);
	return rc;
}

static bool utf8_valid_nul(const char *in, size_t len, bool nul_ok)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, bad;

	while (i < len) {
		if (p[i] >= 0x01 && p[i] < 0x80) {
			i += ascii_run(p + i, len - i);
			continue;
		}
		if (p[i] == 0 && nul_ok) {
			i++;
			continue;
		}
		size_t n = utf8_seq(p + i, len - i, &bad);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

size_t charset_utf8_cut(const char *in, size_t len, size_t max)
{
	size_t cut;

	if (len <= max)
		return len;
	cut = max;
	/* Back up over at most three continuation bytes to a lead byte. */
	for (int k = 0; k < 4 && cut > 0; k++) {
		unsigned char c = (unsigned char)in[cut];
		if ((c & 0xC0) != 0x80)
			break;
		cut--;
	}
	return cut;
}

bool charset_utf8_valid(const char *in, size_t len)
{
	return utf8_valid_nul(in, len, false);
}

void charset_guess_to_utf8(struct buf *out, const char *in, size_t len)
{
	/* a NUL says nothing about the charset; sanitizing replaces it */
	if (utf8_valid_nul(in, len, true))
		charset_utf8_sanitize(out, in, len);
	else
		charset_cp1252_to_utf8(out, in, len);
}

static bool is_ascii(const char *in, size_t len)
{
	return ascii_run((const unsigned char *)in, len) == len;
}

/*
 * iconv into tmp.  EILSEQ: one U+FFFD for a run of undecodable bytes,
 * skipping a byte at a time until iconv accepts input again.  EINVAL (a
 * sequence cut by the end of the input): one U+FFFD.  Returns -1 if any
 * replacement was made.
 */
static int iconv_convert(iconv_t cd, struct buf *tmp, const char *in, size_t len)
{
	char *inp = (char *)in;
	size_t inleft = len;
	int rc = 0;
	bool in_bad_run = false;

	buf_grow(tmp, len * 2 + 16);
	tmp->p[tmp->len] = '\0';
	for (;;) {
		char *outp = tmp->p + tmp->len;
		size_t outleft = tmp->cap - tmp->len - 1;
		size_t before_in = inleft;
		size_t r = inleft ? iconv(cd, &inp, &inleft, &outp, &outleft)
		                  : iconv(cd, NULL, NULL, &outp, &outleft);
		int err = errno;

		tmp->len = (size_t)(outp - tmp->p);
		tmp->p[tmp->len] = '\0';
		if (inleft < before_in)
			in_bad_run = false;
		if (r != (size_t)-1) {
			if (before_in == 0)
				break;     /* the shift state is flushed too */
			continue;
		}
		if (err == E2BIG) {
			buf_grow(tmp, tmp->cap);
			continue;
		}
		rc = -1;
		if (err == EILSEQ && inleft > 0) {
			if (!in_bad_run)
				add_replacement(tmp);
			in_bad_run = true;
			inp++, inleft--;
			continue;
		}
		/* EINVAL or anything else: the rest cannot be decoded. */
		add_replacement(tmp);
		inleft = 0;
		/* reset the shift state, then stop */
		iconv(cd, NULL, NULL, NULL, NULL);
		break;
	}
	return rc;
}

/*
 * iconv_open loads its converter (glibc dlopens a gconv module) and
 * iconv_close unloads it again when no descriptor is left: that cost an
 * index page a tenth of its time, a dlopen for each encoded word.  So each
 * thread keeps its last ICONV_KEPT descriptors, by charset, reset before
 * each use, and closes them when it ends.
 */
#define ICONV_KEPT 8

struct iconv_kept {
	char name[CHARSET_NAME_MAX + 1];
	iconv_t cd;
};

struct iconv_cache {
	struct iconv_kept kept[ICONV_KEPT];
	size_t n, next;
};

static pthread_key_t iconv_key;
static pthread_once_t iconv_once = PTHREAD_ONCE_INIT;
static bool iconv_key_made;

static void iconv_cache_free(void *arg)
{
	struct iconv_cache *cache = arg;

	for (size_t i = 0; i < cache->n; i++)
		iconv_close(cache->kept[i].cd);
	free(cache);
}

static void iconv_key_make(void)
{
	iconv_key_made = pthread_key_create(&iconv_key, iconv_cache_free) == 0;
}

/* A descriptor from UTF-8 to name, in its initial state; (iconv_t)-1. */
static iconv_t iconv_for(const char *name, bool *kept)
{
	struct iconv_cache *cache;
	struct iconv_kept *slot;
	iconv_t cd;

	*kept = false;
	pthread_once(&iconv_once, iconv_key_make);
	cache = iconv_key_made ? pthread_getspecific(iconv_key) : NULL;
	if (!cache && iconv_key_made) {
		cache = xcalloc(1, sizeof(*cache));
		if (pthread_setspecific(iconv_key, cache) != 0) {
			free(cache);
			cache = NULL;
		}
	}
	for (size_t i = 0; cache && i < cache->n; i++)
		if (!strcmp(cache->kept[i].name, name)) {
			iconv(cache->kept[i].cd, NULL, NULL, NULL, NULL);
			*kept = true;
			return cache->kept[i].cd;
		}
	cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1 || !cache)
		return cd;
	if (cache->n < ICONV_KEPT) {
		slot = &cache->kept[cache->n++];
	} else {
		slot = &cache->kept[cache->next];
		cache->next = (cache->next + 1) % ICONV_KEPT;
		iconv_close(slot->cd);
	}
	snprintf(slot->name, sizeof(slot->name), "%s", name);
	slot->cd = cd;
	*kept = true;
	return cd;
}

int charset_to_utf8(struct buf *out, const char *label, const char *in, size_t len)
{
	char name[CHARSET_NAME_MAX + 1];
	struct buf tmp = BUF_INIT;
	iconv_t cd;
	bool kept;
	int rc = 0;

	if (charset_canonical(label, label ? strlen(label) : 0, name) < 0) {
		charset_guess_to_utf8(out, in, len);
		rc = label && *label ? -1 : 0;
		goto out;
	}
	if (strcmp(name, "AUTO") == 0) {
		/* us-ascii with 8-bit bytes, unknown-8bit: the bytes decide */
		if (!is_ascii(in, len))
			rc = -1;
		charset_guess_to_utf8(out, in, len);
		goto out;
	}
	if (strcmp(name, "UTF-8") == 0) {
		rc = charset_utf8_sanitize(out, in, len);
		goto out;
	}
	if (strcmp(name, "WINDOWS-1252") == 0) {
		charset_cp1252_to_utf8(out, in, len);
		goto out;
	}
	cd = iconv_for(name, &kept);
	if (cd == (iconv_t)-1) {
		charset_guess_to_utf8(out, in, len);
		rc = -1;
		goto out;
	}
	rc = iconv_convert(cd, &tmp, in, len);
	if (!kept)
		iconv_close(cd);
	/* UTF-7 and UTF-16 can spell lone surrogates; iconv passes some on. */
	if (charset_utf8_sanitize(out, tmp.p ? tmp.p : "", tmp.len) < 0)
		rc = -1;
out:
	buf_release(&tmp);
	return rc;
}

bool charset_label_is_token(const char *label)
{
	size_t len = strlen(label);

	return len && len < 40 &&
	       strspn(label, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                     "0123456789._:-") == len;
}

bool charset_ascii_compatible(const char *name)
{
	static const char *const wide[] = { "UTF-16", "UTF-32", "UCS-", "UTF-7", "AUTO" };

	for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (!strncasecmp(name, wide[i], strlen(wide[i])))
			return false;
	return name[0] != '\0';
}
