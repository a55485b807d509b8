/* Dates, Message-ID lists, address lists: total, bounded, valid UTF-8;
 * a message's header length: within the input, ending at an empty line;
 * rfc5322_field the same as rfc5322_fields. */
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "fuzz.h"
#include "rfc5322.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	time_t t;
	char date[RFC5322_DATE_LEN + 1];
	struct rfc5322_ids ids;
	struct rfc5322_addrs addrs;

	if (rfc5322_date_parse(in, size, &t) == 0) {
		if (rfc5322_date_format(t, date) < 0 || strlen(date) != RFC5322_DATE_LEN)
			abort();
	}
	rfc5322_ids_parse(&ids, in, size);
	if (ids.n > RFC5322_IDS_MAX)
		abort();
	for (size_t i = 0; i < ids.n; i++)
		if (!charset_utf8_valid(ids.v[i], strlen(ids.v[i])) || !*ids.v[i])
			abort();
	rfc5322_ids_release(&ids);
	rfc5322_addrs_parse(&addrs, in, size);
	if (addrs.n > RFC5322_ADDRS_MAX)
		abort();
	for (size_t i = 0; i < addrs.n; i++) {
		if (!charset_utf8_valid(addrs.v[i].address, strlen(addrs.v[i].address)))
			abort();
		if (addrs.v[i].name && !charset_utf8_valid(addrs.v[i].name, strlen(addrs.v[i].name)))
			abort();
	}
	rfc5322_addrs_release(&addrs);
	/* One field found alone is the field the whole block unfolded gives. */
	{
		const char *name = "Content-Type";
		struct buf one = BUF_INIT, unfolded = BUF_INIT;
		struct str value;
		int found = rfc5322_field(in, size, name, &one);
		rfc5322_fields(in, size, &name, 1, &value, &unfolded);
		if (found != (value.p != NULL) ||
		    (found && (one.len != value.len ||
		               (one.len && memcmp(one.p, value.p, one.len)))))
			abort();
		buf_release(&one);
		buf_release(&unfolded);
	}
	size_t header = rfc5322_header_length(in, size);
	if (header > size || (header < size && header && in[header - 1] != '\n') ||
	    (header < size && in[header] != '\n' && in[header] != '\r'))
		abort();
	return 0;
}
