#!/usr/bin/env python3
"""Crawl an imapeek site mounted under a path, as a visitor's browser would.

Usage: deploy-crawl.py [--per-kind N] [--query WORD] [--max-pages N]
                       [--refused STATUS]... ROOT-URL

ROOT-URL is the public URL of the archive's root with its trailing slash
(http://127.0.0.1:8081/archive/).  Starting there, the crawl follows every
link (href, src), form (the search form, submitted with WORD), redirect
Location and JSON url (the "url", "*_url", "next" and "prev" keys) that
leads into the site, breadth first, and asks for the ?format=json form of
every page that has one.  Of each kind of page in each mailbox (index
pages, months, threads, messages, raw, parts, thread, thread.mbox,
search, its feed and mbox, Atom, permalinks) it asks for N at most, so
the crawl visits every kind of page in every mailbox in a few hundred
requests (and stops after --max-pages, 2000 by default, failing).  A link
into a mailbox that the mailbox list does not name is a failure, not
followed: a gateway that takes the wrong root produces ever longer ones.  It then asks for the permalinks of the messages it saw, each
mailbox without its trailing slash, a page again with its ETag, a %2F
inside a segment, and other methods than GET (to be answered with a
--refused STATUS; 403 or 405 by default).

Output is TAP without the plan: "ok - ..." / "not ok - ..." lines with
"#" diagnostics (t/lib.sh's tap_lines counts them), and "# figure NAME
VALUE" lines: requests, seconds, pages of each kind.

Links to other hosts (a message's https://example.org/) are left alone;
a link to the loopback host on another port or path is a failure: that
is what a gateway that does not know where it is mounted produces.
"""

import argparse
import html.parser
import http.client
import json
import re
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

WORKERS = 4
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
GOOD = {200, 301, 302, 304}
# Kinds that must each be seen answered, and those with a JSON form.
REQUIRED = ["list", "index", "index-page", "index-month", "threads",
            "message", "raw", "part", "thread", "thread.mbox", "search",
            "search-atom", "search-mbox", "atom", "permalink",
            "permalink-any"]
JSON_KINDS = {"list", "index", "index-page", "index-month", "threads",
              "threads-page", "message", "thread", "search"}
# Answers whose links are the mail's own, not the site's.
CONTENT_KINDS = {"raw", "part", "thread.mbox", "search-mbox"}


class Links(html.parser.HTMLParser):
    """href and src of every element, and the forms with their fields."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls = []
        self.forms = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src"):
            if attrs.get(name) is not None:
                self.urls.append(attrs[name])
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "",
                               "method": (attrs.get("method") or "get").lower(),
                               "fields": []})
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["fields"].append(attrs["name"])


def json_urls(value):
    """The URLs of a JSON answer, as t/lib-front.sh's front_urls finds them."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and (key == "url" or key.endswith("_url")
                                          or key in ("next", "prev")):
                found.append(item)
            found += json_urls(item)
    elif isinstance(value, list):
        for item in value:
            found += json_urls(item)
    return found


