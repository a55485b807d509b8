#!/bin/sh
# Search over HTTP on the sample archive, with Dovecot's rawlog: each word
# of SPEC.md's language, non-ASCII words, phrases, hostile queries (quotes,
# braces, CR/LF) that must not add an IMAP command, bad queries (400 with
# help), Atom and mbox of a search; paging through a 1,000-hit result on
# the openbmc archive when its store is built.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"

[ -x "$DOVECOT_IMAP" ] || skip_all "no Dovecot imap binary ($DOVECOT_IMAP)"
DOVECOT_RAWLOG=$TEST_TMP/rawlog
export DOVECOT_RAWLOG
pages_setup_sample
digest_before=$(store_digest "$PAGES_STORE")
httpd_start "$PAGES_CONF"

# search Q [more query]: JSON of /lists/dev/search?q=Q
search() {
	_q=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1")
	page httpd /lists/dev/search "q=$_q&format=json${2:+&$2}"
}

search 'from:alice'
is "$RESP_STATUS" 200 "from: answers 200"
ok "$([ "$(json 'd["total"]')" -gt 0 ] && echo 0 || echo 1)" "from:alice finds messages ($(json 'd["total"]'))"
is "$(json 'all("alice" in (m["from"]["address"] or "") for m in d["messages"])')" true "from:alice: every hit is from alice"
is "$(json 'd["query"]')" "from:alice" "the canonical query is in the JSON"
is "$(json 'all(m["date"] >= n["date"] for m, n in zip(d["messages"], d["messages"][1:]))')" true "hits come newest first"

search 'subject:"what should the thread index show"'
is "$(json 'd["total"]')" 45 "subject: with a phrase finds the 45-message thread"
search '"what should the thread index show"'
is "$(json 'd["total"]')" 45 "a bare phrase (TEXT) finds it too"
search 'subject:Köln'
ok "$([ "$(json 'd["total"]')" -ge 4 ] && echo 0 || echo 1)" "a non-ASCII subject word (RFC 2047 encoded in the mail) is found ($(json 'd["total"]'))"
search 'Отчёт'
ok "$([ "$(json 'd["total"]')" -ge 1 ] && echo 0 || echo 1)" "a Cyrillic word is found ($(json 'd["total"]'))"
search 'to:dev@lists.example.org'
is "$(json 'd["total"]')" "$(sample_count lists/dev)" "to: the list address finds every list message"
search 'body:"needs quoting"'
is "$(json 'd["total"]')" 1 "body: phrase finds the message with a From_ line"
search 'since:2021-01-01 before:2021-01-01'
is "$(json 'd["total"]')" 0 "since: and before: the same day: nothing"
search 'since:1990-01-01'
is "$(json 'd["total"]')" "$(sample_count lists/dev)" "since: long ago: everything"
search 'from:alice subject:"what should"'
is "$(json 'all("alice" in m["from"]["address"] for m in d["messages"]) and d["total"] > 0')" true "terms are ANDed"
search 'from:alice' 'page=2'
is "$(json 'd["page"]')" 2 "page 2 of a search"
is "$(json 'd["prev"]')" "/lists/dev/search?q=from%3Aalice&format=json" "prev points at page 1" 

# Snippets (Dovecot's PREVIEW) and the order.
search 'subject:"what should the thread index show"'
is "$(json 'sum(1 for m in d["messages"] if len(m.get("snippet") or "") >= 20)')" "$(json 'len(d["messages"])')" \
	"every hit has a snippet of its text"
newest_first=$(json '" ".join(str(m["uid"]) for m in d["messages"])')
search 'subject:"what should the thread index show"' 'order=oldest&page=5'
is "$(json 'all(m["date"] <= n["date"] for m, n in zip(d["messages"], d["messages"][1:]))')" true \
	"order=oldest: hits come oldest first"
is "$(json 'd["prev"]')" "/lists/dev/search?q=subject%3A%22what%20should%20the%20thread%20index%20show%22&order=oldest&page=4&format=json" \
	"... and the pager keeps the order"
search 'subject:"what should the thread index show"' 'order=sideways'
is "$RESP_STATUS" 400 "an unknown order is 400"
page httpd /lists/dev/search 'q=subject%3Athread&order=oldest'
like "$(cat "$RESP_BODY")" '<option value="oldest" selected>' "the form shows the order asked"
like "$(cat "$RESP_BODY")" '<p class="snippet">' "... and the hits their snippets"
page httpd /lists/dev/search 'q=subject%3A%22what%20should%20the%20thread%20index%20show%22&order=oldest&page=2'
like "$(cat "$RESP_BODY")" 'rel="next"[^>]*>Newer &rsaquo;' "oldest first: the next page is newer"
like "$(cat "$RESP_BODY")" 'rel="prev"[^>]*>&lsaquo; Older' "... the previous one older"
unlike "$(cat "$RESP_BODY")" '&laquo; Newest|Oldest &raquo;' "... and no label points the other way"
page httpd /lists/dev/search 'q=subject%3A%22what%20should%20the%20thread%20index%20show%22&page=2'
like "$(cat "$RESP_BODY")" 'rel="next"[^>]*>Older &rsaquo;' "newest first: the next page is older"

