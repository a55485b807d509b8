#!/usr/bin/env python3
"""Generate imapeek's sample archive: one mboxrd file per mailbox.

Usage: gen-sample.py OUTDIR

Writes OUTDIR/<n>.mbox and OUTDIR/MAILBOXES, whose lines are
"MAILBOX<TAB>FILE" (the mailbox names hold spaces and non-ASCII letters).
The output is the same on every run: a fixed random seed, fixed dates,
Message-IDs made from counters.  make run and tests that must run without
the shared corpora serve it through Dovecot (t/tools/run-sample.sh,
sample_store in t/lib-imapd.sh).

What is in it (about 200 messages):

  mailbox            threads and messages
  lists/dev          "[PATCH v3 0/4] session: spawn the imapd without a shell"
                     "RFC: what should the thread index show?" (45 messages,
                       the long thread: deep and wide replies, quoted text)
                     "Grüße aus Köln" (UTF-8, Q), "Отчёт о сборке" (KOI8-R, B),
                     "文字化けのテスト" (Shift_JIS, B), "Café crème" (ISO-8859-1)
                     format=flowed, text/markdown, multipart/alternative
                     text+HTML, a PDF and a PNG attached, a forwarded
                     message/rfc822, the hostile message (markup in the
                     subject, the sender's name, the body and an HTML part)
                     a body line starting with "From ", filler threads
                     of three to seven messages
  lists/announce     release announcements, one message each
  INBOX              a few personal threads
  Archiv/Grüße & Co  a name with a space, "&" and "ü"/"ß"; old greetings
  private/secret     messages a deployment hides (hide = private/*)

People: Alice Archer (plain ASCII), Björn Ångström (ISO-8859-1 name),
Дмитрий Иванов (KOI8-R name), 山田 太郎 (Shift_JIS name), Zoë Müller
(UTF-8 name), Release Bot, and the hostile "><svg onload=alert(1)>.
"""

import base64
import datetime
import os
import random
import sys

SEED = 20240317
START = datetime.datetime(2023, 1, 9, 8, 0, tzinfo=datetime.timezone.utc)
DOMAIN = "sample.imapeek.example"

PEOPLE = {
    "alice": ("Alice Archer", "alice@example.org", None),
    "bjorn": ("Björn Ångström", "bjorn@example.se", ("iso-8859-1", "Q")),
    "dima": ("Дмитрий Иванов", "dima@example.ru", ("koi8-r", "B")),
    "taro": ("山田 太郎", "taro@example.jp", ("shift_jis", "B")),
    "zoe": ("Zoë Müller", "zoe@example.de", ("utf-8", "Q")),
    "bot": ("Release Bot", "release@example.org", None),
    "evil": ('"><svg onload=alert(1)>', "mallory@example.net", None),
}
LIST_ADDR = {"lists/dev": "dev@lists.example.org",
             "lists/announce": "announce@lists.example.org"}

SENTENCES = [
    "The session layer only ever sends EXAMINE, never SELECT.",
    "I measured the fresh imapd start at about eleven milliseconds.",
    "Could we keep the SORT results per worker, keyed by UIDNEXT?",
    "The parser must stop in the middle of a literal and resume.",
    "A 2 GiB literal announced by the server is refused before malloc.",
    "Templates escape by default; there is no raw filter.",
    "I tried it on the openbmc archive and the index page felt instant.",
    "Maildir flags live in the file names, so the store stays untouched.",
    "What happens when the imapd dies half-way through a FETCH?",
    "We answer 504 when the imapd does not say anything in time.",
    "The thread page should show the depth of every reply.",
    "Percent-encoding each mailbox segment keeps the slash meaningful.",
    "RFC 2047 words in a display name must be decoded before escaping.",
    "I would rather not cache anything that depends on the request.",
]


# ---- encoding --------------------------------------------------------------

def encoded_word(text, charset, enc):
    """RFC 2047 encoded words, split so each stays under 75 characters."""
    words, chunk = [], ""
    for ch in text:
        if len((chunk + ch).encode(charset)) > 30:
            words.append(chunk)
            chunk = ""
        chunk += ch
    if chunk:
        words.append(chunk)
    out = []
    for word in words:
        raw = word.encode(charset)
        if enc == "B":
            payload = base64.b64encode(raw).decode("ascii")
        else:
            payload = "".join(
                chr(b) if (chr(b).isalnum() and b < 128) else
                "_" if b == 32 else "=%02X" % b for b in raw)
        out.append("=?%s?%s?%s?=" % (charset, enc, payload))
    return "\r\n ".join(out).replace("\r\n", "\n")


def header_text(text, encoding=None):
    if encoding is None:
        try:
            text.encode("ascii")
            return text
        except UnicodeEncodeError:
            encoding = ("utf-8", "Q")
    return encoded_word(text, *encoding)


