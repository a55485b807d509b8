#!/bin/sh
# Bodies are streamed, bounded, and never presented whole when they are
# not: a 20 MB raw message comes in pieces with its Content-Length, a part
# decoded as it comes (chunked), small pages with Content-Length; twenty
# clients that request the 20 MB message and never read cost the server
# far less than 20 MB each; a fetch that fails half-way through a part or
# a raw message ends the transfer broken (no final chunk, a short
# Content-Length: curl exit 18) under imapeek-httpd, FastCGI behind nginx
# and CGI, never as a short 200.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-big.sh"

big_store "$TEST_TMP/store" >/dev/null || bail "cannot build the store of big messages"
dovecot_setup "$TEST_TMP/store" "$TEST_TMP/state" || bail "cannot set up Dovecot"
conf=$TEST_TMP/imapeek.conf
{
	cat "$IMAPD_STATE/imapd.conf"
	echo "templates = $IMAPEEK_TOP/templates"
} >"$conf"
msg=$TEST_TMP/big-src/msgs/1
size=$(wc -c <"$msg" | tr -d ' ')

# -- whole, and in the right framing
httpd_start "$conf" -j 4
http_get "$HTTPD_URL/big/1/raw"
is "$RESP_STATUS" 200 "the 20 MB raw message: 200"
is "$(header Content-Length)" "$size" "... with its RFC822.SIZE as Content-Length ($size)"
ok "$(cmp -s "$RESP_BODY" "$msg"; echo $?)" "... and its exact bytes"
http_get "$HTTPD_URL/big/1/2"
is "$RESP_STATUS" 200 "its 15 MiB attachment: 200"
is "$(header Transfer-Encoding)" chunked "... streamed chunked (its decoded length is not known)"
ok "$(cmp -s "$RESP_BODY" "$(big_attachment)"; echo $?)" "... decoded exactly"
http_get "$HTTPD_URL/big/2"
is "$RESP_STATUS" 200 "a small message page: 200"
is "$(header Content-Length)" "$(wc -c <"$RESP_BODY" | tr -d ' ')" \
	"... with Content-Length (complete before it was sent)"
is "$(header Transfer-Encoding)" "" "... not chunked"
http_get "$HTTPD_URL/big/1/raw" -I
is "$(header Content-Length)" "$size" "HEAD of the raw message: its Content-Length"
http_get "$HTTPD_URL/big/search?q=since:2000-01-01&format=mbox"
is "$RESP_STATUS" 200 "the mailbox as mbox: 200"
is "$(header Transfer-Encoding)" chunked "... over 1 MiB: chunked"
is "$(grep -c '^From ' "$RESP_BODY")" 4 "... with its 4 messages"
cp "$RESP_BODY" "$TEST_TMP/export.mbox"
http_get "$HTTPD_URL/big/1/raw"
ok "$(python3 - "$TEST_TMP/export.mbox" "$RESP_BODY" <<'EOF'
import re, sys
mbox, raw = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
entries = re.split(rb"(?m)^From [^\n]*\n", mbox)[1:]
unquote = lambda e: re.sub(rb"(?m)^>(>*From )", rb"\1", e)
want = raw.replace(b"\r\n", b"\n")
sys.exit(0 if any(unquote(e)[:-1] == want for e in entries) else 1)
EOF
echo $?)" "... the 20 MB message in it, sent a piece at a time, is its raw bytes"
httpd_stop

