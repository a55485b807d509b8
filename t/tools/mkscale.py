#!/usr/bin/env python3
"""Synthesize a large archive from a real one: COPIES copies of an mbox.

Usage: mkscale.py COPIES DEST MAILBOX=MBOX

Writes a read-only Maildir store DEST (t/tools/mkmaildir.py's layout and
conventions: cur/<n>.imapeek:2, in load order, mtime = Date, files 0444
and folders 0555) whose mailbox MAILBOX holds every message of MBOX
(mboxrd, may be .xz) COPIES times: copy 0 is the archive itself, copy k
(k >= 1) is the same messages with

  - every Message-ID, In-Reply-To and References id rewritten the same
    way, <id> -> <sK.id>, so each copy's threads are threads of their own
    and the ids stay unique;
  - " [sK]" added to the Subject: RFC 5256 REFERENCES (Dovecot's THREAD)
    joins threads whose base subjects are equal, which would make every
    thread COPIES times longer;
  - the Date header and the file's mtime moved back by k steps of
    min(span of the archive, 44 years / COPIES), so 10 copies of two
    years are twenty years back to back, and 100 copies spread over 44
    years, a few overlapping.

Messages are otherwise byte for byte the source's (line ends kept).
Prints "MAILBOX<TAB>COUNT".
"""

import email.utils
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkmaildir  # noqa: E402

DAY = 86400
ID_FIELDS = (b"message-id", b"in-reply-to", b"references")
HEADER_END = re.compile(rb"\r?\n\r?\n")
FIELD_START = re.compile(rb"^[!-9;-~]+:", re.M)
ANGLE = re.compile(rb"<([^<>\s]+)>")


def split_header(msg):
    """(header block, the rest from the empty line on)."""
    m = HEADER_END.search(msg)
    if not m:
        return msg, b""
    return msg[:m.start()], msg[m.start():]


def fields(head):
    """The header block as [(lower-case name, whole field bytes)]."""
    starts = [m.start() for m in FIELD_START.finditer(head)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    out = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(head)
        raw = head[start:end]
        name = raw.split(b":", 1)[0].strip().lower() if b":" in raw else b""
        out.append((name, raw))
    return out


def eol_of(raw):
    if raw.endswith(b"\r\n"):
        return b"\r\n"
    if raw.endswith(b"\n"):
        return b"\n"
    return b""


def new_date(raw, shift):
    value = raw.split(b":", 1)[1]
    text = re.sub(rb"\s+", b" ", value).strip().decode("ascii", "replace")
    parsed = email.utils.parsedate_tz(text)
    if parsed is None:
        return raw
    try:
        stamp = email.utils.mktime_tz(parsed) - shift
    except (OverflowError, ValueError):
        return raw
    offset = parsed[9] or 0
    local = time.gmtime(stamp + offset)
    sign = "-" if offset < 0 else "+"
    zone = "%s%02d%02d" % (sign, abs(offset) // 3600, abs(offset) % 3600 // 60)
    date = time.strftime("%a, %d %b %Y %H:%M:%S ", local) + zone
    return b"Date: " + date.encode("ascii") + eol_of(raw)


def copy_of(msg, k, shift):
    """Message msg as copy k, its dates moved back by shift seconds."""
    if k == 0:
        return msg
    head, rest = split_header(msg)
    tag = b"s%d." % k
    out = []
    for name, raw in fields(head):
        if name in ID_FIELDS:
            raw = ANGLE.sub(lambda m: b"<" + tag + m.group(1) + b">", raw)
        elif name == b"date":
            raw = new_date(raw, shift)
        elif name == b"subject":
            eol = eol_of(raw)
            body = raw[:len(raw) - len(eol)] if eol else raw
            raw = body + b" [s%d]" % k + eol
        out.append(raw)
    return b"".join(out) + rest


def main(argv):
    if len(argv) != 3 or "=" not in argv[2]:
        mkmaildir.die("usage: mkscale.py COPIES DEST MAILBOX=MBOX")
    copies = int(argv[0])
    if not 1 <= copies <= 1000:
        mkmaildir.die("COPIES must be 1..1000")
    dest = argv[1]
    mailbox, _, src = argv[2].partition("=")
    messages = mkmaildir.messages_of_file(src, "mboxrd")
    stamps = [mkmaildir.date_header_time(m) or t or mkmaildir.FALLBACK_TIME
              for m, t in messages]
    span = max(stamps) - min(stamps)
    step = min(span, 44 * 365 * DAY // copies)
    step -= step % DAY
    if os.path.exists(dest) and os.listdir(dest):
        mkmaildir.die("%s exists and is not empty" % dest)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(dest, sub), exist_ok=True)
    folder = mkmaildir.mailbox_dir(dest, mailbox, False)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(folder, sub), exist_ok=True)
    n = 0
    for k in range(copies):
        shift = k * step
        for (msg, _), stamp in zip(messages, stamps):
            n += 1
            name = os.path.join(folder, "cur", "%d.imapeek:2," % n)
            with open(name, "xb") as f:
                f.write(copy_of(msg, k, shift))
            when = max(stamp - shift, 0)
            os.utime(name, (when, when))
    mkmaildir.make_readonly(dest)
    print("%s\t%d" % (mailbox, n))


if __name__ == "__main__":
    main(sys.argv[1:])
