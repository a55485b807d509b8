#!/bin/sh
# imapeek.cgi as a CGI program: the request a web server describes in
# variables reaches the gateway with its path still percent-encoded, and
# the answer is well-formed CGI output, whatever the request holds.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-http.sh"

cat >"$TEST_TMP/imapeek.conf" <<EOC
# front-end tests: the imapd is never reached by these requests
imapd = /bin/false
title = front-end tests
EOC
IMAPEEK_CONF=$TEST_TMP/imapeek.conf
export IMAPEEK_CONF
out=$TEST_TMP/out

# Is the gateway the echoing stand-in?  Then the request it saw is checkable.
cgi_get / >"$out"
cgi_response "$out"
standin=$(header X-Imapeek-Standin)
body_line() { sed -n "s/^$1: //p" "$RESP_BODY"; }
echo_is() {
	if [ -n "$standin" ]; then is "$(body_line "$1")" "$2" "$3"
	else ok 0 "# SKIP $3 (needs the echoing gateway)"; fi
}

# -- the output is CGI: Status line first, CRLF line ends, blank line
cgi_get "/a%2Fb/%25c" "x=1&y=%26" >"$out"
like "$(head -n 1 "$out")" '^Status: 200 OK'"$(printf '\r')"'$' "first line is Status: 200 OK with CRLF"
cr=$(printf '\r')
is "$(sed -n "1,/^$cr\$/p" "$out" | grep -vc "$cr\$")" 0 "every header line and the blank line end in CRLF"
cgi_response "$out"
is "$RESP_STATUS" 200 "GET answered 200"
like "$(header Content-Type)" '^text/' "a Content-Type is sent"

# -- the path stays percent-encoded: %2F is not a segment break, %25 not a %
echo_is path "/a%2Fb/%25c" "%2F and %25 reach the gateway unchanged"
echo_is query "x=1&y=%26" "query string reaches the gateway raw"
echo_is root "" "no SCRIPT_NAME: root is empty"

# -- mounted below /archive
CGI_SCRIPT_NAME=/archive cgi_get "/lists/dev/" "page=2" >"$out"
cgi_response "$out"
echo_is root /archive "SCRIPT_NAME becomes the root"
echo_is path /lists/dev/ "the path below the root, SCRIPT_NAME stripped"
CGI_SCRIPT_NAME=/archive/ cgi_get "/x%2Fy" >"$out"
cgi_response "$out"
echo_is root /archive "a trailing slash of SCRIPT_NAME is dropped"
CGI_SCRIPT_NAME=/archive cgi_get "" >"$out"
cgi_response "$out"
is "$RESP_STATUS" 200 "the bare root /archive is answered"
echo_is path / "the bare root /archive is the front page"

# -- without REQUEST_URI, PATH_INFO is encoded again ("/" kept, "%" encoded)
cgi_get "/100%25/x%20y/a%2Fb" "" REQUEST_URI= >"$out"
cgi_response "$out"
echo_is path "/100%25/x%20y/a/b" "PATH_INFO fallback: re-encoded, its slashes kept"
# a rewrite: REQUEST_URI outside SCRIPT_NAME, PATH_INFO is all there is
CGI_SCRIPT_NAME=/cgi-bin/imapeek.cgi cgi_get "/lists/dev/7" "" \
	REQUEST_URI=/archive/lists/dev/7 >"$out"
cgi_response "$out"
echo_is path "/lists/dev/7" "REQUEST_URI not below SCRIPT_NAME: PATH_INFO used"

# -- request headers
cgi_get "/h" "" HTTP_ACCEPT=application/json HTTP_IF_NONE_MATCH='"abc"' \
	HTTP_IF_MODIFIED_SINCE='Sat, 01 Jan 2022 00:00:00 GMT' \
	HTTP_ACCEPT_ENCODING=gzip HTTP_HOST=mail.example HTTPS=on >"$out"
