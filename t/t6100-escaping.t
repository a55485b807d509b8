#!/bin/sh
# Hostile mail never reaches a page unescaped.  A store of crafted
# messages (markup in the subject, the names, encoded words, the body, the
# Message-ID, filenames, an HTML part, an SVG part, a Markdown part, and a
# mailbox name) is served through imapeek-httpd by Dovecot; every page is
# fetched over HTTP and checked response by response: no tag or event
# handler of the mail's own in any HTML page, no javascript: link, and the
# HTML and SVG parts only ever served under the sandboxing CSP.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"

msgs=$TEST_TMP/msgs
mkdir -p "$msgs" || bail "cannot make $msgs"
python3 - "$msgs" <<'PY' || bail "cannot write the messages"
import os, sys
d = sys.argv[1]
X = '"><svg onload=alert(1)><script>alert(1)</script><img src=x onerror=alert(1)>'
msgs = {}
msgs["1-headers.eml"] = (
    "From: =?utf-8?q?=22=3E=3Csvg_onload=3Dalert(1)=3E=3Cscript=3E?= <evil@example.com>\n"
    "To: =?utf-8?q?=3Cscript=3Ealert(1)=3C/script=3E?= <to@example.com>\n"
    "Subject: %s =?utf-8?b?PGltZyBzcmM9eCBvbmVycm9yPWFsZXJ0KDEpPg==?=\n"
    "Date: Mon, 1 Jan 2024 00:00:00 +0000\n"
    "Message-ID: <\"><script>alert(1)</script>@evil.example>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=utf-8\n\n"
    "Body: %s\n"
    "Links: javascript:alert(1) <a href=\"javascript:alert(1)\">x</a>\n"
    "http://example.com/\"onmouseover=\"alert(1) https://example.com/a?b=<script>\n"
    "> quoted %s\n>> deeper <script>alert(2)</script>\n" % (X, X, X))
msgs["2-parts.eml"] = (
    "From: parts@example.com\nTo: to@example.com\nSubject: parts\n"
    "Date: Mon, 1 Jan 2024 00:00:01 +0000\nMessage-ID: <parts@example.com>\n"
    "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n"
    "--B\nContent-Type: text/plain\n\nsee the parts\n"
    "--B\nContent-Type: text/html; name=\"x.html\"\nContent-Disposition: inline; filename=\"../..\\\\<svg onload>.html\"\n\n"
    "<html><body onload=alert(1)><script>alert(1)</script><img src=x onerror=alert(1)>"
    "<a href=\"javascript:alert(1)\">click</a></body></html>\n"
    "--B\nContent-Type: image/svg+xml; name=\"a.svg\"\n\n"
    "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><script>alert(1)</script></svg>\n"
    "--B\nContent-Type: text/markdown; charset=utf-8\n\n"
    "# Title\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>\n"
    "--B\nContent-Type: application/octet-stream\n"
    "Content-Disposition: attachment; filename*=utf-8''%%22%%3E%%3Cscript%%3E%%0D%%0Aevil.txt\n\n"
    "data\n--B--\n")
msgs["3-html-only.eml"] = (
    "From: html@example.com\nTo: to@example.com\nSubject: html only\n"
    "Date: Mon, 1 Jan 2024 00:00:02 +0000\nMessage-ID: <html@example.com>\n"
    "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n"
    "<p>Hello <b>there</b><script>alert(1)</script><img src=x onerror=alert(1)>"
    "<a href=\"javascript:alert(1)\">js</a> <a href=\"http://example.com/&quot;onclick=alert(1)\">ok</a>"
    "&lt;script&gt;alert(3)&lt;/script&gt;</p>\n")
for name, text in msgs.items():
    with open(os.path.join(d, name), "w", newline="\r\n") as f:
        f.write(text)
PY
# mkmaildir splits MAILBOX=SRC at the first "=": the name has none.
evil_mailbox='evil/"><svg onload><script>'
mkstore "$TEST_TMP/store" "$evil_mailbox=$msgs" >/dev/null || bail "cannot build the store"
dovecot_setup "$TEST_TMP/store" "$TEST_TMP/state" || bail "cannot set up Dovecot"
conf=$TEST_TMP/imapeek.conf
{
	cat "$IMAPD_STATE/imapd.conf"
	echo "templates = $IMAPEEK_TOP/templates"
} >"$conf"
httpd_start "$conf"

# Every HTML page: none of the mail's markup, as markup.
check_html() {
	# The page's own search form and month chart are ours, not the mail's.
	body=$(sed -e 's/<form class="search"[^>]*>//' \
		-e 's/<svg xmlns="http:\/\/www.w3.org\/2000\/svg" [^>]*aria-label="Messages per month">//' \
		"$RESP_BODY")
	unlike "$body" '<(script|svg|img|iframe|object|embed|math|form|base|meta http)[[:space:]>/]' "$1: no tag of the mail's own"
	unlike "$body" '<[a-zA-Z][^>]*[[:space:]/"]on[a-zA-Z]+[[:space:]]*=' "$1: no event handler attribute"
	unlike "$body" "(href|src|action)[[:space:]]*=[[:space:]]*[\"']?[[:space:]]*(javascript|data|vbscript):" "$1: no javascript: or data: link"
	like "$(header Content-Security-Policy)" "default-src 'none'" "$1: sent with a Content-Security-Policy"
}

