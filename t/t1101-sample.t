#!/bin/sh
# The generated sample archive (make run, tests without the shared
# corpora): deterministic, the promised mailboxes, threads and hostile
# message, served by Dovecot.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-imapd.sh"
[ -x "$DOVECOT_IMAP" ] || skip_all "no Dovecot imap binary ($DOVECOT_IMAP)"
chmod 755 "$TEST_TMP"

built=$(sample_store "$TEST_TMP/a")
ok $? "sample_store builds the sample"
is "$(printf '%s\n' "$built" | tr '\t\n' '=;')" \
	"lists/dev=151;lists/announce=20;INBOX=13;Archiv/Grüße & Co=13;private/secret=5;" \
	"five mailboxes, 202 messages"
sample_store "$TEST_TMP/b" >/dev/null
is "$(store_digest "$TEST_TMP/b")" "$(store_digest "$TEST_TMP/a")" \
	"two runs give the same bytes and names"

STORE="$TEST_TMP/a"
dovecot_setup "$STORE" "$TEST_TMP/state"
out=$(imap_send 'STATUS "Archiv/Gr&APwA3w-e &- Co" (MESSAGES)' 'EXAMINE lists/dev' \
	'UID THREAD REFERENCES UTF-8 ALL' \
	'UID SEARCH HEADER Subject "<script>"' \
	'UID SEARCH HEADER From "svg onload"' \
	'UID SEARCH SUBJECT "Отчёт"' 'UID SEARCH SUBJECT "文字化け"' \
	'UID SEARCH SUBJECT "Café"' \
	'UID SEARCH BODY "From the mbox"' \
	'UID SEARCH HEADER Content-Type "format=flowed"' \
	'UID SEARCH HEADER Content-Type "multipart/alternative"' \
	'FETCH 1:* BODYSTRUCTURE')
ok $? "a Dovecot session over the sample"
like "$out" 'STATUS "Archiv/Gr&APwA3w-e &- Co" \(MESSAGES 13\)' "Archiv/Grüße & Co holds 13"
longest=$(printf '%s\n' "$out" | grep '^S: \* THREAD' | python3 -c '
import re, sys
line = sys.stdin.read()
depth, count, best = 0, 0, 0
for tok in re.findall(r"\(|\)|\d+", line):
    if tok == "(":
        if depth == 0:
            count = 0
        depth += 1
    elif tok == ")":
        depth -= 1
        if depth == 0:
            best = max(best, count)
    else:
        count += 1
print(best)')
ok "$([ "$longest" -ge 40 ]; echo $?)" "THREAD REFERENCES finds the long thread ($longest messages)"
search_hits() { printf '%s\n' "$out" | grep '^S: \* SEARCH' | sed -n "$1p" | wc -w; }
# "S: * SEARCH" is three words; a hit makes four or more.
ok "$([ "$(search_hits 1)" -ge 4 ]; echo $?)" "a subject carries <script>"
ok "$([ "$(search_hits 2)" -ge 4 ]; echo $?)" "a sender name carries \"><svg onload=alert(1)>"
ok "$([ "$(search_hits 3)" -ge 4 ]; echo $?)" "the KOI8-R subject decodes"
ok "$([ "$(search_hits 4)" -ge 4 ]; echo $?)" "the Shift_JIS subject decodes"
ok "$([ "$(search_hits 5)" -ge 4 ]; echo $?)" "the ISO-8859-1 subject decodes"
ok "$([ "$(search_hits 6)" -ge 4 ]; echo $?)" "a body line starting with From survives the mbox"
ok "$([ "$(search_hits 7)" -ge 4 ]; echo $?)" "a format=flowed message"
ok "$([ "$(search_hits 8)" -ge 4 ]; echo $?)" "multipart/alternative messages"
like "$out" '"message" "rfc822"' "a forwarded message/rfc822"
like "$out" '"application" "pdf" \("name" "slides.pdf"\)' "a PDF attachment"
like "$out" '"image" "png"' "a PNG attachment"
like "$out" '"text" "markdown"' "a text/markdown part"
like "$(grep -rl '^From the mbox' "$STORE/lists/dev/cur" | wc -l)" '^1$' \
	"the From line is unquoted in the store"

# run-sample.sh up to the server: the configuration it writes.
conf=$(cd "$TEST_TMP" && IMAPEEK_HTTPD=/bin/echo PORT=18080 sh "$IMAPEEK_TOP/t/tools/run-sample.sh" |
	tail -1)
like "$conf" '^-c .*/imapeek.conf -l 127.0.0.1:18080$' "run-sample.sh execs the server with -c and -l"
conffile=$(printf '%s\n' "$conf" | sed 's/^-c \(.*\) -l .*/\1/')
like "$(cat "$conffile")" '^imapd = ' "imapeek.conf: imapd"
like "$(cat "$conffile")" "
title = imapeek sample archive
about = $IMAPEEK_TOP/conf/sample-about.md
templates = $IMAPEEK_TOP/templates
hide = private/\\*" "imapeek.conf: title, about, templates, hide"
done_testing
