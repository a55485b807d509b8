/*
 * Content negotiation (RFC 9110 12.5): what the Accept and Accept-Encoding
 * header fields of a request allow.  One reader of their lists serves
 * both: elements separated by commas, each a name with ";"-parameters
 * (token=token or token="quoted string"), one of them the weight "q".
 *
 * A weight is in thousandths, 0..1000, as RFC 9110's qvalue has at most
 * three decimals ("q=0.5" is 500); a missing weight is 1000.  An element
 * whose weight is not a qvalue ("q=2", "q=0.5000", "q=.5"), or that is not
 * a name and parameters, is skipped as if absent: it neither grants nor
 * refuses anything.
 */
#ifndef IMAPEEK_NEGOTIATE_H
#define IMAPEEK_NEGOTIATE_H

#include <stdbool.h>

/* Returned when no element of the field names what was asked for. */
#define NEGOTIATE_ABSENT (-1)
/* Longest field read; the rest of a longer one is ignored. */
#define NEGOTIATE_MAX_FIELD 8192

/*
 * The weight an Accept field gives media_type ("text/html", lower case),
 * from its most specific matching element: "text/html" over "text/<star>"
 * over "<star>/<star>" (or a bare "<star>"); among equally specific ones,
 * the highest weight.
 * Media-type parameters other than q are ignored; names are compared
 * without regard to case.  NEGOTIATE_ABSENT when none matches.
 * (<star> stands for "*", which cannot be written inside a C comment here.)
 */
int negotiate_accept(const char *accept, const char *media_type);

/*
 * The weight an Accept-Encoding field gives coding ("gzip"): its own
 * element ("x-gzip" counts as "gzip", RFC 9110 8.4.1.3), else "*", else
 * NEGOTIATE_ABSENT.
 */
int negotiate_encoding(const char *accept_encoding, const char *coding);

/* Does Accept prefer application/json to text/html?  (NULL: no.) */
bool negotiate_json(const char *accept);

/* Does Accept-Encoding allow gzip with a weight above 0?  (NULL: no.) */
bool negotiate_gzip(const char *accept_encoding);

#endif
