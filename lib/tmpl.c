#include "tmpl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "html.h"
#include "html_trusted.h"
#include "sha256.h"

enum op_kind {
	OP_TEXT,      /* text[start, start + len) as it is */
	OP_VAR,       /* {{name}} */
	OP_VAR_URL,   /* {{name|url}} */
	OP_EACH,      /* {{#name}}: ops up to end */
	OP_IF,        /* {{?name}} */
	OP_UNLESS,    /* {{^name}} */
	OP_END,       /* {{/name}} */
	OP_PARTIAL,   /* {{>name}} */
};

struct op {
	enum op_kind kind;
	unsigned line;
	size_t start, len;  /* OP_TEXT */
	char *name;
	uint32_t hash;      /* name_hash(name) */
	size_t end;         /* sections: index of their OP_END */
};

/*
 * FNV-1a of a variable's name: a page sets and looks up dozens of names
 * per message listed, and comparing hashes first spares most strcmp()s.
 */
static uint32_t name_hash(const char *name)
{
	uint32_t hash = 2166136261u;

	for (; *name; name++)
		hash = (hash ^ (unsigned char)*name) * 16777619u;
	return hash;
}

struct tmpl {
	char *name;
	char *text;
	size_t len;
	struct op *ops;
	size_t nops, cap;
};

struct tmpl_set {
	struct tmpl **tmpls;
	size_t ntmpls, cap;
	bool strict;
	char *csp;
	time_t newest;   /* the latest mtime of the files loaded */
};

enum value_type { V_STR, V_INT, V_UINT, V_BOOL, V_TRUSTED, V_LIST };

struct value {
	char *name;
	uint32_t hash;  /* name_hash(name) */
	enum value_type type;
	char *str;      /* V_STR, V_TRUSTED */
	size_t len;
	int64_t i;
	uint64_t u;
	bool b;
	struct tmpl_vars **items;  /* V_LIST */
	size_t nitems, cap;
};

/*
 * A root's variables and all those of its lists' items live in the root's
 * arena (one rendering's worth of small strings), freed together.
 */
struct tmpl_vars {
	struct value *values;
	size_t nvalues, cap;
	struct arena *arena;
	struct arena own;           /* the root's; unused in items */
};

static const char csp_rest[] =
	"; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
	"frame-ancestors 'none'";

static void update_csp(struct tmpl_set *set, const char *css, size_t len)
{
	struct buf csp = BUF_INIT;
	unsigned char digest[SHA256_LEN];

	buf_addstr(&csp, "default-src 'none'; style-src ");
	if (css) {
		sha256(css, len, digest);
		buf_addstr(&csp, "'sha256-");
		sha256_base64(&csp, digest, sizeof(digest));
		buf_addch(&csp, '\'');
	} else {
		buf_addstr(&csp, "'none'");
	}
	buf_addstr(&csp, csp_rest);
	free(set->csp);
	set->csp = buf_detach(&csp, NULL);
}

struct tmpl_set *tmpl_set_new(void)
{
	struct tmpl_set *set = xcalloc(1, sizeof(*set));

#ifdef IMAPEEK_TEST_BUILD
	set->strict = true;
#endif
	update_csp(set, NULL, 0);
	return set;
}

static void tmpl_free(struct tmpl *tmpl)
{
	for (size_t i = 0; i < tmpl->nops; i++)
		free(tmpl->ops[i].name);
	free(tmpl->ops);
	free(tmpl->text);
	free(tmpl->name);
	free(tmpl);
}

void tmpl_set_free(struct tmpl_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->ntmpls; i++)
		tmpl_free(set->tmpls[i]);
	free(set->tmpls);
	free(set->csp);
	free(set);
}

void tmpl_set_strict(struct tmpl_set *set, bool strict)
{
	set->strict = strict;
}

const char *tmpl_csp(const struct tmpl_set *set)
{
	return set->csp;
}

void tmpl_fingerprint(const struct tmpl_set *set, struct buf *out)
{
	for (size_t i = 0; i < set->ntmpls; i++) {
		const struct tmpl *tmpl = set->tmpls[i];
		buf_addf(out, "%s %zu\n", tmpl->name, tmpl->len);
		buf_add(out, tmpl->text, tmpl->len);
	}
}

time_t tmpl_newest(const struct tmpl_set *set)
{
	return set->newest;
}

