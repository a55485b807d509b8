#!/bin/sh
# HTTP caching with curl: ETag and Last-Modified on pages, 304 for a
# matching If-None-Match or If-Modified-Since without fetching any body
# (Dovecot's rawlog says what was asked), Cache-Control longer for a
# message than for an index, and a new ETag once a message arrives.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"

[ -x "$DOVECOT_IMAP" ] || skip_all "no Dovecot imap binary ($DOVECOT_IMAP)"
DOVECOT_RAWLOG=$TEST_TMP/rawlog
export DOVECOT_RAWLOG
pages_setup_sample
httpd_start "$PAGES_CONF"
fcgi_start "$PAGES_CONF"

# hpage FRONT PATH HEADER VALUE [HEADER VALUE]: a GET with request headers.
hpage() {
	_f=$1 _p=$2
	shift 2
	if [ "$_f" = httpd ]; then
		set -- ${1:+-H} ${1:+"$1: $2"} ${3:+-H} ${3:+"$3: $4"}
		page httpd "$_p" '' "$@"
	else
		_v1=HTTP_$(printf '%s' "$1" | tr 'a-z-' 'A-Z_')
		_v3=HTTP_$(printf '%s' "${3:-X}" | tr 'a-z-' 'A-Z_')
		set -- "$_v1=$2" ${3:+"$_v3=$4"}
		page "$_f" "$_p" '' "$@"
	fi
}

page httpd /lists/dev/ format=json
uid=$(json 'd["messages"][0]["uid"]')

for path in /lists/dev/ /lists/dev/threads/ "/lists/dev/$uid" "/lists/dev/$uid/thread" \
            /lists/dev/new.atom "/lists/dev/$uid/thread.mbox"; do
	for f in httpd fcgi; do
		page $f "$path"
		is "$RESP_STATUS" 200 "$f $path: 200"
		etag=$(header ETag)
		like "$etag" '^W/"[0-9-]+' "$f $path: has an ETag ($etag)"
		like "$(header Last-Modified)" 'GMT$' "$f $path: has a Last-Modified"
		lm=$(header Last-Modified)
		sleep 0.3
		before=$(rawlog_lines "$DOVECOT_RAWLOG" in | grep -c 'BODY\|ENVELOPE\|THREAD\|SORT\|SEARCH')
		hpage $f "$path" If-None-Match "$etag"
		is "$RESP_STATUS" 304 "$f $path: If-None-Match with its ETag: 304"
		is "$(wc -c <"$RESP_BODY" | tr -d ' ')" 0 "$f $path: 304 has no body"
		sleep 0.2
		is "$(rawlog_lines "$DOVECOT_RAWLOG" in | grep -c 'BODY\|ENVELOPE\|THREAD\|SORT\|SEARCH')" "$before" \
			"$f $path: the 304 fetched no message (only EXAMINE and the newest INTERNALDATE)"
		sleep 0.2
		before=$(rawlog_lines "$DOVECOT_RAWLOG" in | grep -c 'BODY\|ENVELOPE\|THREAD\|SORT\|SEARCH')
		hpage $f "$path" If-Modified-Since "$lm"
		is "$RESP_STATUS" 304 "$f $path: If-Modified-Since its Last-Modified: 304"
		# A page that is there whenever its mailbox is: no mail for it.
		case $path in
		/lists/dev/ | /lists/dev/threads/ | /lists/dev/new.atom)
			sleep 0.2
			is "$(rawlog_lines "$DOVECOT_RAWLOG" in | grep -c 'BODY\|ENVELOPE\|THREAD\|SORT\|SEARCH')" "$before" \
				"$f $path: ... and fetched no message" ;;
		esac
		hpage $f "$path" If-None-Match 'W/"0-0-0-0-0-html"' If-Modified-Since "$lm"
		is "$RESP_STATUS" 200 "$f $path: another ETag wins over the date: 200"
	done
