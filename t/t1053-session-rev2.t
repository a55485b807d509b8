#!/bin/sh
# The session layer against an IMAP4rev2-only server (RFC 9051), scripted
# by t/tools/fake-imapd (no packaged imapd speaks IMAP4rev2 alone): ESEARCH
# and LITERAL- are implied, mailbox names travel as UTF-8 without ENABLE,
# and pipelined UID SEARCHes answered out of order with "* ESEARCH (TAG
# ...)" each reach the command that asked.
. "$(dirname "$0")/lib.sh"

PROBE="$IMAPEEK_BUILD/t/helper/session-probe"
FAKE="$IMAPEEK_TOP/t/tools/fake-imapd"
[ -x "$PROBE" ] || bail "no $PROBE: run make test-build"
command -v python3 >/dev/null || skip_all "python3 is needed for the fake imapd"

export PROBE_TIMEOUT_MS=2000
record=$TEST_TMP/rev2.in
out=$(IMAPD_CMD="$FAKE rev2 $record" IMAPD_ENV="PATH=/usr/bin:/bin" \
	"$PROBE" pipeline 2>"$TEST_TMP/rev2.err")
field() { printf '%s\n' "$out" | awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print }'; }

is "$(field open | cut -d' ' -f1)" OK "rev2: the session opens"
is "$(field caps)" "IMAP4rev2 LITERAL- ESEARCH IDLE NAMESPACE" \
	"rev2: ESEARCH and LITERAL- are reported, though not listed"
is "$(field utf8)" yes "rev2: mailbox names are UTF-8"
is "$(field answer)" '1 * ESEARCH (TAG "A1") UID ALL 1:3
2 * ESEARCH (TAG "A2") UID ALL 2' \
	"rev2: each pipelined UID SEARCH gets its own ESEARCH answer, by tag"
is "$(field run | cut -d' ' -f1)" OK "rev2: the searches, NOOP and EXAMINE succeed"
commands=$(sed 's/^[^ ]* //' "$record" | tr -d '\r')
is "$(printf '%s\n' "$commands" | grep '^EXAMINE')" 'EXAMINE "Entwürfe"' \
	"rev2: EXAMINE names the mailbox in UTF-8, not modified UTF-7"
is "$(printf '%s\n' "$commands" | grep -c '^ENABLE\|^CAPABILITY')" 0 \
	"rev2: no ENABLE or CAPABILITY needed"
is "$(field children)" none "rev2: the imapd was reaped"

done_testing
