#!/bin/sh
# Feeds and exports: /MBOX/new.atom is well-formed Atom 1.0 with the
# required elements and RFC 4685 links; /MBOX/UID/thread.mbox read back
# with Python's mailbox module gives every message of the thread byte for
# byte; gzip when the client accepts it.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"

[ -x "$DOVECOT_IMAP" ] || skip_all "no Dovecot imap binary ($DOVECOT_IMAP)"
command -v xmllint >/dev/null || skip_all "no xmllint (libxml2-utils)"
pages_setup_sample
digest_before=$(store_digest "$PAGES_STORE")
httpd_start "$PAGES_CONF"

for f in httpd cgi; do
	page $f /lists/dev/new.atom
	is "$RESP_STATUS" 200 "$f: new.atom answers 200"
	like "$(header Content-Type)" '^application/atom\+xml' "$f: ... as application/atom+xml"
	xmllint --noout "$RESP_BODY" 2>"$TEST_TMP/xmllint.err"
	ok $? "$f: the feed is well-formed XML"
done
python3 - "$RESP_BODY" >"$TEST_TMP/atom.check" <<'PY'
import sys, xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
T = "{http://purl.org/syndication/thread/1.0}"
feed = ET.parse(sys.argv[1]).getroot()
print("root", feed.tag == A + "feed")
print("feed-required", all(feed.find(A + x) is not None for x in ("id", "title", "updated")))
print("self", any(l.get("rel") == "self" for l in feed.findall(A + "link")))
entries = feed.findall(A + "entry")
print("entries", len(entries))
print("entry-required", all(all(e.find(A + x) is not None for x in ("id", "title", "updated", "author", "link")) for e in entries))
print("author-name", all(e.find(A + "author/" + A + "name") is not None for e in entries))
print("mid-ids", all(e.find(A + "id").text.startswith("mid:") for e in entries))
print("links-absolute", all(e.find(A + "link").get("href").startswith("http") for e in entries))
print("in-reply-to", sum(1 for e in entries if e.find(T + "in-reply-to") is not None) > 0)
print("dates-desc", [e.find(A + "updated").text for e in entries] == sorted([e.find(A + "updated").text for e in entries], reverse=True))
PY
for k in root feed-required self entry-required author-name mid-ids links-absolute in-reply-to dates-desc; do
	is "$(sed -n "s/^$k //p" "$TEST_TMP/atom.check")" True "Atom: $k"
done
is "$(sed -n 's/^entries //p' "$TEST_TMP/atom.check")" 20 "Atom: the 20 newest messages"

# gzip when accepted; the same document once inflated.
page httpd /lists/dev/new.atom
cp "$RESP_BODY" "$TEST_TMP/plain.atom"
page httpd /lists/dev/new.atom '' -H 'Accept-Encoding: gzip'
is "$(header Content-Encoding)" gzip "Accept-Encoding: gzip gives a gzip body"
like "$(header Vary)" 'Accept-Encoding' "... with Vary: Accept-Encoding"
gzip -dc <"$RESP_BODY" | cmp -s - "$TEST_TMP/plain.atom"
ok $? "... that inflates to the same feed"
page httpd /lists/dev/new.atom '' -H 'Accept-Encoding: gzip;q=0'
is "$(header Content-Encoding)" "" "gzip;q=0 gets no gzip"

# thread.mbox: the 45-message thread, read back byte for byte.
page httpd /lists/dev/search 'q=subject%3A%22what+should+the+thread%22&format=json'
uid=$(json 'min(m["uid"] for m in d["messages"])')
page httpd "/lists/dev/$uid/thread" format=json
json '"\n".join(str(m["uid"]) for m in d["messages"])' >"$TEST_TMP/thread.uids"
page httpd "/lists/dev/$uid/thread.mbox"
is "$RESP_STATUS" 200 "thread.mbox answers 200"
like "$(header Content-Type)" '^application/mbox' "... as application/mbox"
cp "$RESP_BODY" "$TEST_TMP/thread.mbox"
while read -r u; do
	page httpd "/lists/dev/$u/raw"
	cp "$RESP_BODY" "$TEST_TMP/raw.$u"
done <"$TEST_TMP/thread.uids"
out=$(python3 - "$TEST_TMP" <<'PY'
import mailbox, sys, os
tmp = sys.argv[1]
uids = open(os.path.join(tmp, "thread.uids")).read().split()
box = mailbox.mbox(os.path.join(tmp, "thread.mbox"), create=False)
msgs = [m.as_bytes(unixfrom=False) for m in box]
print("count", len(msgs), len(uids))
same = 0
for u, got in zip(uids, msgs):
    raw = open(os.path.join(tmp, "raw." + u), "rb").read().replace(b"\r\n", b"\n")
    if not raw.endswith(b"\n"):
        raw += b"\n"
    # Python's mbox reader does not undo mboxrd quoting: do it here.
    lines = got.split(b"\n")
    lines = [l[1:] if l.lstrip(b">").startswith(b"From ") and l.startswith(b">") else l for l in lines]
    got = b"\n".join(lines)
    if got == raw or got == raw + b"\n" or got.rstrip(b"\n") == raw.rstrip(b"\n"):
        same += 1
    else:
        print("differs", u)
print("same", same)
PY
)
diag "$out"
is "$(printf '%s\n' "$out" | sed -n 's/^count //p')" "45 45" "thread.mbox holds the thread's 45 messages"
is "$(printf '%s\n' "$out" | sed -n 's/^same //p')" 45 "every message equals its raw bytes after mboxrd unquoting"
page httpd "/lists/dev/$uid/thread.mbox" '' -H 'Accept-Encoding: gzip'
gzip -dc <"$RESP_BODY" | cmp -s - "$TEST_TMP/thread.mbox"
ok $? "thread.mbox gzipped inflates to the same file"

# The quoting is exercised: the sample has a body line starting "From ".
page httpd /lists/dev/search 'q=body%3A%22needs+quoting%22&format=mbox'
like "$(cat "$RESP_BODY")" '>From the mbox' "a From_ line in a body is quoted in the export"
httpd_stop
is "$(store_digest "$PAGES_STORE")" "$digest_before" "the sample store is unchanged"
done_testing