# A query that finds nothing, with a word a full-text index may miss,
# says so beside "No messages match"; other queries do not.
page httpd /lists/dev/search 'q=zqx-wvy'
like "$(cat "$RESP_BODY")" '<p>No messages match\.</p>' "a hyphenated word that is nowhere finds nothing"
like "$(cat "$RESP_BODY")" '<p class="hint">[^<]*hyphenated words are not found' \
	"... and the page says an index may miss such words"
page httpd /lists/dev/search 'q=zqxwvy'
like "$(cat "$RESP_BODY")" '<p>No messages match\.</p>' "a long word that is nowhere finds nothing"
unlike "$(cat "$RESP_BODY")" 'class="hint"' "... without the hint"
page httpd /lists/dev/search 'q=subject%3Athread+a'
like "$(cat "$RESP_BODY")" '<p class="snippet">' "a query with a one-letter word that finds messages"
unlike "$(cat "$RESP_BODY")" 'class="hint"' "... shows no hint"

# Bad queries: 400 with the help text.
search 'since:2020-13-45'
is "$RESP_STATUS" 400 "a bad date is 400"
like "$(json 'd["error"]')" '^The query was not searched: bad date in since:, use YYYY-MM-DD\. Words are searched' \
	"... saying how to write it, a sentence before the help"
search '"unbalanced'
is "$RESP_STATUS" 400 "unbalanced quotes are 400"
page httpd /lists/dev/search 'q=%22unbalanced'
is "$RESP_STATUS" 400 "HTML: 400 too"
like "$(cat "$RESP_BODY")" 'since:YYYY-MM-DD' "the HTML page shows the help text"
page httpd /lists/dev/search
is "$RESP_STATUS" 200 "no query: the search form"

# Hostile queries: nothing the imapd sees may be a command of its own.
for q in 'a" OR ALL "b' 'x) (ALL' '{5}' 'subject:"{3+}" foo' 'from:"a\" b"' 'tag1 LOGOUT' ; do
	search "$q"
	like "$RESP_STATUS" '^(200|400)$' "hostile query [$q]: $RESP_STATUS"
done
# CR and LF are blanks of a pasted query: searched as words, never a line.
page httpd /lists/dev/search 'q=a%0D%0At9%20LOGOUT'
is "$RESP_STATUS" 200 "CR LF in a query is a blank: 200"
page httpd /lists/dev/search 'q=%7B5%7D%0D%0A'
is "$RESP_STATUS" 200 "a literal announcement and CR LF: 200"
page httpd /lists/dev/search 'q=a%01b'
is "$RESP_STATUS" 400 "another control character in a query is 400"
httpd_stop
is "$(rawlog_lines "$DOVECOT_RAWLOG" out | grep -c ' BAD ')" 0 "Dovecot answered no command BAD"
is "$(rawlog_lines "$DOVECOT_RAWLOG" in | grep -Eic '^[^ ]+ (LOGOUT|DELETE|STORE|EXPUNGE|SELECT) ' )" 0 \
	"no command but the gateway's own reached Dovecot"
is "$(rawlog_lines "$DOVECOT_RAWLOG" in | grep -c '^t9 ')" 0 "the query's 't9 LOGOUT' never became a line"
ok "$(rawlog_lines "$DOVECOT_RAWLOG" in | grep -Eq 'UID (SORT \(REVERSE DATE\) UTF-8|SEARCH CHARSET UTF-8) .*FROM' && echo 0 || echo 1)" \
	"searches go out as UID SORT ... UTF-8 or UID SEARCH CHARSET UTF-8, with typed keys"
ok "$(rawlog_lines "$DOVECOT_RAWLOG" in | grep -q 'UID SORT (DATE) UTF-8 ' && echo 0 || echo 1)" \
	"... as UID SORT (DATE) oldest first"
# A worker that holds the mailbox's date order (its index pages) sorts a
# search's hits itself: the imapd is asked a plain SEARCH.
httpd_start "$PAGES_CONF" -j 1
page httpd /lists/dev/
page httpd /lists/dev/search "q=orderedhere&format=json"
is "$RESP_STATUS" 200 "httpd -j 1: a search after an index page answers 200"
is "$(rawlog_lines "$DOVECOT_RAWLOG" in | grep 'orderedhere' | tr -d '\r' | sed 's/^[^ ]* //')" \
	'UID SEARCH CHARSET UTF-8 TEXT "orderedhere"' \
	"... asked as a plain UID SEARCH: the kept date order sorts its hits"
httpd_stop

