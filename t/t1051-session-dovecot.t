#!/bin/sh
# The session layer against real imapds over real mail: Dovecot
# (pre-authenticated, read-only Maildir) and GNU imap4d (mbox files).
# Every message's ENVELOPE and BODYSTRUCTURE is fetched through the
# session (pipelined UID FETCH batches) and every answer must have its
# RFC 3501 shape; after that and a BODY.PEEK[] of every message, the
# store's files (names and bytes) are unchanged.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-imapd.sh"

FETCH="$IMAPEEK_BUILD/t/helper/imap-fetch-all"
[ -x "$FETCH" ] || bail "no $FETCH: run make test-build"
SETS="edge-notmuch-corpora edge-list-real-world edge-mime-torture-crispin"
for set in $SETS; do
	[ -d "$SHARED_CORPUS/$set" ] || skip_all "no shared corpus $set"
done
[ -x "$DOVECOT_IMAP" ] || skip_all "no Dovecot imap binary ($DOVECOT_IMAP)"
chmod 755 "$TEST_TMP"

# fetch_all LABEL [-b]: run the helper, report per mailbox, check totals.
fetch_all() {
	label=$1
	shift
	out=$(IMAPD_CMD="$IMAPD_CMD" IMAPD_ENV="$IMAPD_ENV" "$FETCH" "$@" 2>>"$IMAPD_STATE/imapd.stderr")
	ok $? "$label: every mailbox fetched"
	diag "$out"
}

# count_of MAILBOX FIELD
count_of() { printf '%s\n' "$out" | awk -v m="$1" -v f="$2" \
	'$1 == "mailbox" && $2 == m { for (i = 3; i < NF; i++) if ($i == f) print $(i + 1) }'; }
total_of() { printf '%s\n' "$out" | awk -v f="$1" \
	'$1 == "total" { for (i = 2; i < NF; i++) if ($i == f) print $(i + 1) }'; }

# ---- Dovecot over a Maildir --------------------------------------------
STORE="$TEST_TMP/store"
args=
for set in $SETS; do args="$args $set=$SHARED_CORPUS/$set"; done
loaded=$(mkstore "$STORE" $args) || bail "mkstore failed"
dovecot_setup "$STORE" "$TEST_TMP/dovecot" || bail "dovecot_setup failed"
before=$(store_digest "$STORE")

fetch_all dovecot
for set in $SETS; do
	want=$(printf '%s\n' "$loaded" | awk -v m="$set" -F '\t' '$1 == m { print $2 }')
	is "$(count_of "$set" fetched)" "$want" "dovecot $set: $want messages fetched"
	is "$(count_of "$set" envelopes)" "$want" "dovecot $set: every ENVELOPE parses"
	is "$(count_of "$set" bodystructures)" "$want" "dovecot $set: every BODYSTRUCTURE parses"
	is "$(count_of "$set" bad)" 0 "dovecot $set: no bad response"
done
total=$(total_of fetched)
fetch_all "dovecot with BODY.PEEK[]" -b
is "$(total_of bodies)" "$total" "dovecot: BODY.PEEK[] of all $total messages"
is "$(store_digest "$STORE")" "$before" "dovecot: store files and names unchanged"
is "$(imapd_procs "$IMAPD_STATE/")" "" "dovecot: no imapd left running"

# ---- GNU imap4d over mbox files ----------------------------------------
if [ -x "$IMAP4D" ]; then
	MBOXES="$TEST_TMP/mboxes"
	mkdir -p "$MBOXES"
	: >"$MBOXES/INBOX"
	# one mboxrd file per set, from the Maildir just built (same bytes)
	for set in $SETS; do
		python3 - "$STORE/$set/cur" "$MBOXES/$set" <<'PY'
import os, re, sys
src, dest = sys.argv[1], sys.argv[2]
with open(dest, "wb") as out:
    for name in sorted(os.listdir(src), key=lambda n: int(n.split(".")[0])):
        data = open(os.path.join(src, name), "rb").read()
        data = re.sub(rb"(?m)^(>*From )", rb">\1", data)
        if not data.endswith(b"\n"):
            data += b"\n"
        out.write(b"From imapeek@example.org Sat Jan  1 00:00:00 2000\n" + data + b"\n")
PY
	done
	chmod -R a-w "$MBOXES"
	at_exit "chmod -R u+w '$MBOXES'"
	imap4d_setup "$MBOXES" "$TEST_TMP/imap4d" || bail "imap4d_setup failed"
	before=$(store_digest "$MBOXES")
	fetch_all imap4d -b
	for set in $SETS; do
		want=$(printf '%s\n' "$loaded" | awk -v m="$set" -F '\t' '$1 == m { print $2 }')
		is "$(count_of "$set" envelopes)" "$want" "imap4d $set: every ENVELOPE parses"
		is "$(count_of "$set" bodystructures)" "$want" "imap4d $set: every BODYSTRUCTURE parses"
		is "$(count_of "$set" bad)" 0 "imap4d $set: no bad response"
	done
	is "$(store_digest "$MBOXES")" "$before" "imap4d: mbox files unchanged"
	is "$(imapd_procs "$IMAPD_STATE/")" "" "imap4d: no imapd left running"
fi

done_testing