mbox_path=$(python3 -c 'import sys, urllib.parse; print("/" + "/".join(urllib.parse.quote(s, safe="") for s in sys.argv[1].split("/")) + "/")' "$evil_mailbox")

http_get "$HTTPD_URL/"
is "$RESP_STATUS" 200 "/ answers"
check_html "/"
like "$(cat "$RESP_BODY")" '&quot;&gt;&lt;svg onload&gt;&lt;script&gt;' "/: the mailbox name is shown, escaped"

http_get "$HTTPD_URL$mbox_path"
is "$RESP_STATUS" 200 "the index answers"
check_html "index"
like "$(cat "$RESP_BODY")" '&lt;script&gt;alert\(1\)&lt;/script&gt;' "index: the subject is shown, escaped"

for uid in 1 2 3; do
	http_get "$HTTPD_URL$mbox_path$uid"
	is "$RESP_STATUS" 200 "message $uid answers"
	check_html "message $uid"
	cp "$RESP_BODY" "$TEST_TMP/page$uid"
	http_get "$HTTPD_URL$mbox_path$uid?format=json"
	is "$RESP_STATUS" 200 "message $uid JSON answers"
	like "$(header Content-Type)" '^application/json' "message $uid JSON is JSON"
	cp "$RESP_BODY" "$TEST_TMP/json$uid"
done
page1=$(cat "$TEST_TMP/page1")
like "$page1" '<dd>&quot;&gt;&lt;svg onload=alert[^<]*&gt;&lt;script&gt; &lt;evil@' "the From name (an encoded word) is shown, escaped"
like "$page1" '&lt;img src=x onerror=alert\(1\)&gt;' "the encoded word in the subject is decoded and escaped"
like "$page1" 'Body: &quot;&gt;&lt;svg' "the body is shown, escaped"
like "$page1" '<blockquote><pre>quoted &quot;&gt;&lt;svg' "a quoted line is marked up, its text escaped"
like "$page1" '<a href="http://example.com/" rel="nofollow noopener">' "an http URL is linked, ending at the quote"
like "$page1" '<a href="https://example.com/a\?b=" rel' "a URL ends before a \"<\""
unlike "$page1" '<a href="javascript' "javascript: is never linked"
is "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["message_id"])' "$TEST_TMP/json1")" \
	'"' "the hostile Message-ID ends at its first \">\" (RFC 5322), kept as data"
like "$(cat "$TEST_TMP/page2")" '<div class="markdown"><h2>Title</h2>' "the Markdown part is rendered, its headings below the page's h1"
like "$(cat "$TEST_TMP/page2")" '<a href="">x</a>' "... with cmark's safe mode dropping the javascript: link"
like "$(cat "$TEST_TMP/page3")" 'Hello there' "the HTML-only message is shown as text"
like "$(cat "$TEST_TMP/page3")" '&lt;script&gt;alert\(3\)' "... its escaped text stays escaped"

# The parts: HTML and SVG only sandboxed, filenames without paths or quotes.
for section in 2 3; do
	http_get "$HTTPD_URL${mbox_path}2/$section"
	is "$RESP_STATUS" 200 "part $section answers"
	like "$(header Content-Security-Policy)" '^sandbox' "part $section is sandboxed"
	is "$(header X-Content-Type-Options)" nosniff "part $section: nosniff"
done
http_get "$HTTPD_URL${mbox_path}2/2"
is "$(header Content-Disposition)" 'attachment; filename="<svg onload>.html"; filename*=UTF-8'"''"'%3Csvg%20onload%3E.html' \
	"the HTML part is a download, its filename without the path"
http_get "$HTTPD_URL${mbox_path}2/5"
is "$RESP_STATUS" 200 "the attachment answers"
disposition=$(header Content-Disposition)
like "$disposition" '^attachment; filename="[^"]*"; filename\*=UTF-8' "the attachment is a download with an RFC 6266 filename*"
unlike "$disposition" "$(printf '\r')" "no CR in the filename"
http_get "$HTTPD_URL${mbox_path}3/1"
like "$(header Content-Type)" '^text/html' "an HTML-only message's part is served as HTML"
like "$(header Content-Security-Policy)" '^sandbox' "... only sandboxed"

# Obfuscation reaches addresses in the text too.
{
	cat "$conf"
	echo "obfuscate = yes"
} >"$conf.obf"
httpd_stop
httpd_start "$conf.obf"
http_get "$HTTPD_URL${mbox_path}1"
unlike "$(cat "$RESP_BODY")" 'evil@example\.com' "obfuscate: the From address's domain is hidden"
httpd_stop
done_testing
