#!/bin/sh
# The workers' imapd sessions, as Dovecot's rawlog records them: under the
# standalone server and FastCGI a worker keeps one imapd session across
# requests and EXAMINEs a mailbox again only when the request is for
# another one; under CGI every request is a session of its own, ended
# with LOGOUT; an imapd that dies is reaped at once (no zombie waits for
# the next request) and replaced for the next request without an error
# page; and on SIGTERM every worker's imapd is sent LOGOUT and none is
# left running.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"

command -v spawn-fcgi >/dev/null || skip_all "spawn-fcgi is not installed"
command -v cgi-fcgi >/dev/null || skip_all "cgi-fcgi is not installed (Debian: libfcgi-bin)"

RAWLOG=$TEST_TMP/rawlog
DOVECOT_RAWLOG=$RAWLOG pages_setup_sample
digest_before=$(store_digest "$PAGES_STORE")

# sessions: how many imapd sessions the rawlog holds so far.
sessions() {
	ls "$RAWLOG" | grep -c '\.in$'
}
# take NAME: move the finished sessions' logs to $TEST_TMP/NAME.
take() {
	mkdir -p "$TEST_TMP/$1"
	mv "$RAWLOG"/* "$TEST_TMP/$1/" 2>/dev/null
}
# commands DIR: the commands sent, in the order of time (not of the
# sessions' file names), tags and timestamps removed.
commands() {
	rawlog_in_time "$1" in | tr -d '\r' | sed 's/^[^ ]* //'
}
# examines DIR: the mailboxes EXAMINEd, in order, on one line.
examines() {
	commands "$1" | sed -n 's/^EXAMINE "\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' | tr '\n' ' '
}
# last_of FILE: the last command a session's rawlog holds.
last_of() {
	sed 's/^[0-9][0-9]*\.[0-9]* //' "$1" | tr -d '\r' | tail -n 1 | sed 's/^[^ ]* //'
}
# last_lines DIR: the last command of each session, one a line.
last_lines() {
	for _in in "$1"/*.in; do last_of "$_in"; done
}
# zombies PID: defunct children of PID.
zombies() {
	ps -o stat= --ppid "$1" | grep -c '^Z'
}
# zombies_within PID: defunct children of PID left after up to 2 s.
zombies_within() {
	_i=0
	while [ "$(zombies "$1")" != 0 ] && [ $_i -lt 40 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	zombies "$1"
}
# wait_dead PID: until the process is a zombie or gone (5 s at most).
wait_dead() {
	_i=0
	while _stat=$(ps -o stat= -p "$1" | cut -c1) && [ -n "$_stat" ] &&
		[ "$_stat" != Z ] && [ $_i -lt 100 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
}
# ten_requests FRONT: ten pages of lists/dev, every one answered 200.
ten_requests() {
	_ok=0
	for _q in "page=1" "page=2" "page=3" "page=2&format=json" "format=json"; do
		page "$1" /lists/dev/ "$_q"
		[ "$RESP_STATUS" = 200 ] && _ok=$((_ok + 1))
	done
	for _uid in $uids; do
		page "$1" "/lists/dev/$_uid"
		[ "$RESP_STATUS" = 200 ] && _ok=$((_ok + 1))
	done
	page "$1" "/lists/dev/$first_uid/raw"
	[ "$RESP_STATUS" = 200 ] && _ok=$((_ok + 1))
	echo "$_ok"
}

# UIDs to ask for, found through CGI (whose sessions are set aside).
page cgi /lists/dev/ format=json
uids=$(json '" ".join(str(m["uid"]) for m in d["messages"][:4])')
first_uid=${uids%% *}
take setup

# -- (a) the standalone server, one worker: one session, EXAMINE on change
httpd_start "$PAGES_CONF" -j 1
is "$(ten_requests httpd)" 10 "httpd -j 1: ten pages of lists/dev answer 200"
is "$(sessions)" 1 "httpd -j 1: ... all through one imapd session"
page httpd /lists/announce/
is "$RESP_STATUS" 200 "httpd -j 1: then lists/announce answers 200"
page httpd /lists/dev/ page=2
is "$RESP_STATUS" 200 "httpd -j 1: and lists/dev again"
is "$(sessions)" 1 "httpd -j 1: still the one session"

# -- (d) respawn: the worker's imapd is killed between requests
imapd=$(imapd_procs "$IMAPD_STATE/")
is "$(echo $imapd | wc -w | tr -d ' ')" 1 "httpd -j 1: one imapd runs"
is "$(ps -o ppid= -p "$imapd" | tr -d ' ')" "$HTTPD_PID" "... as the server's child"
kill -KILL "$imapd"
wait_dead "$imapd"
is "$(zombies_within "$HTTPD_PID")" 0 "the killed imapd is reaped before any request: no zombie"
page httpd /lists/dev/ format=json
is "$RESP_STATUS" 200 "after its imapd was killed, the next request answers 200"
is "$(json 'd["mailbox"]')" lists/dev "... with the page asked for"
is "$(sessions)" 2 "... through a new session"
new_imapd=$(imapd_procs "$IMAPD_STATE/")
ok "$([ -n "$new_imapd" ] && [ "$new_imapd" != "$imapd" ]; echo $?)" "... of a new imapd ($imapd, then $new_imapd)"
is "$(zombies "$HTTPD_PID")" 0 "... and the killed one is reaped, no zombie"
for i in 1 2 3; do page httpd "/lists/dev/$first_uid"; done
is "$RESP_STATUS" 200 "the new session serves the next requests"
is "$(sessions)" 2 "... without another respawn"
httpd_stop
is "$(imapd_procs "$IMAPD_STATE/" | wc -l | tr -d ' ')" 0 "httpd: no imapd is left after SIGTERM"
take httpd1
examined=$(examines "$TEST_TMP/httpd1")
is "$examined" "lists/dev lists/announce lists/dev lists/dev " \
	"httpd -j 1: EXAMINE lists/dev once for ten pages, again only after lists/announce, and once in the new session"
[ "$examined" = "lists/dev lists/announce lists/dev lists/dev " ] ||
	for _in in "$TEST_TMP/httpd1/"*.in; do   # which session sent what
		diag "$(basename "$_in"):" "$(tr -d '\r' <"$_in")"
	done
commands "$TEST_TMP/httpd1" >"$TEST_TMP/httpd1.commands"
is "$(grep -c '^SELECT' "$TEST_TMP/httpd1.commands")" 0 "httpd -j 1: never SELECT"
unlike "$(last_of "$TEST_TMP/httpd1/"*".$imapd."*.in)" '^LOGOUT' "the killed imapd's session ends without LOGOUT"
is "$(last_of "$TEST_TMP/httpd1/"*".$new_imapd."*.in)" LOGOUT "its successor was sent LOGOUT on SIGTERM"

# -- (b) FastCGI: one responder, one session, EXAMINE on change, respawn
fcgi_start "$PAGES_CONF"
is "$(ten_requests fcgi)" 10 "FastCGI: ten pages of lists/dev answer 200"
is "$(sessions)" 1 "FastCGI: ... all through one imapd session"
page fcgi /lists/announce/ format=json
is "$(json 'd["mailbox"]')" lists/announce "FastCGI: then lists/announce"
page fcgi /lists/dev/
is "$RESP_STATUS" 200 "FastCGI: and lists/dev again"
imapd=$(imapd_procs "$IMAPD_STATE/")
is "$(ps -o ppid= -p "$imapd" | tr -d ' ')" "$FCGI_PID" "FastCGI: the imapd is the responder's child"
kill -KILL "$imapd"
wait_dead "$imapd"
is "$(zombies_within "$FCGI_PID")" 0 "FastCGI: the killed imapd is reaped before any request: no zombie"
page fcgi /lists/dev/ page=2
is "$RESP_STATUS" 200 "FastCGI: after its imapd was killed, the next request answers 200"
is "$(sessions)" 2 "... through a new session"
is "$(zombies "$FCGI_PID")" 0 "... and no zombie"
fcgi_stop
is "$(imapd_procs "$IMAPD_STATE/" | wc -l | tr -d ' ')" 0 "FastCGI: no imapd is left after SIGTERM"
take fcgi
examined=$(examines "$TEST_TMP/fcgi")
is "$examined" "lists/dev lists/announce lists/dev lists/dev " \
	"FastCGI: EXAMINE lists/dev once for ten pages, again only after lists/announce and in the new session"
[ "$examined" = "lists/dev lists/announce lists/dev lists/dev " ] ||
	for _in in "$TEST_TMP/fcgi/"*.in; do   # which session sent what
		diag "$(basename "$_in"):" "$(tr -d '\r' <"$_in")"
	done
unlike "$(last_of "$TEST_TMP/fcgi/"*".$imapd."*.in)" '^LOGOUT' "FastCGI: the killed session ends without LOGOUT"
for f in "$TEST_TMP/fcgi/"*.in; do
	case $f in *".$imapd."*) continue ;; esac
	is "$(last_of "$f")" LOGOUT "FastCGI: the responder's last session was sent LOGOUT on SIGTERM"
done

# -- (c) CGI: one session per request, each ended with LOGOUT
for path in /lists/dev/ "/lists/dev/$first_uid" /lists/announce/; do
	page cgi "$path"
	is "$RESP_STATUS" 200 "CGI: $path answers 200"
done
is "$(imapd_procs "$IMAPD_STATE/" | wc -l | tr -d ' ')" 0 "CGI: no imapd outlives its request"
take cgi
is "$(ls "$TEST_TMP/cgi" | grep -c '\.in$')" 3 "CGI: three requests, three sessions"
is "$(last_lines "$TEST_TMP/cgi" | sort -u)" LOGOUT "CGI: every session ends with LOGOUT"
is "$(examines "$TEST_TMP/cgi")" "lists/dev lists/dev lists/announce " "CGI: each session EXAMINEs its mailbox"

# -- (e) SIGTERM on a pool: every worker's imapd is sent LOGOUT
httpd_start "$PAGES_CONF" -j 3
pids=
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	curl -s -o /dev/null -w '%{http_code}\n' "$HTTPD_URL/lists/dev/?page=$((i % 4 + 1))" >>"$TEST_TMP/par" &
	pids="$pids $!"
done
for pid in $pids; do wait "$pid"; done
is "$(grep -c '^200$' "$TEST_TMP/par")" 12 "httpd -j 3: twelve parallel requests answer 200"
running=$(imapd_procs "$IMAPD_STATE/" | wc -l | tr -d ' ')
# How the pool shares out the connections is up to libmicrohttpd.
ok "$([ "$running" -ge 1 ] && [ "$running" -le 3 ]; echo $?)" "httpd -j 3: one imapd per busy worker, at most three ($running)"
is "$(sessions)" "$running" "... one session each"
httpd_stop
is "$(imapd_procs "$IMAPD_STATE/" | wc -l | tr -d ' ')" 0 "httpd -j 3: no imapd is left after SIGTERM"
take pool
is "$(last_lines "$TEST_TMP/pool" | sort | uniq -c | sed 's/^ *//')" "$running LOGOUT" \
	"httpd -j 3: every worker's session ends with LOGOUT"

# -- (f) a kept session's message page: the stamp is one NOOP while the
# mailbox is unchanged, and a one-part message comes with its text and its
# thread's outline in one round trip: the FETCHes go first, planned from
# the threads as the session knew them, the NOOP after them (gateway.c,
# route.h's ahead); one that forwards another (two text parts to show)
# asks for its texts after its structure.
httpd_start "$PAGES_CONF" -j 1
single= multi=
for p in $(seq 1 30); do
	page httpd /lists/dev/ "format=json&page=$p"
	listed=$(json '" ".join(str(m["uid"]) for m in d["messages"])')
	for uid in $listed; do
		page httpd "/lists/dev/$uid" format=json
		shape=$(json '"%d %d %s" % (len(d["parts"]), len(d.get("outline") or []), "message/rfc822" in [p["type"] for p in d["parts"]])')
		case $shape in
		"1 0 "* | "1 1 "*) ;;
		"1 "*) single=${single:-$uid} ;;
		*True) multi=${multi:-$uid} ;;
		esac
	done
	[ -n "$single" ] && [ -n "$multi" ] && break
