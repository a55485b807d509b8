#!/bin/sh
# The same mail behind every shape of server a user will meet gives the
# same pages: Dovecot with LAYOUT=fs (the reference), Dovecot's default
# Maildir++ layout ("." between levels, names on disk in modified UTF-7),
# Dovecot announcing only IMAP4rev1 (no SORT, THREAD, ESEARCH, BINARY,
# CONDSTORE: the archive sorts, threads and counts by itself), GNU
# imap4d over mbox files, and Courier-IMAP (Maildir++ under the "INBOX."
# namespace prefix, on a store of its own: see below).  Each is crawled through imapeek-httpd
# (t/tools/shape-crawl.py: every page type, HTML and JSON); no answer may
# be a 5xx, and mailbox counts, index order, month counts, threads, search
# totals, message texts and the parts the thread pages list (types, file
# names) must equal the reference's.  Where a server
# itself differs, the comparison says how and why.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"

[ -x "$DOVECOT_IMAP" ] || bail "no Dovecot imap binary ($DOVECOT_IMAP)"
[ -x "$IMAP4D" ] || bail "no GNU imap4d ($IMAP4D)"

# The sample archive, plus a child of "Archiv/Grüße & Co": a level below
# a name with a space, "&" and non-ASCII letters.
MBOX=$TEST_TMP/sample.mbox
python3 "$IMAPEEK_TOP/t/tools/gen-sample.py" "$MBOX" || bail "gen-sample failed"
tab=$(printf '\t')
set --
while IFS=$tab read -r name file; do
	set -- "$@" "$name=$MBOX/$file"
	[ "$name" = INBOX ] && inbox_mbox=$MBOX/$file
done <"$MBOX/MAILBOXES"
set -- "$@" "Archiv/Grüße & Co/Alt=$inbox_mbox"
mkstore "$TEST_TMP/store-fs" "$@" >/dev/null || bail "mkstore failed"
mkstore --maildir++ "$TEST_TMP/store-pp" "$@" >/dev/null || bail "mkstore --maildir++ failed"
ls -a "$TEST_TMP/store-pp" | grep -q '^\.lists\.dev$'
ok $? "the Maildir++ store has its folders as .lists.dev"

QUERIES="from:alice subject:thread body:quoting Köln since:2021-01-01"

# crawl SHAPE [SERVER-5XX]: start imapeek-httpd on the imapd set up last,
# crawl it; SERVER-5XX is a regular expression of "STATUS PATH" failures
# the server itself causes (said where it is used).
crawl() {
	conf=$TEST_TMP/imapeek-$1.conf
	{ cat "$IMAPD_STATE/imapd.conf"; echo "templates = $IMAPEEK_TOP/templates"
	  echo "page-size = 20"; echo "hide = private/*"; } >"$conf"
	httpd_start "$conf"
	# shellcheck disable=SC2086
	python3 "$IMAPEEK_TOP/t/tools/shape-crawl.py" "$HTTPD_URL" $QUERIES \
		>"$TEST_TMP/$1.json" || bail "crawl of $1 failed"
	httpd_stop
	is "$(grep -c -E 'ERROR: AddressSanitizer|runtime error:' "$HTTPD_LOG")" 0 \
		"$1: no sanitizer report"
	python3 - "$TEST_TMP/$1.json" "$1" "${2:-^$}" >"$TEST_TMP/fivexx-$1" <<-'EOF'
	import json, re, sys
	d = json.load(open(sys.argv[1]))
	fails = [f for f in d["failures"] if not re.search(sys.argv[3], f)]
	bad = sum(n for s, n in d["statuses"].items() if s == "0" or int(s) >= 500)
	bad -= len(d["failures"]) - len(fails)
	print("%s - %s: no 5xx of ours over %d requests" % (
	    "ok" if bad == 0 else "not ok", sys.argv[2], sum(d["statuses"].values())))
	if bad:
	    print("# %d: %s" % (bad, fails[:3]))
	EOF
	tap_lines "$TEST_TMP/fivexx-$1"
}

