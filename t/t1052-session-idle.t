#!/bin/sh
# IDLE through the session layer (t/helper/session-idle).  Against real
# Dovecot over a writable Maildir of its own: session_idle_start returns
# once the "+" came, a message the test delivers into new/ arrives as an
# untagged EXISTS through session_idle_wait within a few seconds, nothing
# else is sent while idling, session_idle_done sends DONE and gets the
# tagged OK, and the next command works.  Against the fake imapd: a "+"
# that comes late is waited for, one that never comes ends as TIMEOUT with
# nothing else sent, and a tagged NO to IDLE ends cleanly.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-imapd.sh"

IDLE="$IMAPEEK_BUILD/t/helper/session-idle"
FAKE="$IMAPEEK_TOP/t/tools/fake-imapd"
[ -x "$IDLE" ] || bail "no $IDLE: run make test-build"
[ -x "$DOVECOT_IMAP" ] || skip_all "no Dovecot imap binary ($DOVECOT_IMAP)"
command -v python3 >/dev/null || skip_all "python3 is needed for the fake imapd"
chmod 755 "$TEST_TMP"

field() { printf '%s\n' "$out" | awk -v k="$1" '$1 == k { print $'"${2:-2}"' }'; }

message() {
	printf 'From: Ada <ada@example.org>\r\nTo: dev@example.org\r\n'
	printf 'Subject: %s\r\nMessage-ID: <%s@example.org>\r\n' "$1" "$2"
	printf 'Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\n%s\r\n' "$1"
}

# ---- Dovecot over a writable Maildir -----------------------------------
# Not mkstore's read-only store: the imapd moves delivered mail from new/
# to cur/, so this store belongs to whoever runs the imapd.
STORE="$TEST_TMP/store"
mkdir -p "$STORE/cur" "$STORE/new" "$STORE/tmp" || bail "mkdir failed"
message "already here" first >"$STORE/cur/1.imapeek:2,"
_imapd_is_root && chown -R "$IMAPD_RUN_USER:$IMAPD_RUN_GROUP" "$STORE"
DOVECOT_RAWLOG="$TEST_TMP/rawlog" dovecot_setup "$STORE" "$TEST_TMP/dovecot" ||
	bail "dovecot_setup failed"
# Dovecot notices new mail by inotify; should that be unavailable, its
# fallback check runs every 30 s by default: make it one second.
echo "mailbox_idle_check_interval = 1 secs" >>"$IMAPD_STATE/dovecot.conf"

OUT="$TEST_TMP/idle.out"
IMAPD_CMD="$IMAPD_CMD" IMAPD_ENV="$IMAPD_ENV" PROBE_IDLE_WAIT_MS=15000 \
	"$IDLE" INBOX >"$OUT" 2>>"$IMAPD_STATE/imapd.stderr" &
helper=$!
at_exit "kill $helper 2>/dev/null"

# Deliver only once IDLE is in force (at most 20 s for a loaded machine).
tries=0
until grep -q '^idling$' "$OUT" || [ $tries -ge 200 ] || ! kill -0 $helper 2>/dev/null; do
	sleep 0.1
	tries=$((tries + 1))
done
grep -q '^idling$' "$OUT"
ok $? "the session is idling"
# Maildir delivery: write into tmp/, then rename into new/.
message "delivered while idling" second >"$STORE/tmp/2.test.delivery"
_imapd_is_root && chown "$IMAPD_RUN_USER:$IMAPD_RUN_GROUP" "$STORE/tmp/2.test.delivery"
mv "$STORE/tmp/2.test.delivery" "$STORE/new/2.test.delivery"
wait $helper
ok $? "the helper ran to its end"
out=$(cat "$OUT")
diag "$out"

