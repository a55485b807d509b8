#!/bin/sh
# The summaries a server keeps (lib/summary_cache.h) are known by mailbox,
# UIDVALIDITY and UID, so they can never show a message that is not the
# one its UID names.  A mailbox rebuilt under the same name (its mail
# replaced and the imapd's index and UID list dropped, as an operator does
# after restoring a store) gets a new UIDVALIDITY and new mail under the
# old UIDs; a kept imapeek-httpd must then show the new mail, the same
# pages as a CGI request that keeps nothing.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"

pages_setup_sample
httpd_start "$PAGES_CONF" -j 1

# listing FRONT: "uid subject" of each message on lists/dev's first index
# page, and of the first message's outline.
listing() {
	page "$1" /lists/dev/ format=json
	[ "$RESP_STATUS" = 200 ] || { echo "status $RESP_STATUS"; return; }
	json '"\n".join("%d %s" % (m["uid"], m["subject"]) for m in d["messages"])'
	first=$(json 'd["messages"][0]["uid"]')
	page "$1" "/lists/dev/$first" format=json
	json '"\n".join("outline %d %s" % (o["uid"], o["subject"]) for o in d.get("outline") or [])'
}

before=$(listing httpd)
# Twice: the second is answered from the kept summaries.
is "$(listing httpd)" "$before" "a kept server lists lists/dev the same when asked again"
ok "$([ "$(printf '%s\n' "$before" | grep -c .)" -ge 10 ]; echo $?)" "... ten messages and more"

# -- the mailbox rebuilt: its mail with every Subject changed, and the
# imapd's state for it dropped
sleep 1   # Dovecot's new UIDVALIDITY is the time: a second later
other=$TEST_TMP/other
python3 "$IMAPEEK_TOOLS/gen-sample.py" "$TEST_TMP/other.mbox" >/dev/null ||
	bail "gen-sample failed"
# The same messages, each Subject marked: the same UIDs will name them.
sed 's/^Subject: /Subject: [rebuilt] /' "$TEST_TMP/other.mbox/1.mbox" >"$TEST_TMP/rebuilt.mbox"
mkstore "$other" "lists/dev=$TEST_TMP/rebuilt.mbox" >/dev/null || bail "mkstore failed"
dev=$PAGES_STORE/lists/dev
chmod -R u+w "$dev"
rm -rf "$dev/cur" "$dev/new" "$dev/tmp"
cp -R "$other/lists/dev/cur" "$other/lists/dev/new" "$other/lists/dev/tmp" "$dev/"
chmod -R a-w "$dev"
rm -rf "$IMAPD_STATE/index/lists/dev" "$IMAPD_STATE/control/lists/dev"

# The kept session may find its mailbox gone from under it: a page or
# two may fail while the worker opens another; then it must be right.
for try in 1 2 3; do
	after=$(listing httpd)
	case $after in "status "*) sleep 0.5 ;; *) break ;; esac
done
fresh=$(listing cgi)
ok "$([ "$fresh" != "$before" ] && [ -n "$fresh" ]; echo $?)" \
	"the rebuilt mailbox holds other mail (a CGI request, which keeps nothing)"
# The point: old UIDs now name other messages.
reused=$(python3 - "$before" "$fresh" <<-'EOF'
	import sys
	def uids(text):
	    return {l.split(" ", 1)[0]: l for l in text.splitlines() if l and not l.startswith("outline")}
	old, new = uids(sys.argv[1]), uids(sys.argv[2])
	print(sum(1 for u in old if u in new and old[u] != new[u]))
	EOF
)
ok "$([ "$reused" -ge 1 ]; echo $?)" "... under UIDs that named other messages before ($reused of them)"
is "$after" "$fresh" "the kept server shows the new mail, no summary of the old" ||
	diag "$(printf 'kept:\n%s\nfresh:\n%s\n' "$after" "$fresh")"
is "$(listing httpd)" "$fresh" "... and again, from its kept summaries"

httpd_stop
is "$(grep -c -E 'ERROR: AddressSanitizer|runtime error:' "$HTTPD_LOG")" 0 "no sanitizer report"
is "$(imapd_procs "$IMAPD_STATE/" | wc -l | tr -d ' ')" 0 "no imapd is left"
done_testing
