# Shared by the benchmarks of t/bench (sourced, never run by run.sh):
#
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
BENCH_DURATION=${BENCH_DURATION:-4}
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
