/*
 * RFC 5256 THREAD=REFERENCES, as Dovecot computes it.
 *
 * The work happens on "containers", one per distinct Message-ID seen
 * (in a Message-ID, References or In-Reply-To header) plus one per
 * message that has no usable Message-ID of its own.  A container holds a
 * message or is a dummy.  The steps are numbered as in RFC 5256 section 3.
 */
#include "thread.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NONE SIZE_MAX

struct container {
	size_t parent;       /* container index, or NONE */
	size_t msg;          /* index into msgs, or NONE for a dummy */
	size_t first_child;  /* the "shadow" tree of steps 2-6, or NONE */
	size_t next_sibling;
};

/* A string-keyed hash table whose keys live in one arena buffer. */
struct id_table {
	struct buf arena;
	struct id_slot { size_t off, len, value; bool used; } *slots;
	size_t cap, count;
};

struct root {
	size_t ctr;          /* container; for a dummy, the one holding the children */
	bool dummy, ignore, reply_or_forward;
	size_t parent_root;  /* subject merge: index + 1 of the root to merge into */
	time_t date;         /* sort key: sent date, then uid */
	uint32_t uid;
};

struct builder {
	const struct thread_msg *msgs;
	size_t nmsgs;
	struct container *ctrs;
	size_t nctrs, ctrs_cap;
	struct id_table ids;
	struct root *roots;
	size_t nroots, roots_cap;
};

/* ---- small tools --------------------------------------------------------- */

static uint64_t hash_bytes(const char *p, size_t len)
{
	uint64_t h = 14695981039346656037ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
	return h;
}

static void id_table_release(struct id_table *table)
{
	buf_release(&table->arena);
	free(table->slots);
	memset(table, 0, sizeof(*table));
}

static struct id_slot *id_table_find(struct id_table *table, const char *key,
                                     size_t len)
{
	size_t mask = table->cap - 1;
	size_t i = (size_t)hash_bytes(key, len) & mask;

	for (;;) {
		struct id_slot *slot = &table->slots[i];
		if (!slot->used)
			return slot;
		if (slot->len == len && memcmp(table->arena.p + slot->off, key, len) == 0)
			return slot;
		i = (i + 1) & mask;
	}
}

static void id_table_grow(struct id_table *table)
{
	struct id_slot *old = table->slots;
	size_t old_cap = table->cap;

	table->cap = old_cap ? old_cap * 2 : 64;
	table->slots = xcalloc(table->cap, sizeof(*table->slots));
	for (size_t i = 0; i < old_cap; i++) {
		if (!old[i].used)
			continue;
		struct id_slot *slot = id_table_find(table, table->arena.p + old[i].off, old[i].len);
		*slot = old[i];
	}
	free(old);
}

/* The slot for key: found (used) or new (used, value NONE). */
static struct id_slot *id_table_get(struct id_table *table, const char *key,
                                    size_t len, bool *created)
{
	struct id_slot *slot;

	if ((table->count + 1) * 2 > table->cap)
		id_table_grow(table);
	slot = id_table_find(table, key, len);
	*created = !slot->used;
	if (!slot->used) {
		slot->used = true;
		slot->off = table->arena.len;
		slot->len = len;
		slot->value = NONE;
		buf_add(&table->arena, key, len);
		table->count++;
	}
	return slot;
}

static bool is_lwsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ---- msg-id parsing -------------------------------------------------------- */

/* RFC 5322 CFWS, enough of it: white space and (nested (comments)). */
static size_t skip_cfws(struct str text, size_t i)
{
	for (;;) {
		while (i < text.len && is_lwsp(text.p[i]))
			i++;
		if (i >= text.len || text.p[i] != '(')
			return i;
		unsigned depth = 0;
		for (; i < text.len; i++) {
			if (text.p[i] == '\\' && i + 1 < text.len)
				i++;
			else if (text.p[i] == '(')
				depth++;
			else if (text.p[i] == ')' && --depth == 0) {
				i++;
				break;
			}
		}
	}
}

