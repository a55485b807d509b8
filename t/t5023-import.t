#!/bin/sh
# imapeek-import: mbox files from the corpus (the openbmc archive, 8,323
# messages of mboxrd, and the edge mboxes: Netscape "From - " lines, CRLF,
# a byte order mark, unquoted "From " body lines) become a read-only
# Maildir store, owned by the user who imported it, that Dovecot serves:
# as many messages as the mbox has separators, each one's bytes on disk
# and as served (UID FETCH BODY.PEEK[]) those of the mbox after unquoting,
# in mbox order, and Dovecot's RFC822.SIZE the length of what it sends.
# mboxrd and mboxo unquote a crafted mbox as documented;
# a non-empty folder is refused without --add and added to with it.
#
# As root the store belongs to "daemon" (imapeek-import runs through
# setpriv as that user) and Dovecot runs as nobody; otherwise both are
# the current user and only the modes keep the imapd out.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"

IMPORT=$IMAPEEK_BUILD/cgi/imapeek-import
[ -x "$IMPORT" ] || skip_all "not built: $IMPORT"
[ -x "$DOVECOT_IMAP" ] || skip_all "no Dovecot imap at $DOVECOT_IMAP"
OBMC=$SHARED_CORPUS/archive-openbmc-2019-2020/openbmc-2019-2020.mbox.xz
[ -r "$OBMC" ] || skip_all "no corpus at $SHARED_CORPUS"

owner=$(id -un)
if _imapd_is_root; then
	owner=daemon
	as_owner() { setpriv --reuid=daemon --regid=daemon --clear-groups "$@"; }
else
	as_owner() { "$@"; }
fi
work=$TEST_TMP/owner
mkdir -p "$work" && _imapd_is_root && chown daemon:daemon "$work"

# The reference: the documented rules again, in Python.
#   ref.py count MBOX FORMAT             the number of messages
#   ref.py disk MBOX FORMAT FOLDER       FOLDER/cur, in name order, equals them
#   ref.py fetched MBOX FORMAT FILE      every BODY[] literal of the imap_send
#                                        transcript FILE equals message UID
#                                        (as IMAP sends it: LF as CRLF)
cat >"$TEST_TMP/ref.py" <<'EOF'
import lzma, os, pickle, re, sys

SEP = re.compile(rb"^From [ \t]*[^ \t]+(?:[ \t]*$|[ \t]+.*\d:\d\d)")

def messages(path, fmt):
    data = open(path, "rb").read()
    if path.endswith(".xz"):
        data = lzma.decompress(data)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    quoted = re.compile(rb"^>+From " if fmt == "mboxrd" else rb"^>From ")
    out, cur = [], None
    for line in data.splitlines(keepends=True):
        bare = line.rstrip(b"\n").rstrip(b"\r") if line.endswith(b"\n") else line
        if SEP.match(bare):
            if cur is not None:
                out.append(cur)
            cur = []
            continue
        assert cur is not None, "not an mbox"
        cur.append(line[1:] if quoted.match(line) else line)
    if cur is not None:
        out.append(cur)
    # the writer's empty line before each separator and at the end
    return [b"".join(m[:-1] if m and m[-1] in (b"\n", b"\r\n") else m) for m in out]

def crlf(b):
    return re.sub(rb"(?<!\r)\n", b"\r\n", b)

cmd, path, fmt = sys.argv[1:4]
# Split once per mbox and format: the openbmc archive is 126 MB.
cache = os.path.join(os.environ["TEST_TMP"], "ref-%s-%s.pickle" % (re.sub(r"\W", "_", path), fmt))
if os.path.exists(cache):
    want = pickle.load(open(cache, "rb"))
else:
    want = messages(path, fmt)
    pickle.dump(want, open(cache, "wb"))
if cmd == "count":
    print(len(want))
elif cmd == "disk":
    folder = os.path.join(sys.argv[4], "cur")
    names = sorted(os.listdir(folder))
    bad = [n for n, w in zip(names, want) if open(os.path.join(folder, n), "rb").read() != w]
    print("%d files, %d messages, %d differ %s" % (len(names), len(want), len(bad), bad[:3]))
elif cmd == "fetched":
    talk = open(sys.argv[4], "rb").read()
    seen, bad = 0, []
    for m in re.finditer(rb"S: \* \d+ FETCH \(UID (\d+) BODY\[\] \{(\d+)\}\n", talk):
        uid, size = int(m.group(1)), int(m.group(2))
        seen += 1
        if talk[m.end():m.end() + size] != crlf(want[uid - 1]):
            bad.append(uid)
    print("%d fetched, %d differ %s" % (seen, len(bad), bad[:5]))
EOF
ref() { TEST_TMP=$TEST_TMP python3 "$TEST_TMP/ref.py" "$@"; }
# exists MAILBOX: the EXISTS of a fresh EXAMINE.
exists() {
	imap_send "EXAMINE \"$1\"" | sed -n 's/^S: \* \([0-9]*\) EXISTS.*/\1/p'
}