# -- memory: twenty clients that never read the 20 MB message.  Measured on
# the release build: AddressSanitizer's quarantine keeps freed memory.
rss() {
	sed -n 's/^VmRSS:[^0-9]*\([0-9]*\) kB$/\1/p' "/proc/$1/status"
}
IMAPEEK_HTTPD=$IMAPEEK_TOP/build/rel/cgi/imapeek-httpd httpd_start "$conf" -j 20
port=${HTTPD_URL##*:}
http_get "$HTTPD_URL/big/1/raw"
is "$RESP_STATUS" 200 "release build: the raw message once (warm)"
before=$(rss "$HTTPD_PID")
# sleep_on PATH: 20 clients that ask for PATH and never read (in the
# background, $sleepers), and the server's RSS once it settles ($during).
sleep_on() {
rm -f "$TEST_TMP/sleepers.ready"
python3 - "$port" 20 "$TEST_TMP/sleepers.ready" "$1" <<'EOF' &
import socket, sys, time
port, n, ready, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
socks = []
for i in range(n):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.bind(("127.0.0.%d" % (10 + i), 0))
    s.connect(("127.0.0.1", port))
    s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    socks.append(s)
open(ready, "w").close()
time.sleep(30)
EOF
sleepers=$!
at_exit '[ -z "$sleepers" ] || kill "$sleepers" 2>/dev/null'
i=0
until [ -e "$TEST_TMP/sleepers.ready" ] || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
# The workers fill their streams and block; wait until RSS settles.
last=0
i=0
while [ $i -lt 30 ]; do
	sleep 0.5
	now=$(rss "$HTTPD_PID")
	[ "$now" = "$last" ] && break
	last=$now
	i=$((i + 1))
done
during=$(rss "$HTTPD_PID")
}
sleep_on /big/1/raw
per=$(( (during - before) / 20 ))
diag "RSS $before kB before, $during kB with 20 clients not reading: $per kB each"
ok "$([ "$per" -lt 4096 ]; echo $?)" "20 clients not reading the 20 MB message: under 4 MB each ($per kB)"
http_get "$HTTPD_URL/big/2"
is "$RESP_STATUS" 200 "meanwhile a message page is served"
kill "$sleepers" 2>/dev/null
wait "$sleepers" 2>/dev/null
sleepers=
httpd_stop

# -- the same with an mbox export that holds the 20 MB message: exports
# hold a batch of at most 1 MiB, and a longer message a piece at a time.
IMAPEEK_HTTPD=$IMAPEEK_TOP/build/rel/cgi/imapeek-httpd httpd_start "$conf" -j 20
port=${HTTPD_URL##*:}
http_get "$HTTPD_URL/big/search?q=since:2000-01-01&format=mbox"
is "$RESP_STATUS" 200 "release build: the mailbox as mbox once (warm)"
before=$(rss "$HTTPD_PID")
sleep_on "/big/search?q=since:2000-01-01&format=mbox"
per=$(( (during - before) / 20 ))
diag "RSS $before kB before, $during kB with 20 exports not read: $per kB each"
ok "$([ "$per" -lt 4096 ]; echo $?)" "20 clients not reading an export with the 20 MB message: under 4 MB each ($per kB)"
http_get "$HTTPD_URL/big/2"
is "$RESP_STATUS" 200 "meanwhile a message page is served"
kill "$sleepers" 2>/dev/null
wait "$sleepers" 2>/dev/null
sleepers=
httpd_stop

# -- a fetch that fails half-way (t/tools/fake-imapd part-break: the
# second partial fetch of the message gets a tagged NO)
fake_conf=$TEST_TMP/fake.conf
{
	echo "imapd = $(command -v python3) $IMAPEEK_TOP/t/tools/fake-imapd part-break"
	echo "templates = $IMAPEEK_TOP/templates"
} >"$fake_conf"
httpd_start "$fake_conf" -j 1
curl -s -o "$TEST_TMP/part" -D "$TEST_TMP/part.head" "$HTTPD_URL/INBOX/1/1"
is "$?" 18 "httpd: a part whose second fetch fails: curl sees a broken transfer (exit 18)"
like "$(head -n 1 "$TEST_TMP/part.head")" '^HTTP/1.1 200' "... after a 200 head"
like "$(tr -d '\r' <"$TEST_TMP/part.head")" 'Transfer-Encoding: chunked' "... chunked, without the last chunk"
curl -s -o "$TEST_TMP/raw" "$HTTPD_URL/INBOX/1/raw"
is "$?" 18 "httpd: the raw message, the same: exit 18 (short of its Content-Length)"
http_get "$HTTPD_URL/INBOX/1"
like "$RESP_STATUS" '^(200|502)$' "the server goes on ($RESP_STATUS)"
like "$(cat "$HTTPD_LOG")" 'the part failed after the answer began' "the log says the part failed after the answer began"
httpd_stop

# -- the same under FastCGI behind nginx, and under CGI
command -v nginx >/dev/null && command -v spawn-fcgi >/dev/null && have_nginx=1 || have_nginx=
if [ -n "$have_nginx" ]; then
	fcgi_start "$fake_conf"
	nport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	mkdir -p "$TEST_TMP/nginx"
	# As root, nginx's workers would run as nobody: the socket is root's.
	[ "$(id -u)" = 0 ] && echo "user root root;" >"$TEST_TMP/nginx/user.conf" ||
		: >"$TEST_TMP/nginx/user.conf"
	cat >"$TEST_TMP/nginx/nginx.conf" <<-EOF
	include $TEST_TMP/nginx/user.conf;
	daemon off;
	pid $TEST_TMP/nginx/nginx.pid;
	error_log $TEST_TMP/nginx/error.log info;
	events { worker_connections 64; }
	http {
	  access_log off;
	  client_body_temp_path $TEST_TMP/nginx;
	  fastcgi_temp_path $TEST_TMP/nginx;
	  proxy_temp_path $TEST_TMP/nginx;
	  uwsgi_temp_path $TEST_TMP/nginx;
	  scgi_temp_path $TEST_TMP/nginx;
	  server {
	    listen 127.0.0.1:$nport;
	    location /archive/ {
	      include /etc/nginx/fastcgi_params;
	      fastcgi_split_path_info ^(/archive)(/.*)\$;
	      fastcgi_param SCRIPT_NAME \$fastcgi_script_name;
	      fastcgi_param PATH_INFO \$fastcgi_path_info;
	      fastcgi_keep_conn on;
	      fastcgi_pass unix:$FCGI_SOCKET;
	    }
	  }
	}
	EOF
	nginx -c "$TEST_TMP/nginx/nginx.conf" -e "$TEST_TMP/nginx/error.log" 2>>"$TEST_TMP/nginx/error.log" &
	nginx_pid=$!
	at_exit '[ -z "$nginx_pid" ] || kill "$nginx_pid" 2>/dev/null'
	i=0
	until curl -s -o /dev/null "http://127.0.0.1:$nport/archive/INBOX/1" || [ $i -gt 50 ]; do sleep 0.1; i=$((i + 1)); done
	curl -s -o "$TEST_TMP/fpart" -D "$TEST_TMP/fpart.head" "http://127.0.0.1:$nport/archive/INBOX/1/1"
	is "$?" 18 "FastCGI behind nginx: the broken part is a broken transfer (exit 18)"
	like "$(head -n 1 "$TEST_TMP/fpart.head")" '^HTTP/1.1 200' "... after a 200 head"
	like "$(cat "$TEST_TMP/nginx/error.log")" 'upstream prematurely closed' \
		"... nginx saw the FastCGI request end without FCGI_END_REQUEST (fastcgi_keep_conn on)"
	curl -s -o /dev/null "http://127.0.0.1:$nport/archive/INBOX/1/raw"
	is "$?" 18 "FastCGI behind nginx: the broken raw message too (exit 18)"
	http_get "http://127.0.0.1:$nport/archive/INBOX/1"
	like "$RESP_STATUS" '^(200|502)$' "the responder answers the next request ($RESP_STATUS)"
	kill "$nginx_pid"
	wait "$nginx_pid" 2>/dev/null
	nginx_pid=
	fcgi_stop
else
	for t in 1 2 3 4 5 6; do ok 0 "# SKIP nginx or spawn-fcgi missing"; done
fi
IMAPEEK_CONF=$fake_conf cgi_get /INBOX/1/raw "" >"$TEST_TMP/cgi.out" 2>"$TEST_TMP/cgi.err"
cgi_response "$TEST_TMP/cgi.out"
want=$(sed -n 's/^Content-Length: //p' "$RESP_HEADERS")
got=$(wc -c <"$RESP_BODY" | tr -d ' ')
ok "$([ -n "$want" ] && [ "$got" -lt "$want" ]; echo $?)" \
	"CGI: the broken raw message declares its Content-Length ($want), the body is short ($got): detectable"
like "$(cat "$TEST_TMP/cgi.err")" 'cut short' "CGI: the log says the response was cut short"
done_testing
