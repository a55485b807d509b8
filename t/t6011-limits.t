#!/bin/sh
# The limits of imapeek-httpd (SPEC.md), with loopback addresses 127.0.0.x
# as different clients:
#   - max-per-client: one more connection from the same address is closed
#     at once; another address is served;
#   - max-connections: one more waits in the listen queue (libmicrohttpd
#     stops accepting) and is served once a connection ends;
#   - the request head has a deadline (10 s): a client sending one header
#     line every 2 s is cut, without an answer, though it never idles;
#   - export-limit: an mbox export and a search feed hold that many
#     messages at most;
#   - fairness: with two workers, three clients' long exports leave the
#     other worker to a cheap page, answered at once.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"

pages_setup_sample "max-per-client = 3" "max-connections = 6" "export-limit = 5"

# idle N ADDRESS... : hold N idle connections from each address (nothing
# sent) until killed; "ADDR closed"/"ADDR open" lines in $TEST_TMP/idle.N
# say what the server did with each within half a second.
idle() {
	python3 - "$port" "$TEST_TMP/idle.$1" "$@" <<-'EOF' &
	import socket, sys, time
	port, out, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
	socks, lines = [], []
	for address in sys.argv[4:]:
	    for _ in range(n):
	        s = socket.socket()
	        s.bind((address, 0))
	        s.connect(("127.0.0.1", port))
	        socks.append((address, s))
	        time.sleep(0.05)
	time.sleep(0.5)
	for address, s in socks:
	    s.settimeout(0.1)
	    try:
	        lines.append(address + (" closed" if s.recv(1) == b"" else " data"))
	    except socket.timeout:
	        lines.append(address + " open")
	    except OSError:
	        lines.append(address + " closed")
	open(out, "w").write("\n".join(lines) + "\n")
	time.sleep(60)
	EOF
}

httpd_start "$PAGES_CONF" -j 2
port=${HTTPD_URL##*:}

# -- max-per-client = 3
idle 4 127.0.0.2
holder=$!
at_exit '[ -z "$holder" ] || kill "$holder" 2>/dev/null'
i=0
until [ -s "$TEST_TMP/idle.4" ] || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
is "$(grep -c ' open$' "$TEST_TMP/idle.4")" 3 "max-per-client 3: three connections from one address stay"
is "$(grep -c ' closed$' "$TEST_TMP/idle.4")" 1 "... the fourth is closed at once"
http_get "$HTTPD_URL/lists/dev/" --interface 127.0.0.3
is "$RESP_STATUS" 200 "another address is served meanwhile"
like "$(cat "$HTTPD_LOG")" '^imapeek: libmicrohttpd: Server reached connection limit' \
	"libmicrohttpd's line for it is one of imapeek's"
is "$(grep -v -E '^imapeek: |^[0-9a-f.:]+ - - \[' "$HTTPD_LOG")" "" \
	"... and every line of the log is imapeek's or the access log's"
kill "$holder"; wait "$holder" 2>/dev/null; holder=

# -- max-connections = 6: six idle connections from three addresses
idle 2 127.0.0.4 127.0.0.5 127.0.0.6
holder=$!
i=0
until [ -s "$TEST_TMP/idle.2" ] || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
is "$(grep -c ' open$' "$TEST_TMP/idle.2")" 6 "max-connections 6: six idle connections are held"
curl -s -o /dev/null -w '%{http_code}' --max-time 20 --interface 127.0.0.7 \
	"$HTTPD_URL/lists/dev/" >"$TEST_TMP/waiter" &
waiter=$!
sleep 1.5
ok "$(kill -0 "$waiter" 2>/dev/null; echo $?)" "a seventh waits (in the listen queue)"
kill "$holder"; wait "$holder" 2>/dev/null; holder=
wait "$waiter"
is "$(cat "$TEST_TMP/waiter")" 200 "... and is served once the others end"

# -- the deadline for the request head
python3 - "$port" >"$TEST_TMP/slow" <<'EOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
start = time.time()
s.sendall(b"GET /lists/dev/ HTTP/1.1\r\n")
s.settimeout(2)
answer = b""
for i in range(20):
    try:
        s.sendall(b"X-Slow-%d: a\r\n" % i)
        data = s.recv(4096)
        answer += data
        if not data:
            break
    except socket.timeout:
        continue
    except OSError:
        break
print("%.1f %d" % (time.time() - start, len(answer)))
EOF
read -r cut answered <"$TEST_TMP/slow"
diag "the slow client was cut after ${cut}s, with $answered bytes of answer"
ok "$(awk -v t="$cut" 'BEGIN { exit !(t >= 9 && t < 14) }'; echo $?)" \
	"a head sent one line every 2 s is cut at the 10 s deadline (${cut}s)"
is "$answered" 0 "... without an answer"
http_get "$HTTPD_URL/lists/dev/"
is "$RESP_STATUS" 200 "the server goes on"

# -- export-limit = 5
http_get "$HTTPD_URL/lists/dev/search?q=since:1990-01-01&format=mbox"
is "$RESP_STATUS" 200 "a search exported as mbox"
is "$(grep -c '^From ' "$RESP_BODY")" 5 "... holds export-limit (5) messages"
http_get "$HTTPD_URL/lists/dev/search?q=since:1990-01-01&format=atom"
is "$(grep -o '<entry>' "$RESP_BODY" | wc -l | tr -d ' ')" 5 "a search feed too"
http_get "$HTTPD_URL/lists/dev/search?q=since:1990-01-01"
like "$(cat "$RESP_BODY")" 'Download as mbox</a> \(the first 5\)' "the search page says the mbox holds the first 5"
http_get "$HTTPD_URL/lists/dev/search?q=since:1990-01-01&order=oldest"
like "$(cat "$RESP_BODY")" 'Download as mbox</a> \(the first 5, oldest first\)' "... oldest first when so ordered"
httpd_stop

# -- fairness: heavy requests leave a worker to the others (openbmc: the
# exports take long)
if store=$(openbmc_store); then
	dovecot_setup "$store" "$TEST_TMP/state-obmc" || bail "cannot set up Dovecot"
	{
		cat "$IMAPD_STATE/imapd.conf"
		echo "templates = $IMAPEEK_TOP/templates"
		echo "export-limit = 100000"
	} >"$TEST_TMP/obmc.conf"
	httpd_start "$TEST_TMP/obmc.conf" -j 2
	pids=
	for i in 2 3 4; do
		curl -s -o /dev/null --max-time 30 --limit-rate 200k --interface "127.0.0.$i" \
			"$HTTPD_URL/lists/openbmc/search?q=since:1990-01-01&format=mbox" &
		pids="$pids $!"
	done
	sleep 1
	start=$(date +%s.%N)
	# The mailbox list: cheap even for a fresh imapd (no sort, no threads).
	http_get "$HTTPD_URL/" --interface 127.0.0.9 --max-time 20
	took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
	is "$RESP_STATUS" 200 "three clients' exports on two workers: a cheap page is served"
	ok "$(awk -v t="$took" 'BEGIN { exit !(t < 1) }'; echo $?)" "... at once (${took}s): one worker is kept for cheap pages"
	for pid in $pids; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
	httpd_stop
fi
done_testing
