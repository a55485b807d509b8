/*
 * Typed views of parsed responses.  See imap_view.h: strs borrow from the
 * response, arrays are owned; servers' variations are tolerated by taking
 * what is there.
 */
#include "imap_view.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap_utf7.h"

static int view_fail(struct imap_view_err *err, const char *fmt, ...) PRINTF_LIKE(2, 3);

static int view_fail(struct imap_view_err *err, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* A number, or a string of digits from a server that quotes numbers. */
static int node_u64(const struct imap_node *node, uint64_t max, uint64_t *value)
{
	if (!node)
		return -1;
	if (node->type == IMAP_NUMBER) {
		if (node->number > max)
			return -1;
		*value = node->number;
		return 0;
	}
	if (node->type == IMAP_QUOTED || node->type == IMAP_LITERAL)
		return parse_u64(node->text, 0, max, value);
	return -1;
}

static int node_u32(const struct imap_node *node, uint32_t *value)
{
	uint64_t v;
	if (node_u64(node, UINT32_MAX, &v) < 0)
		return -1;
	*value = (uint32_t)v;
	return 0;
}

static bool is_list(const struct imap_node *node)
{
	return node && node->type == IMAP_LIST;
}

/* The untagged data "* NAME ..." or "* N NAME ...": the node after NAME. */
static const struct imap_node *data_after(const struct imap_response *response,
                                          const char *name, bool numbered)
{
	if (!response || response->kind != IMAP_UNTAGGED ||
	    response->status != IMAP_STATUS_NONE || !response->data)
		return NULL;
	const struct imap_node *node = response->data;
	if (numbered) {
		if (node->type != IMAP_NUMBER)
			return NULL;
		node = node->next;
	}
	return imap_node_is_atom(node, name) ? node : NULL;
}

/* ---- kinds, codes ----------------------------------------------------- */

static const struct {
	const char *name;
	bool numbered;
	enum imap_view_kind kind;
} kinds[] = {
	{ "FETCH", true, IMAP_VIEW_FETCH },
	{ "EXISTS", true, IMAP_VIEW_EXISTS },
	{ "EXPUNGE", true, IMAP_VIEW_EXPUNGE },
	{ "RECENT", true, IMAP_VIEW_RECENT },
	{ "FLAGS", false, IMAP_VIEW_FLAGS },
	{ "LIST", false, IMAP_VIEW_LIST },
	{ "LSUB", false, IMAP_VIEW_LSUB },
	{ "STATUS", false, IMAP_VIEW_STATUS_DATA },
	{ "SEARCH", false, IMAP_VIEW_SEARCH },
	{ "ESEARCH", false, IMAP_VIEW_ESEARCH },
	{ "SORT", false, IMAP_VIEW_SORT },
	{ "THREAD", false, IMAP_VIEW_THREAD },
	{ "CAPABILITY", false, IMAP_VIEW_CAPABILITY },
	{ "ENABLED", false, IMAP_VIEW_ENABLED },
};

enum imap_view_kind imap_view_kind(const struct imap_response *response)
{
	if (response->kind == IMAP_CONTINUATION)
		return IMAP_VIEW_CONTINUATION;
	if (response->status != IMAP_STATUS_NONE)
		return IMAP_VIEW_STATUS;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (data_after(response, kinds[i].name, kinds[i].numbered))
			return kinds[i].kind;
	return IMAP_VIEW_OTHER;
}

bool imap_view_is_bye(const struct imap_response *response)
{
	return response && response->kind == IMAP_UNTAGGED && response->status == IMAP_BYE;
}

int imap_view_numbered(const struct imap_response *response, const char *name,
                       uint32_t *number)
{
	const struct imap_node *node = data_after(response, name, true);

	if (!node || node->next)
		return -1;
	return node_u32(response->data, number);
}

bool imap_view_code(const struct imap_response *response, const char *name,
                    const struct imap_node **args)
{
	if (!response || !response->code ||
	    !imap_node_is_atom(response->code->children, name))
		return false;
	if (args)
		*args = response->code->children->next;
	return true;
}

int imap_view_code_number(const struct imap_response *response, const char *name,
                          uint64_t *value)
{
	const struct imap_node *args;

	if (!imap_view_code(response, name, &args) || !args || args->type != IMAP_NUMBER)
		return -1;
	*value = args->number;
	return 0;
}

/* ---- capability, flags ------------------------------------------------ */

static void strs_from_siblings(const struct imap_node *first, struct str **out, size_t *n)
{
	size_t count = 0;

	for (const struct imap_node *node = first; node; node = node->next)
		count += imap_node_is_string(node);
	*out = xcalloc(count ? count : 1, sizeof(**out));
	*n = 0;
	for (const struct imap_node *node = first; node; node = node->next)
		if (imap_node_is_string(node))
			(*out)[(*n)++] = node->text;
}

int imap_view_capability(const struct imap_response *response, struct imap_caps *caps)
{
	const struct imap_node *first;

	memset(caps, 0, sizeof(*caps));
	const struct imap_node *node = data_after(response, "CAPABILITY", false);
	if (node)
		first = node->next;
	else if (!imap_view_code(response, "CAPABILITY", &first))
		return -1;
	strs_from_siblings(first, &caps->names, &caps->n);
	return 0;
}

bool imap_caps_has(const struct imap_caps *caps, const char *name)
{
	for (size_t i = 0; i < caps->n; i++)
		if (str_caseeq(caps->names[i], name))
			return true;
	return false;
}

void imap_caps_release(struct imap_caps *caps)
{
	free(caps->names);
	memset(caps, 0, sizeof(*caps));
}

int imap_flags_from_list(const struct imap_node *list, struct imap_flags *flags)
{
	memset(flags, 0, sizeof(*flags));
	if (!is_list(list))
		return -1;
	strs_from_siblings(list->children, &flags->flags, &flags->n);
	return 0;
}

int imap_view_flags(const struct imap_response *response, struct imap_flags *flags)
{
	const struct imap_node *node = data_after(response, "FLAGS", false);

	memset(flags, 0, sizeof(*flags));
	return node ? imap_flags_from_list(node->next, flags) : -1;
}

bool imap_flags_has(const struct imap_flags *flags, const char *flag)
{
	for (size_t i = 0; i < flags->n; i++)
		if (str_caseeq(flags->flags[i], flag))
			return true;
	return false;
}

void imap_flags_release(struct imap_flags *flags)
{
	free(flags->flags);
	memset(flags, 0, sizeof(*flags));
}

/* ---- LIST, STATUS ----------------------------------------------------- */

static bool valid_utf8(struct str s)
{
	struct buf scratch = BUF_INIT;
	/* Encoding checks UTF-8 strictly; the result is not needed. */
	int rc = imap_utf7_encode(s, &scratch);
	buf_release(&scratch);
	return rc == 0;
}

/* A mailbox name as sent, in UTF-8 (owned), or NULL when it is invalid. */
static char *decode_name(struct str sent, bool utf8_accept)
{
	struct buf decoded = BUF_INIT;

	if (utf8_accept) {
		if (memchr(sent.p, '\0', sent.len) || !valid_utf8(sent))
			return NULL;
		return str_dup(sent);
	}
	if (imap_utf7_decode(sent, &decoded) < 0) {
		buf_release(&decoded);
		return NULL;
	}
	return buf_detach(&decoded, NULL);
}

int imap_view_list(const struct imap_response *response, bool utf8_accept,
                   struct imap_list_entry *entry)
{
	const struct imap_node *node = data_after(response, "LIST", false);
	bool lsub = false;

	memset(entry, 0, sizeof(*entry));
	if (!node) {
		node = data_after(response, "LSUB", false);
		lsub = true;
	}
	if (!node)
		return -1;
	const struct imap_node *attrs = node->next;
	const struct imap_node *delimiter = attrs ? attrs->next : NULL;
	const struct imap_node *name = delimiter ? delimiter->next : NULL;
	if (!is_list(attrs) || !delimiter || !imap_node_is_string(name))
		return -1;
	if (delimiter->type == IMAP_NIL)
		entry->delimiter = 0;
	else if (imap_node_is_string(delimiter) && delimiter->text.len == 1)
		entry->delimiter = delimiter->text.p[0];
	else
		return -1;
	entry->raw_name = name->text;
	/* INBOX is case-insensitive: one spelling for the gateway. */
	if (str_caseeq(name->text, "INBOX"))
		entry->name = xstrdup("INBOX");
	else if (!(entry->name = decode_name(name->text, utf8_accept)))
		return -1;
	imap_flags_from_list(attrs, &entry->flags);
	entry->selectable = !imap_flags_has(&entry->flags, "\\Noselect") &&
	                    !imap_flags_has(&entry->flags, "\\NonExistent");
	entry->lsub = lsub;
	return 0;
}

void imap_list_entry_release(struct imap_list_entry *entry)
{
	imap_flags_release(&entry->flags);
	free(entry->name);
	memset(entry, 0, sizeof(*entry));
}

int imap_view_namespace(const struct imap_response *response, bool utf8_accept,
                        struct imap_namespace *namespace)
{
	const struct imap_node *node = data_after(response, "NAMESPACE", false);
	const struct imap_node *personal = node ? node->next : NULL;

	memset(namespace, 0, sizeof(*namespace));
	if (!personal || !personal->next || !personal->next->next)
		return -1;
	if (personal->type == IMAP_NIL) {
		namespace->prefix = xstrdup("");
		return 0;
	}
	/* ((prefix delimiter [extensions])...): the first one counts. */
	const struct imap_node *first = is_list(personal) ? personal->children : NULL;
	if (!is_list(first) || first->nchildren < 2 ||
	    !imap_node_is_string(first->children))
		return -1;
	const struct imap_node *delimiter = first->children->next;
	if (delimiter->type == IMAP_NIL)
		namespace->delimiter = 0;
	else if (imap_node_is_string(delimiter) && delimiter->text.len == 1)
		namespace->delimiter = delimiter->text.p[0];
	else
		return -1;
	namespace->prefix = decode_name(first->children->text, utf8_accept);
	return namespace->prefix ? 0 : -1;
}

void imap_namespace_release(struct imap_namespace *namespace)
{
	free(namespace->prefix);
	memset(namespace, 0, sizeof(*namespace));
}

int imap_view_status(const struct imap_response *response, struct imap_status_info *status)
{
	const struct imap_node *node = data_after(response, "STATUS", false);

	const struct imap_node *list;

	memset(status, 0, sizeof(*status));
	if (!node || !imap_node_is_string(node->next))
		return -1;
	list = node->next->next;
	status->mailbox = node->next->text;
	if (!is_list(list)) {
		/*
		 * GNU imap4d sends a name with blanks unquoted: "* STATUS
		 * Archiv/Gr&APwA3w-e &- Co (MESSAGES 13)".  Atoms up to the
		 * list are taken as one name, as they stand in the line
		 * (t/VIOLATIONS).
		 */
		const struct imap_node *last = node->next;
		for (list = last->next; list && list->type == IMAP_ATOM; list = list->next)
			last = list;
		if (!is_list(list) || node->next->type != IMAP_ATOM ||
		    last->text.p < node->next->text.p)
			return -1;
		status->mailbox.len = (size_t)(last->text.p + last->text.len -
		                               node->next->text.p);
	}
	for (const struct imap_node *item = list->children; item && item->next;
	     item = item->next->next) {
		const struct imap_node *value = item->next;
		if (imap_node_is_atom(item, "MESSAGES"))
			status->has_messages = node_u32(value, &status->messages) == 0;
		else if (imap_node_is_atom(item, "UIDNEXT"))
			status->has_uidnext = node_u32(value, &status->uidnext) == 0;
		else if (imap_node_is_atom(item, "UIDVALIDITY"))
			status->has_uidvalidity = node_u32(value, &status->uidvalidity) == 0;
		else if (imap_node_is_atom(item, "UNSEEN"))
			status->has_unseen = node_u32(value, &status->unseen) == 0;
		else if (imap_node_is_atom(item, "RECENT"))
			status->has_recent = node_u32(value, &status->recent) == 0;
		else if (imap_node_is_atom(item, "HIGHESTMODSEQ"))
			status->has_highestmodseq = node_u64(value, UINT64_MAX,
			                                     &status->highestmodseq) == 0;
		else if (imap_node_is_atom(item, "SIZE"))
			status->has_size = node_u64(value, UINT64_MAX, &status->size) == 0;
	}
	return 0;
}

/* ---- SEARCH, SORT, ESEARCH -------------------------------------------- */

static int search_like(const struct imap_response *response, const char *name,
                       struct imap_search *search)
{
	const struct imap_node *node = data_after(response, name, false);
	size_t count = 0;

	memset(search, 0, sizeof(*search));
	if (!node)
		return -1;
	if (response->numbers) {
		search->n = response->nnumbers;
		search->ids = xmalloc((search->n ? search->n : 1) * sizeof(*search->ids));
		if (search->n)
			memcpy(search->ids, response->numbers, search->n * sizeof(*search->ids));
		return 0;
	}
	for (const struct imap_node *n = node->next; n; n = n->next)
		count++;
	search->ids = xcalloc(count ? count : 1, sizeof(*search->ids));
	for (node = node->next; node; node = node->next) {
		if (is_list(node) && imap_node_is_atom(node->children, "MODSEQ") &&
		    !node->next && node->children->next &&
		    node->children->next->type == IMAP_NUMBER) {
			search->has_modseq = true;
			search->modseq = node->children->next->number;
			break;
		}
		if (node->type != IMAP_NUMBER || node->number == 0 || node->number > UINT32_MAX)
			goto fail;
		search->ids[search->n++] = (uint32_t)node->number;
	}
	return 0;
fail:
	imap_search_release(search);
	return -1;
}

int imap_view_search(const struct imap_response *response, struct imap_search *search)
{
	return search_like(response, "SEARCH", search);
}

int imap_view_sort(const struct imap_response *response, struct imap_search *search)
{
	return search_like(response, "SORT", search);
}

void imap_search_release(struct imap_search *search)
{
	free(search->ids);
	memset(search, 0, sizeof(*search));
}

static int parse_seq_number(const char *p, size_t len, uint32_t *out)
{
	uint64_t value;
	if (parse_u64((struct str){ p, len }, 1, UINT32_MAX, &value) < 0)
		return -1;
	*out = (uint32_t)value;
	return 0;
}

int imap_sequence_set_expand(struct str set, size_t max, uint32_t **out, size_t *n)
{
	size_t pos = 0, old_n = *n, cap = *n;

	if (!set.len)
		return -1;
	while (pos <= set.len) {
		size_t end = pos;
		while (end < set.len && set.p[end] != ',')
			end++;
		const char *colon = memchr(set.p + pos, ':', end - pos);
		uint32_t lo, hi;
		if (colon) {
			if (parse_seq_number(set.p + pos, (size_t)(colon - (set.p + pos)), &lo) < 0 ||
			    parse_seq_number(colon + 1, (size_t)(set.p + end - colon - 1), &hi) < 0)
				goto fail;
		} else if (parse_seq_number(set.p + pos, end - pos, &lo) < 0) {
			goto fail;
		} else {
			hi = lo;
		}
		bool down = lo > hi;
		/* Checked before a single number is stored. */
		uint64_t span = (uint64_t)(down ? lo - hi : hi - lo) + 1;
		if (span > max - *n)
			goto fail;
		if (*n + span > cap) {
			cap = *n + (size_t)span + cap;
			if (cap > max)
				cap = max;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		for (uint64_t i = 0; i < span; i++)
			(*out)[(*n)++] = down ? lo - (uint32_t)i : lo + (uint32_t)i;
		pos = end + 1;
	}
	return 0;
fail:
	*n = old_n;
	return -1;
}

static int parse_range64(struct str s, int64_t *lo, int64_t *hi)
{
	const char *colon = memchr(s.p, ':', s.len);
	int64_t values[2];
	struct str parts[2];

	if (!colon)
		return -1;
	parts[0] = (struct str){ s.p, (size_t)(colon - s.p) };
	parts[1] = (struct str){ colon + 1, s.len - parts[0].len - 1 };
	for (int i = 0; i < 2; i++) {
		bool negative = parts[i].len && parts[i].p[0] == '-';
		uint64_t v;
		struct str digits = { parts[i].p + negative, parts[i].len - negative };
		if (parse_u64(digits, 1, UINT32_MAX, &v) < 0)
			return -1;
		values[i] = negative ? -(int64_t)v : (int64_t)v;
	}
	*lo = values[0];
	*hi = values[1];
	return 0;
}

int imap_view_esearch(const struct imap_response *response, size_t max_numbers,
                      struct imap_esearch *es, struct imap_view_err *err)
{
	const struct imap_node *node = data_after(response, "ESEARCH", false);
	size_t budget = max_numbers;

	memset(es, 0, sizeof(*es));
	if (!node)
		return view_fail(err, "not an ESEARCH response");
	node = node->next;
	if (is_list(node)) {
		if (imap_node_is_atom(node->children, "TAG") &&
		    imap_node_is_string(node->children->next))
			es->tag = node->children->next->text;
		node = node->next;
	}
	if (imap_node_is_atom(node, "UID")) {
		es->uid = true;
		node = node->next;
	}
	for (; node; node = node->next ? node->next->next : NULL) {
		const struct imap_node *value = node->next;
		if (!value || node->type != IMAP_ATOM)
			goto bad;
		if (imap_node_is_atom(node, "MIN")) {
			if (node_u32(value, &es->min) < 0)
				goto bad;
			es->has_min = true;
		} else if (imap_node_is_atom(node, "MAX")) {
			if (node_u32(value, &es->max) < 0)
				goto bad;
			es->has_max = true;
		} else if (imap_node_is_atom(node, "COUNT")) {
			if (node_u64(value, UINT64_MAX, &es->count) < 0)
				goto bad;
			es->has_count = true;
		} else if (imap_node_is_atom(node, "MODSEQ")) {
			if (node_u64(value, UINT64_MAX, &es->modseq) < 0)
				goto bad;
			es->has_modseq = true;
		} else if (imap_node_is_atom(node, "ALL")) {
			if (es->has_all || !imap_node_is_string(value) ||
			    imap_sequence_set_expand(value->text, budget, &es->all, &es->nall) < 0)
				goto too_many;
			budget -= es->nall;
			es->has_all = true;
		} else if (imap_node_is_atom(node, "PARTIAL")) {
			const struct imap_node *range = imap_node_nth((struct imap_node *)value, 0);
			const struct imap_node *set = range ? range->next : NULL;
			if (es->has_partial || !is_list(value) || !imap_node_is_string(range) || !set ||
			    parse_range64(range->text, &es->partial_lo, &es->partial_hi) < 0)
				goto bad;
			if (set->type != IMAP_NIL &&
			    (!imap_node_is_string(set) ||
			     imap_sequence_set_expand(set->text, budget, &es->partial,
			                              &es->npartial) < 0))
				goto too_many;
			budget -= es->npartial;
			es->has_partial = true;
		}
		/* Unknown return data (RFC 4731 allows extensions): skipped. */
	}
	return 0;
bad:
	imap_esearch_release(es);
	return view_fail(err, "malformed ESEARCH");
too_many:
	imap_esearch_release(es);
	return view_fail(err, "bad or too large sequence set in ESEARCH (limit %zu)", max_numbers);
}

void imap_esearch_release(struct imap_esearch *es)
{
	free(es->all);
	free(es->partial);
	memset(es, 0, sizeof(*es));
}

/* ---- THREAD ----------------------------------------------------------- */

int imap_view_thread(const struct imap_response *response, struct str *thread_list)
{
	*thread_list = STR_NULL;
	if (!data_after(response, "THREAD", false) || !response->thread_list.p)
		return -1;
	*thread_list = response->thread_list;
	return 0;
}

/* ---- ENVELOPE --------------------------------------------------------- */

static void address_list(const struct imap_node *node, struct imap_address_list *list)
{
	memset(list, 0, sizeof(*list));
	if (!is_list(node))
		return;
	list->addresses = xcalloc(node->nchildren ? node->nchildren : 1,
	                          sizeof(*list->addresses));
	for (const struct imap_node *a = node->children; a; a = a->next) {
		/* Malformed entries are skipped: the rest is still worth showing. */
		if (!is_list(a) || a->nchildren < 4)
			continue;
		struct imap_address *address = &list->addresses[list->n++];
		const struct imap_node *f = a->children;
		address->name = imap_node_nstring(f);
		address->adl = imap_node_nstring(f->next);
		address->mailbox = imap_node_nstring(f->next->next);
		address->host = imap_node_nstring(f->next->next->next);
	}
	/*
	 * RFC 3501 7.4.2: a NIL host marks group syntax, a start with the
	 * group's name as mailbox, an end with a NIL mailbox.  A server that
	 * writes NIL for a missing domain (as RFC 2060 said to) sends "From:
	 * foo" in the shape of a start; groups do not nest (RFC 5322 3.4), so
	 * a start is one only when the next NIL-host entry after it is an
	 * end, else it is an address without a domain.  Backwards, in one pass.
	 */
	bool end_follows = false;
	for (size_t i = list->n; i-- > 0;) {
		struct imap_address *address = &list->addresses[i];
		if (address->host.p)
			continue;
		if (!address->mailbox.p) {
			address->kind = IMAP_ADDRESS_GROUP_END;
			end_follows = true;
			continue;
		}
		address->kind = end_follows ? IMAP_ADDRESS_GROUP_START : IMAP_ADDRESS_MAILBOX;
		end_follows = false;
	}
}

int imap_envelope_from_node(const struct imap_node *list, struct imap_envelope *envelope,
                            struct imap_view_err *err)
{
	const struct imap_node *f[10] = { NULL };
	size_t i = 0;

	memset(envelope, 0, sizeof(*envelope));
	if (!is_list(list))
		return view_fail(err, "ENVELOPE is not a list");
	/* Missing trailing fields are NIL. */
	for (const struct imap_node *node = list->children; node && i < 10; node = node->next)
		f[i++] = node;
	envelope->date = imap_node_nstring(f[0]);
	envelope->subject = imap_node_nstring(f[1]);
	address_list(f[2], &envelope->from);
	address_list(f[3], &envelope->sender);
	address_list(f[4], &envelope->reply_to);
	address_list(f[5], &envelope->to);
	address_list(f[6], &envelope->cc);
	address_list(f[7], &envelope->bcc);
	envelope->in_reply_to = imap_node_nstring(f[8]);
	envelope->message_id = imap_node_nstring(f[9]);
	return 0;
}

void imap_envelope_release(struct imap_envelope *envelope)
{
	free(envelope->from.addresses);
	free(envelope->sender.addresses);
	free(envelope->reply_to.addresses);
	free(envelope->to.addresses);
	free(envelope->cc.addresses);
	free(envelope->bcc.addresses);
	memset(envelope, 0, sizeof(*envelope));
}

/* ---- BODYSTRUCTURE ---------------------------------------------------- */

static void params_from(const struct imap_node *node, struct imap_param **params, size_t *n)
{
	*params = NULL;
	*n = 0;
	if (!is_list(node) || node->nchildren < 2)
		return;
	*params = xcalloc(node->nchildren / 2, sizeof(**params));
	for (const struct imap_node *p = node->children; p && p->next; p = p->next->next)
		(*params)[(*n)++] = (struct imap_param){ imap_node_nstring(p),
		                                         imap_node_nstring(p->next) };
}

/* The extension data shared by both kinds: disposition, language, location. */
static void body_ext(const struct imap_node *node, struct imap_body *body)
{
	if (!node)
		return;
	if (is_list(node)) {
		body->disposition = imap_node_nstring(node->children);
		if (node->children)
			params_from(node->children->next, &body->disposition_params,
			            &body->ndisposition_params);
	} else {
		body->disposition = imap_node_nstring(node); /* a bare string */
	}
	node = node->next;
	if (!node)
		return;
	if (is_list(node)) {
		strs_from_siblings(node->children, &body->languages, &body->nlanguages);
	} else if (imap_node_is_string(node)) {
		body->languages = xcalloc(1, sizeof(*body->languages));
		body->languages[body->nlanguages++] = node->text;
	}
	body->location = imap_node_nstring(node->next);
}

struct body_walk {
	size_t parts;
	struct imap_view_err *err;
};

static char *section_join(const char *prefix, const char *suffix)
{
	return *prefix ? xasprintf("%s.%s", prefix, suffix) : xstrdup(suffix);
}

static bool node_is_multipart(const struct imap_node *node)
{
	return is_list(node) && is_list(node->children);
}

static int body_parse(const struct imap_node *node, struct imap_body *body, char *section,
                      const char *child_prefix, unsigned depth, struct body_walk *walk)
{
	memset(body, 0, sizeof(*body));
	body->section = section;
	if (!is_list(node) || !node->children)
		return view_fail(walk->err, "body %s is not a list", section);
	if (depth > IMAP_VIEW_MAX_BODY_DEPTH)
		return view_fail(walk->err, "BODYSTRUCTURE nested deeper than %d",
		                 IMAP_VIEW_MAX_BODY_DEPTH);
	if (++walk->parts > IMAP_VIEW_MAX_PARTS)
		return view_fail(walk->err, "BODYSTRUCTURE has more than %d parts",
		                 IMAP_VIEW_MAX_PARTS);

	const struct imap_node *f = node->children;
	if (is_list(f)) {
		body->multipart = true;
		body->type = STR_LIT("multipart");
		size_t count = 0;
		for (const struct imap_node *c = f; is_list(c); c = c->next)
			count++;
		body->parts = xcalloc(count, sizeof(*body->parts));
		for (; is_list(f); f = f->next) {
			char number[24];
			snprintf(number, sizeof(number), "%zu", body->nparts + 1);
			char *child_section = section_join(child_prefix, number);
			struct imap_body *child = &body->parts[body->nparts++];
			if (body_parse(f, child, child_section, child_section, depth + 1, walk) < 0)
				return -1;
		}
		body->subtype = imap_node_nstring(f);
		if (!f || !(f = f->next))
			return 0;
		params_from(f, &body->params, &body->nparams);
		body_ext(f->next, body);
		return 0;
	}

	/* A single part: type subtype params id description encoding size ... */
	const struct imap_node *field[7] = { NULL };
	for (int i = 0; i < 7 && f; i++, f = f->next)
		field[i] = f;
	body->type = imap_node_nstring(field[0]);
	body->subtype = imap_node_nstring(field[1]);
	params_from(field[2], &body->params, &body->nparams);
	body->id = imap_node_nstring(field[3]);
	body->description = imap_node_nstring(field[4]);
	body->encoding = imap_node_nstring(field[5]);
	if (node_u64(field[6], UINT64_MAX, &body->size) < 0)
		body->size = 0;
	if (imap_body_is(body, "message", "rfc822") || imap_body_is(body, "message", "global")) {
		/* envelope body lines, when the server sent the full form */
		if (is_list(f) && is_list(f->next)) {
			body->envelope = xcalloc(1, sizeof(*body->envelope));
			imap_envelope_from_node(f, body->envelope, NULL);
			const struct imap_node *inner = f->next;
			bool inner_multi = node_is_multipart(inner);
			char *inner_section = section_join(section, inner_multi ? "TEXT" : "1");
			body->parts = xcalloc(1, sizeof(*body->parts));
			body->nparts = 1;
			if (body_parse(inner, &body->parts[0], inner_section,
			               inner_multi ? section : inner_section, depth + 1, walk) < 0)
				return -1;
			f = inner->next;
			body->has_lines = node_u64(f, UINT64_MAX, &body->lines) == 0;
			if (f)
				f = f->next;
		}
	} else if (imap_body_is(body, "text", NULL) && f) {
		body->has_lines = node_u64(f, UINT64_MAX, &body->lines) == 0;
		f = f->next;
	}
	if (!f)
		return 0;
	body->md5 = imap_node_nstring(f);
	body_ext(f->next, body);
	return 0;
}

int imap_body_from_node(const struct imap_node *list, struct imap_body *body,
                        struct imap_view_err *err)
{
	struct body_walk walk = { 0, err };
	bool multi = node_is_multipart(list);

	if (body_parse(list, body, xstrdup(multi ? "TEXT" : "1"), multi ? "" : "1", 0, &walk) < 0) {
		imap_body_release(body);
		return -1;
	}
	return 0;
}

/*
 * Iterative: a release must not recurse 256 deep into a hostile tree.  All
 * bodies are listed parents first, then freed in reverse, so a parts array
 * goes only after every body in it is done.
 */
void imap_body_release(struct imap_body *body)
{
	size_t cap = 16, n = 0;
	struct imap_body **order;

	if (!body)
		return;
	order = xmalloc(cap * sizeof(*order));
	order[n++] = body;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < order[i]->nparts; j++) {
			if (n == cap) {
				cap *= 2;
				order = xrealloc(order, cap * sizeof(*order));
			}
			order[n++] = &order[i]->parts[j];
		}
	}
	while (n) {
		struct imap_body *b = order[--n];
		free(b->section);
		free(b->params);
		free(b->disposition_params);
		free(b->languages);
		if (b->envelope) {
			imap_envelope_release(b->envelope);
			free(b->envelope);
		}
		free(b->parts);
	}
	free(order);
	memset(body, 0, sizeof(*body));
}

