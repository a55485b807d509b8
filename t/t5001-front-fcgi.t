#!/bin/sh
# imapeek.cgi as a FastCGI responder under spawn-fcgi: one process serves
# many requests with one gateway, passes the path still percent-encoded,
# and stops cleanly (exit 0) on SIGTERM and SIGUSR1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-http.sh"

command -v spawn-fcgi >/dev/null || skip_all "spawn-fcgi is not installed"
command -v cgi-fcgi >/dev/null || skip_all "cgi-fcgi is not installed (Debian: libfcgi-bin)"

conf=$TEST_TMP/imapeek.conf
cat >"$conf" <<EOC
imapd = /bin/false
title = front-end tests
EOC
out=$TEST_TMP/out
body_line() { sed -n "s/^$1: //p" "$RESP_BODY"; }
echo_is() {
	if [ -n "$standin" ]; then is "$(body_line "$1")" "$2" "$3"
	else ok 0 "# SKIP $3 (needs the echoing gateway)"; fi
}

fcgi_start "$conf"
pid=$FCGI_PID

fcgi_get "/" >"$out"
cgi_response "$out"
standin=$(header X-Imapeek-Standin)
is "$RESP_STATUS" 200 "FastCGI request answered 200"
like "$(head -n 1 "$out")" '^Status: 200 OK' "output starts with the Status line"

fcgi_get "/a%2Fb/%25c" "x=1&y=%26" >"$out"
cgi_response "$out"
echo_is path "/a%2Fb/%25c" "%2F and %25 reach the gateway unchanged"
echo_is query "x=1&y=%26" "query string reaches the gateway raw"

CGI_SCRIPT_NAME=/archive fcgi_get "/lists/dev/" >"$out"
cgi_response "$out"
echo_is root /archive "SCRIPT_NAME becomes the root"
echo_is path /lists/dev/ "the path below the root"

fcgi_get "/100%25/a%2Fb" "" REQUEST_URI= >"$out"
cgi_response "$out"
echo_is path "/100%25/a/b" "without REQUEST_URI, PATH_INFO is re-encoded"

fcgi_get "/h" "" HTTP_ACCEPT=application/json HTTPS=on >"$out"
cgi_response "$out"
echo_is accept application/json "HTTP_ACCEPT reaches the gateway"
echo_is https yes "HTTPS=on is https"

# HEAD: the headers of GET, no body
fcgi_get "/a" >"$out"
cgi_response "$out"
grep -iv "^x-standin-requests:" "$RESP_HEADERS" >"$TEST_TMP/get.headers"
CGI_METHOD=HEAD fcgi_get "/a" >"$out"
cgi_response "$out"
is "$(wc -c <"$RESP_BODY" | tr -d ' ')" 0 "HEAD: no body"
grep -iv "^x-standin-requests:" "$RESP_HEADERS" >"$TEST_TMP/head.headers"
ok "$(cmp -s "$TEST_TMP/get.headers" "$TEST_TMP/head.headers"; echo $?)" "HEAD: the same headers as GET"

CGI_METHOD=POST fcgi_get "/" >"$out"
cgi_response "$out"
is "$RESP_STATUS" 405 "POST is answered 405"

long=$(head -c 65536 /dev/zero | tr '\0' a)
fcgi_get "/$long" >"$out"
cgi_response "$out"
is "$RESP_STATUS" 414 "a 64 KiB path is answered 414"

crlf=$(printf '\r\nX-Injected: yes')
fcgi_get "/a%0D%0AX-Injected:%20yes" "" HTTP_ACCEPT="text/html${crlf}" >"$out"
cgi_response "$out"
like "$(head -n 1 "$out")" '^Status: [0-9]{3} ' "CR LF in a parameter: still a status line"
unlike "$(cat "$RESP_HEADERS")" '^X-Injected' "CR LF in path and headers adds no header"

# One process, one gateway, kept across requests.
for i in 1 2 3 4 5; do fcgi_get "/n$i" >"$out"; done
cgi_response "$out"
ok "$(kill -0 "$pid"; echo $?)" "the same responder process is still serving"
if [ -n "$standin" ]; then
	n=$(header X-Standin-Requests)
	ok "$([ "$n" -ge 10 ]; echo $?)" "one gateway served every request ($n)"
else
	ok 0 "# SKIP one gateway across requests (needs the echoing gateway)"
fi
fcgi_stop

# SIGUSR1 (libfcgi's own convention) stops it too, also right after a request.
fcgi_start "$conf"
fcgi_get "/" >/dev/null
kill -USR1 "$FCGI_PID"
_http_reap "$FCGI_PID" imapeek.cgi
FCGI_PID=
is "$_http_status" 0 "exits 0 on SIGUSR1"

# A configuration error stops the responder at start with FILE:LINE.
printf 'imapd = /bin/false\nbogus = 1\n' >"$TEST_TMP/bad.conf"
IMAPEEK_CONF=$TEST_TMP/bad.conf spawn-fcgi -n -s "$TEST_TMP/bad.sock" -- \
	"$IMAPEEK_CGI" >"$TEST_TMP/bad.log" 2>&1
is "$?" 1 "a bad configuration: exit 1 at start"
like "$(cat "$TEST_TMP/bad.log")" "bad\.conf:2: " "... with FILE:LINE on stderr"

done_testing
