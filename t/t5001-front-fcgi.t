#!/bin/sh
# imapeek.cgi as a FastCGI responder under spawn-fcgi, over the sample
# archive behind Dovecot: one process serves many requests with one imapd,
# the request's variables reach the page they name, error pages never show
# internals, and it stops cleanly (exit 0, its imapd gone) on SIGTERM and
# SIGUSR1.  (t5010 follows the imapd session itself in Dovecot's rawlog.)
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"
. "$IMAPEEK_TOP/t/lib-front.sh"

command -v spawn-fcgi >/dev/null || skip_all "spawn-fcgi is not installed"
command -v cgi-fcgi >/dev/null || skip_all "cgi-fcgi is not installed (Debian: libfcgi-bin)"

pages_setup_sample
digest_before=$(store_digest "$PAGES_STORE")
odd='Archiv/Grüße & Co'
odd_path='/Archiv/Gr%C3%BC%C3%9Fe%20%26%20Co/'

fcgi_start "$PAGES_CONF"
pid=$FCGI_PID

page fcgi /lists/dev/
is "$RESP_STATUS" 200 "FastCGI: the index answers 200"
like "$(head -n 1 "$TEST_TMP/cgi.out")" "^Status: 200 OK$(printf '\r')\$" "output starts with the Status line, CRLF"
like "$(cat "$RESP_BODY")" 'href="/lists/dev/[0-9]+"' "... and links to messages"
uid=$(sed -n 's|.*href="/lists/dev/\([0-9][0-9]*\)".*|\1|p' "$RESP_BODY" | head -n 1)

# -- the path and the query
page fcgi "$odd_path" format=json
is "$(json 'd["mailbox"]')" "$odd" "%C3%BC, %20 and %26 in the path name '$odd'"
page fcgi /lists%2Fdev/ format=json
is "$RESP_STATUS" 404 "%2F inside a segment does not split it (404)"
is "$(json 'd.get("mailbox", "none")')" none "... and serves no mailbox"
page fcgi /lists/dev/ "page=2&format=json"
like "$(header Content-Type)" '^application/json' "?page=2&format=json: JSON"
is "$(json 'd["page"]')" 2 "... of page 2"
page fcgi /lists/dev/ "page=2&x=%26page%3D3&format=json"
is "$(json 'd["page"]')" 2 "%26page%3D3 inside a value does not become page=3"

# -- mounted below /archive
for path in / /lists/dev/ "/lists/dev/$uid"; do
	CGI_SCRIPT_NAME=/archive page fcgi "$path" format=json
	front_urls >"$TEST_TMP/urls"
	ok "$([ -s "$TEST_TMP/urls" ]; echo $?)" "/archive$path: the JSON has URLs ($(wc -l <"$TEST_TMP/urls" | tr -d ' '))"
	is "$(grep -cv '^/archive/' "$TEST_TMP/urls")" 0 "/archive$path: every JSON URL starts with /archive/"
done
CGI_SCRIPT_NAME=/archive page fcgi "" format=json
is "$RESP_STATUS" 200 "the bare root /archive answers 200"
is "$(json '"lists/dev" in [m["name"] for m in d["mailboxes"]]')" true "... with the mailbox list"

# -- PATH_INFO fallback, request headers
page fcgi "$odd_path" format=json REQUEST_URI=
is "$(json 'd["mailbox"]')" "$odd" "without REQUEST_URI, PATH_INFO names '$odd'"
page fcgi /lists/dev/ "" HTTP_ACCEPT=application/json
is "$(json 'd["mailbox"]')" lists/dev "Accept: application/json gives JSON"
page fcgi /lists/dev/ format=json
cp "$RESP_BODY" "$TEST_TMP/plain.json"
page fcgi /lists/dev/ format=json HTTPS=on
is "$RESP_STATUS" 200 "HTTPS=on: 200"
ok "$(cmp -s "$RESP_BODY" "$TEST_TMP/plain.json"; echo $?)" "HTTPS=on: the same JSON"

# -- HEAD, methods, hostile requests
page fcgi "/lists/dev/$uid"
cp "$RESP_HEADERS" "$TEST_TMP/get.headers"
CGI_METHOD=HEAD page fcgi "/lists/dev/$uid"
is "$(wc -c <"$RESP_BODY" | tr -d ' ')" 0 "HEAD: no body"
ok "$(cmp -s "$TEST_TMP/get.headers" "$RESP_HEADERS"; echo $?)" "HEAD: the same headers as GET"
CGI_METHOD=POST page fcgi /lists/dev/
is "$RESP_STATUS" 405 "POST is answered 405"
front_no_internals "405 page"
long=$(head -c 65536 /dev/zero | tr '\0' a)
page fcgi "/$long"
is "$RESP_STATUS" 414 "a 64 KiB path is answered 414"
crlf=$(printf '\r\nX-Injected: yes')
page fcgi "/a%0D%0AX-Injected:%20yes" "" HTTP_ACCEPT="text/html${crlf}"
like "$(head -n 1 "$TEST_TMP/cgi.out")" '^Status: [0-9]{3} ' "CR LF in a parameter: still a status line"
unlike "$(cat "$RESP_HEADERS")" '^X-Injected' "CR LF in path and headers adds no header"
page fcgi /nope/
is "$RESP_STATUS" 404 "an unknown mailbox is 404"
front_no_internals "404 page"