done
ok "$([ -n "$single" ] && [ -n "$multi" ]; echo $?)" \
	"the sample has a one-part message in a thread ($single) and a forward ($multi)"
# commands_after PATH: the commands a request for PATH sent.
commands_after() {
	_in=$(ls "$RAWLOG"/*.in)
	_before=$(wc -l <"$_in")
	page httpd "$1"
	sed -n "$((_before + 1)),\$p" "$_in" | tr -d '\r' | sed 's/^[0-9.]* [^ ]* //'
}
# commands_of PATH: the commands a second request for PATH sent.
commands_of() {
	page httpd "$1"
	commands_after "$1"
}
# A new server (it keeps no summary yet), its session and threads made
# by the thread's page, which asks for no summary.
httpd_stop
take pages-walk
httpd_start "$PAGES_CONF" -j 1
page httpd "/lists/dev/$single/thread"
sent=$(commands_after "/lists/dev/$single")
is "$RESP_STATUS" 200 "the one-part message's page answers 200"
is "$(printf '%s\n' "$sent" | wc -l | tr -d ' ')" 3 "... with three commands" ||
	diag "$sent"
like "$(printf '%s\n' "$sent" | sed -n 1p)" "^UID FETCH $single \\(.*BODYSTRUCTURE.* BODY\\.PEEK\\[1\\]<0\\.65536>\\)\$" \
	"... the message's structure with the start of its text"
outline=$(printf '%s\n' "$sent" | sed -n 2p)
like "$outline" "^UID FETCH [0-9,]+ \\(UID INTERNALDATE BODY\\.PEEK\\[HEADER\\.FIELDS \\(DATE SUBJECT FROM TO CC MESSAGE-ID IN-REPLY-TO\\)\\]\\)\$" \
	"... and its thread's outline"
# The message itself is in its outline, but its summary comes from the
# details' answer: the outline's FETCH does not ask for it again.
asked=$(printf '%s\n' "$outline" | sed -n 's/^UID FETCH \([0-9,]*\) .*/\1/p')
is "$(printf ',%s,' "$asked" | grep -c ",$single,")" 0 "... without the message asked for in full ($asked)"
page httpd "/lists/dev/$single" format=json
is "$(json '[o["subject"] == d["subject"] != "" and o["current"] for o in d["outline"] if o["uid"] == '"$single"']')" "[true]" \
	"... yet the outline shows it, with its subject"
is "$(printf '%s\n' "$sent" | sed -n 3p)" NOOP "... then the NOOP for the stamp, not waited for before them"
outline_first=$(json '" ".join("%d:%s" % (o["uid"], o["subject"]) for o in d["outline"])')
# The summaries fetched are kept (summary_cache.h): asked again, the
# page's outline costs the imapd nothing.
sent=$(commands_after "/lists/dev/$single")
is "$(printf '%s\n' "$sent" | tr '\n' '|')" "$(printf '%s\n' "$sent" | sed -n 1p)|NOOP|" \
	"asked again: the details and the NOOP, the outline's summaries kept" || diag "$sent"
page httpd "/lists/dev/$single" format=json
is "$(json '" ".join("%d:%s" % (o["uid"], o["subject"]) for o in d["outline"])')" "$outline_first" \
	"... the same outline, every subject in it"
sent=$(commands_after "/lists/dev/")
fetches=$(printf '%s\n' "$sent" | grep -c '^UID FETCH ')
ok "$([ "$fetches" -ge 1 ]; echo $?)" "the index page asks for its summaries the first time ($fetches FETCHes) ..."
sent=$(commands_after "/lists/dev/")
is "$(printf '%s\n' "$sent" | tr '\n' '|')" "NOOP|" "... and then is the NOOP alone"
# An If-None-Match may be answered 304 without mail: the NOOP alone.
page httpd "/lists/dev/$single"
etag=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' "$RESP_HEADERS" | tr -d '\r')
_in=$(ls "$RAWLOG"/*.in)
_before=$(wc -l <"$_in")
status=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$HTTPD_URL/lists/dev/$single")
is "$status" 304 "a conditional request for it, still current, answers 304"
is "$(sed -n "$((_before + 1)),\$p" "$_in" | tr -d '\r' | sed 's/^[0-9.]* [^ ]* //')" NOOP \
	"... after a NOOP alone"
sent=$(commands_of "/lists/dev/$multi")
is "$RESP_STATUS" 200 "the forward's page answers 200"
is "$(printf '%s\n' "$sent" | grep -c "^UID FETCH $multi ")" 2 \
	"... its structure, then its text parts" || diag "$sent"
httpd_stop
take round-trips

is "$(grep -rlE '^[0-9.]+ [^ ]+ (SELECT|STORE|EXPUNGE|COPY|MOVE|APPEND)' "$TEST_TMP"/setup "$TEST_TMP"/httpd1 "$TEST_TMP"/fcgi "$TEST_TMP"/cgi "$TEST_TMP"/pool "$TEST_TMP"/pages-walk "$TEST_TMP"/round-trips | wc -l | tr -d ' ')" 0 \
	"no session sent a command that writes"
is "$(store_digest "$PAGES_STORE")" "$digest_before" "the store's files are unchanged"

# -- (g) news the NOOP brings after a message page's FETCHes went: a reply
# to the message arrives between two requests for its page, and the
# second shows it in the outline, planned again from the new threads.
httpd_start "$PAGES_CONF" -j 1
page httpd "/lists/dev/$single" format=json
outline_before=$(json '" ".join(str(o["uid"]) for o in d["outline"])')
msgid=$(json 'd["message_id"]')
_new=$PAGES_STORE/lists/dev/new
chmod u+w "$_new"
printf 'From: Late Replier <late@example.org>\nTo: dev@example.org\nSubject: Re: the reply that came late\nDate: %s\nMessage-ID: <late-reply.%s@example.org>\nIn-Reply-To: <%s>\nReferences: <%s>\n\nIt came between two requests.\n' \
	"$(date -R)" "$$" "$msgid" "$msgid" >"$_new/.tmp.late"
mv "$_new/.tmp.late" "$_new/$(date +%s).M2P$$.imapeek-late"
chmod 0444 "$_new"/*
chmod a-w "$_new"
page httpd "/lists/dev/$single" format=json
is "$RESP_STATUS" 200 "after a reply arrives, the message's page answers 200"
late=$(json '" ".join(str(o["uid"]) for o in d["outline"] if o["subject"] == "Re: the reply that came late")')
ok "$([ -n "$late" ]; echo $?)" "... and its outline shows the reply (UID $late)" ||
	diag "before: $outline_before; after: $(json '" ".join(str(o["uid"]) for o in d["outline"])')"
is "$(json 'len(d["outline"])')" "$(($(echo "$outline_before" | wc -w) + 1))" \
	"... one more message in it than before"
httpd_stop
take late-reply
is "$(commands "$TEST_TMP/late-reply" | grep -c "^UID FETCH $single (")" 3 \
	"... its details asked three times: once, then ahead of the NOOP and again after it" ||
	diag "$(commands "$TEST_TMP/late-reply")"

# -- (g) the workers share a mailbox's date order and threads (share.h):
# eight requests at once to a new server with four workers ask the imapds
# for each once in all; after a delivery, once more.
# at_once: the thread list and index pages, eight requests at once; the
# number answered 200.
at_once() {
	: >"$TEST_TMP/at-once"
	pids=
	for i in 1 2 3 4 5 6 7 8; do
		case $i in
		[1357]) path=/lists/dev/threads/ ;;
		*) path="/lists/dev/?page=$((i / 2))" ;;
		esac
		curl -s -o /dev/null -w '%{http_code}\n' "$HTTPD_URL$path" >>"$TEST_TMP/at-once" &
		pids="$pids $!"
	done
	for pid in $pids; do wait "$pid"; done
	grep -c '^200$' "$TEST_TMP/at-once"
}
# asked DIR: how many times the sessions of DIR sorted and threaded the
# whole mailbox, "SORTS THREADS".
asked() {
	echo "$(commands "$1" | grep -c '^UID SORT (REVERSE DATE) UTF-8 ALL$')" \
		"$(commands "$1" | grep -c '^UID THREAD REFERENCES UTF-8 ALL$')"
}
# searches_at_once: eight requests for a search at once; the number
# answered 200.
searches_at_once() {
	: >"$TEST_TMP/at-once"
	pids=
	for i in 1 2 3 4 5 6 7 8; do
		curl -s -o /dev/null -w '%{http_code}\n' "$HTTPD_URL/lists/dev/search?q=sharedword" \
			>>"$TEST_TMP/at-once" &
		pids="$pids $!"
	done
	for pid in $pids; do wait "$pid"; done
	grep -c '^200$' "$TEST_TMP/at-once"
}
httpd_start "$PAGES_CONF" -j 4
is "$(at_once)" 8 "httpd -j 4: eight thread lists and indexes at once answer 200"
is "$(at_once)" 8 "... and eight more"
is "$(searches_at_once)" 8 "... eight of one search at once answer 200"
is "$(searches_at_once)" 8 "... and eight more"
httpd_stop
take shared
is "$(asked "$TEST_TMP/shared")" "1 1" \
	"... the date order and the threads were asked for once, by one worker for all" ||
	diag "$(commands "$TEST_TMP/shared" | grep -E '^(EXAMINE|UID SORT|UID THREAD)')"
is "$(grep -l 'SENTSINCE' "$TEST_TMP/shared"/*.in | wc -l | tr -d ' ')" 1 \
	"... and the months counted by one worker for all"
is "$(commands "$TEST_TMP/shared" | grep -c 'sharedword')" 1 \
	"... and the search once" || diag "$(commands "$TEST_TMP/shared" | grep 'sharedword')"
workers=$(ls "$TEST_TMP/shared" | grep -c '\.in$')
ok "$([ "$workers" -ge 2 ]; echo $?)" "... though several workers answered ($workers sessions)"
# deliver: a copy of a message of lists/dev into its new/, as an MTA does.
deliver() {
	_new=$PAGES_STORE/lists/dev/new
	chmod u+w "$_new"
	cp "$PAGES_STORE/lists/dev/cur/$(ls "$PAGES_STORE/lists/dev/cur" | head -n 1)" "$_new/.tmp.delivery"
	mv "$_new/.tmp.delivery" "$_new/$(date +%s).M1P$$.imapeek-test"
	chmod 0444 "$_new"/*
	chmod a-w "$_new"
}
httpd_start "$PAGES_CONF" -j 4
is "$(at_once)" 8 "httpd -j 4, a new server: eight pages at once"
deliver
is "$(at_once)" 8 "... a delivery, and eight more"
httpd_stop
take shared-delivery
is "$(asked "$TEST_TMP/shared-delivery")" "2 2" \
	"... which made one worker ask for the order and the threads again, for all" ||
	diag "$(commands "$TEST_TMP/shared-delivery" | grep -E '^(EXAMINE|NOOP|UID SORT|UID THREAD)')"
done_testing
