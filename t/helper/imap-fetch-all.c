/*
 * imap-fetch-all [-b]: open a session on $IMAPD_CMD / $IMAPD_ENV, LIST
 * every mailbox, EXAMINE each, UID SEARCH ALL, and UID FETCH ENVELOPE and
 * BODYSTRUCTURE (with -b also BODY.PEEK[]) of every message in pipelined
 * batches.  Checks each FETCH response has the shape RFC 3501 gives it
 * (ENVELOPE a 10-item list, BODYSTRUCTURE a list, BODY[] a string) and
 * prints one line per mailbox:
 *
 *   mailbox NAME exists N fetched N envelopes N bodystructures N bodies N bad N
 *
 * then "total ..." and "error CLASS message" on failure (exit 1).
 */
#include <stdint.h>

#include "imap_view.h"
#include "session.h"
#include "imapd-args.h"

#define BATCH 200

struct counts {
	size_t fetched, envelopes, bodystructures, bodies, bad;
};

static struct imap_node *fetch_item(struct imap_node *list, const char *name)
{
	for (struct imap_node *node = list->children; node && node->next;
	     node = node->next->next)
		if (imap_node_is_atom(node, name))
			return node->next;
	return NULL;
}

static struct imap_node *fetch_body(struct imap_node *list)
{
	for (struct imap_node *node = list->children; node && node->next;
	     node = node->next->next)
		if (imap_node_is_atom(node, "BODY") && node->section)
			return node->next;
	return NULL;
}

static void check_fetch(struct imap_response *response, bool bodies,
                        struct counts *counts)
{
	struct imap_node *list, *envelope, *structure, *body;
	bool good = true;

	if (!response->data || response->ndata < 3 ||
	    !imap_node_is_atom(response->data->next, "FETCH"))
		return;
	list = response->data->next->next;
	counts->fetched++;
	if (!list || list->type != IMAP_LIST || !fetch_item(list, "UID")) {
		counts->bad++;
		return;
	}
	envelope = fetch_item(list, "ENVELOPE");
	if (envelope && envelope->type == IMAP_LIST && envelope->nchildren == 10)
		counts->envelopes++;
	else
		good = false;
	structure = fetch_item(list, "BODYSTRUCTURE");
	if (structure && structure->type == IMAP_LIST && structure->nchildren >= 2)
		counts->bodystructures++;
	else
		good = false;
	if (bodies) {
		body = fetch_body(list);
		if (body && imap_node_is_string(body))
			counts->bodies++;
		else
			good = false;
	}
	if (!good)
		counts->bad++;
}

static int fetch_mailbox(struct session *session, struct str name, bool bodies,
                         struct counts *counts, struct session_err *err)
{
	struct session_result result;
	struct imap_cmd cmd;
	struct buf set = BUF_INIT;
	struct imap_search uids = { 0 };
	size_t nuids = 0;
	unsigned tickets[4096];
	size_t ntickets = 0, inbatch = 0;
	int ret = -1;

	session_result_init(&result);
	if (session_examine(session, name, true, err) < 0)
		goto out;
	imap_cmd_init(&cmd, "UID SEARCH");
	imap_cmd_atom(&cmd, "ALL");
	ret = session_run(session, &cmd, &result, err);
	imap_cmd_release(&cmd);
	if (ret < 0)
		goto out;
	ret = -1;
	/* Every UID the SEARCH answers gave, then pipelined: every batch is
	 * sent before the first answer is read. */
	for (size_t i = 0; i < result.nuntagged; i++) {
		if (imap_view_search(result.untagged[i], &uids) == 0) {
			nuids = uids.n;
			break;
		}
	}
	for (size_t next = 0;; next++) {
		bool flush = next == nuids ? inbatch > 0 : inbatch == BATCH;

		if (flush) {
			if (ntickets == sizeof(tickets) / sizeof(tickets[0]))
				goto out;
			imap_cmd_init(&cmd, "UID FETCH");
			imap_cmd_seqset(&cmd, buf_cstr(&set));
			imap_cmd_fetch_items(&cmd, bodies
				? "(UID ENVELOPE BODYSTRUCTURE BODY.PEEK[])"
				: "(UID ENVELOPE BODYSTRUCTURE)");
			ret = session_send(session, &cmd, &tickets[ntickets++], err);
			imap_cmd_release(&cmd);
			if (ret < 0)
				goto out;
			ret = -1;
			buf_reset(&set);
			inbatch = 0;
		}
		if (next == nuids)
			break;
		buf_addf(&set, "%s%u", inbatch ? "," : "", (unsigned)uids.ids[next]);
		inbatch++;
	}
	session_result_release(&result);
	for (size_t i = 0; i < ntickets; i++) {
		if (session_wait(session, tickets[i], &result, err) < 0)
			goto out;
		for (size_t k = 0; k < result.nuntagged; k++)
			check_fetch(result.untagged[k], bodies, counts);
		session_result_release(&result);
	}
	ret = 0;
out:
	session_result_release(&result);
	buf_release(&set);
	imap_search_release(&uids);
	return ret;
}

