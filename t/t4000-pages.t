#!/bin/sh
# Every page that exists so far, through all three front ends (the
# standalone server, CGI and FastCGI), over the sample archive served by
# Dovecot: HTML and JSON, status codes, hidden mailboxes, a mailbox name
# with a space, "&" and non-ASCII letters, and malformed input.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"

pages_setup_sample
digest_before=$(store_digest "$PAGES_STORE")
dev_total=$(sample_count lists/dev)
[ -n "$dev_total" ] || bail "the sample has no lists/dev"
odd='Archiv/Grüße & Co'
odd_path='/Archiv/Gr%C3%BC%C3%9Fe%20%26%20Co/'

httpd_start "$PAGES_CONF"
fcgi_start "$PAGES_CONF"

check_front() {
	f=$1

	# The mailbox list.
	page $f /
	is "$RESP_STATUS" 200 "$f: / answers 200"
	like "$(header Content-Type)" '^text/html; charset=utf-8' "$f: / is HTML"
	like "$(header Content-Security-Policy)" "default-src 'none'" "$f: / has a Content-Security-Policy"
	like "$(cat "$RESP_BODY")" 'href="/lists/dev/"' "$f: / links to lists/dev"
	unlike "$(cat "$RESP_BODY")" 'private' "$f: / does not show the hidden mailbox"
	is "$(sed -n 's|.*<title>\(.*\)</title>.*|\1|p' "$RESP_BODY")" \
		"$(sed -n 's/^title = //p' "$PAGES_CONF")" "$f: / is titled by the site's title, once"
	page $f /lists/dev/
	like "$(sed -n 's|.*<title>\(.*\)</title>.*|\1|p' "$RESP_BODY")" \
		" - $(sed -n 's/^title = //p' "$PAGES_CONF")\$" "$f: another page: its title, then the site's"
	page $f / format=json
	is "$(json 'sorted(m["name"] for m in d["mailboxes"])')" \
		"$(python3 -c 'import json,sys; print(json.dumps(sorted(l.split("\t")[0] for l in open(sys.argv[1]) if not l.startswith("private/")), ensure_ascii=False))' "$TEST_TMP/sample.counts")" \
		"$f: / JSON lists exactly the visible mailboxes"
	is "$(json '[m["messages"] for m in d["mailboxes"] if m["name"] == "lists/dev"][0]')" "$dev_total" \
		"$f: / JSON counts the messages of lists/dev"
	is "$(json '[m["url"] for m in d["mailboxes"] if m["name"].startswith("Archiv/")][0]')" \
		"$odd_path" "$f: the odd mailbox's URL is percent-encoded per segment"

	# The index, paged, newest first.
	page $f /lists/dev
	is "$RESP_STATUS" 301 "$f: /lists/dev redirects"
	like "$(header Location)" '/lists/dev/$' "$f: ... to /lists/dev/"
	# INBOX is one mailbox in any case (RFC 3501), at one URL.
	page $f /inbox/1/raw '' 
	is "$RESP_STATUS" 301 "$f: /inbox/1/raw redirects"
	like "$(header Location)" '^/INBOX/1/raw$' "$f: ... to /INBOX/1/raw"
	page $f /Inbox/ page=2
	like "$RESP_STATUS $(header Location)" '^301 /INBOX/\?page=2$' "$f: /Inbox/?page=2 to /INBOX/?page=2"
	page $f /inbox
	like "$RESP_STATUS $(header Location)" '^301 /INBOX/$' "$f: /inbox to /INBOX/"
	# A stray slash after a page's last word: the page without it.
	page $f /lists/dev/1/thread/
	like "$RESP_STATUS $(header Location)" '^301 /lists/dev/1/thread$' "$f: /lists/dev/1/thread/ to .../thread"
	page $f /lists/dev/search/ q=x
	like "$RESP_STATUS $(header Location)" '^301 /lists/dev/search\?q=x$' "$f: /lists/dev/search/?q=x to .../search?q=x"
	page $f /inbox/1/raw/
	like "$RESP_STATUS $(header Location)" '^301 /INBOX/1/raw$' "$f: /inbox/1/raw/ to /INBOX/1/raw"
	page $f /lists/dev/ format=json
	is "$RESP_STATUS" 200 "$f: index JSON answers 200"
	is "$(json 'd["total"]')" "$dev_total" "$f: index total is the mailbox's count"
	is "$(json 'd["pages"]')" "$(( (dev_total + 9) / 10 ))" "$f: pages of 10"
	is "$(json 'len(d["messages"])')" 10 "$f: the first page holds 10 messages"
	is "$(json 'd["next"]')" "/lists/dev/?page=2&format=json" \
		"$f: next points at page 2, keeping format=json"
	if [ $f = httpd ]; then
		page $f /lists/dev/ "" -H 'Accept: application/json'
	else
		page $f /lists/dev/ "" HTTP_ACCEPT=application/json
	fi
	is "$(json 'd["next"]')" "/lists/dev/?page=2" \
		"$f: asked by Accept, next is the page's own URL"
	page $f /lists/dev/ format=json
	is "$(json 'd["prev"]')" "null" "$f: no prev on page 1"
	is "$(json 'all(m["date"] >= n["date"] for m, n in zip(d["messages"], d["messages"][1:]))')" true \
		"$f: newest first"
	is "$(json 'all(set(m) >= {"uid","message_id","subject","date","from","url"} for m in d["messages"])')" true \
		"$f: every MSG has SPEC.md's fields"
	uid=$(json 'd["messages"][0]["uid"]')
	page $f /lists/dev/
	is "$RESP_STATUS" 200 "$f: index HTML answers 200"
	like "$(cat "$RESP_BODY")" "href=\"/lists/dev/$uid\"" "$f: index links to its messages"
	page $f /lists/dev/ page=999
	is "$RESP_STATUS" 404 "$f: a page past the end is 404"
	page $f /lists/dev/ page=0
	is "$RESP_STATUS" 400 "$f: page=0 is 400"

	# One message.
	page $f "/lists/dev/$uid" format=json
	is "$RESP_STATUS" 200 "$f: message JSON answers 200"
	is "$(json 'd["uid"]')" "$uid" "$f: message JSON has its uid"
	is "$(json 'd["mailbox"]')" "lists/dev" "$f: ... and its mailbox"
	is "$(json 'd["raw_url"]')" "/lists/dev/$uid/raw" "$f: ... and raw_url"
	is "$(json 'd["thread_url"]')" "/lists/dev/$uid/thread" "$f: ... and thread_url"
	is "$(json 'isinstance(d["text"], str) and len(d["text"]) > 0')" true "$f: ... and its text"
	page $f "/lists/dev/$uid"
	is "$RESP_STATUS" 200 "$f: message HTML answers 200"
	like "$(cat "$RESP_BODY")" "href=\"/lists/dev/$uid/raw\"" "$f: message links to raw"
	page $f "/lists/dev/$uid/raw"
	is "$RESP_STATUS" 200 "$f: raw answers 200"
	like "$(header Content-Type)" '^text/plain' "$f: raw is text/plain"
	# The size an attachment is listed with is (near) what its link
	# downloads, not its base64 text's.
	page $f /lists/dev/m/0068.taro@sample.imapeek.example
	msg=$(header Location)
	page $f "$msg"
	sed -n 's|.*<a href="\([^"]*\)">[^<]*</a> <span class="meta">[^,]*, \([0-9]*\) B</span>.*|\1 \2|p' \
		"$RESP_BODY" >"$TEST_TMP/sizes"
	is "$(wc -l <"$TEST_TMP/sizes" | tr -d ' ')" 2 "$f: two attachments listed in bytes"
	while read -r url shown; do
		page $f "$url"
		got=$(wc -c <"$RESP_BODY" | tr -d ' ')
		ok "$([ "$shown" -ge "$got" ] && [ "$shown" -le $((got + 2)) ] && echo 0 || echo 1)" \
			"$f: $url listed as $shown B, downloads $got B"
	done <"$TEST_TMP/sizes"
	# スレッド.png: its ASCII fallback name has one "_" a character.
	page $f "$(sed -n 2p "$TEST_TMP/sizes" | cut -d' ' -f1)"
	is "$(header Content-Disposition)" "attachment; filename=\"____.png\"; filename*=UTF-8''%E3%82%B9%E3%83%AC%E3%83%83%E3%83%89.png" \
		"$f: a Japanese file name: ____.png for old clients, UTF-8 for the others"
	# A message not there: the 404 leads back to its mailbox.
	page $f /lists/dev/4000000000
	is "$RESP_STATUS" 404 "$f: a UID not there: 404"
	like "$(cat "$RESP_BODY")" '<a href="/lists/dev/">Back to lists/dev</a>' "$f: ... with a link back to its mailbox"
	page $f /lists/nothere/
	is "$RESP_STATUS" 404 "$f: a mailbox not there: 404"
	unlike "$(cat "$RESP_BODY")" 'Back to lists/nothere' "$f: ... which it does not link back to"
	# A forwarded message's date reads as the message's own.
	page $f /lists/dev/m/0069.alice@sample.imapeek.example
	page $f "$(header Location)"
	like "$(cat "$RESP_BODY")" '<section class="embedded"><dl class="headers">.*<dt>Date</dt><dd>Mon, 2 Jan 2023 10:00 UTC</dd>' \
		"$f: an embedded message's Date as people read it"
	# ... in the charset the message gives at its top, else UTF-8.
	for id_type in "0064.bjorn iso-8859-1" "0001.alice utf-8" "0066.alice utf-8"; do
		set -- $id_type
		page $f "/lists/dev/m/$1@sample.imapeek.example"
		raw=$(header Location)/raw
		page $f "$raw"
		is "$(header Content-Type)" "text/plain; charset=$2" "$f: the raw bytes of $1 say charset=$2"
		if [ $f = httpd ]; then
			http_get "$HTTPD_URL$raw" -I
		else
			CGI_METHOD=HEAD page $f "$raw"
		fi
		is "$(header Content-Type)" "text/plain; charset=$2" "$f: ... also to a HEAD"
	done

	# The odd mailbox name and the hidden one.
	page $f "$odd_path" format=json
	is "$RESP_STATUS" 200 "$f: the mailbox with space, & and ü answers 200"
	is "$(json 'd["mailbox"]')" "$odd" "$f: ... under its UTF-8 name"
	for hidden in /private/secret/ /private/secret/1 /private/secret/1/raw; do
		page $f "$hidden"
		is "$RESP_STATUS" 404 "$f: hidden $hidden is 404"
	done
	page $f /private/secret/ format=json
	is "$(json 'd["status"]')" 404 "$f: hidden mailbox JSON error says 404"

	# Malformed input: 400 or 404, never 5xx.
	for row in "/lists/dev/0 400" "/lists/dev/007 400" "/lists/dev/12x 400" \
		"/lists/dev/4294967296 400" "/lists/dev/$uid/1..2 400" \
		"/lists/dev/$uid/0 400" "/lists/%zz/ 400" "/lists/%00/ 400" \
		"/lists/dev/%ff 400" "/nope/ 404" "/lists/dev/abc 404" \
		"/lists/dev/4000000000 404" "/lists/dev/$uid/77 404" \
		"/lists/dev/$uid/raw/x 404" "/lists/dev/-1 400" "/lists/dev/+1 400" \
		"/lists/dev/%201 400" "/lists/dev/01 400" "/lists/dev/1x 400" \
		"/lists/dev/%2B1 400" "/lists/dev/$uid/-1 400"; do
		set -- $row
		page $f "$1"
		is "$RESP_STATUS" "$2" "$f: $1 is $2"
	done
	if [ $f = httpd ]; then
		http_get "$HTTPD_URL/lists/dev/01?"
		is "$RESP_STATUS" 400 "$f: /lists/dev/01? (a leading zero, an empty query) is 400"
	fi
	page $f "/lists/$(head -c 9000 /dev/zero | tr '\0' a)/"
	like "$RESP_STATUS" '^4' "$f: a 9000-byte path is a 4xx ($RESP_STATUS)"
}

