#!/bin/sh
# Every message of every real-mail set in ../shared/corpus renders: the
# message page as HTML and as JSON answers 200 with a body, through
# imapeek-httpd over Dovecot, with no sanitizer report and no error in the
# server's log.  The edge-* sets (broken, old and hostile mail, the MIME
# torture test included) run under AddressSanitizer; the openbmc archive
# (8,323 messages, 16,646 requests: about 170 s through the release
# build) runs through the release build, to keep this file within a few
# minutes; RENDER_OPENBMC_ASAN=1 runs it under ASan as well.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"

[ -d "$SHARED_CORPUS" ] || bail "no corpus at $SHARED_CORPUS"

# One mailbox per edge set, corpus/<set>, message N at UID N.
set --
for dir in "$SHARED_CORPUS"/edge-*; do
	[ -d "$dir" ] && set -- "$@" "$dir"
done
[ $# -gt 0 ] || bail "no edge-* sets in $SHARED_CORPUS"
python3 "$IMAPEEK_TOP/t/tools/split-corpus.py" "$TEST_TMP/msgs" "$@" >"$TEST_TMP/sets" ||
	bail "cannot split the sets"
set --
while IFS="$(printf '\t')" read -r name count; do
	set -- "$@" "corpus/$name=$TEST_TMP/msgs/$name"
done <"$TEST_TMP/sets"
mkstore "$TEST_TMP/store" "$@" >"$TEST_TMP/counts" || bail "cannot build the store"
dovecot_setup "$TEST_TMP/store" "$TEST_TMP/state" || bail "cannot set up Dovecot"
digest_before=$(store_digest "$TEST_TMP/store")
conf=$TEST_TMP/imapeek.conf
{
	cat "$IMAPD_STATE/imapd.conf"
	echo "templates = $IMAPEEK_TOP/templates"
	echo "timeout = 60"
} >"$conf"

# render LABEL MAILBOX COUNT: every message's HTML and JSON page.
render() {
	python3 "$IMAPEEK_TOP/t/tools/render-all.py" "$HTTPD_URL" "/$2/" "$3" >"$TEST_TMP/render"
	rc=$?
	figure() { sed -n "s/^$1 //p" "$TEST_TMP/render"; }
	diag "$1: $(figure good) of $3 messages rendered (HTML $(figure html-200), JSON $(figure json-200)) in $(figure seconds) s"
	sed -n 's/^failure /failed: /p' "$TEST_TMP/render" | while IFS= read -r line; do diag "$1: $line"; done
	ok $rc "$1: every message renders as HTML and JSON with status 200"
	is "$(figure good)" "$3" "$1: $3 messages counted"
}

httpd_start "$conf" -j 4
total=0
while IFS="$(printf '\t')" read -r mailbox count; do
	render "${mailbox#corpus/}" "$mailbox" "$count"
	total=$((total + count))
done <"$TEST_TMP/counts"
diag "edge-* sets: $total messages"
httpd_stop
# ASan's reports and our own error lines both go to the server's stderr.
is "$(grep -c -E 'ERROR: AddressSanitizer|runtime error:|LeakSanitizer' "$HTTPD_LOG")" 0 \
	"no sanitizer report in the log"
grep -i -E 'error|fail' "$HTTPD_LOG" | head -5 | while IFS= read -r line; do diag "log: $line"; done
is "$(grep -c -i -E 'error|fail' "$HTTPD_LOG")" 0 "no error in imapeek-httpd's log"
is "$(store_digest "$TEST_TMP/store")" "$digest_before" "the store's files are unchanged"

# The openbmc archive.
if [ -f "$SHARED_CORPUS/archive-openbmc-2019-2020/openbmc-2019-2020.mbox.xz" ]; then
	store=$(openbmc_store) || bail "cannot build the openbmc Maildir"
	dovecot_setup "$store" "$TEST_TMP/state-openbmc" || bail "cannot set up Dovecot"
	{
		cat "$IMAPD_STATE/imapd.conf"
		echo "templates = $IMAPEEK_TOP/templates"
		echo "timeout = 60"
	} >"$conf"
	saved=$IMAPEEK_HTTPD
	if [ "${RENDER_OPENBMC_ASAN:-0}" != 1 ] && [ -x "$IMAPEEK_TOP/build/rel/cgi/imapeek-httpd" ]; then
		IMAPEEK_HTTPD=$IMAPEEK_TOP/build/rel/cgi/imapeek-httpd
		diag "openbmc: through the release build (RENDER_OPENBMC_ASAN=1 for ASan)"
	fi
	httpd_start "$conf" -j 4
	render openbmc lists/openbmc 8323
	httpd_stop
	IMAPEEK_HTTPD=$saved
	is "$(grep -c -E 'ERROR: AddressSanitizer|runtime error:' "$HTTPD_LOG")" 0 "openbmc: no sanitizer report"
	is "$(grep -c -i -E 'error|fail' "$HTTPD_LOG")" 0 "openbmc: no error in the log"
else
	bail "the openbmc corpus is missing from ../shared/corpus"
fi
done_testing
