#!/bin/sh
# The read-only choke point, end to end: every forbidden command and FETCH
# item goes through session_run against a fake imapd that records every
# byte it receives; each is refused and nothing of it is written.
. "$(dirname "$0")/lib.sh"

PROBE="$IMAPEEK_BUILD/t/helper/session-probe"
FAKE="$IMAPEEK_TOP/t/tools/fake-imapd"
[ -x "$PROBE" ] || bail "no $PROBE: run make test-build"
command -v python3 >/dev/null || skip_all "python3 is needed for the fake imapd"

record="$TEST_TMP/received"
: >"$record"
out=$(IMAPD_CMD="$FAKE normal $record" IMAPD_ENV="PATH=/usr/bin:/bin" \
	PROBE_TIMEOUT_MS=5000 "$PROBE" forbidden 2>"$TEST_TMP/stderr")
field() { printf '%s\n' "$out" | awk -v k="$1" '$1 == k { print $2 }'; }

is "$(field open)" OK "session opened on the recording imapd"
refused=$(field refused)
[ "${refused:-0}" -ge 50 ]
ok $? "$refused forbidden commands refused"
is "$(field sent)" 0 "none of them was sent"
is "$(field run)" OK "the allowed NOOP after them went through"
is "$(field children)" none "imapd reaped"

# What the imapd received: the session's own greeting-phase commands, the
# one NOOP and LOGOUT, nothing else.
received=$(tr -d '\r' <"$record")
diag "received:" "$received"
unexpected=$(printf '%s\n' "$received" |
	grep -Ev '^A[0-9]+ (CAPABILITY|ENABLE( [A-Z0-9=+]+)+|NOOP|LOGOUT)$' || true)
is "$unexpected" "" "nothing beyond CAPABILITY/ENABLE, NOOP and LOGOUT was written"
like "$received" '^A[0-9]+ ENABLE UTF8=ACCEPT CONDSTORE' "the recording saw the greeting-phase ENABLE"
like "$received" 'A[0-9]+ NOOP' "the recording saw the NOOP"
like "$received" 'A[0-9]+ LOGOUT$' "and LOGOUT at close"
unlike "$received" '\b(SELECT|STORE|COPY|MOVE|APPEND|EXPUNGE|CREATE|DELETE|RENAME|SUBSCRIBE|CLOSE|LOGIN|RFC822|IDLE|DONE)\b|BODY\[' \
	"no forbidden word reached the imapd"

done_testing