# compare SHAPE [EXCEPT...]: SHAPE's summary against Dovecot LAYOUT=fs's;
# EXCEPT names mailboxes the server cannot have, or a quirk of the server
# (embedded-headers, stray-cr: said below) the texts may show.
compare() {
	python3 - "$TEST_TMP/fs.json" "$TEST_TMP/$1.json" "$@" <<-'EOF'
	import json, sys
	ref = json.load(open(sys.argv[1])); got = json.load(open(sys.argv[2]))
	quirks = {"embedded-headers", "stray-cr", "from-lines"}
	shape, skip = sys.argv[3], set(a for a in sys.argv[4:] if a not in quirks)
	# GNU imap4d answers BODY[2.1] of a message/rfc822 part with the
	# embedded message's header lines in front of its text (RFC 3501 says
	# the text only): those lines alone may differ there.
	loose = "embedded-headers" in sys.argv[4:]
	# Courier ends the body of a message/rfc822 part with a stray CR, half
	# of the CRLF that belongs to the next boundary (RFC 2046 5.1.1):
	# BODY[2.1] is "...\r\n\r" where Dovecot sends "...\r\n".  The
	# text shows it as one more empty line at its end.
	stray_cr = "stray-cr" in sys.argv[4:]
	# GNU imap4d over mbox mis-counts a message whose body has lines
	# starting "From " (stored as ">From "): its literals are announced
	# longer or shorter than what it sends, by amounts that depend on
	# what was asked of that message before in the same process.  Those
	# messages' texts may differ, nothing else.
	from_lines = "from-lines" in sys.argv[4:]
	import difflib, re
	def same_text(a, b):
	    if a == b:
	        return True
	    if a is None or b is None:
	        return False
	    if stray_cr and b == a + "\n":
	        return True
	    if from_lines and re.search(r"^>*From ", a, re.M):
	        return True
	    if not loose:
	        return False
	    ops = difflib.SequenceMatcher(None, a.splitlines(), b.splitlines()).get_opcodes()
	    return all(op == "equal" or (op == "insert" and all(
	        re.match(r"^([\w-]+: .*)?$", l) for l in b.splitlines()[j1:j2]))
	        for op, i1, i2, j1, j2 in ops)
	n = 0
	def check(ok, what, detail=""):
	    global n
	    n += 1
	    print("%s - %s: %s" % ("ok" if ok else "not ok", shape, what))
	    if not ok and detail:
	        print("# " + str(detail)[:600])
	want = {k: v for k, v in ref["mailboxes"].items() if k not in skip}
	check(got["mailboxes"] == want, "the mailbox list and its counts",
	      (got["mailboxes"], want))
	for name in want:
	    r, g = ref["boxes"][name], got["boxes"].get(name, {})
	    check(g.get("order") == r["order"], name + ": the index, newest first, page by page",
	          [(a, b) for a, b in zip(g.get("order", []), r["order"]) if a != b][:3])
	    check(g.get("months") == r["months"] and g.get("month_totals") == r["month_totals"],
	          name + ": the month chart and each month's page",
	          (g.get("months"), r["months"], g.get("month_totals")))
	    check(g.get("threads") == r["threads"], name + ": the threads and their sizes",
	          (g.get("threads"), r["threads"]))
	    check(g.get("search") == r["search"], name + ": search totals",
	          (g.get("search"), r["search"]))
	    diff = [k for k in r["texts"] if not same_text(r["texts"][k], g.get("texts", {}).get(k))]
	    check(not diff, name + ": %d message texts" % len(r["texts"]),
	          [(k, (g.get("texts", {}).get(k) or "")[:80], r["texts"][k][:80]) for k in diff[:2]])
	    check(not g.get("notes"), name + ": no message without its text", g.get("notes"))
	    diff = [k for k in r["parts"] if g.get("parts", {}).get(k) != r["parts"][k]]
	    check(not diff, name + ": the parts of %d messages on their thread pages" % len(r["parts"]),
	          [(k, g.get("parts", {}).get(k), r["parts"][k]) for k in diff[:2]])
	EOF
}

# compared SHAPE [EXCEPT...]: compare's lines as this file's TAP tests.
compared() {
	compare "$@" >"$TEST_TMP/compare-$1"
	tap_lines "$TEST_TMP/compare-$1"
}

dovecot_setup "$TEST_TMP/store-fs" "$TEST_TMP/state-fs" || bail "dovecot_setup fs"
crawl fs
like "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sorted(d["mailboxes"]))' "$TEST_TMP/fs.json")" \
	"Archiv/Grüße & Co/Alt" "the reference lists the child of Archiv/Grüße & Co"

DOVECOT_LAYOUT=maildir++ dovecot_setup "$TEST_TMP/store-pp" "$TEST_TMP/state-pp" ||
	bail "dovecot_setup maildir++"