bool imap_body_is(const struct imap_body *body, const char *type, const char *subtype)
{
	return str_caseeq(body->type, type) && (!subtype || str_caseeq(body->subtype, subtype));
}

struct str imap_body_param(const struct imap_body *body, const char *name)
{
	for (size_t i = 0; i < body->nparams; i++)
		if (str_caseeq(body->params[i].name, name))
			return body->params[i].value;
	return STR_NULL;
}

const struct imap_body *imap_body_find(const struct imap_body *body, const char *section)
{
	size_t cap = 16, n = 0;
	const struct imap_body **stack = xmalloc(cap * sizeof(*stack));
	const struct imap_body *found = NULL;

	stack[n++] = body;
	while (n && !found) {
		const struct imap_body *b = stack[--n];
		if (b->section && !strcasecmp(b->section, section)) {
			found = b;
			break;
		}
		for (size_t i = b->nparts; i-- > 0;) {
			if (n == cap) {
				cap *= 2;
				stack = xrealloc(stack, cap * sizeof(*stack));
			}
			stack[n++] = &b->parts[i];
		}
	}
	free(stack);
	return found;
}

/* ---- FETCH ------------------------------------------------------------ */

/* A section's tokens as canonical text: single spaces, strings bare. */
static void section_text(struct buf *out, const struct imap_node *first)
{
	for (const struct imap_node *node = first; node; node = node->next) {
		if (node != first)
			buf_addch(out, ' ');
		if (is_list(node)) {
			buf_addch(out, '(');
			section_text(out, node->children);
			buf_addch(out, ')');
		} else if (node->type == IMAP_NIL) {
			buf_addstr(out, "NIL");
		} else {
			buf_addstr_view(out, node->text);
		}
	}
}

