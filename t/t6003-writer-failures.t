#!/bin/sh
# Every writer's result counts: a page whose rendering fails before its
# first byte went out is a 500 (never a 200 with a short or empty body);
# one that fails later is marked failed for the front end to abort (the
# log says so); an error page whose own template fails is still an error,
# in plain text.  Templates fail on purpose here: a test build renders
# strictly, and a name the page does not set is an error.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"

[ -x "$DOVECOT_IMAP" ] || skip_all "no Dovecot imap binary ($DOVECOT_IMAP)"
pages_setup_sample
cp -R "$IMAPEEK_TOP/templates" "$TEST_TMP/templates"
chmod -R u+w "$TEST_TMP/templates"
sed -i "s|^templates = .*|templates = $TEST_TMP/templates|" "$PAGES_CONF"
# Early: the thread page fails at its first tag.  Late: the message page
# writes 64 KiB (more than one flush) before it fails.
printf '{{no_such_name}}\n' >>"$TEST_TMP/templates/thread.html"
sed -i 's|}}<dl class="headers">|}}<!-- '"$(head -c 65536 /dev/zero | tr '\0' x)"' -->{{no_such_name}}<dl class="headers">|' \
	"$TEST_TMP/templates/message.html"
httpd_start "$PAGES_CONF"
fcgi_start "$PAGES_CONF"

page httpd /lists/dev/ format=json
uid=$(json 'd["messages"][0]["uid"]')
for f in httpd cgi fcgi; do
	page $f "/lists/dev/$uid/thread"
	is "$RESP_STATUS" 500 "$f: a rendering that fails before the first byte is a 500"
	is "$(header Cache-Control)" no-store "$f: ... not cached"
	like "$(cat "$RESP_BODY")" '500' "$f: ... with an error page"
	page $f "/lists/dev/$uid/thread" format=json
	is "$RESP_STATUS" 200 "$f: the same page as JSON still answers"
done
for f in httpd fcgi; do
	page $f "/lists/dev/$uid"
	is "$RESP_STATUS" 200 "$f: a rendering that fails after 64 KiB has sent its status"
done
sleep 0.3
like "$(cat "$HTTPD_LOG")" "/lists/dev/$uid: message.html failed after the answer began" \
	"imapeek-httpd: the answer is marked failed (the log says so)"
like "$(cat "$FCGI_LOG")" "/lists/dev/$uid: message.html failed after the answer began" \
	"FastCGI: the answer is marked failed (the log says so)"
httpd_stop
fcgi_stop

# An error page whose template fails: the error, in plain text.
printf '{{no_such_name}}\n' >>"$TEST_TMP/templates/error.html"
httpd_start "$PAGES_CONF"
page httpd /lists/dev/4000000000
is "$RESP_STATUS" 404 "an error page whose template fails keeps its status"
like "$(header Content-Type)" '^text/plain' "... as plain text"
is "$(cat "$RESP_BODY")" "404 Not Found" "... saying what it is"
page httpd "/lists/dev/$uid/thread"
is "$RESP_STATUS" 500 "a failed page whose error page fails too: still 500"
httpd_stop
is "$(imapd_procs "$IMAPD_STATE" | wc -l | tr -d ' ')" 0 "no imapd is left running"
done_testing
