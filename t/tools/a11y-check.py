#!/usr/bin/env python3
"""The project's accessibility check of its HTML pages (WCAG 2.1 A/AA
points a machine can decide), over the parsed document:

  - <html lang>, a <title>, exactly one <h1>, heading levels in order
    (no h2 -> h4 jump);
  - every <nav>, <section> and <aside> named (aria-label, or
    aria-labelledby naming an element that exists);
  - every form control labelled (<label for=id>, aria-label, or wrapped
    in a <label>); every <img> with an alt attribute;
  - every table with header cells, each <th> with a scope; no link
    without text; no duplicate id; no role="img" on something holding
    links (it hides them from screen readers);
  - with --css FILE: the colour contrast of the stylesheet's text colours
    against its backgrounds, light and dark (prefers-color-scheme), at
    least 4.5:1 (AA for body text).

Usage: a11y-check.py [--css FILE] PAGE.html...   Prints "ok - ..." and
"not ok - ..." lines (for a TAP test) and exits 1 on a failure.
"""
import html.parser
import re
import sys


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.problems = []
        self.ids = {}
        self.labelled_by = []
        self.label_for = set()
        self.controls = []
        self.headings = []
        self.lang = None
        self.title = False
        self.links = []          # [text, has_label]
        self.tables = []         # [th count]
        self.role_img = []       # open role=img elements: [links inside]
        self.in_label = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag not in ("meta", "link", "br", "img", "input", "hr", "col", "source"):
            self.stack.append(tag)
        if "id" in a:
            if a["id"] in self.ids:
                self.problems.append("duplicate id %r" % a["id"])
            self.ids[a["id"]] = tag
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "title":
            self.title = True
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag in ("nav", "section", "aside"):
            if a.get("aria-labelledby"):
                self.labelled_by.append((tag, a["aria-labelledby"]))
            elif not a.get("aria-label"):
                self.problems.append("<%s> without a name (aria-label or aria-labelledby)" % tag)
        if tag == "label":
            self.in_label += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.controls.append((tag, a.get("id"), bool(a.get("aria-label")) or self.in_label > 0))
        if tag == "img" and "alt" not in a:
            self.problems.append("<img src=%r> without alt" % a.get("src"))
        if tag == "a" and "href" in a:
            self.links.append([a["href"], "", bool(a.get("aria-label"))])
            for r in self.role_img:
                r[0] += 1
        if tag == "table":
            self.tables.append(0)
        if tag == "th":
            if self.tables:
                self.tables[-1] += 1
            if "scope" not in a:
                self.problems.append("<th> without scope")
        if a.get("role") == "img":
            self.role_img.append([0])

    def handle_endtag(self, tag):
        if tag == "label":
            self.in_label -= 1
        if tag == "table" and self.tables:
            if self.tables.pop() == 0:
                self.problems.append("a table without header cells")
        if self.role_img and tag in ("svg", "div", "figure", "span"):
            links = self.role_img.pop()[0]
            if links:
                self.problems.append('role="img" hides %d links from screen readers' % links)
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if self.links and "a" in self.stack:
            self.links[-1][1] += data

    def check(self):
        if not self.lang:
            self.problems.append("<html> without lang")
        if not self.title:
            self.problems.append("no <title>")
        if self.headings.count(1) != 1:
            self.problems.append("%d <h1> (one wanted)" % self.headings.count(1))
        for prev, cur in zip(self.headings, self.headings[1:]):
            if cur > prev + 1:
                self.problems.append("heading h%d after h%d (a level skipped)" % (cur, prev))
                break
        for tag, ref in self.labelled_by:
            if ref not in self.ids:
                self.problems.append("<%s aria-labelledby=%r> names nothing" % (tag, ref))
        for tag, cid, ok in self.controls:
            if not ok and cid not in self.label_for:
                self.problems.append("<%s id=%r> without a label" % (tag, cid))
        for href, text, labelled in self.links:
            if not text.strip() and not labelled:
                self.problems.append("a link to %r without text" % href)
        return self.problems


def luminance(hex_colour):
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    rgb = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a, b):
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def css_checks(path):
    css = open(path, encoding="utf-8").read()
    schemes = {}
    light = re.search(r":root\{([^}]*)\}", css)
    dark = re.search(r"prefers-color-scheme:dark\)\{:root\{([^}]*)\}", css)
    for name, m in (("light", light), ("dark", dark)):
        if not m:
            yield False, "the stylesheet has a %s scheme" % name
            continue
        schemes[name] = dict(re.findall(r"--([a-z0-9]+):(#[0-9a-fA-F]{3,6})", m.group(1)))
    for name, v in schemes.items():
        backgrounds = [k for k in ("bg", "stripe", "heat1", "heat2", "heat3", "heat4") if k in v]
        low = ["--%s on --%s %.1f:1" % (fg, bg, contrast(v[fg], v[bg]))
               for fg in ("fg", "muted", "link", "visited") for bg in backgrounds
               if contrast(v[fg], v[bg]) < 4.5]
        yield not low, "%s scheme: every text colour on every background has a contrast of 4.5:1 or more%s" % (
            name, " (below: %s)" % ", ".join(low) if low else "")


def main(argv):
    css = None
    if len(argv) > 2 and argv[1] == "--css":
        css = argv[2]
        argv = argv[2:]
    failed = False
    for path in argv[1:]:
        page = Page()
        page.feed(open(path, encoding="utf-8").read())
        problems = page.check()
        failed |= bool(problems)
        print("%s - %s: %s" % ("not ok" if problems else "ok", path.rsplit("/", 1)[-1],
                               "; ".join(problems[:5]) if problems else "passes the accessibility check"))
    if css:
        for good, what in css_checks(css):
            failed |= not good
            print("%s - %s" % ("ok" if good else "not ok", what))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