static char *section_string(const struct imap_node *section)
{
	struct buf text = BUF_INIT;
	if (section)
		section_text(&text, section->children);
	return buf_detach(&text, NULL);
}

static void add_part(struct imap_fetch *fetch, size_t *cap, bool binary, char *section,
                     struct str origin, struct str data)
{
	if (fetch->nparts == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		fetch->parts = xrealloc(fetch->parts, *cap * sizeof(*fetch->parts));
	}
	fetch->parts[fetch->nparts++] = (struct imap_fetch_part){ binary, section, origin, data };
}

bool imap_view_fetch_uid(const struct imap_response *response, uint32_t *uid)
{
	const struct imap_node *node = data_after(response, "FETCH", true);

	if (!node || !is_list(node->next))
		return false;
	for (const struct imap_node *item = node->next->children; item && item->next;
	     item = item->next->next)
		if (imap_node_is_atom(item, "UID"))
			return node_u32(item->next, uid) == 0;
	return false;
}

int imap_view_fetch(const struct imap_response *response, struct imap_fetch *fetch,
                    struct imap_view_err *err)
{
	const struct imap_node *node = data_after(response, "FETCH", true);
	size_t parts_cap = 0, sizes_cap = 0;

	memset(fetch, 0, sizeof(*fetch));
	if (!node || !is_list(node->next) || node->next->next)
		return view_fail(err, "not a FETCH response");
	if (node_u32(response->data, &fetch->seq) < 0)
		return view_fail(err, "bad FETCH sequence number");
	for (const struct imap_node *item = node->next->children; item; item = item->next->next) {
		const struct imap_node *value = item->next;
		if (item->type != IMAP_ATOM || !value) {
			imap_fetch_release(fetch);
			return view_fail(err, "FETCH item without a value");
		}
		if (imap_node_is_atom(item, "UID")) {
			fetch->has_uid = node_u32(value, &fetch->uid) == 0;
		} else if (imap_node_is_atom(item, "FLAGS")) {
			imap_flags_release(&fetch->flags);
			fetch->has_flags = imap_flags_from_list(value, &fetch->flags) == 0;
		} else if (imap_node_is_atom(item, "INTERNALDATE")) {
			fetch->internaldate = imap_node_nstring(value);
			fetch->has_internaldate = fetch->internaldate.p != NULL;
		} else if (imap_node_is_atom(item, "RFC822.SIZE")) {
			fetch->has_rfc822_size = node_u64(value, UINT64_MAX, &fetch->rfc822_size) == 0;
		} else if (imap_node_is_atom(item, "ENVELOPE")) {
			imap_envelope_release(&fetch->envelope);
			fetch->has_envelope = imap_envelope_from_node(value, &fetch->envelope, NULL) == 0;
		} else if ((imap_node_is_atom(item, "BODYSTRUCTURE") ||
		            imap_node_is_atom(item, "BODY")) && !item->section) {
			if (fetch->body) {
				imap_body_release(fetch->body);
				free(fetch->body);
			}
			fetch->body = xcalloc(1, sizeof(*fetch->body));
			if (imap_body_from_node(value, fetch->body, err) < 0) {
				free(fetch->body);
				fetch->body = NULL;
				imap_fetch_release(fetch);
				return -1;
			}
		} else if ((imap_node_is_atom(item, "BODY") || imap_node_is_atom(item, "BINARY")) &&
		           item->section) {
			add_part(fetch, &parts_cap, imap_node_is_atom(item, "BINARY"),
			         section_string(item->section), item->partial,
			         imap_node_nstring(value));
		} else if (imap_node_is_atom(item, "RFC822") || imap_node_is_atom(item, "RFC822.HEADER") ||
		           imap_node_is_atom(item, "RFC822.TEXT")) {
			/* The old names of BODY[], BODY[HEADER], BODY[TEXT]. */
			const char *section = imap_node_is_atom(item, "RFC822") ? "" :
				imap_node_is_atom(item, "RFC822.HEADER") ? "HEADER" : "TEXT";
			add_part(fetch, &parts_cap, false, xstrdup(section), STR_NULL,
			         imap_node_nstring(value));
		} else if (imap_node_is_atom(item, "BINARY.SIZE") && item->section) {
			uint64_t size;
			if (node_u64(value, UINT64_MAX, &size) == 0) {
				if (fetch->nsizes == sizes_cap) {
					sizes_cap = sizes_cap ? sizes_cap * 2 : 4;
					fetch->sizes = xrealloc(fetch->sizes, sizes_cap * sizeof(*fetch->sizes));
				}
				fetch->sizes[fetch->nsizes++] = (struct imap_fetch_size){
					section_string(item->section), size };
			}
		} else if (imap_node_is_atom(item, "MODSEQ")) {
			fetch->has_modseq = is_list(value) &&
				node_u64(value->children, UINT64_MAX, &fetch->modseq) == 0;
		} else if (imap_node_is_atom(item, "PREVIEW")) {
			fetch->has_preview = true;
			fetch->preview = imap_node_nstring(value);
		} else if (imap_node_is_atom(item, "EMAILID")) {
			fetch->emailid = is_list(value) ? imap_node_nstring(value->children) : STR_NULL;
		} else if (imap_node_is_atom(item, "THREADID")) {
			fetch->threadid = is_list(value) ? imap_node_nstring(value->children) : STR_NULL;
		}
		/* Anything else (X-GM-LABELS, SAVEDATE, ...) is name and one value. */
	}
	return 0;
}

