#!/bin/sh
# Full-text search: the sample archive behind two Dovecots, one plain and
# one with the full-text search block of conf/dovecot-imapeek.conf turned
# on (dovecot-fts-xapian, a Dovecot master for its indexer), each behind
# its own imapeek-httpd.  The index is built as a deployment builds it
# (doveadm index); its files exist, one Xapian database per mailbox;
# searches need them (without them and without the indexer a search cannot
# answer; with the indexer back it is rebuilt); a fixed list of queries
# gives the same hit counts through both, or a difference explained here;
# a message delivered afterwards is found.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"

[ -x "$DOVECOT_IMAP" ] || skip_all "no Dovecot imap binary ($DOVECOT_IMAP)"
[ "$(id -u)" = 0 ] || skip_all "the Dovecot master of a full-text index runs as root"
[ -x "$DOVECOT_MASTER" ] && [ -x "$DOVEADM" ] || skip_all "no Dovecot master or doveadm"
[ -e /usr/lib/dovecot/modules/lib21_fts_xapian_plugin.so ] ||
	skip_all "dovecot-fts-xapian is not installed (make deps)"

store=$TEST_TMP/store
sample_store "$store" >"$TEST_TMP/sample.counts" || bail "cannot build the sample archive"
digest_before=$(store_digest "$store")

# conf NAME: an imapeek.conf for the imapd just set up
conf() {
	{
		cat "$IMAPD_STATE/imapd.conf"
		echo "templates = $IMAPEEK_TOP/templates"
		echo "timeout = ${2:-30}"
	} >"$TEST_TMP/$1.conf"
}

dovecot_setup "$store" "$TEST_TMP/plain" || bail "cannot set up Dovecot"
conf plain
DOVECOT_FTS=1 dovecot_setup "$store" "$TEST_TMP/fts" || bail "cannot set up Dovecot with FTS"
conf fts
# The same, but a search gives up after 3 s (the index taken away below).
conf fts-short 3
fts_state=$IMAPD_STATE
fts_conf=$fts_state/dovecot.conf

like "$(grep -c 'fts_xapian\|^protocols =$\|allow_all_users' "$fts_conf")" '^[3-9]$' \
	"the FTS configuration is the example's block, turned on"
doveconf -c "$fts_conf" -n >"$TEST_TMP/doveconf.out" 2>&1
ok $? "doveconf accepts it"
like "$(cat "$TEST_TMP/doveconf.out")" "base_dir = $fts_state/run" "base_dir is the state's, shared by the master and the imapds"

dovecot_fts_start
ok $? "the Dovecot master starts, listening on nothing"
ok "$([ -S "$fts_state/run/indexer" ] && echo 0 || echo 1)" "its indexer socket is in base_dir"

dovecot_fts_index 2>"$TEST_TMP/index.err"
ok $? "doveadm index builds the index of every mailbox"
dbs=$(ls -d "$fts_state"/index/xapian-indexes/db_* 2>/dev/null | wc -l)
like "$dbs" '^[4-9]$' "one Xapian database per mailbox under INDEX= ($dbs)"
ok "$([ -s "$(ls "$fts_state"/index/xapian-indexes/db_*/postlist.glass | head -n 1)" ] && echo 0 || echo 1)" \
	"... with its posting lists"
is "$(store_digest "$store")" "$digest_before" "the store is as it was"

httpd_start "$TEST_TMP/plain.conf"
plain_url=$HTTPD_URL
plain_pid=$HTTPD_PID
httpd_start "$TEST_TMP/fts.conf"
fts_url=$HTTPD_URL

# hits URL Q [MAILBOX]: the total of a search through imapeek, "status
# NNN" for an answer other than 200
hits() {
	_q=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$2")
	http_get "$1/${3:-lists/dev}/search?q=$_q&format=json"
	if [ "$RESP_STATUS" = 200 ]; then json 'd["total"]'; else echo "status $RESP_STATUS"; fi
}

# The fixed list: QUERY | RELATION of the hit count with the index to the
# one without ("=", "<", ">") | why.  Without the index Dovecot looks for
# the query as a substring of the decoded header fields and texts; with
# it, the Xapian index holds From, To, Cc, Bcc, Subject, Message-ID and
# the text parts as words and as every 3- to 20-character piece of a word.
while IFS='|' read -r query relation why; do
	[ -n "$query" ] || continue
	without=$(hits "$plain_url" "$query")
	with=$(hits "$fts_url" "$query")
	case $relation in
	'=') test "$with" = "$without" ;;
	'<') [ "$with" -lt "$without" ] 2>/dev/null ;;
	'>') [ "$with" -gt "$without" ] 2>/dev/null ;;
	esac
	ok $? "$query: $without without the index, $with with it ($relation): $why"
	case $relation in '=') [ "$without" -gt 0 ] 2>/dev/null ||
		diag "(the list is meant to find something: $query finds $without)" ;; esac
