#!/bin/sh
# Broken mail through the real Dovecot and the message page's JSON: a
# missing or malformed Content-Type is text/plain (RFC 2045 5.2) and its
# text is shown; an address without a local part or a domain is shown as
# the mail had it, never with Dovecot's MISSING_MAILBOX / MISSING_DOMAIN,
# and group markers are not addresses.  First it checks that Dovecot
# still sends these messages in the degraded shapes the rules are for.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"

command -v python3 >/dev/null 2>&1 || bail "python3 is not installed"

msgs=$TEST_TMP/msgs
mkdir -p "$msgs" || bail "cannot make $msgs"
# msg NAME TEXT: one message, "\r\n" line ends written as such.
msg() { printf '%b' "$2" >"$msgs/$1" || bail "cannot write $1"; }
hdr='Date: Tue, 1 Jan 2019 00:00:00 +0000\r\nMIME-Version: 1.0\r\n'
msg 01 "From: a@example.org\r\nSubject: ct-text\r\n${hdr}Content-Type: text\r\n\r\nbody of text-only\r\n"
msg 02 "From: a@example.org\r\nSubject: ct-angle\r\n${hdr}Content-Type: <html>\r\n\r\n<p>angle html body</p>\r\n"
msg 03 "From: a@example.org\r\nSubject: ct-empty\r\n${hdr}Content-Type: \r\n\r\nempty type body\r\n"
msg 04 "From: a@example.org\r\nSubject: ct-charset\r\n${hdr}Content-Type: text; charset=utf-8\r\n\r\nb\303\244dy\r\n"
msg 05 "From: a@example.org\r\nSubject: ct-mixed\r\n${hdr}Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text\r\n\r\nfirst part\r\n--XX\r\nContent-Type: <html>; charset=utf-8\r\n\r\nsecond part\r\n--XX\r\nContent-Type: text/plain\r\n\r\nthird part\r\n--XX--\r\n"
msg 06 "From: a@example.org\r\nSubject: ct-base64\r\n${hdr}Content-Type: <html>\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8gYmFzZTY0Cg==\r\n"
msg 07 "From: foo\r\nTo: undisclosed-recipients:;\r\nSubject: addr-nodomain\r\n${hdr}\r\nbody\r\n"
msg 08 "From: <@example.org>\r\nTo: Friends: a@example.org, \"B\" <b@example.org>;, c@example.org\r\nCc: Empty:;\r\nSubject: addr-group\r\n${hdr}\r\nbody\r\n"
msg 09 "From: \"Name Only\" <foo>\r\nTo: foo@\r\nCc: @bar\r\nSubject: addr-local\r\n${hdr}\r\nbody\r\n"
msg 10 "From: <>\r\nTo: \"Just A Name\"\r\nSubject: addr-empty\r\n${hdr}\r\nbody\r\n"

mkstore "$TEST_TMP/store" "INBOX=$msgs" >/dev/null || bail "cannot build the store"
dovecot_setup "$TEST_TMP/store" "$TEST_TMP/state" || bail "cannot set up Dovecot"

# What Dovecot sends for them (the shapes lib/mime.c and lib/message.c
# read; if a new Dovecot sends others, the rows of t/unit need them too).
imap_send "EXAMINE INBOX" "FETCH 1:* (UID BODYSTRUCTURE ENVELOPE)" >"$TEST_TMP/raw" ||
	bail "imap_send failed: $(tail -3 "$IMAPD_STATE/imapd.stderr")"
raw() { grep "^S: \* $1 FETCH" "$TEST_TMP/raw"; }
like "$(raw 1)" 'BODYSTRUCTURE \("text" "" \(' 'Dovecot: "Content-Type: text" is "text" ""'
like "$(raw 2)" 'BODYSTRUCTURE \("" "" NIL' 'Dovecot: "Content-Type: <html>" is "" ""'
like "$(raw 4)" 'BODYSTRUCTURE \("" "" NIL' 'Dovecot: "text; charset=utf-8" is "" "", the charset lost'
like "$(raw 7)" '\(\(NIL NIL "foo" "MISSING_DOMAIN"\)\)' 'Dovecot: "From: foo" has MISSING_DOMAIN'
like "$(raw 7)" '\(\(NIL NIL "undisclosed-recipients" NIL\)\(NIL NIL NIL NIL\)\)' \
	'Dovecot: an empty group is a start and an end marker'
like "$(raw 8)" '"INVALID_ROUTE" "MISSING_MAILBOX" "MISSING_DOMAIN"' \
	'Dovecot: "<@example.org>" has INVALID_ROUTE, MISSING_MAILBOX, MISSING_DOMAIN'
like "$(raw 9)" '\(\(NIL NIL "MISSING_MAILBOX" "bar"\)\)' 'Dovecot: "Cc: @bar" has MISSING_MAILBOX'

