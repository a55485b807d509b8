#!/bin/sh
# The month chart of an index page is counted near each month's messages
# (lib/archive.c, count_months_near): a SEARCH per month among the UIDs
# that the date order puts around it, and one SEARCH over the whole span
# that checks the sum.  Whatever path it takes, every month must hold what
# Dovecot's own SEARCH SENTSINCE/SENTBEFORE over the whole mailbox says.
#
# Two stores of messages whose UIDs are not in date order, with dates at
# both sides of month ends in far zones (+1400, -1200, +0530), two-digit
# years, no zone, and a few Date headers Dovecot cannot read (it sorts
# those by INTERNALDATE but dates them 1970-01-01 for SENTSINCE):
#
# - "near": the span stops short of 1970 (at 2000, where Dovecot sorts
#   the message without a date), so the per-month SEARCHes
#   restricted by UID add up, and no month is counted over the whole
#   mailbox;
# - "far": one message of January 1970 brings the span back to it, where
#   Dovecot counts the unreadable dates too, far from where the order put
#   them: the sum does not hold, and the months are counted over the
#   whole mailbox instead, still right.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"

[ -x "$DOVECOT_IMAP" ] || bail "no Dovecot imap binary ($DOVECOT_IMAP)"

# make_messages DIR SPAN: the messages, one file each, in an order that is
# not the dates' (SPAN far: plus one of January 1970; odd: plus two of
# 1969, which Dovecot sorts as the newest, and two of the far future).
make_messages() {
	python3 - "$1" "$2" <<'EOF'
import os, random, sys, time
out, span = sys.argv[1:]
os.makedirs(out, exist_ok=True)
rnd = random.Random(4304)
dates = []
start = time.mktime((2016, 11, 1, 0, 0, 0, 0, 0, 0)) - time.timezone
for i in range(300):
    t = start + rnd.randrange(0, 3 * 365 * 86400)
    zone = rnd.choice([0, 0, 60, -300, 330, 840, -720, 100])
    local = time.gmtime(t + (zone // 100 * 60 + zone % 100) * 60)
    sign = "-" if zone < 0 else "+"
    dates.append(time.strftime("%a, %d %b %Y %H:%M:%S ", local)
                 + "%s%04d" % (sign, abs(zone)))
# either side of a month's end, in the farthest zones
for year, month in ((2017, 3), (2018, 7), (2019, 1)):
    dates.append("Wed, 1 %s %d 00:30:00 +1400" % (time.strftime("%b", (2000, month, 1, 0, 0, 0, 0, 0, 0)), year))
    dates.append("Tue, 28 Feb 2017 23:30:00 -1200")
dates += ["12 Jun 18 09:00 +0000", "Fri, 15 Jun 2018 09:00:00",
          "sometime in June", "Fri, 15 Jun 0018 09:00:00 +0000", ""]
if span == "far":
    dates.append("Thu, 01 Jan 1970 12:00:00 +0000")
if span == "odd":
    dates += ["Sun, 2 Feb 1969 10:00:00 +0000", "Mon, 3 Mar 1969 10:00:00 +0000",
              "Tue, 4 Apr 3609 10:00:00 +0000", "Wed, 5 May 2099 10:00:00 +0000"]
rnd.shuffle(dates)
for i, date in enumerate(dates):
    with open(os.path.join(out, "%04d" % i), "w") as f:
        f.write("From: Ann <ann@months.test>\nSubject: message %d\n" % i)
        if date:
            f.write("Date: %s\n" % date)
        f.write("Message-ID: <m%d@months.test>\n\nBody %d.\n" % (i, i))
EOF
}

# dovecot_months: "YYYY-MM N" for each month of the chart in $TEST_TMP/chart,
# as Dovecot's SEARCH over the whole mailbox counts it.
dovecot_months() {
	cmds='EXAMINE INBOX'
	while read -r month _; do
		y=${month%-*} m=${month#*-}
		next_y=$y next_m=$((${m#0} + 1))
		[ "$next_m" = 13 ] && next_y=$((y + 1)) next_m=1
		name=$(echo "$m" | awk '{ split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", n); print n[$1 + 0] }')
		next=$(echo "$next_m" | awk '{ split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", n); print n[$1 + 0] }')
		cmds="$cmds
UID SEARCH SENTSINCE 1-$name-$y SENTBEFORE 1-$next-$next_y"
	done <"$TEST_TMP/chart"
	# shellcheck disable=SC2086
	printf '%s\n' "$cmds" | {
		set --
		while IFS= read -r line; do set -- "$@" "$line"; done
		imap_send "$@"
	} | sed -n 's/^S: \* SEARCH//p' | tr -d '\r' >"$TEST_TMP/dovecot-uids"
	awk '{ print NF }' "$TEST_TMP/dovecot-uids" >"$TEST_TMP/dovecot-counts"
	cut -d' ' -f1 "$TEST_TMP/chart" | paste -d' ' - "$TEST_TMP/dovecot-counts"
}

for span in near far odd; do
	make_messages "$TEST_TMP/src-$span" $span || bail "cannot write the messages"
	mkstore "$TEST_TMP/store-$span" "INBOX=$TEST_TMP/src-$span" >/dev/null || bail "mkstore"
	rm -rf "$TEST_TMP/rawlog-$span"
	DOVECOT_RAWLOG=$TEST_TMP/rawlog-$span \
		dovecot_setup "$TEST_TMP/store-$span" "$TEST_TMP/state-$span" || bail "dovecot_setup"
	PAGES_CONF=$TEST_TMP/imapeek-$span.conf
	{ cat "$IMAPD_STATE/imapd.conf"; echo "templates = $IMAPEEK_TOP/templates"
	  echo "page-size = 200"; } >"$PAGES_CONF"
	httpd_start "$PAGES_CONF"
	page httpd /INBOX/ format=json
	is "$RESP_STATUS" 200 "$span: the index page"
	json '"\n".join("%s %d" % (m["month"], m["messages"]) for m in d["months"])' >"$TEST_TMP/chart"
	httpd_stop
	first=$(head -n 1 "$TEST_TMP/chart" | cut -d' ' -f1)
	last=$(tail -n 1 "$TEST_TMP/chart" | cut -d' ' -f1)
	# (the message without a Date arrived on 2000-01-01: mkmaildir's
	# INTERNALDATE when there is no date, where Dovecot sorts it)
	case $span in
	near) is "$first $last" "2000-01 2019-10" "near: the chart spans January 2000 to October 2019" ;;
	far) is "$first $last" "1970-01 2019-10" "far: the chart spans January 1970 to October 2019" ;;
	# dates before 1970 and after today at the ends of Dovecot's order do
	# not make the chart's ends (it had been one empty month of 1969)
	odd) is "$first $last" "2000-01 2019-10" "odd: the chart still spans January 2000 to October 2019" ;;
	esac
	# the SEARCHes imapeek sent: restricted by UID, or not
	rawlog_lines "$TEST_TMP/rawlog-$span" in | grep ' SEARCH .*SENTSINCE' >"$TEST_TMP/searches-$span"
	dovecot_months >"$TEST_TMP/want"
	diff "$TEST_TMP/want" "$TEST_TMP/chart" >&2
	ok $? "$span: each of the $(wc -l <"$TEST_TMP/chart" | tr -d ' ') months counts what Dovecot's SEARCH over the whole mailbox counts ($(awk '{ s += $2 } END { print s }' "$TEST_TMP/chart") messages)"
	near=$(grep -c ' SEARCH RETURN (COUNT) UID [0-9]' "$TEST_TMP/searches-$span")
	whole=$(grep -c -v ' SEARCH RETURN (COUNT) UID [0-9]' "$TEST_TMP/searches-$span")
	case $span in
	odd) ;;
	near)
		ok "$([ "$near" -gt 20 ]; echo $?)" "near: $near months counted among their UIDs alone"
		is "$whole" 1 "near: one SEARCH over the whole span, the check" ;;
	far)
		ok "$([ "$whole" -gt 20 ]; echo $?)" "far: the sum did not hold, and the months were counted over the whole mailbox ($whole SEARCHes)"
		grep -q 'SENTSINCE 1-Jan-1970 SENTBEFORE 1-Feb-1970' "$TEST_TMP/searches-$span"
		ok $? "far: January 1970 among them" ;;
	esac
	# each month's page lists the messages of Dovecot's SEARCH
	httpd_start "$PAGES_CONF"
	wrong=
	pages=0
	while read -r month count; do
		[ "$count" = 0 ] && continue
		pages=$((pages + 1))
		page httpd /INBOX/ "month=$month&format=json"
		got=$(json '" ".join(sorted(str(m["uid"]) for m in d["messages"]))')
		want=$(sed -n "$(grep -n "^$month " "$TEST_TMP/chart" | cut -d: -f1)p" "$TEST_TMP/dovecot-uids" |
			tr ' ' '\n' | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//')
		[ "$got" = "$want" ] || wrong="$wrong $month($got|$want)"
	done <"$TEST_TMP/chart"
	is "$wrong" "" "$span: each of the $pages month pages lists the messages of Dovecot's SEARCH"
	httpd_stop
	# a month page's SEARCH (imapeek's sessions: tags A1, A2, ...)
	rawlog_lines "$TEST_TMP/rawlog-$span" in |
		grep '^A[0-9]* UID SEARCH \(UID [0-9:,]* \)*SENTSINCE' >"$TEST_TMP/month-pages-$span"
	near=$(grep -c ' UID SEARCH UID [0-9]' "$TEST_TMP/month-pages-$span")
	whole=$(grep -c -v ' UID SEARCH UID [0-9]' "$TEST_TMP/month-pages-$span")
	case $span in
	odd) ;;
	near) is "$near $whole" "$pages 0" "near: each month page searched among the month's UIDs alone" ;;
	far)
		grep -v ' UID SEARCH UID [0-9]' "$TEST_TMP/month-pages-$span" |
			grep -q 'SENTSINCE 1-Jan-1970 SENTBEFORE 1-Feb-1970'
		ok $? "far: January 1970's page, short among its UIDs, searched the whole mailbox ($near near, $whole whole)" ;;
	esac
done

done_testing
