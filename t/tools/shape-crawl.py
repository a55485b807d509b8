#!/usr/bin/env python3
"""Crawl every page type of an imapeek site and summarise what it shows.

Usage: shape-crawl.py BASE-URL QUERY...

For t4300: the same mail behind different IMAP servers must give the
same pages.  Asks, in HTML and JSON, for the mailbox list, every index
page (and each month of the chart), every thread-index page, every
message, its raw form and its parts, the thread page and thread.mbox of
every thread, the Atom feed, a search for each QUERY (JSON, Atom, mbox)
and the permalinks of the first messages.  Prints one JSON object:

  statuses    {"200": n, "302": n, ...} over every request
  failures    the first requests answered 5xx (or not at all)
  mailboxes   {name: count} from the mailbox list
  boxes       {name: {"total", "first_page" (Message-IDs of index page
              1), "order" (every Message-ID, index order), "months"
              ({YYYY-MM: bar count}), "month_totals" ({YYYY-MM: total of
              ?month=}), "threads" (sorted message counts per thread),
              "search" ({query: total}), "texts" ({Message-ID: text}),
              "parts" ({Message-ID: [[type, filename]...]} as the thread
              pages list them), "notes" (Message-IDs whose text is a
              note)}}
"""

import http.client
import json
import sys
import threading
import urllib.parse

WORKERS = 4


class Site:
    def __init__(self, base):
        self.parts = urllib.parse.urlsplit(base)
        self.statuses = {}
        self.failures = []
        self.lock = threading.Lock()
        self.local = threading.local()

    def conn(self):
        if not getattr(self.local, "conn", None):
            self.local.conn = http.client.HTTPConnection(
                self.parts.hostname, self.parts.port, timeout=120)
        return self.local.conn

    def get(self, path, headers=None):
        # A kept connection the server closed while it sat idle (the
        # server's request-head deadline) fails before any answer: ask
        # again on a new one, as HTTP clients do (RFC 9112 9.3.1).
        for attempt in (0, 1):
            response = None
            try:
                conn = self.conn()
                conn.request("GET", path, headers=headers or {})
                response = conn.getresponse()
                body = response.read()
                status = response.status
                break
            except (http.client.RemoteDisconnected, ConnectionResetError,
                    BrokenPipeError) as e:
                self.local.conn = None
                status, body = 0, str(e).encode()
                if attempt or response or not getattr(conn, "used", False):
                    break
            except (OSError, http.client.HTTPException) as e:
                self.local.conn = None
                status, body = 0, str(e).encode()
                break
        if status:
            conn.used = True
        with self.lock:
            self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1
            if status == 0 or status >= 500:
                if len(self.failures) < 10:
                    self.failures.append("%s %s" % (status, path))
        return status, body

    def json(self, path):
        sep = "&" if "?" in path else "?"
        status, body = self.get(path + sep + "format=json")
        try:
            return json.loads(body) if status == 200 else None
        except ValueError:
            with self.lock:
                self.failures.append("not JSON: %s" % path)
            return None

    def parallel(self, items, work):
        items = list(items)
        lock = threading.Lock()

        def run():
            while True:
                with lock:
                    if not items:
                        return
                    item = items.pop()
                work(item)
        threads = [threading.Thread(target=run) for _ in range(WORKERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


def quote_path(name):
    return "/".join(urllib.parse.quote(s, safe="") for s in name.split("/"))


def crawl_box(site, name, queries):
    box = {"texts": {}, "parts": {}, "notes": [], "search": {}, "months": {},
           "month_totals": {}}
    root = "/" + quote_path(name) + "/"
    site.get(root)
    order, uids, url = [], [], root
    first = None
    while url:
        page = site.json(url)
        if not page:
            break
        if first is None:
            first = page
            box["total"] = page["total"]
            box["first_page"] = [m["message_id"] for m in page["messages"]]
        order += [m["message_id"] for m in page["messages"]]
        uids += [m["uid"] for m in page["messages"]]
        url = page["next"]
    box["order"] = order
    for bar in (first or {}).get("months", []):
        box["months"][bar["month"]] = bar["messages"]
        if bar["messages"]:
            page = site.json(root + "?month=" + bar["month"])
            box["month_totals"][bar["month"]] = page["total"] if page else None
    # thread index, every page
    sizes, thread_uids, url = [], [], root + "threads/"
    site.get(url)
    while url:
        page = site.json(url)
        if not page:
            break
        for t in page["threads"]:
            sizes.append(t["messages"])
            thread_uids.append(t["uid"])
        url = page["next"]
    box["threads"] = sorted(sizes)

    def message(uid):
        path = root + str(uid)
        site.get(path)
        site.get(path + "/raw")
        data = site.json(path)
        if not data:
            return
        for part in data["parts"]:
            site.get(part["url"])
        with site.lock:
            box["texts"][data["message_id"] or "uid-%d" % uid] = data["text"]
            if "could not be read" in data["text"]:
                box["notes"].append(data["message_id"])
    site.parallel(uids, message)

    def thread(uid):
        path = root + "%d/thread" % uid
        site.get(path)
        data = site.json(path)
        site.get(path + ".mbox")
        for msg in (data or {}).get("messages", []):
            with site.lock:
                box["parts"][msg["message_id"] or "uid-%d" % msg["uid"]] = \
                    [[part["type"], part["filename"]] for part in msg["parts"]]
    site.parallel(thread_uids, thread)
    site.get(root + "new.atom")
    for q in queries:
        quoted = urllib.parse.quote(q, safe="")
        page = site.json(root + "search?q=" + quoted)
        box["search"][q] = page["total"] if page else None
        site.get(root + "search?q=" + quoted + "&format=atom")
        site.get(root + "search?q=" + quoted + "&format=mbox")
    for msgid in [m for m in order[:3] if m]:
        quoted = urllib.parse.quote(msgid, safe="")
        site.get(root + "m/" + quoted)
        site.get("/m/" + quoted)
    return box


def main():
    site = Site(sys.argv[1])
    queries = sys.argv[2:]
    out = {"mailboxes": {}, "boxes": {}}
    site.get("/")
    listing = site.json("/") or {"mailboxes": []}
    for mailbox in listing["mailboxes"]:
        out["mailboxes"][mailbox["name"]] = mailbox["messages"]
    for name in out["mailboxes"]:
        out["boxes"][name] = crawl_box(site, name, queries)
    out["statuses"] = site.statuses
    out["failures"] = site.failures
    json.dump(out, sys.stdout, ensure_ascii=False, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