conf=$TEST_TMP/imapeek.conf
{
	cat "$IMAPD_STATE/imapd.conf"
	echo "templates = $IMAPEEK_TOP/templates"
	echo "page-size = 50"
} >"$conf"
PAGES_CONF=$conf
httpd_start "$conf"

page httpd /INBOX/ format=json
is "$(json 'len(d["messages"])')" 10 "the index lists the ten messages"
json 'dict((m["subject"], m["uid"]) for m in d["messages"])' >"$TEST_TMP/uids"
uid() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$TEST_TMP/uids" "$1"; }
placeholders='MISSING_(DOMAIN|MAILBOX)|[Mm]issing_(domain|mailbox)|INVALID_ROUTE'
unlike "$(cat "$RESP_BODY")" "$placeholders" "the index shows no placeholder"

# message SUBJECT: its page as JSON in RESP_BODY, and a check that neither
# the JSON nor the HTML page shows a placeholder.
message() {
	_uid=$(uid "$1") || bail "no message $1"
	page httpd "/INBOX/$_uid"
	is "$RESP_STATUS" 200 "$1: the page answers 200"
	unlike "$(cat "$RESP_BODY")" "$placeholders" \
		"$1: the HTML page shows no placeholder"
	page httpd "/INBOX/$_uid" format=json
	unlike "$(cat "$RESP_BODY")" "$placeholders" \
		"$1: the JSON shows no placeholder"
}

# 1. Malformed Content-Type: text/plain, displayed.
message ct-text
is "$(json '[p["type"] for p in d["parts"]]')" '["text/plain"]' 'Content-Type: text: the part is text/plain'
is "$(json 'd["text"].strip()')" 'body of text-only' 'Content-Type: text: its text is shown'
message ct-angle
is "$(json '[p["type"] for p in d["parts"]]')" '["text/plain"]' 'Content-Type: <html>: the part is text/plain'
is "$(json 'd["text"].strip()')" '<p>angle html body</p>' 'Content-Type: <html>: its text is shown as plain text'
message ct-empty
is "$(json '[p["type"] for p in d["parts"]]')" '["text/plain"]' 'an empty Content-Type: text/plain'
is "$(json 'd["text"].strip()')" 'empty type body' 'an empty Content-Type: its text is shown'
message ct-charset
is "$(json 'd["text"].strip()')" 'bädy' 'text; charset=utf-8: UTF-8 read although Dovecot dropped the charset'
message ct-mixed
is "$(json '[p["type"] for p in d["parts"]]')" '["text/plain", "text/plain", "text/plain"]' \
	'multipart/mixed: the malformed parts are text/plain'
is "$(json '[l for l in d["text"].split("\n") if l]')" '["first part", "second part", "third part"]' \
	'multipart/mixed: all three texts are shown'
message ct-base64
is "$(json 'd["text"].strip()')" 'hello base64' 'a malformed type in base64: decoded and shown'
page httpd "/INBOX/$(uid ct-angle)/1"
is "$RESP_STATUS" 200 'the part page serves the malformed part'
like "$(header Content-Type)" '^text/plain' '... as text/plain'

# 2. Addresses as the mail had them.
addrs='[(a["name"], a["address"]) for a in d[%s]]'
message addr-nodomain
is "$(json "$(printf "$addrs" '"from"')")" '[[null, "foo"]]' 'From: foo is "foo"'
is "$(json "$(printf "$addrs" '"to"')")" '[]' 'To: undisclosed-recipients:; lists no address'
message addr-group
# The pages read addresses from the header fields (lib/message.h), not
# the ENVELOPE, where Dovecot made a route of it: a domain without a
# local part, like "Cc: @bar".
is "$(json "$(printf "$addrs" '"from"')")" '[[null, "@example.org"]]' \
	'From: <@example.org> is "@example.org"'
is "$(json "$(printf "$addrs" '"to"')")" \
	'[[null, "a@example.org"], ["B", "b@example.org"], [null, "c@example.org"]]' \
	'To: a group and an address: the members and the address, no group markers'
is "$(json "$(printf "$addrs" '"cc"')")" '[]' 'Cc: Empty:; lists no address'
message addr-local
is "$(json "$(printf "$addrs" '"from"')")" '[["Name Only", "foo"]]' 'From: "Name Only" <foo>'
is "$(json "$(printf "$addrs" '"to"')")" '[[null, "foo"]]' 'To: foo@ is "foo"'
is "$(json "$(printf "$addrs" '"cc"')")" '[[null, "@bar"]]' 'Cc: @bar is "@bar"'
message addr-empty
is "$(json "$(printf "$addrs" '"from"')")" '[[null, ""]]' 'From: <> has an empty address'
is "$(json "$(printf "$addrs" '"to"')")" '[["Just A Name", ""]]' 'To: "Just A Name" is a name without an address'

httpd_stop
done_testing
