#include "imap_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap_utf7.h"

static const struct imap_node *nth(const struct imap_node *first, size_t index)
{
	while (first && index--)
		first = first->next;
	return first;
}

static bool is_list(const struct imap_node *node)
{
	return node && node->type == IMAP_LIST;
}

static uint64_t number_of(const struct imap_node *node, uint64_t max)
{
	if (!node || node->type != IMAP_NUMBER || node->number > max)
		return 0;
	return node->number;
}

/* ---- ENVELOPE --------------------------------------------------------- */

static void addresses(const struct imap_node *list, struct imap_address_list *out)
{
	size_t n = 0;

	out->items = NULL;
	out->n = 0;
	if (!is_list(list))
		return;
	out->items = xcalloc(list->nchildren + 1, sizeof(*out->items));
	for (const struct imap_node *addr = list->children; addr; addr = addr->next) {
		if (!is_list(addr) || addr->nchildren < 4)
			continue;
		struct imap_address *item = &out->items[n++];
		item->name = imap_node_nstring(nth(addr->children, 0));
		item->adl = imap_node_nstring(nth(addr->children, 1));
		item->mailbox = imap_node_nstring(nth(addr->children, 2));
		item->host = imap_node_nstring(nth(addr->children, 3));
		item->group_start = !item->host.p && item->mailbox.p;
		item->group_end = !item->host.p && !item->mailbox.p;
	}
	out->n = n;
}

int imap_view_envelope(const struct imap_node *list, struct imap_envelope *env)
{
	memset(env, 0, sizeof(*env));
	if (!is_list(list) || list->nchildren < 10)
		return -1;
	const struct imap_node *field = list->children;
	env->date = imap_node_nstring(field);
	env->subject = imap_node_nstring(field = field->next);
	addresses(field = field->next, &env->from);
	addresses(field = field->next, &env->sender);
	addresses(field = field->next, &env->reply_to);
	addresses(field = field->next, &env->to);
	addresses(field = field->next, &env->cc);
	addresses(field = field->next, &env->bcc);
	env->in_reply_to = imap_node_nstring(field = field->next);
	env->message_id = imap_node_nstring(field->next);
	return 0;
}

void imap_envelope_release(struct imap_envelope *env)
{
	free(env->from.items);
	free(env->sender.items);
	free(env->reply_to.items);
	free(env->to.items);
	free(env->cc.items);
	free(env->bcc.items);
	memset(env, 0, sizeof(*env));
}

/* ---- BODYSTRUCTURE ---------------------------------------------------- */

struct body_walk {
	size_t parts;
};

static void params(const struct imap_node *list, struct imap_params *out)
{
	out->items = NULL;
	out->n = 0;
	if (!is_list(list))
		return;
	out->items = xcalloc(list->nchildren / 2 + 1, sizeof(*out->items));
	for (const struct imap_node *name = list->children; name && name->next;
	     name = name->next->next) {
		struct str value = imap_node_nstring(name->next);
		if (!imap_node_is_string(name) || !value.p)
			continue;
		out->items[out->n++] = (struct imap_param){ name->text, value };
	}
}

struct str imap_params_get(const struct imap_params *params, const char *name)
{
	for (size_t i = 0; i < params->n; i++)
		if (str_caseeq(params->items[i].name, name))
			return params->items[i].value;
	return STR_NULL;
}

/* disposition: ("attachment" ("filename" "x")) or NIL */
static void disposition(const struct imap_node *node, struct imap_body *body)
{
	if (!is_list(node))
		return;
	body->disposition = imap_node_nstring(node->children);
	if (node->children)
		params(node->children->next, &body->disposition_params);
}

static char *child_section(const char *parent, size_t index)
{
	return parent[0] ? xasprintf("%s.%zu", parent, index) : xasprintf("%zu", index);
}

static int body_parse(const struct imap_node *list, struct imap_body *body,
                      const char *section, unsigned depth, struct body_walk *walk);

