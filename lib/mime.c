#include "mime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "charset.h"
#include "flowed.h"
#include "html2text.h"
#include "imap_view.h"
#include "rfc2045.h"
#include "rfc2047.h"
#include "rfc2231.h"

/* ---- which parts there are, and which are displayed ------------------ */

static char *lower(struct str text)
{
	char *copy = str_dup(text);
	for (char *p = copy; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return copy;
}

/* An RFC 2045 token: no blanks, controls, 8-bit bytes or tspecials. */
static bool is_token(struct str text)
{
	if (!text.p || !text.len)
		return false;
	for (size_t i = 0; i < text.len; i++) {
		unsigned char c = (unsigned char)text.p[i];
		if (c <= ' ' || c >= 0x7f || strchr("()<>@,;:\\\"/[]?=", c))
			return false;
	}
	return true;
}

/*
 * The type a part is planned by.  RFC 2045 5.2: a missing or syntactically
 * invalid Content-Type is text/plain; charset=us-ascii.  Servers report such
 * a part in their own ways: Dovecot sends "" "" (for "<html>", "/",
 * "text/", "text; charset=utf-8", ";charset=utf-8", "multipart" without a
 * subtype) and "text" "" or "html" "" for a bare word; GNU imap4d "text" NIL
 * for "text/" and "text" "plain/html" for "text/plain/html"; others NIL.
 * Whenever the type or the subtype is not a token the part is text/plain:
 * listed so, displayed (its text is the message's text, read as plain text
 * even when the word said html), served so by the part page.  What was
 * declared is not kept: the RFC says what the part is, and the raw message
 * still holds the header for a reader who wants it.  A multipart's subtype
 * is left alone: its parts are what the server found.
 */
static void plan_type(const struct imap_body *body, struct str *type,
                      struct str *subtype)
{
	if (!body->multipart && (!is_token(body->type) || !is_token(body->subtype))) {
		*type = STR_LIT("text");
		*subtype = STR_LIT("plain");
		return;
	}
	*type = body->type;
	*subtype = body->subtype;
}

/* Case-insensitive, by the planned type; subtype NULL matches any. */
static bool is_type(const struct imap_body *body, const char *type,
                    const char *subtype)
{
	struct str planned_type, planned_subtype;

	plan_type(body, &planned_type, &planned_subtype);
	return str_caseeq(planned_type, type) &&
	       (!subtype || str_caseeq(planned_subtype, subtype));
}

/*
 * Parameters as the server split them, joined back into a header value so
 * that RFC 2231 continuations and charsets are undone in one place
 * (rfc2231.c), not twice.
 */
static char *param_value(const struct imap_param *params, size_t nparams,
                         const char *name)
{
	struct buf header = BUF_INIT;
	struct rfc2231_params parsed;
	char *value = NULL;

	buf_addstr(&header, "x");
	for (size_t i = 0; i < nparams; i++) {
		buf_addstr(&header, "; ");
		buf_addstr_view(&header, params[i].name);
		buf_addstr(&header, "=\"");
		for (size_t j = 0; j < params[i].value.len; j++) {
			char c = params[i].value.p[j];
			if (c == '"' || c == '\\')
				buf_addch(&header, '\\');
			buf_addch(&header, c);
		}
		buf_addch(&header, '"');
	}
	rfc2231_parse(&parsed, buf_cstr(&header), header.len);
	const char *found = rfc2231_get(&parsed, name);
	if (found && found[0])
		value = xstrdup(found);
	rfc2231_release(&parsed);
	buf_release(&header);
	return value;
}

struct plan {
	struct message_parts *parts;
	size_t cap;
};

static void add_part(struct plan *plan, const struct imap_body *body,
                     unsigned depth, bool displayed)
{
	struct message_part *part;
	struct str format;

	if (plan->parts->n == plan->cap) {
		plan->cap = plan->cap ? plan->cap * 2 : 8;
		plan->parts->items = xrealloc(plan->parts->items,
		                              plan->cap * sizeof(*plan->parts->items));
	}
	part = &plan->parts->items[plan->parts->n++];
	memset(part, 0, sizeof(*part));
	part->section = xstrdup(body->section);
	/* Never a multipart here: both are tokens (plan_type). */
	struct str planned_type, planned_subtype;
	plan_type(body, &planned_type, &planned_subtype);
	char *type = lower(planned_type);
	char *subtype = lower(planned_subtype);
	part->type = xasprintf("%s/%s", type, subtype);
	free(type);
	free(subtype);
	part->charset = param_value(body->params, body->nparams, "charset");
	part->filename = param_value(body->disposition_params,
	                             body->ndisposition_params, "filename");
	if (!part->filename)
		part->filename = param_value(body->params, body->nparams, "name");
	part->encoding = body->encoding.p ? lower(body->encoding) : xstrdup("7bit");
	part->size = body->size;
	part->depth = depth;
	part->attachment = str_caseeq(body->disposition, "attachment");
	format = imap_body_param(body, "format");
	part->flowed = str_caseeq(format, "flowed");
	part->delsp = str_caseeq(imap_body_param(body, "delsp"), "yes");
	part->displayed = displayed;
}

/*
 * Every text part is read as text: RFC 2046 4.1.4 says an unknown text
 * subtype is shown as text/plain, and a malformed type is text/plain
 * (plan_type).  HTML becomes text, Markdown is rendered.
 */
static bool is_text_leaf(const struct imap_body *body)
{
	return !body->multipart && !body->nparts && is_type(body, "text", NULL);
}

/* How good an alternative is for reading: plain > markdown > html. */
static int alternative_rank(const struct imap_body *body)
{
	if (is_type(body, "text", "plain"))
		return 4;
	if (is_type(body, "text", "markdown"))
		return 3;
	if (is_type(body, "multipart", NULL))
		return 2;
	if (is_type(body, "text", "html"))
		return 1;
	return 0;
}

static void plan_walk(struct plan *plan, const struct imap_body *body,
                      unsigned depth, bool display)
{
	if (depth > MIME_MAX_DEPTH || plan->parts->n >= MIME_MAX_PARTS)
		return;
	if (body->multipart) {
		size_t chosen = body->nparts;
		if (str_caseeq(body->subtype, "alternative")) {
			int best = 0;
			for (size_t i = 0; i < body->nparts; i++) {
				int rank = alternative_rank(&body->parts[i]);
				if (rank > best)
					best = rank, chosen = i;
			}
		} else if (str_caseeq(body->subtype, "signed") ||
		           str_caseeq(body->subtype, "related")) {
			chosen = 0;  /* the signed part; the root of related */
		}
		for (size_t i = 0; i < body->nparts; i++) {
			bool show = display && (chosen == body->nparts || i == chosen);
			plan_walk(plan, &body->parts[i], depth + 1, show);
		}
		return;
	}
	if (is_type(body, "message", "rfc822") || is_type(body, "message", "global")) {
		bool attached = str_caseeq(body->disposition, "attachment");
		add_part(plan, body, depth, false);
		if (display && !attached && body->envelope) {
			struct message_part *part = &plan->parts->items[plan->parts->n - 1];
			part->embedded = xcalloc(1, sizeof(*part->embedded));
			message_info_take_envelope(part->embedded, body->envelope);
		}
		if (body->nparts)
			plan_walk(plan, &body->parts[0], depth + 1, display && !attached);
		return;
	}
	add_part(plan, body, depth, display && is_text_leaf(body) &&
	                            !str_caseeq(body->disposition, "attachment"));
}

int mime_parts_from_view(const struct imap_fetch *view,
                         struct message_parts *parts)
{
	struct plan plan = { .parts = parts };

	memset(parts, 0, sizeof(*parts));
	if (!view->body)
		return -1;
	plan_walk(&plan, view->body, 0, true);
	return 0;
}

struct str mime_fetch_section(const struct imap_fetch *view, const char *section)
{
	const struct imap_fetch_part *part = imap_fetch_part(view, false, section);

	return part && part->data.p ? part->data : STR_NULL;
}

uint64_t mime_decoded_size_estimate(const struct message_part *part)
{
	uint64_t lines;

	if (!part->encoding || strcmp(part->encoding, "base64"))
		return part->size;
	lines = (part->size + 77) / 78;
	return part->size > 2 * lines ? (part->size - 2 * lines) / 4 * 3 : 0;
}

enum rfc2045_cte mime_part_cte(const struct message_part *part)
{
	return rfc2045_cte_lookup(str_from(part->encoding ? part->encoding : ""));
}

const struct message_part *mime_find_part(const struct message_parts *parts,
                                          const char *section)
{
	for (size_t i = 0; i < parts->n; i++)
		if (!strcmp(parts->items[i].section, section))
			return &parts->items[i];
	return NULL;
}

void mime_decode_body(const struct message_part *part, struct str raw,
                      struct buf *out)
{
	enum rfc2045_cte cte = mime_part_cte(part);

	rfc2045_decode(cte, out, raw.p ? raw.p : "", raw.len);
}

void mime_text_to_utf8(const struct message_part *part, struct str decoded,
                       struct buf *out)
{
	struct buf utf8 = BUF_INIT;

	if (part->charset && part->charset[0])
		charset_to_utf8(&utf8, part->charset, decoded.p ? decoded.p : "",
		                decoded.len);
	else
		charset_guess_to_utf8(&utf8, decoded.p ? decoded.p : "", decoded.len);
	if (!strcmp(part->type, "text/html")) {
		html2text(out, buf_cstr(&utf8), utf8.len);
	} else if (part->flowed) {
		flowed_decode(out, buf_cstr(&utf8), utf8.len, part->delsp);
	} else {
		/* Line ends as "\n", whatever the mail had. */
		for (size_t i = 0; i < utf8.len; i++) {
			if (utf8.p[i] == '\r' && i + 1 < utf8.len && utf8.p[i + 1] == '\n')
				continue;
			buf_addch(out, utf8.p[i] == '\r' ? '\n' : utf8.p[i]);
		}
	}
	buf_release(&utf8);
}

/* ---- the displayed text --------------------------------------------- */

static struct mime_segment *add_segment(struct mime_body *body,
                                        enum mime_segment_kind kind,
                                        const struct message_part *part)
{
	struct mime_segment *segment;

	body->items = xrealloc(body->items, (body->n + 1) * sizeof(*body->items));
	segment = &body->items[body->n++];
	segment->kind = kind;
	segment->part = part;
	buf_init(&segment->text);
	return segment;
}

void mime_body_release(struct mime_body *body)
{
	for (size_t i = 0; i < body->n; i++)
		buf_release(&body->items[i].text);
	free(body->items);
	buf_release(&body->text);
	memset(body, 0, sizeof(*body));
}

static void addrs_line(struct buf *out, const char *name,
                       const struct message_addrs *addrs)
{
	if (!addrs->n)
		return;
	buf_addf(out, "%s: ", name);
	for (size_t i = 0; i < addrs->n; i++) {
		const struct message_addr *addr = &addrs->items[i];
		if (i)
			buf_addstr(out, ", ");
		if (addr->name)
			buf_addf(out, "%s <%s>", addr->name, addr->address);
		else
			buf_addstr(out, addr->address);
	}
	buf_addch(out, '\n');
}

/*
 * An embedded message's headers as plain text, for the JSON "text": the
 * same fields the page shows above its text.
 */
void mime_embedded_headers(const struct message_info *info, struct buf *out)
{
	addrs_line(out, "From", &info->from);
	addrs_line(out, "To", &info->to);
	addrs_line(out, "Cc", &info->cc);
	if (info->has_date) {
		buf_addstr(out, "Date: ");
		message_format_date(out, info->date);
		buf_addch(out, '\n');
	}
	buf_addf(out, "Subject: %s\n", info->subject ? info->subject : "");
}

/* Parts are separated by one blank line. */
static void separate(struct buf *text)
{
	if (!text->len)
		return;
	while (text->len && text->p[text->len - 1] == '\n')
		buf_truncate(text, text->len - 1);
	buf_addstr(text, "\n\n");
}

/* Whether the server should undo this part's encoding (RFC 3516). */
static bool wants_binary(const struct message_part *part)
{
	enum rfc2045_cte cte = mime_part_cte(part);

	return cte == RFC2045_CTE_BASE64 || cte == RFC2045_CTE_QP;
}

size_t mime_body_items(const struct message_parts *parts, bool binary,
                       struct buf *items)
{
	size_t wanted = 0;

	buf_addch(items, '(');
	for (size_t i = 0; i < parts->n && wanted < MIME_MAX_TEXT_PARTS; i++) {
		const struct message_part *part = &parts->items[i];
		if (!part->displayed)
			continue;
		buf_addf(items, "%s%s[%s]", wanted ? " " : "",
		         binary && wants_binary(part) ? "BINARY.PEEK" : "BODY.PEEK",
		         part->section);
		wanted++;
	}
	buf_addch(items, ')');
	return wanted;
}

/* The part's text (decoded, UTF-8) from a FETCH; NULL note when all is well. */
static const char *part_text(const struct imap_fetch *fetch,
                             const struct message_part *part, struct buf *text)
{
	const struct imap_fetch_part *data = imap_fetch_part(fetch, true, part->section);
	struct buf decoded = BUF_INIT;
	const char *note = NULL;

	if (data) {
		/* BINARY: the server undid the transfer encoding. */
		buf_add(&decoded, data->data.p ? data->data.p : "", data->data.len);
	} else {
		struct str raw = mime_fetch_section(fetch, part->section);
		if (mime_part_cte(part) == RFC2045_CTE_UNKNOWN)
			note = "This part has a transfer encoding we do not know; it is shown as it came.";
		mime_decode_body(part, raw, &decoded);
	}
	mime_text_to_utf8(part, str_from_buf(&decoded), text);
	buf_release(&decoded);
	return note;
}

void mime_body_from_fetch(const struct imap_fetch *fetch,
                          const struct message_parts *parts,
                          struct mime_body *body)
{
	size_t wanted = 0;

	memset(body, 0, sizeof(*body));
	for (size_t i = 0; i < parts->n; i++)
		wanted += parts->items[i].displayed;
	if (wanted > MIME_MAX_TEXT_PARTS)
		wanted = MIME_MAX_TEXT_PARTS;
	for (size_t i = 0, shown = 0; i < parts->n; i++) {
		const struct message_part *part = &parts->items[i];
		struct mime_segment *segment;
		const char *note;
		if (part->embedded) {
			segment = add_segment(body, MIME_SEGMENT_MESSAGE, part);
			mime_embedded_headers(part->embedded, &segment->text);
			separate(&body->text);
			buf_add(&body->text, segment->text.p, segment->text.len);
			continue;
		}
		if (!part->displayed || !fetch || shown >= wanted)
			continue;
		shown++;
		segment = add_segment(body, !strcmp(part->type, "text/markdown")
		                                ? MIME_SEGMENT_MARKDOWN : MIME_SEGMENT_TEXT,
		                      part);
		note = part_text(fetch, part, &segment->text);
		separate(&body->text);
		buf_add(&body->text, segment->text.p, segment->text.len);
		if (note)
			buf_addstr(&add_segment(body, MIME_SEGMENT_NOTE, part)->text, note);
	}
}
