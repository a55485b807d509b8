# Shared by the benchmarks of t/bench (sourced, never run by run.sh);
# sources t/lib.sh, lib-imapd.sh, lib-http.sh and lib-pages.sh itself.
#
#   bench_fts_able           true when Dovecot's full-text index can run
#                            here (root, dovecot-fts-xapian, the master)
#   bench_dovecot STORE NAME FTS
#                            dovecot_setup of STORE with its state kept in
#                            build/bench/NAME; with FTS 1 the block of
#                            conf/dovecot-imapeek.conf, its master started
#                            and the index of lists/openbmc built when
#                            missing (wall and CPU seconds, MB and load
#                            kept in STATE/fts.built and printed)
#   bench_load               the 1-minute load average now
#   bench_wrk URL [ARGS...]  wrk, 8 connections, BENCH_DURATION seconds
#                            (default 4) after a few warm-up requests;
#                            prints "RPS P50 P99 BAD" (latencies in ms;
#                            BAD: non-2xx answers, socket errors, time-outs)
#   bench_free_port          a free TCP port on 127.0.0.1
#   bench_thread N           the UIDs of the first thread of N messages
#                            of lists/openbmc (imapeek-httpd at HTTPD_URL),
#                            newest activity first; nothing when none
#   bench_state NAME         a folder of build/bench kept across runs
#                            (Dovecot's index and full-text index, the peer's
#                            inbox), created when missing
#
# The machine is shared: every figure goes out with the load beside it,
# and what is compared runs alternately within the same run.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib-imapd.sh"
IMAPEEK_BUILD=${IMAPEEK_BUILD%/}
. "$(dirname "$0")/../lib-http.sh"
. "$(dirname "$0")/../lib-pages.sh"

BENCH_DURATION=${BENCH_DURATION:-4}
ROUNDS=${BENCH_ROUNDS:-2}
WORD=${BENCH_WORD:-watchdog}
MBOX="$SHARED_CORPUS/archive-openbmc-2019-2020/openbmc-2019-2020.mbox.xz"
BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-8}
BENCH_STATS="$IMAPEEK_TOP/t/tools/bench-stats.py"

bench_load() {
	cut -d' ' -f1 /proc/loadavg
}

bench_wrk() {
	command -v wrk >/dev/null || { echo "wrk is not installed (Debian: wrk)" >&2; return 1; }
	_bench_url=$1
	shift
	for _bench_i in 1 2 3 4; do
		curl -s -o /dev/null --max-time 60 "$_bench_url"
	done
	wrk -t 2 -c "$BENCH_CONNECTIONS" -d "${BENCH_DURATION}s" --timeout 30s \
		--latency "$@" "$_bench_url" >"$TEST_TMP/wrk.out" 2>&1
	python3 "$BENCH_STATS" wrk "$TEST_TMP/wrk.out"
}

bench_free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

bench_state() {
	mkdir -p "$IMAPEEK_TOP/build/bench/$1" && chmod 755 "$IMAPEEK_TOP/build/bench" &&
		printf '%s\n' "$IMAPEEK_TOP/build/bench/$1"
}

bench_thread() {
	_bench_n=1
	while [ $_bench_n -le 200 ]; do
		page httpd /lists/openbmc/threads/ "format=json&page=$_bench_n"
		_bench_uids=$(json '" ".join(str(u) for t in d["threads"] if t["messages"] == '"$1"' for u in t["uids"])')
		[ -n "$_bench_uids" ] && { echo "$_bench_uids"; return 0; }
		[ "$(json 'd["next"]')" = null ] && return 0
		_bench_n=$((_bench_n + 1))
	done
}

bench_fts_able() {
	[ "$(id -u)" = 0 ] && [ -x "$DOVECOT_MASTER" ] &&
		[ -e /usr/lib/dovecot/modules/lib21_fts_xapian_plugin.so ]
}

bench_dovecot() {
	_bench_state=$(bench_state "$2") || return 1
	DOVECOT_FTS=$3 dovecot_setup "$1" "$_bench_state" || return 1
	[ "$3" = 1 ] || return 0
	dovecot_fts_start || return 1
	if [ ! -e "$_bench_state/fts.built" ]; then
		echo "building the full-text index of $2 (once: minutes per 8,000 messages) ..."
		_bench_load=$(bench_load)
		# doveadm index indexes in its own process: its CPU is the cost
		python3 -c 'import resource, subprocess, sys, time
start = time.monotonic()
rc = subprocess.call(sys.argv[2:], stderr=open(sys.argv[1], "a"))
use = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.0f s (%.0f s CPU)" % (time.monotonic() - start, use.ru_utime + use.ru_stime))
sys.exit(rc)' "$_bench_state/imapd.stderr" "$DOVEADM" -c "$_bench_state/dovecot.conf" \
			index -u imapeek lists/openbmc >"$TEST_TMP/fts.time" || return 1
		echo "$(cat "$TEST_TMP/fts.time"), $(du -sm "$_bench_state/index/xapian-indexes" |
			cut -f1) MB, load $_bench_load at the start" >"$_bench_state/fts.built"
	fi
	echo "$2: full-text index built in $(cat "$_bench_state/fts.built")"
}