cgi_response "$out"
echo_is accept application/json "HTTP_ACCEPT reaches the gateway"
echo_is if-none-match '"abc"' "HTTP_IF_NONE_MATCH reaches the gateway"
echo_is if-modified-since 'Sat, 01 Jan 2022 00:00:00 GMT' "HTTP_IF_MODIFIED_SINCE reaches the gateway"
echo_is accept-encoding gzip "HTTP_ACCEPT_ENCODING reaches the gateway"
echo_is host mail.example "HTTP_HOST reaches the gateway"
echo_is https yes "HTTPS=on is https"

# -- HEAD: the headers of GET, no body
cgi_get "/a%2Fb" >"$out"
cgi_response "$out"
grep -iv "^x-standin-requests:" "$RESP_HEADERS" >"$TEST_TMP/get.headers"
get_len=$(wc -c <"$RESP_BODY")
CGI_METHOD=HEAD cgi_get "/a%2Fb" >"$out"
cgi_response "$out"
is "$RESP_STATUS" 200 "HEAD answered 200"
is "$(wc -c <"$RESP_BODY" | tr -d ' ')" 0 "HEAD: no body (GET had $get_len bytes)"
grep -iv "^x-standin-requests:" "$RESP_HEADERS" >"$TEST_TMP/head.headers"
ok "$(cmp -s "$TEST_TMP/get.headers" "$TEST_TMP/head.headers"; echo $?)" "HEAD: the same headers as GET"

# -- other methods
for method in POST PUT DELETE OPTIONS PROPFIND; do
	CGI_METHOD=$method cgi_get "/" >"$out"
	cgi_response "$out"
	is "$RESP_STATUS" 405 "$method is answered 405"
done

# -- hostile requests
long=$(head -c 65536 /dev/zero | tr '\0' a)
cgi_get "/$long" >"$out"
cgi_response "$out"
is "$RESP_STATUS" 414 "a 64 KiB path is answered 414"
unlike "$(cat "$RESP_BODY")" "aaaaaaaaaa" "the 414 page does not echo the path"
cgi_get "/x" "q=$long" >"$out"
cgi_response "$out"
is "$RESP_STATUS" 414 "a 64 KiB query is answered 414"

crlf=$(printf '\r\nX-Injected: yes')
cgi_get "/a%0D%0AX-Injected:%20yes" "q=%0D%0AX-Injected:%20yes" \
	HTTP_ACCEPT="text/html${crlf}" HTTP_HOST="h${crlf}" \
	HTTP_IF_NONE_MATCH="\"x\"${crlf}" >"$out"
cgi_response "$out"
like "$(head -n 1 "$out")" '^Status: [0-9]{3} ' "CR LF in variables: still a status line"
unlike "$(cat "$RESP_HEADERS")" '^X-Injected' "CR LF in path, query and headers adds no header"
cgi_get "/a" "" REQUEST_URI="/a${crlf}" PATH_INFO="/a${crlf}" >"$out"
cgi_response "$out"
is "$RESP_STATUS" 400 "raw CR LF in the request-target is answered 400"
unlike "$(cat "$RESP_HEADERS")" '^X-Injected' "... and adds no header"

# -- configuration errors: a 500 for the visitor, FILE:LINE for the log
printf 'imapd = /bin/false\nno-such-key = 1\n' >"$TEST_TMP/bad.conf"
IMAPEEK_CONF=$TEST_TMP/bad.conf cgi_get / >"$out" 2>"$TEST_TMP/err"
cgi_response "$out"
is "$RESP_STATUS" 500 "a bad configuration gives 500"
like "$(cat "$TEST_TMP/err")" "bad\.conf:2: " "the log gets FILE:LINE"
unlike "$(cat "$out")" "bad\.conf|no-such-key" "the page does not show the configuration"
IMAPEEK_CONF=$TEST_TMP/none.conf cgi_get / >"$out" 2>"$TEST_TMP/err"
cgi_response "$out"
is "$RESP_STATUS" 500 "a missing configuration file gives 500"
like "$(cat "$TEST_TMP/err")" "none\.conf" "the log names the missing file"

done_testing
