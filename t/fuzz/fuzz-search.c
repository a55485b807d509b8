/*
 * search_parse on any bytes; what it accepts must encode through the real
 * imap_cmd encoder, and its canonical form must parse to the same keys
 * (and so hold the same words a full-text index may miss).
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "search.h"

static int encode(const struct search_query *query, struct buf *out)
{
	struct imap_cmd cmd;
	struct imap_wire wire;
	struct imap_encoding encoding = { .literal_plus = true };
	char why[128];
	int rc;

	memset(&wire, 0, sizeof(wire));
	imap_cmd_init(&cmd, "UID SEARCH");
	imap_cmd_atom(&cmd, "CHARSET");
	imap_cmd_atom(&cmd, "UTF-8");
	search_emit(query, &cmd);
	rc = imap_cmd_encode(&cmd, "t1", &encoding, &wire, why, sizeof(why));
	if (rc == 0)
		buf_addstr_view(out, str_from_buf(&wire.bytes));
	imap_wire_release(&wire);
	imap_cmd_release(&cmd);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct search_query query, again;
	struct buf wire = BUF_INIT, wire2 = BUF_INIT, canonical = BUF_INIT;
	char why[128];

	search_query_init(&query);
	search_query_init(&again);
	if (search_parse(&query, (struct str){ (const char *)data, size }, why, sizeof(why)) == 0) {
		if (encode(&query, &wire) < 0)
			abort();
		bool fragile = search_has_fragile_word(&query);
		search_format(&query, &canonical);
		/* quoting can make the canonical form longer than the limit */
		if (canonical.len <= SEARCH_MAX_LEN &&
		    (search_parse(&again, str_from_buf(&canonical), why, sizeof(why)) < 0 ||
		     encode(&again, &wire2) < 0 || wire.len != wire2.len ||
		     memcmp(wire.p, wire2.p, wire.len) != 0 ||
		     search_has_fragile_word(&again) != fragile))
			abort();
	}
	search_query_release(&query);
	search_query_release(&again);
	buf_release(&wire);
	buf_release(&wire2);
	buf_release(&canonical);
	return 0;
}
