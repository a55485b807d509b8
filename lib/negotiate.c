/* Content negotiation: Accept and Accept-Encoding (see negotiate.h). */
#include "negotiate.h"

#include <string.h>
#include <strings.h>

#include "buf.h"

/* RFC 9110 5.6.2: the characters of a token. */
static bool is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_ows(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static const char *skip_token(const char *p, const char *end, bool slash)
{
	while (p < end && (is_tchar((unsigned char)*p) || (slash && *p == '/')))
		p++;
	return p;
}

/* Past a quoted-string whose opening quote p is at; to end when unclosed. */
static const char *skip_quoted(const char *p, const char *end)
{
	for (p++; p < end && *p != '"'; p++)
		if (*p == '\\' && p + 1 < end)
			p++;
	return p < end ? p + 1 : end;
}

/* To the comma ending the element p is in (or end), quotes respected. */
static const char *skip_element(const char *p, const char *end)
{
	while (p < end && *p != ',')
		p = *p == '"' ? skip_quoted(p, end) : p + 1;
	return p;
}

/*
 * RFC 9110 12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ),
 * in thousandths; -1 for anything else.
 */
static int parse_qvalue(struct str value)
{
	int weight, scale = 100;

	if (!value.len || (value.p[0] != '0' && value.p[0] != '1'))
		return -1;
	weight = value.p[0] == '1' ? 1000 : 0;
	if (value.len == 1)
		return weight;
	if (value.p[1] != '.' || value.len > 5)
		return -1;
	for (size_t i = 2; i < value.len; i++, scale /= 10) {
		char c = value.p[i];
		if (c < '0' || c > '9' || (weight == 1000 && c != '0'))
			return -1;
		weight += (c - '0') * scale;
	}
	return weight;
}

/* One element of a list: a name, then ";"-parameters, the weight among them. */
struct element {
	struct str name;
	int weight;         /* 0..1000; -1: malformed, to be skipped */
};

/*
 * Read the element at p (after any commas and blanks) into element; the
 * position of the comma that ends it (or end).
 */
static const char *read_element(const char *p, const char *end, bool slash,
                                struct element *element)
{
	bool weighted = false;

	p = skip_ows(p, end);
	element->name = (struct str){ p, 0 };
	p = skip_token(p, end, slash);
	element->name.len = (size_t)(p - element->name.p);
	element->weight = element->name.len ? 1000 : -1;
	for (;;) {
		p = skip_ows(p, end);
		if (p == end || *p == ',')
			return p;
		if (*p != ';')
			break;
		p = skip_ows(p + 1, end);
		struct str param = { p, 0 };
		p = skip_token(p, end, false);
		param.len = (size_t)(p - param.p);
		if (!param.len || p == end || *p != '=')
			break;
		struct str value = { ++p, 0 };
		p = p < end && *p == '"' ? skip_quoted(p, end) : skip_token(p, end, false);
		value.len = (size_t)(p - value.p);
		/* In Accept, parameters after the weight are extensions. */
		if (!weighted && str_caseeq(param, "q")) {
			weighted = true;
			if (element->weight >= 0)
				element->weight = parse_qvalue(value);
		}
	}
	element->weight = -1;
	return skip_element(p, end);
}

/* How specifically an element's name matches what is asked: 0 for not. */
typedef int (*match_fn)(struct str name, const char *want);

static int best_weight(const char *field, const char *want, bool slash,
                       match_fn match)
{
	const char *p = field ? field : "";
	const char *end = p + strnlen(p, NEGOTIATE_MAX_FIELD);
	int best = NEGOTIATE_ABSENT, best_specificity = 0;

	while (p < end) {
		struct element element;
		p = read_element(p, end, slash, &element);
		if (p < end)
			p++;  /* the comma */
		if (element.weight < 0)
			continue;
		int specificity = match(element.name, want);
		if (!specificity || specificity < best_specificity)
			continue;
		if (specificity > best_specificity || element.weight > best)
			best = element.weight;
		best_specificity = specificity;
	}
	return best;
}

/* 3 for "type/subtype", 2 for "type/<star>", 1 for "<star>/<star>" (or a bare "<star>"). */
static int match_media_type(struct str name, const char *want)
{
	const char *slash = strchr(want, '/');
	size_t type_len = slash ? (size_t)(slash - want) : strlen(want);

	if (str_caseeq(name, want))
		return 3;
	if (name.len == type_len + 2 && !strncasecmp(name.p, want, type_len) &&
	    name.p[type_len] == '/' && name.p[type_len + 1] == '*')
		return 2;
	if (str_eq(name, "*/*") || str_eq(name, "*"))
		return 1;
	return 0;
}

int negotiate_accept(const char *accept, const char *media_type)
{
	return best_weight(accept, media_type, true, match_media_type);
}

/* 2 for the coding itself, 1 for "*". */
static int match_coding(struct str name, const char *want)
{
	if (str_caseeq(name, want) ||
	    (!strcmp(want, "gzip") && str_caseeq(name, "x-gzip")))
		return 2;
	return str_eq(name, "*") ? 1 : 0;
}

int negotiate_encoding(const char *accept_encoding, const char *coding)
{
	return best_weight(accept_encoding, coding, false, match_coding);
}

bool negotiate_json(const char *accept)
{
	int json = negotiate_accept(accept, "application/json");

	return json > 0 && json > negotiate_accept(accept, "text/html");
}

bool negotiate_gzip(const char *accept_encoding)
{
	return negotiate_encoding(accept_encoding, "gzip") > 0;
}