# -- the store: an empty INBOX, then one folder per mbox, as the man page says
store=$work/store
as_owner "$IMPORT" "$store" </dev/null >"$TEST_TMP/out" 2>&1
is "$?/$(cat "$TEST_TMP/out")" "0/-: 0 messages" "an empty INBOX from an empty input"
as_owner chmod u+w "$store" && as_owner mkdir "$store/lists" "$store/edge" ||
	bail "cannot open $store for the mailboxes"

xz -dc "$OBMC" >"$TEST_TMP/openbmc.mbox" || bail "cannot unpack $OBMC"
as_owner "$IMPORT" --format=mboxrd "$store/lists/openbmc" <"$TEST_TMP/openbmc.mbox" >"$TEST_TMP/out" 2>&1
is "$?/$(cat "$TEST_TMP/out")" "0/-: 8323 messages" "openbmc from standard input: 8323 messages"
is "$(grep -c '^From ' "$TEST_TMP/openbmc.mbox")" 8323 "... as many as the mbox has From lines"
is "$(ref count "$TEST_TMP/openbmc.mbox" mboxrd)" 8323 "... and as the reference splits"
is "$(ref disk "$TEST_TMP/openbmc.mbox" mboxrd "$store/lists/openbmc")" \
	"8323 files, 8323 messages, 0 differ []" "... every file holds its message's bytes, in mbox order"

# The edge mboxes of the corpus: file, format, separators, mailbox.
cat >"$TEST_TMP/edges" <<'EOF'
edge-perl-mail-box-mbox/mbox.src mboxo 45 perl-lf
edge-perl-mail-box-mbox/mbox.win mboxo 45 perl-crlf
edge-mimekit-testdata/mbox/simple.mbox.txt mboxrd 3 netscape
edge-mimekit-testdata/mbox/issue1189.mbox.txt mboxrd 4 no-date
edge-mimekit-testdata/mbox/unmunged.mbox.txt mboxo 2 unmunged
edge-mimekit-testdata/mbox/content-length.mbox.txt mboxo 29 content-length
EOF
while read -r file format count name; do
	as_owner "$IMPORT" --format="$format" "$store/edge/$name" "$SHARED_CORPUS/$file" >"$TEST_TMP/out" 2>&1
	is "$?/$(sed 's/.*: //' "$TEST_TMP/out")" "0/$count messages" "$file ($format): $count messages"
	is "$(ref count "$SHARED_CORPUS/$file" "$format")" "$count" "... as the reference splits"
	is "$(ref disk "$SHARED_CORPUS/$file" "$format" "$store/edge/$name")" \
		"$count files, $count messages, 0 differ []" "... each with its message's bytes"
done <"$TEST_TMP/edges"
is "$(grep -c '^From ' "$SHARED_CORPUS/edge-perl-mail-box-mbox/mbox.win")" 45 \
	"mbox.win has 45 From lines"
is "$(cat "$store"/edge/perl-crlf/cur/* | grep -c -v "$(printf '\r$')")" 0 \
	"... and its CRLF line ends are kept: no line ends in a bare LF"

# -- mboxrd and mboxo: the documented bytes
printf '%s\n' "From a@example.org Fri Mar 29 14:07:21 2019" "Subject: quoting" "" \
	">From one" ">>From two" ">>>From three" ">Fromage" "" \
	"From b@example.org Fri Mar 29 14:08:21 2019" ">From header" "Subject: two" "" "x" "" \
	>"$TEST_TMP/crafted.mbox"
as_owner "$IMPORT" --format=mboxrd "$store/edge/crafted-rd" "$TEST_TMP/crafted.mbox" >/dev/null 2>&1
as_owner "$IMPORT" --format=mboxo "$store/edge/crafted-o" "$TEST_TMP/crafted.mbox" >/dev/null 2>&1
is "$(cat "$store"/edge/crafted-rd/cur/*)" "Subject: quoting

From one
>From two
>>From three
>Fromage
From header
Subject: two

x" "mboxrd: >From becomes From, >>From >From, >>>From >>From"
is "$(cat "$store"/edge/crafted-o/cur/*)" "Subject: quoting

From one
>>From two
>>>From three
>Fromage
From header
Subject: two

x" "mboxo: only >From becomes From"

# The folders made by hand read-only again, as the man page says.
as_owner chmod 555 "$store/lists" "$store/edge" "$store"

# -- owner and modes, before Dovecot sees the store
is "$(find "$store" -type f ! -perm 444 | wc -l | tr -d ' ')" 0 "every file is mode 0444"
is "$(find "$store" -type d ! -perm 555 | wc -l | tr -d ' ')" 0 "every folder is mode 0555"
is "$(find "$store" ! -user "$owner" | wc -l | tr -d ' ')" 0 "everything belongs to $owner, who imported it"
before=$(store_digest "$store")

