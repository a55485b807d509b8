#!/usr/bin/env python3
"""Figures of the benchmarks in t/bench: wrk's output in, tables out.

Usage:
  bench-stats.py wrk FILE
      one line "RPS P50 P99 BAD" of a `wrk --latency` output: requests per
      second, the 50th and 99th percentile latency in milliseconds, and
      the answers that were not 2xx/3xx plus socket errors and timeouts.
  bench-stats.py get URL SECONDS [MIN [WORDS]]
      latency on one kept connection: GET URL again and again for SECONDS,
      at least MIN (3) times; one line "P50 P99 RPS BAD" (milliseconds;
      BAD: answers other than 200).  For pages too slow for wrk's few
      seconds.  With WORDS (a file, a word a line), "{q}" in URL is two
      words drawn at random for each request: a search nothing has kept.
  bench-stats.py peer TSV A B
      the table of t/bench/peer.sh: TSV lines "PAGE SERVER ROUND RPS P50
      P99 BAD LOAD" (LOAD the 1-minute load average when the run
      started); per page the mean of the rounds for servers A and B, and
      the ratio A/B of requests per second: of the means, and the range
      of the per-round ratios (each round ran A and B back to back).
  bench-stats.py scale TSV BASE
      the table of t/bench/scale.sh: TSV lines "PAGE SIZE ROUND P50 P99
      RPS BAD LOAD"; per page and size the mean of the rounds, and the
      ratio of p50 and p99 to those of size BASE.
"""

import collections
import http.client
import random
import re
import statistics
import sys
import time
import urllib.parse

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def millis(text):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text)
    if not m:
        raise ValueError("bad latency %r" % text)
    return float(m.group(1)) * UNITS[m.group(2)]


def parse_wrk(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    rps = re.search(r"^Requests/sec:\s*([0-9.]+)", text, re.M)
    p50 = re.search(r"^\s*50%\s+(\S+)", text, re.M)
    p99 = re.search(r"^\s*99%\s+(\S+)", text, re.M)
    if not (rps and p50 and p99):
        # no request finished: wrk prints no distribution
        return "0 nan nan 1"
    bad = 0
    m = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
    if m:
        bad += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                  r"timeout (\d+)", text)
    if m:
        bad += sum(int(x) for x in m.groups())
    return "%.1f %.2f %.2f %d" % (float(rps.group(1)), millis(p50.group(1)),
                                  millis(p99.group(1)), bad)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def get(url, seconds, least, words_file=None):
    parts = urllib.parse.urlsplit(url)
    path = parts.path + ("?" + parts.query if parts.query else "")
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=3600)
    words = []
    if words_file:
        words = [w.strip() for w in open(words_file, encoding="utf-8")
                 if re.fullmatch(r"[a-z0-9]+", w.strip())]
    times, bad = [], 0
    start = time.monotonic()
    while len(times) < least or time.monotonic() - start < seconds:
        asked = path
        if words:
            asked = path.replace("{q}", random.choice(words) + "+" + random.choice(words))
        t0 = time.monotonic()
        conn.request("GET", asked)
        resp = conn.getresponse()
        resp.read()
        times.append((time.monotonic() - t0) * 1000)
        bad += resp.status != 200
    elapsed = time.monotonic() - start
    return "%.2f %.2f %.1f %d" % (percentile(times, 0.5), percentile(times, 0.99),
                                  len(times) / elapsed, bad)


def rows(path, width):
    out = []
    for line in open(path, encoding="utf-8"):
        fields = line.rstrip("\n").split("\t")
        if len(fields) == width:
            out.append(fields)
    return out


def fmt(value, digits=1):
    if value != value:  # NaN
        return "-"
    return "%.*f" % (digits, value)


def peer(path, a, b):
    runs = collections.OrderedDict()
    for page, server, rnd, rps, p50, p99, bad, load in rows(path, 8):
        runs.setdefault(page, {}).setdefault(server, {})[rnd] = (
            float(rps), float(p50), float(p99), int(bad), float(load))
    head = ("%-10s | %9s %8s %8s | %9s %8s %8s | %6s %-13s | %4s | %s"
            % ("page", a + " req/s", "p50 ms", "p99 ms", b + " req/s",
               "p50 ms", "p99 ms", "ratio", "(per round)", "load",
               "bad (%s/%s)" % (a, b)))
    print(head)
    print("-" * len(head))
    for page, servers in runs.items():
        cols = []
        for server in (a, b):
            got = list(servers.get(server, {}).values())
            if not got:
                cols.append((float("nan"),) * 3)
                continue
            cols.append(tuple(statistics.mean(r[i] for r in got)
                              for i in range(3)))
        ratios = []
        for rnd, ra in servers.get(a, {}).items():
            rb = servers.get(b, {}).get(rnd)
            if rb and rb[0] > 0:
                ratios.append(ra[0] / rb[0])
        ratio = cols[0][0] / cols[1][0] if cols[1][0] > 0 else float("nan")
        spread = ("%.2f-%.2f" % (min(ratios), max(ratios))) if ratios else "-"
        loads = [r[4] for s in servers.values() for r in s.values()]
        bad = "/".join(str(sum(r[3] for r in servers.get(server, {}).values()))
                       for server in (a, b))
        print("%-10s | %9s %8s %8s | %9s %8s %8s | %6s %-13s | %4s | %s"
              % (page, fmt(cols[0][0]), fmt(cols[0][1], 2), fmt(cols[0][2], 2),
                 fmt(cols[1][0]), fmt(cols[1][1], 2), fmt(cols[1][2], 2),
                 fmt(ratio, 2) + "x", spread, fmt(statistics.mean(loads)),
                 bad))


def scale(path, base):
    runs = collections.OrderedDict()
    for page, size, rnd, p50, p99, rps, bad, load in rows(path, 8):
        runs.setdefault(page, collections.OrderedDict()).setdefault(
            size, []).append((float(p50), float(p99), float(rps), int(bad),
                              float(load)))
    head = ("%-12s %-6s | %8s %8s %8s | %7s %7s | %4s %s"
            % ("page", "size", "p50 ms", "p99 ms", "req/s", "p50 x", "p99 x",
               "load", "bad"))
    print(head)
    print("-" * len(head))
    for page, sizes in runs.items():
        means = {size: tuple(statistics.mean(r[i] for r in got)
                             for i in range(5))
                 for size, got in sizes.items()}
        ref = means.get(base)
        for size, (p50, p99, rps, _, load) in means.items():
            bad = sum(r[3] for r in sizes[size])
            x50 = p50 / ref[0] if ref and ref[0] > 0 else float("nan")
            x99 = p99 / ref[1] if ref and ref[1] > 0 else float("nan")
            print("%-12s %-6s | %8s %8s %8s | %7s %7s | %4s %d"
                  % (page, size, fmt(p50, 2), fmt(p99, 2), fmt(rps),
                     fmt(x50, 2), fmt(x99, 2), fmt(load), bad))


def main(argv):
    if len(argv) == 2 and argv[0] == "wrk":
        print(parse_wrk(argv[1]))
    elif len(argv) in (3, 4, 5) and argv[0] == "get":
        print(get(argv[1], float(argv[2]), int(argv[3]) if len(argv) > 3 else 3,
                  argv[4] if len(argv) > 4 else None))
    elif len(argv) == 4 and argv[0] == "peer":
        peer(argv[1], argv[2], argv[3])
    elif len(argv) == 3 and argv[0] == "scale":
        scale(argv[1], argv[2])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
