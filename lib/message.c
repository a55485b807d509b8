#include "message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "charset.h"
#include "imap_view.h"
#include "rfc2047.h"
#include "rfc5322.h"

void message_format_date(struct buf *out, time_t when)
{
	char text[RFC5322_DATE_LEN + 1];

	if (rfc5322_date_format(when, text) == 0)
		buf_addstr(out, text);
}

/* A header value as UTF-8: encoded words decoded, raw 8-bit bytes kept. */
static char *decode_header(struct str value)
{
	struct buf unfolded = BUF_INIT, decoded = BUF_INIT;

	/* No folding, nothing encoded: the value as it is. */
	if (value.p && rfc2047_plain(value.p, value.len))
		return xstrndup(value.p, value.len);
	rfc5322_unfold(&unfolded, value.p ? value.p : "", value.len);
	rfc2047_decode(&decoded, buf_cstr(&unfolded), unfolded.len);
	buf_release(&unfolded);
	return buf_detach(&decoded, NULL);
}

/*
 * What servers write in an ENVELOPE where the mail had no local part or no
 * domain: Dovecot MISSING_MAILBOX and MISSING_DOMAIN ("From: foo", "To:
 * foo@", "Cc: @bar", "<>"), UW imapd .MISSING-HOST-NAME. and, for what it
 * could not parse, INVALID_ADDRESS or UNEXPECTED_DATA_AFTER_ADDRESS at
 * .SYNTAX-ERROR., Cyrus unknown-user at unspecified-domain.  None of them
 * is ever shown: an address is what the mail said, "foo" without a domain,
 * "@bar" without a local part, "" with neither.  A local part in the list
 * is a placeholder only at a placeholder host, but MISSING_MAILBOX.
 */
static const char *const placeholder_hosts[] = {
	"MISSING_DOMAIN", ".MISSING-HOST-NAME.", ".SYNTAX-ERROR.", "unspecified-domain",
};

static const struct {
	const char *mailbox;
	bool only_at_placeholder_host;
} placeholder_mailboxes[] = {
	{ "MISSING_MAILBOX", false },
	{ "INVALID_ADDRESS", true },
	{ "UNEXPECTED_DATA_AFTER_ADDRESS", true },
	{ "unknown-user", true },
};

static bool is_placeholder_host(struct str host)
{
	for (size_t i = 0; i < sizeof(placeholder_hosts) / sizeof(placeholder_hosts[0]); i++)
		if (str_caseeq(host, placeholder_hosts[i]))
			return true;
	return false;
}

static bool is_placeholder_mailbox(struct str mailbox, bool placeholder_host)
{
	size_t n = sizeof(placeholder_mailboxes) / sizeof(placeholder_mailboxes[0]);

	for (size_t i = 0; i < n; i++)
		if ((placeholder_host || !placeholder_mailboxes[i].only_at_placeholder_host) &&
		    str_caseeq(mailbox, placeholder_mailboxes[i].mailbox))
			return true;
	return false;
}

/* mailbox@host as the mail had it, without the server's placeholders. */
static void address_text(struct buf *out, const struct imap_address *addr)
{
	bool placeholder_host = addr->host.p && is_placeholder_host(addr->host);
	bool has_host = addr->host.p && addr->host.len && !placeholder_host;

	if (addr->mailbox.p && !is_placeholder_mailbox(addr->mailbox, placeholder_host))
		buf_addstr_view(out, addr->mailbox);
	if (has_host) {
		buf_addch(out, '@');
		buf_addstr_view(out, addr->host);
	}
}

/*
 * Group markers (RFC 3501 7.4.2) are not addresses: the group's name is
 * dropped and its members kept, as rfc5322.c does with the header.
 */
