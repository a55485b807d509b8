#!/bin/sh
# Client-side threading (thread_build) against Dovecot's own
# "UID THREAD REFERENCES UTF-8 ALL" on the same real mail: the notmuch
# corpora and the 8,323-message openbmc archive (its Maildir is built once
# and cached under build/corpus by t/lib-imapd.sh openbmc_store).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-imapd.sh"

NOTMUCH="$SHARED_CORPUS/edge-notmuch-corpora"
HELPER="$IMAPEEK_BUILD/t/helper/thread-compare"
[ -d "$NOTMUCH" ] || skip_all "no shared corpus"
[ -x "$DOVECOT_IMAP" ] || skip_all "no Dovecot imap binary ($DOVECOT_IMAP)"
[ -x "$HELPER" ] || skip_all "helper not built: $HELPER"
chmod 755 "$TEST_TMP"

FETCH='UID FETCH 1:* (UID INTERNALDATE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID IN-REPLY-TO REFERENCES SUBJECT DATE FROM)])'

# compare NAME STORE MAILBOX COUNT
compare() {
	dovecot_setup "$2" "$TEST_TMP/state-$1" || bail "dovecot_setup failed"
	imap_send "EXAMINE \"$3\"" 'UID THREAD REFERENCES UTF-8 ALL' "$FETCH" \
		>"$TEST_TMP/$1.transcript"
	ok $? "$1: Dovecot answered THREAD and FETCH"
	out=$("$HELPER" "$TEST_TMP/$1.transcript")
	rc=$?
	diag "$out"
	like "$out" "^messages: $4\$" "$1: all $4 messages fetched and parsed"
	ok $rc "$1: client-side threads equal Dovecot's (exit $rc)"
	# The comparison can fail: move one message to a thread of its own.
	sed 's/^\(S: \* THREAD .*\)(\([0-9][0-9]*\) \([0-9][0-9]*\))/\1(\2)(\3)/' \
		"$TEST_TMP/$1.transcript" >"$TEST_TMP/$1.bent"
	"$HELPER" "$TEST_TMP/$1.bent" >/dev/null
	is $? 1 "$1: a changed THREAD answer is reported as a difference"
}

mkstore "$TEST_TMP/store" INBOX="$NOTMUCH" >/dev/null || bail "mkstore failed"
compare notmuch "$TEST_TMP/store" INBOX 320

if [ -f "$SHARED_CORPUS/archive-openbmc-2019-2020/openbmc-2019-2020.mbox.xz" ]; then
	store=$(openbmc_store) || bail "openbmc_store failed"
	compare openbmc "$store" lists/openbmc 8323
else
	bail "the openbmc corpus is missing from ../shared/corpus"
fi

cleanup
is "$(imapd_procs "$TEST_TMP/")" "" "no imapd left running"
done_testing
