#!/bin/sh
# make bench: every t/bench/*.sh but this one and the libraries
# (lib-*.sh), in order; scale.sh only with BENCH_SCALE set (make
# bench-scale runs it alone).
here=$(cd "$(dirname "$0")" && pwd)
status=0
for bench in "$here"/*.sh; do
	case ${bench##*/} in
	run.sh | lib-*.sh) continue ;;
	scale.sh) [ -n "${BENCH_SCALE:-}" ] || continue ;;
	esac
	echo "== $(basename "$bench")"
	sh "$bench" || status=1
done
exit $status