done
page httpd /lists/dev/ '' -H 'Accept: application/json'
json_tag=$(header ETag)
page httpd /lists/dev/
unlike "$json_tag" "^$(header ETag | sed 's/[][\\.*^$]/\\&/g')\$" "JSON and HTML of one URL have different ETags"
like "$(header Vary)" 'Accept' "Vary: Accept"
# The front page is HTML or JSON by Accept too, cached for a minute.
page httpd /
like "$(header Vary)" 'Accept' "the front page says Vary: Accept"
index_age=$(header Cache-Control | sed -n 's/.*max-age=\([0-9]*\).*/\1/p')
page httpd "/lists/dev/$uid"
message_age=$(header Cache-Control | sed -n 's/.*max-age=\([0-9]*\).*/\1/p')
ok "$([ "${message_age:-0}" -gt "${index_age:-0}" ] && echo 0 || echo 1)" \
	"a message page may be cached longer ($message_age s) than an index ($index_age s)"
page httpd /lists/dev/999999
is "$(header Cache-Control)" "no-store" "an error is not cached"

# etag FRONT PATH [QUERY] [ARGS...]: the ETag of a GET.
etag() {
	page "$@"
	header ETag
}

# -- Two queries: two ETags; each revalidates only with its own.
q1=$(etag httpd /lists/dev/search q=alice)
q2=$(etag httpd /lists/dev/search q=dima)
ok "$([ -n "$q1" ] && [ "$q1" != "$q2" ] && echo 0 || echo 1)" \
	"two searches, two ETags ($q1, $q2)"
hpage httpd '/lists/dev/search?q=alice' If-None-Match "$q1"
is "$RESP_STATUS" 304 "a search revalidates with its own ETag"
hpage httpd '/lists/dev/search?q=dima' If-None-Match "$q1"
is "$RESP_STATUS" 200 "... not with another query's"
p1=$(etag httpd /lists/dev/)
p2=$(etag httpd /lists/dev/ page=2)
m1=$(etag httpd /lists/dev/ month=2023-01)
ok "$([ "$p1" != "$p2" ] && [ "$p1" != "$m1" ] && echo 0 || echo 1)" \
	"index pages and months have ETags of their own"

# -- Every variant of a message has an ETag of its own.
page httpd /lists/dev/search 'q=subject:Slides&format=json'
att=$(json 'd["messages"][0]["uid"]')
tags=
for v in "/lists/dev/$att" "/lists/dev/$att?format=json" "/lists/dev/$att/raw" \
         "/lists/dev/$att/1" "/lists/dev/$att/2" "/lists/dev/$att/thread" \
         "/lists/dev/$att/thread?format=json" "/lists/dev/$att/thread.mbox" \
         "/lists/dev/new.atom" "/lists/dev/search?q=subject:Slides" \
         "/lists/dev/search?q=subject:Slides&format=json" \
         "/lists/dev/search?q=subject:Slides&format=atom" \
         "/lists/dev/search?q=subject:Slides&format=mbox"; do
	http_get "$HTTPD_URL$v"
	is "$RESP_STATUS" 200 "$v: 200"
	tags="$tags$(header ETag)
"
done
is "$(printf '%s' "$tags" | sort | uniq -d)" "" \
	"message, JSON, raw, parts, thread, thread.mbox, feed, search and its formats: no ETag twice"
like "$(printf '%s' "$tags" | grep -c .)" '^13$' "... and every one has an ETag"
plain=$(etag httpd /lists/dev/new.atom)
gz=$(etag httpd /lists/dev/new.atom '' -H 'Accept-Encoding: gzip')
is "$(header Content-Encoding)" gzip "the feed is gzipped when asked"
ok "$([ "$plain" != "$gz" ] && echo 0 || echo 1)" "the gzipped feed has another ETag ($gz)"
like "$(header Vary)" 'Accept-Encoding' "... and says Vary: Accept-Encoding"
hpage httpd /lists/dev/new.atom If-None-Match "$plain"
is "$RESP_STATUS" 304 "the plain feed revalidates with its ETag"
http_get "$HTTPD_URL/lists/dev/new.atom" -H 'Accept-Encoding: gzip' -H "If-None-Match: $plain"
is "$RESP_STATUS" 200 "... the gzipped one does not"

