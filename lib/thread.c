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

/*
 * Nodes live in slabs of THREAD_SLAB, never moved (a node's address stays
 * valid while its forest lives), so that a mailbox's forest costs one
 * malloc per slab, not one per message (each with its allocator's
 * overhead), and no copy of it all as it grows: 40 bytes a node.
 */
#define THREAD_SLAB 4096
_Static_assert(sizeof(struct thread_node) <= 40, "a thread node stays at 40 bytes");

void thread_forest_release(struct thread_forest *forest)
{
	for (size_t i = 0; i < forest->nslabs; i++)
		free(forest->slabs[i]);
	free(forest->slabs);
	free(forest->threads);
	free(forest->by_uid);
	thread_forest_init(forest);
}

/* The i-th node made (i < nnodes). */
static struct thread_node *node_at(const struct thread_forest *forest, size_t i)
{
	return &forest->slabs[i / THREAD_SLAB][i % THREAD_SLAB];
}

/* The node a link names (an index plus one), or NULL. */
static struct thread_node *linked(const struct thread_forest *forest, uint32_t link)
{
	return link ? node_at(forest, link - 1) : NULL;
}

/* A new node under parent (an index, or NONE for a new thread): its index. */
static size_t forest_add(struct thread_forest *forest, size_t parent, uint32_t uid)
{
	size_t index = forest->nnodes;
	struct thread_node *node;

	if (forest->nnodes == forest->nslabs * THREAD_SLAB) {
		if (forest->nslabs == forest->slabs_cap) {
			forest->slabs_cap = forest->slabs_cap ? forest->slabs_cap * 2 : 4;
			forest->slabs = xrealloc(forest->slabs,
			                         forest->slabs_cap * sizeof(*forest->slabs));
		}
		forest->slabs[forest->nslabs] = xmalloc(THREAD_SLAB * sizeof(*node));
		forest->nslabs++;
	}
	node = node_at(forest, forest->nnodes++);
	memset(node, 0, sizeof(*node));
	node->uid = uid;
	node->msg = THREAD_NO_MSG;
	if (uid)
		forest->nmessages++;
	if (parent != NONE) {
		uint32_t *tail = &node_at(forest, parent)->child;
		node->parent = (uint32_t)parent + 1;
		while (*tail)
			tail = &node_at(forest, *tail - 1)->next;
		*tail = (uint32_t)index + 1;
		return index;
	}
	if (forest->nthreads == forest->threads_cap) {
		forest->threads_cap = forest->threads_cap ? forest->threads_cap * 2 : 64;
		forest->threads = xrealloc(forest->threads,
		                           forest->threads_cap * sizeof(*forest->threads));
	}
	forest->threads[forest->nthreads++] = node;
	return index;
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

/* 6: the nodes of one root's tree, every set of siblings sorted. */
static void emit_tree(struct builder *b, struct thread_forest *forest,
                      const struct root *r)
{
	struct stack_item { size_t ctr; size_t node; } *stack = NULL;
	size_t depth = 0, cap = 0;
	struct child_key *keys = NULL;
	size_t keys_cap = 0;
	size_t top = forest_add(forest, NONE, r->dummy ? 0 : ctr_uid(b, r->ctr));

	if (!r->dummy)
		node_at(forest, top)->msg = (uint32_t)b->ctrs[r->ctr].msg;
	node_at(forest, top)->date = r->date;
	cap = 16;
	stack = xmalloc(cap * sizeof(*stack));
	stack[depth++] = (struct stack_item){ r->ctr, top };
	while (depth) {
		struct stack_item item = stack[--depth];
		size_t n = 0;
		for (size_t c = b->ctrs[item.ctr].first_child; c != NONE; c = b->ctrs[c].next_sibling) {
			if (n == keys_cap) {
				keys_cap = keys_cap ? keys_cap * 2 : 16;
				keys = xrealloc(keys, keys_cap * sizeof(*keys));
			}
			keys[n++] = (struct child_key){ c, ctr_date(b, c), ctr_uid(b, c) };
		}
		if (n > 1)
			qsort(keys, n, sizeof(*keys), child_key_cmp);
		for (size_t k = 0; k < n; k++) {
			size_t node = forest_add(forest, item.node, keys[k].uid);
			node_at(forest, node)->msg = b->ctrs[keys[k].ctr].msg == NONE
			                                 ? THREAD_NO_MSG
			                                 : (uint32_t)b->ctrs[keys[k].ctr].msg;
			node_at(forest, node)->date = keys[k].date;
			if (depth == cap) {
				cap *= 2;
				stack = xrealloc(stack, cap * sizeof(*stack));
			}
			stack[depth++] = (struct stack_item){ keys[k].ctr, node };
		}
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

int thread_from_imap(struct thread_forest *forest, struct str data)
{
	struct frame { size_t attach, last; bool nested; } *stack;
	size_t depth = 0;
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
			if (depth == THREAD_MAX_NESTING)
				goto out;
			size_t attach = NONE;
			if (depth) {
				struct frame *f = &stack[depth - 1];
				if (f->last == NONE) /* a list that starts with lists: placeholder */
					f->last = forest_add(forest, f->attach, 0);
				f->nested = true;
				attach = f->last;
			}
			stack[depth++] = (struct frame){ attach, NONE, false };
			i++;
			continue;
		}
		if (c == ')') {
			if (!depth || stack[depth - 1].last == NONE)
				goto out;
			depth--;
			i++;
			continue;
		}
		size_t start = i;
		uint64_t uid;
		while (i < data.len && data.p[i] >= '0' && data.p[i] <= '9')
			i++;
		if (!depth || stack[depth - 1].nested ||
		    parse_u64((struct str){ data.p + start, i - start }, 1, UINT32_MAX, &uid) < 0)
			goto out;
		struct frame *f = &stack[depth - 1];
		f->last = forest_add(forest, f->last != NONE ? f->last : f->attach, (uint32_t)uid);
	}
	if (depth)
		goto out;
	ret = 0;
out:
	free(stack);
	if (ret < 0)
		thread_forest_release(forest);
	return ret;
}

/* ---- using a forest ---------------------------------------------------------- */

/* Pre-order successor of node within the tree under root, with depth. */
static const struct thread_node *walk_next(const struct thread_forest *forest,
                                           const struct thread_node *root,
                                           const struct thread_node *node,
                                           unsigned *depth)
{
	if (node->child) {
		(*depth)++;
		return linked(forest, node->child);
	}
	while (node != root && !node->next) {
		node = linked(forest, node->parent);
		(*depth)--;
	}
	return node == root ? NULL : linked(forest, node->next);
}

size_t thread_flatten(const struct thread_forest *forest, const struct thread_node *root,
                      struct thread_row **rows)
{
	size_t count = 0, cap = 16;
	unsigned depth = 0;

	*rows = xmalloc(cap * sizeof(**rows));
	for (const struct thread_node *node = root; node;
	     node = walk_next(forest, root, node, &depth)) {
		if (count == cap) {
			cap *= 2;
			*rows = xrealloc(*rows, cap * sizeof(**rows));
		}
		(*rows)[count++] = (struct thread_row){ node, node->uid, depth };
	}
	return count;
}

static const struct thread_msg *msg_of(const struct thread_node *node,
                                       const struct thread_msg *msgs, size_t count)
{
	size_t lo = 0, hi = count;

	if (node->uid == 0)
		return NULL;
	if (node->msg != THREAD_NO_MSG)
		return node->msg < count ? &msgs[node->msg] : NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (msgs[mid].uid == node->uid)
			return &msgs[mid];
		if (msgs[mid].uid < node->uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int node_uid_cmp(const void *a, const void *b, void *forest)
{
	uint32_t x = node_at(forest, *(const uint32_t *)a)->uid;
	uint32_t y = node_at(forest, *(const uint32_t *)b)->uid;

	return x < y ? -1 : x > y;
}

void thread_index_uids(struct thread_forest *forest)
{
	free(forest->by_uid);
	forest->by_uid = xcalloc(forest->nmessages + 1, sizeof(*forest->by_uid));
	forest->nby_uid = 0;
	for (size_t i = 0; i < forest->nnodes; i++)
		if (node_at(forest, i)->uid && forest->nby_uid < forest->nmessages)
			forest->by_uid[forest->nby_uid++] = (uint32_t)i;
	if (forest->nby_uid)
		qsort_r(forest->by_uid, forest->nby_uid, sizeof(*forest->by_uid),
		        node_uid_cmp, forest);
}

/* The node of the message uid, by the index: NULL when none. */
static struct thread_node *indexed(const struct thread_forest *forest, uint32_t uid)
{
	size_t lo = 0, hi = forest->nby_uid;

	while (uid && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct thread_node *node = node_at(forest, forest->by_uid[mid]);
		if (node->uid == uid)
			return node;
		if (node->uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

uint32_t thread_newest_uid(const struct thread_forest *forest)
{
	return forest->nby_uid ? node_at(forest, forest->by_uid[forest->nby_uid - 1])->uid : 0;
}

const struct thread_node *thread_find(const struct thread_forest *forest,
                                      uint32_t uid)
{
	if (forest->by_uid) {
		const struct thread_node *node = indexed(forest, uid);

		while (node && node->parent)
			node = linked(forest, node->parent);
		return node;
	}
	for (size_t t = 0; t < forest->nthreads; t++) {
		unsigned depth = 0;
		const struct thread_node *root = forest->threads[t];
		for (const struct thread_node *node = root; node;
		     node = walk_next(forest, root, node, &depth))
			if (uid && node->uid == uid)
				return root;
	}
	return NULL;
}

static int newest_cmp(const void *a, const void *b)
{
	const struct thread_node *t1 = *(const struct thread_node *const *)a;
	const struct thread_node *t2 = *(const struct thread_node *const *)b;

	return -key_cmp(t1->newest, t1->newest_uid, t2->newest, t2->newest_uid);
}

void thread_sort_newest(struct thread_forest *forest)
{
	for (size_t t = 0; t < forest->nthreads; t++) {
		struct thread_node *root = forest->threads[t];
		unsigned depth = 0;
		bool any = false;
		root->newest = 0;
		root->newest_uid = 0;
		for (const struct thread_node *node = root; node;
		     node = walk_next(forest, root, node, &depth)) {
			if (!node->uid)
				continue;
			if (!any || key_cmp(node->date, node->uid, root->newest, root->newest_uid) > 0) {
				root->newest = node->date;
				root->newest_uid = node->uid;
			}
			any = true;
		}
	}
	if (forest->nthreads > 1)
		qsort(forest->threads, forest->nthreads, sizeof(*forest->threads), newest_cmp);
}

/* A placeholder sorts as its oldest child. */
static void date_placeholders(struct thread_forest *forest)
{
	for (size_t i = 0; i < forest->nnodes; i++) {
		struct thread_node *node = node_at(forest, i);
		bool any = false;
		if (node->uid)
			continue;
		for (const struct thread_node *c = linked(forest, node->child); c;
		     c = linked(forest, c->next))
			if (c->uid && (!any || c->date < node->date))
				node->date = c->date, any = true;
	}
}

void thread_attach(struct thread_forest *forest, const struct thread_msg *msgs,
                   size_t count)
{
	for (size_t i = 0; i < forest->nnodes; i++) {
		struct thread_node *node = node_at(forest, i);
		const struct thread_msg *m;
		node->msg = THREAD_NO_MSG;
		m = msg_of(node, msgs, count);
		if (m) {
			node->msg = (uint32_t)(m - msgs);
			node->date = m->date;
		}
	}
	date_placeholders(forest);
}

void thread_date_by_rank(struct thread_forest *forest, const uint32_t *newest_first,
                         size_t count)
{
	for (size_t i = 0; i < forest->nnodes; i++) {
		struct thread_node *node = node_at(forest, i);
		node->msg = THREAD_NO_MSG;
		node->date = 0;
	}
	for (size_t i = 0; i < count; i++) {
		struct thread_node *found = indexed(forest, newest_first[i]);
		if (found)
			found->date = (time_t)(count - i);
	}
	date_placeholders(forest);
}

/* The opening text of node in an RFC 5256 thread list. */
static void format_enter(const struct thread_forest *forest, struct buf *out,
                         const struct thread_node *root, const struct thread_node *node)
{
	const struct thread_node *parent = linked(forest, node->parent);

	if (node == root)
		buf_addch(out, '(');
	else if (linked(forest, parent->child)->next)
		buf_addstr(out, linked(forest, parent->child) == node && parent->uid ? " (" : "(");
	else if (parent->uid)
		buf_addch(out, ' ');
	if (node->uid)
		buf_addf(out, "%u", (unsigned)node->uid);
}

void thread_format(const struct thread_forest *forest, struct buf *out)
{
	for (size_t t = 0; t < forest->nthreads; t++) {
		const struct thread_node *root = forest->threads[t], *node = root;
		format_enter(forest, out, root, node);
		for (;;) {
			if (node->child) {
				node = linked(forest, node->child);
				format_enter(forest, out, root, node);
				continue;
			}
			for (;;) {
				if (node == root ||
				    linked(forest, linked(forest, node->parent)->child)->next)
					buf_addch(out, ')');
				if (node == root)
					goto next_thread;
				if (node->next) {
					node = linked(forest, node->next);
					format_enter(forest, out, root, node);
					break;
				}
				node = linked(forest, node->parent);
			}
		}
next_thread:;
	}
}