# -- served by Dovecot
dovecot_setup "$store" "$TEST_TMP/state" || bail "dovecot_setup failed"
is "$(exists lists/openbmc)" 8323 "Dovecot: lists/openbmc EXISTS 8323"
is "$(exists INBOX)" 0 "... and INBOX is empty"
uids=$(awk '/^From / { n++ } /^>+From / { print n }' "$TEST_TMP/openbmc.mbox" | sort -un | tr '\n' ' ')
like "$uids" '[0-9]' "openbmc messages with quoted From lines: $uids"
set --
for uid in 1 2 3 1000 4162 8000 8322 8323 $uids; do set -- "$@" "UID FETCH $uid BODY.PEEK[]"; done
imap_send 'EXAMINE "lists/openbmc"' "$@" >"$TEST_TMP/fetched" 2>&1
is "$(ref fetched "$TEST_TMP/openbmc.mbox" mboxrd "$TEST_TMP/fetched")" "$# fetched, 0 differ []" \
	"UID FETCH n BODY.PEEK[] of $# messages: the nth message of the mbox, unquoted"
while read -r file format count name; do
	is "$(exists "edge/$name")" "$count" "Dovecot: edge/$name EXISTS $count"
	imap_send "EXAMINE \"edge/$name\"" 'UID FETCH 1:* BODY.PEEK[]' >"$TEST_TMP/fetched" 2>&1
	is "$(ref fetched "$SHARED_CORPUS/$file" "$format" "$TEST_TMP/fetched")" "$count fetched, 0 differ []" \
		"... and serves every message's bytes"
done <"$TEST_TMP/edges"
# RFC822.SIZE: what IMAP sends of the message, to the byte (LF or CRLF).
imap_send 'EXAMINE "edge/perl-lf"' 'UID FETCH 1:* (UID RFC822.SIZE BODY.PEEK[])' \
	'EXAMINE "edge/perl-crlf"' 'UID FETCH 1:* (UID RFC822.SIZE BODY.PEEK[])' >"$TEST_TMP/sized" 2>&1
is "$(python3 - "$TEST_TMP/sized" <<'EOF'
import re, sys
talk = open(sys.argv[1], "rb").read()
seen = [(int(s), int(n)) for s, n in
        re.findall(rb"S: \* \d+ FETCH \(UID \d+ RFC822\.SIZE (\d+) BODY\[\] \{(\d+)\}", talk)]
print("%d messages, %d sizes differ" % (len(seen), sum(s != n for s, n in seen)))
EOF
)" "90 messages, 0 sizes differ" "Dovecot's RFC822.SIZE is the length of the message it sends"
is "$(store_digest "$store")" "$before" "the store is unchanged after serving"
ok "$([ -f "$IMAPD_STATE/control/lists/openbmc/dovecot-uidlist" ]; echo $?)" \
	"the UIDs live in the imapd's CONTROL folder (lists/openbmc/dovecot-uidlist)"
is "$(find "$store" -name 'dovecot*' | wc -l | tr -d ' ')" 0 "... and no file of Dovecot's is in the store"

# -- refusals, and --add
as_owner "$IMPORT" "$store/edge/crafted-rd" "$TEST_TMP/crafted.mbox" >"$TEST_TMP/out" 2>&1
is "$?" 1 "a non-empty folder is refused without --add"
like "$(cat "$TEST_TMP/out")" 'not empty.*--add' "... saying so"
as_owner "$IMPORT" "$work/new" "$SHARED_CORPUS/edge-crymap-enron-dkim/rfc-8463.eml" >"$TEST_TMP/out" 2>&1
is "$?" 1 "a message that is no mbox is refused"
like "$(cat "$TEST_TMP/out")" 'not an mbox' "... saying so"
ok "$([ ! -e "$work/new" ]; echo $?)" "... before the folder is made"
is "$(store_digest "$store")" "$before" "refusals leave the store as it was"
old=$(imap_send 'EXAMINE "edge/crafted-rd"' 'UID FETCH 1:* (UID RFC822.SIZE)' | grep '^S: \* [0-9]* FETCH')
as_owner "$IMPORT" --add "$store/edge/crafted-rd" "$TEST_TMP/crafted.mbox" >"$TEST_TMP/out" 2>&1
is "$?/$(cat "$TEST_TMP/out")" "0/$TEST_TMP/crafted.mbox: 2 messages" "--add adds to a Maildir folder"
is "$(exists edge/crafted-rd)" 4 "... Dovecot sees 4 messages"
is "$(imap_send 'EXAMINE "edge/crafted-rd"' 'UID FETCH 1:2 (UID RFC822.SIZE)' | grep '^S: \* [0-9]* FETCH')" \
	"$old" "... the old ones keep their UIDs"
is "$(find "$store/edge/crafted-rd" \( -type f ! -perm 444 \) -o \( -type d ! -perm 555 \) | wc -l | tr -d ' ')" 0 \
	"... and the modes are 0444 and 0555 again"

# (t5021 lints the manual page and holds it to the program's options.)
"$IMPORT" --format=mboxcl "$work/x" </dev/null >"$TEST_TMP/out" 2>&1
is "$?" 2 "an unknown --format is a usage error"
like "$(cat "$TEST_TMP/out")" '^imapeek-import: --format must be mboxrd or mboxo' "... saying so"

done_testing
