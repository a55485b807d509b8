#!/bin/sh
# obfuscate = yes keeps its promise on every page a browser shows: HTML
# pages, Atom feeds and JSON.  One message holds a distinct address in
# every header (From, To, Cc, Reply-To, Sender, List-Post, display names,
# the subject), in its body lines, quoted lines, a text/markdown part, a
# text/html part (an entity too), a quoted-printable part, a UTF-16
# part, an attachment's text and filename and an embedded message; its
# parent one more.  Every page type and its JSON must show none of them
# whole (local@domain).  Message-IDs are kept (they name messages: the
# permalinks and JSON fields are made of them); raw and mbox keep every
# address: they are the messages' bytes.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"

[ -x "$DOVECOT_IMAP" ] || skip_all "no Dovecot imap binary ($DOVECOT_IMAP)"

mkdir -p "$TEST_TMP/src"
python3 - "$TEST_TMP/src" <<'EOF'
import base64, sys
out = sys.argv[1]
parent = (
    "From: Alice Parent <parent-from@a-from.example>\r\n"
    "To: The List <parent-to@a-to.example>\r\n"
    "Subject: Where to write\r\n"
    "Date: Mon, 02 Jan 2023 10:00:00 +0000\r\n"
    "Message-ID: <parent.1@msgid.example>\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Write to parent-body@a-body.example please.\r\n")
utf16 = base64.b64encode("UTF-16 text: utf16-addr@u16.example\n".encode("utf-16")).decode()
attached = base64.b64encode(b"attached text attached-text@attach.example\n").decode()
child = (
    "From: \"display-name@name.example\" <from-addr@from.example>\r\n"
    "To: To Person <to-addr@to.example>, to-other@to2.example\r\n"
    "Cc: cc-addr@cc.example\r\n"
    "Reply-To: reply-addr@reply.example\r\n"
    "Sender: sender-addr@sender.example\r\n"
    "List-Post: <mailto:list-post@lists.example>\r\n"
    "Subject: Re: Where to write: subject-addr@subject.example\r\n"
    "Date: Tue, 03 Jan 2023 10:00:00 +0000\r\n"
    "Message-ID: <child.2@msgid.example>\r\n"
    "In-Reply-To: <parent.1@msgid.example>\r\n"
    "References: <parent.1@msgid.example>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
    "\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Hello body-line@body.example, and j\u00f6rg@umlaut.example.\r\n"
    "> quoted-line@quote.example wrote:\r\n"
    "> > deeper-quote@quote2.example said so\r\n"
    "See mailto:mailto-addr@mailto.example or\r\n"
    "https://web.example/u/url-addr@url.example/ and <angle-addr@angle.example>.\r\n"
    "--b1\r\n"
    "Content-Type: text/markdown; charset=utf-8\r\n"
    "Content-Disposition: inline\r\n"
    "\r\n"
    "# Notes\r\n\r\nMail [me](mailto:md-link@md.example) or <md-auto@md.example>\r\n"
    "or md-plain@md.example, `md-code@md.example`.\r\n"
    "--b1\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Content-Disposition: inline\r\n"
    "\r\n"
    "<p>Ask <a href=\"mailto:html-href@html.example\">html-text@html.example</a>"
    " or &#104;tml-entity@html.example.</p>\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Encoded: qp-addr=40qp.example and a soft=\r\n"
    " break soft-addr@qp=\r\n"
    "2.example\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=utf-16\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n" + utf16 + "\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=us-ascii; name=\"file-addr@file.example.txt\"\r\n"
    "Content-Disposition: attachment; filename=\"file-addr@file.example.txt\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n" + attached + "\r\n"
    "--b1\r\n"
    "Content-Type: message/rfc822\r\n"
    "Content-Disposition: inline\r\n"
    "\r\n"
    "From: Inner <inner-from@inner.example>\r\n"
    "To: inner-to@inner.example\r\n"
    "Subject: inner subject inner-subject@inner.example\r\n"
    "Date: Sun, 01 Jan 2023 10:00:00 +0000\r\n"
    "Message-ID: <inner.3@msgid.example>\r\n"
    "\r\n"
    "Inner body inner-body@inner.example.\r\n"
    "--b1--\r\n")
for name, text in (("1-parent.eml", parent), ("2-child.eml", child)):
    with open("%s/%s" % (out, name), "w", encoding="utf-8", newline="") as f:
        f.write(text)
EOF
ADDRESSES="parent-from@a-from.example parent-to@a-to.example parent-body@a-body.example
display-name@name.example from-addr@from.example to-addr@to.example to-other@to2.example
cc-addr@cc.example reply-addr@reply.example sender-addr@sender.example
subject-addr@subject.example body-line@body.example jörg@umlaut.example
quoted-line@quote.example deeper-quote@quote2.example mailto-addr@mailto.example
url-addr@url.example angle-addr@angle.example md-link@md.example md-auto@md.example
md-plain@md.example md-code@md.example html-href@html.example html-text@html.example
html-entity@html.example qp-addr@qp.example soft-addr@qp2.example utf16-addr@u16.example
attached-text@attach.example file-addr@file.example inner-from@inner.example
inner-to@inner.example inner-subject@inner.example inner-body@inner.example
list-post@lists.example"
MSGIDS="parent.1@msgid.example child.2@msgid.example inner.3@msgid.example"

