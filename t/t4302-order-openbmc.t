#!/bin/sh
# Index order and month counts on a real archive (openbmc, 8,323 messages,
# with equal dates, broken Date headers and many time zones), with and
# without what the server offers: the first pages served by a Dovecot
# that announces only IMAP4rev1 (no SORT: the archive sorts the Date
# headers itself) equal Dovecot's own UID SORT (REVERSE DATE); the month
# chart, with ESEARCH (one pipelined SEARCH per month, RETURN COUNT) and
# without (one plain SEARCH at a time), equals the count of Date headers
# per month as the messages write them.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"

[ -x "$DOVECOT_IMAP" ] || bail "no Dovecot imap binary ($DOVECOT_IMAP)"
obmc=$(openbmc_store) || bail "no openbmc store"

# Dovecot's own order, and its months, from the full server.
dovecot_setup "$obmc" "$TEST_TMP/state-full" || bail "dovecot_setup failed"
IMAP_TIMEOUT=120 imap_send 'EXAMINE lists/openbmc' 'UID SORT (REVERSE DATE) UTF-8 ALL' |
	sed -n 's/^S: \* SORT //p' | tr ' ' '\n' | tr -d '\r' >"$TEST_TMP/sort"
is "$(wc -l <"$TEST_TMP/sort" | tr -d ' ')" 8323 "Dovecot sorts all 8,323 messages"
IMAP_TIMEOUT=120 imap_send 'EXAMINE lists/openbmc' 'UID SORT (REVERSE DATE) UTF-8 TEXT watchdog' |
	sed -n 's/^S: \* SORT //p' | tr ' ' '\n' | tr -d '\r' | sed '/^$/d' >"$TEST_TMP/search"
ok "$([ "$(wc -l <"$TEST_TMP/search")" -gt 150 ]; echo $?)" \
	"Dovecot finds watchdog in $(wc -l <"$TEST_TMP/search" | tr -d ' ') messages"

# The months as the Date headers write them (SENTSINCE and SENTBEFORE
# compare the date in the sender's own zone, RFC 3501 6.4.4).
python3 - "$obmc/lists/openbmc/cur" >"$TEST_TMP/header-months" <<'EOF'
import email.parser, email.utils, os, sys
counts = {}
for name in os.listdir(sys.argv[1]):
    with open(os.path.join(sys.argv[1], name), "rb") as f:
        msg = email.parser.BytesHeaderParser().parse(f)
    parsed = email.utils.parsedate_tz(str(msg.get("Date", "")))
    if parsed:
        key = "%04d-%02d" % (parsed[0], parsed[1])
        counts[key] = counts.get(key, 0) + 1
for key in sorted(counts):
    print(key, counts[key])
EOF

# chart SHAPE: the months of the index JSON, "YYYY-MM N" lines.
chart() {
	page httpd /lists/openbmc/ format=json
	json '"\n".join("%s %d" % (m["month"], m["messages"]) for m in d["months"])' >"$TEST_TMP/chart-$1"
	[ -s "$TEST_TMP/chart-$1" ] || { diag "$1: no chart"; return 1; }
	# the header counts of the same months
	while read -r month _; do
		grep "^$month " "$TEST_TMP/header-months" || echo "$month 0"
	done <"$TEST_TMP/chart-$1" >"$TEST_TMP/want-$1"
	diff "$TEST_TMP/want-$1" "$TEST_TMP/chart-$1" >&2
}

for shape in full rev1; do
	if [ $shape = rev1 ]; then
		DOVECOT_CAPABILITY="IMAP4rev1 LITERAL+ IDLE NAMESPACE" \
			dovecot_setup "$obmc" "$TEST_TMP/state-rev1" || bail "dovecot_setup failed"
	fi
	PAGES_CONF=$TEST_TMP/imapeek-$shape.conf
	{ cat "$IMAPD_STATE/imapd.conf"; echo "templates = $IMAPEEK_TOP/templates"
	  echo "page-size = 100"; echo "timeout = 120"; } >"$PAGES_CONF"
	httpd_start "$PAGES_CONF"
	page httpd /lists/openbmc/ "format=json"
	json '"\n".join(str(m["uid"]) for m in d["messages"])' >"$TEST_TMP/page"
	head -n 100 "$TEST_TMP/sort" | cmp -s - "$TEST_TMP/page"
	ok $? "$shape: the first index page equals Dovecot's UID SORT (REVERSE DATE)"
	# and so does every page after it, along "next"
	: >"$TEST_TMP/all"
	n=1
	pages=$(json 'd["pages"]')
	while [ "$n" -le "$pages" ] && [ "$n" -le 200 ]; do
		page httpd /lists/openbmc/ "format=json&page=$n"
		json '"\n".join(str(m["uid"]) for m in d["messages"])' >>"$TEST_TMP/all"
		n=$((n + 1))
	done
	cmp -s "$TEST_TMP/sort" "$TEST_TMP/all"
	ok $? "$shape: all $(wc -l <"$TEST_TMP/all" | tr -d ' ') messages, page after page, in the same order"
	chart $shape
	ok $? "$shape: the $(wc -l <"$TEST_TMP/chart-$shape" | tr -d ' ') months of the calendar, $(head -n 1 "$TEST_TMP/chart-$shape" | cut -c1-7) to $(tail -n 1 "$TEST_TMP/chart-$shape" | cut -c1-7), count the Date headers of each month"
	# every month of 2019 and 2020 is one click away on the first page
	page httpd /lists/openbmc/
	missing=
	for month in $(grep -E '^20(19|20)-' "$TEST_TMP/header-months" | cut -d' ' -f1); do
		grep -q "href=\"/lists/openbmc/?month=$month\"" "$RESP_BODY" || missing="$missing $month"
	done
	is "$missing" "" "$shape: the first index page links every month of 2019 and 2020 ($(grep -c -E '^20(19|20)-' "$TEST_TMP/header-months"))"
	# a search's hits, newest first (ordered here from the index's order
	# where the server sorts), are Dovecot's UID SORT (REVERSE DATE) of them
	: >"$TEST_TMP/hits-$shape"
	n=1
	pages=1
	while [ "$n" -le "$pages" ] && [ "$n" -le 50 ]; do
		page httpd /lists/openbmc/search "q=watchdog&format=json&page=$n"
		json '"\n".join(str(m["uid"]) for m in d["messages"])' >>"$TEST_TMP/hits-$shape"
		pages=$(json 'd["pages"]')
		n=$((n + 1))
	done
	cmp -s "$TEST_TMP/search" "$TEST_TMP/hits-$shape"
	ok $? "$shape: the $(wc -l <"$TEST_TMP/hits-$shape" | tr -d ' ') hits of a search, page after page, in Dovecot's SORT (REVERSE DATE) order"
	month=$(sed -n '6s/ .*//p' "$TEST_TMP/chart-$shape")
	page httpd /lists/openbmc/ "month=$month&format=json"
	is "$(json 'd["total"]')" "$(sed -n '6s/.* //p' "$TEST_TMP/chart-$shape")" \
		"$shape: ?month=$month lists as many messages as its bar"
	httpd_stop
done
cmp -s "$TEST_TMP/chart-full" "$TEST_TMP/chart-rev1"
ok $? "the chart is the same with and without ESEARCH"
done_testing
