#!/usr/bin/env python3
"""Split real-mail sets into one file per message, for tests that must know
which raw bytes a UID holds.

Usage: split-corpus.py DEST SET-DIR...

Each SET-DIR (every regular file below it but SOURCE.txt and README*, in
mkmaildir.py's order) becomes DEST/<set>/NNNNNN.eml, numbered from 1 in
load order, so a store made with "mkmaildir.py STORE MAILBOX=DEST/<set>"
gives message N the UID N.  A file starting with "From " is an mbox and
split as mkmaildir.py splits it; one whose first line is not a proper
separator ("From -", "From id@host" without a date) is split leniently at
every "From " line after an empty line, the way mail readers do.
DEST/<set>.index lists "NNNNNN.eml<TAB>SOURCE-PATH[#n]" for reports.
Prints "SET<TAB>COUNT" a set.
"""

import importlib.util
import os
import re
import sys

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("mkmaildir", os.path.join(here, "mkmaildir.py"))
mkmaildir = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mkmaildir)


def _refuse(msg):
    raise ValueError(msg)


# Quietly: a refused mbox is split leniently below.
mkmaildir.die = _refuse


def lenient_split(data):
    chunks = re.split(rb"(?:^|\r?\n\r?\n)(?=From )", data)
    out = []
    for chunk in chunks:
        if not chunk.startswith(b"From "):
            continue
        out.append(chunk.split(b"\n", 1)[1] if b"\n" in chunk else b"")
    return out


def messages(path):
    data = mkmaildir.read_source(path)
    if not data.startswith(b"From "):
        return [data]
    try:
        return [m for m, _ in mkmaildir.split_mbox(data, "mboxrd")]
    except ValueError:
        return lenient_split(data)


def main(argv):
    dest = argv[1]
    for src in argv[2:]:
        name = os.path.basename(os.path.normpath(src))
        folder = os.path.join(dest, name)
        os.makedirs(folder)
        n = 0
        with open(os.path.join(dest, name + ".index"), "w") as index:
            for path in mkmaildir.source_files(src):
                found = messages(path)
                for i, raw in enumerate(found):
                    n += 1
                    file = "%06d.eml" % n
                    with open(os.path.join(folder, file), "wb") as f:
                        f.write(raw)
                    rel = os.path.relpath(path, os.path.dirname(os.path.normpath(src)))
                    index.write("%s\t%s%s\n" % (file, rel, "#%d" % (i + 1) if len(found) > 1 else ""))
        print("%s\t%d" % (name, n))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