# -- one process, one imapd, kept across every request above
page fcgi /lists/dev/
is "$RESP_STATUS" 200 "still serving"
ok "$(kill -0 "$pid"; echo $?)" "the same responder process served every request"
imapds=$(imapd_procs "$IMAPD_STATE/")
is "$(echo $imapds | wc -w | tr -d ' ')" 1 "one imapd serves the responder"
is "$(ps -o ppid= -p "$imapds" 2>/dev/null | tr -d ' ')" "$pid" "... and it is the responder's child"
fcgi_stop
is "$(imapd_procs "$IMAPD_STATE/" | wc -l | tr -d ' ')" 0 "SIGTERM: the imapd is gone with the responder"

# SIGUSR1 (libfcgi's own convention) stops it too, also right after a request.
fcgi_start "$PAGES_CONF"
page fcgi /lists/dev/
kill -USR1 "$FCGI_PID"
_http_reap "$FCGI_PID" imapeek.cgi
FCGI_PID=
is "$_http_status" 0 "exits 0 on SIGUSR1"
is "$(imapd_procs "$IMAPD_STATE/" | wc -l | tr -d ' ')" 0 "... and its imapd is gone"

# An imapd that cannot start: 502 without internals, and the responder lives.
front_dead_imapd_conf "$TEST_TMP/dead.conf"
fcgi_start "$TEST_TMP/dead.conf"
page fcgi /lists/dev/
is "$RESP_STATUS" 502 "an imapd that fails at start gives 502"
front_no_internals "502 page"
page fcgi /lists/dev/ format=json
is "$RESP_STATUS" 502 "... again on the next request"
ok "$(kill -0 "$FCGI_PID"; echo $?)" "... and the responder lives on"
like "$(cat "$FCGI_LOG")" "imapd $DOVECOT_IMAP" "the log names the imapd"
fcgi_stop

# A configuration error: the responder stays up (a FastCGI manager would
# only see "exited with 1" and start it again), every request is a 500
# that no cache keeps, and the reason, FILE:LINE, goes with each request
# on its FastCGI stderr stream, which the web server writes to its error
# log (cgi-fcgi writes it to its own stderr).
printf 'imapd = /bin/false\nbogus = 1\n' >"$TEST_TMP/bad.conf"
fcgi_start "$TEST_TMP/bad.conf"
for n in 1 2; do
	fcgi_get /lists/dev/ >"$TEST_TMP/bad.out" 2>"$TEST_TMP/bad.err"
	cgi_response "$TEST_TMP/bad.out"
	is "$RESP_STATUS $(header Cache-Control)" "500 no-store" \
		"a bad configuration: request $n is a 500, no-store"
	like "$(cat "$TEST_TMP/bad.err")" "bad\.conf:2: unknown key" \
		"... and its FastCGI stderr says FILE:LINE and why"
done
fcgi_stop

# spawn-fcgi without -n starts its child with stderr on /dev/null: what
# imapeek and the imapd write to stderr still reaches the web server,
# with the next request's stderr stream.
front_dead_imapd_conf "$TEST_TMP/dead2.conf"
IMAPEEK_CONF=$TEST_TMP/dead2.conf spawn-fcgi -s "$TEST_TMP/forked.sock" \
	-P "$TEST_TMP/forked.pid" -- "$IMAPEEK_CGI" >/dev/null 2>&1
forked=$(cat "$TEST_TMP/forked.pid" 2>/dev/null)
at_exit '[ -z "$forked" ] || kill "$forked" 2>/dev/null'
is "$(readlink "/proc/$forked/fd/2" 2>/dev/null | sed 's/:.*//')" pipe \
	"with stderr on /dev/null, imapeek.cgi makes it a pipe of its own"
FCGI_SOCKET=$TEST_TMP/forked.sock fcgi_get /lists/dev/ >"$TEST_TMP/forked.out" 2>"$TEST_TMP/forked.err"
cgi_response "$TEST_TMP/forked.out"
is "$RESP_STATUS" 502 "an imapd that fails at start: 502"
like "$(cat "$TEST_TMP/forked.err")" "no-such-dovecot\.conf" \
	"... and the imapd's own reason reaches the request's stderr stream"
like "$(cat "$TEST_TMP/forked.err")" "imapeek: /lists/dev/: " "... with imapeek's line"
kill "$forked"
i=0
while kill -0 "$forked" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
ok "$(kill -0 "$forked" 2>/dev/null && echo 1 || echo 0)" "... and it stops on SIGTERM"
forked=

is "$(store_digest "$PAGES_STORE")" "$digest_before" "the store's files are unchanged"
done_testing
