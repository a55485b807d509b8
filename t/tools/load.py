#!/usr/bin/python3
"""Load for the bench (t/bench/load.sh): clients that misbehave, and one
that measures.  Every client stops by itself after DURATION seconds, and
talks to loopback addresses only.

  load.py pages URL UIDS DURATION ADDRESS
      One client on ADDRESS fetching URL/UID for the UIDs of file UIDS
      in turn, one request at a time on a kept connection (a new one when
      the server closes it).  Prints "requests errors p50 p99 max" (ms).
  load.py exports URL N DURATION
      N clients (127.0.0.20, .21, ...) each downloading URL again and
      again as fast as they can read.  Prints "downloads bytes".
  load.py slow PORT N DURATION
      N connections that send a request head one header line every 2 s
      and never finish it, spread over 127.0.1.x, 15 per address; one
      that the server cuts is opened again.  Prints "opened cut".
  load.py sleepers PORT N DURATION PATH
      N connections (127.0.2.x, 10 per address) that send GET PATH and
      never read the answer; one the server closes is opened again.
      Prints "opened closed".
"""
import http.client
import select
import socket
import sys
import threading
import time


def percentile(values, fraction):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(fraction * len(values)))]


def pages(url, uids_file, duration, address):
    host, port = url.split("//")[1].split("/")[0].split(":")
    prefix = "/" + url.split("//")[1].split("/", 1)[1] if url.count("/") > 2 else ""
    uids = [line.strip() for line in open(uids_file) if line.strip()]
    end = time.time() + duration
    times, errors, i = [], 0, 0
    conn = None
    while time.time() < end:
        uid = uids[i % len(uids)]
        i += 1
        start = time.time()
        try:
            if conn is None:
                conn = http.client.HTTPConnection(host, int(port), timeout=30,
                                                  source_address=(address, 0))
            conn.request("GET", "%s/%s" % (prefix.rstrip("/"), uid))
            answer = conn.getresponse()
            answer.read()
            if answer.status != 200:
                errors += 1
            if answer.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException):
            errors += 1
            if conn:
                conn.close()
            conn = None
        times.append((time.time() - start) * 1000)
    print("%d %d %.1f %.1f %.1f" % (len(times), errors, percentile(times, 0.5),
                                    percentile(times, 0.99), max(times or [0])))


def exports(url, n, duration):
    host, port = url.split("//")[1].split("/")[0].split(":")
    path = "/" + url.split("//")[1].split("/", 1)[1]
    end = time.time() + duration
    totals = {"downloads": 0, "bytes": 0}
    lock = threading.Lock()

    def client(k):
        while time.time() < end:
            try:
                s = socket.create_connection((host, int(port)), timeout=10,
                                             source_address=("127.0.0.%d" % (20 + k), 0))
                s.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                          % path.encode())
                got = 0
                while time.time() < end:
                    data = s.recv(1 << 16)
                    if not data:
                        with lock:
                            totals["downloads"] += 1
                        break
                    got += len(data)
                s.close()
                with lock:
                    totals["bytes"] += got
            except OSError:
                time.sleep(0.1)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("%d %d" % (totals["downloads"], totals["bytes"]))


def many(port, n, duration, base, per_address, first, later, read):
    """n sockets from base.x; first(sock) once connected, later(sock) every
    2 s; read: whether the client reads what comes (else it only notices
    the server's close: POLLRDHUP).  A socket the server closes is opened
    again.  Returns (opened, closed)."""
    poller = select.poll()
    socks = {}                  # fd: [socket, index, connected]
    opened = closed = 0
    end = time.time() + duration
    rdhup = getattr(select, "POLLRDHUP", 0x2000)
    gone = rdhup | select.POLLHUP | select.POLLERR

    def open_one(k):
        nonlocal opened
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.bind(("%s.%d" % (base, 1 + k // per_address), 0))
        s.setblocking(False)
        try:
            s.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        socks[s.fileno()] = [s, k, False]
        poller.register(s, select.POLLOUT | gone)
        opened += 1

    def close_one(fd):
        nonlocal closed
        s, k, _ = socks.pop(fd)
        poller.unregister(fd)
        s.close()
        closed += 1
        open_one(k)

    for k in range(n):
        open_one(k)
    next_tick = time.time() + 2
    while time.time() < end:
        for fd, events in poller.poll(500):
            if fd not in socks:
                continue
            entry = socks[fd]
            if events & gone:
                close_one(fd)
                continue
            if not entry[2]:
                entry[2] = True
                try:
                    first(entry[0])
                except OSError:
                    close_one(fd)
                    continue
                poller.modify(fd, (select.POLLIN if read else 0) | gone)
                continue
            try:
                data = entry[0].recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                close_one(fd)
        if time.time() >= next_tick:
            next_tick = time.time() + 2
            for entry in list(socks.values()):
                if entry[2]:
                    try:
                        later(entry[0])
                    except OSError:
                        pass
    for entry in socks.values():
        entry[0].close()
    return opened, closed


def slow(port, n, duration):
    counter = [0]

    def first(s):
        s.send(b"GET / HTTP/1.1\r\nHost: x\r\n")

    def later(s):
        counter[0] += 1
        s.send(b"X-Slow-%d: a\r\n" % counter[0])

    opened, cut = many(port, n, duration, "127.0.1", 15, first, later, True)
    print("%d %d" % (opened, cut))


def sleepers(port, n, duration, path):
    def first(s):
        s.send(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path.encode())

    opened, closed = many(port, n, duration, "127.0.2", 10, first,
                          lambda s: None, False)
    print("%d %d" % (opened, closed))


def main():
    mode = sys.argv[1]
    if mode == "pages":
        pages(sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5])
    elif mode == "exports":
        exports(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    elif mode == "slow":
        slow(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
    elif mode == "sleepers":
        sleepers(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