# The month view and the chart's counts (SEARCH SENTSINCE/SENTBEFORE).
httpd_start "$PAGES_CONF"
page httpd /lists/dev/ format=json
newest=$(json 'd["messages"][0]["date"][:7]')
pages=$(json 'd["pages"]')
total=$(json 'd["total"]')
is "$(json 'sum(m["messages"] for m in d["months"])')" "$total" \
	"index JSON: the months' counts add up to the total"
is "$(json 'sum(y["messages"] for y in d["years"])')" "$total" "... and so do the years'"
is "$(json 'd["months"][-1]["month"]')" "$newest" "... the last month is the newest message's"
page httpd /lists/dev/ "page=$pages&format=json"
is "$(json 'd["messages"][-1]["date"][:7]')" "$(page httpd /lists/dev/ format=json; json 'd["months"][0]["month"]')" \
	"... the first month is the oldest message's"
page httpd /lists/dev/ format=json
busy=$(json 'max(d["months"], key=lambda m: m["messages"])["month"]')
busy_count=$(json 'max(m["messages"] for m in d["months"])')
page httpd /lists/dev/ "month=$busy&format=json"
is "$(json 'd["total"]')" "$busy_count" "?month=$busy shows as many messages as its count ($busy_count)"
is "$(json 'all(m["date"].startswith("'"$busy"'") for m in d["messages"])')" true "... all sent in that month"
page httpd /lists/dev/
like "$(cat "$RESP_BODY")" "<table class=\"calendar\">" "the index shows the months as a table (no image)"
like "$(cat "$RESP_BODY")" "href=\"/lists/dev/\?month=$busy\"" "each month with mail links to its page"
page httpd /lists/dev/ "month=$busy"
like "$(cat "$RESP_BODY")" "href=\"/lists/dev/\?month=$busy\" aria-current=\"page\"" "the month shown is marked"
unlike "$(cat "$RESP_BODY")" '<script' "no JavaScript"
page httpd /lists/dev/ month=2020-13
is "$RESP_STATUS" 400 "a bad month is 400"
httpd_stop

# Atom and mbox of a search.
httpd_start "$PAGES_CONF"
page httpd /lists/dev/search 'q=from%3Aalice&format=atom'
is "$RESP_STATUS" 200 "a search's Atom answers 200"
xmllint --noout "$RESP_BODY" 2>/dev/null
ok $? "... and is well-formed XML"
like "$(grep -o '<link rel="alternate"[^>]*>' "$RESP_BODY" | head -1)" \
	"href=\"$HTTPD_URL/lists/dev/search\\?q=from%3Aalice\"" "... whose alternate page is the search itself"
page httpd /lists/dev/new.atom
like "$(grep -o '<link rel="alternate"[^>]*>' "$RESP_BODY" | head -1)" \
	"href=\"$HTTPD_URL/lists/dev/\"" "the mailbox's feed: its alternate is the index"
page httpd /lists/dev/search 'q=subject%3A%22what+should%22&format=mbox'
is "$RESP_STATUS" 200 "a search's mbox answers 200"
is "$(grep -c '^From ' "$RESP_BODY")" 45 "... with the 45 messages"
httpd_stop

# openbmc: paging through a result of more than 1,000 hits.
if [ -f "$SHARED_CORPUS/archive-openbmc-2019-2020/openbmc-2019-2020.mbox.xz" ]; then
	obmc=$(openbmc_store) || bail "no openbmc store"
	unset DOVECOT_RAWLOG
	dovecot_setup "$obmc" "$TEST_TMP/state-obmc" || bail "dovecot_setup failed"
	PAGES_CONF=$TEST_TMP/imapeek-obmc.conf
	{ cat "$IMAPD_STATE/imapd.conf"; echo "templates = $IMAPEEK_TOP/templates"
	  echo "page-size = 200"; echo "timeout = 60"; } >"$PAGES_CONF"
	httpd_start "$PAGES_CONF"
	q='q=subject%3Apatch'
	page httpd /lists/openbmc/search "$q&format=json"
	total=$(json 'd["total"]'); pages=$(json 'd["pages"]')
	ok "$([ "$total" -ge 1000 ] && echo 0 || echo 1)" "openbmc: subject:patch has $total hits (>= 1000)"
	: >"$TEST_TMP/hits"
	n=1
	while [ $n -le "$pages" ]; do
		page httpd /lists/openbmc/search "$q&format=json&page=$n"
		json '"\n".join("%s %s" % (m["date"], m["uid"]) for m in d["messages"])' >>"$TEST_TMP/hits"
		n=$((n + 1))
	done
	is "$(sort -u "$TEST_TMP/hits" | wc -l)" "$total" "openbmc: $pages pages give every hit once"
	sort -r -c -s -k1,1 "$TEST_TMP/hits" 2>/dev/null
	ok $? "openbmc: newest first across pages"
	httpd_stop
else
	bail "the openbmc corpus is missing from ../shared/corpus"
fi
is "$(store_digest "$PAGES_STORE")" "$digest_before" "the sample store is unchanged"
done_testing
