#!/bin/sh
# A broken deployment never looks like an empty archive.  When the imapd
# cannot write its INDEX or CONTROL folder, or cannot read the store, the
# front page and the mailbox pages are a 5xx that no cache keeps (not
# "200 No mailboxes." for a minute, not a 404), in every front end, and
# the reason (the imapd's own error line, and imapeek's) is in the log:
# imapeek-httpd's standard error, the CGI program's standard error (the
# web server's error log), the FastCGI request's stderr stream.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"

pages_setup_sample
digest_before=$(store_digest "$PAGES_STORE")
mkdir -p "$IMAPD_STATE/index" "$IMAPD_STATE/control"

# check FRONT WHAT: every page of the list is a 5xx, no-store, and the
# front end's log (LOG) holds the imapd's "Permission denied".
check() {
	for path in / /lists/dev/ /lists/dev/1; do
		case $1 in
		cgi|fcgi) page "$1" "$path" "" 2>>"$LOG" ;;
		*) page "$1" "$path" ;;
		esac
		like "$RESP_STATUS $(header Cache-Control)" '^5[0-9][0-9] no-store$' \
			"$2, $1: $path is a 5xx, no-store"
	done
	# FastCGI: the request's stderr stream, and the responder's own
	# stderr (a file here, as under spawn-fcgi -n or systemd).
	[ "$1" = fcgi ] && cat "$FCGI_LOG" >>"$LOG"
	like "$(cat "$LOG")" 'Permission denied' "$2, $1: the imapd's reason is in the log"
	like "$(cat "$LOG")" 'imapeek: /' "$2, $1: and imapeek's line naming the page"
}

# Each breakage through each front end, each with a fresh imapd (FastCGI
# and imapeek-httpd keep theirs across requests).
for what in index control store; do
	case $what in
	index|control)
		rm -rf "${IMAPD_STATE:?}/index" "${IMAPD_STATE:?}/control"
		mkdir -p "$IMAPD_STATE/index" "$IMAPD_STATE/control"
		_imapd_is_root && chown "$IMAPD_RUN_USER:$IMAPD_RUN_GROUP" \
			"$IMAPD_STATE/index" "$IMAPD_STATE/control"
		chmod 0555 "$IMAPD_STATE/$what"
		label="an unwritable $what folder" ;;
	store)
		chmod u+w "$IMAPD_STATE/index" "$IMAPD_STATE/control"
		chmod 0000 "$PAGES_STORE"
		label="an unreadable store" ;;
	esac

	LOG=$TEST_TMP/cgi-$what.log
	: >"$LOG"
	check cgi "$label"

	fcgi_start "$PAGES_CONF"
	LOG=$TEST_TMP/fcgi-$what.log
	: >"$LOG"
	check fcgi "$label"
	fcgi_stop

	httpd_start "$PAGES_CONF" -j 1
	LOG=$HTTPD_LOG
	check httpd "$label"
	httpd_stop
done

# INBOX not among the mailboxes shown (the example's "mailboxes =
# lists/*"): the LIST of an unreadable store names INBOX alone, and that is
# no empty archive either.  Repaired, the mailboxes are back at once,
# though imapeek-httpd keeps a list for some seconds.
LISTS_CONF=$TEST_TMP/lists.conf
{ cat "$PAGES_CONF"; echo "mailboxes = lists/*"; } >"$LISTS_CONF"
IMAPEEK_CONF=$LISTS_CONF cgi_get / "" >"$TEST_TMP/cgi.out" 2>/dev/null
cgi_response "$TEST_TMP/cgi.out"
like "$RESP_STATUS $(header Cache-Control)" '^502 no-store$' \
	"an unreadable store, lists/* shown, cgi: / is a 502, no-store"
httpd_start "$LISTS_CONF" -j 1
page httpd /
like "$RESP_STATUS $(header Cache-Control)" '^502 no-store$' \
	"an unreadable store, lists/* shown, httpd: / is a 502, no-store"
chmod 0555 "$PAGES_STORE"
page httpd /
like "$RESP_STATUS $(grep -c 'href="/lists/dev/"' "$RESP_BODY")" '^200 [1-9]' \
	"repaired, lists/* shown, httpd: / lists lists/dev at once"
httpd_stop
# Nothing shown of a store that can be read: an empty archive, a 200.
{ cat "$PAGES_CONF"; echo "mailboxes = nothing/*"; } >"$LISTS_CONF"
IMAPEEK_CONF=$LISTS_CONF cgi_get / "" >"$TEST_TMP/cgi.out"
cgi_response "$TEST_TMP/cgi.out"
is "$RESP_STATUS" 200 "no mailbox shown of a readable store: / is a 200"

# Repaired, the same pages answer 200 again (nothing bad was cached).
chmod u+w "$IMAPD_STATE/index" "$IMAPD_STATE/control"
httpd_start "$PAGES_CONF" -j 1
page httpd /lists/dev/
is "$RESP_STATUS" 200 "repaired: the index answers 200"
page httpd / format=json
like "$(json 'd["mailboxes"][0]["messages"]')" '^[1-9][0-9]*$' "... and the list counts messages again"
httpd_stop

is "$(store_digest "$PAGES_STORE")" "$digest_before" "the store's files are unchanged"
cleanup
is "$(imapd_procs "$TEST_TMP/")" "" "no imapd left running"
done_testing
