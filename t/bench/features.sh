#!/bin/sh
# Requests per second on the openbmc archive (8,323 messages) through the
# standalone server, release build, warm worker caches: the message page
# next to the thread page, the thread index, a search and the Atom feed.
# wrk, 4 connections, a few seconds each; every answer must be a 200.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib-imapd.sh"
. "$(dirname "$0")/../lib-http.sh"
. "$(dirname "$0")/../lib-pages.sh"

command -v wrk >/dev/null || { echo "no wrk: apt-get install wrk"; exit 1; }
DURATION=${BENCH_DURATION:-5}
obmc=$(openbmc_store) || { echo "no openbmc store"; exit 1; }
dovecot_setup "$obmc" "$TEST_TMP/state" || exit 1
PAGES_CONF=$TEST_TMP/imapeek.conf
{ cat "$IMAPD_STATE/imapd.conf"; echo "templates = $IMAPEEK_TOP/templates"
  echo "timeout = 60"; } >"$PAGES_CONF"
httpd_start "$PAGES_CONF"

page httpd /lists/openbmc/threads/ format=json
uid=$(json 'd["threads"][0]["uids"][0]')
big=$(json 'max(d["threads"], key=lambda t: t["messages"])["uids"][0]')
bign=$(json 'max(t["messages"] for t in d["threads"])')

run() {
	# Warm the worker caches (THREAD, SORT) first: they are per worker.
	for i in 1 2 3 4 5 6 7 8; do curl -s -o /dev/null "$HTTPD_URL$2"; done
	out=$(wrk -t 2 -c 4 -d "${DURATION}s" "$HTTPD_URL$2" 2>&1)
	rps=$(printf '%s\n' "$out" | sed -n 's/^Requests\/sec: *//p')
	bad=$(printf '%s\n' "$out" | sed -n 's/.*Non-2xx or 3xx responses: *//p')
	printf '%-34s %10s req/s%s\n' "$1" "$rps" "${bad:+  ($bad non-2xx!)}"
}
run "message page" "/lists/openbmc/$uid"
run "thread page (newest thread)" "/lists/openbmc/$uid/thread"
run "thread page ($bign messages)" "/lists/openbmc/$big/thread"
run "thread index" "/lists/openbmc/threads/"
run "message index" "/lists/openbmc/"
run "search subject:patch" "/lists/openbmc/search?q=subject%3Apatch"
run "search from:+since: (JSON)" "/lists/openbmc/search?q=from%3Ajoel+since%3A2020-01-01&format=json"
run "Atom feed" "/lists/openbmc/new.atom"
etag=$(curl -s -D - -o /dev/null "$HTTPD_URL/lists/openbmc/$uid" | sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' | tr -d '\r')
out=$(wrk -t 2 -c 4 -d "${DURATION}s" -H "If-None-Match: $etag" "$HTTPD_URL/lists/openbmc/$uid" 2>&1)
printf '%-34s %10s req/s\n' "message page, If-None-Match (304)" "$(printf '%s\n' "$out" | sed -n 's/^Requests\/sec: *//p')"
httpd_stop >/dev/null
