#!/bin/sh
# imapeek against its best peer, public-inbox (the software behind
# lore.kernel.org, Debian's public-inbox package), on the same archive
# and machine, in one run: the openbmc archive (8,323 messages) served by
# imapeek-httpd (release build, default workers, Dovecot with the
# full-text index of conf/dovecot-imapeek.conf when it can run) and by
# public-inbox-httpd -W2 (its v2 inbox built from the same mbox, with its
# Xapian index).  For each page, BENCH_ROUNDS (2) rounds of wrk (8
# connections, BENCH_DURATION seconds) on each server, alternating which
# goes first; the table gives the means, the ratio imapeek/public-inbox
# and the range of the per-round ratios, with the load average.
#
#   page      imapeek                     public-inbox
#   message   /lists/openbmc/UID          /openbmc/MSGID/
#   index     /lists/openbmc/             /openbmc/
#   thread    /lists/openbmc/UID/thread   /openbmc/MSGID/T/   (20 messages)
#   atom      /lists/openbmc/new.atom     /openbmc/new.atom
#   raw       /lists/openbmc/UID/raw      /openbmc/MSGID/raw
#   search    /lists/openbmc/search?q=W   /openbmc/?q=W
#   search-new  the same, another query each request: two words drawn
#             from t/bench/search-words.txt (a worker keeps its last four
#             searches' answers: "search" shows that, "search-new" what
#             a search costs when nothing is kept)
#
# Then the Dovecot floor: one kept imapd session fetching random whole
# messages one at a time (t/helper/bench-fetch --random), measured in each
# round right after the message pages, and the fraction of it the message
# page reaches; and the commands the benchmarked message page sends, alone
# (bench-fetch --page: the details' FETCH and the NOOP in one write, as
# the gateway sends them for a page read before, its outline's summaries
# kept; in one session, for the same UID)
# beside the pages each of the four workers serves.
#
# Built once and kept in build/bench: Dovecot's index and full-text index
# of the archive (openbmc-fts; the first run builds it: minutes), and the
# public-inbox inbox (public-inbox; a few minutes).  Without the
# public-inbox package only imapeek is measured; without
# dovecot-fts-xapian (or not as root) imapeek searches without an index.
. "$(dirname "$0")/lib-bench.sh"

FETCH="$IMAPEEK_BUILD/t/helper/bench-fetch"
[ -x "$FETCH" ] || { echo "no $FETCH: make bench builds it"; exit 1; }
store=$(openbmc_store) || exit 1

# ---- imapeek: Dovecot, with the full-text index when it can ------------
if bench_fts_able; then
	bench_dovecot "$store" openbmc-fts 1 || exit 1
else
	bench_dovecot "$store" openbmc 0 || exit 1
	echo "search: no full-text index (needs root and dovecot-fts-xapian): every search reads every message"
fi
PAGES_CONF=$TEST_TMP/imapeek.conf
{ cat "$IMAPD_STATE/imapd.conf"; echo "templates = $IMAPEEK_TOP/templates"
  echo "timeout = 60"; } >"$PAGES_CONF"
httpd_start "$PAGES_CONF"