static int multipart_parse(const struct imap_node *list, struct imap_body *body,
                           const char *section, unsigned depth,
                           struct body_walk *walk)
{
	const struct imap_node *node = list->children;
	size_t count = 0;

	for (const struct imap_node *n = node; is_list(n); n = n->next)
		count++;
	body->type = STR_LIT("multipart");
	body->children = xcalloc(count + 1, sizeof(*body->children));
	for (size_t i = 0; i < count; i++, node = node->next) {
		char *child = child_section(section, i + 1);
		int rc = body_parse(node, &body->children[i], child, depth + 1, walk);
		free(child);
		body->nchildren = i + 1;
		if (rc < 0)
			return -1;
	}
	/* The subtype, then the extension data (all optional). */
	body->subtype = imap_node_nstring(node);
	if (node && (node = node->next)) {
		params(node, &body->params);
		if ((node = node->next)) {
			disposition(node, body);
			if ((node = node->next) && (node = node->next))
				body->location = imap_node_nstring(node);
		}
	}
	return count ? 0 : -1;
}

static int body_parse(const struct imap_node *list, struct imap_body *body,
                      const char *section, unsigned depth, struct body_walk *walk)
{
	const struct imap_node *node;

	memset(body, 0, sizeof(*body));
	body->section = xstrdup(section);
	body->depth = depth;
	if (!is_list(list) || depth > IMAP_BODY_MAX_DEPTH ||
	    ++walk->parts > IMAP_BODY_MAX_PARTS)
		return -1;
	if (is_list(list->children))
		return multipart_parse(list, body, section, depth, walk);
	if (list->nchildren < 7)
		return -1;
	node = list->children;
	body->type = imap_node_nstring(node);
	body->subtype = imap_node_nstring(node = node->next);
	params(node = node->next, &body->params);
	body->id = imap_node_nstring(node = node->next);
	body->description = imap_node_nstring(node = node->next);
	body->encoding = imap_node_nstring(node = node->next);
	body->size = number_of(node = node->next, UINT64_MAX);
	if (str_caseeq(body->type, "message") &&
	    (str_caseeq(body->subtype, "rfc822") || str_caseeq(body->subtype, "global")) &&
	    is_list(node->next) && is_list(node->next->next)) {
		body->envelope = xcalloc(1, sizeof(*body->envelope));
		imap_view_envelope(node = node->next, body->envelope);
		node = node->next;
		body->children = xcalloc(1, sizeof(*body->children));
		body->nchildren = 1;
		/* RFC 3501 6.4.5: a multipart inside has parts S.1, S.2; a
		 * single part inside is S.1. */
		char *inner = is_list(node->children) ? xstrdup(section)
		                                       : child_section(section, 1);
		int rc = body_parse(node, &body->children[0], inner, depth + 1, walk);
		free(inner);
		if (rc < 0)
			return -1;
		body->lines = number_of(node = node->next, UINT64_MAX);
	} else if (str_caseeq(body->type, "text")) {
		body->lines = number_of(node = node->next, UINT64_MAX);
	}
	/* Extension data: md5, disposition, language, location. */
	if (node && (node = node->next)) {
		body->md5 = imap_node_nstring(node);
		if ((node = node->next)) {
			disposition(node, body);
			if ((node = node->next) && (node = node->next))
				body->location = imap_node_nstring(node);
		}
	}
	return 0;
}

int imap_view_body(const struct imap_node *list, struct imap_body **out)
{
	struct body_walk walk = { 0 };
	struct imap_body *body = xcalloc(1, sizeof(*body));
	/* A single-part message's one part is section 1; a multipart's
	 * parts are 1, 2, ... */
	const char *top = is_list(list) && is_list(list->children) ? "" : "1";

	if (body_parse(list, body, top, 0, &walk) < 0) {
		imap_body_free(body);
		*out = NULL;
		return -1;
	}
	*out = body;
	return 0;
}