# -- If-Modified-Since (RFC 9110 13.1.3).
for f in httpd fcgi; do
	page $f "/lists/dev/$uid"
	lm=$(header Last-Modified)
	lm_s=$(date -u -d "$lm" +%s)
	hpage $f "/lists/dev/$uid" If-Modified-Since "$lm"
	is "$RESP_STATUS" 304 "$f: If-Modified-Since equal to Last-Modified: 304"
	hpage $f "/lists/dev/$uid" If-Modified-Since "$(date -u -d "@$((lm_s - 1))" '+%a, %d %b %Y %H:%M:%S GMT')"
	is "$RESP_STATUS" 200 "$f: a second before Last-Modified: 200"
	hpage $f "/lists/dev/$uid" If-Modified-Since "$(LC_ALL=C date -u -d "$lm" '+%A, %d-%b-%y %H:%M:%S GMT')"
	is "$RESP_STATUS" 304 "$f: the same date in RFC 850 form: 304"
	hpage $f /lists/dev/search?q=alice If-Modified-Since 'Tue, 01 Jan 2999 00:00:00 GMT'
	is "$RESP_STATUS" 200 "$f: a search with an If-Modified-Since in the future: 200"
	hpage $f "/lists/dev/$uid" If-Modified-Since 'Tue, 01 Jan 2999 00:00:00 GMT'
	is "$RESP_STATUS" 200 "$f: a page with an If-Modified-Since in the future: 200"
	hpage $f "/lists/dev/$uid" If-Modified-Since 'the day after tomorrow'
	is "$RESP_STATUS" 200 "$f: an unparseable If-Modified-Since is ignored"
	hpage $f "/lists/dev/$uid" If-None-Match '"other"' If-Modified-Since "$lm"
	is "$RESP_STATUS" 200 "$f: If-None-Match decides over an equal If-Modified-Since"
done
hpage fcgi /lists/dev/search If-Modified-Since 'Tue, 01 Jan 2999 00:00:00 GMT'
is "$RESP_STATUS" 200 "a search form (no query) with a future date: 200"

# -- HEAD of a raw message and of parts: the length from RFC822.SIZE,
# BINARY.SIZE and BODYSTRUCTURE, no body fetched.  The CGI front ends
# drop HEAD bodies (head_only); imapeek-httpd still renders them.
for v in raw 1 2 3; do
	page fcgi "/lists/dev/$att/$v"
	get_len=$(wc -c <"$RESP_BODY" | tr -d ' ')
	get_type=$(header Content-Type)
	sleep 0.2
	before=$(rawlog_lines "$DOVECOT_RAWLOG" in | grep -c 'BODY.PEEK\[[]0-9T]\|BINARY.PEEK')
	CGI_METHOD=HEAD page fcgi "/lists/dev/$att/$v"
	is "$RESP_STATUS" 200 "HEAD $v: 200"
	is "$(header Content-Length)" "$get_len" "HEAD $v: Content-Length is the GET's $get_len bytes"
	is "$(header Content-Type)" "$get_type" "HEAD $v: the GET's Content-Type"
	is "$(wc -c <"$RESP_BODY" | tr -d ' ')" 0 "HEAD $v: no body"
	sleep 0.2
	is "$(rawlog_lines "$DOVECOT_RAWLOG" in | grep -c 'BODY.PEEK\[[]0-9T]\|BINARY.PEEK')" "$before" \
		"HEAD $v: no BODY.PEEK of the bytes (a header field at most) or BINARY.PEEK in the imapd's log"
	CGI_METHOD=HEAD page cgi "/lists/dev/$att/$v"
	is "$(header Content-Length)" "$get_len" "HEAD $v under CGI: the same Content-Length"
	http_get "$HTTPD_URL/lists/dev/$att/$v" -I
	is "$(header Content-Length)" "$get_len" "HEAD $v under imapeek-httpd: the same Content-Length"
done
# The last HEAD's command, in time (rawlog_in_time: the sessions' files
# are not in time order); Dovecot writes the rawlog of imapeek-httpd's
# kept session behind its answers, so it may be a moment late.
i=0
while [ $i -lt 40 ] &&
	! rawlog_in_time "$DOVECOT_RAWLOG" in | grep 'BINARY.SIZE' | tail -1 | grep -q 'BINARY.SIZE\[3\]'; do
	sleep 0.05
	i=$((i + 1))
