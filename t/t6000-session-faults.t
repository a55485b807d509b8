#!/bin/sh
# The session layer against a misbehaving imapd (t/tools/fake-imapd): every
# fault ends in the right error class (TIMEOUT = 504, FAILED = 502) within
# the deadline, the imapd is reaped, and no descriptor is left open.
. "$(dirname "$0")/lib.sh"

PROBE="$IMAPEEK_BUILD/t/helper/session-probe"
FAKE="$IMAPEEK_TOP/t/tools/fake-imapd"
[ -x "$PROBE" ] || bail "no $PROBE: run make test-build"
command -v python3 >/dev/null || skip_all "python3 is needed for the fake imapd"

TIMEOUT_MS=1000
# ASan start-up and a loaded machine: a generous margin, still far below
# what a missing deadline would take.
MARGIN_MS=1500
export PROBE_TIMEOUT_MS=$TIMEOUT_MS PROBE_MAX_LITERAL=1048576
# Closing a broken session: TERM, at most 200 ms, KILL.  A LOGOUT waited
# for would take its own 1000 ms deadline.
CLOSE_BROKEN_MS=900

# fault SCENARIO ACTION WANT_OPEN WANT_RUN (- when the open fails)
fault() {
	scenario=$1 action=$2 want_open=$3 want_run=$4
	pidfile="$TEST_TMP/$scenario.pid"
	rm -f "$pidfile"
	out=$(IMAPD_CMD="$FAKE $scenario" IMAPD_ENV="PATH=/usr/bin:/bin FAKE_PIDFILE=$pidfile" \
		"$PROBE" "$action" 2>"$TEST_TMP/$scenario.err")
	field() { printf '%s\n' "$out" | awk -v k="$1" '$1 == k { print $'"${2:-2}"' }'; }
	is "$(field open)" "$want_open" "$scenario: open ends $want_open"
	if [ "$want_run" != - ]; then
		is "$(field run)" "$want_run" "$scenario: $action ends $want_run"
		elapsed=$(field run 3)
	else
		elapsed=$(field open 3)
	fi
	[ -n "$elapsed" ] && [ "$elapsed" -le $((TIMEOUT_MS + MARGIN_MS)) ]
	ok $? "$scenario: ended after ${elapsed:-?} ms (deadline $TIMEOUT_MS ms)"
	is "$(field children)" none "$scenario: the imapd was reaped"
	# A broken session is ended at once: no LOGOUT, no grace before TERM
	# (a failed open is timed above, its close included).
	case $want_open/$want_run in
	OK/OK | */-) ;;
	*)
		closed=$(field close)
		[ -n "$closed" ] && [ "$closed" -lt $CLOSE_BROKEN_MS ]
		ok $? "$scenario: the broken session closed in ${closed:-?} ms (< $CLOSE_BROKEN_MS)"
		;;
	esac
	pid=$(cat "$pidfile" 2>/dev/null)
	[ -n "$pid" ] && [ ! -e "/proc/$pid" ]
	ok $? "$scenario: process ${pid:-?} is gone"
	is "$(field fds)" same "$scenario: no descriptor left open"
	diag "$(field message 0)"
}

fault normal fetch OK OK
fault hang-greeting none TIMEOUT -
fault exit none FAILED -
fault garbage none FAILED -
fault ok-greeting none FAILED -
# Courier-IMAP says "* OK [ALERT] ..." before its PREAUTH: not a refusal.
fault alert-greeting fetch OK OK
# ... but notes without end are no greeting.
fault notes-flood none FAILED -
fault bye-greeting none FAILED -
fault bye-fetch fetch OK FAILED
fault hang-literal fetch OK TIMEOUT
fault huge-literal fetch OK FAILED
fault close-stdout none FAILED -
# Complete, valid responses without end: the answer never completes in
# time (memory stays bounded by the per-command cap).
fault flood fetch OK TIMEOUT
fault flood-line fetch OK FAILED

