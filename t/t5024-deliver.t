#!/bin/sh
# New mail, as README's "New mail" says: the store's owner (not the
# imapd's user) delivers with Dovecot's LDA and a configuration of its
# own (INDEX and CONTROL in a folder of the deliverer's); the imapd, with
# its own INDEX and CONTROL, sees the new message on a fresh EXAMINE, and
# every old message keeps its UID, its file name and its bytes.  The
# delivered file is readable by the imapd's user and not writable by it.
#
# As root the store belongs to "daemon" and Dovecot's imap runs as nobody;
# otherwise both are the current user and only the modes are checked.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"

IMPORT=$IMAPEEK_BUILD/cgi/imapeek-import
LDA=${DOVECOT_LDA:-/usr/lib/dovecot/dovecot-lda}
[ -x "$IMPORT" ] || skip_all "not built: $IMPORT"
[ -x "$LDA" ] || skip_all "no Dovecot LDA at $LDA"
MBOX=$SHARED_CORPUS/edge-perl-mail-box-mbox/mbox.src
[ -r "$MBOX" ] || skip_all "no corpus at $SHARED_CORPUS"

if _imapd_is_root; then
	as_owner() { setpriv --reuid=daemon --regid=daemon --clear-groups "$@"; }
	as_imapd() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
	owner=daemon
else
	as_owner() { "$@"; }
	as_imapd() { "$@"; }
	owner=$(id -un)
fi
work=$TEST_TMP/owner
mkdir -p "$work" && _imapd_is_root && chown daemon:daemon "$work"

# -- an archive of 45 messages in lists/dev, its folders writable by the
# owner alone (README: a mailbox that gets new mail)
store=$work/store
as_owner "$IMPORT" "$store" </dev/null >/dev/null &&
	as_owner chmod u+w "$store" && as_owner mkdir "$store/lists" &&
	as_owner "$IMPORT" --format=mboxo "$store/lists/dev" "$MBOX" >/dev/null &&
	as_owner chmod 555 "$store/lists" "$store" &&
	as_owner chmod 755 "$store/lists/dev" "$store/lists/dev/cur" \
		"$store/lists/dev/new" "$store/lists/dev/tmp" ||
	bail "cannot build the store"

dovecot_setup "$store" "$TEST_TMP/state" || bail "dovecot_setup failed"
# uids: "UID SIZE" of every message, from a fresh imapd.
uids() {
	imap_send 'EXAMINE "lists/dev"' 'UID FETCH 1:* (UID RFC822.SIZE)' | tr -d '\r' |
		sed -n 's/^S: \* [0-9]* FETCH (UID \([0-9]*\) RFC822.SIZE \([0-9]*\))$/\1 \2/p'
}
examine() {
	imap_send 'EXAMINE "lists/dev"' | tr -d '\r' |
		sed -n 's/^S: \* \([0-9]*\) EXISTS$/exists \1/p; s/^S: \* OK \[UIDVALIDITY \([0-9]*\)\].*/uidvalidity \1/p' |
		sort | tr '\n' ' '
}
before_uids=$(uids)
before=$(examine)
like "$before" '^exists 45 uidvalidity [0-9]+ $' "the imapd serves 45 messages"
is "$(echo "$before_uids" | wc -l | tr -d ' ')" 45 "... each with a UID and a size"
(cd "$store/lists/dev" && find . -type f | LC_ALL=C sort) >"$TEST_TMP/old-names"
(cd "$store/lists/dev" && xargs sha256sum <"$TEST_TMP/old-names") >"$TEST_TMP/old-files"

# -- the deliverer's configuration, as in README
deliver=$work/deliver
as_owner mkdir "$deliver"
cat >"$TEST_TMP/deliver.conf" <<EOF
# The store's owner delivers; the imapd (another user) only reads.
protocols =
ssl = no
base_dir = $deliver/run
log_path = $deliver/deliver.log
# a system user (uid < 500) owns the store
first_valid_uid = 1
mail_location = maildir:$store:LAYOUT=fs:INDEX=$deliver/index:CONTROL=$deliver/control
EOF
as_owner cp "$TEST_TMP/deliver.conf" "$deliver/dovecot.conf"
printf '%s\n' "From: Newcomer <new@example.org>" "To: dev@example.org" \
	"Subject: new mail after the import" "Message-ID: <delivered-1@example.org>" \
	"Date: Thu, 03 Dec 2020 10:00:00 +0000" "" "Hello, archive." "From here on, new mail." \
	>"$TEST_TMP/new.eml"