done
like "$(rawlog_in_time "$DOVECOT_RAWLOG" in | grep 'RFC822.SIZE INTERNALDATE BODY.PEEK\[HEADER' | tail -1)" \
	"UID FETCH $att \\(UID RFC822.SIZE INTERNALDATE BODY.PEEK\\[HEADER.FIELDS \\(CONTENT-TYPE\\)\\]\\)" \
	"HEAD raw asked for RFC822.SIZE, INTERNALDATE and the Content-Type field"
like "$(rawlog_in_time "$DOVECOT_RAWLOG" in | grep 'BINARY.SIZE' | tail -1)" "BINARY.SIZE\\[3\\]" \
	"HEAD of a base64 part asked for BINARY.SIZE"
CGI_METHOD=HEAD page fcgi /lists/dev/4000000000/raw
is "$RESP_STATUS" 404 "HEAD of a raw message that is not there: 404, as GET"
CGI_METHOD=HEAD page fcgi "/lists/dev/$att/9"
is "$RESP_STATUS" 404 "HEAD of a part that is not there: 404, as GET"

# -- A 304 only where the page is there (RFC 9110 13.2.1): an error page
# carries no validators, and "*" or a date that holds are answered 304
# only once the page found itself there.
now=$(date -u '+%a, %d %b %Y %H:%M:%S GMT')
for f in httpd fcgi cgi; do
	page $f /lists/dev/4000000000
	is "$RESP_STATUS" 404 "$f: a message not there: 404"
	is "$(header ETag)$(header Last-Modified)" "" "$f: ... with no ETag or Last-Modified"
	hpage $f /lists/dev/4000000000 If-None-Match '*'
	is "$RESP_STATUS" 404 "$f: If-None-Match * for a message not there: 404"
	hpage $f /lists/dev/4000000000 If-Modified-Since "$now"
	is "$RESP_STATUS" 404 "$f: If-Modified-Since now for a message not there: 404"
	hpage $f /lists/dev/4000000000/thread If-None-Match '*'
	is "$RESP_STATUS" 404 "$f: ... nor its thread"
	hpage $f /lists/dev/4000000000/raw If-None-Match '*'
	is "$RESP_STATUS" 404 "$f: ... nor its raw message"
	hpage $f "/lists/dev/$att/9" If-None-Match '*'
	is "$RESP_STATUS" 404 "$f: ... nor a part not there"
	hpage $f /lists/dev/ If-None-Match '*'
	is "$RESP_STATUS" 304 "$f: If-None-Match * for the index: 304"
	page $f /lists/dev/ page=9999
	is "$RESP_STATUS" 404 "$f: an index page past the last: 404"
	if [ $f = httpd ]; then
		page $f /lists/dev/ page=9999 -H 'If-None-Match: *'
	else
		page $f /lists/dev/ page=9999 'HTTP_IF_NONE_MATCH=*'
	fi
	is "$RESP_STATUS" 404 "$f: ... also with If-None-Match *"
	hpage $f "/lists/dev/$uid" If-Modified-Since "$now"
	is "$RESP_STATUS" 304 "$f: If-Modified-Since now for a message there: 304"
	is "$(wc -c <"$RESP_BODY" | tr -d ' ')" 0 "$f: ... without a body"
	page $f "/lists/dev/$att/raw"
	raw_tag=$(header ETag)
	hpage $f "/lists/dev/$att/raw" If-None-Match "$raw_tag"
	is "$RESP_STATUS" 304 "$f: a raw message revalidates with its ETag"
	is "$(wc -c <"$RESP_BODY" | tr -d ' '):$(header Content-Length | sed 's/^0$//')" 0: \
		"$f: ... a 304 without body, nor the 200's Content-Length"
	# Its Last-Modified is its arrival, which never changes under its UID.
	page $f "/lists/dev/$att/raw"
	raw_lm=$(header Last-Modified)
	raw_len=$(wc -c <"$RESP_BODY" | tr -d ' ')
	like "$raw_lm" '^[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT$' \
		"$f: a raw message has a Last-Modified ($raw_lm)"
	is "$(python3 -c 'import email.utils, sys; print(email.utils.parsedate_to_datetime(sys.argv[1]).strftime("%Y-%m-%d"))' "$raw_lm")" \
		"$(page $f "/lists/dev/$att" format=json; json 'd["date"][:10]')" \
		"$f: ... the message's own date (the sample's arrival is its Date)"
	hpage $f "/lists/dev/$att/raw" If-Modified-Since "$raw_lm"
	is "$RESP_STATUS:$(wc -c <"$RESP_BODY" | tr -d ' ')" 304:0 "$f: If-Modified-Since that date: 304, no body"
	hpage $f "/lists/dev/$att/raw" If-Modified-Since 'Mon, 01 Jan 1990 00:00:00 GMT'
	is "$RESP_STATUS:$(wc -c <"$RESP_BODY" | tr -d ' ')" "200:$raw_len" "$f: an earlier date: 200 with the bytes"
	hpage $f "/lists/dev/$att/raw" If-None-Match '"other"' If-Modified-Since "$raw_lm"
	is "$RESP_STATUS" 200 "$f: another ETag wins over the date: 200"
	hpage $f /lists/dev/4000000000/raw If-Modified-Since "$raw_lm"
	is "$RESP_STATUS" 404 "$f: a date for a raw message not there: 404"
	page $f "/lists/dev/$att/2"
	is "$(header Last-Modified)" "$raw_lm" "$f: a part's Last-Modified is its message's"
	part_len=$(wc -c <"$RESP_BODY" | tr -d ' ')
	hpage $f "/lists/dev/$att/2" If-Modified-Since "$raw_lm"
	is "$RESP_STATUS:$(wc -c <"$RESP_BODY" | tr -d ' ')" 304:0 "$f: If-Modified-Since it for a part: 304, no body"
	hpage $f "/lists/dev/$att/2" If-Modified-Since 'Mon, 01 Jan 1990 00:00:00 GMT'
	is "$RESP_STATUS:$(wc -c <"$RESP_BODY" | tr -d ' ')" "200:$part_len" "$f: ... an earlier date: 200 with its bytes"
	hpage $f "/lists/dev/$att/9" If-Modified-Since "$raw_lm"
	is "$RESP_STATUS" 404 "$f: ... a date for a part not there: 404"
	hpage $f "/lists/dev/$att/2" If-None-Match '*'
	is "$RESP_STATUS" 304 "$f: If-None-Match * for a part there: 304"
