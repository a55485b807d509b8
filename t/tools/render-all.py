#!/usr/bin/env python3
"""Render every message of a mailbox through imapeek over HTTP.

Usage: render-all.py BASE-URL MAILBOX-PATH COUNT [WORKERS]

Asks for /MAILBOX-PATH/UID as HTML and as JSON for UID 1..COUNT (the test
stores give UIDs in load order), on one keep-alive connection per worker.
An answer is good when it is 200, the HTML holds the message's body
<div>, and the JSON parses with a "text" string.  Prints "key value"
lines: messages, good, html-200, json-200, seconds, and up to 10
failures; exit status 0 when every message was good.
"""

import http.client
import json
import sys
import threading
import time
import urllib.parse


def main():
    base, path, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    workers = int(sys.argv[4]) if len(sys.argv) > 4 else 4
    parts = urllib.parse.urlsplit(base)
    lock = threading.Lock()
    figures = {"messages": 0, "good": 0, "html-200": 0, "json-200": 0}
    failures = []
    next_uid = [1]
    started = time.monotonic()

    def fail(uid, why):
        with lock:
            if len(failures) < 10:
                failures.append("%d %s" % (uid, why))

    def get(conn, url):
        for attempt in (0, 1):
            try:
                conn.request("GET", url)
                response = conn.getresponse()
                return conn, response.status, response.read()
            except (http.client.HTTPException, OSError):
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
                if attempt:
                    raise
        raise AssertionError

    def worker():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        while True:
            with lock:
                uid = next_uid[0]
                next_uid[0] += 1
            if uid > count:
                break
            good = True
            conn, status, body = get(conn, "%s%d" % (path, uid))
            if status == 200 and b'<div class="body">' in body:
                with lock:
                    figures["html-200"] += 1
            else:
                good = False
                fail(uid, "html %d" % status)
            conn, status, body = get(conn, "%s%d?format=json" % (path, uid))
            try:
                ok = status == 200 and isinstance(json.loads(body)["text"], str)
            except (ValueError, KeyError, TypeError):
                ok = False
            if ok:
                with lock:
                    figures["json-200"] += 1
            else:
                good = False
                fail(uid, "json %d" % status)
            with lock:
                figures["messages"] += 1
                figures["good"] += good
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for key, value in figures.items():
        print("%s %d" % (key, value))
    print("seconds %.1f" % (time.monotonic() - started))
    for line in failures:
        print("failure %s" % line)
    return 0 if figures["good"] == count else 1


if __name__ == "__main__":
    sys.exit(main())
