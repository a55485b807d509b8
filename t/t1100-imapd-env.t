#!/bin/sh
# The test imapds: stores built by mkmaildir.py are served by Dovecot and
# GNU imap4d with the right names and counts, and nothing a client sends
# straight to the imapd changes a byte or a name of the store.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-imapd.sh"

NOTMUCH="$SHARED_CORPUS/edge-notmuch-corpora"
PERL_MBOX="$SHARED_CORPUS/edge-perl-mail-box-mbox/mbox.src"
[ -d "$NOTMUCH" ] && [ -r "$PERL_MBOX" ] || skip_all "no shared corpus"
[ -x "$DOVECOT_IMAP" ] || skip_all "no Dovecot imap binary ($DOVECOT_IMAP)"
[ -x "$IMAP4D" ] || skip_all "no GNU Mailutils imap4d ($IMAP4D)"

# The imapds run as nobody when we are root: let them reach TEST_TMP.
chmod 755 "$TEST_TMP"
GRUESSE='Grüße & Co'
GRUESSE_MUTF7='Gr&APwA3w-e &- Co'

# mutf7_decode NAME: RFC 3501 modified UTF-7 to UTF-8.
mutf7_decode() {
	python3 -c 'import base64, re, sys
def dec(m):
    s = m.group(1)
    if not s:
        return "&"
    s = s.replace(",", "/")
    return base64.b64decode(s + "=" * (-len(s) % 4)).decode("utf-16-be")
sys.stdout.write(re.sub(r"&([A-Za-z0-9+,]*)-", dec, sys.argv[1]))' "$1"
}

# status_messages TRANSCRIPT MAILBOX-AS-SENT: the MESSAGES of a STATUS.
status_messages() {
	printf '%s\n' "$1" | grep -F "* STATUS $2 (" |
		sed -n 's/.*MESSAGES \([0-9]*\).*/\1/p'
}

# ---- sources: a folder of three messages, an mboxrd ------------------
SRC="$TEST_TMP/src"
mkdir -p "$SRC/gruesse" "$SRC/mbox"
printf 'From: a@example.org\nSubject: lf\nDate: Tue, 02 Mar 2021 10:00:00 +0000\nMessage-ID: <lf@example.org>\n\nLF only.\n' \
	>"$SRC/gruesse/1-lf.eml"
printf 'From: b@example.org\r\nSubject: crlf\r\nDate: Wed, 03 Mar 2021 11:30:00 +0100\r\nMessage-ID: <crlf@example.org>\r\n\r\nCRLF.\r\n' \
	>"$SRC/gruesse/2-crlf.eml"
printf 'From: c@example.org\nSubject: no date\nMessage-ID: <nodate@example.org>\n\nNo Date header.\n' \
	>"$SRC/gruesse/3-nodate.eml"
echo 'not a message: SOURCE.txt is skipped' >"$SRC/gruesse/SOURCE.txt"
cat >"$SRC/mbox/INBOX" <<'EOF'
From alice@example.org Mon Jan  4 10:00:00 2021
From: alice@example.org
Subject: one
Date: Mon, 04 Jan 2021 10:00:00 +0000
Message-ID: <one@example.org>

>From the mboxrd quoting: this line starts with From.
>>From this one with one quote.

From bob@example.org Tue Jan  5 10:00:00 2021
From: bob@example.org
Subject: two
Date: Tue, 05 Jan 2021 10:00:00 +0000
Message-ID: <two@example.org>

