#!/bin/sh
# The operator's kit that is no program: the manual pages are clean for
# mandoc and cannot drift from the code (every configuration key of
# lib/conf.c, every path word and query parameter of lib/route.c, every
# option of the programs is in them, and no key that the code does not
# take); imapeek-httpd's access log has one line per request, in the
# combined format plus the time taken, with the method, the raw target,
# the status and the bytes sent, hostile fields escaped, and lines that
# stay whole under concurrent requests.  (t5020 installs the pages and
# units and runs systemd-analyze verify on them.)
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"

cd "$IMAPEEK_TOP" || bail "no $IMAPEEK_TOP"
httpd_page=cgi/imapeek-httpd.8
cgi_page=cgi/imapeek.cgi.8
connect_page=cgi/imapeek-connect.1
conf_page=conf/imapeek.conf.5
pages=$(ls cgi/*.[0-9] conf/*.[0-9])

# -- the manual pages
is "$(echo $pages)" "$connect_page $httpd_page cgi/imapeek-import.1 $cgi_page $conf_page" \
	"the five manual pages are there"
if command -v mandoc >/dev/null; then
	for page in $pages; do
		is "$(mandoc -Tlint -W warning "$page" 2>&1)" "" "mandoc -Tlint -W warning: $page is clean"
	done
else
	ok 0 "# SKIP mandoc is not installed (Debian: mandoc)"
fi
for page in $pages; do
	others=$(for other in $pages; do
		[ "$other" = "$page" ] || basename "$other" | sed 's/\.\([0-9]\)$/ \1/'
	done)
	missing=$(echo "$others" | while read -r name section; do
		grep -q "^\.Xr $name $section\b" "$page" || echo "$name($section)"
	done)
	is "$missing" "" "$page refers to the other pages"
done

# -- the keys of lib/conf.c, and only they, are in imapeek.conf(5)
keys=$(grep -o '\[KEY_[A-Z_]*\] = "[^"]*"' lib/conf.c | sed 's/.*= "\(.*\)"$/\1/')
nkeys=$(sed -n '/^enum conf_key {/,/};/p' lib/conf.c | grep -o 'KEY_[A-Z_]*' | grep -vc '^KEY__MAX$')
is "$(echo "$keys" | wc -l | tr -d ' ')" "$nkeys" "every key of lib/conf.c's table is read ($nkeys)"
# The KEYS section: one ".It Cm KEY ..." per key.
documented=$(sed -n '/^\.Sh KEYS$/,/^\.Sh /p' "$conf_page" | sed -n 's/^\.It Cm \([a-z-]*\).*/\1/p')
is "$(for key in $keys; do echo "$documented" | grep -qx -- "$key" || echo "$key"; done)" "" \
	"every key lib/conf.c accepts has its entry in imapeek.conf(5)"
is "$(for key in $documented; do echo "$keys" | grep -qx -- "$key" || echo "$key"; done)" "" \
	"... and imapeek.conf(5) has no key lib/conf.c refuses"
like "$(sed -n '/^\.Sh EXAMPLES$/,/^\.Sh /p' "$conf_page")" \
	'LAYOUT=fs:INDEX=/var/lib/imapeek/index:CONTROL=/var/lib/imapeek/control' \
	"imapeek.conf(5) has the Dovecot example with INDEX= and CONTROL= outside the store"
like "$(cat "$conf_page")" 'back it up' "... and says to keep and back up the CONTROL= folder"

# -- the router's path words and query parameters are in imapeek-httpd(8)
rows=$(sed -n '/^const struct route_row route_table/,/^};/p' lib/route.c | grep -c '^[[:space:]]*\[PAGE_')
words=$(sed -n '/^const struct route_row route_table/,/^};/p' lib/route.c |
	sed -n 's/.*\[PAGE_[A-Z_]*\] = { "[^"]*", "\([^"]*\)".*/\1/p')
is "$(echo "$words" | wc -l | tr -d ' ')" "$rows" "every row of route_table is read ($rows)"
urls=$(sed -n '/^\.Sh URLS$/,/^\.Sh /p' "$httpd_page" | sed -n 's/^\.It Pa //p')
is "$(for word in $words; do echo "$urls" | grep -qF "/$word" || echo "$word"; done)" "" \
	"every path word of the router has its URL in imapeek-httpd(8)"
params=$(grep -o 'str_eq(key, "[a-z]*")' lib/route.c | sed 's/.*"\(.*\)")/\1/')
like "$params" page "the query parameters of lib/route.c are read"
is "$(for param in $params; do grep -q "^\.Cm $param\b" "$httpd_page" || echo "$param"; done)" "" \
	"... and each is in imapeek-httpd(8)"
is "$(for section in URLS JSON 'STATUS CODES' CACHING READ-ONLY SIGNALS LOGGING ENVIRONMENT; do
	grep -q "^\.Sh $section$" "$httpd_page" || echo "$section"; done)" "" \
	"imapeek-httpd(8) has URLS, JSON, STATUS CODES, CACHING, READ-ONLY, SIGNALS, LOGGING, ENVIRONMENT"
