#!/bin/sh
# make bench: every t/bench/*.sh but this one, in order.
here=$(cd "$(dirname "$0")" && pwd)
status=0
for bench in "$here"/*.sh; do
	[ "$bench" = "$here/run.sh" ] && continue
	echo "== $(basename "$bench")"
	sh "$bench" || status=1
done
exit $status
