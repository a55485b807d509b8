#!/usr/bin/env python3
"""Build a read-only Maildir store for Dovecot's LAYOUT=fs.

Usage: mkmaildir.py [--mbox=mboxrd|mboxo] [--utf8-names] [--maildir++]
                    [--unique-names] DEST MAILBOX=SRC [MAILBOX=SRC ...]

Layout (mail_location = maildir:DEST:LAYOUT=fs):
  INBOX         DEST/{cur,new,tmp}
  lists/dev     DEST/lists/dev/{cur,new,tmp}      ("/" is the separator)

With --maildir++, Dovecot's default layout (and Courier's): every
mailbox a folder ".lists.dev" of DEST, "." the separator; a name level
that holds a "." cannot be stored that way and is refused.

Mailbox names are UTF-8 on the command line.  Dovecot 2.3 keeps folder
names on disk in modified UTF-7 (RFC 3501 5.1.3) unless mail_location
carries ":UTF-8", so "Archiv/Grüße & Co" becomes the folder
"Archiv/Gr&APwA3w-e &- Co"; LIST then shows the UTF-8 name to an
IMAP4rev1 client in modified UTF-7 again, and a client decodes it.  The
configurations written by t/lib-imapd.sh do not set ":UTF-8", so the
default encoding here matches them; --utf8-names is for stores served with
":UTF-8".

SRC is
  - a file: one message, or an mbox if it starts with "From " (it may be
    xz-compressed: *.xz);
  - a folder: every regular file below it except SOURCE.txt and README*,
    recursively, in sorted path order, each one a message or an mbox.

Messages are stored byte for byte: no line-ending changes.  Of an mbox we
drop the "From " separator line and the one empty line the mbox writer put
before the next separator, and undo the quoting of "From " lines in the
body.  The default is mboxrd (">From " -> "From ", ">>From " -> ">From ",
as written by mutt, Mailman's archives and public-inbox); --mbox=mboxo
unquotes only a single ">From ".  A separator is a "From " line at the
start of the file or after an empty line whose rest looks like an address
and an asctime() date; git format-patch's magic "Mon Sep 17 00:00:00 2001"
line is not a separator (patches are attached to mail unquoted).

Each message becomes cur/<n>.imapeek:2, (n from 1 in load order, so
Dovecot, which orders new Maildir files by the number in front of the name,
gives UIDs in load order).  With --unique-names it is
<n>.<m>.imapeek:2, (m the mailbox's number in argument order), so no two
folders hold a file of the same name, as in a Maildir a mail server wrote:
Courier-IMAP keeps the MIME structure of the last message it read by file
name alone, across mailboxes, and gives another folder's "4.imapeek:2,"
the parts of the first one's.  Its mtime is its Date header (else the mbox
separator's date, else 2000-01-01T00:00:00Z), which Dovecot reports as
INTERNALDATE.  Finally files become 0444 and folders 0555: whoever serves
the store must not be able to change it.

Prints one line per mailbox: "MAILBOX<TAB>COUNT".
"""

import base64
import calendar
import email.utils
import lzma
import os
import re
import sys
import time

FALLBACK_TIME = calendar.timegm((2000, 1, 1, 0, 0, 0))
SEPARATOR = re.compile(
    rb"^From \S+ +(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) +"
    rb"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} +"
    rb"\d{1,2}:\d\d(?::\d\d)? +(?:[A-Z]{3,4} +|[+-]\d{4} +)?\d{4}")
GIT_MAGIC = re.compile(rb"^From [0-9a-f]{40} Mon Sep 17 00:00:00 2001")
SKIP_FILES = re.compile(r"^(SOURCE\.txt|README.*)$")


def die(msg):
    sys.stderr.write("mkmaildir: %s\n" % msg)
    sys.exit(1)


def mutf7_encode(name):
    """RFC 3501 5.1.3 modified UTF-7 of one path segment."""
    out, pending = [], []

    def flush():
        if pending:
            raw = "".join(pending).encode("utf-16-be")
            b64 = base64.b64encode(raw).decode("ascii").rstrip("=")
            out.append("&" + b64.replace("/", ",") + "-")
            pending.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7e:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            pending.append(ch)
    flush()
    return "".join(out)


def is_separator(line):
    return SEPARATOR.match(line) is not None and GIT_MAGIC.match(line) is None


def strip_eol(line):
    if line.endswith(b"\r\n"):
        return line[:-2]
    if line.endswith(b"\n"):
        return line[:-1]
    return line


def unquote(line, style):
    if style == "mboxrd":
        if re.match(rb"^>+From ", line):
            return line[1:]
    elif line.startswith(b">From "):
        return line[1:]
    return line


def split_mbox(data, style):
    """[(message bytes, separator date or None)] of an mbox."""
    lines = data.splitlines(keepends=True)
    messages = []
    current, sep_time = None, None
    prev_empty = True
    for line in lines:
        bare = strip_eol(line)
        if prev_empty and is_separator(bare):
            if current is not None:
                messages.append((finish(current), sep_time))
            current, sep_time = [], separator_time(bare)
            prev_empty = False
            continue
        if current is None:
            die("mbox does not start with a From line")
        current.append(unquote(line, style))
        prev_empty = bare == b""
    if current is not None:
        messages.append((finish(current), sep_time))
    return messages


