#!/bin/sh
# imapeek-httpd: options, the raw path, HEAD, keep-alive with one gateway
# per worker, hostile requests, one log line per request, and a clean
# exit 0 on SIGTERM and SIGINT.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-http.sh"

conf=$TEST_TMP/imapeek.conf
cat >"$conf" <<EOC
imapd = /bin/false
title = front-end tests
EOC
body_line() { sed -n "s/^$1: //p" "$RESP_BODY"; }
echo_is() {
	if [ -n "$standin" ]; then is "$(body_line "$1")" "$2" "$3"
	else ok 0 "# SKIP $3 (needs the echoing gateway)"; fi
}

# -- options
"$IMAPEEK_HTTPD" -h >"$TEST_TMP/usage" 2>&1
is "$?" 0 "-h exits 0"
like "$(cat "$TEST_TMP/usage")" '^usage: imapeek-httpd .*-c CONF.*-l ADDR:PORT' "-h prints usage"
for bad in nonsense 127.0.0.1 127.0.0.1:99999 127.0.0.1:-1 '[::1:8080' '::1:8080' ':8080' 127.0.0.1:80x; do
	"$IMAPEEK_HTTPD" -c "$conf" -l "$bad" >"$TEST_TMP/err" 2>&1
	st=$?
	is "$st" 2 "-l '$bad' is refused with exit 2"
done
like "$(cat "$TEST_TMP/err")" 'bad -l' "... with a message"
"$IMAPEEK_HTTPD" -x >/dev/null 2>&1
is "$?" 2 "an unknown option exits 2"
"$IMAPEEK_HTTPD" -c "$conf" -j 0 >/dev/null 2>&1
is "$?" 2 "-j 0 exits 2"
printf 'imapd = /bin/false\nbogus = 1\n' >"$TEST_TMP/bad.conf"
"$IMAPEEK_HTTPD" -c "$TEST_TMP/bad.conf" -l 127.0.0.1:0 >"$TEST_TMP/err" 2>&1
is "$?" 1 "a bad configuration exits 1"
like "$(cat "$TEST_TMP/err")" "bad\.conf:2: " "... with FILE:LINE"
IMAPEEK_CONF=$TEST_TMP/bad.conf "$IMAPEEK_HTTPD" -l 127.0.0.1:0 >/dev/null 2>&1
is "$?" 1 "without -c, \$IMAPEEK_CONF is read"

# -- requests
httpd_start "$conf" -j 3
http_get "$HTTPD_URL/a%2Fb/%25c?x=1&y=%26"
standin=$(header X-Imapeek-Standin)
is "$RESP_STATUS" 200 "GET answered 200"
echo_is path "/a%2Fb/%25c" "%2F and %25 reach the gateway unchanged"
echo_is query "x=1&y=%26" "the query string reaches the gateway raw"
echo_is root "" "the root is empty"
get_len=$(wc -c <"$RESP_BODY" | tr -d ' ')
is "$(header Content-Length)" "$get_len" "Content-Length is the body's length"
sed 1d "$RESP_HEADERS" | grep -v "^$" | grep -iv '^\(date\|connection\|x-standin-requests\):' >"$TEST_TMP/get.headers"

# curl cannot show a body after HEAD; a raw exchange can (the request is
# given with \r and \n written as such).
port=${HTTPD_URL##*:}
raw_request() {
	perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $ARGV[0]) or die;
		my $request = $ARGV[1]; $request =~ s/\\r/\r/g; $request =~ s/\\n/\n/g;
		print $s $request; local $/; my $answer = <$s>; print $answer;
	' "$port" "$1"
}
# the same Host and Accept as curl's GET above
raw_request "HEAD /a%2Fb/%25c?x=1&y=%26 HTTP/1.1\r\nHost: ${HTTPD_URL#http://}\r\nAccept: */*\r\nConnection: close\r\n\r\n" \
	>"$TEST_TMP/head.raw"
cgi_response "$TEST_TMP/head.raw"
like "$(head -n 1 "$TEST_TMP/head.raw")" '^HTTP/1\.1 200 ' "HEAD answered 200"
is "$(wc -c <"$RESP_BODY" | tr -d ' ')" 0 "HEAD: no body on the wire"
is "$(header Content-Length)" "$get_len" "HEAD: Content-Length of the GET body"
sed 1d "$RESP_HEADERS" | grep -iv '^\(date\|connection\|x-standin-requests\):' >"$TEST_TMP/head.headers"
ok "$(cmp -s "$TEST_TMP/get.headers" "$TEST_TMP/head.headers"; echo $?)" "HEAD: the same headers as GET"

http_get "$HTTPD_URL/h" -H 'Accept: application/json' -H 'If-None-Match: "abc"' \
	-H 'If-Modified-Since: Sat, 01 Jan 2022 00:00:00 GMT' -H 'Accept-Encoding: gzip'
echo_is accept application/json "Accept reaches the gateway"
echo_is if-none-match '"abc"' "If-None-Match reaches the gateway"
echo_is if-modified-since 'Sat, 01 Jan 2022 00:00:00 GMT' "If-Modified-Since reaches the gateway"
echo_is accept-encoding gzip "Accept-Encoding reaches the gateway"
echo_is host "${HTTPD_URL#http://}" "Host reaches the gateway"

