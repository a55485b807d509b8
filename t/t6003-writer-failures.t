#!/bin/sh
# Every writer's result counts: a page whose rendering fails is never a
# 200 with a short or empty body.  Before anything went out it is an
# error page (500 from the gateway; 502 from a front end that had only
# spooled the body); after the head went out (more than the 1 MiB a
# front end holds) the transfer ends broken; an error page whose own
# template fails is still an error, in plain text.  Templates fail on
# purpose here: a test build renders strictly, and a name the page does
# not set is an error.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"

[ -x "$DOVECOT_IMAP" ] || skip_all "no Dovecot imap binary ($DOVECOT_IMAP)"
pages_setup_sample
cp -R "$IMAPEEK_TOP/templates" "$TEST_TMP/templates"
chmod -R u+w "$TEST_TMP/templates"
sed -i "s|^templates = .*|templates = $TEST_TMP/templates|" "$PAGES_CONF"
# Early: the thread page fails at its first tag.  Spooled: the index
# writes 64 KiB (more than one flush of the renderer, less than a front
# end holds) before it fails.  Late: the message page writes 900 KiB per
# header row (From, To, Date, Message-ID: more than 3 MiB) first.
printf '{{no_such_name}}\n' >>"$TEST_TMP/templates/thread.html"
python3 - "$TEST_TMP/templates" <<'EOF2'
import sys
for name, filler in (("index.html", "<!-- %s -->" % ("x" * 65536)),
                     ("message.html", "{{#headers}}<!-- %s -->{{/headers}}" % ("x" * 921600))):
    path = "%s/%s" % (sys.argv[1], name)
    text = open(path, encoding="utf-8").read()
    at = text.index("}}") + 2       # after the leading comment
    open(path, "w", encoding="utf-8").write(text[:at] + filler + "{{no_such_name}}" + text[at:])
EOF2
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
for f in httpd cgi fcgi; do
	page $f /lists/dev/
	like "$RESP_STATUS" '^5' "$f: a rendering that fails after 64 KiB, all spooled: a 5xx ($RESP_STATUS)"
done
sleep 0.3
like "$(cat "$HTTPD_LOG")" "rendering index.html: index.html:[0-9]*: no value for 'no_such_name'" \
	"imapeek-httpd: the log says which template failed"
curl -s -o "$TEST_TMP/late.body" -D "$TEST_TMP/late.head" "$HTTPD_URL/lists/dev/$uid"
is "$?" 18 "httpd: a rendering that fails after 2 MiB went out ends as a broken transfer (curl exit 18)"
like "$(head -n 1 "$TEST_TMP/late.head")" ' 200' "... after its 200 head"
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
