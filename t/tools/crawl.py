#!/usr/bin/env python3
"""Crawl a mailbox through imapeek over HTTP, as a script user would.

Usage: crawl.py BASE-URL MAILBOX-PATH

Walks the index JSON from page 1 along "next", then asks for every
message page (HTML) the index listed, on one keep-alive connection per
worker thread.  Prints one "key value" line per figure: pages, messages,
total (what page 1 said), requests, status counts, seconds, and the first
few failures.  Exit status 0 when every answer was 200.
"""

import http.client
import json
import sys
import threading
import time
import urllib.parse

WORKERS = 4


def connection(base):
    parts = urllib.parse.urlsplit(base)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)


def get(conn, path):
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    return response.status, body


def main():
    base, mailbox_path = sys.argv[1], sys.argv[2]
    started = time.monotonic()
    statuses = {}
    failures = []
    lock = threading.Lock()

    def count(status, path):
        with lock:
            statuses[status] = statuses.get(status, 0) + 1
            if status != 200 and len(failures) < 10:
                failures.append("%d %s" % (status, path))

    conn = connection(base)
    path = mailbox_path + "?format=json"
    uids, pages, total, page_totals = [], 0, None, set()
    while path:
        status, body = get(conn, path)
        count(status, path)
        if status != 200:
            break
        index = json.loads(body)
        pages += 1
        page_totals.add(index["total"])
        if total is None:
            total = index["total"]
        uids.extend(m["url"] for m in index["messages"])
        path = index["next"]
        if path:
            path += "&format=json"
    conn.close()

    queue = list(uids)

    def worker():
        conn = connection(base)
        while True:
            with lock:
                if not queue:
                    break
                url = queue.pop()
            try:
                status, _ = get(conn, url)
            except (http.client.HTTPException, OSError):
                conn.close()
                conn = connection(base)
                status = 0
            count(status, url)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - started

    print("pages %d" % pages)
    print("messages %d" % len(uids))
    print("distinct %d" % len(set(uids)))
    print("total %s" % total)
    print("totals-consistent %s" % ("yes" if len(page_totals) == 1 else "no"))
    print("requests %d" % sum(statuses.values()))
    for status in sorted(statuses):
        print("status-%d %d" % (status, statuses[status]))
    print("seconds %.1f" % seconds)
    for failure in failures:
        print("failure %s" % failure)
    return 0 if set(statuses) == {200} else 1


if __name__ == "__main__":
    sys.exit(main())
