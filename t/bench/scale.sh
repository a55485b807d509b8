#!/bin/sh
# Scale: the openbmc archive (8,323 messages) against synthesized copies
# of it BENCH_SCALE times as large (default "10"; make bench-scale: "10
# 100", 83,230 and 832,300 messages; t/tools/mkscale.py: every message
# repeated with new Message-IDs, References and dates), each served by an
# imapeek-httpd (release build) over Dovecot, with the full-text index of
# conf/dovecot-imapeek.conf when SCALE_FTS is 1 (the default when root
# and dovecot-fts-xapian is installed).
#
# Once Dovecot's index is warm (every page asked once; how long that took
# is printed: a fresh index of 832,300 messages has to read every
# message's headers for SORT and THREAD), latency on one kept connection
# (t/tools/bench-stats.py get, BENCH_DURATION seconds, at least 3
# requests, 1 for a search without the full-text index) of the index
# page, a message page, the thread page of a 20-message thread, a
# one-word search asked again and again (search: a worker answers it from
# its kept searches) and a new search each request (search-new: two words
# of t/bench/search-words.txt); the message and the thread are
# the same in every size (copy 0 is the archive itself, loaded first: the
# same UIDs).  BENCH_ROUNDS (2) rounds, the sizes alternating within each;
# p50/p99 and their ratio to the 8k figures, and each server's peak RSS.
#
# Kept in build/bench: the stores (scale-xN/store, about 140 MB per copy
# of the archive), Dovecot's indexes and full-text indexes
# (scale-xN-dovecot[-fts]; for 8k openbmc[-fts], shared with peer.sh).  Generating 100x takes minutes, Dovecot's first pass over it
# longer; README says how long.
. "$(dirname "$0")/lib-bench.sh"

SIZES="1 ${BENCH_SCALE:-10}"
if [ -z "${SCALE_FTS:-}" ]; then
	SCALE_FTS=0
	bench_fts_able && SCALE_FTS=1
fi

# scale_store N: the store of N copies, built once (a temporary folder
# renamed into place: a present store is complete).
scale_store() {
	[ "$1" = 1 ] && { openbmc_store; return; }
	_dir=$(bench_state "scale-x$1") || return 1
	if [ ! -d "$_dir/store/lists/openbmc/cur" ]; then
		echo "generating $1 copies of openbmc in $_dir/store (once) ..." >&2
		rm -rf "$_dir/store.tmp"
		_start=$(date +%s)
		python3 "$IMAPEEK_TOP/t/tools/mkscale.py" "$1" "$_dir/store.tmp" \
			"lists/openbmc=$MBOX" >&2 || return 1
		chmod u+w "$_dir/store.tmp" && mv "$_dir/store.tmp" "$_dir/store" &&
			chmod 555 "$_dir/store" || return 1
		echo "generated in $(( $(date +%s) - _start )) s, load $(bench_load)" >&2
	fi
	printf '%s\n' "$_dir/store"
}

# serve N: Dovecot (and its full-text index) and an imapeek-httpd for
# size N; sets url_N, pid_N.
serve() {
	_store=$(scale_store "$1") || exit 1
	_name=scale-x$1-dovecot
	[ "$1" = 1 ] && _name=openbmc
	[ "$SCALE_FTS" = 1 ] && _name=$_name-fts
	bench_dovecot "$_store" "$_name" "$SCALE_FTS" || exit 1
	{ cat "$IMAPD_STATE/imapd.conf"; echo "templates = $IMAPEEK_TOP/templates"
	  echo "timeout = 3600"; } >"$TEST_TMP/x$1.conf"
	httpd_start "$TEST_TMP/x$1.conf" >/dev/null
	at_exit "kill -TERM $HTTPD_PID 2>/dev/null"
	eval "url_$1=\$HTTPD_URL pid_$1=\$HTTPD_PID"
}

for size in $SIZES; do
	serve "$size"
done
[ "$SCALE_FTS" = 1 ] || echo "search: no full-text index (SCALE_FTS=0): every search reads every message"

# The message, the thread and the search, from the 8k server.
HTTPD_URL=$url_1
page httpd /lists/openbmc/ "format=json&page=80"
uid=$(json 'd["messages"][0]["uid"]')
thread=$(bench_thread 20)
thread=${thread%% *}
path() {
	case $1 in
	index) echo /lists/openbmc/ ;;
	message) echo "/lists/openbmc/$uid" ;;
	thread) echo "/lists/openbmc/$thread/thread" ;;
	search) echo "/lists/openbmc/search?q=$WORD" ;;
	search-new) echo "/lists/openbmc/search?q={q}" ;;
	esac
}

# Warm: every page once per size (Dovecot's first SORT, THREAD and SEARCH
# of a fresh index read every message), timed, then 8 at once, timed too
# (the server's 4 workers share its SORT and THREAD answers: lib/share.h).
for size in $SIZES; do
	eval "base=\$url_$size"
	for p in index message thread search; do
		start=$(date +%s.%N)
		status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3600 "$base$(path "$p")")
		end=$(date +%s.%N)
		printf 'warm-up x%-4s %-8s %s in %.1f s (load %s)\n' "$size" "$p" "$status" \
			"$(echo "$end - $start" | bc)" "$(bench_load)"
		# every worker's session, and its EXAMINE, at once
		start=$(date +%s.%N)
		pids=
		for i in 1 2 3 4 5 6 7 8; do
			curl -s -o /dev/null --max-time 3600 "$base$(path "$p")" &
			pids="$pids $!"
		done
		for pid in $pids; do wait "$pid"; done
		printf 'warm-up x%-4s %-8s then 8 at once in %.1f s\n' "$size" "$p" \
			"$(echo "$(date +%s.%N) - $start" | bc)"
	done
done

tsv=$TEST_TMP/scale.tsv
: >"$tsv"
round=1
while [ $round -le "$ROUNDS" ]; do
	order=$SIZES
	[ $((round % 2)) = 0 ] && order=$(echo "$SIZES" | tr ' ' '\n' | sort -rn | tr '\n' ' ')
	for p in index message thread search search-new; do
		for size in $order; do
			eval "base=\$url_$size"
			load=$(bench_load)
			# a search without the index reads every message: once is enough
			least=3
			case $p in search*) [ "$SCALE_FTS" = 0 ] && least=1 ;; esac
			set -- $(python3 "$BENCH_STATS" get "$base$(path "$p")" "$BENCH_DURATION" \
				$least "$(dirname "$0")/search-words.txt")
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$p" "x$size" "$round" \
				"$1" "$2" "$3" "$4" "$load" >>"$tsv"
		done
	done
	round=$((round + 1))
done

echo "openbmc x1 = 8,323 messages; message UID $uid, thread of 20 from UID $thread, search q=$WORD;"
echo "one connection, ${BENCH_DURATION} s (at least 3 requests) a run, $ROUNDS rounds; ratios to x1"
python3 "$BENCH_STATS" scale "$tsv" x1
for size in $SIZES; do
	eval "pid=\$pid_$size"
	echo "x$size: imapeek-httpd peak RSS $(sed -n 's/^VmHWM:[[:space:]]*//p' "/proc/$pid/status")"
done
for size in $SIZES; do
	eval "HTTPD_PID=\$pid_$size"
	httpd_stop >/dev/null
done
