#!/bin/sh
# Mailbox names whose levels hold a "/": on a server whose delimiter is
# "." (or NIL), "lists/dev" is one level, and the mailbox "lists" > "dev"
# can sit beside it.  Both must be served, each at its own URL ("/" between
# levels, "%2F" inside one), with its own messages, on every page type.
#
# The real store: Dovecot with LAYOUT=index and the namespace separator
# ".", where a folder is kept by GUID and its name only in the list index,
# so any character can be in a level.  Dovecot itself makes the store
# (CREATE, APPEND); then the folders are made read-only and served.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"

[ -x "$DOVECOT_IMAP" ] || bail "no Dovecot imap binary ($DOVECOT_IMAP)"

STORE=$TEST_TMP/store
mkdir -p "$STORE/cur" "$STORE/new" "$STORE/tmp"
_imapd_is_root && chown -R "$IMAPD_RUN_USER:$IMAPD_RUN_GROUP" "$STORE"
DOVECOT_LAYOUT=index DOVECOT_SEPARATOR=. \
	dovecot_setup "$STORE" "$TEST_TMP/state" || bail "dovecot_setup"

# name<TAB>url-path<TAB>label: the server name (separator "."), where
# imapeek serves it, and the name it shows.
NAMES=$TEST_TMP/names
cat >"$NAMES" <<'EOF'
lists/dev	/lists%2Fdev/	lists/dev
lists.dev	/lists/dev/	lists/dev
Grüße/2020.Q1	/Gr%C3%BC%C3%9Fe%2F2020/Q1/	Grüße/2020/Q1
50% off	/50%25%20off/	50% off
secret/x	/secret%2Fx/	secret/x
EOF

# Each mailbox gets three messages of its own (one a reply, for a thread)
# whose subjects name it; APPEND through the imapd, as a mail delivery
# would.
python3 - "$DOVECOT_IMAP" "$IMAPD_STATE/dovecot.conf" "$IMAPD_STATE" "$NAMES" "$IMAPEEK_TOOLS" 2>"$TEST_TMP/make-store.err" <<'EOF' ||
import imaplib, sys
imapd, conf, state, names, tools = sys.argv[1:]
sys.path.insert(0, tools)
from mkmaildir import mutf7_encode
imap = imaplib.IMAP4_stream("env USER=imapeek HOME=%s %s -c %s" % (state, imapd, conf))
for n, line in enumerate(open(names, encoding="utf-8")):
    name = line.split("\t")[0]
    quoted = '"%s"' % mutf7_encode(name)
    typ, data = imap._simple_command("CREATE", quoted)
    assert typ == "OK", (name, data)
    for i in range(3):
        reply = "In-Reply-To: <m0.%d@levels.test>\r\n" % n if i else ""
        msg = ("From: Ann <ann@levels.test>\r\nTo: list@levels.test\r\n"
               "Subject: %s[%s] message %d\r\nDate: Mon, 0%d Mar 2021 10:00:00 +0000\r\n"
               "Message-ID: <m%d.%d@levels.test>\r\n%s"
               "Content-Type: text/plain; charset=utf-8\r\n\r\n"
               "Body %d of %s.\r\n" % ("Re: " if i else "", name, i, i + 1, i,
                                       n, reply, i, name)).encode()
        typ, data = imap.append(quoted, None, None, msg)
        assert typ == "OK", (name, data)
# INBOX too: the imapd cannot create it later in a read-only store.
typ, data = imap.status("INBOX", "(MESSAGES)")
assert typ == "OK", data
imap.logout()
EOF
	bail "making the store through Dovecot failed: $(tail -3 "$TEST_TMP/make-store.err")"

out=$(imap_send 'LIST "" "*"')
like "$out" 'LIST \([^)]*\) "\." "?lists/dev"?' 'Dovecot lists "lists/dev" as one level (separator ".")'
like "$out" 'LIST \([^)]*\) "\." "?lists\.dev"?' "and lists.dev beside it"

# From here on the folders are read-only; only the state is Dovecot's.
chmod -R a-w "$STORE"
digest=$(store_digest "$STORE")

conf=$TEST_TMP/imapeek.conf
{ cat "$IMAPD_STATE/imapd.conf"; echo "templates = $IMAPEEK_TOP/templates"
  echo "hide = secret"; } >"$conf"
httpd_start "$conf"

http_get "$HTTPD_URL/?format=json"
is "$RESP_STATUS" 200 "the mailbox list answers 200"
python3 - "$RESP_BODY" "$NAMES" >"$TEST_TMP/list.tap" <<'EOF'
import json, sys
listed = {m["url"]: m for m in json.load(open(sys.argv[1]))["mailboxes"]}
for line in open(sys.argv[2], encoding="utf-8"):
    name, url, label = line.rstrip("\n").split("\t")
    m = listed.get(url)
    if name.startswith("secret"):
        print("%s - %s is hidden by hide = secret (its name as people read it)"
              % ("not ok" if m else "ok", name))
        continue
    print("%s - %s is listed at %s" % ("ok" if m else "not ok", name, url))
    print("%s - %s is shown as %s with 3 messages" % (
        "ok" if m and m["name"] == label and m["messages"] == 3 else "not ok",
        name, label))
EOF
tap_lines "$TEST_TMP/list.tap"

http_get "$HTTPD_URL/"
like "$(cat "$RESP_BODY")" 'href="/lists%2Fdev/"' "the HTML list links the one-level lists/dev with %2F"
like "$(cat "$RESP_BODY")" 'href="/Gr%C3%BC%C3%9Fe%2F2020/Q1/"' "and Grüße/2020 > Q1 with a %2F in its first level"

# Every page type of every mailbox: its own messages, nothing of the other.
tab=$(printf '\t')
while IFS=$tab read -r name url label; do
	case $name in secret*) continue ;; esac
	base=$HTTPD_URL$url
	http_get "${base}?format=json"
	uids=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(str(m["uid"]) for m in d["messages"]))' "$RESP_BODY")
	subjects=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["mailbox"] + "|" + "|".join(sorted(m["subject"] for m in d["messages"])))' "$RESP_BODY")
	is "$subjects" "$label|Re: [$name] message 1|Re: [$name] message 2|[$name] message 0" \
		"$name: its index holds its own three messages"
	uid=${uids##* }
	n=$(awk -F"$tab" -v name="$name" '$1 == name { print NR }' "$NAMES")
	for page in "$uid" "$uid/raw" "$uid/1" "$uid/thread" "$uid/thread.mbox" \
		threads/ "search?q=message" new.atom "m/m0.$((n - 1))@levels.test"; do
		http_get "$base$page" -L
		[ "$RESP_STATUS" = 200 ] || { ok 0 "$name: $url$page answers $RESP_STATUS"; continue; }
		grep -qF -e "[$name] message" -e " of $name." "$RESP_BODY"
		ok $? "$name: $url$page answers 200 with its mail"
	done
	http_get "${base}search?q=message&format=json"
	is "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"])' "$RESP_BODY")" 3 \
		"$name: a search finds its three messages"
done <"$NAMES"

http_get "$HTTPD_URL/secret%2Fx/"
is "$RESP_STATUS" 404 "the hidden mailbox is a 404"
http_get "$HTTPD_URL/lists/dev%2F/"
is "$RESP_STATUS" 404 "lists > dev/ (no such level) is a 404"

httpd_stop
is "$(store_digest "$STORE")" "$digest" "the store is unchanged"
cleanup
is "$(imapd_procs "$TEST_TMP/")" "" "no imapd left running"
done_testing
