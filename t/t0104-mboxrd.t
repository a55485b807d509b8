#!/bin/sh
# mboxrd.c: the unit tables, then a round trip: tricky messages written in
# awkward pieces are read back by python3's mailbox.mbox, mboxrd-unquoted,
# and must equal the originals (CRLF as LF, a final line end added).
. "$(dirname "$0")/lib.sh"

UNIT="$IMAPEEK_BUILD/t/unit/test-mboxrd"
[ -x "$UNIT" ] || skip_all "not built: $UNIT"

tap=$("$UNIT")
rc=$?
diag "$(printf '%s\n' "$tap" | grep -v '^ok')"
ok $rc "unit tables: quoting, pieces, senders ($(printf '%s\n' "$tap" | grep -c '^ok') passed)"

"$UNIT" --write "$TEST_TMP"
ok $? "round-trip mbox written"

out=$(python3 - "$TEST_TMP" <<'PY'
import mailbox, re, sys
d = sys.argv[1]
box = mailbox.mbox(d + "/out.mbox", create=False)
keys = box.keys()
problems = []
if len(keys) != 5:
    problems.append("%d messages read, 5 written" % len(keys))
for n, key in enumerate(keys):
    got = re.sub(rb"(?m)^>(>*From )", rb"\1", box.get_bytes(key))
    want = open("%s/expect-%d" % (d, n), "rb").read()
    if got != want:
        problems.append("message %d: got %r want %r" % (n, got, want))
    if not box.get_message(key).get_from().startswith("sender@example.org "):
        problems.append("message %d: From line %r" % (n, box.get_message(key).get_from()))
print("\n".join(problems) if problems else "all equal")
PY
)
is "$out" "all equal" "python3 mailbox + mboxrd unquoting gives the messages back"

# The check can fail: an mboxo-style reader (no quoting) would not match.
raw=$(grep -c '^>>>From twice' "$TEST_TMP/out.mbox")
is "$raw" 1 "the file holds the quoted line, not the original"
done_testing