# What came before PREAUTH counts: the capabilities of "* CAPABILITY"
# before a PREAUTH without any are learnt (so no CAPABILITY command).
out=$(IMAPD_CMD="$FAKE alert-greeting $TEST_TMP/alert.in" IMAPD_ENV="PATH=/usr/bin:/bin" \
	"$PROBE" noop 2>/dev/null)
like "$out" 'caps IMAP4rev1 LITERAL\+ .*CONDSTORE ENABLE UTF8=ACCEPT IDLE' \
	"alert-greeting: the capabilities before PREAUTH are learnt"
like "$out" 'utf8 yes' "alert-greeting: ... and UTF8=ACCEPT enabled"
is "$(sed 's/^[^ ]* //' "$TEST_TMP/alert.in" | tr -d '\r' | cut -d' ' -f1 | tr '\n' ' ')" \
	"ENABLE NOOP LOGOUT " "alert-greeting: no CAPABILITY asked for; NOOP and LOGOUT follow"
out=$(IMAPD_CMD="$FAKE notes-flood" IMAPD_ENV="" "$PROBE" none 2>/dev/null)
like "$out" 'message .*more than 16 lines before "\* PREAUTH"' "notes without end: the error says so"

# The imapd line may be a wrapper script that runs the real imapd as its
# child: when the session times out, the whole process group is ended,
# the real imapd (which ignores its closed input here) included.
wrapper=$TEST_TMP/imapd-wrapper
cat >"$wrapper" <<EOF
#!/bin/sh
echo \$\$ >"$TEST_TMP/wrapper.pid"
"$FAKE" hang-greeting &
wait
EOF
rm -f "$TEST_TMP/wrapped.pid" "$TEST_TMP/wrapper.pid"
out=$(IMAPD_CMD="/bin/sh $wrapper" IMAPD_ENV="PATH=/usr/bin:/bin FAKE_PIDFILE=$TEST_TMP/wrapped.pid" \
	"$PROBE" none 2>"$TEST_TMP/wrapper.err")
like "$out" 'open TIMEOUT' "wrapper: a hanging wrapped imapd times out"
is "$(printf '%s\n' "$out" | awk '$1 == "children" { print $2 }')" none "wrapper: the wrapper was reaped"
wrapper_pid=$(cat "$TEST_TMP/wrapper.pid" 2>/dev/null)
wrapped_pid=$(cat "$TEST_TMP/wrapped.pid" 2>/dev/null)
# alive PID: running (not a zombie) and still our fake imapd
alive() {
	[ -n "$1" ] && grep -q fake-imapd "/proc/$1/cmdline" 2>/dev/null &&
		[ "$(ps -o stat= -p "$1" | cut -c1)" != Z ]
}
# The wrapped imapd got SIGTERM; give it a moment to go (well within the
# grace of a real imapd).
i=0
while alive "$wrapped_pid" && [ $i -lt 20 ]; do sleep 0.05; i=$((i + 1)); done
ok "$([ -n "$wrapped_pid" ] && ! alive "$wrapped_pid"; echo $?)" \
	"wrapper: the real imapd (${wrapped_pid:-?}) is gone too"
is "$(ps -e -o pgid=,stat= | awk -v g="${wrapper_pid:-none}" '$1 == g && $2 !~ /^Z/' | wc -l | tr -d ' ')" 0 \
	"wrapper: no process of its group (${wrapper_pid:-?}) is left"
alive "$wrapped_pid" && kill -KILL "$wrapped_pid"

# The error names the imapd and says why.
out=$(IMAPD_CMD="$FAKE ok-greeting" IMAPD_ENV="" "$PROBE" none 2>/dev/null)
like "$out" 'message .*fake-imapd greeted with "\* OK.*PREAUTH' "an * OK greeting names the imapd"
out=$(IMAPD_CMD="/nonexistent/imapd" IMAPD_ENV="" "$PROBE" none 2>/dev/null)
like "$out" 'open FAILED' "a missing imapd fails"
like "$out" 'cannot run /nonexistent/imapd: No such file' "and says which and why"
is "$(printf '%s\n' "$out" | awk '$1 == "fds" { print $2 }')" same "no descriptor left open by a failed exec"

done_testing