static bool is_atext(unsigned char c)
{
	if (c >= 0x80)
		return true; /* 8-bit ids exist; Dovecot keeps them too */
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* dot-atom with CFWS around the dots, appended to out; 0 if none. */
static size_t parse_dot_atom(struct str text, size_t i, struct buf *out, bool *ok)
{
	*ok = false;
	i = skip_cfws(text, i);
	for (;;) {
		size_t start = i;
		while (i < text.len && is_atext((unsigned char)text.p[i]))
			i++;
		if (i == start)
			return i;
		buf_add(out, text.p + start, i - start);
		*ok = true;
		i = skip_cfws(text, i);
		if (i >= text.len || text.p[i] != '.')
			return i;
		buf_addch(out, '.');
		i = skip_cfws(text, i + 1);
	}
}

/*
 * The slow way, for ids with quotes or comments: <"a b"@host (comment)>.
 * Returns the index after '>' or NONE.
 */
static size_t parse_msgid_slow(struct str text, size_t i, struct buf *out)
{
	bool ok;

	buf_reset(out);
	i = skip_cfws(text, i);
	if (i < text.len && text.p[i] == '"') {
		for (i++; i < text.len && text.p[i] != '"'; i++) {
			if (text.p[i] == '\\' && i + 1 < text.len)
				i++;
			if (text.p[i] != '\r' && text.p[i] != '\n')
				buf_addch(out, text.p[i]);
		}
		if (i >= text.len)
			return NONE;
		i++;
		ok = out->len > 0;
	} else {
		i = parse_dot_atom(text, i, out, &ok);
	}
	if (!ok || i >= text.len || text.p[i] != '@')
		return NONE;
	buf_addch(out, '@');
	i = parse_dot_atom(text, i + 1, out, &ok);
	if (!ok || i >= text.len || text.p[i] != '>')
		return NONE;
	return i + 1;
}

bool thread_next_msgid(struct str *rest, struct buf *out)
{
	struct str text = *rest;
	size_t i = 0;

	buf_reset(out);
	for (;;) {
		while (i < text.len && text.p[i] != '<')
			i++;
		if (i >= text.len)
			goto none;
		i++;
		/*
		 * Dovecot's fast path: anything up to '>' with an '@' in it is
		 * an id, white space removed; only a quote or a comment sends
		 * it to the careful parser.
		 */
		size_t start = i, p = i;
		bool at = false;
		for (; p < text.len; p++) {
			unsigned char c = (unsigned char)text.p[p];
			if (c >= 'A')
				continue;
			if (c == '@')
				at = true;
			if (c == '>' || c == '"' || c == '(' || c == '\0')
				break;
		}
		if (p >= text.len || text.p[p] == '\0')
			goto none;
		if (text.p[p] == '>') {
			i = p + 1;
			if (!at)
				continue;
			for (size_t k = start; k < p; k++)
				if (!is_lwsp(text.p[k]))
					buf_addch(out, text.p[k]);
			rest->p += i, rest->len -= i;
			return true;
		}
		size_t end = parse_msgid_slow(text, start, out);
		if (end != NONE) {
			rest->p += end, rest->len -= end;
			return true;
		}
		buf_reset(out);
		i = start;
	}
none:
	rest->p += text.len, rest->len = 0;
	buf_reset(out);
	return false;
}

/* ---- base subject (RFC 5256 section 2.1) ------------------------------------ */

/* A "[blob]" and one space after it at s[*pos]. */
static bool remove_blob(const char *s, size_t len, size_t *pos)
{
	size_t i = *pos;

	if (i >= len || s[i] != '[')
		return false;
	for (i++; i < len && s[i] != '[' && s[i] != ']'; i++)
		;
	if (i >= len || s[i] != ']')
		return false;
	i++;
	if (i < len && s[i] == ' ')
		i++;
	*pos = i;
	return true;
}

/* subj-leader = (*subj-blob subj-refwd) / WSP */
static bool remove_leader(const char *s, size_t len, size_t *start, bool *refwd)
{
	size_t i = *start;
	bool found = false;

	if (i < len && s[i] == ' ') {
		i++;
		*start = i;
		found = true;
	}
	while (i < len && s[i] == '[')
		if (!remove_blob(s, len, &i))
			return found;
	if (len - i >= 2 && memcmp(s + i, "RE", 2) == 0)
		i += 2;
	else if (len - i >= 3 && memcmp(s + i, "FWD", 3) == 0)
		i += 3;
	else if (len - i >= 2 && memcmp(s + i, "FW", 2) == 0)
		i += 2;
	else
		return found;
	if (i < len && s[i] == ' ')
		i++;
	if (i < len && s[i] == '[' && !remove_blob(s, len, &i))
		return found;
	if (i >= len || s[i] != ':')
		return found;
	*start = i + 1;
	*refwd = true;
	return true;
}

void thread_base_subject(struct str subject, struct buf *out,
                         bool *reply_or_forward)
{
	size_t start = 0, len;
	bool last_space = false, found;
	char *s;

	*reply_or_forward = false;
	buf_reset(out);
	/* (1) white space packed to single spaces; upper case as casemap */
	for (size_t i = 0; i < subject.len; i++) {
		char c = subject.p[i];
		const unsigned char *u = (const unsigned char *)subject.p + i;
		/*
		 * The casemap decomposes compatibility characters; the ones
		 * that matter in real subjects are the full-width forms of
		 * ASCII (U+FF01..U+FF5E) and the ideographic space (U+3000)
		 * that CJK input methods type.
		 */
		if (subject.len - i >= 3 && u[0] == 0xef && (u[1] == 0xbc || u[1] == 0xbd) &&
		    u[2] >= 0x80 && u[2] <= 0xbf) {
			unsigned cp = 0xf000u | ((u[1] & 0x3fu) << 6) | (u[2] & 0x3fu);
			if (cp >= 0xff01 && cp <= 0xff5e) {
				c = (char)(cp - 0xfee0);
				i += 2;
			}
		} else if (subject.len - i >= 3 && u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80) {
			c = ' ';
			i += 2;
		}
		if (is_lwsp(c)) {
			if (!last_space)
				buf_addch(out, ' ');
			last_space = true;
			continue;
		}
		last_space = false;
		buf_addch(out, c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c);
	}
	s = out->p;
	len = out->len;
	do {
		/* (2) trailing "(fwd)" and spaces */
		while (len > start) {
			if (s[len - 1] == ' ')
				len--;
			else if (len - start >= 5 && memcmp(s + len - 5, "(FWD)", 5) == 0)
				len -= 5, *reply_or_forward = true;
			else
				break;
		}
		do {
			/* (3) leaders; (4) a [blob] if something is left after it */
			found = remove_leader(s, len, &start, reply_or_forward);
			size_t after = start;
			if (remove_blob(s, len, &after) && after < len) {
				start = after;
				found = true;
			}
			/* (5) until nothing changes */
		} while (found);
		/* (6) "[fwd: ... ]" around it all: remove and go again */
		if (len - start >= 6 && memcmp(s + start, "[FWD:", 5) == 0 && s[len - 1] == ']') {
			*reply_or_forward = true;
			start += 5;
			len--;
			continue;
		}
		break;
	} while (1);
	if (len <= start) {
		buf_reset(out);
		return;
	}
	memmove(out->p, out->p + start, len - start);
	buf_truncate(out, len - start);
}

/* ---- step 1: containers and links ---------------------------------------- */

static size_t new_container(struct builder *b, size_t msg)
{
	if (b->nctrs == b->ctrs_cap) {
		b->ctrs_cap = b->ctrs_cap ? b->ctrs_cap * 2 : 64;
		b->ctrs = xrealloc(b->ctrs, b->ctrs_cap * sizeof(*b->ctrs));
	}
	b->ctrs[b->nctrs] = (struct container){ NONE, msg, NONE, NONE };
	return b->nctrs++;
}

static size_t container_for(struct builder *b, const struct buf *id)
{
	bool created;
	struct id_slot *slot = id_table_get(&b->ids, id->p, id->len, &created);

	if (slot->value == NONE)
		slot->value = new_container(b, NONE);
	return slot->value;
}

/* Is ancestor node itself or above it? */
static bool has_ancestor(const struct builder *b, size_t node, size_t ancestor)
{
	while (node != ancestor) {
		node = b->ctrs[node].parent;
		if (node == NONE)
			return false;
	}
	return true;
}

/*
 * Make parent the parent of child unless that makes a loop (a message
 * referring to itself included) or child has a parent already: the first
 * link wins, as RFC 5256 1.A says.
 */
static void link_containers(struct builder *b, size_t parent, size_t child)
{
	if (has_ancestor(b, parent, child))
		return;
	if (b->ctrs[child].parent == NONE)
		b->ctrs[child].parent = parent;
}

/* The containers of up to THREAD_MAX_REFS last ids in a header. */
static size_t collect_refs(struct builder *b, struct str header, size_t *refs,
                           struct buf *id)
{
	size_t count = 0, total = 0;

	/* A ring of the last THREAD_MAX_REFS: the nearest ancestors matter. */
	while (thread_next_msgid(&header, id)) {
		refs[total % THREAD_MAX_REFS] = container_for(b, id);
		total++;
	}
	count = total < THREAD_MAX_REFS ? total : THREAD_MAX_REFS;
	if (total > THREAD_MAX_REFS) {
		/* rotate so that refs[0] is the oldest kept */
		size_t tmp[THREAD_MAX_REFS], first = total % THREAD_MAX_REFS;
		for (size_t k = 0; k < count; k++)
			tmp[k] = refs[(first + k) % THREAD_MAX_REFS];
		memcpy(refs, tmp, count * sizeof(*refs));
	}
	return count;
}

static void add_message(struct builder *b, size_t msg, struct buf *id, size_t *refs)
{
	const struct thread_msg *m = &b->msgs[msg];
	struct str header = m->message_id;
	size_t self, count, parent;

	/* 1.A: a missing, invalid or duplicate Message-ID gets a unique one */
	if (thread_next_msgid(&header, id)) {
		self = container_for(b, id);
		if (b->ctrs[self].msg == NONE)
			b->ctrs[self].msg = msg;
		else
			self = new_container(b, msg);
	} else {
		self = new_container(b, msg);
	}
	/* References, or else the first valid id of In-Reply-To */
	count = collect_refs(b, m->references, refs, id);
	if (count == 0) {
		header = m->in_reply_to;
		if (thread_next_msgid(&header, id))
			refs[count++] = container_for(b, id);
	}
	for (size_t i = 0; i + 1 < count; i++)
		link_containers(b, refs[i], refs[i + 1]);
	/* 1.B: the last reference is the parent, replacing an older guess */
	parent = count ? refs[count - 1] : NONE;
	if (b->ctrs[self].parent != parent)
		b->ctrs[self].parent = NONE;
	if (parent != NONE)
		link_containers(b, parent, self);
}

/* ---- steps 2-6 ------------------------------------------------------------- */

static void add_child(struct builder *b, size_t parent, size_t child)
{
	b->ctrs[child].next_sibling = b->ctrs[parent].first_child;
	b->ctrs[parent].first_child = child;
}

static size_t add_root(struct builder *b, size_t ctr, bool dummy)
{
	if (b->nroots == b->roots_cap) {
		b->roots_cap = b->roots_cap ? b->roots_cap * 2 : 64;
		b->roots = xrealloc(b->roots, b->roots_cap * sizeof(*b->roots));
	}
	b->roots[b->nroots] = (struct root){ .ctr = ctr, .dummy = dummy };
	return b->nroots++;
}

static time_t ctr_date(const struct builder *b, size_t ctr)
{
	return b->msgs[b->ctrs[ctr].msg].date;
}

static uint32_t ctr_uid(const struct builder *b, size_t ctr)
{
	return b->msgs[b->ctrs[ctr].msg].uid;
}

/* Sent date, then uid (Dovecot: uid; RFC 5256: sequence number, the same). */
static int key_cmp(time_t date1, uint32_t uid1, time_t date2, uint32_t uid2)
{
	if (date1 != date2)
		return date1 < date2 ? -1 : 1;
	return uid1 < uid2 ? -1 : uid1 > uid2;
}

/* The oldest child of a container and how many children it has. */
static size_t oldest_child(const struct builder *b, size_t ctr, size_t *count)
{
	size_t best = NONE;

	*count = 0;
	for (size_t c = b->ctrs[ctr].first_child; c != NONE; c = b->ctrs[c].next_sibling) {
		(*count)++;
		if (best == NONE || key_cmp(ctr_date(b, c), ctr_uid(b, c),
		                            ctr_date(b, best), ctr_uid(b, best)) < 0)
			best = c;
	}
	return best;
}

/*
 * 2 and 3: containers without a parent are the roots; every message hangs
 * under its nearest ancestor that is a message, dummies in between are
 * gone, and a dummy at the top keeps the children that have no such
 * ancestor.
 */
static void gather_roots(struct builder *b)
{
	size_t n = b->nctrs;

	for (size_t i = 0; i < n; i++) {
		struct container *c = &b->ctrs[i];
		if (c->parent == NONE) {
			add_root(b, i, c->msg == NONE);
			continue;
		}
		if (c->msg == NONE)
			continue;
		size_t parent = c->parent;
		while (b->ctrs[parent].msg == NONE && b->ctrs[parent].parent != NONE)
			parent = b->ctrs[parent].parent;
		add_child(b, parent, i);
	}
}

static int root_cmp(const void *a, const void *b)
{
	const struct root *r1 = a, *r2 = b;

	/* ignored roots last, so that merging never reads them */
	if (r1->ignore != r2->ignore)
		return r1->ignore ? 1 : -1;
	return key_cmp(r1->date, r1->uid, r2->date, r2->uid);
}

/* 4: a dummy with one child gives way to it; sort by date, then uid. */
static void sort_roots(struct builder *b)
{
	for (size_t i = 0; i < b->nroots; i++) {
		struct root *r = &b->roots[i];
		if (r->ignore)
			continue;
		if (!r->dummy) {
			r->date = ctr_date(b, r->ctr);
			r->uid = ctr_uid(b, r->ctr);
			continue;
		}
		size_t count, first = oldest_child(b, r->ctr, &count);
		if (count == 0) {
			r->ignore = true;
			continue;
		}
		if (count == 1) {
			r->ctr = first;
			r->dummy = false;
		}
		r->date = ctr_date(b, first);
		r->uid = ctr_uid(b, first);
	}
	if (b->nroots > 1)
		qsort(b->roots, b->nroots, sizeof(*b->roots), root_cmp);
	while (b->nroots && b->roots[b->nroots - 1].ignore)
		b->nroots--;
}

/* 5.B and 5.C: the subject table. */
static void gather_subjects(struct builder *b)
{
	struct id_table table = { BUF_INIT, NULL, 0, 0 };
	struct buf base = BUF_INIT;

	for (size_t i = 0; i < b->nroots; i++) {
		struct root *r = &b->roots[i];
		size_t count, ctr = r->dummy ? oldest_child(b, r->ctr, &count) : r->ctr;
		const struct thread_msg *m = &b->msgs[b->ctrs[ctr].msg];
		bool rf, created;

		r->parent_root = 0;
		if (!m->subject.p)
			continue;
		thread_base_subject(m->subject, &base, &rf);
		r->reply_or_forward = rf;
		if (base.len == 0)
			continue;
		struct id_slot *slot = id_table_get(&table, base.p, base.len, &created);
		if (created) {
			slot->value = i;
			continue;
		}
		struct root *held = &b->roots[slot->value];
		if (!held->dummy && (r->dummy || (held->reply_or_forward && !rf))) {
			held->parent_root = i + 1;
			slot->value = i;
		} else {
			r->parent_root = slot->value + 1;
		}
	}
	id_table_release(&table);
	buf_release(&base);
}

/* 5.C (D in older drafts): merge each root into its subject's thread. */
static bool merge_subjects(struct builder *b)
{
	size_t count = b->nroots;
	bool changed = false;

	for (size_t i = 0; i < count; i++) {
		struct root *cur = &b->roots[i], *top;
		if (cur->parent_root == 0 || cur->ignore)
			continue;
		changed = true;
		size_t t = cur->parent_root - 1;
		while (b->roots[t].parent_root != 0)
			t = b->roots[t].parent_root - 1;
		top = &b->roots[t];
		if (cur->dummy) {
			/* both dummies: the children become siblings */
			size_t c = b->ctrs[cur->ctr].first_child;
			while (c != NONE) {
				size_t next = b->ctrs[c].next_sibling;
				add_child(b, top->ctr, c);
				c = next;
			}
			b->ctrs[cur->ctr].first_child = NONE;
			cur->ignore = true;
		} else if (top->dummy || (cur->reply_or_forward && !top->reply_or_forward)) {
			add_child(b, top->ctr, cur->ctr);
			cur->ignore = true;
		} else {
			/* a new dummy over both takes the table's place */
			size_t dummy = new_container(b, NONE);
			add_child(b, dummy, top->ctr);
			add_child(b, dummy, cur->ctr);
			top->ignore = cur->ignore = true;
			size_t index = add_root(b, dummy, true);
			b->roots[t].parent_root = index + 1;
		}
	}
	return changed;
}

/* ---- the forest ---------------------------------------------------------- */

void thread_forest_init(struct thread_forest *forest)
{
	memset(forest, 0, sizeof(*forest));
}

void thread_forest_release(struct thread_forest *forest)
{
	free(forest->rows);
	free(forest->threads);
	free(forest->dates);
	free(forest->by_uid);
	thread_forest_init(forest);
}

/* A new thread, its rows to come. */
static void begin_thread(struct thread_forest *forest)
{
	if (forest->nthreads == forest->threads_cap) {
		forest->threads_cap = forest->threads_cap ? forest->threads_cap * 2 : 64;
		forest->threads = xrealloc(forest->threads,
		                           forest->threads_cap * sizeof(*forest->threads));
	}
	forest->threads[forest->nthreads++] =
		(struct thread){ .first = (uint32_t)forest->nrows };
}

/* A row at the end of the last thread, with its date when dates are kept. */
static void add_row(struct thread_forest *forest, uint32_t uid, size_t depth, time_t date)
{
	if (forest->nrows == forest->rows_cap) {
		forest->rows_cap = forest->rows_cap ? forest->rows_cap * 2 : 256;
		forest->rows = xrealloc(forest->rows, forest->rows_cap * sizeof(*forest->rows));
		if (forest->dates)
			forest->dates = xrealloc(forest->dates,
			                         forest->rows_cap * sizeof(*forest->dates));
	}
	if (forest->dates)
		forest->dates[forest->nrows] = date;
	forest->rows[forest->nrows++] = (struct thread_row){ uid, (uint32_t)depth };
	forest->threads[forest->nthreads - 1].count++;
	if (uid)
		forest->nmessages++;
}

/* A forest is built with room to spare; a kept one holds what it uses. */
static void fit(struct thread_forest *forest)
{
	if (forest->nrows && forest->nrows < forest->rows_cap) {
		forest->rows = xrealloc(forest->rows, forest->nrows * sizeof(*forest->rows));
		forest->rows_cap = forest->nrows;
	}
	if (forest->nthreads && forest->nthreads < forest->threads_cap) {
		forest->threads = xrealloc(forest->threads,
		                           forest->nthreads * sizeof(*forest->threads));
		forest->threads_cap = forest->nthreads;
	}
}

struct child_key {
	size_t ctr;
	time_t date;
	uint32_t uid;
};

static int child_key_cmp(const void *a, const void *b)
{
	const struct child_key *k1 = a, *k2 = b;
	return key_cmp(k1->date, k1->uid, k2->date, k2->uid);
}

/*
 * 6: the rows of one root's tree, every set of siblings sorted.  Depth
 * first without recursion (a chain of thousands of replies is real): the
 * children go on the stack last first, so that the first comes off first.
 */
static void emit_tree(struct builder *b, struct thread_forest *forest,
                      const struct root *r)
{
	struct stack_item { size_t ctr; size_t depth; } *stack;
	size_t height = 0, cap = 16;
	struct child_key *keys = NULL;
	size_t keys_cap = 0;

	begin_thread(forest);
	add_row(forest, r->dummy ? 0 : ctr_uid(b, r->ctr), 0, r->date);
	stack = xmalloc(cap * sizeof(*stack));
	stack[height++] = (struct stack_item){ r->ctr, 0 };
	while (height) {
		struct stack_item item = stack[--height];
		size_t n = 0;
		if (item.depth)
			add_row(forest, ctr_uid(b, item.ctr), item.depth, ctr_date(b, item.ctr));
		for (size_t c = b->ctrs[item.ctr].first_child; c != NONE; c = b->ctrs[c].next_sibling) {
			if (n == keys_cap) {
				keys_cap = keys_cap ? keys_cap * 2 : 16;
				keys = xrealloc(keys, keys_cap * sizeof(*keys));
			}
			keys[n++] = (struct child_key){ c, ctr_date(b, c), ctr_uid(b, c) };
		}
		if (n > 1)
			qsort(keys, n, sizeof(*keys), child_key_cmp);
		if (height + n > cap) {
			while (height + n > cap)
				cap *= 2;
			stack = xrealloc(stack, cap * sizeof(*stack));
		}
		while (n)
			stack[height++] = (struct stack_item){ keys[--n].ctr, item.depth + 1 };
	}
	free(keys);
	free(stack);
}

int thread_build(struct thread_forest *forest, const struct thread_msg *msgs,
                 size_t count)
{
	struct builder b;
	struct buf id = BUF_INIT;
	size_t *refs = NULL;
	int ret = -1;

	memset(&b, 0, sizeof(b));
	thread_forest_release(forest);
	if (count > THREAD_MAX_MESSAGES)
		goto out;
	for (size_t i = 1; i < count; i++)
		if (msgs[i].uid <= msgs[i - 1].uid)
			goto out;
	if (count && msgs[0].uid == 0)
		goto out;
	b.msgs = msgs;
	b.nmsgs = count;
	refs = xmalloc(THREAD_MAX_REFS * sizeof(*refs));
	for (size_t i = 0; i < count; i++)
		add_message(&b, i, &id, refs);
	gather_roots(&b);
	sort_roots(&b);
	gather_subjects(&b);
	if (merge_subjects(&b))
		sort_roots(&b);
	/* a date a row, grown by add_row with the rows, for thread_sort_newest */
	forest->dates = xmalloc(sizeof(*forest->dates));
	for (size_t i = 0; i < b.nroots; i++)
		emit_tree(&b, forest, &b.roots[i]);
	ret = 0;
out:
	free(refs);
	buf_release(&id);
	free(b.ctrs);
	free(b.roots);
	id_table_release(&b.ids);
	return ret;
}

/* ---- a THREAD answer ------------------------------------------------------- */

/*
 * The answer is the forest in display order already, so each number
 * becomes a row as it is read.  A list's frame knows the depth of the row
 * it hangs under (NONE at the top: a new thread) and of its last row.
 */
int thread_from_imap(struct thread_forest *forest, struct str data)
{
	struct frame { size_t attach, last; bool nested; } *stack;
	size_t level = 0;
	int ret = -1;

	thread_forest_release(forest);
	data = str_trim(data);
	stack = xmalloc(THREAD_MAX_NESTING * sizeof(*stack));
	for (size_t i = 0; i < data.len;) {
		char c = data.p[i];
		if (c == ' ') {
			i++;
			continue;
		}
		if (c == '(') {
			if (level == THREAD_MAX_NESTING)
				goto out;
			size_t attach = NONE;
			if (level) {
				struct frame *f = &stack[level - 1];
				if (f->last == NONE) { /* a list that starts with lists: placeholder */
					if (f->attach == NONE)
						begin_thread(forest);
					f->last = f->attach == NONE ? 0 : f->attach + 1;
					add_row(forest, 0, f->last, 0);
				}
				f->nested = true;
				attach = f->last;
			}
			stack[level++] = (struct frame){ attach, NONE, false };
			i++;
			continue;
		}
		if (c == ')') {
			if (!level || stack[level - 1].last == NONE)
				goto out;
			level--;
			i++;
			continue;
		}
		size_t start = i;
		uint64_t uid;
		while (i < data.len && data.p[i] >= '0' && data.p[i] <= '9')
			i++;
		if (!level || stack[level - 1].nested ||
		    parse_u64((struct str){ data.p + start, i - start }, 1, UINT32_MAX, &uid) < 0)
			goto out;
		struct frame *f = &stack[level - 1];
		size_t parent = f->last != NONE ? f->last : f->attach;
		if (parent == NONE)
			begin_thread(forest);
		f->last = parent == NONE ? 0 : parent + 1;
		add_row(forest, (uint32_t)uid, f->last, 0);
	}
	if (level)
		goto out;
	fit(forest);
	ret = 0;
out:
	free(stack);
	if (ret < 0)
		thread_forest_release(forest);
	return ret;
}

/* ---- using a forest ---------------------------------------------------------- */

size_t thread_flatten(const struct thread_forest *forest, const struct thread *thread,
                      struct thread_row **rows)
{
	*rows = xmalloc((thread->count + 1) * sizeof(**rows));
	memcpy(*rows, forest->rows + thread->first, thread->count * sizeof(**rows));
	return thread->count;
}

static int row_uid_cmp(const void *a, const void *b, void *rows)
{
	uint32_t x = ((const struct thread_row *)rows)[*(const uint32_t *)a].uid;
	uint32_t y = ((const struct thread_row *)rows)[*(const uint32_t *)b].uid;

	return x < y ? -1 : x > y;
}

void thread_index_uids(struct thread_forest *forest)
{
	free(forest->by_uid);
	forest->by_uid = xmalloc((forest->nmessages + 1) * sizeof(*forest->by_uid));
	forest->nby_uid = 0;
	for (size_t i = 0; i < forest->nrows && forest->nby_uid < forest->nmessages; i++)
		if (forest->rows[i].uid)
			forest->by_uid[forest->nby_uid++] = (uint32_t)i;
	if (forest->nby_uid)
		qsort_r(forest->by_uid, forest->nby_uid, sizeof(*forest->by_uid),
		        row_uid_cmp, forest->rows);
}

/* The row of the message uid, by the index: NONE when none. */
static size_t indexed(const struct thread_forest *forest, uint32_t uid)
{
	size_t lo = 0, hi = forest->nby_uid;

	while (uid && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t row = forest->by_uid[mid];
		if (forest->rows[row].uid == uid)
			return row;
		if (forest->rows[row].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NONE;
}

uint32_t thread_newest_uid(const struct thread_forest *forest)
{
	return forest->nby_uid ? forest->rows[forest->by_uid[forest->nby_uid - 1]].uid : 0;
}

/* The thread that holds a row: threads lie in the order of their rows. */
static const struct thread *thread_of_row(const struct thread_forest *forest, size_t row)
{
	size_t lo = 0, hi = forest->nthreads;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct thread *t = &forest->threads[mid];
		if (row < t->first)
			hi = mid;
		else if (row >= (size_t)t->first + t->count)
			lo = mid + 1;
		else
			return t;
	}
	return NULL;
}

const struct thread *thread_find(const struct thread_forest *forest, uint32_t uid)
{
	size_t row = NONE;

	if (!uid)
		return NULL;
	if (forest->by_uid)
		row = indexed(forest, uid);
	else
		for (size_t i = 0; i < forest->nrows && row == NONE; i++)
			if (forest->rows[i].uid == uid)
				row = i;
	return row == NONE ? NULL : thread_of_row(forest, row);
}

struct newest_key {
	struct thread thread;
	time_t newest;
};

static int newest_cmp(const void *a, const void *b)
{
	const struct newest_key *t1 = a, *t2 = b;

	return -key_cmp(t1->newest, t1->thread.newest_uid, t2->newest, t2->thread.newest_uid);
}

void thread_sort_newest(struct thread_forest *forest)
{
	struct newest_key *keys = xmalloc((forest->nthreads + 1) * sizeof(*keys));
	struct thread_row *rows;
	size_t next = 0;
	bool had_index;

	for (size_t t = 0; t < forest->nthreads; t++) {
		struct newest_key *k = &keys[t];
		k->thread = forest->threads[t];
		k->thread.newest_uid = 0;
		k->newest = 0;
		for (size_t i = k->thread.first; i < (size_t)k->thread.first + k->thread.count; i++) {
			uint32_t uid = forest->rows[i].uid;
			time_t date = forest->dates ? forest->dates[i] : 0;
			if (uid && (!k->thread.newest_uid ||
			            key_cmp(date, uid, k->newest, k->thread.newest_uid) > 0)) {
				k->newest = date;
				k->thread.newest_uid = uid;
			}
		}
	}
	if (forest->nthreads > 1)
		qsort(keys, forest->nthreads, sizeof(*keys), newest_cmp);
	/* the dates and the index go before the rows are copied: a lower peak */
	free(forest->dates);
	forest->dates = NULL;
	had_index = forest->by_uid != NULL;
	free(forest->by_uid);
	forest->by_uid = NULL;
	forest->nby_uid = 0;
	/* the rows follow their threads */
	rows = xmalloc((forest->nrows + 1) * sizeof(*rows));
	for (size_t t = 0; t < forest->nthreads; t++) {
		struct thread *thread = &keys[t].thread;
		memcpy(rows + next, forest->rows + thread->first, thread->count * sizeof(*rows));
		thread->first = (uint32_t)next;
		next += thread->count;
		forest->threads[t] = *thread;
	}
	free(keys);
	free(forest->rows);
	forest->rows = rows;
	forest->rows_cap = forest->nrows;
	fit(forest);
	if (had_index)
		thread_index_uids(forest);
}

/* A kept date a row, 0 until set. */
static void zero_dates(struct thread_forest *forest)
{
	free(forest->dates);
	forest->dates = xcalloc(forest->rows_cap + 1, sizeof(*forest->dates));
}

void thread_attach(struct thread_forest *forest, const struct thread_msg *msgs,
                   size_t count)
{
	zero_dates(forest);
	for (size_t i = 0; i < forest->nrows; i++) {
		uint32_t uid = forest->rows[i].uid;
		size_t lo = 0, hi = count;
		while (uid && lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (msgs[mid].uid == uid) {
				forest->dates[i] = msgs[mid].date;
				break;
			}
			if (msgs[mid].uid < uid)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
}

void thread_date_by_rank(struct thread_forest *forest, const uint32_t *newest_first,
                         size_t count)
{
	zero_dates(forest);
	for (size_t i = 0; i < count; i++) {
		size_t row = indexed(forest, newest_first[i]);
		if (row != NONE)
			forest->dates[row] = (time_t)(count - i);
	}
}

/*
 * A thread as an RFC 5256 thread list.  A row opens with "(" when it is a
 * root or has siblings (" (" as the first of a message's several
 * children), else with a space after a message; it closes with ")" in the
 * same cases.  children and seen hold a count a row, ancestors the rows
 * above the current one, by depth.
 */
static void format_thread(const struct thread_row *rows, size_t count, uint32_t *children,
                          uint32_t *seen, size_t *ancestors, struct buf *out)
{
	size_t height = 0;

	memset(children, 0, count * sizeof(*children));
	memset(seen, 0, count * sizeof(*seen));
	for (size_t i = 0; i < count; i++) {
		if (rows[i].depth)
			children[ancestors[rows[i].depth - 1]]++;
		ancestors[rows[i].depth] = i;
	}
	for (size_t i = 0; i <= count; i++) {
		size_t depth = i < count ? rows[i].depth : 0;
		while (height > depth) {
			height--;
			if (!height || children[ancestors[height - 1]] > 1)
				buf_addch(out, ')');
		}
		if (i == count)
			break;
		if (depth) {
			size_t parent = ancestors[depth - 1];
			bool first = seen[parent]++ == 0;
			if (children[parent] > 1)
				buf_addstr(out, first && rows[parent].uid ? " (" : "(");
			else if (rows[parent].uid)
				buf_addch(out, ' ');
		} else {
			buf_addch(out, '(');
		}
		if (rows[i].uid)
			buf_addf(out, "%u", (unsigned)rows[i].uid);
		ancestors[height++] = i;
	}
}

void thread_format(const struct thread_forest *forest, struct buf *out)
{
	size_t cap = 0;
	uint32_t *children = NULL, *seen = NULL;
	size_t *ancestors = NULL;

	for (size_t t = 0; t < forest->nthreads; t++) {
		const struct thread *thread = &forest->threads[t];
		if (thread->count > cap) {
			cap = thread->count;
			children = xrealloc(children, cap * sizeof(*children));
			seen = xrealloc(seen, cap * sizeof(*seen));
			ancestors = xrealloc(ancestors, cap * sizeof(*ancestors));
		}
		format_thread(forest->rows + thread->first, thread->count, children, seen,
		              ancestors, out);
	}
	free(children);
	free(seen);
	free(ancestors);
}