static void take_addrs(struct message_addrs *out, const struct imap_address_list *in)
{
	out->items = xcalloc(in->n + 1, sizeof(*out->items));
	for (size_t i = 0; i < in->n; i++) {
		const struct imap_address *addr = &in->addresses[i];
		struct buf address = BUF_INIT;
		if (addr->kind != IMAP_ADDRESS_MAILBOX)
			continue;
		address_text(&address, addr);
		struct message_addr *item = &out->items[out->n++];
		item->name = addr->name.p ? decode_header(addr->name) : NULL;
		if (item->name && !item->name[0]) {
			free(item->name);
			item->name = NULL;
		}
		/* Addresses are ASCII by RFC 5322, UTF-8 by RFC 6532: sanitize. */
		if (charset_utf8_valid(address.p ? address.p : "", address.len)) {
			item->address = buf_detach(&address, NULL);
			continue;
		}
		struct buf clean = BUF_INIT;
		charset_utf8_sanitize(&clean, buf_cstr(&address), address.len);
		item->address = buf_detach(&clean, NULL);
		buf_release(&address);
	}
}

static char *first_id(struct str value)
{
	struct rfc5322_ids ids = { 0 };
	char *id = NULL;

	rfc5322_ids_parse(&ids, value.p ? value.p : "", value.len);
	if (ids.n)
		id = xstrdup(ids.v[0]);
	rfc5322_ids_release(&ids);
	return id;
}

/*
 * List-Post: "<mailto:list@example.org>" (RFC 2369), perhaps with a
 * comment or "?subject=..."; "NO" when posting is not allowed.  The
 * address of the first mailto URL, or NULL.
 */
static char *list_post_address(struct str value)
{
	const char *p = value.p, *end = value.p + value.len;
	const char *start, *stop;

	while (p < end && (size_t)(end - p) >= 8 && strncasecmp(p, "<mailto:", 8) != 0)
		p++;
	if ((size_t)(end - p) < 8)
		return NULL;
	start = stop = p + 8;
	while (stop < end && *stop != '>' && *stop != '?' && *stop != ' ')
		stop++;
	if (stop == start || !memchr(start, '@', (size_t)(stop - start)))
		return NULL;
	return xstrndup(start, (size_t)(stop - start));
}

/* The fields a message_info is made of, in a header block. */
enum header_field {
	FIELD_DATE, FIELD_SUBJECT, FIELD_MESSAGE_ID, FIELD_FROM, FIELD_TO, FIELD_CC,
	FIELD_IN_REPLY_TO, FIELD_REFERENCES, FIELD_LIST_POST, FIELD_COUNT
};

static const char *const header_fields[FIELD_COUNT] = {
	"date", "subject", "message-id", "from", "to", "cc", "in-reply-to",
	"references", "list-post",
};

/* From, To or Cc (rfc5322_addrs_parse: names decoded, UTF-8). */
static void take_header_addrs(struct message_addrs *out, struct str value)
{
	struct rfc5322_addrs addrs;

	if (!value.p)
		return;
	rfc5322_addrs_parse(&addrs, value.p, value.len);
	out->items = xcalloc(addrs.n + 1, sizeof(*out->items));
	for (size_t i = 0; i < addrs.n; i++) {
		out->items[i].name = addrs.v[i].name;
		out->items[i].address = addrs.v[i].address;
	}
	out->n = addrs.n;
	free(addrs.v);
}

/*
 * The fields of BODY[HEADER.FIELDS (...)]: In-Reply-To, References and
 * List-Post, and, when there was no ENVELOPE (a summary's, message.h),
 * Date, Subject, Message-ID, From, To and Cc.
 */
