#!/usr/bin/env python3
"""Compare imapeek's JSON of every message with Python's email package.

Usage: agreement.py BASE-URL MSGS-DIR TABLE SET...

MSGS-DIR/<set>/NNNNNN.eml is message N of a set, served by imapeek as
/corpus/<set>/N (t/tools/split-corpus.py; <set>.index names its source).
Python reads the same bytes with policy=default and
get_body(preferencelist=('plain',)).  Compared, after whitespace is
collapsed (flowed text and folding are layout, not content):

  subject      the decoded Subject ("" when absent)
  from         the From addresses (addr-spec, lower case)
  message_id   without <> and blanks
  text         Python's plain body (get_content()) must be found in the
               JSON "text": we show every inline text part of a
               multipart/mixed and embedded messages, Python's get_body
               picks one part.  Where Python finds no plain body at all
               (HTML-only mail, digests, delivery reports) there is nothing
               to compare: an empty text of ours agrees, any other is
               counted apart ("NOPLAIN") and still printed and explained,
               since SPEC.md asks for HTML as text and embedded messages.

Every disagreement is printed as "DIFF set/source field: ours | python",
and marked "explained" when TABLE (t/AGREEMENT) lists "source<TAB>field".
Last lines: "HEADERS agreed total", "TEXT agreed total", "UNEXPLAINED n".
"""

import email
import email.policy
import http.client
import json
import os
import sys
import unicodedata
import urllib.parse


def norm(s):
    # NFC: the same letters, composed or not, are the same text.
    return unicodedata.normalize("NFC", " ".join((s or "").split()))


def python_view(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    out = {}
    try:
        out["subject"] = norm(str(msg["subject"] or ""))
    except Exception as e:  # noqa: BLE001 - Python's own failure is a result
        out["subject"] = "<python error %s>" % type(e).__name__
    try:
        header = msg["from"]
        out["from"] = [norm(a.addr_spec).lower() for a in header.addresses] if header else []
    except Exception as e:  # noqa: BLE001
        out["from"] = ["<python error %s>" % type(e).__name__]
    try:
        mid = msg["message-id"]
        out["message_id"] = norm(str(mid)).strip("<>").strip() if mid else None
    except Exception as e:  # noqa: BLE001
        out["message_id"] = "<python error %s>" % type(e).__name__
    try:
        body = msg.get_body(preferencelist=("plain",))
        out["text"] = norm(body.get_content()) if body is not None else None
    except Exception as e:  # noqa: BLE001
        out["text"] = "<python error %s>" % type(e).__name__
    return out


def our_view(doc):
    return {
        "subject": norm(doc.get("subject") or ""),
        "from": [norm(a.get("address") or "").lower() for a in doc.get("from") or []],
        "message_id": norm(doc.get("message_id") or "") or None,
        "text": norm(doc.get("text") or ""),
    }


def where(ours, theirs):
    """Where two texts part: a window of each around the first difference."""
    if not isinstance(ours, str) or not isinstance(theirs, str) or not theirs:
        return ""
    start = max(ours.find(theirs[:20]), 0)
    i = 0
    while i < len(theirs) and start + i < len(ours) and ours[start + i] == theirs[i]:
        i += 1
    return " (from char %d: ours %s | python %s)" % (
        i, short(ours[start + max(i - 20, 0):start + i + 40]),
        short(theirs[max(i - 20, 0):i + 40]))


def short(value):
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 160 else text[:157] + "..."


def main(argv):
    base, msgs, table_path = argv[1], argv[2], argv[3]
    explained = set()
    with open(table_path, encoding="utf-8") as table:
        for line in table:
            if line.startswith("#") or "\t" not in line:
                continue
            source, field = line.rstrip("\n").split("\t")[:2]
            explained.add((source, field))
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    counts = {"headers": [0, 0], "text": [0, 0]}
    noplain = 0
    unexplained = 0
    seen = set()
    for name in argv[4:]:
        with open(os.path.join(msgs, name + ".index"), encoding="utf-8") as index:
            entries = [line.rstrip("\n").split("\t") for line in index]
        for file, source in entries:
            uid = int(file.split(".")[0])
            with open(os.path.join(msgs, name, file), "rb") as f:
                theirs = python_view(f.read())
            path = "/corpus/%s/%d?format=json" % (urllib.parse.quote(name), uid)
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            if response.status != 200:
                print("DIFF %s status: %d" % (source, response.status))
                unexplained += 1
                continue
            ours = our_view(json.loads(body))
            for field in ("subject", "from", "message_id", "text"):
                kind = "text" if field == "text" else "headers"
                if field == "text" and theirs[field] is None and ours[field]:
                    noplain += 1
                else:
                    counts[kind][1] += 1
                if field == "text":
                    agree = (ours[field] == "" if theirs[field] is None
                             else theirs[field] in ours[field])
                else:
                    agree = ours[field] == theirs[field]
                if agree:
                    counts[kind][0] += 1
                    continue
                key = (source, field)
                seen.add(key)
                mark = "explained" if key in explained else "UNEXPLAINED"
                if key not in explained:
                    unexplained += 1
                print("DIFF %s %s [%s]: ours %s | python %s%s"
                      % (source, field, mark, short(ours[field]), short(theirs[field]),
                         where(ours[field], theirs[field]) if field == "text" else ""))
    for key in sorted(explained - seen):
        print("STALE %s %s: listed in the table but agreeing now" % key)
    print("HEADERS %d %d" % tuple(counts["headers"]))
    print("TEXT %d %d" % tuple(counts["text"]))
    print("NOPLAIN %d" % noplain)
    print("UNEXPLAINED %d" % unexplained)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
