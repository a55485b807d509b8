#!/bin/sh
# A message page sends its FETCHes before the stamp's NOOP (lib/route.h's
# ahead hook), so they meet first what the NOOP used to meet: a NO or a
# warning to them is the store failing (502), a NO [EXPUNGEISSUED] is a
# message that is gone (404), and the server goes on.  Real imapds give
# these rarely and not on demand: t/tools/fake-imapd.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"

command -v python3 >/dev/null || bail "python3 is needed for the fake imapd"
# fake_httpd SCENARIO: imapeek-httpd over fake-imapd SCENARIO
fake_httpd() {
	{
		echo "imapd = $(command -v python3) $IMAPEEK_TOP/t/tools/fake-imapd $1"
		echo "templates = $IMAPEEK_TOP/templates"
	} >"$TEST_TMP/$1.conf"
	httpd_start "$TEST_TMP/$1.conf" -j 1
}

# The same mailbox answered as a real imapd would: the page is there.
fake_httpd part-break
http_get "$HTTPD_URL/INBOX/1"
is "$RESP_STATUS" 200 "part-break's message page answers 200"
httpd_stop

fake_httpd expunge-issued
http_get "$HTTPD_URL/INBOX/1"
is "$RESP_STATUS" 404 "a NO [EXPUNGEISSUED] to the message's FETCH: 404, the message is gone"
http_get "$HTTPD_URL/INBOX/1?format=json"
is "$RESP_STATUS" 404 "... the same as JSON"
http_get "$HTTPD_URL/INBOX/"
is "$RESP_STATUS" 200 "... and the server goes on: the mailbox's index answers 200"
httpd_stop

fake_httpd fetch-warned
http_get "$HTTPD_URL/INBOX/1"
is "$RESP_STATUS" 502 "a warning (untagged NO) with the message's FETCH: 502, not a page presented whole"
like "$(tr -d '\r' <"$RESP_HEADERS")" 'Cache-Control: no-store' "... which no cache keeps"
like "$(cat "$HTTPD_LOG")" 'Internal error occurred' "... and the imapd's words are in the log"
http_get "$HTTPD_URL/INBOX/"
is "$RESP_STATUS" 200 "... and the server goes on"
httpd_stop

done_testing
