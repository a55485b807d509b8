#include "html2text.h"

#include <pthread.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "charset.h"

/*
 * VIOLATIONS (accepted on purpose): anything libxml2's HTML parser
 * recovers from (unclosed tags, stray "<", bad nesting) is read the way it
 * recovers; invalid UTF-8 is replaced before parsing; <meta charset> is
 * ignored (the caller converted already); links with schemes other than
 * http, https and mailto are not listed (javascript:, data:, file:).
 */

/* Elements deeper than this still give their text, but no layout state. */
#define HTML2TEXT_DEPTH_MAX 256
/* Quote and list nesting written out at most this deep. */
#define HTML2TEXT_NEST_MAX 32

enum kind { K_INLINE, K_SKIP, K_BLOCK, K_PARA, K_BR, K_LI, K_LIST, K_QUOTE,
            K_PRE, K_TR, K_CELL, K_A, K_IMG, K_HR };

static const struct {
	const char *name;
	enum kind kind;
} elements[] = {
	{ "script", K_SKIP }, { "style", K_SKIP }, { "head", K_SKIP },
	{ "title", K_SKIP }, { "template", K_SKIP }, { "iframe", K_SKIP },
	{ "object", K_SKIP }, { "svg", K_SKIP }, { "select", K_SKIP },
	{ "textarea", K_SKIP }, { "button", K_SKIP }, { "frameset", K_SKIP },
	{ "p", K_PARA }, { "h1", K_PARA }, { "h2", K_PARA }, { "h3", K_PARA },
	{ "h4", K_PARA }, { "h5", K_PARA }, { "h6", K_PARA }, { "dl", K_PARA },
	{ "table", K_BLOCK }, { "div", K_BLOCK }, { "address", K_BLOCK },
	{ "article", K_BLOCK }, { "aside", K_BLOCK }, { "center", K_BLOCK },
	{ "dd", K_BLOCK }, { "dt", K_BLOCK }, { "fieldset", K_BLOCK },
	{ "figure", K_BLOCK }, { "footer", K_BLOCK }, { "form", K_BLOCK },
	{ "header", K_BLOCK }, { "main", K_BLOCK }, { "nav", K_BLOCK },
	{ "section", K_BLOCK }, { "caption", K_BLOCK }, { "details", K_BLOCK },
	{ "summary", K_BLOCK }, { "thead", K_BLOCK }, { "tbody", K_BLOCK },
	{ "tfoot", K_BLOCK }, { "body", K_BLOCK }, { "html", K_BLOCK },
	{ "br", K_BR }, { "li", K_LI }, { "ul", K_LIST }, { "ol", K_LIST },
	{ "menu", K_LIST }, { "blockquote", K_QUOTE }, { "pre", K_PRE },
	{ "xmp", K_PRE }, { "listing", K_PRE }, { "plaintext", K_PRE },
	{ "tr", K_TR }, { "td", K_CELL }, { "th", K_CELL }, { "a", K_A },
	{ "img", K_IMG }, { "hr", K_HR },
};

struct frame {
	bool ordered;       /* a list: ol */
	unsigned counter;   /* a list: next item number; a row: cells seen */
};

struct ctx {
	struct buf *out;
	size_t out_start;
	unsigned want_nl;    /* newlines wanted before the next text */
	unsigned trailing_nl;  /* newlines at the end of the output */
	bool at_start;       /* nothing written yet */
	bool space;          /* a collapsed space is pending */
	unsigned quote;      /* blockquote depth */
	unsigned pre;        /* inside pre */
	unsigned lists;      /* list nesting */
	bool full;
	char *links[HTML2TEXT_LINKS_MAX];
	size_t nlinks;
	struct frame frames[HTML2TEXT_DEPTH_MAX];
};

static enum kind kind_of(const xmlNode *node)
{
	for (size_t i = 0; i < sizeof(elements) / sizeof(elements[0]); i++)
		if (strcasecmp((const char *)node->name, elements[i].name) == 0)
			return elements[i].kind;
	return K_INLINE;
}

static void raw(struct ctx *c, const char *p, size_t len)
{
	if (c->full)
		return;
	if (c->out->len - c->out_start + len > HTML2TEXT_OUTPUT_MAX) {
		c->full = true;
		return;
	}
	buf_add(c->out, p, len);
}

static void line_prefix(struct ctx *c)
{
	unsigned depth = c->quote < HTML2TEXT_NEST_MAX ? c->quote : HTML2TEXT_NEST_MAX;
	for (unsigned i = 0; i < depth; i++)
		raw(c, ">", 1);
	if (depth)
		raw(c, " ", 1);
}

static void newline(struct ctx *c)
{
	/* a blank line inside a quote keeps its ">" */
	if (c->trailing_nl > 0 && c->quote) {
		unsigned depth = c->quote < HTML2TEXT_NEST_MAX ? c->quote : HTML2TEXT_NEST_MAX;
		for (unsigned i = 0; i < depth; i++)
			raw(c, ">", 1);
	}
	raw(c, "\n", 1);
	c->trailing_nl++;
}

