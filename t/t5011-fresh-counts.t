#!/bin/sh
# New mail shows at once in every worker.  imapeek-httpd -j 4 keeps one
# imapd session per worker; a message delivered into the store by its
# owner must be counted by every worker's front page and mailbox index
# within 5 s (Dovecot's mailbox list index would otherwise answer STATUS
# from its cache in a kept session: see conf/dovecot-imapeek.conf).
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"

pages_setup_sample
httpd_start "$PAGES_CONF" -j 4
before=$(sample_count lists/dev)

# counts N PATH...: N requests of each path, on new connections (spread
# over the workers); prints each answer's count of lists/dev, one a line
# (the front page's, or its index's total; other pages print nothing).
counts() {
	python3 - "$HTTPD_URL" "$@" <<-'EOF'
	import json, sys, urllib.request
	base, n, paths = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
	for _ in range(n):
	    for path in paths:
	        d = json.load(urllib.request.urlopen(base + path, timeout=10))
	        if "mailboxes" in d:
	            print(next(m["messages"] for m in d["mailboxes"] if m["name"] == "lists/dev"))
	        elif d["mailbox"] == "lists/dev":
	            print(d["total"])
	EOF
}

# A search whose hits each worker keeps (archive.c: kept searches, while
# the mailbox is unchanged): a word of the subject of the message that
# is delivered again below.
first=$(ls "$PAGES_STORE/lists/dev/cur" | head -n 1)
word=$(python3 - "$PAGES_STORE/lists/dev/cur/$first" <<-'EOF'
	import email, re, sys
	subject = str(email.message_from_binary_file(open(sys.argv[1], "rb"))["Subject"])
	print(max(re.findall(r"[A-Za-z]{4,}", subject), key=len))
	EOF
)
search="/lists/dev/search?q=$word&format=json"
counts 20 "$search" >"$TEST_TMP/search-before"
hits=$(sort -u "$TEST_TMP/search-before")
like "$hits" '^[1-9][0-9]*$' "before: 20 searches for '$word' over 4 workers agree: $hits hits"

# Every worker holds a session that has counted lists/dev (STATUS) and
# then opened INBOX: a kept Dovecot session may answer the next STATUS of
# lists/dev from its list index.
counts 20 "/lists/dev/?format=json" "/?format=json" >"$TEST_TMP/before"
is "$(sort -u "$TEST_TMP/before")" "$before" "before: 40 answers over 4 workers count $before"
counts 20 "/INBOX/?format=json" >/dev/null

# The owner of the store delivers one message (a copy of one of the
# mailbox's, under a new Maildir name) into new/.
# deliver N: a copy of the first message into new/ as an MTA does (a
# hidden name first, then a rename), its Nth delivery.
newdir=$PAGES_STORE/lists/dev/new
deliver() {
	chmod u+w "$newdir"
	cp "$PAGES_STORE/lists/dev/cur/$first" "$newdir/.tmp.delivery"
	mv "$newdir/.tmp.delivery" "$newdir/$(date +%s).M$1P$$.imapeek-test"
	chmod 0444 "$newdir"/*
	chmod a-w "$newdir"
}
deliver 1
start=$(date +%s)

# Within 5 s, every answer of 40 in a row counts it: first the front
# page (each worker with INBOX open), then the index.
want=$((before + 1))
for path in "/?format=json" "/lists/dev/?format=json"; do
	seen=
	while [ $(($(date +%s) - start)) -le 5 ]; do
		counts 40 "$path" "/INBOX/?format=json" >"$TEST_TMP/after"
		if [ "$(sort -u "$TEST_TMP/after")" = "$want" ]; then
			seen=$(($(date +%s) - start))
			break
		fi
		sleep 0.2
	done
	ok "$([ -n "$seen" ]; echo $?)" \
		"after a delivery, $path: 40 answers in a row from 4 workers count $want (within ${seen:-more than 5} s)"
	[ -n "$seen" ] || diag "last answers: $(sort "$TEST_TMP/after" | uniq -c | tr '\n' ' ')"
done
counts 20 "$search" >"$TEST_TMP/search-after"
is "$(sort -u "$TEST_TMP/search-after")" "$((hits + 1))" \
	"after a delivery: 20 searches for '$word' over 4 workers find it too (no kept answer is stale)"

# A raw message and a part ask for no NOOP (their bytes never change
# under a UID: their ETag is UIDVALIDITY and UID alone, kept across new
# mail); a UID a kept session has not seen yet makes it look again.
raw_tag() {
	curl -s -D - -o /dev/null "$HTTPD_URL$1" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p'
}
tag_before=$(raw_tag /lists/dev/1/raw)
deliver 2
newest=$((want + 1))
statuses=$(python3 - "$HTTPD_URL" "$newest" <<-'EOF'
	import sys, urllib.request
	for path in ("/lists/dev/%s/raw", "/lists/dev/%s/1"):
	    for _ in range(20):
	        with urllib.request.urlopen(sys.argv[1] + path % sys.argv[2], timeout=10) as r:
	            print(r.status)
	EOF
)
is "$(echo "$statuses" | sort | uniq -c | tr -s ' ')" " 40 200" \
	"a second delivery: its raw message and part, asked at once, 20 times each over 4 workers: 200"
tag_after=$(raw_tag /lists/dev/1/raw)
like "$tag_before" '^W/"' "a raw message has an ETag ($tag_before)"
is "$tag_after" "$tag_before" "... the same after new mail: its bytes did not change"

# A new mailbox: each worker keeps the mailbox list for 5 s
# (ARCHIVE_LIST_FRESH), but a name it does not know is asked for again,
# so the new mailbox's own pages answer at once, and the front page
# lists it within 5 s.
chmod u+w "$PAGES_STORE/lists"
mkdir -p "$PAGES_STORE/lists/fresh/cur" "$PAGES_STORE/lists/fresh/new" "$PAGES_STORE/lists/fresh/tmp"
cp "$PAGES_STORE/lists/dev/cur/$first" "$PAGES_STORE/lists/fresh/cur/1.imapeek:2,"
chmod -R a-w "$PAGES_STORE/lists/fresh" "$PAGES_STORE/lists"
start=$(date +%s)
statuses=$(python3 - "$HTTPD_URL" <<-'EOF'
	import sys, urllib.request
	for _ in range(40):
	    with urllib.request.urlopen(sys.argv[1] + "/lists/fresh/?format=json", timeout=10) as r:
	        print(r.status)
	EOF
)
is "$(echo "$statuses" | sort | uniq -c | tr -s ' ')" " 40 200" \
	"a new mailbox: 40 requests of its index over 4 workers answer 200 at once"
seen=
while [ $(($(date +%s) - start)) -le 6 ]; do
	listed=$(python3 - "$HTTPD_URL" <<-'EOF'
	import json, sys, urllib.request
	for _ in range(40):
	    d = json.load(urllib.request.urlopen(sys.argv[1] + "/?format=json", timeout=10))
	    print(any(m["name"] == "lists/fresh" for m in d["mailboxes"]))
	EOF
	)
	if [ "$(echo "$listed" | sort -u)" = True ]; then
		seen=$(($(date +%s) - start))
		break
	fi
	sleep 0.5
done
ok "$([ -n "$seen" ]; echo $?)" \
	"a new mailbox: 40 front pages in a row list it (within ${seen:-more than 6} s)"

httpd_stop
cleanup
is "$(imapd_procs "$TEST_TMP/")" "" "no imapd left running"
done_testing
