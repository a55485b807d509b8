#!/bin/sh
# Batching, before and after, in one run: the 42-message thread of the
# openbmc archive and the Atom feed's 20 newest messages, with their texts,
# through the archive layer one message at a time (a round trip each, as
# the thread page and the feed did) and as one batch (what they do now),
# against the same kept Dovecot session.  Release build.
. "$(dirname "$0")/lib-bench.sh"

BENCH="$IMAPEEK_BUILD/t/helper/bench-batch"
[ -x "$BENCH" ] || { echo "no $BENCH: make bench builds it"; exit 1; }
obmc=$(openbmc_store) || { echo "no openbmc store"; exit 1; }
dovecot_setup "$obmc" "$TEST_TMP/state" || exit 1
PAGES_CONF=$TEST_TMP/imapeek.conf
{ cat "$IMAPD_STATE/imapd.conf"; echo "templates = $IMAPEEK_TOP/templates"
  echo "timeout = 60"; echo "page-size = 20"; } >"$PAGES_CONF"
httpd_start "$PAGES_CONF"
thread=$(bench_thread 42)
page httpd /lists/openbmc/ format=json
newest=$(json '" ".join(str(m["uid"]) for m in d["messages"])')
httpd_stop >/dev/null
[ -n "$thread" ] || { echo "no 42-message thread in openbmc"; exit 1; }
# shellcheck disable=SC2086
printf '%-24s %s\n' "thread page (42)" "$("$BENCH" "$PAGES_CONF" lists/openbmc $thread 2>>"$IMAPD_STATE/imapd.stderr")"
# shellcheck disable=SC2086
printf '%-24s %s\n' "Atom feed (20)" "$("$BENCH" "$PAGES_CONF" lists/openbmc $newest 2>>"$IMAPD_STATE/imapd.stderr")"
