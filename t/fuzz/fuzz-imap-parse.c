/*
 * The IMAP parser fed a stream whole and again byte by byte: both must give
 * the same responses (abort() if not), every dump must parse back to
 * itself, and every view runs over every response, and a FETCH is read
 * as a summary (message.c: its ENVELOPE or its header fields).
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "imap_parse.h"
#include "imap_view.h"
#include "message.h"

/* Small, so that the size checks are reached too. */
#define FUZZ_MAX_LITERAL 4096

static void run_views(const struct imap_response *response)
{
	struct imap_view_err err;
	struct imap_fetch fetch;
	struct imap_caps caps;
	struct imap_flags flags;
	struct imap_list_entry entry;
	struct imap_status_info status;
	struct imap_search search;
	struct imap_esearch esearch;
	struct str thread_list;
	uint32_t number;
	uint64_t value;

	(void)imap_view_kind(response);
	(void)imap_view_is_bye(response);
	(void)imap_view_numbered(response, "EXISTS", &number);
	(void)imap_view_code_number(response, "UIDVALIDITY", &value);
	(void)imap_view_code(response, "READ-ONLY", NULL);
	(void)imap_view_fetch_uid(response, &number);
	if (imap_view_fetch(response, &fetch, &err) == 0) {
		struct message_info info;
		/* a summary: ENVELOPE or header fields (message.h) */
		if (message_info_from_view(&info, &fetch) == 0)
			message_info_release(&info);
		(void)imap_fetch_part(&fetch, false, "HEADER.FIELDS (MESSAGE-ID)");
		if (fetch.body)
			(void)imap_body_find(fetch.body, "1.2");
		imap_fetch_release(&fetch);
	}
	if (imap_view_capability(response, &caps) == 0)
		imap_caps_release(&caps);
	if (imap_view_flags(response, &flags) == 0)
		imap_flags_release(&flags);
	for (int utf8 = 0; utf8 < 2; utf8++)
		if (imap_view_list(response, utf8, &entry) == 0)
			imap_list_entry_release(&entry);
	(void)imap_view_status(response, &status);
	if (imap_view_search(response, &search) == 0)
		imap_search_release(&search);
	if (imap_view_sort(response, &search) == 0)
		imap_search_release(&search);
	if (imap_view_esearch(response, 10000, &esearch, &err) == 0)
		imap_esearch_release(&esearch);
	(void)imap_view_thread(response, &thread_list);
}

/* Parse data in pieces of step bytes (0: whole); dumps appended to out. */
static int parse_all(const uint8_t *data, size_t size, size_t step, struct buf *out,
                     bool views)
{
	struct imap_parser parser;
	size_t pos = 0;
	int rc = 0;

	imap_parser_init(&parser, FUZZ_MAX_LITERAL);
	while (pos < size) {
		size_t piece = step && size - pos > step ? step : size - pos;
		size_t used;
		struct imap_response *response;
		enum imap_parse_result result = imap_parser_feed(&parser, (const char *)data + pos,
		                                                 piece, &used, &response);
		pos += used;
		if (result == IMAP_PARSE_BAD) {
			buf_addstr(out, "BAD\n");
			rc = -1;
			break;
		}
		if (result == IMAP_PARSE_OK) {
			size_t start = out->len;
			imap_response_dump(out, response);
			/* The dump is a canonical form: it parses to itself. */
			char error[128];
			struct imap_response *again = imap_response_parse(out->p + start,
			                                                  out->len - start,
			                                                  UINT64_MAX, error,
			                                                  sizeof(error));
			if (!again)
				abort();
			struct buf dump = BUF_INIT;
			imap_response_dump(&dump, again);
			if (dump.len != out->len - start || memcmp(dump.p, out->p + start, dump.len))
				abort();
			buf_release(&dump);
			imap_response_free(again);
			if (views)
				run_views(response);
			imap_response_free(response);
		}
	}
	imap_parser_release(&parser);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf whole = BUF_INIT, bytes = BUF_INIT;

	parse_all(data, size, 0, &whole, true);
	parse_all(data, size, 1, &bytes, false);
	if (whole.len != bytes.len || (whole.len && memcmp(whole.p, bytes.p, whole.len)))
		abort();
	buf_release(&whole);
	buf_release(&bytes);
	return 0;
}
