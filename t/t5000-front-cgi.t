#!/bin/sh
# imapeek.cgi as a CGI program over the sample archive behind Dovecot: the
# request a web server describes in variables (REQUEST_URI or PATH_INFO,
# SCRIPT_NAME, QUERY_STRING, HTTP_*, HTTPS) reaches the page it names, the
# answer is well-formed CGI output whatever the request holds, and error
# pages never show internals.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"
. "$IMAPEEK_TOP/t/lib-front.sh"

pages_setup_sample
digest_before=$(store_digest "$PAGES_STORE")
odd='Archiv/Grüße & Co'
odd_path='/Archiv/Gr%C3%BC%C3%9Fe%20%26%20Co/'
out=$TEST_TMP/out
cr=$(printf '\r')

# -- the output is CGI: Status line first, CRLF line ends, blank line
IMAPEEK_CONF=$PAGES_CONF cgi_get /lists/dev/ "" >"$out" 2>>"$TEST_TMP/cgi.err"
like "$(head -n 1 "$out")" "^Status: 200 OK$cr\$" "first line is Status: 200 OK with CRLF"
is "$(sed -n "1,/^$cr\$/p" "$out" | grep -vc "$cr\$")" 0 "every header line and the blank line end in CRLF"
cgi_response "$out"
like "$(header Content-Type)" '^text/html; charset=utf-8' "the index is sent as HTML"
like "$(cat "$RESP_BODY")" 'href="/lists/dev/[0-9]+"' "... linking to its messages"
uid=$(sed -n 's|.*href="/lists/dev/\([0-9][0-9]*\)".*|\1|p' "$RESP_BODY" | head -n 1)

# -- absolute URLs: nginx's fastcgi_params passes HTTP_HOST as $host (no
# port); the port the request came in on (SERVER_PORT) is put back
IMAPEEK_CONF=$PAGES_CONF cgi_get /lists/dev/new.atom "" SERVER_PORT=8081 >"$out" 2>>"$TEST_TMP/cgi.err"
cgi_response "$out"
like "$(cat "$RESP_BODY")" '<id>http://localhost:8081/lists/dev/new\.atom</id>' \
	"HTTP_HOST without a port gets SERVER_PORT in the feed's URLs"
IMAPEEK_CONF=$PAGES_CONF cgi_get /lists/dev/new.atom "" 'HTTP_HOST=evil.example/<x>' \
	SERVER_NAME=archive.example SERVER_PORT=443 HTTPS=on >"$out" 2>>"$TEST_TMP/cgi.err"
cgi_response "$out"
like "$(cat "$RESP_BODY")" '<id>https://archive\.example/lists/dev/new\.atom</id>' \
	"an HTTP_HOST that is no host[:port] is not used: SERVER_NAME is"

# -- the path: UTF-8, space and "&" percent-encoded; %2F is not a level
page cgi "$odd_path" format=json
is "$RESP_STATUS" 200 "a path with %C3%BC, %20 and %26 answers 200"
is "$(json 'd["mailbox"]')" "$odd" "... and names the mailbox '$odd'"
page cgi "$odd_path"
like "$(cat "$RESP_BODY")" 'Grüße &amp; Co' "... whose HTML shows the name, escaped"
for split in /lists%2Fdev/ /lists%2fdev/ "/lists%2Fdev/$uid"; do
	page cgi "$split" format=json
	is "$RESP_STATUS" 404 "$split: %2F inside a segment does not split it (404)"
	is "$(json 'd.get("mailbox", "none")')" none "... and serves no mailbox"
done

# -- the query string arrives raw: an encoded "&" stays inside its value
page cgi /lists/dev/ "format=json"
first_page_uid=$(json 'd["messages"][0]["uid"]')
page cgi /lists/dev/ "page=2&format=json"
is "$RESP_STATUS" 200 "?page=2&format=json answers 200"
like "$(header Content-Type)" '^application/json' "... as JSON"
is "$(json 'd["page"]')" 2 "... with page 2"
is "$(json 'd["prev"]')" "/lists/dev/?format=json" "... whose prev is page 1 (format=json kept)"
unlike "$(json '[m["uid"] for m in d["messages"]]')" "[[ ]$first_page_uid[],]" "... without page 1's newest message"
page cgi /lists/dev/ "page=2&x=%26page%3D3&format=json"
is "$(json 'd["page"]')" 2 "%26page%3D3 inside a value does not become page=3"