for front in httpd cgi fcgi; do
	check_front $front
done

# Content negotiation, HEAD and other methods (standalone server).
http_get "$HTTPD_URL/lists/dev/" -H 'Accept: application/json'
is "$(json 'd["mailbox"]')" "lists/dev" "Accept: application/json gives JSON"
head_size=$(curl -sS -I -o /dev/null -w '%{http_code} %{size_download}' "$HTTPD_URL/lists/dev/")
is "$head_size" "200 0" "HEAD answers 200 without a body"
http_get "$HTTPD_URL/lists/dev/" -X POST
is "$RESP_STATUS" 405 "POST is 405"
like "$(header Allow)" 'GET' "405 says what is allowed"
CGI_METHOD=DELETE page cgi /lists/dev/
is "$RESP_STATUS" 405 "DELETE through CGI is 405"

# Each page of a mailbox has a title of its own, and names the feed.
title_of() { page httpd "$1" "$2"; sed -n 's|.*<title>\(.*\)</title>.*|\1|p' "$RESP_BODY"; }
site=$(title_of / '')
is "$(title_of /lists/dev/ '')" "lists/dev - $site" "the index's title"
is "$(title_of /lists/dev/ page=2)" "lists/dev: page 2 - $site" "... its page 2"
month=$(page httpd /lists/dev/ format=json; json 'd["months"][-1]["month"]')
is "$(title_of /lists/dev/ "month=$month")" "lists/dev: $month - $site" "... a month"
is "$(title_of /lists/dev/threads/ '')" "lists/dev: threads - $site" "the thread index's title"
is "$(title_of /lists/dev/search 'q=imapd+%26+more')" "Search: imapd &amp; more - $site" \
	"a search's title holds its query (escaped)"
