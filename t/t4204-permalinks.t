#!/bin/sh
# Permalinks: /MBOX/m/MSGID and /m/MSGID answer 302 to the message with
# exactly that Message-ID (IMAP's HEADER search matches substrings; the
# gateway compares), for ids with "/", "%", "+" and quotes, across
# mailboxes for /m/, and 404 for an unknown or hidden one.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"

[ -x "$DOVECOT_IMAP" ] || skip_all "no Dovecot imap binary ($DOVECOT_IMAP)"
chmod 755 "$TEST_TMP"

# msg ID SUBJECT: one mbox entry.
msg() {
	printf 'From sender@example.org Mon Jan  6 10:00:00 2020\n'
	printf 'From: Sender <sender@example.org>\nTo: list@example.org\n'
	printf 'Subject: %s\nDate: Mon, 06 Jan 2020 10:00:00 +0000\n' "$2"
	printf 'Message-ID: <%s>\n\nbody of %s\n\n' "$1" "$2"
}
{
	msg 'xx.long@example.org' 'the longer id'
	msg 'x.long@example.org' 'the shorter id, a substring of the longer'
	msg 'with/slash@example.org' 'slash'
	msg 'per%cent+plus@example.org' 'percent and plus'
	msg '"quoted.id"@example.org' 'quotes'
	msg 'a&b=c?d#e@example.org' 'query characters'
} >"$TEST_TMP/a.mbox"
{
	msg 'only.in.b@example.org' 'in the second mailbox'
} >"$TEST_TMP/b.mbox"
{
	msg 'secret.one@example.org' 'hidden'
} >"$TEST_TMP/secret.mbox"
mkstore "$TEST_TMP/store" lists/a="$TEST_TMP/a.mbox" lists/b="$TEST_TMP/b.mbox" \
	private/secret="$TEST_TMP/secret.mbox" >/dev/null || bail "mkstore failed"
dovecot_setup "$TEST_TMP/store" "$TEST_TMP/state" || bail "dovecot_setup failed"
PAGES_CONF=$TEST_TMP/imapeek.conf
{ cat "$IMAPD_STATE/imapd.conf"; echo "templates = $IMAPEEK_TOP/templates"
  echo "hide = private/*"; } >"$PAGES_CONF"
httpd_start "$PAGES_CONF"
fcgi_start "$PAGES_CONF"

enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

# expect FRONT PATH-PREFIX ID SUBJECT
expect() {
	page "$1" "$2$(enc "$3")"
	is "$RESP_STATUS" 302 "$1: $2 [$3] is 302"
	loc=$(header Location)
	like "$loc" '^/lists/[ab]/[0-9]+$' "$1: ... to a message page ($loc)"
	page "$1" "$loc" format=json
	is "$(json 'd["message_id"]')" "$3" "$1: ... whose Message-ID is exactly [$3]"
	is "$(json 'd["subject"]')" "$4" "$1: ... ($4)"
}
for f in httpd cgi fcgi; do
	expect $f /lists/a/m/ 'x.long@example.org' 'the shorter id, a substring of the longer'
	expect $f /lists/a/m/ 'xx.long@example.org' 'the longer id'
	expect $f /lists/a/m/ 'with/slash@example.org' 'slash'
	expect $f /lists/a/m/ 'per%cent+plus@example.org' 'percent and plus'
	expect $f /lists/a/m/ '"quoted.id"@example.org' 'quotes'
	expect $f /lists/a/m/ 'a&b=c?d#e@example.org' 'query characters'
	expect $f /m/ 'only.in.b@example.org' 'in the second mailbox'
	expect $f /m/ 'with/slash@example.org' 'slash'
	# An id pasted with its angle brackets is the same id.
	page $f "/m/$(enc '<xx.long@example.org>')"
	is "$RESP_STATUS" 302 "$f: [<xx.long@example.org>] is 302"
	loc=$(header Location)
	page $f "/m/$(enc 'xx.long@example.org')"
	is "$(header Location)" "$loc" "$f: ... to the message the id without them names"
	page $f "/lists/a/m/$(enc 'only.in.b@example.org')"
	is "$RESP_STATUS" 404 "$f: an id of another mailbox is 404 under this one"
	page $f "/lists/a/m/$(enc 'long@example.org')"
	is "$RESP_STATUS" 404 "$f: a substring of an id is 404, not a match"
	page $f "/m/$(enc 'secret.one@example.org')"
	is "$RESP_STATUS" 404 "$f: an id in a hidden mailbox is 404"
	page $f "/m/$(enc 'nobody@nowhere')"
	is "$RESP_STATUS" 404 "$f: an unknown id is 404"
done
httpd_stop
fcgi_stop
done_testing