# -- mounted below /archive: every URL carries the root
for path in / /lists/dev/ "/lists/dev/$uid" "$odd_path"; do
	CGI_SCRIPT_NAME=/archive page cgi "$path" format=json
	is "$RESP_STATUS" 200 "/archive$path answers 200"
	front_urls >"$TEST_TMP/urls"
	ok "$([ -s "$TEST_TMP/urls" ]; echo $?)" "/archive$path: the JSON has URLs ($(wc -l <"$TEST_TMP/urls" | tr -d ' '))"
	is "$(grep -cv '^/archive/' "$TEST_TMP/urls")" 0 "/archive$path: every JSON URL starts with /archive/"
done
CGI_SCRIPT_NAME=/archive page cgi /lists/dev/
front_urls | grep '^/' >"$TEST_TMP/urls"
ok "$([ -s "$TEST_TMP/urls" ]; echo $?)" "/archive/lists/dev/ HTML has links"
is "$(grep -cv '^/archive/' "$TEST_TMP/urls")" 0 "... every one of them below /archive/"
CGI_SCRIPT_NAME=/archive/ page cgi /lists/dev/ format=json \
	REQUEST_URI=/archive/lists/dev/?format=json
is "$(json 'd["next"]')" "/archive/lists/dev/?page=2&format=json" "SCRIPT_NAME /archive/: its trailing slash is dropped"

page cgi / format=json
json 'sorted(m["name"] for m in d["mailboxes"])' >"$TEST_TMP/names"
CGI_SCRIPT_NAME=/archive page cgi "" format=json
is "$RESP_STATUS" 200 "the bare root /archive answers 200"
is "$(json 'sorted(m["name"] for m in d["mailboxes"])')" "$(cat "$TEST_TMP/names")" \
	"... with the mailbox list"
CGI_SCRIPT_NAME=/archive page cgi ""
like "$(cat "$RESP_BODY")" 'href="/archive/lists/dev/"' "... which links below /archive/"

# -- without REQUEST_URI, PATH_INFO (decoded by the server) serves the same
page cgi "$odd_path" format=json
cp "$RESP_BODY" "$TEST_TMP/uri.json"
page cgi "$odd_path" format=json REQUEST_URI=
is "$RESP_STATUS" 200 "PATH_INFO fallback answers 200"
is "$(json 'd["mailbox"]')" "$odd" "... for the mailbox '$odd'"
ok "$(cmp -s "$RESP_BODY" "$TEST_TMP/uri.json"; echo $?)" "... with the page REQUEST_URI gives"
page cgi "/lists/dev/$uid" format=json REQUEST_URI=
is "$(json 'd["uid"]')" "$uid" "PATH_INFO fallback: a message page too"
# A rewrite: REQUEST_URI is not below SCRIPT_NAME, PATH_INFO is all there is.
CGI_SCRIPT_NAME=/cgi-bin/imapeek.cgi page cgi "/lists/dev/$uid" format=json \
	REQUEST_URI="/archive/lists/dev/$uid?format=json"
is "$(json 'd["mailbox"] + " " + str(d["uid"])')" "lists/dev $uid" \
	"REQUEST_URI outside SCRIPT_NAME: PATH_INFO names the page"

# -- request headers
page cgi /lists/dev/ "" HTTP_ACCEPT=application/json
like "$(header Content-Type)" '^application/json' "Accept: application/json gives JSON"
is "$(json 'd["mailbox"]')" lists/dev "... of the index"
page cgi /lists/dev/ "" HTTP_ACCEPT='text/html,application/json;q=0.5'
like "$(header Content-Type)" '^text/html' "Accept preferring text/html gives HTML"
page cgi /lists/dev/ format=json
cp "$RESP_BODY" "$TEST_TMP/plain.json"
page cgi /lists/dev/ format=json HTTPS=on
is "$RESP_STATUS" 200 "HTTPS=on: 200"
ok "$(cmp -s "$RESP_BODY" "$TEST_TMP/plain.json"; echo $?)" "HTTPS=on: the same JSON"
page cgi "/lists/dev/$uid" "" HTTPS=on HTTP_HOST=mail.example
is "$RESP_STATUS" 200 "HTTPS=on: a message page answers 200"

