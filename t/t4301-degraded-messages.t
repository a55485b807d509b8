#!/bin/sh
# One bad message never takes a page down.  Dovecot ends the session with
# "* BYE ... Internal error" when asked for BINARY.PEEK of a part whose
# base64 stops short of its last quantum; GNU imap4d never completes
# BODY[] of a message with a ">From " line (its literal is announced a
# byte longer than what it sends).  The message page, the thread page
# that holds it and the Atom feed answer 200 with the text recovered (our
# own decoder over BODY.PEEK) or a note; the exports leave out only what
# the store cannot give.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"

[ -x "$DOVECOT_IMAP" ] || bail "no Dovecot imap binary ($DOVECOT_IMAP)"

# A thread of three; the middle one's first part is base64 cut short.
MAIL=$TEST_TMP/mail
mkdir -p "$MAIL"
python3 - "$MAIL" <<'EOF'
import base64, sys
out = sys.argv[1]
text = ("hello world, this text survives its broken encoding. " * 8).encode()
broken = base64.b64encode(text).decode()[:-3]
def msg(n, subject, body, extra=""):
    head = ("From: Alice <alice@example.org>\nTo: dev@lists.example.org\n"
            "Subject: %s\nDate: Mon, 02 Jan 2023 1%d:00:00 +0000\n"
            "Message-ID: <deg.%d@example.org>\n%sMIME-Version: 1.0\n"
            % (subject, n, n, extra))
    with open("%s/%d.eml" % (out, n), "w") as f:
        f.write(head + body)
msg(1, "degraded thread", "Content-Type: text/plain\n\nThe first message.\n")
msg(2, "Re: degraded thread",
    'Content-Type: multipart/mixed; boundary="XX"\n\n--XX\n'
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: base64\n\n" + broken + "\n--XX\n"
    "Content-Type: text/plain\n\nthe second part\n--XX--\n",
    "In-Reply-To: <deg.1@example.org>\nReferences: <deg.1@example.org>\n")
msg(3, "Re: degraded thread", "Content-Type: text/plain\n\nThe third message.\n",
    "In-Reply-To: <deg.2@example.org>\n"
    "References: <deg.1@example.org> <deg.2@example.org>\n")
EOF
mkstore "$TEST_TMP/store" INBOX="$MAIL" >/dev/null || bail "mkstore failed"
DOVECOT_RAWLOG=$TEST_TMP/rawlog dovecot_setup "$TEST_TMP/store" "$TEST_TMP/state" ||
	bail "dovecot_setup failed"
