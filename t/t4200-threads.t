#!/bin/sh
# Threads over HTTP: the thread index and the thread page on the sample
# archive, their groups against Dovecot's own THREAD REFERENCES answer,
# the client-side path (Dovecot with THREAD and SORT not advertised, and
# GNU imap4d over the same mail) giving the same groups, and the openbmc
# archive's thread index against Dovecot.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"

[ -x "$DOVECOT_IMAP" ] || skip_all "no Dovecot imap binary ($DOVECOT_IMAP)"
pages_setup_sample
digest_before=$(store_digest "$PAGES_STORE")

# groups_http FRONT MAILBOX-PATH: every thread's sorted uids, one per line,
# sorted, over all pages of the thread index (JSON).
groups_http() {
	_n=1
	: >"$TEST_TMP/groups.http"
	while :; do
		page "$1" "$2threads/" "format=json&page=$_n"
		[ "$RESP_STATUS" = 200 ] || { echo "STATUS $RESP_STATUS"; return; }
		json '"\n".join(" ".join(str(u) for u in sorted(t["uids"])) for t in d["threads"])' \
			>>"$TEST_TMP/groups.http"
		[ "$(json 'd["next"] is None')" = true ] && break
		_n=$((_n + 1))
	done
	sort "$TEST_TMP/groups.http" | grep -v '^$'
}

# groups_imap TRANSCRIPT: the same from "* THREAD ..." (placeholders dropped).
groups_imap() {
	python3 -c '
import re, sys
line = [l for l in open(sys.argv[1], encoding="utf-8", errors="replace") if l.startswith("S: * THREAD")][0]
text = line[len("S: * THREAD"):].strip()
groups, depth, cur = [], 0, []
for tok in re.findall(r"\(|\)|\d+", text):
    if tok == "(":
        depth += 1
    elif tok == ")":
        depth -= 1
        if depth == 0:
            groups.append(" ".join(str(u) for u in sorted(cur))); cur = []
    else:
        cur.append(int(tok))
print("\n".join(sorted(groups)))
' "$1"
}

imap_send 'EXAMINE lists/dev' 'UID THREAD REFERENCES UTF-8 ALL' >"$TEST_TMP/dev.thread"
ok $? "Dovecot answers UID THREAD on lists/dev"
groups_imap "$TEST_TMP/dev.thread" >"$TEST_TMP/dev.dovecot"

httpd_start "$PAGES_CONF"
fcgi_start "$PAGES_CONF"
for f in httpd cgi fcgi; do
	groups_http $f /lists/dev/ >"$TEST_TMP/dev.$f"
	is "$(wc -l <"$TEST_TMP/dev.$f")" "$(wc -l <"$TEST_TMP/dev.dovecot")" \
		"$f: as many threads as Dovecot's THREAD answer ($(wc -l <"$TEST_TMP/dev.dovecot"))"
	cmp -s $TEST_TMP/dev.$f $TEST_TMP/dev.dovecot; ok $? "$f: the same groups of messages"
done

# The first page: newest activity first, counts, participants.
page httpd /lists/dev/threads/ format=json
is "$(json 'd["total"]')" "$(wc -l <"$TEST_TMP/dev.dovecot")" "thread index total"
is "$(json 'all(t["messages"] == len(t["uids"]) for t in d["threads"])')" true \
	"every row's message count is its number of messages"
is "$(json 'all(a["newest"] >= b["newest"] for a, b in zip(d["threads"], d["threads"][1:]) if a["newest"] and b["newest"])')" true \
	"threads come newest activity first"
is "$(json 'all(len(t["participants"]) >= 1 for t in d["threads"])')" true \
	"every row names its participants"

singles=$(json 'sum(1 for t in d["threads"] if t["messages"] == 1)')
page httpd /lists/dev/threads/
is "$(grep -o '<span class="unit"> message</span>' "$RESP_BODY" | wc -l | tr -d ' ')" "$singles" \
	"a thread of one message says \"1 message\" ($singles on the page)"
unlike "$(cat "$RESP_BODY")" '>1<span class="unit"> messages<' "... never \"1 messages\""
like "$(cat "$RESP_BODY")" '[0-9]+ threads &middot;' "the summary counts threads"
single=$(grep -x '[0-9]*' "$TEST_TMP/dev.dovecot" | head -1)
page httpd "/lists/dev/$single/thread"
like "$(cat "$RESP_BODY")" '<p class="summary">1 message &middot;' "a thread page of one message says so"