static const struct tmpl *find(const struct tmpl_set *set, const char *name)
{
	for (size_t i = 0; i < set->ntmpls; i++)
		if (strcmp(set->tmpls[i]->name, name) == 0)
			return set->tmpls[i];
	return NULL;
}

bool tmpl_exists(const struct tmpl_set *set, const char *name)
{
	return find(set, name) != NULL;
}

/* ---- compiling ------------------------------------------------------- */

static struct op *add_op(struct tmpl *tmpl, enum op_kind kind, unsigned line)
{
	struct op *op;

	if (tmpl->nops == tmpl->cap) {
		tmpl->cap = tmpl->cap ? tmpl->cap * 2 : 16;
		tmpl->ops = xrealloc(tmpl->ops, tmpl->cap * sizeof(*tmpl->ops));
	}
	op = &tmpl->ops[tmpl->nops++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->line = line;
	return op;
}

static unsigned count_lines(const char *p, size_t len)
{
	unsigned n = 0;

	for (size_t i = 0; i < len; i++)
		n += p[i] == '\n';
	return n;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A name for messages: printable ASCII only, at most 64 bytes. */
static void add_safe(struct buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len && i < 64; i++)
		buf_addch(out, s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?');
}

static int compile(struct tmpl *tmpl, struct buf *err)
{
	size_t open[TMPL_MAX_NESTING];
	size_t nopen = 0, pos = 0;
	unsigned line = 1;
	const char *text = tmpl->text;
	size_t len = tmpl->len;

#define FAIL(at_line, ...) do { \
		buf_addf(err, "%s:%u: ", tmpl->name, (at_line)); \
		buf_addf(err, __VA_ARGS__); \
		return -1; \
	} while (0)

	if (memchr(text, '\0', len))
		FAIL(1 + count_lines(text, (size_t)((const char *)memchr(text, '\0', len) - text)),
		     "NUL byte");
	if (!ends_with(tmpl->name, ".html")) {
		/* Literal text: a stylesheet goes into <style>, which only
		 * "</" could end. */
		const char *end_tag = memmem(text, len, "</", 2);
		if (end_tag)
			FAIL(1 + count_lines(text, (size_t)(end_tag - text)),
			     "\"</\" in a literal file");
		if (len)
			add_op(tmpl, OP_TEXT, 1)->len = len;
		return 0;
	}
	while (pos < len) {
		const char *open_tag = memmem(text + pos, len - pos, "{{", 2);
		size_t tag_start = open_tag ? (size_t)(open_tag - text) : len;
		const char *close_tag;
		size_t inner, inner_len, name_len;
		char sigil;
		struct op *op;

		if (tag_start > pos) {
			op = add_op(tmpl, OP_TEXT, line);
			op->start = pos;
			op->len = tag_start - pos;
			line += count_lines(text + pos, tag_start - pos);
		}
		if (!open_tag)
			break;
		close_tag = memmem(text + tag_start + 2, len - tag_start - 2, "}}", 2);
		if (!close_tag)
			FAIL(line, "unclosed tag");
		inner = tag_start + 2;
		inner_len = (size_t)(close_tag - text) - inner;
		pos = (size_t)(close_tag - text) + 2;
		if (inner_len && text[inner] == '!') {
			line += count_lines(text + inner, inner_len);
			continue;
		}
		if (memchr(text + inner, '\n', inner_len))
			FAIL(line, "line break inside a tag");
		while (inner_len && (text[inner] == ' ' || text[inner] == '\t'))
			inner++, inner_len--;
		while (inner_len && (text[inner + inner_len - 1] == ' ' ||
		                     text[inner + inner_len - 1] == '\t'))
			inner_len--;
		sigil = inner_len ? text[inner] : '\0';
		if (sigil == '{' || sigil == '&')
			FAIL(line, "raw output tags do not exist; trusted HTML is a value type");
		if (sigil == '#' || sigil == '?' || sigil == '^' || sigil == '/' ||
		    sigil == '>') {
			inner++, inner_len--;
			while (inner_len && (text[inner] == ' ' || text[inner] == '\t'))
				inner++, inner_len--;
		} else {
			sigil = '\0';
		}
		name_len = 0;
		while (name_len < inner_len && name_char(text[inner + name_len]))
			name_len++;
		if (name_len == 0) {
			struct buf shown = BUF_INIT;
			add_safe(&shown, text + tag_start,
			         (size_t)(close_tag - text) + 2 - tag_start);
			buf_addf(err, "%s:%u: bad tag '%s'", tmpl->name, line,
			         buf_cstr(&shown));
			buf_release(&shown);
			return -1;
		}
		if (name_len < inner_len) {
			const char *rest = text + inner + name_len;
			size_t rest_len = inner_len - name_len;
			struct buf shown = BUF_INIT;

			if (sigil == '\0' && rest[0] == '|') {
				if (rest_len == 4 && memcmp(rest, "|url", 4) == 0) {
					sigil = '|';
					goto ok;
				}
				add_safe(&shown, rest + 1, rest_len - 1);
				buf_addf(err, "%s:%u: unknown filter '%s'", tmpl->name,
				         line, buf_cstr(&shown));
			} else {
				add_safe(&shown, text + tag_start,
				         (size_t)(close_tag - text) + 2 - tag_start);
				buf_addf(err, "%s:%u: bad tag '%s'", tmpl->name, line,
				         buf_cstr(&shown));
			}
			buf_release(&shown);
			return -1;
		}
	ok:
		switch (sigil) {
		case '\0': op = add_op(tmpl, OP_VAR, line); break;
		case '|': op = add_op(tmpl, OP_VAR_URL, line); break;
		case '#': op = add_op(tmpl, OP_EACH, line); break;
		case '?': op = add_op(tmpl, OP_IF, line); break;
		case '^': op = add_op(tmpl, OP_UNLESS, line); break;
		case '>': op = add_op(tmpl, OP_PARTIAL, line); break;
		default: op = add_op(tmpl, OP_END, line); break;
		}
		op->name = xstrndup(text + inner, name_len);
		op->hash = name_hash(op->name);
		if (op->kind == OP_EACH || op->kind == OP_IF || op->kind == OP_UNLESS) {
			if (nopen == TMPL_MAX_NESTING)
				FAIL(line, "sections nested deeper than %d",
				     TMPL_MAX_NESTING);
			open[nopen++] = tmpl->nops - 1;
		} else if (op->kind == OP_END) {
			struct op *opener;
			if (nopen == 0)
				FAIL(line, "'{{/%s}}' closes nothing", op->name);
			opener = &tmpl->ops[open[nopen - 1]];
			if (strcmp(opener->name, op->name) != 0)
				FAIL(line, "'{{/%s}}' closes '%s' opened at line %u",
				     op->name, opener->name, opener->line);
			opener->end = tmpl->nops - 1;
			nopen--;
		}
	}
	if (nopen) {
		const struct op *opener = &tmpl->ops[open[nopen - 1]];
		FAIL(opener->line, "section '%s' is never closed", opener->name);
	}
	return 0;
#undef FAIL
}

int tmpl_load(struct tmpl_set *set, const char *name, const char *text,
              size_t len, struct buf *err)
{
	struct tmpl *tmpl;

	if (len > TMPL_MAX_SIZE) {
		buf_addf(err, "%s: larger than %d bytes", name, TMPL_MAX_SIZE);
		return -1;
	}
	if (find(set, name)) {
		buf_addf(err, "%s: loaded twice", name);
		return -1;
	}
	tmpl = xcalloc(1, sizeof(*tmpl));
	tmpl->name = xstrdup(name);
	tmpl->text = xstrndup(text, len);
	tmpl->len = len;
	if (compile(tmpl, err)) {
		tmpl_free(tmpl);
		return -1;
	}
	if (set->ntmpls == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 16;
		set->tmpls = xrealloc(set->tmpls, set->cap * sizeof(*set->tmpls));
	}
	set->tmpls[set->ntmpls++] = tmpl;
	if (strcmp(name, "style.css") == 0)
		update_csp(set, tmpl->text, tmpl->len);
	return 0;
}

int tmpl_check(const struct tmpl_set *set, struct buf *err)
{
	for (size_t i = 0; i < set->ntmpls; i++) {
		const struct tmpl *tmpl = set->tmpls[i];
		for (size_t j = 0; j < tmpl->nops; j++) {
			const struct op *op = &tmpl->ops[j];
			if (op->kind != OP_PARTIAL || strcmp(op->name, "content") == 0 ||
			    find(set, op->name))
				continue;
			buf_addf(err, "%s:%u: no template '%s'", tmpl->name,
			         op->line, op->name);
			return -1;
		}
	}
	return 0;
}

static int template_file(const struct dirent *entry)
{
	return entry->d_name[0] != '.' &&
	       (ends_with(entry->d_name, ".html") ||
	        ends_with(entry->d_name, ".css"));
}

int tmpl_load_dir(struct tmpl_set *set, const char *dir, struct buf *err)
{
	struct dirent **entries = NULL;
	struct buf text = BUF_INIT;
	int n = scandir(dir, &entries, template_file, alphasort), ret = -1;

	if (n < 0) {
		buf_addf(err, "%s: %s", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, entries[i]->d_name);
		size_t before = err->len;
		int failed;

		struct stat st;

		buf_reset(&text);
		failed = buf_read_file(&text, path, TMPL_MAX_SIZE, err);
		if (!failed && stat(path, &st) == 0 && st.st_mtime > set->newest)
			set->newest = st.st_mtime;
		if (!failed) {
			/* Messages name the file by its path. */
			failed = tmpl_load(set, entries[i]->d_name, buf_cstr(&text),
			                   text.len, err);
			if (failed) {
				struct buf msg = BUF_INIT;
				buf_addf(&msg, "%s/", dir);
				buf_add(&msg, err->p + before, err->len - before);
				buf_truncate(err, before);
				buf_add(err, msg.p, msg.len);
				buf_release(&msg);
			}
		}
		free(path);
		if (failed)
			goto out;
	}
	ret = tmpl_check(set, err);
out:
	for (int i = 0; i < n; i++)
		free(entries[i]);
	free(entries);
	buf_release(&text);
	return ret;
}

/* ---- rendering ------------------------------------------------------- */

struct scope {
	const struct tmpl_vars *vars;
	const struct scope *up;
};

struct render {
	const struct tmpl_set *set;
	const struct tmpl *page;
	struct tmpl_out *out;
	struct buf *err;
	unsigned partials;
};

static int flush(struct tmpl_out *out, bool all)
{
	size_t done = 0, piece = out->flush_at ? out->flush_at : out->buf->len;

	if (!out->write)
		return 0;
	while (out->buf->len - done >= piece && piece) {
		if (out->write(out->ctx, out->buf->p + done, piece))
			return -1;
		done += piece;
	}
	if (all && out->buf->len > done) {
		if (out->write(out->ctx, out->buf->p + done, out->buf->len - done))
			return -1;
		done = out->buf->len;
	}
	buf_consume(out->buf, done);
	return 0;
}

static int wrote(struct render *r)
{
	struct tmpl_out *out = r->out;

	if (out->write && out->flush_at && out->buf->len >= out->flush_at &&
	    flush(out, false)) {
		buf_addstr(r->err, "the output writer failed");
		return -1;
	}
	return 0;
}

static const struct value *lookup(const struct scope *scope, const struct op *op)
{
	for (; scope; scope = scope->up) {
		const struct tmpl_vars *vars = scope->vars;
		for (size_t i = 0; vars && i < vars->nvalues; i++)
			if (vars->values[i].hash == op->hash &&
			    strcmp(vars->values[i].name, op->name) == 0)
				return &vars->values[i];
	}
	return NULL;
}

static bool truthy(const struct value *value)
{
	if (!value)
		return false;
	switch (value->type) {
	case V_STR: case V_TRUSTED: return value->len > 0;
	case V_INT: return value->i != 0;
	case V_UINT: return value->u != 0;
	case V_BOOL: return value->b;
	case V_LIST: return value->nitems > 0;
	}
	return false;
}

static int strict_error(struct render *r, const struct tmpl *tmpl,
                        const struct op *op, const char *what)
{
	if (!r->set->strict)
		return 0;
	buf_addf(r->err, "%s:%u: %s '%s'", tmpl->name, op->line, what, op->name);
	return -1;
}

static int render_ops(struct render *r, const struct tmpl *tmpl, size_t from,
                      size_t to, const struct scope *scope);

static int render_tmpl(struct render *r, const struct tmpl *tmpl,
                       const struct scope *scope)
{
	int ret;

	if (r->partials == TMPL_MAX_PARTIALS) {
		buf_addf(r->err, "%s: partials nested deeper than %d", tmpl->name,
		         TMPL_MAX_PARTIALS);
		return -1;
	}
	r->partials++;
	ret = render_ops(r, tmpl, 0, tmpl->nops, scope);
	r->partials--;
	return ret;
}

static int render_var(struct render *r, const struct tmpl *tmpl,
                      const struct op *op, const struct value *value)
{
	struct buf *out = r->out->buf;
	char number[24];
	const char *text = NULL;
	size_t len = 0;

	if (!value)
		return strict_error(r, tmpl, op, "no value for");
	switch (value->type) {
	case V_STR: text = value->str, len = value->len; break;
	case V_INT:
		len = (size_t)snprintf(number, sizeof(number), "%lld", (long long)value->i);
		text = number;
		break;
	case V_UINT:
		len = (size_t)snprintf(number, sizeof(number), "%llu",
		                       (unsigned long long)value->u);
		text = number;
		break;
	case V_BOOL:
		text = value->b ? "true" : "false", len = strlen(text);
		break;
	case V_TRUSTED:
		if (op->kind == OP_VAR_URL)
			return strict_error(r, tmpl, op, "cannot URL-encode trusted HTML");
		buf_add(out, value->str, value->len);
		return wrote(r);
	case V_LIST:
		return strict_error(r, tmpl, op, "cannot write a list");
	}
	if (op->kind == OP_VAR_URL) {
		struct buf encoded = BUF_INIT;
		html_url_segment(&encoded, text, len);
		html_escape(out, buf_cstr(&encoded), encoded.len);
		buf_release(&encoded);
	} else {
		html_escape(out, text, len);
	}
	return wrote(r);
}

static int render_ops(struct render *r, const struct tmpl *tmpl, size_t from,
                      size_t to, const struct scope *scope)
{
	for (size_t i = from; i < to; i++) {
		const struct op *op = &tmpl->ops[i];
		const struct value *value;

		switch (op->kind) {
		case OP_TEXT:
			buf_add(r->out->buf, tmpl->text + op->start, op->len);
			if (wrote(r))
				return -1;
			break;
		case OP_VAR:
		case OP_VAR_URL:
			if (render_var(r, tmpl, op, lookup(scope, op)))
				return -1;
			break;
		case OP_EACH:
			value = lookup(scope, op);
			if (value && value->type != V_LIST) {
				if (strict_error(r, tmpl, op, "not a list:"))
					return -1;
			} else if (value) {
				for (size_t k = 0; k < value->nitems; k++) {
					struct scope inner = { value->items[k], scope };
					if (render_ops(r, tmpl, i + 1, op->end, &inner))
						return -1;
				}
			}
			i = op->end;
			break;
		case OP_IF:
		case OP_UNLESS:
			value = lookup(scope, op);
			if (truthy(value) == (op->kind == OP_IF) &&
			    render_ops(r, tmpl, i + 1, op->end, scope))
				return -1;
			i = op->end;
			break;
		case OP_END:
			break;
		case OP_PARTIAL: {
			const struct tmpl *partial;
			if (strcmp(op->name, "content") == 0 && r->page &&
			    r->page != tmpl)
				partial = r->page;
			else
				partial = find(r->set, op->name);
			if (!partial) {
				buf_addf(r->err, "%s:%u: no template '%s'", tmpl->name,
				         op->line, op->name);
				return -1;
			}
			if (render_tmpl(r, partial, scope))
				return -1;
			break;
		}
		}
	}
	return 0;
}

int tmpl_render(const struct tmpl_set *set, const char *layout,
                const char *page, const struct tmpl_vars *vars,
                struct tmpl_out *out, struct buf *err)
{
	struct render r = { set, NULL, out, err, 0 };
	struct scope top = { vars, NULL };
	const struct tmpl *first;