/* Start text: the wanted line breaks, the quote prefix, a pending space. */
static void begin_text(struct ctx *c)
{
	if (!c->at_start) {
		while (c->trailing_nl < c->want_nl)
			newline(c);
	}
	c->want_nl = 0;
	if (c->trailing_nl > 0 || c->at_start)
		line_prefix(c);
	else if (c->space)
		raw(c, " ", 1);
	c->space = false;
	c->at_start = false;
	c->trailing_nl = 0;
}

static void want(struct ctx *c, unsigned n)
{
	if (c->want_nl < n)
		c->want_nl = n;
	c->space = false;
}

static void text(struct ctx *c, const char *p, size_t len)
{
	if (c->pre) {
		for (size_t i = 0; i < len;) {
			const char *nl = memchr(p + i, '\n', len - i);
			size_t end = nl ? (size_t)(nl - p) : len;
			if (end > i) {
				begin_text(c);
				raw(c, p + i, end - i);
			}
			if (nl) {
				/* a blank line of pre still needs the breaks before it */
				if (c->at_start || c->want_nl)
					begin_text(c);
				newline(c);
			}
			i = end + (nl ? 1 : 0);
		}
		return;
	}
	for (size_t i = 0; i < len;) {
		unsigned char ch = (unsigned char)p[i];
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f') {
			if (!c->at_start && c->trailing_nl == 0)
				c->space = true;
			i++;
			continue;
		}
		size_t start = i;
		while (i < len && p[i] && !strchr(" \t\n\r\f", p[i]))
			i++;
		begin_text(c);
		raw(c, p + start, i - start);
	}
}

static bool link_ok(const char *url)
{
	while (*url == ' ' || *url == '\t' || *url == '\n' || *url == '\r')
		url++;
	return strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0 ||
	       strncasecmp(url, "mailto:", 7) == 0;
}

/* The "[N]" of a link, listing it when new. */
static void mark_link(struct ctx *c, const char *href)
{
	struct buf url = BUF_INIT;
	size_t n;

	if (!href || !link_ok(href))
		return;
	for (const char *p = href; *p; p++)
		if ((unsigned char)*p > ' ')
			buf_addch(&url, *p);
	if (url.len == 0 || url.len > 4096)
		goto out;
	for (n = 0; n < c->nlinks; n++)
		if (strcmp(c->links[n], url.p) == 0)
			break;
	if (n == c->nlinks) {
		if (n == HTML2TEXT_LINKS_MAX)
			goto out;
		c->links[c->nlinks++] = buf_detach(&url, NULL);
	}
	char mark[32];
	int mlen = snprintf(mark, sizeof(mark), "[%zu]", n + 1);
	if (c->trailing_nl > 0 || c->at_start)
		begin_text(c);
	raw(c, mark, (size_t)mlen);
out:
	buf_release(&url);
}

static void enter(struct ctx *c, xmlNode *node, struct frame *frame)
{
	enum kind kind = kind_of(node);
	xmlChar *attr;

	switch (kind) {
	case K_PARA:
	case K_QUOTE:
		want(c, 2);
		if (kind == K_QUOTE) {
			/* the blank line before a quote is not part of it */
			if (!c->at_start)
				while (c->trailing_nl < c->want_nl)
					newline(c);
			c->quote++;
		}
		break;
	case K_BLOCK:
	case K_TR:
		want(c, 1);
		if (frame)
			frame->counter = 0;
		break;
	case K_PRE:
		want(c, 2);
		c->pre++;
		break;
	case K_LIST:
		want(c, c->lists ? 1 : 2);
		c->lists++;
		if (frame) {
			frame->ordered = strcasecmp((const char *)node->name, "ol") == 0;
			frame->counter = 1;
		}
		break;
	case K_LI: {
		want(c, 1);
		begin_text(c);
		unsigned indent = c->lists > 1 ? c->lists - 1 : 0;
		if (indent > HTML2TEXT_NEST_MAX)
			indent = HTML2TEXT_NEST_MAX;
		for (unsigned i = 0; i < indent; i++)
			raw(c, "  ", 2);
		/* the list's frame is the nearest list ancestor's */
		struct frame *list = frame && frame > c->frames ? frame - 1 : NULL;
		xmlNode *parent = node->parent;
		if (list && parent && parent->type == XML_ELEMENT_NODE && kind_of(parent) == K_LIST &&
		    list->ordered) {
			char num[32];
			int n = snprintf(num, sizeof(num), "%u. ", list->counter++);
			raw(c, num, (size_t)n);
		} else {
			raw(c, "- ", 2);
		}
		break;
	}
	case K_CELL: {
		struct frame *row = frame && frame > c->frames ? frame - 1 : NULL;
		xmlNode *parent = node->parent;
		if (row && parent && parent->type == XML_ELEMENT_NODE && kind_of(parent) == K_TR) {
			if (row->counter++ > 0) {
				begin_text(c);
				raw(c, "\t", 1);
			}
		} else {
			c->space = true;
		}
		break;
	}
	case K_BR:
		if (c->at_start) {
			c->at_start = false;
			c->trailing_nl = 1;
		} else {
			if (c->trailing_nl == 0)
				c->want_nl = 0;
			newline(c);
		}
		c->space = false;
		break;
	case K_HR:
		want(c, 1);
		begin_text(c);
		raw(c, "----", 4);
		want(c, 1);
		break;
	case K_IMG:
		attr = xmlGetProp(node, (const xmlChar *)"alt");
		if (attr) {
			text(c, (const char *)attr, strlen((const char *)attr));
			xmlFree(attr);
		}
		break;
	default:
		break;
	}
}

