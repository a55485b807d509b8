#!/bin/sh
# imapeek-httpd over the sample archive behind Dovecot: options, the raw
# path and query reaching the page they name, HEAD, keep-alive, a pool of
# workers with one imapd each at most, hostile requests, error pages
# without internals, one log line per request, and a clean exit 0 on
# SIGTERM and SIGINT with no imapd left behind.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"
. "$IMAPEEK_TOP/t/lib-front.sh"

pages_setup_sample
digest_before=$(store_digest "$PAGES_STORE")
conf=$PAGES_CONF
odd='Archiv/Grüße & Co'
odd_path='/Archiv/Gr%C3%BC%C3%9Fe%20%26%20Co/'

# -- options
"$IMAPEEK_HTTPD" -h >"$TEST_TMP/usage" 2>&1
is "$?" 0 "-h exits 0"
like "$(cat "$TEST_TMP/usage")" '^usage: imapeek-httpd .*-c CONF.*-l ADDR:PORT' "-h prints usage"
"$IMAPEEK_HTTPD" --help >"$TEST_TMP/usage" 2>&1
is "$?" 0 "--help exits 0"
like "$(cat "$TEST_TMP/usage")" '^usage: imapeek-httpd ' "--help prints usage"
"$IMAPEEK_HTTPD" -c "$TEST_TMP/none.conf" -l 127.0.0.1:0 >"$TEST_TMP/err" 2>&1
is "$?" 1 "a missing configuration file exits 1"
like "$(cat "$TEST_TMP/err")" "^imapeek: .*none\.conf: No such file" "... saying so, as imapeek"
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
port=${HTTPD_URL##*:}
# A second server on the same port: the reason, and the address asked for.
"$IMAPEEK_HTTPD" -c "$conf" -l "127.0.0.1:$port" >"$TEST_TMP/err" 2>&1
is "$?" 1 "a port in use exits 1"
like "$(cat "$TEST_TMP/err")" "^imapeek: cannot listen on 127\.0\.0\.1:$port: Address already in use\$" \
	"... saying which address and why"
unlike "$(cat "$TEST_TMP/err")" 'port 0' "... and no word of port 0"
# An about file that is not there: the page without it, the reason logged.
{ cat "$conf"; echo "about = $TEST_TMP/no-about.md"; } >"$TEST_TMP/about.conf"
"$IMAPEEK_HTTPD" -c "$TEST_TMP/about.conf" -l 127.0.0.1:0 -j 1 >"$TEST_TMP/about.log" 2>&1 &
about_pid=$!
i=0
until grep -q 'listening on' "$TEST_TMP/about.log" || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill -TERM "$about_pid"; wait "$about_pid"
like "$(cat "$TEST_TMP/about.log")" "imapeek: about: .*no-about\.md: No such file or directory" \
	"a missing about file is logged with its reason"
http_get "$HTTPD_URL$odd_path?format=json"
is "$RESP_STATUS" 200 "a path with %C3%BC, %20 and %26 answers 200"
is "$(json 'd["mailbox"]')" "$odd" "... and names the mailbox '$odd'"
is "$(json 'd["next"]')" "$odd_path?page=2&format=json" "... whose URLs are percent-encoded again"
http_get "$HTTPD_URL/lists%2Fdev/?format=json"
is "$RESP_STATUS" 404 "%2F inside a segment does not split it (404)"
is "$(json 'd.get("mailbox", "none")')" none "... and serves no mailbox"
http_get "$HTTPD_URL/lists/dev/?page=2&format=json"
like "$(header Content-Type)" '^application/json' "?page=2&format=json: JSON"
is "$(json 'd["page"]')" 2 "... of page 2"
http_get "$HTTPD_URL/lists/dev/?page=2&x=%26page%3D3&format=json"
is "$(json 'd["page"]')" 2 "%26page%3D3 inside a value does not become page=3"
http_get "$HTTPD_URL/lists/dev/" -H 'Accept: application/json'
is "$(json 'd["mailbox"]')" lists/dev "Accept: application/json gives JSON"
http_get "$HTTPD_URL/lists/dev/" -H 'Accept: text/html,application/json;q=0.5'
like "$(header Content-Type)" '^text/html' "Accept preferring text/html gives HTML"
uid=$(sed -n 's|.*href="/lists/dev/\([0-9][0-9]*\)".*|\1|p' "$RESP_BODY" | head -n 1)
like "$uid" '^[0-9]+$' "the index links to messages"

http_get "$HTTPD_URL/lists/dev/$uid"
is "$RESP_STATUS" 200 "a message answers 200"
get_len=$(wc -c <"$RESP_BODY" | tr -d ' ')
is "$(header Content-Length)" "$get_len" "Content-Length is the body's length"
sed 1d "$RESP_HEADERS" | grep -v "^$" | grep -iv '^\(date\|connection\):' >"$TEST_TMP/get.headers"

# curl cannot show a body after HEAD; a raw exchange can (the request is
# given with \r and \n written as such).
raw_request() {
	perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $ARGV[0]) or die;
		my $request = $ARGV[1]; $request =~ s/\\r/\r/g; $request =~ s/\\n/\n/g;
		print $s $request; local $/; my $answer = <$s>; print $answer;
	' "$port" "$1"
}
# the same Host and Accept as curl's GET above
raw_request "HEAD /lists/dev/$uid HTTP/1.1\r\nHost: ${HTTPD_URL#http://}\r\nAccept: */*\r\nConnection: close\r\n\r\n" \
	>"$TEST_TMP/head.raw"