# A message from the middle of the archive and a thread of 20 messages.
page httpd /lists/openbmc/ "format=json&page=80"
uid=$(json 'd["messages"][0]["uid"]')
total=$(json 'd["total"]')
thread=$(bench_thread 20)
thread=${thread%% *}
[ -n "$thread" ] || { echo "no thread of 20 messages in openbmc"; exit 1; }
msgid() {
	page httpd "/lists/openbmc/$1" format=json
	json 'd["message_id"]' | python3 -c 'import sys, urllib.parse
print(urllib.parse.quote(sys.stdin.read().strip(), safe="-._~!$&'"'"'()*+,;=:@"))'
}
mid=$(msgid "$uid")
tmid=$(msgid "$thread")

# ---- public-inbox ----------------------------------------------------------
peer=
if command -v public-inbox-httpd >/dev/null && command -v public-inbox-init >/dev/null; then
	pi=$(bench_state public-inbox) || exit 1
	export PI_CONFIG="$pi/config"
	if [ ! -e "$pi/built" ]; then
		echo "building the public-inbox inbox of openbmc (once; minutes) ..."
		rm -rf "$pi/openbmc" "$pi/config"
		start=$(date +%s)
		# public-inbox's own importer (InboxWritable->import_mbox, as
		# public-inbox-learn and -mda add one message) reads the whole
		# mbox; public-inbox-index then completes its index.
		HOME=$pi public-inbox-init -V2 -j 2 openbmc "$pi/openbmc" \
			http://127.0.0.1/openbmc/ openbmc@lists.ozlabs.org &&
		xz -dc "$MBOX" | HOME=$pi perl -MPublicInbox::Config -MPublicInbox::InboxWritable -e '
			my $ibx = PublicInbox::Config->new->lookup_name("openbmc") or die "no inbox\n";
			PublicInbox::InboxWritable->new($ibx)->import_mbox(\*STDIN, "mboxrd");' &&
		HOME=$pi public-inbox-index "$pi/openbmc" || exit 1
		end=$(date +%s)
		echo "$((end - start)) s, $(du -sm "$pi/openbmc" | cut -f1) MB" >"$pi/built"
	fi
	echo "public-inbox: inbox built in $(cat "$pi/built")"
	port=$(bench_free_port)
	HOME=$pi public-inbox-httpd -W2 -l "http://127.0.0.1:$port/" \
		2>"$TEST_TMP/public-inbox.log" &
	pi_pid=$!
	at_exit "kill -TERM $pi_pid 2>/dev/null; wait $pi_pid"
	i=0
	until curl -s -o /dev/null "http://127.0.0.1:$port/openbmc/"; do
		i=$((i + 1))
		[ $i -gt 100 ] && { cat "$TEST_TMP/public-inbox.log"; echo "public-inbox-httpd does not answer"; exit 1; }
		sleep 0.2
	done
	peer=http://127.0.0.1:$port/openbmc
else
	echo "public-inbox is not installed (Debian: public-inbox): imapeek alone"
fi

# ---- the runs ----------------------------------------------------------------
# A wrk script per server that asks PREFIX plus two random words of the
# list each request (each wrk thread seeded apart).
words=$(sed -n 's/^\([a-z0-9][a-z0-9]*\)$/"\1",/p' "$(dirname "$0")/search-words.txt" | tr -d '\n')
search_script() {
	cat >"$TEST_TMP/search-$1.lua" <<-EOF
	local words = { $words }
	local prefix = "$2"
	function init(args)
	  math.randomseed(tonumber(tostring({}):match("0x(%x+)"), 16) % 2147483647)
	end
	function request()
	  local q = words[math.random(#words)] .. "+" .. words[math.random(#words)]
	  return wrk.format("GET", prefix .. q)
	end
	EOF
}
search_script imapeek "/lists/openbmc/search?q="
[ -n "$peer" ] && search_script public-inbox "/openbmc/?q="
tsv=$TEST_TMP/peer.tsv
: >"$tsv"
# url SERVER PAGE: the URL of PAGE on SERVER
url() {
	case $1.$2 in
	imapeek.message) echo "$HTTPD_URL/lists/openbmc/$uid" ;;
	imapeek.index) echo "$HTTPD_URL/lists/openbmc/" ;;
	imapeek.thread) echo "$HTTPD_URL/lists/openbmc/$thread/thread" ;;
	imapeek.atom) echo "$HTTPD_URL/lists/openbmc/new.atom" ;;
	imapeek.raw) echo "$HTTPD_URL/lists/openbmc/$uid/raw" ;;
	imapeek.search | imapeek.search-new) echo "$HTTPD_URL/lists/openbmc/search?q=$WORD" ;;
	public-inbox.message) echo "$peer/$mid/" ;;
	public-inbox.index) echo "$peer/" ;;
	public-inbox.thread) echo "$peer/$tmid/T/" ;;
	public-inbox.atom) echo "$peer/new.atom" ;;
	public-inbox.raw) echo "$peer/$mid/raw" ;;
	public-inbox.search | public-inbox.search-new) echo "$peer/?q=$WORD" ;;
	esac
}
servers=imapeek
[ -n "$peer" ] && servers="imapeek public-inbox"
for p in message index thread atom raw search; do
	for server in $servers; do
		status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 60 "$(url "$server" "$p")")
		[ "$status" = 200 ] || echo "warning: $server $p answers $status: $(url "$server" "$p")"
	done
done
floors=
round=1
while [ $round -le "$ROUNDS" ]; do
	order=$servers
	[ $((round % 2)) = 0 ] && [ -n "$peer" ] && order="public-inbox imapeek"
	for p in message index thread atom raw search search-new; do
		for server in $order; do
			load=$(bench_load)
			script=
			[ "$p" = search-new ] && script="-s $TEST_TMP/search-$server.lua"
			# shellcheck disable=SC2086
			set -- $(bench_wrk "$(url "$server" "$p")" $script)
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$p" "$server" "$round" \
				"$1" "$2" "$3" "$4" "$load" >>"$tsv"
		done
		if [ "$p" = message ]; then
			load=$(bench_load)
			floor=$(IMAPD_CMD="$IMAPD_CMD" IMAPD_ENV="$IMAPD_ENV" "$FETCH" --random \
				"$BENCH_DURATION" lists/openbmc "$total" 2>>"$IMAPD_STATE/imapd.stderr" |
				sed -n 's|.*: \([0-9]*\)/s$|\1|p')
			pages=$(IMAPD_CMD="$IMAPD_CMD" IMAPD_ENV="$IMAPD_ENV" "$FETCH" --page \
				"$BENCH_DURATION" lists/openbmc "$uid" 2>>"$IMAPD_STATE/imapd.stderr" |
				sed -n 's|.*: \([0-9]*\)/s$|\1|p')
			floors="$floors $round:$floor:$pages:$load"
		fi
	done
	round=$((round + 1))
done
httpd_stop >/dev/null

echo "openbmc, $total messages; message UID $uid ($mid), thread of 20 from UID $thread;"
echo "search q=$WORD; wrk $BENCH_CONNECTIONS connections, ${BENCH_DURATION} s a run, $ROUNDS rounds;"
echo "means of the rounds (latencies in ms), ratio = imapeek / public-inbox req/s"
python3 "$BENCH_STATS" peer "$tsv" imapeek public-inbox
for f in $floors; do
	r=${f%%:*}
	rest=${f#*:}
	floor=${rest%%:*}
	rest=${rest#*:}
	pages=${rest%%:*}
	page_rps=$(awk -F '\t' -v r="$r" '$1 == "message" && $2 == "imapeek" && $3 == r { print $4 }' "$tsv")
	python3 -c 'import sys
r, floor, pages, load, rps = sys.argv[1:]
share = lambda a, b: 100 * float(a) / float(b) if float(b) else 0
print("round %s: Dovecot floor (random whole-message FETCH, one session) %s/s, load %s; message pages %s/s = %.0f%% of it"
      % (r, floor, load, rps, share(rps, floor)))
print("round %s: a message page'"'"'s commands alone (details, NOOP: outline kept), one session: %s/s; message pages a worker (of 4): %.0f/s"
      % (r, pages, float(rps) / 4))' \
		"$r" "$floor" "${pages:-0}" "${rest#*:}" "$page_rps"
done
