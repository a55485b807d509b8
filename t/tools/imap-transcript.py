#!/usr/bin/env python3
"""Run raw IMAP commands against a pre-authenticated imapd; print the talk.

Usage: imap-transcript.py [--timeout=SECONDS] [--stderr=FILE] COMMAND...

The imapd is IMAPD_CMD (words split like imapeek.conf's "imapd" key:
blanks separate, double quotes group, backslash escapes " and \\ inside
them; run without a shell) with exactly the environment IMAPD_ENV
(space-separated NAME=VALUE words), both taken from the environment.  It
talks over two pipes, as imapeek does.

Each COMMAND is an IMAP command without its tag; the helper tags them t1,
t2, ... and sends each one after the tagged answer to the previous one.  A
literal is written as "{N}" or "{N+}" followed by a newline and then the N
bytes: the helper waits for the "+" continuation (not for "{N+}") before
sending them.  LOGOUT is always sent last, so an imapd that spins when its
input closes (GNU imap4d) still ends.

Output: "C: line" for what was sent, "S: line" for every line received
(CRLF removed); a server literal is printed after its line, raw.  Exit
status: 0 when the imapd answered everything and exited, 2 on a timeout
(per answer), 3 when it died or closed the connection early.  The imapd's
standard error (Dovecot and imap4d log there when run like this) goes to
FILE when --stderr is given (appended), else to ours.
"""

import os
import re
import select
import signal
import subprocess
import sys
import time

LITERAL_OUT = re.compile(rb"\{(\d+)(\+?)\}\n")
LITERAL_IN = re.compile(rb"\{(\d+)\}\r?\n$")


def split_words(line):
    words, cur, in_word, quoted, i = [], [], False, False, 0
    while i < len(line):
        ch = line[i]
        if quoted:
            if ch == "\\" and i + 1 < len(line) and line[i + 1] in '"\\':
                cur.append(line[i + 1])
                i += 1
            elif ch == '"':
                quoted = False
            else:
                cur.append(ch)
        elif ch == '"':
            quoted, in_word = True, True
        elif ch in " \t":
            if in_word:
                words.append("".join(cur))
                cur, in_word = [], False
        else:
            cur.append(ch)
            in_word = True
        i += 1
    if quoted:
        raise ValueError("unbalanced quote in IMAPD_CMD")
    if in_word:
        words.append("".join(cur))
    return words


class Timeout(Exception):
    pass


class Closed(Exception):
    pass


class Conn:
    def __init__(self, argv, env, timeout, stderr):
        self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=stderr,
                                     bufsize=0)
        self.timeout = timeout
        self.pending = b""
        self.out = sys.stdout.buffer

    def _fill(self):
        deadline = time.monotonic() + self.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout()
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    raise Closed()
                self.pending += chunk
                return

    def read_line(self):
        while b"\n" not in self.pending:
            self._fill()
        line, _, self.pending = self.pending.partition(b"\n")
        return line + b"\n"

    def read_bytes(self, count):
        while len(self.pending) < count:
            self._fill()
        data, self.pending = self.pending[:count], self.pending[count:]
        return data

    def response(self):
        """One whole response (line plus its literals); printed."""
        first = None
        while True:
            line = self.read_line()
            self.out.write(b"S: " + line.rstrip(b"\r\n") + b"\n")
            if first is None:
                first = line
            m = LITERAL_IN.search(line)
            if not m:
                break
            self.out.write(self.read_bytes(int(m.group(1))))
            self.out.write(b"\n")
        self.out.flush()
        return first

    def send(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def command(self, tag, text):
        parts = LITERAL_OUT.split(text)
        # parts: text, count, plus, text, count, plus, ...
        wire, i = tag + b" ", 0
        remaining = parts[0]
        shown = tag + b" " + parts[0]
        i = 1
        while i < len(parts):
            count, plus = int(parts[i]), parts[i + 1]
            body = parts[i + 2]
            literal, rest = body[:count], body[count:]
            wire += remaining + b"{%d%s}\r\n" % (count, plus)
            self.send(wire)
            self.out.write(b"C: " + shown + b"{%d%s}\n" % (count, plus))
            wire = b""
            if not plus:
                while True:
                    first = self.response()
                    if first.startswith(b"+"):
                        break
                    if first.startswith(tag + b" "):
                        return first
            self.out.write(literal + b"\n")
            wire, remaining, shown = literal, rest, rest
            i += 3
        self.send(wire + remaining + b"\r\n")
        self.out.write(b"C: " + shown + b"\n")
        self.out.flush()
        while True:
            first = self.response()
            if first.startswith(tag + b" "):
                return first


def main(argv):
    timeout = 10.0
    stderr = None
    commands = []
    for arg in argv:
        if arg.startswith("--timeout="):
            timeout = float(arg[len("--timeout="):])
        elif arg.startswith("--stderr="):
            stderr = open(arg[len("--stderr="):], "ab")
        else:
            commands.append(arg.encode("utf-8", "surrogateescape"))
    cmd = os.environ.get("IMAPD_CMD")
    if not cmd:
        sys.stderr.write("imap-transcript: IMAPD_CMD is not set\n")
        return 64
    env = {}
    for word in os.environ.get("IMAPD_ENV", "").split():
        name, eq, value = word.partition("=")
        if eq:
            env[name] = value
    conn = Conn(split_words(cmd), env, timeout, stderr)
    status = 0
    try:
        conn.response()
        n = 0
        for text in commands:
            n += 1
            conn.command(b"t%d" % n, text)
        conn.command(b"t%d" % (n + 1), b"LOGOUT")
    except Timeout:
        sys.stdout.write("# timeout after %gs\n" % timeout)
        status = 2
    except (Closed, BrokenPipeError):
        sys.stdout.write("# connection closed by the imapd\n")
        status = 3
    sys.stdout.flush()
    try:
        conn.proc.stdin.close()
    except BrokenPipeError:
        pass
    try:
        conn.proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        conn.proc.send_signal(signal.SIGKILL)
        conn.proc.wait()
        status = status or 2
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
