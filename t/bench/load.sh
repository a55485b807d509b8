#!/bin/sh
# imapeek-httpd (release build, -j 4) under hostile load, one phase at a
# time, each LOAD_SECONDS long (default 60):
#   exports   8 clients looping whole-mailbox mbox exports (openbmc,
#             8,323 messages, export-limit raised to hold them all)
#   slow      3,000 connections sending their head one line every 2 s,
#             from 200 addresses (max-connections raised to 4,096: the
#             default 256 would leave the others in the listen queue)
#   sleepers  100 connections that request a 20 MB raw message and never
#             read it
# while a separate client (its own address) fetches message pages one
# after the other.  For each phase: that client's requests, errors, p50,
# p99 and max latency, what the load clients did, and the server's peak
# RSS (VmHWM) so far; at the end, whether any imapd is left.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib-imapd.sh"
IMAPEEK_BUILD=${IMAPEEK_BUILD%/}
. "$(dirname "$0")/../lib-http.sh"
. "$(dirname "$0")/../lib-big.sh"

LOAD_SECONDS=${LOAD_SECONDS:-60}
LOAD=$IMAPEEK_TOP/t/tools/load.py
openbmc=$(openbmc_store) || exit 1
# One store: the big messages' folder, and openbmc's beside it (a link).
big_store "$TEST_TMP/store" >/dev/null || exit 1
chmod u+w "$TEST_TMP/store"
ln -s "$openbmc/lists" "$TEST_TMP/store/lists"
chmod a-w "$TEST_TMP/store"
dovecot_setup "$TEST_TMP/store" "$TEST_TMP/state" || exit 1
conf=$TEST_TMP/imapeek.conf
{
	cat "$IMAPD_STATE/imapd.conf"
	echo "templates = $IMAPEEK_TOP/templates"
	echo "export-limit = 100000"
	echo "max-connections = 4096"
} >"$conf"
httpd_start "$conf" -j 4
port=${HTTPD_URL##*:}
curl -s "$HTTPD_URL/lists/openbmc/?format=json&page=30" |
	python3 -c 'import json,sys; [print(m["uid"]) for m in json.load(sys.stdin)["messages"]]' \
	>"$TEST_TMP/uids"
[ -s "$TEST_TMP/uids" ] || { echo "load: no message list"; exit 1; }
curl -s -o /dev/null "$HTTPD_URL/big/1/raw"

hwm() {
	sed -n 's/^VmHWM:[^0-9]*\([0-9]*\) kB$/\1/p' "/proc/$HTTPD_PID/status"
}

# phase NAME COMMAND...: the load in the background, the page client in
# the foreground, both for LOAD_SECONDS; one line of figures.
phase() {
	_name=$1
	shift
	"$@" >"$TEST_TMP/load.out" 2>"$TEST_TMP/load.err" &
	_load=$!
	sleep 2
	python3 "$LOAD" pages "$HTTPD_URL/lists/openbmc" "$TEST_TMP/uids" \
		"$((LOAD_SECONDS - 2))" 127.0.0.9 >"$TEST_TMP/pages.out"
	wait "$_load"
	read -r _n _errors _p50 _p99 _max <"$TEST_TMP/pages.out"
	printf '%-9s %8s %7s %8s %8s %8s %9s  %s\n' "$_name" "$_n" "$_errors" \
		"$_p50" "$_p99" "$_max" "$(( $(hwm) / 1024 ))" "$(cat "$TEST_TMP/load.out")"
}

echo "imapeek-httpd -j 4, $LOAD_SECONDS s a phase; the page client's figures in ms"
printf '%-9s %8s %7s %8s %8s %8s %9s  %s\n' phase requests errors p50 p99 max "peak MB" load
phase none sleep "$LOAD_SECONDS"
phase exports python3 "$LOAD" exports \
	"$HTTPD_URL/lists/openbmc/search?q=since:1990-01-01&format=mbox" 8 "$LOAD_SECONDS"
phase slow python3 "$LOAD" slow "$port" 3000 "$LOAD_SECONDS"
phase sleepers python3 "$LOAD" sleepers "$port" 100 "$LOAD_SECONDS" /big/1/raw
echo "load column: exports: downloads bytes; slow: connections opened, cut at the head deadline;"
echo "             sleepers: connections opened, closed by the server"
httpd_stop >/dev/null
left=$(imapd_procs "$IMAPD_STATE/" | wc -l | tr -d ' ')
echo "imapds left after SIGTERM: $left"
[ "$left" = 0 ]