is "$(for status in $(sed -n 's/.*page_error(&\{0,1\}page, \([0-9][0-9][0-9]\),.*/\1/p' lib/*.c | sort -u); do
	sed -n '/^\.Sh STATUS CODES$/,/^\.Sh /p' "$httpd_page" | grep -qx "\.It $status" || echo "$status"
done)" "" "every status a page answers with is in imapeek-httpd(8)"

# -- the programs' options are in their pages
opts=$(sed -n 's/.*getopt_long(argc, argv, "\([^"]*\)".*/\1/p' cgi/main-httpd.c | tr -d :)
longs=$(sed -n 's/.*{ "\([a-z]*\)", [a-z_]*_argument,.*/\1/p' cgi/main-httpd.c | tr '\n' ' ')
like "$opts $longs" '^[a-z]+ [a-z]' "imapeek-httpd's options are read ($opts $longs)"
is "$(echo "$opts" | fold -w1 | while read -r opt; do
	grep -q "^\.Op Fl $opt\b\|^\.It Fl $opt\b" "$httpd_page" || echo "-$opt"; done
	for opt in $longs; do grep -q "Fl \\\\-$opt\b" "$httpd_page" || echo "--$opt"; done)" "" \
	"... and each is in imapeek-httpd(8)"
# imapeek-connect(1) and imapeek-import(1): every option, and the usage
# line of the program, its C string pieces joined, against the synopsis as
# mandoc renders it (the page writes arguments in lower case).
for prog in imapeek-connect imapeek-import; do
	page=cgi/$prog.1
	opts=$(sed -n 's/.*getopt_long(argc, argv, "\([^"]*\)".*/\1/p' "cgi/$prog.c" | tr -d :)
	longs=$(sed -n 's/.*{ "\([a-z]*\)", [a-z_]*_argument,.*/\1/p' "cgi/$prog.c" | tr '\n' ' ')
	like "$opts $longs" '^[a-zA-Z]+ [a-z]' "$prog's options are read ($opts $longs)"
	is "$(echo "$opts" | fold -w1 | while read -r opt; do
		grep -q "Fl $opt\b" "$page" || echo "-$opt"; done
		for opt in $longs; do grep -q "Fl \\\\-$opt\b" "$page" || echo "--$opt"; done)" "" \
		"... and each is in $prog(1)"
	usage=$(sed -n '/^#define USAGE/,/[^\\]$/p' "cgi/$prog.c" | grep -o '"[^"]*"' |
		tr -d '"\n' | sed 's/^usage: *//' |
		perl -pe 's/\b([A-Z][A-Z-]+)\b/\L$1/g')
	if command -v mandoc >/dev/null; then
		synopsis=$(mandoc -Tascii "$page" | col -bx |
			sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' | tr -s ' \n' ' ' |
			sed "s/^ *$prog //; s/ $prog -h *\$//")
		is "$synopsis" "$usage" "$prog's usage is the synopsis of its page"
	else
		ok 0 "# SKIP mandoc is not installed (Debian: mandoc)"
	fi
done

# -- the access log
pages_setup_sample
httpd_start "$PAGES_CONF" -j 4

# access_line TEXT: the access log line holding TEXT, once it is written
# (after the answer was sent: the client may see the answer first).
access_line() {
	_i=0
	until grep -F -- "$1" "$HTTPD_LOG" | grep -v '^imapeek: ' >"$TEST_TMP/line"; do
		_i=$((_i + 1))
		[ $_i -gt 100 ] && break
		sleep 0.05
	done
	head -n 1 "$TEST_TMP/line"
}
# access_fields LINE: "METHOD|TARGET|VERSION|STATUS|BYTES|REFERER|AGENT",
# the fields as logged (escapes kept), or BAD for a line not in the format.
access_fields() {
	printf '%s\n' "$1" | perl -ne '
		my $q = q{"((?:[^"\\\\]|\\\\.)*)"};
		if (m{^(\S+) - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [-+]\d{4}\] "(\S+) (\S+) (\S+)" (\d{3}) (\d+|-) $q $q \d+\.\dms( \(aborted\))?$}) {
			print join("|", $2, $3, $4, $5, $6, $7, $8), "\n";
		} else {
			print "BAD\n";
		}'
}
# get NAME URL [CURL-ARGS...]: a request whose User-Agent is NAME (its
# first word unique); its log line in LINE, the line's fields in FIELDS,
# the body's length in BODY_BYTES.
get() {
	_name=$1
	_url=$2
	shift 2
	http_get "$_url" -A "$_name" "$@"
	BODY_BYTES=$(wc -c <"$RESP_BODY" | tr -d ' ')
	LINE=$(access_line "\"${_name%% *}")
	FIELDS=$(access_fields "$LINE")
}

get kit-01 "$HTTPD_URL/"
is "$RESP_STATUS" 200 "GET / answers"
is "$FIELDS" "GET|/|HTTP/1.1|200|$BODY_BYTES|-|kit-01" \
	"its log line: method, path, version, status, the body's bytes, no referer, the agent"