From fc88cba7f1f37b9cf3b296eace2422dd0e173502 Mon Sep 17 00:00:00 2001
An attached patch (git's magic From line is not a separator).

From carol@example.org Wed Jan  6 10:00:00 2021
From: carol@example.org
Subject: three
Message-ID: <three@example.org>

Three.

EOF

# ---- mkmaildir.py -----------------------------------------------------
STORE="$TEST_TMP/store"
notmuch_files=$(find "$NOTMUCH" -type f ! -name SOURCE.txt ! -name 'README*' | wc -l)
built=$(mkstore "$STORE" "notmuch=$NOTMUCH" "Archiv/$GRUESSE=$SRC/gruesse" \
	"INBOX=$SRC/mbox/INBOX")
ok $? "mkmaildir.py builds the store"
is "$(printf '%s\n' "$built" | LC_ALL=C sort | tr '\t\n' '=;')" \
	"Archiv/$GRUESSE=3;INBOX=3;notmuch=$notmuch_files;" \
	"one message per file, three in the mbox ($notmuch_files notmuch files)"
is "$(find "$STORE/notmuch/cur" -type f | wc -l)" "$notmuch_files" \
	"as many files in notmuch/cur as source files"
ok "$(test -d "$STORE/Archiv/$GRUESSE_MUTF7/cur"; echo $?)" \
	"the folder name is modified UTF-7 on disk"
cmp -s "$SRC/gruesse/2-crlf.eml" "$STORE/Archiv/$GRUESSE_MUTF7/cur/2.imapeek:2,"
ok $? "a CRLF message is stored byte for byte"
first_line=$(grep -rl '87k0e9o0pu.fsf@tethera.net' "$STORE/notmuch/cur" | head -1)
is "$(head -1 "$first_line")" "From: David Bremner <david@tethera.net>" \
	"an .eml starting with a From_ line loses that line"
is "$(grep -c '^From ' "$first_line")" 1 "... keeping the attached patch's From line"
like "$(cat "$STORE/cur/1.imapeek:2,")" \
	'^From: alice@example.org.*
From the mboxrd quoting: this line starts with From.
>From this one with one quote.$' "mboxrd quoting is undone, no trailing separator line"
unlike "$(cat "$STORE/cur/2.imapeek:2,")" "^From carol" \
	"the message before a separator ends there"
is "$(stat -c %a "$STORE/cur/1.imapeek:2," "$STORE/cur" "$STORE")" "444
555
555" "files are 0444, folders 0555"
is "$(TZ=UTC stat -c %y "$STORE/Archiv/$GRUESSE_MUTF7/cur/2.imapeek:2," | cut -c1-19)" \
	"2021-03-03 10:30:00" "mtime is the Date header"
is "$(TZ=UTC stat -c %y "$STORE/cur/3.imapeek:2," | cut -c1-19)" \
	"2021-01-06 10:00:00" "without a Date header: the From_ line's date"
is "$(TZ=UTC stat -c %y "$STORE/Archiv/$GRUESSE_MUTF7/cur/3.imapeek:2," | cut -c1-19)" \
	"2000-01-01 00:00:00" "without either: the fixed date"
DIGEST=$(store_digest "$STORE")
like "$DIGEST" '^[0-9a-f]{64}$' "store_digest prints one sha256"

# ---- Dovecot ------------------------------------------------------------
dovecot_setup "$STORE" "$TEST_TMP/dovecot"
ok $? "dovecot_setup"
like "$(cat "$IMAPD_STATE/imapd.conf")" "^imapd = $DOVECOT_IMAP -c $IMAPD_STATE/dovecot.conf
imapd-env = USER=imapeek
imapd-env = HOME=$IMAPD_STATE\$" "imapd.conf holds the imapeek.conf lines"
out=$(imap_send 'LIST "" "*"' 'STATUS notmuch (MESSAGES)' \
	"STATUS \"Archiv/$GRUESSE_MUTF7\" (MESSAGES)" 'STATUS INBOX (MESSAGES)')
ok $? "a Dovecot session runs to LOGOUT"
names=$(printf '%s\n' "$out" | sed -n 's/^S: \* LIST ([^)]*) "\/" //p' |
	tr -d '"' | while read -r name; do mutf7_decode "$name"; echo; done |
	LC_ALL=C sort | tr '\n' ';')
is "$names" "Archiv;Archiv/$GRUESSE;INBOX;notmuch;" "LIST shows the UTF-8 names"
is "$(status_messages "$out" notmuch)" "$notmuch_files" "STATUS notmuch counts every file"
is "$(status_messages "$out" "\"Archiv/$GRUESSE_MUTF7\"")" 3 "STATUS of the name with space, & and ü"
is "$(status_messages "$out" INBOX)" 3 "STATUS INBOX: the mbox's three"

out=$(imap_send "EXAMINE \"Archiv/$GRUESSE_MUTF7\"" 'FETCH 1:* (UID INTERNALDATE)' \
	'UID FETCH 2 BODY.PEEK[]' 'EXAMINE notmuch' 'FETCH 1:* BODY.PEEK[]' \
	'FETCH 1:* FLAGS')
like "$out" 'FETCH \(UID 2 INTERNALDATE "03-Mar-2021 10:30:00 \+0000"\)' \
	"INTERNALDATE is the Date header, UIDs in load order"
like "$out" 'BODY\[\] \{[0-9]+\}
From: b@example.org' "BODY.PEEK[] returns the message"
is "$(printf '%s\n' "$out" | grep -c '^S: \* [0-9]* FETCH (BODY\[\] {')" "$notmuch_files" \
	"every notmuch message fetched"
is "$(printf '%s\n' "$out" | grep -c '^S: \* [0-9]* FETCH (FLAGS ([^)]*Seen')" 0 "BODY.PEEK[] sets no \\Seen"
is "$(store_digest "$STORE")" "$DIGEST" "EXAMINE + FETCH BODY.PEEK[] leave the store as it was"

# Straight to the imapd, not through imapeek: every write must fail.
msg='From: x@example.org
Subject: appended