static void take_header_fields(struct message_info *info, struct str header,
                               bool enveloped)
{
	struct buf unfolded = BUF_INIT;
	struct str values[FIELD_COUNT];
	time_t date;

	rfc5322_fields(header.p, header.len, header_fields, FIELD_COUNT, values, &unfolded);
	for (size_t k = 0; k < FIELD_COUNT; k++)
		if (values[k].p)
			values[k] = str_trim(values[k]);
	if (!enveloped) {
		struct str v = values[FIELD_DATE];
		if (v.p && rfc5322_date_parse(v.p, v.len, &date) == 0) {
			info->date = date;
			info->has_date = true;
		}
		if (values[FIELD_SUBJECT].p) {
			free(info->subject);
			info->subject = decode_header(values[FIELD_SUBJECT]);
		}
		if (values[FIELD_MESSAGE_ID].p)
			info->message_id = first_id(values[FIELD_MESSAGE_ID]);
		take_header_addrs(&info->from, values[FIELD_FROM]);
		take_header_addrs(&info->to, values[FIELD_TO]);
		take_header_addrs(&info->cc, values[FIELD_CC]);
	}
	if (!info->references && values[FIELD_REFERENCES].p) {
		struct rfc5322_ids ids = { 0 };
		struct str v = values[FIELD_REFERENCES];
		rfc5322_ids_parse(&ids, v.p, v.len);
		info->references = xcalloc(ids.n + 1, sizeof(char *));
		for (size_t i = 0; i < ids.n; i++)
			info->references[info->nreferences++] = xstrdup(ids.v[i]);
		rfc5322_ids_release(&ids);
	}
	/* The ENVELOPE's In-Reply-To, when it had one, stands. */
	if (!info->in_reply_to && values[FIELD_IN_REPLY_TO].p)
		info->in_reply_to = first_id(values[FIELD_IN_REPLY_TO]);
	if (!info->list_post && values[FIELD_LIST_POST].p)
		info->list_post = list_post_address(values[FIELD_LIST_POST]);
	buf_release(&unfolded);
}

