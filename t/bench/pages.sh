#!/bin/sh
# Pages through imapeek-httpd (release build) on the openbmc archive:
# requests per second and p50/p99 latency of the message page and the
# index page, from wrk on loopback with several connections.  The bare
# "/" page (LIST + STATUS) runs first as a baseline in the same run.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib-imapd.sh"
IMAPEEK_BUILD=${IMAPEEK_BUILD%/}
. "$(dirname "$0")/../lib-http.sh"

command -v wrk >/dev/null || { echo "wrk is not installed (Debian: wrk)"; exit 1; }
store=$(openbmc_store) || exit 1
dovecot_setup "$store" "$TEST_TMP/state" || exit 1
conf=$TEST_TMP/imapeek.conf
{
	cat "$IMAPD_STATE/imapd.conf"
	echo "templates = $IMAPEEK_TOP/templates"
} >"$conf"
httpd_start "$conf" -j 2
uid=$(curl -s "$HTTPD_URL/lists/openbmc/?format=json&page=20" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["messages"][0]["uid"])')

run() {
	# name path: warm up, then 8 connections for 5 seconds
	curl -s -o /dev/null "$HTTPD_URL$2"
	wrk -t 2 -c 8 -d 5s --latency "$HTTPD_URL$2" >"$TEST_TMP/wrk" 2>&1
	rps=$(sed -n 's/^Requests\/sec: *//p' "$TEST_TMP/wrk")
	p50=$(awk '$1 == "50%" { print $2 }' "$TEST_TMP/wrk")
	p99=$(awk '$1 == "99%" { print $2 }' "$TEST_TMP/wrk")
	errors=$(sed -n 's/^ *Non-2xx or 3xx responses: *//p' "$TEST_TMP/wrk")
	printf '%-28s %10s %10s %10s %8s\n' "$1" "$rps" "$p50" "$p99" "${errors:-0}"
}

printf '%-28s %10s %10s %10s %8s\n' page req/s p50 p99 non-2xx
run "mailbox list /" /
run "index page 1" /lists/openbmc/
run "index page 100" "/lists/openbmc/?page=100"
run "message page" "/lists/openbmc/$uid"
run "message JSON" "/lists/openbmc/$uid?format=json"
run "raw message" "/lists/openbmc/$uid/raw"
httpd_stop >/dev/null