def address(who):
    name, addr, encoding = PEOPLE[who]
    if encoding is None:
        if any(c in name for c in '"\\<>(),;:@'):
            name = '"%s"' % name.replace("\\", "\\\\").replace('"', '\\"')
        return "%s <%s>" % (name, addr)
    return "%s <%s>" % (encoded_word(name, *encoding), addr)


def fold_b64(data):
    text = base64.b64encode(data).decode("ascii")
    return "\n".join(text[i:i + 76] for i in range(0, len(text), 76))


# ---- the archive -------------------------------------------------------------

class Archive:
    def __init__(self):
        self.rng = random.Random(SEED)
        self.clock = START
        self.serial = 0
        self.mailboxes = {}

    def tick(self, minutes=None):
        if minutes is None:
            minutes = self.rng.randint(7, 600)
        self.clock += datetime.timedelta(minutes=minutes)
        return self.clock

    def add(self, mailbox, who, subject, body, headers=(), content_type=None,
            parent=None, to=None, subject_encoding=None, extra_mime=()):
        """One message; returns its (Message-ID, References, body)."""
        self.serial += 1
        msgid = "%04d.%s@%s" % (self.serial, who, DOMAIN)
        date = self.tick()
        lines = [
            "From: " + address(who),
            "To: " + (to or LIST_ADDR.get(mailbox, "alice@example.org")),
            "Subject: " + header_text(subject, subject_encoding),
            "Date: " + date.strftime("%a, %d %b %Y %H:%M:%S +0000"),
            "Message-ID: <%s>" % msgid,
        ]
        refs = []
        if parent is not None:
            refs = parent[1] + [parent[0]]
            lines.append("In-Reply-To: <%s>" % parent[0])
            lines.append("References: " +
                         "\n ".join("<%s>" % r for r in refs))
        if mailbox in LIST_ADDR:
            lines.append("List-Id: <%s>" % LIST_ADDR[mailbox].replace("@", "."))
        lines.extend(headers)
        lines.append("MIME-Version: 1.0")
        lines.append("Content-Type: " +
                     (content_type or "text/plain; charset=utf-8"))
        lines.extend(extra_mime)
        if isinstance(body, str):
            body = body.encode("utf-8")
        msg = ("\n".join(lines) + "\n\n").encode("utf-8") + body
        if not msg.endswith(b"\n"):
            msg += b"\n"
        self.mailboxes.setdefault(mailbox, []).append(
            (msg, date, PEOPLE[who][1]))
        return (msgid, refs, body)

    def prose(self, count):
        return " ".join(self.rng.choice(SENTENCES) for _ in range(count))

    def wrap(self, text, width=68):
        out, line = [], ""
        for word in text.split():
            if line and len(line) + 1 + len(word) > width:
                out.append(line)
                line = word
            else:
                line = line + " " + word if line else word
        out.append(line)
        return "\n".join(out)

    def reply_body(self, parent, who):
        quoted = [l for l in parent[2].decode("utf-8", "replace").split("\n")
                  if l and not l.startswith(">") and not l.startswith("--")]
        quote = "\n".join("> " + l for l in quoted[:3])
        return "%s wrote:\n%s\n\n%s\n\n-- \n%s\n" % (
            "On an earlier day someone", quote,
            self.wrap(self.prose(self.rng.randint(1, 3))), PEOPLE[who][0])

    def thread(self, mailbox, subject, cast, length, subject_encoding=None,
               first_body=None):
        """A thread of length messages; replies go to a random earlier one,
        mostly the latest, so it grows both deep and wide."""
        first = cast[0]
        root = self.add(mailbox, first, subject,
                        first_body or self.wrap(self.prose(3)) + "\n",
                        subject_encoding=subject_encoding)
        messages = [root]
        for _ in range(length - 1):
            if self.rng.random() < 0.6:
                parent = messages[-1]
            else:
                parent = self.rng.choice(messages)
            who = self.rng.choice(cast)
            messages.append(self.add(
                mailbox, who, "Re: " + subject, self.reply_body(parent, who),
                parent=parent, subject_encoding=subject_encoding))
        return messages