out=$(imap_send 'EXAMINE INBOX' 'UID FETCH 2 (BINARY.PEEK[1])')
like "$out" '\* BYE' "Dovecot itself answers BINARY.PEEK of the cut base64 with BYE"
rm -rf "$TEST_TMP/rawlog"/*
PAGES_CONF=$TEST_TMP/imapeek.conf
{ cat "$IMAPD_STATE/imapd.conf"; echo "templates = $IMAPEEK_TOP/templates"; } >"$PAGES_CONF"

for front in httpd fcgi; do
	[ $front = httpd ] && httpd_start "$PAGES_CONF"
	[ $front = fcgi ] && fcgi_start "$PAGES_CONF"
	page $front /INBOX/2 format=json
	is "$RESP_STATUS" 200 "$front: the message page answers 200"
	like "$(json 'd["text"]')" 'this text survives its broken encoding' \
		"$front: ... with the text our decoder recovers"
	like "$(json 'd["text"]')" 'the second part' "$front: ... and its other part"
	page $front /INBOX/2
	is "$RESP_STATUS" 200 "$front: the HTML page too"
	page $front /INBOX/1/thread format=json
	is "$RESP_STATUS" 200 "$front: the thread page answers 200"
	is "$(json 'len(d["messages"])')" 3 "$front: ... with its three messages"
	like "$(json '[m["text"] for m in d["messages"]][1]')" 'survives' \
		"$front: ... the broken one with its text"
	is "$(json 'd["messages"][2]["text"].strip()')" "The third message." \
		"$front: ... and the one after it too"
	page $front /INBOX/new.atom
	is "$RESP_STATUS" 200 "$front: the Atom feed answers 200"
	like "$(cat "$RESP_BODY")" 'this text survives' "$front: ... with the entry's text"
	page $front /INBOX/1/thread.mbox
	is "$RESP_STATUS" 200 "$front: thread.mbox answers 200"
	is "$(grep -c '^From ' "$RESP_BODY")" 3 "$front: ... with the three messages"
	[ $front = httpd ] && httpd_stop
	[ $front = fcgi ] && fcgi_stop
done
ok "$(rawlog_lines "$TEST_TMP/rawlog" in | grep -q 'BODY.PEEK\[1\]' && echo 0 || echo 1)" \
	"the text came through BODY.PEEK after the BYE"
is "$(imapd_procs "$IMAPD_STATE/" | wc -l | tr -d ' ')" 0 "no imapd left running"

# GNU imap4d: the ">From " message in a thread.
[ -x "$IMAP4D" ] || bail "no GNU imap4d ($IMAP4D)"
MBOXES=$TEST_TMP/mboxes
mkdir -p "$MBOXES"
cat >"$MBOXES/INBOX" <<'EOF'
From alice@example.org Mon Jan  2 10:00:00 2023
From: Alice <alice@example.org>
Subject: quoting thread
Date: Mon, 02 Jan 2023 10:00:00 +0000
Message-ID: <q.1@example.org>

The first message.

From alice@example.org Mon Jan  2 11:00:00 2023
From: Alice <alice@example.org>
Subject: Re: quoting thread
Date: Mon, 02 Jan 2023 11:00:00 +0000
Message-ID: <q.2@example.org>
In-Reply-To: <q.1@example.org>
References: <q.1@example.org>

>From the mbox's point of view this line needs quoting.
The rest of the second message.

From alice@example.org Mon Jan  2 12:00:00 2023
From: Alice <alice@example.org>
Subject: Re: quoting thread
Date: Mon, 02 Jan 2023 12:00:00 +0000
Message-ID: <q.3@example.org>
In-Reply-To: <q.2@example.org>
References: <q.1@example.org> <q.2@example.org>

The third message.

EOF
chmod -R a-w "$MBOXES"
imap4d_setup "$MBOXES" "$TEST_TMP/state-imap4d" || bail "imap4d_setup failed"
PAGES_CONF=$TEST_TMP/imapeek-imap4d.conf
{ cat "$IMAPD_STATE/imapd.conf"; echo "templates = $IMAPEEK_TOP/templates"
  echo "timeout = 3"; } >"$PAGES_CONF"
httpd_start "$PAGES_CONF"
page httpd /INBOX/2 format=json
is "$RESP_STATUS" 200 "imap4d: the >From message's page answers 200"
like "$(json 'd["text"]')" 'The rest of the second message|could not be read' \
	"imap4d: ... with its text or a note"
page httpd /INBOX/1/thread format=json
is "$RESP_STATUS" 200 "imap4d: its thread page answers 200"
is "$(json 'len(d["messages"])')" 3 "imap4d: ... with the three messages"
is "$(json 'd["messages"][2]["text"].strip()')" "The third message." \
	"imap4d: ... the one after it with its text"
page httpd /INBOX/new.atom
is "$RESP_STATUS" 200 "imap4d: the Atom feed answers 200"
page httpd /INBOX/1/thread.mbox
is "$RESP_STATUS" 200 "imap4d: thread.mbox answers 200"
ok "$([ "$(grep -c '^From ' "$RESP_BODY")" -ge 2 ]; echo $?)" \
	"imap4d: ... with every message the store can give ($(grep -c '^From ' "$RESP_BODY") of 3)"
httpd_stop
cleanup
is "$(imapd_procs "$TEST_TMP/")" "" "no imapd left running"
done_testing