# -- HEAD: the headers of GET, no body
page cgi /lists/dev/
cp "$RESP_HEADERS" "$TEST_TMP/get.headers"
get_len=$(wc -c <"$RESP_BODY" | tr -d ' ')
CGI_METHOD=HEAD page cgi /lists/dev/
is "$RESP_STATUS" 200 "HEAD answered 200"
is "$(wc -c <"$RESP_BODY" | tr -d ' ')" 0 "HEAD: no body (GET had $get_len bytes)"
ok "$(cmp -s "$TEST_TMP/get.headers" "$RESP_HEADERS"; echo $?)" "HEAD: the same headers as GET"

# -- other methods
for method in POST PUT DELETE OPTIONS PROPFIND; do
	CGI_METHOD=$method page cgi /lists/dev/
	is "$RESP_STATUS" 405 "$method is answered 405"
done
like "$(header Allow)" '^GET, HEAD$' "405 says Allow: GET, HEAD"
front_no_internals "405 page"

# -- hostile requests
long=$(head -c 65536 /dev/zero | tr '\0' a)
page cgi "/$long"
is "$RESP_STATUS" 414 "a 64 KiB path is answered 414"
unlike "$(cat "$RESP_BODY")" "aaaaaaaaaa" "the 414 page does not echo the path"
front_no_internals "414 page"
page cgi /lists/dev/ "q=$long"
is "$RESP_STATUS" 414 "a 64 KiB query is answered 414"

crlf=$(printf '\r\nX-Injected: yes')
page cgi "/a%0D%0AX-Injected:%20yes" "q=%0D%0AX-Injected:%20yes" \
	HTTP_ACCEPT="text/html${crlf}" HTTP_HOST="h${crlf}" \
	HTTP_IF_NONE_MATCH="\"x\"${crlf}"
like "$(head -n 1 "$TEST_TMP/cgi.out")" '^Status: [0-9]{3} ' "CR LF in variables: still a status line"
unlike "$(cat "$RESP_HEADERS")" '^X-Injected' "CR LF in path, query and headers adds no header"
page cgi /lists/dev/ "" REQUEST_URI="/lists/dev/${crlf}" PATH_INFO="/lists/dev/${crlf}"
is "$RESP_STATUS" 400 "raw CR LF in the request-target is answered 400"
unlike "$(cat "$RESP_HEADERS")" '^X-Injected' "... and adds no header"

# -- error pages say what went wrong, never how
page cgi /nope/
is "$RESP_STATUS" 404 "an unknown mailbox is 404"
front_no_internals "404 page"
page cgi /lists/dev/0
is "$RESP_STATUS" 400 "UID 0 is 400"
front_no_internals "400 page"
front_dead_imapd_conf "$TEST_TMP/dead.conf"
IMAPEEK_CONF=$TEST_TMP/dead.conf cgi_get /lists/dev/ >"$out" 2>"$TEST_TMP/err"
cgi_response "$out"
is "$RESP_STATUS" 502 "an imapd that fails at start gives 502"
front_no_internals "502 page"
like "$(cat "$TEST_TMP/err")" "imapd $DOVECOT_IMAP" "... while the log names the imapd"
IMAPEEK_CONF=$TEST_TMP/dead.conf cgi_get /lists/dev/ format=json >"$out" 2>/dev/null
cgi_response "$out"
is "$RESP_STATUS" 502 "... also when JSON is asked for"
front_no_internals "502 page for JSON"

# -- configuration errors: a 500 for the visitor, FILE:LINE for the log
printf 'imapd = /bin/false\nno-such-key = 1\n' >"$TEST_TMP/bad.conf"
IMAPEEK_CONF=$TEST_TMP/bad.conf cgi_get / >"$out" 2>"$TEST_TMP/err"
cgi_response "$out"
is "$RESP_STATUS" 500 "a bad configuration gives 500"
like "$(cat "$TEST_TMP/err")" "bad\.conf:2: " "the log gets FILE:LINE"
unlike "$(cat "$out")" "bad\.conf|no-such-key" "the page does not show the configuration"
front_no_internals "500 page"
IMAPEEK_CONF=$TEST_TMP/none.conf cgi_get / >"$out" 2>"$TEST_TMP/err"
cgi_response "$out"
is "$RESP_STATUS" 500 "a missing configuration file gives 500"
like "$(cat "$TEST_TMP/err")" "none\.conf" "the log names the missing file"

is "$(store_digest "$PAGES_STORE")" "$digest_before" "the store's files are unchanged"
is "$(imapd_procs "$IMAPD_STATE/" | wc -l | tr -d ' ')" 0 "no imapd is left running"
done_testing