def pdf_bytes():
    """A small, well-formed one-page PDF (binary bytes included)."""
    return (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
            b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
            b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>"
            b" endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def png_bytes():
    """A 1x1 transparent PNG."""
    return base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
        "YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


def build():
    a = Archive()
    dev = "lists/dev"

    a.thread(dev, "[PATCH v3 0/4] session: spawn the imapd without a shell",
             ["alice", "zoe", "bjorn", "dima"], 6)
    a.thread(dev, "RFC: what should the thread index show?",
             ["alice", "bjorn", "dima", "taro", "zoe"], 45)
    a.thread(dev, "Grüße aus Köln", ["zoe", "bjorn", "alice"], 4)
    a.thread(dev, "Отчёт о сборке", ["dima", "alice"], 3,
             subject_encoding=("koi8-r", "B"))
    a.thread(dev, "文字化けのテスト", ["taro", "alice", "zoe"], 3,
             subject_encoding=("shift_jis", "B"))
    a.thread(dev, "Café crème and the ISO-8859-1 names", ["bjorn", "alice"],
             2, subject_encoding=("iso-8859-1", "Q"))

    # A Latin-1 body, to be converted to UTF-8 by the gateway.
    a.add(dev, "bjorn", "Smörgåsbord of charsets",
          "Hej! Smörgåsbord, Ångström, café.\n".encode("iso-8859-1"),
          content_type="text/plain; charset=iso-8859-1",
          extra_mime=["Content-Transfer-Encoding: 8bit"])

    # format=flowed: soft line breaks end in a space.
    a.add(dev, "zoe", "format=flowed: one paragraph, many lines",
          "This paragraph was written as one long line and sent as \n"
          "format=flowed, so the reader joins these lines back into \n"
          "one paragraph.\n\n"
          "> A quoted flowed line that goes on and on and was wrapped \n"
          "> by the mailer.\n\n"
          "Signature follows.\n-- \nZoë\n",
          content_type="text/plain; charset=utf-8; format=flowed")

    # A Markdown part next to the plain text.
    a.add(dev, "alice", "Release notes draft (text/markdown)",
          "--md-boundary\n"
          "Content-Type: text/plain; charset=utf-8\n\n"
          "The draft is attached as Markdown.\n\n"
          "--md-boundary\n"
          "Content-Type: text/markdown; charset=utf-8\n"
          "Content-Disposition: inline; filename=\"NOTES.md\"\n\n"
          "# imapeek 0.1\n\n* read-only by construction\n"
          "* threads, search, Atom\n\n[link](https://example.org/)\n\n"
          "--md-boundary--\n",
          content_type='multipart/mixed; boundary="md-boundary"')

    # multipart/alternative text + HTML.
    a.add(dev, "dima", "Build dashboard (HTML mail)",
          "--alt-1\n"
          "Content-Type: text/plain; charset=utf-8\n\n"
          "All 42 builds are green.\n\n"
          "--alt-1\n"
          "Content-Type: text/html; charset=utf-8\n\n"
          "<html><body><p>All <b>42</b> builds are "
          "<span style=\"color:green\">green</span>.</p>"
          "<img src=\"https://tracker.example.net/pixel.gif\"></body></html>\n\n"
          "--alt-1--\n",
          content_type='multipart/alternative; boundary="alt-1"')

    # Attachments: a PDF and a PNG.
    a.add(dev, "taro", "Slides and a screenshot",
          "--mix-2\n"
          "Content-Type: text/plain; charset=utf-8\n\n"
          "Slides from the meetup and a screenshot of the thread page.\n\n"
          "--mix-2\n"
          "Content-Type: application/pdf; name=\"slides.pdf\"\n"
          "Content-Disposition: attachment; filename=\"slides.pdf\"\n"
          "Content-Transfer-Encoding: base64\n\n" + fold_b64(pdf_bytes()) +
          "\n\n--mix-2\n"
          "Content-Type: image/png; name=\"thread.png\"\n"
          "Content-Disposition: attachment; filename*=utf-8''"
          "%E3%82%B9%E3%83%AC%E3%83%83%E3%83%89.png\n"
          "Content-Transfer-Encoding: base64\n\n" + fold_b64(png_bytes()) +
          "\n\n--mix-2--\n",
          content_type='multipart/mixed; boundary="mix-2"')

    # A forwarded message as message/rfc822.
    a.add(dev, "alice", "Fwd: Dovecot read-only question",
          "--fwd-3\n"
          "Content-Type: text/plain; charset=utf-8\n\n"
          "Forwarding this, it answers our question about INDEX=.\n\n"
          "--fwd-3\n"
          "Content-Type: message/rfc822\n"
          "Content-Disposition: inline\n\n"
          "From: Timo <timo@example.fi>\n"
          "To: alice@example.org\n"
          "Subject: Re: Dovecot read-only question\n"
          "Date: Mon, 02 Jan 2023 12:00:00 +0200\n"
          "Message-ID: <forwarded.1@example.fi>\n"
          "Content-Type: text/plain; charset=utf-8\n\n"
          "Put the indexes elsewhere with INDEX= and CONTROL=.\n\n"
          "--fwd-3--\n",
          content_type='multipart/mixed; boundary="fwd-3"')

    # The hostile message: markup everywhere a page shows text.
    a.add(dev, "evil", "<script>alert(1)</script> \"quotes\" & 'ticks'",
          "--evil-4\n"
          "Content-Type: text/plain; charset=utf-8\n\n"
          "Click <a href=\"javascript:alert(1)\">here</a> or "
          "javascript:alert(document.cookie)\n"
          "\"><svg onload=alert(1)> </textarea><script>alert(2)</script>\n\n"
          "--evil-4\n"
          "Content-Type: text/html; charset=utf-8\n\n"
          "<p onclick=\"alert(3)\">Hi</p><script>alert(4)</script>"
          "<a href=\"javascript:alert(5)\">link</a>"
          "<iframe src=\"https://evil.example.net/\"></iframe>\n\n"
          "--evil-4--\n",
          content_type='multipart/alternative; boundary="evil-4"',
          headers=["X-Note: <img src=x onerror=alert(6)>"])

    filler = [
        ("Build fails on arm64", ["dima", "alice", "taro"]),
        ("Percent-encoding of mailbox names", ["zoe", "bjorn"]),
        ("ETag for the thread page", ["alice", "dima"]),
        ("Atom feed dates are off by one hour", ["bjorn", "zoe", "alice"]),
        ("Search: since: and before:", ["taro", "alice"]),
        ("Timeouts when the imapd hangs", ["dima", "zoe", "alice", "bjorn"]),
        ("Obfuscating addresses", ["zoe", "alice"]),
        ("Packaging for Debian", ["bjorn", "dima", "taro"]),
        ("FastCGI under nginx", ["alice", "taro", "zoe"]),
        ("Large attachments and max-literal", ["dima", "bjorn"]),
        ("The 304 path", ["alice", "zoe"]),
        ("Template escaping review", ["taro", "zoe", "dima"]),
        ("UIDVALIDITY changes after a restore", ["dima", "alice"]),
        ("Mailbox list ordering", ["zoe", "taro"]),
        ("CSP header on error pages", ["alice", "bjorn", "zoe"]),
        ("Benchmarks with wrk", ["taro", "dima", "alice"]),
    ]
    for subject, cast in filler:
        a.thread(dev, subject, cast, a.rng.randint(3, 7))

    # A body line starting with "From ": the mbox quotes it, the message
    # keeps it.
    a.add(dev, "alice", "Lines starting with From",
          "From the mbox's point of view this line needs quoting.\n"
          ">From this one too, one level deeper.\n")

    for version in range(1, 21):
        a.add("lists/announce", "bot", "imapeek 0.%d released" % version,
              "imapeek 0.%d is out.\n\n%s\n" % (
                  version, a.wrap(a.prose(2))))

    for subject, cast, length in [
            ("Lunch on Friday?", ["bjorn", "alice"], 4),
            ("Your talk proposal", ["zoe", "alice"], 3),
            ("Keys for the server room", ["dima", "alice"], 2),
            ("Re: photos", ["taro", "alice"], 3),
            ("Invoice 2023-04", ["bot", "alice"], 1)]:
        a.thread("INBOX", subject, cast, length)

    gruesse = "Archiv/Grüße & Co"
    for subject, cast, length in [
            ("Frohe Weihnachten", ["zoe", "bjorn"], 3),
            ("Grüße aus Wien", ["zoe", "alice"], 2),
            ("С Новым годом", ["dima", "zoe"], 2),
            ("あけましておめでとう", ["taro", "zoe"], 2),
            ("Urlaubsgrüße", ["bjorn", "zoe", "alice"], 4)]:
        a.thread(gruesse, subject, cast, length)

    for n in range(1, 6):
        a.add("private/secret", "alice", "Secret note %d" % n,
              "This mailbox is hidden by the sample configuration.\n",
              to="alice@example.org")
    return a


def mboxrd(messages):
    out = []
    for msg, date, sender in messages:
        out.append(b"From %s %s\n" % (
            sender.encode("ascii"),
            date.strftime("%a %b %d %H:%M:%S %Y").encode("ascii")))
        for line in msg.splitlines(keepends=True):
            if line.lstrip(b">").startswith(b"From "):
                line = b">" + line
            out.append(line)
        out.append(b"\n")
    return b"".join(out)


def main(argv):
    if len(argv) != 1:
        sys.stderr.write("usage: gen-sample.py OUTDIR\n")
        return 64
    outdir = argv[0]
    os.makedirs(outdir, exist_ok=True)
    archive = build()
    index = []
    for n, (mailbox, messages) in enumerate(archive.mailboxes.items(), 1):
        name = "%d.mbox" % n
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(mboxrd(messages))
        index.append("%s\t%s\n" % (mailbox, name))
    with open(os.path.join(outdir, "MAILBOXES"), "w", encoding="utf-8") as f:
        f.write("".join(index))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