like "$LINE" '^127\.0\.0\.1 - - \[' "... from the client's address"
get kit-02 "$HTTPD_URL/lists/dev/?page=2&format=json" -e "$HTTPD_URL/lists/dev/"
is "$FIELDS" "GET|/lists/dev/?page=2&format=json|HTTP/1.1|200|$BODY_BYTES|$HTTPD_URL/lists/dev/|kit-02" \
	"a query is logged as sent, and the referer"
get kit-03 "$HTTPD_URL/Archiv/Gr%C3%BC%C3%9Fe%20%26%20Co/"
is "$FIELDS" "GET|/Archiv/Gr%C3%BC%C3%9Fe%20%26%20Co/|HTTP/1.1|200|$BODY_BYTES|-|kit-03" \
	"the target is logged percent-encoded, as sent"
get kit-04 "$HTTPD_URL/lists/dev/" -I
is "$FIELDS" "HEAD|/lists/dev/|HTTP/1.1|200|-|-|kit-04" "HEAD: no body bytes sent ('-')"
etag=$(header ETag)
get kit-05 "$HTTPD_URL/lists/dev/" -H "If-None-Match: $etag"
is "$RESP_STATUS" 304 "a matching If-None-Match answers 304"
is "$FIELDS" "GET|/lists/dev/|HTTP/1.1|304|-|-|kit-05" "... logged with no body bytes"
get kit-06 "$HTTPD_URL/no/such/mailbox/"
is "$FIELDS" "GET|/no/such/mailbox/|HTTP/1.1|404|$BODY_BYTES|-|kit-06" "404 is logged with its page's bytes"
get kit-07 "$HTTPD_URL/lists/dev/" -X POST -d x=1
is "$FIELDS" "POST|/lists/dev/|HTTP/1.1|405|$BODY_BYTES|-|kit-07" "POST is logged as 405"
get kit-08 "$HTTPD_URL/lists/dev/" --http1.0
is "$FIELDS" "GET|/lists/dev/|HTTP/1.0|200|$BODY_BYTES|-|kit-08" "HTTP/1.0 is logged as such"

# Hostile fields: quotes, backslashes, control characters and 8-bit bytes
# in the agent and the referer are escaped, so no field or line can be
# forged; the same in a request-target sent raw.
tab=$(printf '\t')
get 'kit-09 "x" - - [01/Jan/1970:00:00:00 +0000] \ é' "$HTTPD_URL/" -e "a${tab}b\"c"
is "$FIELDS" 'GET|/|HTTP/1.1|200|'"$BODY_BYTES"'|a\x09b\"c|kit-09 \"x\" - - [01/Jan/1970:00:00:00 +0000] \\ \xc3\xa9' \
	"quotes, backslashes, a tab and UTF-8 in the agent and the referer are escaped"
port=${HTTPD_URL##*:}
perl -MIO::Socket::INET -e '
	my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $ARGV[0]) or die;
	print $s "GET /lists/\"dev\"/\\x\xc3\xa9 HTTP/1.1\r\nHost: x\r\nUser-Agent: kit-10\r\nConnection: close\r\n\r\n";
	local $/; my $answer = <$s>;
' "$port"
LINE=$(access_line '"kit-10"')
like "$(access_fields "$LINE")" '^GET\|/lists/\\"dev\\"/\\\\x\\xc3\\xa9\|HTTP/1\.1\|404\|' \
	"a raw quote, backslash and 8-bit byte in the target are escaped"
long=$(printf '%03000d' 0)
get kit-11 "$HTTPD_URL/lists/dev/?q=$long"
like "$FIELDS" "^GET\\|/lists/dev/\\?q=0+\\.\\.\\.\\|HTTP/1\\.1\\|200\\|" "a long target is cut with '...'"
is "$(printf '%s' "$LINE" | wc -c | tr -d ' ')" "$(printf '%s' "$LINE" | head -c 4096 | wc -c | tr -d ' ')" \
	"... and the line stays within 4096 bytes"

# Many requests at once, four workers: one whole line each.
before=$(grep -c '"kit-many"' "$HTTPD_LOG")
seq 1 60 | sed "s|.*|$HTTPD_URL/lists/dev/?page=&|" |
	xargs -P 8 -n 1 curl -s -o /dev/null -A kit-many
i=0
while [ "$(grep -c '"kit-many"' "$HTTPD_LOG")" -lt $((before + 60)) ] && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
is "$(grep -c '"kit-many"' "$HTTPD_LOG")" "$((before + 60))" "60 concurrent requests: 60 log lines"
bad=$(grep -v '^imapeek: ' "$HTTPD_LOG" | grep '^[0-9a-f.:]* - - ' | while IFS= read -r line; do
	[ "$(access_fields "$line")" = BAD ] && echo "$line"; done)
is "$bad" "" "every access log line is whole and in the format"
like "$(cat "$HTTPD_LOG")" '^imapeek: listening on http://' "the other lines keep their 'imapeek: ' prefix"
httpd_stop

done_testing