cgi_response "$TEST_TMP/head.raw"
like "$(head -n 1 "$TEST_TMP/head.raw")" '^HTTP/1\.1 200 ' "HEAD answered 200"
is "$(wc -c <"$RESP_BODY" | tr -d ' ')" 0 "HEAD: no body on the wire"
is "$(header Content-Length)" "$get_len" "HEAD: Content-Length of the GET body"
sed 1d "$RESP_HEADERS" | grep -iv '^\(date\|connection\):' >"$TEST_TMP/head.headers"
ok "$(cmp -s "$TEST_TMP/get.headers" "$TEST_TMP/head.headers"; echo $?)" "HEAD: the same headers as GET"

for method in POST PUT DELETE OPTIONS; do
	http_get "$HTTPD_URL/lists/dev/" -X "$method" -d 'x=1'
	is "$RESP_STATUS" 405 "$method is answered 405"
done
front_no_internals "405 page"

# -- keep-alive: one connection, several requests
curl -sv -o /dev/null -o /dev/null -o /dev/null \
	"$HTTPD_URL/lists/dev/" "$HTTPD_URL/missing/" "$HTTPD_URL/lists/dev/$uid" 2>"$TEST_TMP/curl.log"
is "$(grep -c 'Re-using existing connection' "$TEST_TMP/curl.log")" 2 "keep-alive: three requests on one connection"
is "$(sed -n 's/^< HTTP\/1.1 \([0-9]*\).*/\1/p' "$TEST_TMP/curl.log" | tr -d '\r' | tr '\n' ' ')" "200 404 200 " \
	"... answered 200, 404, 200"

# -- parallel clients on the pool of three workers
i=0
pids=
while [ $i -lt 12 ]; do
	curl -s -o /dev/null -w '%{http_code}\n' "$HTTPD_URL/lists/dev/?page=$((i % 4 + 1))" >>"$TEST_TMP/par" &
	pids="$pids $!"
	i=$((i + 1))
done
# Not a bare "wait": that would wait for the server too.
for pid in $pids; do wait "$pid"; done
is "$(grep -c '^200$' "$TEST_TMP/par")" 12 "12 parallel requests all answered 200"
imapds=$(imapd_procs "$IMAPD_STATE/" | wc -l | tr -d ' ')
ok "$([ "$imapds" -ge 1 ] && [ "$imapds" -le 3 ]; echo $?)" "-j 3: one imapd per worker at most ($imapds running)"

# -- hostile requests
long=$(head -c 65536 /dev/zero | tr '\0' a)
http_get "$HTTPD_URL/$long"
like "$RESP_STATUS" '^(414|400)$' "a 64 KiB path gets a clean 414 or 400 ($RESP_STATUS)"
mid=$(head -c 10000 /dev/zero | tr '\0' a)
http_get "$HTTPD_URL/$mid"
is "$RESP_STATUS" 414 "a 10 KB path gets 414"
unlike "$(cat "$RESP_BODY")" "aaaaaaaaaa" "the 414 page does not echo the path"
front_no_internals "414 page"
http_get "$HTTPD_URL/lists/dev/"
is "$RESP_STATUS" 200 "the server still answers after them"

http_get "$HTTPD_URL/a%0D%0AX-Injected:%20yes?q=%0D%0AX-Injected:%20yes"
unlike "$(cat "$RESP_HEADERS")" '^X-Injected' "encoded CR LF in path and query adds no header"
# A raw request with a folded header line and a bare CR: never a new
# response header, the server answers (or refuses) and lives on.
raw_request "GET /lists/dev/ HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n X-Injected: yes\r\nIf-None-Match: \"a\"\rX-Injected: yes\r\nConnection: close\r\n\r\n" \
	>"$TEST_TMP/raw" 2>/dev/null
like "$(head -n 1 "$TEST_TMP/raw")" '^HTTP/1\.1 [0-9]{3} ' "folded header and bare CR: an HTTP answer"
unlike "$(sed -n '1,/^\r*$/p' "$TEST_TMP/raw")" '^X-Injected' "... without an injected header"

# -- error pages say what went wrong, never how
http_get "$HTTPD_URL/nope/"
is "$RESP_STATUS" 404 "an unknown mailbox is 404"
front_no_internals "404 page"
http_get "$HTTPD_URL/lists/dev/0"
is "$RESP_STATUS" 400 "UID 0 is 400"
front_no_internals "400 page"
http_get "$HTTPD_URL/private/secret/"
is "$RESP_STATUS" 404 "a hidden mailbox is 404"
front_no_internals "hidden mailbox page"
http_get "$HTTPD_URL/"
is "$RESP_STATUS" 200 "still serving"