void imap_fetch_release(struct imap_fetch *fetch)
{
	imap_flags_release(&fetch->flags);
	imap_envelope_release(&fetch->envelope);
	if (fetch->body) {
		imap_body_release(fetch->body);
		free(fetch->body);
	}
	for (size_t i = 0; i < fetch->nparts; i++)
		free(fetch->parts[i].section);
	free(fetch->parts);
	for (size_t i = 0; i < fetch->nsizes; i++)
		free(fetch->sizes[i].section);
	free(fetch->sizes);
	memset(fetch, 0, sizeof(*fetch));
}

/* Section texts compared case-insensitively, runs of spaces as one. */
static bool section_eq(const char *a, const char *b)
{
	for (;;) {
		while (*a == ' ' && a[1] == ' ')
			a++;
		while (*b == ' ' && b[1] == ' ')
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
		a++, b++;
	}
}

const struct imap_fetch_part *imap_fetch_part(const struct imap_fetch *fetch, bool binary,
                                              const char *section)
{
	for (size_t i = 0; i < fetch->nparts; i++)
		if (fetch->parts[i].binary == binary && section_eq(fetch->parts[i].section, section))
			return &fetch->parts[i];
	return NULL;
}

int imap_fetch_binary_size(const struct imap_fetch *fetch, const char *section, uint64_t *size)
{
	for (size_t i = 0; i < fetch->nsizes; i++) {
		if (section_eq(fetch->sizes[i].section, section)) {
			*size = fetch->sizes[i].size;
			return 0;
		}
	}
	return -1;
}