static void body_release(struct imap_body *body)
{
	for (size_t i = 0; i < body->nchildren; i++)
		body_release(&body->children[i]);
	free(body->children);
	free(body->params.items);
	free(body->disposition_params.items);
	free(body->section);
	if (body->envelope) {
		imap_envelope_release(body->envelope);
		free(body->envelope);
	}
}

void imap_body_free(struct imap_body *body)
{
	if (!body)
		return;
	body_release(body);
	free(body);
}

/* ---- FETCH ------------------------------------------------------------ */

/* INTERNALDATE: "17-Jul-1996 02:44:25 -0700". */
static int internaldate(struct str text, time_t *out)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char copy[64], month[4];
	int day, year, hour, minute, second, zone;
	char sign;
	struct tm tm = { 0 };

	if (!text.p || text.len >= sizeof(copy))
		return -1;
	memcpy(copy, text.p, text.len);
	copy[text.len] = '\0';
	if (sscanf(copy, " %d-%3s-%d %d:%d:%d %c%4d", &day, month, &year, &hour,
	           &minute, &second, &sign, &zone) != 8 ||
	    (sign != '+' && sign != '-'))
		return -1;
	const char *found = strstr(months, month);
	if (!found || (found - months) % 3 || strlen(month) != 3)
		return -1;
	tm.tm_mday = day;
	tm.tm_mon = (int)(found - months) / 3;
	tm.tm_year = year - 1900;
	tm.tm_hour = hour;
	tm.tm_min = minute;
	tm.tm_sec = second;
	time_t utc = timegm(&tm);
	int offset = (zone / 100) * 3600 + (zone % 100) * 60;
	*out = sign == '+' ? utc - offset : utc + offset;
	return 0;
}

int imap_view_fetch(const struct imap_response *response, struct imap_fetch *fetch)
{
	const struct imap_node *seq = response->data;

	memset(fetch, 0, sizeof(*fetch));
	if (response->kind != IMAP_UNTAGGED || !seq || seq->type != IMAP_NUMBER ||
	    !imap_node_is_atom(seq->next, "FETCH") || !is_list(seq->next->next))
		return -1;
	fetch->seq = (uint32_t)number_of(seq, UINT32_MAX);
	fetch->atts = seq->next->next;
	for (const struct imap_node *name = fetch->atts->children; name && name->next;
	     name = name->next->next) {
		const struct imap_node *value = name->next;
		if (name->type != IMAP_ATOM)
			return -1;
		if (str_caseeq(name->text, "UID")) {
			fetch->uid = (uint32_t)number_of(value, UINT32_MAX);
			fetch->has_uid = fetch->uid != 0;
		} else if (str_caseeq(name->text, "INTERNALDATE")) {
			fetch->has_internaldate =
				internaldate(imap_node_nstring(value), &fetch->internaldate) == 0;
		} else if (str_caseeq(name->text, "RFC822.SIZE")) {
			fetch->rfc822_size = number_of(value, UINT64_MAX);
		} else if (str_caseeq(name->text, "FLAGS") && is_list(value)) {
			fetch->flags = value;
		} else if (str_caseeq(name->text, "MODSEQ") && is_list(value)) {
			fetch->modseq = number_of(value->children, UINT64_MAX);
		} else if (str_caseeq(name->text, "ENVELOPE") && !fetch->envelope) {
			fetch->envelope = xcalloc(1, sizeof(*fetch->envelope));
			if (imap_view_envelope(value, fetch->envelope) < 0) {
				free(fetch->envelope);
				fetch->envelope = NULL;
			}
		} else if ((str_caseeq(name->text, "BODYSTRUCTURE") ||
		            (str_caseeq(name->text, "BODY") && !name->section)) &&
		           !fetch->body) {
			imap_view_body(value, &fetch->body);
		}
	}
	return 0;
}

void imap_fetch_release(struct imap_fetch *fetch)
{
	if (fetch->envelope) {
		imap_envelope_release(fetch->envelope);
		free(fetch->envelope);
	}
	imap_body_free(fetch->body);
	memset(fetch, 0, sizeof(*fetch));
}

