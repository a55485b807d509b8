#!/bin/sh
# Agreement with Python's email package: for every message of the edge-*
# sets, the JSON subject, From addresses, message_id and text of imapeek's
# message page against what email.message_from_bytes(policy=default) and
# get_body(preferencelist=('plain',)) read from the same bytes.  At least
# 98% of the header fields and 95% of the texts must agree (a message
# where Python finds no text/plain body at all is listed, not counted), every
# disagreement is printed, and each one must be explained in t/AGREEMENT
# (where Python is wrong, or where we show more than its plain body).
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"

[ -d "$SHARED_CORPUS" ] || bail "no corpus at $SHARED_CORPUS"
command -v python3 >/dev/null 2>&1 || bail "python3 is not installed"

set --
for dir in "$SHARED_CORPUS"/edge-*; do
	[ -d "$dir" ] && set -- "$@" "$dir"
done
[ $# -gt 0 ] || bail "no edge-* sets in $SHARED_CORPUS"
python3 "$IMAPEEK_TOP/t/tools/split-corpus.py" "$TEST_TMP/msgs" "$@" >"$TEST_TMP/sets" ||
	bail "cannot split the sets"
set --
names=
while IFS="$(printf '\t')" read -r name count; do
	set -- "$@" "corpus/$name=$TEST_TMP/msgs/$name"
	names="$names $name"
done <"$TEST_TMP/sets"
mkstore "$TEST_TMP/store" "$@" >/dev/null || bail "cannot build the store"
dovecot_setup "$TEST_TMP/store" "$TEST_TMP/state" || bail "cannot set up Dovecot"
conf=$TEST_TMP/imapeek.conf
{
	cat "$IMAPD_STATE/imapd.conf"
	echo "templates = $IMAPEEK_TOP/templates"
	echo "timeout = 60"
} >"$conf"

httpd_start "$conf"
# shellcheck disable=SC2086 # the set names are words
python3 "$IMAPEEK_TOP/t/agreement.py" "$HTTPD_URL" "$TEST_TMP/msgs" \
	"$IMAPEEK_TOP/t/AGREEMENT" $names >"$TEST_TMP/report"
ok $? "the comparison ran"
httpd_stop
grep -E '^(DIFF|STALE)' "$TEST_TMP/report" | while IFS= read -r line; do diag "$line"; done
set -- $(sed -n 's/^HEADERS //p' "$TEST_TMP/report")
headers_agreed=${1:-0} headers_total=${2:-1}
set -- $(sed -n 's/^TEXT //p' "$TEST_TMP/report")
text_agreed=${1:-0} text_total=${2:-1}
diag "headers: $headers_agreed of $headers_total agree ($((headers_agreed * 1000 / headers_total / 10)).$((headers_agreed * 1000 / headers_total % 10))%)"
diag "text: $(sed -n 's/^NOPLAIN //p' "$TEST_TMP/report") messages where Python finds no text/plain body and we show text (HTML as text, embedded messages) are not counted"
diag "text: $text_agreed of $text_total agree ($((text_agreed * 1000 / text_total / 10)).$((text_agreed * 1000 / text_total % 10))%)"
ok "$([ $((headers_agreed * 100)) -ge $((headers_total * 98)) ]; echo $?)" "at least 98% of the header fields agree"
ok "$([ $((text_agreed * 100)) -ge $((text_total * 95)) ]; echo $?)" "at least 95% of the texts agree"
is "$(sed -n 's/^UNEXPLAINED //p' "$TEST_TMP/report")" 0 "every disagreement is explained in t/AGREEMENT"
done_testing
