#!/bin/sh
# atom.c: the unit tables, then a feed full of hostile text must be
# well-formed XML (xmllint) with the elements RFC 4287 and RFC 4685 require
# and the text intact (python3's xml.etree).
. "$(dirname "$0")/lib.sh"

UNIT="$IMAPEEK_BUILD/t/unit/test-atom"
[ -x "$UNIT" ] || skip_all "not built: $UNIT"
command -v xmllint >/dev/null || skip_all "xmllint missing (Debian: libxml2-utils)"

tap=$("$UNIT")
rc=$?
diag "$(printf '%s\n' "$tap" | grep -v '^ok')"
ok $rc "unit tables: escaping, ids, dates ($(printf '%s\n' "$tap" | grep -c '^ok') passed)"

"$UNIT" --feed "$TEST_TMP/feed.xml"
ok $? "hostile feed written"
err=$(xmllint --noout "$TEST_TMP/feed.xml" 2>&1)
ok $? "xmllint: well-formed"
[ -n "$err" ] && diag "$err"

out=$(python3 - "$TEST_TMP/feed.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
T = "{http://purl.org/syndication/thread/1.0}"
feed = ET.parse(sys.argv[1]).getroot()
problems = []
def need(cond, what):
    if not cond:
        problems.append(what)
need(feed.tag == A + "feed", "root is atom:feed")
for name in ("id", "title", "updated"):
    need(feed.find(A + name) is not None, "feed has " + name)
rels = {l.get("rel"): l.get("href") for l in feed.findall(A + "link")}
need(rels.get("self") == 'https://example.org/archive/lists/dev/new.atom?a=1&b="2"', "self link href intact")
need("alternate" in rels, "alternate link")
hostile = '<b>"bold"</b> & \'x\' ]]>  \ufffd\ufffd'
need(feed.find(A + "title").text == hostile, "feed title: markup kept as text, controls dropped: %r" % feed.find(A + "title").text)
entries = feed.findall(A + "entry")
need(len(entries) == 3, "3 entries")
for e in entries:
    for name in ("id", "title", "updated", "author"):
        need(e.find(A + name) is not None, "entry has " + name)
    need(e.find(A + "author/" + A + "name") is not None, "author has a name")
ids = [e.find(A + "id").text for e in entries]
need(ids[0] == "mid:root@example.org", "mid: id")
need(ids[2] == "tag:example.org,2000:lists%2Fdev/7/3", "tag: id")
need(len(set(ids)) == 3, "ids distinct")
reply = entries[1]
irt = reply.find(T + "in-reply-to")
need(irt is not None and irt.get("ref") == ids[0], "thr:in-reply-to names the parent's id")
need(irt is not None and irt.get("href") == 'https://example.org/archive/lists/dev/1?&"', "thr:in-reply-to href intact")
need(reply.find(A + "content").get("type") == "text", "content type=text")
need(reply.find(A + "content").text == hostile, "content text intact")
need(reply.find(A + "author/" + A + "email").text == 'x"><script>@example.org', "author email intact")
need(entries[0].find(A + "summary").text == "Hello, world.", "summary")
need(entries[0].find(A + "updated").text == "2020-01-31T12:00:00Z", "updated RFC 3339")
print("\n".join(problems) if problems else "all good")
PY
)
is "$out" "all good" "xml.etree: required elements and intact text"
done_testing