store=$TEST_TMP/store
mkstore "$store" "lists/obf=$TEST_TMP/src" >/dev/null || bail "cannot build the store"
dovecot_setup "$store" "$TEST_TMP/state" || bail "cannot set up Dovecot"
conf=$TEST_TMP/imapeek.conf
{
	cat "$IMAPD_STATE/imapd.conf"
	echo "templates = $IMAPEEK_TOP/templates"
	echo "obfuscate = yes"
} >"$conf"
httpd_start "$conf"

page httpd /lists/obf/ format=json
parent=$(json '[m["uid"] for m in d["messages"] if m["subject"] == "Where to write"][0]')
child=$(json '[m["uid"] for m in d["messages"] if m["subject"] != "Where to write"][0]')
page httpd "/lists/obf/$child" format=json
sections=$(json '" ".join(p["section"] for p in d["parts"] if p["type"].startswith("text/"))')
like "$sections" '^1 2 3 4 5 6 7\.1$' "the message has its seven text parts ($sections)"

# leaks FILE: every whole address in FILE (Message-IDs taken out), one a
# line, and each of ours that is there in any case.
leaks() {
	python3 - "$1" "$ADDRESSES" "$MSGIDS" <<'EOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
for msgid in sys.argv[3].split():
    text = text.replace(msgid, "")
found = set(re.findall(r"[\w.!#$%&'*+/=?^`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+", text))
low = text.lower()
found |= {a for a in sys.argv[2].split() if a.lower() in low}
print(" ".join(sorted(found)))
EOF
}

# check NAME PATH [QUERY]: 200 and no address in the answer.
check() {
	page httpd "$2" "${3-}"
	is "$RESP_STATUS" 200 "$1: 200"
	is "$(leaks "$RESP_BODY")" "" "$1: no address whole"
}

check "mailbox list" /
check "mailbox list, JSON" / format=json
check "index" /lists/obf/
check "index, JSON" /lists/obf/ format=json
check "thread index" /lists/obf/threads/
check "thread index, JSON" /lists/obf/threads/ format=json
for uid in $parent $child; do
	check "message $uid" "/lists/obf/$uid"
	check "message $uid, JSON" "/lists/obf/$uid" format=json
done
for section in $sections; do
	check "text part $section" "/lists/obf/$child/$section"
	like "$(header Content-Type)" '^text/plain; charset=utf-8' "text part $section: as text in UTF-8"
done
check "thread" "/lists/obf/$child/thread"
check "thread, JSON" "/lists/obf/$child/thread" format=json
check "search" /lists/obf/search q=write
like "$(cat "$RESP_BODY")" "/lists/obf/$child\"" "search: finds the message"
check "search, JSON" /lists/obf/search 'q=write&format=json'
check "search, Atom" /lists/obf/search 'q=write&format=atom'
check "Atom feed" /lists/obf/new.atom

# What the pages still carry: the local part, the Message-IDs.
page httpd "/lists/obf/$child" format=json
is "$(json 'd["from"][0]["address"]')" "from-addr@…" "JSON: the address with its domain hidden"
is "$(json 'd["message_id"]')" "child.2@msgid.example" "JSON: the Message-ID as it is"
is "$(json 'd["in_reply_to"]')" "parent.1@msgid.example" "JSON: In-Reply-To as it is"
page httpd "/lists/obf/m/child.2@msgid.example"
is "$RESP_STATUS" 302 "the permalink by Message-ID still works"
page httpd "/lists/obf/$child"
like "$(cat "$RESP_BODY")" 'body-line@…' "the message page shows body-line@…"
like "$(cat "$RESP_BODY")" 'md-plain@…' "... and the Markdown part's md-plain@…"
IMAPEEK_CONF=$conf cgi_get "/lists/obf/$child/1" "" >"$TEST_TMP/get.out"
cgi_response "$TEST_TMP/get.out"
get_len=$(wc -c <"$RESP_BODY" | tr -d ' ')
CGI_METHOD=HEAD IMAPEEK_CONF=$conf cgi_get "/lists/obf/$child/1" "" >"$TEST_TMP/head.out"
cgi_response "$TEST_TMP/head.out"
is "$(header Content-Length)" "$get_len" "HEAD of a hidden text part: the GET's length ($get_len), counted"
is "$(wc -c <"$RESP_BODY" | tr -d ' ')" 0 "... and no body"

# raw and mbox keep them: they are the messages' bytes.
page httpd "/lists/obf/$child/raw"
like "$(cat "$RESP_BODY")" 'from-addr@from\.example' "raw keeps the addresses"
page httpd "/lists/obf/$child/thread.mbox"
like "$(cat "$RESP_BODY")" 'parent-from@a-from\.example' "thread.mbox keeps the addresses"
page httpd "/lists/obf/$child/6"
like "$(header Content-Disposition)" '^attachment; filename="file-addr@_"' \
	"a part's download name has its domain hidden too ($(header Content-Disposition))"
httpd_stop

# Without obfuscate the same pages show them: the check above sees them.
grep -v '^obfuscate' "$conf" >"$conf.plain"
httpd_start "$conf.plain"
page httpd "/lists/obf/$child"
like "$(leaks "$RESP_BODY")" 'body-line@body\.example' "obfuscate = no: the message page shows addresses (the check sees them)"
page httpd "/lists/obf/$child/thread"
like "$(leaks "$RESP_BODY")" 'md-plain@md\.example' "obfuscate = no: the thread page shows the Markdown part's"
httpd_stop
done_testing