as_owner env -i HOME="$deliver" "$LDA" -c "$deliver/dovecot.conf" -f new@example.org \
	-m lists/dev <"$TEST_TMP/new.eml" >"$TEST_TMP/lda.out" 2>&1
st=$?
is "$st" 0 "dovecot-lda, run by the store's owner, delivers into lists/dev"
[ "$st" = 0 ] || diag "$(cat "$TEST_TMP/lda.out" "$deliver/deliver.log" 2>&1)"

after=$(examine)
is "$after" "$(echo "$before" | sed 's/exists 45/exists 46/')" \
	"a fresh EXAMINE: EXISTS 46, UIDVALIDITY unchanged"
after_uids=$(uids)
is "$(echo "$after_uids" | head -n 45)" "$before_uids" "the 45 old messages keep their UIDs"
new_uid=$(echo "$after_uids" | sed -n 46p)
is "${new_uid%% *}" "$(echo "$before_uids" | tail -n 1 | awk '{print $1 + 1}')" \
	"the new message has the next UID"
imap_send 'EXAMINE "lists/dev"' "UID FETCH ${new_uid%% *} BODY.PEEK[]" >"$TEST_TMP/fetched" 2>&1
python3 - "$TEST_TMP/new.eml" "$TEST_TMP/fetched" <<'EOF' >"$TEST_TMP/cmp"
import re, sys
want = open(sys.argv[1], "rb").read().replace(b"\n", b"\r\n")
talk = open(sys.argv[2], "rb").read()
m = re.search(rb"BODY\[\] \{(\d+)\}\n", talk)
print("equal" if m and talk[m.end():m.end() + int(m.group(1))] == want else "differ")
EOF
is "$(cat "$TEST_TMP/cmp")" equal "... and its bytes are those delivered"
is "$(cd "$store/lists/dev" && sha256sum -c --quiet "$TEST_TMP/old-files" 2>&1)" "" \
	"every old file keeps its name and bytes"

new_file=$(cd "$store/lists/dev" && find . -type f | LC_ALL=C sort | grep -v -x -F -f "$TEST_TMP/old-names")
is "$(echo "$new_file" | grep -c .)" 1 "one file was added: $new_file"
new_file=$store/lists/dev/$(echo "$new_file" | head -n 1)
is "$(stat -c %U "$new_file")" "$owner" "... belonging to the store's owner"
is "$(( $(stat -c 0%a "$new_file") & 022 ))" 0 "... writable by nobody else (mode $(stat -c %a "$new_file"))"
ok "$(as_imapd test -r "$new_file"; echo $?)" "... readable by the imapd's user"
if _imapd_is_root; then
	ok "$(as_imapd test ! -w "$new_file" -a ! -w "$store/lists/dev/new" -a ! -w "$store/lists/dev/cur"; echo $?)" \
		"... and not writable by it, nor are the folders"
fi
is "$(find "$IMAPD_STATE" -name dovecot-uidlist -path '*lists/dev*' | wc -l | tr -d ' ')" 1 \
	"the imapd's UIDs are in its own CONTROL folder"
is "$(find "$store" -name 'dovecot*' | wc -l | tr -d ' ')" 0 "... and nobody's files of Dovecot are in the store"

# A second delivery while the imapd's index is warm.
sed 's/delivered-1/delivered-2/' "$TEST_TMP/new.eml" |
	as_owner env -i HOME="$deliver" "$LDA" -c "$deliver/dovecot.conf" -f new@example.org -m lists/dev
is "$?" 0 "a second delivery"
is "$(uids | tail -n 2 | awk '{print $1}' | tr '\n' ' ')" "$((${new_uid%% *})) $((${new_uid%% *} + 1)) " \
	"... comes after the first, which keeps its UID"

done_testing