/* INTERNALDATE: "17-Jul-1996 02:44:25 -0700".  0 or -1. */
/* Up to max digits at *p as a number, *p moved past them; -1 when none. */
static int take_digits(const char **p, const char *end, int max)
{
	int value = 0, n = 0;

	while (*p < end && n < max && **p >= '0' && **p <= '9') {
		value = value * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n ? value : -1;
}

static bool take_char(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return false;
	(*p)++;
	return true;
}

static void skip_spaces(const char **p, const char *end)
{
	while (*p < end && **p == ' ')
		(*p)++;
}

/*
 * INTERNALDATE "dd-Mon-yyyy hh:mm:ss +zzzz" (RFC 3501 9, the day maybe
 * " d"), read by hand: sscanf cost an index page 2% of its time.
 */
int message_parse_internaldate(struct str text, time_t *out)
{
	const char *p = text.p, *end = text.p + text.len;
	int day, year, hour, minute, second, zone;
	bool west;
	struct tm tm = { 0 };

	if (!p)
		return -1;
	skip_spaces(&p, end);
	if ((day = take_digits(&p, end, 2)) < 0 || !take_char(&p, end, '-') || end - p < 4)
		return -1;
	tm.tm_mon = -1;
	for (int m = 0; m < 12; m++)
		if (!memcmp(p, rfc5322_months[m], 3))
			tm.tm_mon = m;
	p += 3;
	if (tm.tm_mon < 0 || !take_char(&p, end, '-') ||
	    (year = take_digits(&p, end, 4)) < 0)
		return -1;
	skip_spaces(&p, end);
	if ((hour = take_digits(&p, end, 2)) < 0 || !take_char(&p, end, ':') ||
	    (minute = take_digits(&p, end, 2)) < 0 || !take_char(&p, end, ':') ||
	    (second = take_digits(&p, end, 2)) < 0)
		return -1;
	skip_spaces(&p, end);
	if (p >= end || (*p != '+' && *p != '-'))
		return -1;
	west = *p++ == '-';
	if ((zone = take_digits(&p, end, 4)) < 0)
		return -1;
	tm.tm_mday = day;
	tm.tm_year = year - 1900;
	tm.tm_hour = hour;
	tm.tm_min = minute;
	tm.tm_sec = second;
	int offset = (zone / 100) * 3600 + (zone % 100) * 60;
	*out = timegm(&tm) + (west ? offset : -offset);
	return 0;
}

void message_info_take_envelope(struct message_info *info,
                                const struct imap_envelope *env)
{
	time_t date;

	if (env->date.p && rfc5322_date_parse(env->date.p, env->date.len, &date) == 0) {
		info->date = date;
		info->has_date = true;
	}
	if (env->subject.p) {
		free(info->subject);
		info->subject = decode_header(env->subject);
	}
	if (!info->subject)
		info->subject = xstrdup("");
	if (env->message_id.p)
		info->message_id = first_id(env->message_id);
	if (env->in_reply_to.p)
		info->in_reply_to = first_id(env->in_reply_to);
	take_addrs(&info->from, &env->from);
	take_addrs(&info->to, &env->to);
	take_addrs(&info->cc, &env->cc);
}

int message_info_from_view(struct message_info *info,
                           const struct imap_fetch *view)
{
	memset(info, 0, sizeof(*info));
	if (!view->has_uid)
		return -1;
	info->uid = view->uid;
	info->seq = view->seq;
	info->subject = xstrdup("");
	if (view->has_internaldate &&
	    message_parse_internaldate(view->internaldate, &info->internaldate) == 0) {
		info->date = info->internaldate;
		info->has_date = true;
	}
	if (view->has_envelope)
		message_info_take_envelope(info, &view->envelope);
	const struct imap_fetch_part *header =
		imap_fetch_part(view, false, MESSAGE_HEADER_FIELDS);
	if (!header)
		header = imap_fetch_part(view, false, MESSAGE_SUMMARY_FIELDS);
	if (header && header->data.p)
		take_header_fields(info, header->data, view->has_envelope);
	return 0;
}

int message_info_from_fetch(struct message_info *info,
                            const struct imap_response *fetch)
{
	struct imap_fetch view;
	struct imap_view_err err;
	int rc = -1;

	memset(info, 0, sizeof(*info));
	if (imap_view_fetch(fetch, &view, &err) == 0)
		rc = message_info_from_view(info, &view);
	imap_fetch_release(&view);
	return rc;
}

static void addrs_release(struct message_addrs *addrs)
{
	for (size_t i = 0; i < addrs->n; i++) {
		free(addrs->items[i].name);
		free(addrs->items[i].address);
	}
	free(addrs->items);
	addrs->items = NULL;
	addrs->n = 0;
}

void message_info_release(struct message_info *info)
{
	free(info->message_id);
	free(info->subject);
	addrs_release(&info->from);
	addrs_release(&info->to);
	addrs_release(&info->cc);
	free(info->in_reply_to);
	free(info->list_post);
	for (size_t i = 0; i < info->nreferences; i++)
		free(info->references[i]);
	free(info->references);
	memset(info, 0, sizeof(*info));
}

static char *copy_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void addrs_copy(struct message_addrs *to, const struct message_addrs *from)
{
	to->n = from->n;
	to->items = from->n ? xcalloc(from->n, sizeof(*to->items)) : NULL;
	for (size_t i = 0; i < from->n; i++) {
		to->items[i].name = copy_or_null(from->items[i].name);
		to->items[i].address = copy_or_null(from->items[i].address);
	}
}

void message_info_copy(struct message_info *to, const struct message_info *from)
{
	*to = *from;
	to->seq = 0;
	to->message_id = copy_or_null(from->message_id);
	to->subject = copy_or_null(from->subject);
	addrs_copy(&to->from, &from->from);
	addrs_copy(&to->to, &from->to);
	addrs_copy(&to->cc, &from->cc);
	to->in_reply_to = copy_or_null(from->in_reply_to);
	to->list_post = copy_or_null(from->list_post);
	to->references = from->nreferences
	                     ? xcalloc(from->nreferences, sizeof(*to->references)) : NULL;
	for (size_t i = 0; i < from->nreferences; i++)
		to->references[i] = xstrdup(from->references[i]);
}

void message_parts_release(struct message_parts *parts)
{
	for (size_t i = 0; i < parts->n; i++) {
		struct message_part *part = &parts->items[i];
		free(part->section);
		free(part->type);
		free(part->charset);
		free(part->filename);
		free(part->encoding);
		if (part->embedded) {
			message_info_release(part->embedded);
			free(part->embedded);
		}
	}
	free(parts->items);
	parts->items = NULL;
	parts->n = 0;
}

const struct message_info *message_info_find(const struct message_info *infos,
                                             size_t n, uint32_t uid)
{
	for (size_t i = 0; i < n; i++)
		if (infos[i].uid == uid)
			return &infos[i];
	return NULL;
}
