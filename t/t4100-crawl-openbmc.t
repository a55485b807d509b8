#!/bin/sh
# A crawl of a real list archive (the openbmc list, 2019-2020: 8,323
# messages) through imapeek-httpd: every index page's JSON walked along
# "next", the totals matching the mailbox, every message page answered
# 200, no 5xx, and the store's files unchanged afterwards.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"

[ -f "$SHARED_CORPUS/archive-openbmc-2019-2020/openbmc-2019-2020.mbox.xz" ] ||
	bail "the openbmc corpus is missing from ../shared/corpus"
store=$(openbmc_store) || bail "cannot build the openbmc Maildir"
dovecot_setup "$store" "$TEST_TMP/state" || bail "cannot set up Dovecot"
digest_before=$(store_digest "$store")
conf=$TEST_TMP/imapeek.conf
{
	cat "$IMAPD_STATE/imapd.conf"
	echo "templates = $IMAPEEK_TOP/templates"
	echo "timeout = 60"
} >"$conf"
count=$(imap_send 'STATUS "lists/openbmc" (MESSAGES)' |
	sed -n 's/.*(MESSAGES \([0-9]*\)).*/\1/p')
is "$count" 8323 "Dovecot counts 8,323 messages"

httpd_start "$conf" -j 2
python3 "$IMAPEEK_TOP/t/tools/crawl.py" "$HTTPD_URL" /lists/openbmc/ >"$TEST_TMP/crawl"
crawl_rc=$?
diag "$(cat "$TEST_TMP/crawl")"
figure() { sed -n "s/^$1 //p" "$TEST_TMP/crawl"; }
ok $crawl_rc "every answer of the crawl was 200"
is "$(figure total)" "$count" "the index's total is the mailbox's count"
is "$(figure totals-consistent)" yes "every index page gives the same total"
is "$(figure pages)" "$(( (count + 49) / 50 ))" "the index has one page per 50 messages"
is "$(figure messages)" "$count" "the pages list every message"
is "$(figure distinct)" "$count" "... each once"
is "$(figure status-200)" "$(figure requests)" "every request answered 200"
is "$(grep -c '^status-5' "$TEST_TMP/crawl")" 0 "no 5xx"
httpd_stop
is "$(store_digest "$store")" "$digest_before" "the store's files are unchanged"
done_testing