int main(int argc, char **argv)
{
	static const char *const error_names[SESSION_ERROR__MAX] = {
		"OK", "TIMEOUT", "FAILED", "NO", "REFUSED", "CANCELLED",
	};
	struct session_config config = { 0 };
	struct session_err err = { .code = SESSION_OK };
	struct session_result list;
	struct imapd_args args;
	struct session *session;
	struct imap_cmd cmd;
	struct counts total = { 0 };
	bool bodies = argc > 1 && strcmp(argv[1], "-b") == 0;
	int status = 1;

	session_result_init(&list);
	imapd_args_init(&args, getenv("IMAPD_CMD"), getenv("IMAPD_ENV"));
	config.argv = args.argv;
	config.envp = args.envp;
	config.timeout_ms = 30000;
	config.max_literal = 64 << 20;
	session = session_open(&config, &err);
	if (!session)
		goto out;
	imap_cmd_init(&cmd, "LIST");
	imap_cmd_string(&cmd, STR_LIT(""));
	imap_cmd_string(&cmd, STR_LIT("*"));
	if (session_run(session, &cmd, &list, &err) < 0) {
		imap_cmd_release(&cmd);
		goto out;
	}
	imap_cmd_release(&cmd);
	for (size_t i = 0; i < list.nuntagged; i++) {
		struct imap_response *response = list.untagged[i];
		struct imap_node *flags, *name;
		struct counts counts = { 0 };
		bool noselect = false;

		if (!response->data || !imap_node_is_atom(response->data, "LIST") ||
		    !(flags = response->data->next) || !flags->next ||
		    !(name = flags->next->next))
			continue;
		for (struct imap_node *flag = flags->children; flag; flag = flag->next)
			if (imap_node_is_atom(flag, "\\Noselect") ||
			    imap_node_is_atom(flag, "\\NonExistent"))
				noselect = true;
		if (noselect)
			continue;
		if (fetch_mailbox(session, imap_node_nstring(name), bodies, &counts, &err) < 0)
			goto out;
		printf("mailbox %.*s exists %u fetched %zu envelopes %zu "
		       "bodystructures %zu bodies %zu bad %zu\n",
		       (int)imap_node_nstring(name).len, imap_node_nstring(name).p,
		       session_mailbox(session)->exists, counts.fetched,
		       counts.envelopes, counts.bodystructures, counts.bodies, counts.bad);
		total.fetched += counts.fetched;
		total.envelopes += counts.envelopes;
		total.bodystructures += counts.bodystructures;
		total.bodies += counts.bodies;
		total.bad += counts.bad;
	}
	printf("total fetched %zu envelopes %zu bodystructures %zu bodies %zu bad %zu\n",
	       total.fetched, total.envelopes, total.bodystructures, total.bodies,
	       total.bad);
	status = 0;
out:
	if (status)
		printf("error %s %s\n", error_names[err.code], err.message);
	session_result_release(&list);
	session_close(session);
	imapd_args_release(&args);
	return status;
}