page httpd /lists/dev/
like "$(cat "$RESP_BODY")" '<link rel="alternate" type="application/atom\+xml" title="lists/dev" href="/lists/dev/new\.atom">' \
	"an index page links its mailbox's feed for feed readers"
page httpd "/lists/dev/$uid"
like "$(cat "$RESP_BODY")" '<link rel="alternate" type="application/atom\+xml"[^>]*href="/lists/dev/new\.atom">' \
	"... a message page too"
unlike "$(title_of / '')" 'alternate' "the front page has no feed"
# "Back to the index" goes back to the page that lists the message.
page httpd /lists/dev/ 'page=2&format=json'
second=$(json 'd["messages"][-1]["uid"]')
page httpd "/lists/dev/$second"
like "$(cat "$RESP_BODY")" '<a href="/lists/dev/\?page=2">Back to the index</a>' \
	"a message of the index's page 2 leads back to page 2"
page httpd "/lists/dev/$uid"
like "$(cat "$RESP_BODY")" '<a href="/lists/dev/">Back to the index</a>' "... one of page 1 to the index"

# The root under CGI: URLs carry SCRIPT_NAME.
CGI_SCRIPT_NAME=/archive page cgi /lists/dev/ format=json
is "$(json 'd["next"]')" "/archive/lists/dev/?page=2&format=json" "URLs carry the CGI root"

httpd_stop
fcgi_stop
is "$(store_digest "$PAGES_STORE")" "$digest_before" "the store's files are unchanged"
is "$(imapd_procs "$IMAPD_STATE" | wc -l | tr -d ' ')" 0 "no imapd is left running"
done_testing