/* The section's tokens printed back ("HEADER.FIELDS (A B)") for comparing. */
static void section_text(struct buf *out, const struct imap_node *node)
{
	for (; node; node = node->next) {
		if (out->len && out->p[out->len - 1] != '(')
			buf_addch(out, ' ');
		if (node->type == IMAP_LIST) {
			buf_addch(out, '(');
			section_text(out, node->children);
			buf_addch(out, ')');
		} else {
			buf_addstr_view(out, node->text);
		}
	}
}

struct str imap_fetch_body(const struct imap_fetch *fetch, const char *item,
                           const char *section)
{
	struct buf text = BUF_INIT;
	struct str found = STR_NULL;

	if (!fetch->atts)
		return found;
	for (const struct imap_node *name = fetch->atts->children; name && name->next;
	     name = name->next->next) {
		if (name->type != IMAP_ATOM || !str_caseeq(name->text, item) ||
		    !name->section)
			continue;
		buf_reset(&text);
		section_text(&text, name->section->children);
		if (!strcasecmp(buf_cstr(&text), section)) {
			found = imap_node_nstring(name->next);
			break;
		}
	}
	buf_release(&text);
	return found;
}

/* ---- LIST and STATUS -------------------------------------------------- */

int imap_view_list(const struct imap_response *response, bool utf8,
                   struct imap_list_entry *entry)
{
	const struct imap_node *kind = response->data;
	struct buf name = BUF_INIT;
	struct str raw;

	memset(entry, 0, sizeof(*entry));
	if (response->kind != IMAP_UNTAGGED || !kind ||
	    !(imap_node_is_atom(kind, "LIST") || imap_node_is_atom(kind, "LSUB")) ||
	    !is_list(kind->next) || !kind->next->next || !kind->next->next->next)
		return -1;
	entry->flags = kind->next;
	entry->selectable = true;
	for (const struct imap_node *flag = entry->flags->children; flag; flag = flag->next)
		if (imap_node_is_atom(flag, "\\Noselect") ||
		    imap_node_is_atom(flag, "\\NonExistent"))
			entry->selectable = false;
	struct str delimiter = imap_node_nstring(kind->next->next);
	entry->delimiter = delimiter.len == 1 ? delimiter.p[0] : 0;
	raw = imap_node_nstring(kind->next->next->next);
	if (!raw.p)
		return -1;
	if (utf8 || str_caseeq(raw, "INBOX"))
		buf_addstr_view(&name, raw);
	else if (imap_utf7_decode(raw, &name) < 0) {
		buf_release(&name);
		return -1;
	}
	entry->name = buf_detach(&name, NULL);
	return 0;
}

void imap_list_entry_release(struct imap_list_entry *entry)
{
	free(entry->name);
	memset(entry, 0, sizeof(*entry));
}

int imap_view_status(const struct imap_response *response,
                     struct imap_status_info *status)
{
	const struct imap_node *kind = response->data;

	memset(status, 0, sizeof(*status));
	if (response->kind != IMAP_UNTAGGED || !imap_node_is_atom(kind, "STATUS") ||
	    !kind->next || !is_list(kind->next->next))
		return -1;
	for (const struct imap_node *name = kind->next->next->children;
	     name && name->next; name = name->next->next) {
		uint64_t value = number_of(name->next, UINT64_MAX);
		if (imap_node_is_atom(name, "MESSAGES"))
			status->has_messages = true, status->messages = (uint32_t)value;
		else if (imap_node_is_atom(name, "UIDNEXT"))
			status->has_uidnext = true, status->uidnext = (uint32_t)value;
		else if (imap_node_is_atom(name, "UIDVALIDITY"))
			status->has_uidvalidity = true, status->uidvalidity = (uint32_t)value;
		else if (imap_node_is_atom(name, "UNSEEN"))
			status->has_unseen = true, status->unseen = (uint32_t)value;
		else if (imap_node_is_atom(name, "HIGHESTMODSEQ"))
			status->has_highestmodseq = true, status->highestmodseq = value;
	}
	return 0;
}