	r.page = find(set, page);
	if (!r.page) {
		buf_addf(err, "%s: no such template", page);
		return -1;
	}
	first = r.page;
	if (layout && !(first = find(set, layout))) {
		buf_addf(err, "%s: no such template", layout);
		return -1;
	}
	if (render_tmpl(&r, first, &top))
		return -1;
	if (flush(out, true)) {
		buf_addstr(err, "the output writer failed");
		return -1;
	}
	return 0;
}

/* ---- values ---------------------------------------------------------- */

struct tmpl_vars *tmpl_vars_new(void)
{
	struct tmpl_vars *vars = xcalloc(1, sizeof(*vars));

	vars->arena = &vars->own;
	return vars;
}

/* Emptied; what it held stays in the arena until the root is freed. */
static void value_clear(struct value *value)
{
	value->str = NULL;
	value->items = NULL;
	value->len = value->nitems = value->cap = 0;
}

void tmpl_vars_free(struct tmpl_vars *vars)
{
	if (!vars || vars->arena != &vars->own)
		return;   /* a list's item: its root frees it */
	arena_release(&vars->own);
	free(vars);
}

/* A bigger array of n elements of size, the old one's first used copied. */
static void *grown(struct arena *arena, const void *old, size_t used, size_t n,
                   size_t size)
{
	void *p = arena_alloc(arena, n * size);

	if (used)
		memcpy(p, old, used * size);
	return p;
}

/* The value called name, emptied (or new). */
static struct value *slot_hashed(struct tmpl_vars *vars, const char *name,
                                 uint32_t hash, enum value_type type)
{
	struct value *value;

	for (size_t i = 0; i < vars->nvalues; i++) {
		if (vars->values[i].hash == hash && strcmp(vars->values[i].name, name) == 0) {
			value = &vars->values[i];
			value_clear(value);
			value->type = type;
			return value;
		}
	}
	if (vars->nvalues == vars->cap) {
		vars->cap = vars->cap ? vars->cap * 2 : 8;
		vars->values = grown(vars->arena, vars->values, vars->nvalues, vars->cap,
		                     sizeof(*vars->values));
	}
	value = &vars->values[vars->nvalues++];
	memset(value, 0, sizeof(*value));
	value->name = arena_strdup(vars->arena, name);
	value->hash = hash;
	value->type = type;
	return value;
}

static struct value *slot(struct tmpl_vars *vars, const char *name,
                          enum value_type type)
{
	return slot_hashed(vars, name, name_hash(name), type);
}

void tmpl_vars_set_strn(struct tmpl_vars *vars, const char *name,
                        const char *text, size_t len)
{
	struct value *value = slot(vars, name, V_STR);

	value->str = arena_strndup(vars->arena, text ? text : "", text ? len : 0);
	value->len = text ? len : 0;
}

void tmpl_vars_set_str(struct tmpl_vars *vars, const char *name,
                       const char *text)
{
	tmpl_vars_set_strn(vars, name, text, text ? strlen(text) : 0);
}

void tmpl_vars_set_trusted_html(struct tmpl_vars *vars, const char *name,
                                const char *html, size_t len)
{
	struct value *value = slot(vars, name, V_TRUSTED);

	value->str = arena_strndup(vars->arena, html ? html : "", html ? len : 0);
	value->len = html ? len : 0;
}

void tmpl_vars_set_int(struct tmpl_vars *vars, const char *name, int64_t number)
{
	slot(vars, name, V_INT)->i = number;
}

void tmpl_vars_set_uint(struct tmpl_vars *vars, const char *name,
                        uint64_t number)
{
	slot(vars, name, V_UINT)->u = number;
}

void tmpl_vars_set_bool(struct tmpl_vars *vars, const char *name, bool flag)
{
	slot(vars, name, V_BOOL)->b = flag;
}

int tmpl_vars_set_url(struct tmpl_vars *vars, const char *name,
                      const struct html_url *url)
{
	struct buf path = BUF_INIT;

	if (html_url_build(&path, url)) {
		buf_release(&path);
		return -1;
	}
	tmpl_vars_set_strn(vars, name, path.p, path.len);
	buf_release(&path);
	return 0;
}

void tmpl_vars_set_list(struct tmpl_vars *vars, const char *name)
{
	slot(vars, name, V_LIST);
}

struct tmpl_vars *tmpl_vars_add_item(struct tmpl_vars *vars, const char *name)
{
	struct value *value = NULL;
	struct tmpl_vars *item;
	uint32_t hash = name_hash(name);

	for (size_t i = 0; i < vars->nvalues; i++)
		if (vars->values[i].hash == hash && vars->values[i].type == V_LIST &&
		    strcmp(vars->values[i].name, name) == 0)
			value = &vars->values[i];
	if (!value)
		value = slot_hashed(vars, name, hash, V_LIST);
	if (value->nitems == value->cap) {
		value->cap = value->cap ? value->cap * 2 : 8;
		value->items = grown(vars->arena, value->items, value->nitems, value->cap,
		                     sizeof(*value->items));
	}
	item = arena_zalloc(vars->arena, sizeof(*item));
	item->arena = vars->arena;
	value->items[value->nitems] = item;
	return value->items[value->nitems++];
}