# -- the log: one line per request
like "$(cat "$HTTPD_LOG")" "\"GET $odd_path\\?format=json HTTP/1\\.1\" 200 [0-9]+ \"-\" \"curl/[^\"]*\" [0-9.]+ms" "log line: method, raw path, status, bytes, time"
like "$(cat "$HTTPD_LOG")" "\"HEAD /lists/dev/$uid HTTP/1\\.1\" 200 - " "HEAD is logged (no body bytes)"
like "$(cat "$HTTPD_LOG")" '"POST /lists/dev/ HTTP/1\.1" 405 ' "405 is logged"

httpd_stop
like "$(cat "$HTTPD_LOG")" 'imapeek: signal 15: stopping' "the log says it stopped on the signal"
is "$(imapd_procs "$IMAPD_STATE/" | wc -l | tr -d ' ')" 0 "no imapd is left running"

# -- an imapd that cannot start: 502 without internals, the server lives
front_dead_imapd_conf "$TEST_TMP/dead.conf"
httpd_start "$TEST_TMP/dead.conf" -j 1
http_get "$HTTPD_URL/lists/dev/"
is "$RESP_STATUS" 502 "an imapd that fails at start gives 502"
front_no_internals "502 page"
http_get "$HTTPD_URL/"
is "$RESP_STATUS" 502 "... and again on the next request"
like "$(cat "$HTTPD_LOG")" "imapd $DOVECOT_IMAP" "the log names the imapd"
httpd_stop

# -- where the site is: base-url (behind a proxy under a path), else a
# Host that is a valid host[:port], else the port the request came in on
{ cat "$conf"; echo "base-url = https://lists.example.org/archive"; } >"$TEST_TMP/base.conf"
httpd_start "$TEST_TMP/base.conf" -j 1
http_get "$HTTPD_URL/"
hrefs=$(sed -n 's/.*href="\([^"]*\)".*/\1/p' "$RESP_BODY" | grep -v '^https://' | sort -u)
like "$hrefs" '/archive/lists/dev/' "base-url: the list links below its path"
is "$(printf '%s\n' "$hrefs" | grep -v '^/archive/' | head -n 1)" "" "... and every link of the page is below it"
http_get "$HTTPD_URL/lists/dev"
is "$RESP_STATUS $(header Location)" "301 /archive/lists/dev/" "base-url: a redirect goes below its path"
http_get "$HTTPD_URL/lists/dev/?format=json"
is "$(json 'd["messages"][0]["url"].split("/")[1]')" archive "base-url: JSON urls are below its path"
http_get "$HTTPD_URL/lists/dev/new.atom" -H 'Host: evil.example'
like "$(cat "$RESP_BODY")" '<id>https://lists\.example\.org/archive/lists/dev/new\.atom</id>' \
	"base-url: the feed's id is its URL, whatever Host says"
httpd_stop
httpd_start "$conf" -j 1
port=${HTTPD_URL##*:}
http_get "$HTTPD_URL/lists/dev/new.atom" -H 'Host: evil.example/<x>'
like "$(cat "$RESP_BODY")" "<id>http://localhost:$port/lists/dev/new\\.atom</id>" \
	"a Host that is no host[:port] is not used; the port the request came in on is"
http_get "$HTTPD_URL/lists/dev/new.atom" -H 'Host: archive.example'
like "$(cat "$RESP_BODY")" "<id>http://archive\\.example:$port/lists/dev/new\\.atom</id>" \
	"a Host without a port gets the one the request came in on"
httpd_stop

# -- IPv6 and SIGINT
if [ -e /proc/net/if_inet6 ]; then
	"$IMAPEEK_HTTPD" -c "$conf" -l '[::1]:0' 2>"$TEST_TMP/v6.log" &
	v6=$!
	at_exit '[ -z "$v6" ] || kill "$v6" 2>/dev/null'
	i=0
	until grep -q 'listening on' "$TEST_TMP/v6.log" || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
	v6url=$(sed -n 's|.*listening on \(http://[^ ]*[0-9]\)/$|\1|p' "$TEST_TMP/v6.log")
	like "$v6url" '^http://\[::1\]:[0-9]+$' "listens on [::1]:port"
	http_get "$v6url/lists/dev/?format=json"
	is "$(json 'd["mailbox"]')" lists/dev "answers over IPv6"
	kill -INT "$v6"
	wait "$v6"
	is "$?" 0 "exits 0 on SIGINT"
	v6=
else
	ok 0 "# SKIP no IPv6 loopback on this machine"
	ok 0 "# SKIP no IPv6 loopback on this machine"
	ok 0 "# SKIP no IPv6 loopback on this machine"
fi
is "$(imapd_procs "$IMAPD_STATE/" | wc -l | tr -d ' ')" 0 "no imapd is left running"
is "$(store_digest "$PAGES_STORE")" "$digest_before" "the store's files are unchanged"

done_testing