def finish(lines):
    # The mbox writer's empty line before the next separator (or at the
    # end) is not part of the message.
    if lines and strip_eol(lines[-1]) == b"" and lines[-1] != b"":
        lines = lines[:-1]
    return b"".join(lines)


def separator_time(line):
    m = re.search(rb"((?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) .*\d{4})\s*$", line)
    if not m:
        return None
    text = re.sub(r"\s+", " ", m.group(1).decode("ascii", "replace"))
    for fmt in ("%a %b %d %H:%M:%S %Y", "%a %b %d %H:%M %Y"):
        try:
            return calendar.timegm(time.strptime(text, fmt))
        except ValueError:
            pass
    return None


def date_header_time(msg):
    head = re.split(rb"\r?\n\r?\n", msg, maxsplit=1)[0]
    m = re.search(rb"^Date:[ \t]*(.*(?:\r?\n[ \t].*)*)", head,
                  re.IGNORECASE | re.MULTILINE)
    if not m:
        return None
    text = re.sub(rb"\s+", b" ", m.group(1)).decode("ascii", "replace")
    try:
        parsed = email.utils.parsedate_tz(text)
        if parsed is None:
            return None
        stamp = email.utils.mktime_tz(parsed)
    except (ValueError, OverflowError, TypeError):
        return None
    # Times before 1970 or absurdly far ahead make poor INTERNALDATEs.
    if stamp < 0 or stamp > 4102444800:
        return None
    return stamp


def read_source(path):
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".xz"):
        data = lzma.decompress(data)
    return data


def messages_of_file(path, style):
    data = read_source(path)
    if data.startswith(b"From "):
        return split_mbox(data, style)
    return [(data, None)]


def source_files(src):
    if os.path.isfile(src):
        return [src]
    if not os.path.isdir(src):
        die("%s: no such file or folder" % src)
    found = []
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for name in files:
            full = os.path.join(root, name)
            if SKIP_FILES.match(name) or not os.path.isfile(full) \
                    or os.path.islink(full):
                continue
            found.append(full)
    return sorted(found, key=lambda p: os.path.relpath(p, src))


def mailbox_dir(dest, mailbox, utf8_names, maildirpp=False):
    if mailbox == "INBOX":
        return dest
    segments = mailbox.split("/")
    for seg in segments:
        if seg in ("", ".", "..", "cur", "new", "tmp") or "\0" in seg:
            die("bad mailbox name %r" % mailbox)
        if maildirpp and "." in seg:
            die("%r: a level with '.' has no Maildir++ folder" % mailbox)
    if not utf8_names:
        segments = [mutf7_encode(s) for s in segments]
    if maildirpp:
        return os.path.join(dest, "." + ".".join(segments))
    return os.path.join(dest, *segments)


def make_readonly(dest):
    for root, dirs, files in os.walk(dest, topdown=False):
        for name in files:
            os.chmod(os.path.join(root, name), 0o444)
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o555)
    os.chmod(dest, 0o555)


def main(argv):
    style, utf8_names, maildirpp, unique = "mboxrd", False, False, False
    args = []
    for arg in argv:
        if arg.startswith("--mbox="):
            style = arg[len("--mbox="):]
            if style not in ("mboxrd", "mboxo"):
                die("--mbox must be mboxrd or mboxo")
        elif arg == "--utf8-names":
            utf8_names = True
        elif arg == "--maildir++":
            maildirpp = True
        elif arg == "--unique-names":
            unique = True
        else:
            args.append(arg)
    if len(args) < 2:
        die("usage: mkmaildir.py [--mbox=mboxrd|mboxo] [--utf8-names] "
            "[--maildir++] [--unique-names] DEST MAILBOX=SRC...")
    dest = args[0]
    if os.path.exists(dest) and os.listdir(dest):
        die("%s exists and is not empty" % dest)
    os.makedirs(dest, exist_ok=True)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(dest, sub), exist_ok=True)
    counters = {}
    for spec in args[1:]:
        mailbox, eq, src = spec.partition("=")
        if not eq or not mailbox or not src:
            die("expected MAILBOX=SRC, got %r" % spec)
        folder = mailbox_dir(dest, mailbox, utf8_names, maildirpp)
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(folder, sub), exist_ok=True)
        n = counters.get(mailbox, 0)
        tag = ".%d" % (list(counters).index(mailbox) + 1 if mailbox in counters
                       else len(counters) + 1) if unique else ""
        for path in source_files(src):
            for msg, sep_time in messages_of_file(path, style):
                n += 1
                stamp = date_header_time(msg) or sep_time or FALLBACK_TIME
                name = os.path.join(folder, "cur", "%d%s.imapeek:2," % (n, tag))
                with open(name, "xb") as f:
                    f.write(msg)
                os.utime(name, (stamp, stamp))
        counters[mailbox] = n
    make_readonly(dest)
    for mailbox, n in counters.items():
        print("%s\t%d" % (mailbox, n))


if __name__ == "__main__":
    main(sys.argv[1:])