done

# A message arrives: every page of the mailbox gets a new ETag.
page httpd /lists/dev/
old_index=$(header ETag)
page httpd "/lists/dev/$uid"
old_message=$(header ETag)
dir=$PAGES_STORE/lists/dev/new
[ -d "$dir" ] || dir=$(find "$PAGES_STORE" -type d -path '*lists/dev/new' | head -1)
chmod u+w "$dir"
printf 'From: new@example.org\nTo: dev@lists.example.org\nSubject: a late arrival\nMessage-ID: <late.1@example.org>\nDate: Mon, 01 Jan 2035 00:00:00 +0000\n\nhello\n' \
	>"$dir/9999999999.late.test"
chmod a+r "$dir/9999999999.late.test"
for f in httpd fcgi; do
	hpage $f /lists/dev/ If-None-Match "$old_index"
	is "$RESP_STATUS" 200 "$f: after a new message the old index ETag gets 200"
	ok "$([ "$(header ETag)" != "$old_index" ] && echo 0 || echo 1)" "$f: ... and a new ETag"
	hpage $f "/lists/dev/$uid" If-None-Match "$old_message"
	is "$RESP_STATUS" 200 "$f: the message page too (its neighbour links may change)"
done
page httpd /lists/dev/ format=json
is "$(json 'd["total"]')" "$(( $(sample_count lists/dev) + 1 ))" "the index counts the new message"
# ... and is expunged: its raw message's ETag (the UID's alone) gets no
# 304 from an imapd that sees it gone (CGI: one session a request).
late=$(json 'd["messages"][0]["uid"]')
page cgi "/lists/dev/$late/raw"
is "$RESP_STATUS" 200 "the late message's raw bytes: 200"
late_tag=$(header ETag)
hpage cgi "/lists/dev/$late/raw" If-None-Match "$late_tag"
is "$RESP_STATUS" 304 "... revalidated while it is there: 304"
rm -f "$(find "$PAGES_STORE" -name '9999999999.late.test*' | head -1)"
hpage cgi "/lists/dev/$late/raw" If-None-Match "$late_tag"
is "$RESP_STATUS" 404 "... and once it is expunged: 404, not 304"
httpd_stop
fcgi_stop