x'
out=$(DOVECOT_RAWLOG="$TEST_TMP/rawlog" dovecot_setup "$STORE" "$TEST_TMP/dovecot" &&
	imap_send 'SELECT INBOX' 'STORE 1:* +FLAGS (\Seen \Deleted)' 'EXPUNGE' \
	"APPEND INBOX {${#msg}}
$msg" 'CREATE created' 'RENAME notmuch renamed' 'DELETE notmuch' \
	'SELECT notmuch' 'STORE 1:* +FLAGS (\Seen \Answered \Deleted)' 'EXPUNGE')
like "$out" 'OK \[READ-ONLY\] Select' "Dovecot sees the store as read-only"
is "$(store_digest "$STORE")" "$DIGEST" "SELECT, STORE, EXPUNGE, APPEND, CREATE, RENAME, DELETE change nothing"
out=$(imap_send 'STATUS notmuch (MESSAGES)' 'STATUS INBOX (MESSAGES)' 'LIST "" "*"')
is "$(status_messages "$out" notmuch);$(status_messages "$out" INBOX)" "$notmuch_files;3" \
	"a fresh session still counts every message"
unlike "$out" 'created|renamed' "no mailbox was created or renamed"
like "$(rawlog_lines "$TEST_TMP/rawlog" in)" '^t1 SELECT INBOX
t2 STORE 1:\* \+FLAGS' "DOVECOT_RAWLOG records what the imapd received"

# ---- GNU Mailutils imap4d ----------------------------------------------
MBOXES="$TEST_TMP/mboxes"
mkdir -p "$MBOXES/lists"
cp "$SRC/mbox/INBOX" "$MBOXES/INBOX"
cp "$SRC/mbox/INBOX" "$MBOXES/$GRUESSE_MUTF7"
cp "$PERL_MBOX" "$MBOXES/lists/dev"
chmod 444 "$MBOXES/INBOX" "$MBOXES/$GRUESSE_MUTF7" "$MBOXES/lists/dev"
chmod 555 "$MBOXES/lists" "$MBOXES"
MBOX_DIGEST=$(store_digest "$MBOXES")
perl_count=$(grep -c '^From ' "$PERL_MBOX")
imap4d_setup "$MBOXES" "$TEST_TMP/imap4d"
ok $? "imap4d_setup"
out=$(imap_send 'LIST "" "*"' 'STATUS INBOX (MESSAGES)' 'STATUS lists/dev (MESSAGES)' \
	"STATUS \"$GRUESSE_MUTF7\" (MESSAGES)" 'EXAMINE lists/dev' 'FETCH 1:* BODY.PEEK[]')
ok $? "an imap4d session runs to LOGOUT"
names=$(printf '%s\n' "$out" | sed -n 's/^S: \* LIST ([^)]*) [^ ]* //p' |
	tr -d '"' | while read -r name; do mutf7_decode "$name"; echo; done |
	LC_ALL=C sort | tr '\n' ';')
is "$names" "$GRUESSE;INBOX;lists;lists/dev;" "imap4d LISTs the names"
# imap4d 3.15 answers STATUS with the name unquoted, spaces and all.
is "$(status_messages "$out" INBOX);$(status_messages "$out" lists/dev);$(status_messages "$out" "$GRUESSE_MUTF7")" \
	"3;$perl_count;3" "imap4d STATUS counts ($perl_count in lists/dev)"
is "$(printf '%s\n' "$out" | grep -c '^S: \* [0-9]* FETCH (BODY\[\] {')" "$perl_count" \
	"imap4d fetches every message"
imap_send 'SELECT INBOX' 'STORE 1:* +FLAGS (\Seen \Deleted)' 'EXPUNGE' \
	"APPEND INBOX {${#msg}}
$msg" 'CREATE created' 'DELETE lists/dev' >/dev/null
is "$(store_digest "$MBOXES")" "$MBOX_DIGEST" "imap4d writes nothing either"

# ---- the helper itself: a silent imapd times out and is killed ----------
# The sleeper's argument is this test's own (300.PID seconds), so that a
# suite running beside this one cannot be counted.
silent="sleep 300.$$"
start=$(date +%s)
IMAPD_CMD="$silent" IMAPD_ENV= IMAP_TIMEOUT=1 imap_send NOOP >/dev/null
is "$?" 2 "imap_send reports a timeout"
ok "$([ $(($(date +%s) - start)) -lt 10 ]; echo $?)" "... promptly"
is "$(pgrep -c -x -f "$silent")" 0 "... and leaves no process"

# ---- the openbmc archive ------------------------------------------------
OPENBMC_SRC="$SHARED_CORPUS/archive-openbmc-2019-2020/openbmc-2019-2020.mbox.xz"
if [ -r "$OPENBMC_SRC" ]; then
	obmc=$(openbmc_store)
	ok $? "openbmc_store ($obmc)"
	dovecot_setup "$obmc" "$TEST_TMP/openbmc"
	out=$(imap_send 'LIST "" "*"' 'STATUS lists/openbmc (MESSAGES)')
	is "$(status_messages "$out" lists/openbmc)" 8323 "openbmc: 8,323 messages"
	is "$(openbmc_store)" "$obmc" "openbmc_store is cached"
else
	ok 0 "# SKIP no openbmc archive"
fi

cleanup
is "$(imapd_procs "$TEST_TMP/")" "" "no imapd left running"
done_testing