static void leave(struct ctx *c, xmlNode *node)
{
	enum kind kind = kind_of(node);
	xmlChar *href;

	switch (kind) {
	case K_PARA:
	case K_PRE:
		want(c, 2);
		if (kind == K_PRE && c->pre)
			c->pre--;
		break;
	case K_QUOTE:
		want(c, 2);
		if (c->quote)
			c->quote--;
		break;
	case K_LIST:
		if (c->lists)
			c->lists--;
		want(c, c->lists ? 1 : 2);
		break;
	case K_BLOCK:
	case K_TR:
	case K_LI:
		want(c, 1);
		break;
	case K_A:
		href = xmlGetProp(node, (const xmlChar *)"href");
		mark_link(c, (const char *)href);
		xmlFree(href);
		break;
	default:
		break;
	}
}

/* Depth-first walk without recursion: mail can nest thousands deep. */
static void walk(struct ctx *c, xmlNode *root)
{
	xmlNode *node = root;
	size_t depth = 0;

	while (node && !c->full) {
		bool descend = false;
		if (node->type == XML_ELEMENT_NODE) {
			if (kind_of(node) != K_SKIP) {
				struct frame *frame = depth < HTML2TEXT_DEPTH_MAX ? &c->frames[depth] : NULL;
				if (frame)
					frame->counter = 0, frame->ordered = false;
				enter(c, node, frame);
				descend = true;
			}
		} else if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
			if (node->content)
				text(c, (const char *)node->content, strlen((const char *)node->content));
		}
		if (descend && node->children) {
			node = node->children;
			depth++;
			continue;
		}
		if (descend)
			leave(c, node);
		/* up until a sibling is found */
		while (node != root && !node->next) {
			node = node->parent;
			depth--;
			if (node->type == XML_ELEMENT_NODE)
				leave(c, node);
		}
		if (node == root)
			break;
		node = node->next;
	}
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_libxml(void)
{
	xmlInitParser();
}

/* NBSP is a space that does not collapse; in plain text it is a space. */
static void nbsp_to_space(struct buf *b)
{
	size_t j = 0;

	for (size_t i = 0; i < b->len; i++) {
		if ((unsigned char)b->p[i] == 0xC2 && i + 1 < b->len && (unsigned char)b->p[i + 1] == 0xA0) {
			b->p[j++] = ' ';
			i++;
		} else {
			b->p[j++] = b->p[i];
		}
	}
	buf_truncate(b, j);
}

int html2text(struct buf *out, const char *html, size_t len)
{
	struct buf clean = BUF_INIT, text_out = BUF_INIT;
	struct ctx *c = xcalloc(1, sizeof(*c));
	htmlDocPtr doc = NULL;
	int rc = 0;

	pthread_once(&init_once, init_libxml);
	if (len > HTML2TEXT_INPUT_MAX)
		len = charset_utf8_cut(html, len, HTML2TEXT_INPUT_MAX);
	charset_utf8_sanitize(&clean, html, len);
	c->out = &text_out;
	c->at_start = true;
	if (clean.len) {
		doc = htmlReadMemory(clean.p, (int)clean.len, NULL, "UTF-8",
		                     HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
		                     HTML_PARSE_NOWARNING | HTML_PARSE_NOBLANKS);
		if (!doc) {
			buf_addstr_view(&text_out, str_from_buf(&clean));
			rc = -1;
		} else {
			walk(c, xmlDocGetRootElement(doc) ? xmlDocGetRootElement(doc) : (xmlNode *)doc);
		}
	}
	nbsp_to_space(&text_out);
	/* no trailing blank lines or spaces; one final "\n" */
	while (text_out.len && text_out.p[text_out.len - 1] &&
	       strchr(" \t\n>", text_out.p[text_out.len - 1]))
		text_out.len--;
	buf_truncate(&text_out, text_out.len);
	if (text_out.len)
		buf_addch(&text_out, '\n');
	if (c->nlinks) {
		buf_addch(&text_out, '\n');
		for (size_t i = 0; i < c->nlinks; i++)
			buf_addf(&text_out, "[%zu] %s\n", i + 1, c->links[i]);
	}
	charset_utf8_sanitize(out, buf_cstr(&text_out), text_out.len);
	for (size_t i = 0; i < c->nlinks; i++)
		free(c->links[i]);
	free(c);
	if (doc)
		xmlFreeDoc(doc);
	buf_release(&clean);
	buf_release(&text_out);
	return rc;
}
