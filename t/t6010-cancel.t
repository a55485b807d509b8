#!/bin/sh
# Work for a client that has gone stops at the next fetch, and SIGTERM
# stops the server whatever runs.  Over the openbmc archive (8,323
# messages), as Dovecot's rawlog records the commands:
#   - a client that hangs up in the middle of a whole-mailbox mbox export
#     frees its worker at once (the only worker: the next page is
#     answered within a second) and no UID FETCH is sent after it left;
#   - the same behind nginx over FastCGI (nginx closes the FastCGI
#     connection when its client goes);
#   - SIGTERM during four exports: imapeek-httpd exits 0 within 5 s,
#     each export ends as a broken transfer, no imapd is left;
#   - SIGTERM to the FastCGI responder during an export: the same.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"

store=$(openbmc_store) || skip_all "the openbmc archive is not available"
RAWLOG=$TEST_TMP/rawlog
DOVECOT_RAWLOG=$RAWLOG dovecot_setup "$store" "$TEST_TMP/state" ||
	bail "cannot set up Dovecot"
conf=$TEST_TMP/imapeek.conf
{
	cat "$IMAPD_STATE/imapd.conf"
	echo "templates = $IMAPEEK_TOP/templates"
	echo "export-limit = 100000"
} >"$conf"
export_path='/lists/openbmc/search?q=since:1990-01-01&format=mbox'

# fetches_after T: the export's UID FETCH commands (a batch of whole
# messages: BODY.PEEK[]) in the rawlog, how many were sent 0.5 s after T (epoch
# seconds, fractional), and the last one's time.
fetches_after() {
	cat "$RAWLOG"/*.in 2>/dev/null | tr -d '\r' |
		awk -v t="$1" '$3 == "UID" && $4 == "FETCH" && /BODY\.PEEK\[\]\)$/ {
				n++; if ($1 + 0 > t + 0.5) late++; last = $1 }
			END { printf "%d %d %s\n", n, late + 0, last }'
}

# since START: seconds from START (date +%s.%N) to now; below MAX: TAP status.
since() {
	awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'
}
below() {
	awk -v t="$1" -v max="$2" 'BEGIN { exit !(t < max) }'
	echo $?
}

# stop_timed PID WHAT: SIGTERM, wait (10 s at most); TAP: it exited 0,
# within 5 s.
stop_timed() {
	_start=$(date +%s.%N)
	kill -TERM "$1"
	_i=0
	while kill -0 "$1" 2>/dev/null && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	wait "$1"
	_status=$?
	_took=$(since "$_start")
	is "$_status" 0 "$2: exit 0"
	ok "$(below "$_took" 5)" "... within 5 s (${_took}s)"
}

# hang_up URL BYTES: read BYTES of the answer, then close; prints the time
# of the close (epoch seconds).
hang_up() {
	python3 - "$1" "$2" <<-'EOF'
	import socket, sys, time, urllib.parse
	url = urllib.parse.urlsplit(sys.argv[1])
	s = socket.create_connection((url.hostname, url.port))
	target = url.path + ("?" + url.query if url.query else "")
	s.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % target.encode())
	got = 0
	while got < int(sys.argv[2]):
	    data = s.recv(65536)
	    if not data:
	        break
	    got += len(data)
	s.close()
	print("%.6f" % time.time())
	EOF
}

# -- a client that hangs up mid-export (one worker).  A message page first
# fills the worker's sort and thread caches: the one after the hang-up
# measures the wait for the worker, not the threading of 8,323 messages.
httpd_start "$conf" -j 1
http_get "$HTTPD_URL/lists/openbmc/1" --max-time 60
closed=$(hang_up "$HTTPD_URL$export_path" 2000000)
start=$(date +%s.%N)
http_get "$HTTPD_URL/lists/openbmc/2" --max-time 10
took=$(since "$start")
is "$RESP_STATUS" 200 "after a client hung up mid-export, the next page is served"
ok "$(below "$took" 1)" "... within a second by the only worker (${took}s)"
sleep 2
set -- $(fetches_after "$closed")
diag "UID FETCH commands: $1 in all, $2 sent 0.5 s or more after the hang-up ($closed), the last at $3"
ok "$([ "$1" -gt 1 ]; echo $?)" "the export was fetching ($1 UID FETCH)"
# A fetch the worker had decided on as the client left may still go out
# (the check comes before each fetch, "stops at the next fetch"); none
# may follow it.
is "$2" 0 "no UID FETCH was sent more than 0.5 s after the client hung up"
like "$(cat "$HTTPD_LOG")" 'search.*(aborted)' "the log shows the export aborted"
httpd_stop

# -- SIGTERM during four exports
httpd_start "$conf" -j 8
for i in 2 3 4 5; do
	curl -s -o "$TEST_TMP/export.$i" --interface "127.0.0.$i" "$HTTPD_URL$export_path" &
	eval "curl_$i=\$!"
done
i=0
while [ $i -lt 100 ]; do
	n=0
	for f in "$TEST_TMP"/export.[2-5]; do
		[ -s "$f" ] && n=$((n + 1))
	done
	[ $n = 4 ] && break
	sleep 0.1
	i=$((i + 1))
done
is "$n" 4 "four exports are streaming"
stop_timed "$HTTPD_PID" "SIGTERM during four exports"
HTTPD_PID=
for i in 2 3 4 5; do
	eval "wait \$curl_$i"
	is "$?" 18 "export $i ends as a broken transfer (curl exit 18)"
done
is "$(imapd_procs "$IMAPD_STATE/" | wc -l | tr -d ' ')" 0 "no imapd is left"

# -- FastCGI: a responder stopped mid-export
command -v spawn-fcgi >/dev/null && command -v cgi-fcgi >/dev/null ||
	{ done_testing; }
fcgi_start "$conf"
_cgi_run fcgi /lists/openbmc/search "q=since:1990-01-01&format=mbox" \
	>"$TEST_TMP/fcgi.out" 2>/dev/null &
client=$!
i=0
until [ -s "$TEST_TMP/fcgi.out" ] || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
ok "$([ -s "$TEST_TMP/fcgi.out" ]; echo $?)" "FastCGI: the export is streaming"
stop_timed "$FCGI_PID" "FastCGI: SIGTERM mid-export"
FCGI_PID=
wait "$client"
is "$(imapd_procs "$IMAPD_STATE/" | wc -l | tr -d ' ')" 0 "... and leaves no imapd"
done_testing