done <<'EOF'
literal|=|a body word
parser|=|a body word
pars|=|a piece of a word: a 3- to 20-character piece is in the index
openbmc|=|a body word
504|=|a number in the text
from:alice|=|From is indexed, name and address
from:"Alice Archer"|=|a name in From
from:example.org|=|a domain: the index holds "example.org" and its pieces
to:dev@lists.example.org|=|To is indexed
subject:PATCH|=|Subject is indexed; both ignore case
subject:session|=|a subject word
body:malloc|=|body: the text parts only
Отчёт|=|a Cyrillic word (KOI8-R in the mail), decoded for both
from:alice since:2023-02-01|=|dates are Dovecot's own, the index only narrows the words
"index page"|>|a phrase: the index finds every message with both words, anywhere
"page index"|>|... in any order; without it only the words in this order count
ab|<|a word shorter than 3 characters is not in the index: nothing found
charset|<|Content-Type is not indexed: only the messages saying "charset" in a text part
multipart|<|the same: a word of Content-Type headers only
koln|>|the index folds accents: "koln" finds "Köln"; without it only "koln" itself
half-way|<|a hyphenated word: the index holds the text's "half" and "way" apart, the query looks up "half-way" whole
"half way"|>|... so the words find the text's "half-way"; without the index only "half way" itself
EOF

# Where the index finds nothing for such a word, the page says why.
for q in half-way ab; do
	is "$(hits "$fts_url" "$q")" 0 "$q finds nothing with the index"
	http_get "$fts_url/lists/dev/search?q=$q"
	like "$(cat "$RESP_BODY")" '<p class="hint">[^<]*words of one or two letters and hyphenated words are not found' \
		"... and its page says the index misses such words"
done

# The index is read: without its files, and without the indexer to build
# them again, a search cannot answer (imapeek gives up: 504); with the
# indexer back the next search rebuilds what it needs and answers.
httpd_stop
dovecot_fts_stop
mv "$fts_state/index/xapian-indexes" "$fts_state/xapian-indexes.away"
httpd_start "$TEST_TMP/fts-short.conf"
is "$(hits "$HTTPD_URL" parser)" "status 504" \
	"without the index files and the indexer a search times out (504)"
is "$(hits "$HTTPD_URL" parser lists/announce)" "status 504" "... in every mailbox"
http_get "$HTTPD_URL/lists/dev/"
is "$RESP_STATUS" 200 "... while the other pages still work"
httpd_stop
is "$(store_digest "$store")" "$digest_before" "the store is still as it was"
rm -rf "$fts_state/index/xapian-indexes"
mv "$fts_state/xapian-indexes.away" "$fts_state/index/xapian-indexes"
httpd_start "$TEST_TMP/fts.conf"
is "$(hits "$HTTPD_URL" parser)" "$(hits "$plain_url" parser)" \
	"with the files back the same search answers (the master still stopped)"
dovecot_fts_start
ok $? "the master starts again"
# Fresh imapds: a kept one may hold the old database open.
httpd_stop
rm -rf "$fts_state"/index/xapian-indexes/db_*
httpd_start "$TEST_TMP/fts.conf"
is "$(hits "$HTTPD_URL" parser)" "$(hits "$plain_url" parser)" \
	"with the indexer, a search rebuilds the removed index and answers"
is "$(ls -d "$fts_state"/index/xapian-indexes/db_* | wc -l)" 1 \
	"... of that mailbox only"

# New mail: delivered into the store (tmp/, then new/, as an MTA does),
# found by the next search, which has the indexer add it to the index.
is "$(hits "$HTTPD_URL" zanzibarquokka)" 0 "a word of the new message is not there yet"
dev=$store/lists/dev
chmod u+w "$dev/tmp" "$dev/new"
cat >"$dev/tmp/9999.delivered" <<'MAIL'
From: Quentin Quokka <quokka@example.org>
To: dev@lists.example.org
Subject: a late arrival
Date: Mon, 01 Jan 2024 10:00:00 +0000
Message-ID: <late.9999@sample.imapeek.example>

The zanzibarquokka arrived after the index was built.
MAIL
mv "$dev/tmp/9999.delivered" "$dev/new/9999.delivered"
chmod 555 "$dev/tmp" "$dev/new"
chmod 444 "$dev/new/9999.delivered"
is "$(hits "$HTTPD_URL" zanzibarquokka)" 1 "the next search finds the new message by a body word"
is "$(hits "$HTTPD_URL" 'from:quokka')" 1 "... and by its sender"
is "$(hits "$HTTPD_URL" 'zanzibar')" 1 "... and by a piece of a word"
is "$(hits "$plain_url" zanzibarquokka)" 1 "without the index it is found too"
httpd_stop
HTTPD_PID=$plain_pid
httpd_stop
dovecot_fts_stop
ok "$(grep -i 'error\|fatal\|panic' "$fts_state/dovecot.log" | grep -q . && echo 1 || echo 0)" \
	"the Dovecot master logged no error"
grep -i 'error\|fatal\|panic' "$fts_state/dovecot.log" | head -n 5 | while IFS= read -r line; do diag "$line"; done
done_testing
