#!/bin/sh
# Session layer throughput: UID FETCH ENVELOPE BODYSTRUCTURE BODY.PEEK[]
# of every message of a Dovecot Maildir (the notmuch corpus loaded ten
# times, 3,200 messages) through the session layer and through a minimal
# pipe driver, same imapd, same run.  The layer should cost under 10%.
# Prints, for the best of BENCH_ROUNDS (7) alternating rounds, both rates,
# the client's own CPU seconds, the overhead and the verdict.  Wall time
# on a busy machine is noisy: the CPU column is the steadier figure.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib-imapd.sh"

# make bench runs with IMAPEEK_BUILD=build/rel: the release build
BENCH="$IMAPEEK_BUILD/t/helper/bench-fetch"
[ -x "$BENCH" ] || { echo "no $BENCH: make bench builds it"; exit 1; }
SRC="$SHARED_CORPUS/edge-notmuch-corpora"
[ -d "$SRC" ] || { echo "no corpus $SRC"; exit 1; }
chmod 755 "$TEST_TMP"
args= boxes=
for i in 1 2 3 4 5 6 7 8 9 10; do
	args="$args bench$i=$SRC"
	boxes="$boxes bench$i"
done
mkstore "$TEST_TMP/store" $args >/dev/null || exit 1
dovecot_setup "$TEST_TMP/store" "$TEST_TMP/state" || exit 1
IMAPD_CMD="$IMAPD_CMD" IMAPD_ENV="$IMAPD_ENV" "$BENCH" $boxes 2>>"$IMAPD_STATE/imapd.stderr"