# The 45-message thread on one page, nested, each message with its text.
long=$(awk '$0 ~ / / { n = split($0, a, " "); if (n == 45) print a[1] }' "$TEST_TMP/dev.dovecot")
[ -n "$long" ]; ok $? "Dovecot has a 45-message thread (first uid $long)"
for f in httpd cgi fcgi; do
	page $f "/lists/dev/$long/thread" format=json
	is "$RESP_STATUS" 200 "$f: thread page JSON answers 200"
	is "$(json 'len(d["messages"])')" 45 "$f: all 45 messages on one page"
	is "$(json 'd["messages"][0]["depth"] == 0 and max(m["depth"] for m in d["messages"]) > 1')" true \
		"$f: nested: the root at depth 0, replies deeper"
	is "$(json 'all(isinstance(m["text"], str) and len(m["text"]) > 0 for m in d["messages"])')" true \
		"$f: every message with its text"
	is "$(json '" ".join(str(u) for u in sorted(m["uid"] for m in d["messages"]))')" \
		"$(grep -x "$long .*" "$TEST_TMP/dev.dovecot" | head -1)" "$f: exactly Dovecot's thread"
	page $f "/lists/dev/$long/thread"
	is "$RESP_STATUS" 200 "$f: thread page HTML answers 200"
	is "$(grep -c '<article class="thread-msg' "$RESP_BODY")" 45 "$f: 45 articles in the HTML"
done
page httpd /lists/dev/999999/thread
is "$RESP_STATUS" 404 "thread of an unknown UID is 404"
page httpd /lists/dev/threads/ page=999
is "$RESP_STATUS" 404 "thread index page past the end is 404"

# Navigation on a message page: in the mailbox and in the thread.
second=$(grep -x "$long .*" "$TEST_TMP/dev.dovecot" | head -1 | cut -d' ' -f2)
page httpd "/lists/dev/$long/thread" format=json
nextuid=$(json 'd["messages"][1]["uid"]')
page httpd "/lists/dev/$long" format=json
is "$(json 'd["thread_next_url"]')" "/lists/dev/$nextuid" "message JSON: thread_next_url is the next in the thread"
is "$(json 'd["thread_prev_url"]')" null "message JSON: the root has no thread_prev_url"
page httpd "/lists/dev/$long"
like "$(cat "$RESP_BODY")" "href=\"/lists/dev/$nextuid\" rel=\"next\"" "message HTML links the next in the thread"
httpd_stop
fcgi_stop

# Client-side threading: the same Dovecot not advertising THREAD or SORT.
conf_plain=$TEST_TMP/imapeek-plain.conf
cp -r "$IMAPD_STATE" "$TEST_TMP/state-plain"
echo 'imap_capability = IMAP4rev1 LITERAL+ ENABLE UTF8=ACCEPT CONDSTORE' >>"$TEST_TMP/state-plain/dovecot.conf"
sed "s|$IMAPD_STATE|$TEST_TMP/state-plain|g" "$PAGES_CONF" >"$conf_plain"
PAGES_CONF=$conf_plain
groups_http cgi /lists/dev/ >"$TEST_TMP/dev.client"
cmp -s $TEST_TMP/dev.client $TEST_TMP/dev.dovecot; ok $? \
	"client-side threads (no THREAD advertised) equal Dovecot's groups"
diff "$TEST_TMP/dev.client" "$TEST_TMP/dev.dovecot" | head -5 | while read -r l; do diag "$l"; done

# GNU imap4d over the sample's mbox files: the fallback paths.
if [ -x "$IMAP4D" ]; then
	save_state=$IMAPD_STATE
	chmod 755 "$TEST_TMP"
	mboxes=$TEST_TMP/imap4d-mail
	mkdir -p "$mboxes/lists"
	cp "$PAGES_STORE.mbox/1.mbox" "$mboxes/lists/dev"
	cp "$PAGES_STORE.mbox/3.mbox" "$mboxes/INBOX"
	chmod 444 "$mboxes/lists/dev" "$mboxes/INBOX"
	chmod 555 "$mboxes/lists" "$mboxes"
	at_exit "chmod -R u+w '$mboxes'"
	imap4d_setup "$mboxes" "$TEST_TMP/state-imap4d" || bail "imap4d_setup failed"
	PAGES_CONF=$TEST_TMP/imapeek-imap4d.conf
	# The configuration wants the imapd as an absolute path.
	{ sed "s|^imapd = setpriv |imapd = $(command -v setpriv) |" "$IMAPD_STATE/imapd.conf"; echo "templates = $IMAPEEK_TOP/templates"
	  echo "hide = private/*"; echo "page-size = 10"; } >"$PAGES_CONF"
	groups_http cgi /lists/dev/ >"$TEST_TMP/dev.imap4d"
	cmp -s $TEST_TMP/dev.imap4d $TEST_TMP/dev.dovecot; ok $? \
		"imap4d (threaded here) gives Dovecot's groups on the same mail"
	page cgi /lists/dev/ format=json
	uid=$(json 'd["messages"][0]["uid"]')
	mid=$(json 'd["messages"][0]["message_id"]')
	IMAPD_STATE=$save_state
	PAGES_CONF=$TEST_TMP/imapeek.conf
	page cgi "/lists/dev/$uid" format=json
	is "$(json 'd["message_id"]')" "$mid" "both stores number the messages alike (uid $uid)"
	PAGES_CONF=$TEST_TMP/imapeek-imap4d.conf
	page cgi "/lists/dev/$long/thread" format=json
	is "$(json 'len(d["messages"])')" 45 "imap4d: the 45-message thread on one page"