is "$(field open)" OK "Dovecot: the session opens"
is "$(field examine) $(field examine 3)" "OK 1" "EXAMINE INBOX: one message"
is "$(field idle_start)" OK "session_idle_start returns OK"
is "$(field send_during_idle)" REFUSED "no command may be sent while idling"
is "$(field idle_exists)" 2 "the delivered message arrives as * 2 EXISTS"
ms=$(field idle_exists 3)
[ -n "$ms" ] && [ "$ms" -le 5000 ]
ok $? "within a few seconds (${ms:-?} ms after idling began)"
is "$(field idle_done)" OK "session_idle_done: DONE, then the tagged OK"
is "$(field noop)" OK "the next command works"
is "$(field fetch) $(field fetch 3)" "OK 2" "UID FETCH 1:* sees both messages"
is "$(field children)" none "the imapd was reaped"

# What Dovecot received: "+" before anything after IDLE, DONE right after.
sent=$(rawlog_lines "$TEST_TMP/rawlog" in | tr -d '\r')
received=$(rawlog_lines "$TEST_TMP/rawlog" out | tr -d '\r')
is "$(printf '%s\n' "$sent" | grep -A1 ' IDLE$' | tail -n 1)" DONE \
	"the line after IDLE is DONE: nothing else was sent while idling"
like "$received" '^\+ idling' "Dovecot sent the continuation"
like "$received" '^A[0-9]* OK Idle completed' "and the tagged OK after DONE"

# ---- the fake imapd: the faults ----------------------------------------
# fake SCENARIO DEADLINE_MS: run the helper on the fake imapd, recording
# what it got.
fake() {
	record="$TEST_TMP/$1.record"
	rm -f "$record"
	out=$(IMAPD_CMD="$FAKE $1 $record" IMAPD_ENV="PATH=/usr/bin:/bin" \
		PROBE_TIMEOUT_MS=$2 PROBE_IDLE_WAIT_MS=3000 "$IDLE" 2>>"$TEST_TMP/fake.err")
	diag "$out"
	got=$(tr -d '\r' <"$record" 2>/dev/null)
}

fake idle 3000
is "$(field idle_start)" OK "late +: session_idle_start returns OK"
ms=$(field idle_start 3)
[ -n "$ms" ] && [ "$ms" -ge 900 ]
ok $? "late +: session_idle_start waited for it (${ms:-?} ms for a + sent after 1 s)"
is "$(field idle_exists)" 2 "late +: the EXISTS after it arrives"
is "$(field idle_done) $(field noop)" "OK OK" "late +: DONE ends IDLE, NOOP works"
is "$got" "A1 ENABLE UTF8=ACCEPT CONDSTORE
A2 IDLE
DONE
A3 NOOP
A4 LOGOUT" "late +: exactly IDLE, DONE, NOOP, LOGOUT went out"

fake idle-no-plus 1000
is "$(field idle_start)" TIMEOUT "no +: session_idle_start ends as TIMEOUT"
ms=$(field idle_start 3)
[ -n "$ms" ] && [ "$ms" -ge 900 ] && [ "$ms" -le 2500 ]
ok $? "no +: after the deadline (${ms:-?} ms, deadline 1000 ms)"
is "$(field idling)" "" "no +: never idling"
is "$(field noop)" TIMEOUT "no +: the broken session refuses the next command"
is "$(printf '%s\n' "$got" | tail -n 1)" "A2 IDLE" \
	"no +: nothing was sent after IDLE (no DONE, no NOOP, no LOGOUT)"
is "$(field children)" none "no +: the imapd was reaped"

fake idle-no 1000
is "$(field idle_start)" NO "tagged NO: session_idle_start ends as NO"
is "$(field noop)" OK "tagged NO: the session goes on"
is "$got" "A1 ENABLE UTF8=ACCEPT CONDSTORE
A2 IDLE
A3 NOOP
A4 LOGOUT" "tagged NO: no DONE sent, a clean LOGOUT"
is "$(field children)" none "tagged NO: the imapd was reaped"

done_testing