out=$(imap_send 'LIST "" "*"')
like "$out" 'LIST \([^)]*\) "\." "?lists\.dev' "Dovecot's default layout names it lists.dev"
crawl maildir++
compared maildir++

DOVECOT_CAPABILITY="IMAP4rev1 LITERAL+ IDLE NAMESPACE" dovecot_setup "$TEST_TMP/store-fs" "$TEST_TMP/state-rev1" ||
	bail "dovecot_setup IMAP4rev1"
out=$(imap_send 'CAPABILITY')
unlike "$out" 'SORT|THREAD|ESEARCH|BINARY' "Dovecot limited to IMAP4rev1 announces no SORT, THREAD, ESEARCH, BINARY"
crawl rev1
compared rev1

# GNU imap4d over mbox files (names on disk in modified UTF-7).  An mbox
# mailbox is a file and cannot have a child: "Archiv/Grüße & Co/Alt" is
# left out there.
MBOXES=$TEST_TMP/mboxes
mkdir -p "$MBOXES"
while IFS=$tab read -r name file; do
	if [ "$name" = INBOX ]; then
		cp "$MBOX/$file" "$MBOXES/INBOX"
	else
		disk=$(python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import mkmaildir; print("/".join(mkmaildir.mutf7_encode(s) for s in sys.argv[2].split("/")))' "$IMAPEEK_TOP/t/tools" "$name")
		mkdir -p "$MBOXES/$(dirname "$disk")"
		cp "$MBOX/$file" "$MBOXES/$disk"
	fi
done <"$MBOX/MAILBOXES"
chmod -R a-w "$MBOXES"
imap4d_setup "$MBOXES" "$TEST_TMP/state-imap4d" || bail "imap4d_setup"
# imap4d mis-sizes the literals of a message with a ">From " line (it
# unquotes the line it stored as ">From "): a fetch of it may never
# complete (a 504 once the timeout passes), and its text may come cut
# short, by amounts that depend on what was asked before (from-lines
# above).  Every other message must be whole.
crawl imap4d '^504 /lists/dev/[0-9]+(/raw|/1)?$'
compared imap4d "Archiv/Grüße & Co/Alt" embedded-headers from-lines

# Courier-IMAP (Debian's packages unpacked into build/courier, fetched
# once) over a Maildir++ store with folder names in UTF-8 on disk, as
# Courier 5 keeps them; it lists "INBOX.lists.dev" under the personal
# namespace "INBOX.", and the URLs must still say "lists/dev".  Courier
# writes its own files into the store's folders (see courier_setup in
# t/lib-imapd.sh), so it gets a store of its own; the messages (cur/ and
# new/: names and contents) stay read-only and must be unchanged.
if courier_imapd >/dev/null 2>"$TEST_TMP/courier-fetch.err"; then
	# --unique-names: one file name in two folders gets Courier's MIME
	# structure of the other (see t/tools/mkmaildir.py).
	mkstore --maildir++ --utf8-names --unique-names "$TEST_TMP/store-courier" "$@" >/dev/null ||
		bail "mkstore for Courier failed"
	courier_digest=$(messages_digest "$TEST_TMP/store-courier")
	courier_setup "$TEST_TMP/store-courier" "$TEST_TMP/state-courier" ||
		bail "courier_setup"
	out=$(imap_send 'CAPABILITY' 'NAMESPACE' 'LIST "" "*"')
	like "$(printf '%s\n' "$out" | sed -n 1p)" '^S: \* OK \[ALERT\] ' \
		"Courier greets with an untagged [ALERT] before PREAUTH"
	like "$out" 'NAMESPACE \(\("INBOX\." "\."\)\)' "Courier's personal namespace is INBOX."
	like "$out" 'LIST \([^)]*\) "\." "INBOX\.lists\.dev"' "Courier names it INBOX.lists.dev"
	crawl courier
	compared courier stray-cr
	is "$(messages_digest "$TEST_TMP/store-courier")" "$courier_digest" \
		"Courier: the messages (cur/, new/: names and bytes) are unchanged"
else
	ok 0 "# SKIP Courier-IMAP not available: $(tail -1 "$TEST_TMP/courier-fetch.err")"
fi

cleanup
is "$(imapd_procs "$TEST_TMP/")" "" "no imapd left running"
done_testing
