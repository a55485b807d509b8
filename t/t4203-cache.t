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
		hpage $f "$path" If-Modified-Since "$lm"
		is "$RESP_STATUS" 304 "$f $path: If-Modified-Since its Last-Modified: 304"
		hpage $f "$path" If-None-Match 'W/"0-0-0-0-0-html"' If-Modified-Since "$lm"
		is "$RESP_STATUS" 200 "$f $path: another ETag wins over the date: 200"
	done
done
page httpd /lists/dev/ '' -H 'Accept: application/json'
json_tag=$(header ETag)
page httpd /lists/dev/
unlike "$json_tag" "^$(header ETag | sed 's/[][\\.*^$]/\\&/g')\$" "JSON and HTML of one URL have different ETags"
like "$(header Vary)" 'Accept' "Vary: Accept"
index_age=$(header Cache-Control | sed -n 's/.*max-age=\([0-9]*\).*/\1/p')
page httpd "/lists/dev/$uid"
message_age=$(header Cache-Control | sed -n 's/.*max-age=\([0-9]*\).*/\1/p')
ok "$([ "${message_age:-0}" -gt "${index_age:-0}" ] && echo 0 || echo 1)" \
	"a message page may be cached longer ($message_age s) than an index ($index_age s)"
page httpd /lists/dev/999999
is "$(header Cache-Control)" "no-store" "an error is not cached"

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
httpd_stop
fcgi_stop
is "$(imapd_procs "$IMAPD_STATE" | wc -l | tr -d ' ')" 0 "no imapd is left running"
done_testing
