#!/bin/sh
# Every fuzz target replays its saved corpus under the sanitizers: an input
# that once crashed a parser or decoder must never crash it again.
. "$(dirname "$0")/lib.sh"
targets=$(ls "$IMAPEEK_TOP"/t/fuzz/fuzz-*.c 2>/dev/null)
[ -n "$targets" ] || bail "no fuzz targets in t/fuzz"
for src in $targets; do
	name=$(basename "$src" .c)
	corpus="$IMAPEEK_TOP/t/fuzz/corpus/$name"
	if [ ! -d "$corpus" ] || [ -z "$(ls "$corpus")" ]; then
		ok 1 "$name has a saved corpus in t/fuzz/corpus/$name"
		continue
	fi
	out=$("$IMAPEEK_BUILD/t/fuzz/$name" "$corpus" 2>&1)
	ok $? "$name replays its corpus ($(echo "$out" | tail -n 1))"
done
done_testing