for method in POST PUT DELETE OPTIONS; do
	http_get "$HTTPD_URL/" -X "$method" -d 'x=1'
	is "$RESP_STATUS" 405 "$method is answered 405"
done

# -- keep-alive: one connection, several requests
curl -sv -o /dev/null -o /dev/null -o /dev/null \
	"$HTTPD_URL/k1" "$HTTPD_URL/missing" "$HTTPD_URL/k3" 2>"$TEST_TMP/curl.log"
is "$(grep -c 'Re-using existing connection' "$TEST_TMP/curl.log")" 2 "keep-alive: three requests on one connection"
is "$(grep -c '^< HTTP/1.1 ' "$TEST_TMP/curl.log")" 3 "... and three answers"
if [ -n "$standin" ]; then
	curl -s -D - -o /dev/null -o /dev/null "$HTTPD_URL/r1" "$HTTPD_URL/r2" |
		tr -d '\r' >"$TEST_TMP/two"
	first=$(sed -n 's/^X-Standin-Requests: //ip' "$TEST_TMP/two" | head -n 1)
	second=$(sed -n 's/^X-Standin-Requests: //ip' "$TEST_TMP/two" | tail -n 1)
	is "$second" "$((first + 1))" "one worker's gateway serves the connection's requests in turn"
else
	ok 0 "# SKIP one gateway per worker (needs the echoing gateway)"
fi

# -- parallel clients on the pool
i=0
pids=
while [ $i -lt 12 ]; do
	curl -s -o /dev/null -w '%{http_code}\n' "$HTTPD_URL/p$i" >>"$TEST_TMP/par" &
	pids="$pids $!"
	i=$((i + 1))
done
# Not a bare "wait": that would wait for the server too.
for pid in $pids; do wait "$pid"; done
is "$(grep -c '^200$' "$TEST_TMP/par")" 12 "12 parallel requests all answered 200"

# -- hostile requests
long=$(head -c 65536 /dev/zero | tr '\0' a)
http_get "$HTTPD_URL/$long"
like "$RESP_STATUS" '^(414|400)$' "a 64 KiB path gets a clean 414 or 400 ($RESP_STATUS)"
mid=$(head -c 10000 /dev/zero | tr '\0' a)
http_get "$HTTPD_URL/$mid"
is "$RESP_STATUS" 414 "a 10 KB path gets 414"
http_get "$HTTPD_URL/ok"
is "$RESP_STATUS" 200 "the server still answers after them"

http_get "$HTTPD_URL/a%0D%0AX-Injected:%20yes?q=%0D%0AX-Injected:%20yes"
unlike "$(cat "$RESP_HEADERS")" '^X-Injected' "encoded CR LF in path and query adds no header"
# A raw request with a folded header line and a bare CR: never a new
# response header, the server answers (or refuses) and lives on.
raw_request "GET /fold HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n X-Injected: yes\r\nIf-None-Match: \"a\"\rX-Injected: yes\r\nConnection: close\r\n\r\n" \
	>"$TEST_TMP/raw" 2>/dev/null
like "$(head -n 1 "$TEST_TMP/raw")" '^HTTP/1\.1 [0-9]{3} ' "folded header and bare CR: an HTTP answer"
unlike "$(sed -n '1,/^\r*$/p' "$TEST_TMP/raw")" '^X-Injected' "... without an injected header"
http_get "$HTTPD_URL/"
is "$RESP_STATUS" 200 "still serving"

# -- the log: one line per request
like "$(cat "$HTTPD_LOG")" 'GET /a%2Fb/%25c\?x=1&y=%26 200 [0-9]+ [0-9.]+ms' "log line: method, raw path, status, bytes, time"
like "$(cat "$HTTPD_LOG")" 'HEAD /a%2Fb/%25c\?x=1&y=%26 200 [0-9]+ ' "HEAD is logged"
like "$(cat "$HTTPD_LOG")" 'POST / 405 ' "405 is logged"

httpd_stop
like "$(tail -n 1 "$HTTPD_LOG")" 'stopping' "the log says it stopped on the signal"

# -- IPv6 and SIGINT
if curl -s -g -o /dev/null "http://[::1]:1/" 2>/dev/null || [ -e /proc/net/if_inet6 ]; then
	"$IMAPEEK_HTTPD" -c "$conf" -l '[::1]:0' 2>"$TEST_TMP/v6.log" &
	v6=$!
	i=0
	until grep -q 'listening on' "$TEST_TMP/v6.log" || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
	v6url=$(sed -n 's|.*listening on \(http://[^ ]*[0-9]\)/$|\1|p' "$TEST_TMP/v6.log")
	like "$v6url" '^http://\[::1\]:[0-9]+$' "listens on [::1]:port"
	http_get "$v6url/v6"
	is "$RESP_STATUS" 200 "answers over IPv6"
	kill -INT "$v6"
	wait "$v6"
	is "$?" 0 "exits 0 on SIGINT"
else
	ok 0 "# SKIP no IPv6 loopback"
	ok 0 "# SKIP no IPv6 loopback"
	ok 0 "# SKIP no IPv6 loopback"
fi

done_testing