else
	bail "GNU imap4d is not installed (Debian: mailutils-imap4d)"
fi

# openbmc: the thread index's groups against Dovecot's THREAD answer.
if [ -f "$SHARED_CORPUS/archive-openbmc-2019-2020/openbmc-2019-2020.mbox.xz" ]; then
	obmc=$(openbmc_store) || bail "no openbmc store"
	dovecot_setup "$obmc" "$TEST_TMP/state-obmc" || bail "dovecot_setup failed"
	PAGES_CONF=$TEST_TMP/imapeek-obmc.conf
	{ cat "$IMAPD_STATE/imapd.conf"; echo "templates = $IMAPEEK_TOP/templates"
	  echo "page-size = 500"; echo "timeout = 60"; } >"$PAGES_CONF"
	imap_send 'EXAMINE lists/openbmc' 'UID THREAD REFERENCES UTF-8 ALL' >"$TEST_TMP/obmc.thread"
	groups_imap "$TEST_TMP/obmc.thread" >"$TEST_TMP/obmc.dovecot"
	httpd_start "$PAGES_CONF"
	groups_http httpd /lists/openbmc/ >"$TEST_TMP/obmc.http"
	is "$(wc -l <"$TEST_TMP/obmc.http")" "$(wc -l <"$TEST_TMP/obmc.dovecot")" \
		"openbmc: as many threads as Dovecot ($(wc -l <"$TEST_TMP/obmc.dovecot"))"
	cmp -s $TEST_TMP/obmc.http $TEST_TMP/obmc.dovecot; ok $? "openbmc: the same groups as Dovecot"
	big=$(awk '{ if (NF > n) { n = NF; u = $1 } } END { print u " " n }' "$TEST_TMP/obmc.dovecot")
	page httpd "/lists/openbmc/${big% *}/thread" format=json
	is "$(json 'len(d["messages"])')" "${big#* }" "openbmc: the largest thread (${big#* } messages) on one page"
	# 8120's thread starts at a message the list never got: its outline
	# row names no sender or date (it showed 8120's own).
	page httpd /lists/openbmc/8120 format=json
	is "$(json 'sum(1 for r in d["outline"] if r["url"] is None)')" 1 \
		"openbmc: 8120's outline has a row for a message not in the mailbox"
	page httpd /lists/openbmc/8120
	missing=$(grep -o '<span class="missing">[^<]*</span> <span class="meta">[^<]*</span>' "$RESP_BODY")
	is "$missing" '<span class="missing">(a message not in this mailbox)</span> <span class="meta"></span>' \
		"openbmc: that row shows no sender and no date"
	# The store's INBOX is empty: its index has the same members, empty.
	page httpd /INBOX/ format=json
	is "$RESP_STATUS $(json '[d["total"], d["messages"], d["months"], d["years"]]')" "200 [0, [], [], []]" \
		"an empty mailbox's JSON index has messages, months and years, empty"
	httpd_stop
	cp -r "$IMAPD_STATE" "$TEST_TMP/state-obmc-plain"
	echo 'imap_capability = IMAP4rev1 LITERAL+ ENABLE UTF8=ACCEPT CONDSTORE' >>"$TEST_TMP/state-obmc-plain/dovecot.conf"
	sed "s|$IMAPD_STATE|$TEST_TMP/state-obmc-plain|g" "$PAGES_CONF" >"$TEST_TMP/imapeek-obmc-plain.conf"
	PAGES_CONF=$TEST_TMP/imapeek-obmc-plain.conf
	groups_http cgi /lists/openbmc/ >"$TEST_TMP/obmc.client"
	cmp -s $TEST_TMP/obmc.client $TEST_TMP/obmc.dovecot; ok $? \
		"openbmc: client-side threads through the gateway equal Dovecot's"
	diff "$TEST_TMP/obmc.client" "$TEST_TMP/obmc.dovecot" | head -10 | while read -r l; do diag "$l"; done
else
	bail "the openbmc corpus is missing from ../shared/corpus"
fi

is "$(store_digest "$PAGES_STORE")" "$digest_before" "the sample store is unchanged"
done_testing