class Crawl:
    def __init__(self, root, per_kind, query, max_pages):
        self.root = root
        parts = urllib.parse.urlsplit(root)
        self.host, self.port = parts.hostname, parts.port or 80
        self.origin = "%s://%s" % (parts.scheme, parts.netloc)
        self.prefix = parts.path
        self.per_kind = per_kind
        self.query = query
        self.lock = threading.Lock()
        self.local = threading.local()
        self.statuses = {}
        self.bad_status = []
        self.bad_links = []
        self.external = set()
        self.kinds = {}
        self.seen = set()
        self.taken = {}
        self.links_checked = 0
        self.etags = []
        self.message_ids = {}
        self.feeds = []
        self.mailboxes = []
        self.boxes = None
        self.requests = 0
        self.visits = 0
        self.max_pages = max_pages
        self.stopped = False

    # -- HTTP ------------------------------------------------------------

    def conn(self):
        if getattr(self.local, "conn", None) is None:
            self.local.conn = http.client.HTTPConnection(
                self.host, self.port, timeout=120)
        return self.local.conn

    def request(self, method, target, headers=None, body=None):
        """(status, headers dict lower-cased, body); status 0 when the
        connection failed twice."""
        for attempt in (1, 2):
            try:
                conn = self.conn()
                conn.request(method, target, body=body, headers=headers or {})
                response = conn.getresponse()
                data = response.read()
                result = (response.status,
                          {k.lower(): v for k, v in response.getheaders()},
                          data)
                if response.getheader("connection", "").lower() == "close":
                    conn.close()
                    self.local.conn = None
                break
            except (OSError, http.client.HTTPException) as e:
                self.local.conn = None
                result = (0, {}, str(e).encode())
                # A kept-alive connection closed by the server: once more.
                if attempt == 2 or method not in ("GET", "HEAD"):
                    break
        with self.lock:
            self.requests += 1
            self.statuses[result[0]] = self.statuses.get(result[0], 0) + 1
        return result

    # -- where a URL points -----------------------------------------------

    def inside(self, url, base):
        """The absolute path + query of url if it is a link into the site;
        None for another host; raises ValueError for a link that leaves
        the site on this host."""
        absolute = urllib.parse.urljoin(base, url)
        parts = urllib.parse.urlsplit(absolute)
        if parts.scheme not in ("http", "https"):
            return None
        if parts.hostname not in LOOPBACK:
            with self.lock:
                self.external.add(absolute)
            return None
        if "%s://%s" % (parts.scheme, parts.netloc) != self.origin:
            raise ValueError("another origin: %s" % absolute)
        if not parts.path.startswith(self.prefix):
            raise ValueError("outside %s: %s" % (self.prefix, absolute))
        return parts.path + ("?" + parts.query if parts.query else "")

    def kind(self, target):
        """(kind, mailbox path) of a target below the prefix."""
        path, _, query = target.partition("?")
        params = urllib.parse.parse_qs(query)
        rel = path[len(self.prefix) - 1:]
        fmt = params.get("format", [""])[0]
        segs = rel[1:].split("/")
        if rel == "/":
            kind, box = "list", ""
        elif rel.endswith("/threads/"):
            kind, box = "threads", "/".join(segs[:-2])
            if "page" in params:
                kind = "threads-page"
        elif rel.endswith("/"):
            kind, box = "index", "/".join(segs[:-1])
            if "month" in params:
                kind = "index-month"
            elif "page" in params:
                kind = "index-page"
        elif segs[-1] == "search":
            kind, box = "search", "/".join(segs[:-1])
            if fmt in ("atom", "mbox"):
                kind = "search-" + fmt
        elif segs[-1] == "new.atom":
            kind, box = "atom", "/".join(segs[:-1])
        elif len(segs) >= 2 and segs[-2] == "m":
            box = "/".join(segs[:-2])
            kind = "permalink" if box else "permalink-any"
        elif len(segs) >= 2 and segs[-2].isdigit() and segs[-1] in (
                "raw", "thread", "thread.mbox"):
            kind, box = segs[-1], "/".join(segs[:-2])
        elif len(segs) >= 2 and segs[-2].isdigit() and \
                re.fullmatch(r"[0-9]+(\.[0-9]+)*", segs[-1]):
            kind, box = "part", "/".join(segs[:-2])
        elif segs[-1].isdigit():
            kind, box = "message", "/".join(segs[:-1])
        else:
            kind, box = "other", rel
        if fmt == "json":
            kind = "json-" + kind
        return kind, box

    def take(self, target):
        """Whether to ask for target: new, in a mailbox of the list, its
        kind in its mailbox not yet asked for per_kind times, and the
        crawl not yet at max_pages."""
        with self.lock:
            if target in self.seen:
                return False
            self.seen.add(target)
            kind, box = self.kind(target)
            if box and self.boxes is not None and \
                    urllib.parse.unquote(box) not in self.boxes:
                # A gateway that takes the wrong root links further and
                # further down: /archive/INBOX/INBOX/...
                self.bad_links.append("%s: a mailbox not in the list" % target)
                return False
            key = ("other", "") if kind.endswith("other") else (kind, box)
            if kind != "list" and self.taken.get(key, 0) >= self.per_kind:
                return False
            if self.visits >= self.max_pages:
                self.stopped = True
                return False
            self.taken[key] = self.taken.get(key, 0) + 1
            self.visits += 1
            return True

    def links(self, page, urls, base):
        """Check urls found on page; return the targets inside the site."""
        targets = []
        for url in urls:
            try:
                target = self.inside(url, base)
            except ValueError as e:
                with self.lock:
                    self.bad_links.append("%s on %s" % (e, page))
                continue
            with self.lock:
                self.links_checked += 1
            if target is not None:
                targets.append(target)
        return targets

    # -- one page ----------------------------------------------------------

    def visit(self, target):
        """Ask for target; return the targets it leads to."""
        status, headers, body = self.request("GET", target)
        kind, box = self.kind(target)
        base = self.origin + target
        with self.lock:
            if status in GOOD:
                self.kinds[kind] = self.kinds.get(kind, 0) + 1
            else:
                self.bad_status.append("%d %s" % (status, target))
        found = []
        if status in (301, 302) and "location" in headers:
            found += self.links(target, [headers["location"]], base)
        if status != 200 or kind in CONTENT_KINDS:
            return found
        ctype = headers.get("content-type", "")
        text = body.decode("utf-8", "replace")
        if ctype.startswith("text/html"):
            parser = Links()
            parser.feed(text)
            found += self.links(target, parser.urls, base)
            # A form's action is checked, and visited as the form sends it.
            for form in parser.forms:
                actions = self.links(target, [form["action"]], base)
                if actions and form["method"] == "get" and "q" in form["fields"]:
                    found.append(actions[0] + "?q=" + urllib.parse.quote(self.query))
            if kind in JSON_KINDS:
                sep = "&" if "?" in target else "?"
                found.append(target + sep + "format=json")
            if headers.get("etag") and kind == "message":
                with self.lock:
                    self.etags.append((target, headers["etag"]))
        elif ctype.startswith("application/json"):
            try:
                data = json.loads(text)
            except ValueError:
                with self.lock:
                    self.bad_status.append("not JSON: %s" % target)
                return found
            found += self.links(target, json_urls(data), base)
            if kind == "json-message" and data.get("message_id"):
                with self.lock:
                    self.message_ids.setdefault(box, data["message_id"])
        elif ctype.startswith("application/atom+xml"):
            urls = re.findall(r'<link\b[^>]*\bhref="([^"]*)"', text)
            ids = [i for i in re.findall(r"<id>([^<]*)</id>", text)
                   if i.startswith(("http:", "https:"))]
            with self.lock:
                self.feeds.append((target, urls + ids))
            found += self.links(target, urls + ids, base)
        return found

    def run(self, targets):
        """Breadth first, one level at a time, WORKERS in parallel."""
        with ThreadPoolExecutor(WORKERS) as pool:
            while targets:
                level = [t for t in sorted(set(targets)) if self.take(t)]
                targets = []
                for found in pool.map(self.visit, level):
                    targets += found

    def learn_mailboxes(self):
        """The mailbox list, from its JSON: links to other mailboxes are
        failures.  Without it (the crawl reports why), any mailbox goes."""
        status, _, body = self.request("GET", self.prefix + "?format=json")
        try:
            listing = json.loads(body) if status == 200 else None
            self.mailboxes = [m["url"] for m in listing["mailboxes"]]
        except (ValueError, KeyError, TypeError):
            return
        self.boxes = {urllib.parse.unquote(url[len(self.prefix):].rstrip("/"))
                      for url in self.mailboxes}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-kind", type=int, default=2)
    parser.add_argument("--query", default="patch")
    parser.add_argument("--max-pages", type=int, default=2000)
    parser.add_argument("--refused", type=int, action="append",
                        help="the status other methods must get (403, 405)")
    parser.add_argument("root")
    args = parser.parse_args()
    crawl = Crawl(args.root, args.per_kind, args.query, args.max_pages)
    prefix, origin = crawl.prefix, crawl.origin
    results = []

    def check(passed, name, details=()):
        results.append(("ok" if passed else "not ok", name, list(details)))

    started = time.monotonic()
    crawl.learn_mailboxes()
    crawl.run([prefix])
    # Permalinks of a message of each mailbox: /MBOX/m/ID and /m/ID.
    links = []
    for box, msgid in sorted(crawl.message_ids.items()):
        quoted = urllib.parse.quote(msgid, safe="")
        links += ["%s%s/m/%s" % (prefix, box, quoted), "%sm/%s" % (prefix, quoted)]
    crawl.run(links)

    check(not crawl.stopped, "the crawl ended within %d pages"
          % crawl.max_pages)
    statuses = ", ".join("%d: %d" % item for item in sorted(crawl.statuses.items()))
    check(not crawl.bad_status,
          "every answer is 200, 301, 302 or 304 (%d requests; %s)"
          % (crawl.requests, statuses), crawl.bad_status[:10])
    check(crawl.links_checked and not crawl.bad_links,
          "every link, form action, Location and JSON url stays below %s "
          "(%d checked)" % (prefix, crawl.links_checked), crawl.bad_links[:10])
    missing = [k for k in REQUIRED if not crawl.kinds.get(k)]
    missing += ["json-" + k for k in sorted(JSON_KINDS - {"threads-page"})
                if not crawl.kinds.get("json-" + k)]
    check(not missing, "every kind of page was crawled and answered",
          ["never answered: %s" % " ".join(missing)] if missing else [])
    boxes = sorted(crawl.mailboxes)
    unseen = [b for b in boxes
              if not any(t.startswith(b) and crawl.kind(t)[0] == "message"
                         for t in crawl.seen)]
    check(boxes and not unseen, "every mailbox of the list was crawled "
          "down to its messages (%d)" % len(boxes), unseen)

    # Feeds: their ids and links carry the host and port the client sent.
    bad_feed = ["%s: %s" % (feed, url) for feed, urls in crawl.feeds
                for url in urls if not url.startswith(origin + prefix)]
    check(crawl.feeds and not bad_feed,
          "Atom feeds' ids and links start with %s%s (%d feeds)"
          % (origin, prefix, len(crawl.feeds)), bad_feed[:10])

    # A mailbox without its trailing slash: a redirect below the prefix.
    bad_slash = []
    for url in boxes:
        bare = url.rstrip("/")
        status, headers, _ = crawl.request("GET", bare)
        try:
            target = crawl.inside(headers.get("location", ""), origin + bare)
        except ValueError as e:
            target = str(e)
        if status not in (301, 302) or target != url:
            bad_slash.append("%s: %d to %s" % (bare, status, target))
    check(boxes and not bad_slash,
          "each mailbox without its trailing slash redirects to it", bad_slash)
    if prefix != "/":
        status, headers, _ = crawl.request("GET", prefix.rstrip("/"))
        location = urllib.parse.urljoin(origin, headers.get("location", ""))
        check(status == 200 or (status in (301, 302) and location == origin + prefix),
              "%s answers or redirects to %s (%d %s)"
              % (prefix.rstrip("/"), prefix, status, location))

    # Cache validators pass through.
    if crawl.etags:
        target, etag = crawl.etags[0]
        status, _, _ = crawl.request("GET", target, {"If-None-Match": etag})
        check(status == 304, "If-None-Match with the ETag of %s: 304 (%d)"
              % (target, status))
    else:
        check(False, "a message page carries an ETag")

    # %2F stays inside its segment: imapeek's own JSON 404, not the
    # mailbox lists/dev and not the web server's refusal.
    target = prefix + "lists%2Fdev/?format=json"
    status, headers, body = crawl.request("GET", target)
    try:
        answer = json.loads(body)
    except ValueError:
        answer = {}
    check(status == 404 and answer.get("status") == 404,
          "%s reaches imapeek as one segment (its JSON 404; got %d %s)"
          % (target, status, headers.get("content-type", "")))

    # Only reading.
    wanted = args.refused or [403, 405]
    refused = []
    for method in ("POST", "PUT", "DELETE"):
        for target in (prefix, prefix + "lists/dev/"):
            status, _, _ = crawl.request(method, target,
                                         {"Content-Type": "text/plain"}, b"x=1")
            if status not in wanted:
                refused.append("%s %s: %d" % (method, target, status))
    check(not refused, "POST, PUT and DELETE are refused with %s"
          % " or ".join(map(str, wanted)), refused)

    seconds = time.monotonic() - started
    for state, name, details in results:
        print("%s - %s" % (state, name))
        for line in details:
            print("#   %s" % line)
    print("# figure requests %d" % crawl.requests)
    print("# figure seconds %.1f" % seconds)
    print("# figure kinds %s" % " ".join(
        "%s=%d" % item for item in sorted(crawl.kinds.items())))
    if crawl.external:
        print("# figure other-hosts %s" % " ".join(sorted(crawl.external)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