# -- The site is part of every ETag: the same site, the same ETags after
# a restart; one byte of a template, a setting, another ETag.
cp -R "$IMAPEEK_TOP/templates" "$TEST_TMP/templates"
chmod -R u+w "$TEST_TMP/templates"
sed "s|^templates = .*|templates = $TEST_TMP/templates|" "$PAGES_CONF" >"$TEST_TMP/site.conf"
# site_tags CONF: the ETags of three pages, one a line.
site_tags() {
	httpd_start "$1"
	for _v in /lists/dev/ "/lists/dev/$uid" "/lists/dev/$uid?format=json"; do
		http_get "$HTTPD_URL$_v"
		header ETag
	done
	http_get "$HTTPD_URL/lists/dev/$uid" -H "If-None-Match: $(sed -n 2p "$TEST_TMP/tags.0")"
	echo "revalidated $RESP_STATUS"
	_httpd_cleanup
}
site_tags "$TEST_TMP/site.conf" >"$TEST_TMP/tags.0"
site_tags "$TEST_TMP/site.conf" >"$TEST_TMP/tags.1"
is "$(cat "$TEST_TMP/tags.1")" "$(cat "$TEST_TMP/tags.0")" \
	"restarted with the same site: the same ETags, and a 304"
# differs NAME: the first three tags all differ from tags.0's, and the
# old message ETag gets a 200.
differs() {
	_same=$(head -n 3 "$TEST_TMP/tags.2" | grep -c -x -F -f "$TEST_TMP/tags.0")
	is "$_same" 0 "$1: every ETag is new"
	is "$(tail -n 1 "$TEST_TMP/tags.2")" "revalidated 200" "$1: the old ETag gets a 200"
}
printf ' ' >>"$TEST_TMP/templates/message.html"
site_tags "$TEST_TMP/site.conf" >"$TEST_TMP/tags.2"
differs "one byte more in message.html"
cp "$IMAPEEK_TOP/templates/message.html" "$TEST_TMP/templates/message.html"
site_tags "$TEST_TMP/site.conf" >"$TEST_TMP/tags.2"
is "$(cat "$TEST_TMP/tags.2")" "$(cat "$TEST_TMP/tags.0")" "the template as it was: the ETags as they were"
sed 's/^page-size = 10$/page-size = 11/' "$TEST_TMP/site.conf" >"$TEST_TMP/site2.conf"
site_tags "$TEST_TMP/site2.conf" >"$TEST_TMP/tags.2"
differs "page-size 11"
{ cat "$TEST_TMP/site.conf"; echo "obfuscate = yes"; } >"$TEST_TMP/site2.conf"
site_tags "$TEST_TMP/site2.conf" >"$TEST_TMP/tags.2"
differs "obfuscate = yes"
{ cat "$TEST_TMP/site.conf"; echo "title = another title"; } | grep -v '^title = imapeek' >"$TEST_TMP/site2.conf"
site_tags "$TEST_TMP/site2.conf" >"$TEST_TMP/tags.2"
differs "another title"
printf 'About this archive.\n' >"$TEST_TMP/about.md"
{ cat "$TEST_TMP/site.conf"; echo "about = $TEST_TMP/about.md"; } >"$TEST_TMP/site2.conf"
site_tags "$TEST_TMP/site2.conf" >"$TEST_TMP/tags.0"
printf 'About this archive!\n' >"$TEST_TMP/about.md"
site_tags "$TEST_TMP/site2.conf" >"$TEST_TMP/tags.2"
differs "the about file changed"
is "$(imapd_procs "$IMAPD_STATE" | wc -l | tr -d ' ')" 0 "no imapd is left running"
done_testing
