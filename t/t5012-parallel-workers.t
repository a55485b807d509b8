#!/bin/sh
# imapeek-httpd -j 4 under parallel load: eight clients at once over every
# kind of page (HTML, JSON, raw, a part, a thread, its mbox, a search, a
# gzipped feed, HEAD, errors), on new and kept-alive connections, so that
# every worker renders at the same time as the others, each with its own
# imapd.  Every answer has the status it has alone, and the same URL gives
# the same bytes from whichever worker answers it; the server exits 0 on
# SIGTERM.  Under make test-tsan this is the test that keeps the workers
# busiest together: a data race ends the server with 66, not 0.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"

pages_setup_sample
digest_before=$(store_digest "$PAGES_STORE")

# load URL ROUNDS CLIENTS: ROUNDS times every request of $TEST_TMP/requests
# ("STATUS METHOD PATH [HEADER]" a line), spread over CLIENTS threads in
# shuffled order; prints one line per request whose status differs, then
# one per URL whose bodies differ, then "done N".
load() {
	python3 - "$@" "$TEST_TMP/requests" <<-'EOF'
	import collections, http.client, random, sys, threading, urllib.parse
	base, rounds, clients, table = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
	host = urllib.parse.urlsplit(base).netloc
	rows = []
	for line in open(table, encoding="utf-8"):
	    parts = line.rstrip("\n").split(" ", 3)
	    rows.append((int(parts[0]), parts[1], parts[2], parts[3] if len(parts) > 3 else ""))
	work = [row for _ in range(rounds) for row in rows]
	random.Random(5012).shuffle(work)
	bodies = collections.defaultdict(set)
	problems, lock, done = [], threading.Lock(), [0]
	def client(share, keep_alive):
	    conn = None
	    for status, method, path, header in share:
	        try:
	            if conn is None:
	                conn = http.client.HTTPConnection(host, timeout=60)
	            headers = {} if keep_alive else {"Connection": "close"}
	            if header:
	                name, value = header.split(": ", 1)
	                headers[name] = value
	            conn.request(method, path, headers=headers)
	            resp = conn.getresponse()
	            body = resp.read()
	            got = resp.status
	            if not keep_alive or resp.will_close:
	                conn.close()
	                conn = None
	        except Exception as e:
	            got, body = "error %s" % e, b""
	            conn = None
	        with lock:
	            done[0] += 1
	            if got != status:
	                problems.append("%s %s %s: %s, want %s" % (method, path, header, got, status))
	            else:
	                bodies[(method, path, header)].add(body)
	threads = [threading.Thread(target=client, args=(work[i::clients], i % 2 == 0))
	           for i in range(clients)]
	for t in threads:
	    t.start()
	for t in threads:
	    t.join()
	for p in problems[:20]:
	    print(p)
	for key, seen in sorted(bodies.items()):
	    if len(seen) > 1:
	        print("%s %s %s: %d different bodies" % (key + (len(seen),)))
	print("done %d" % done[0])
	EOF
}

# -- every worker opens its first session at the same moment
httpd_start "$PAGES_CONF" -j 4
{
	for mailbox in lists/dev lists/announce INBOX 'Archiv/Gr%C3%BC%C3%9Fe%20%26%20Co'; do
		echo "200 GET /$mailbox/?format=json"
		echo "200 GET /$mailbox/threads/"
	done
} >"$TEST_TMP/requests"
load "$HTTPD_URL" 1 8 >"$TEST_TMP/first"
is "$(cat "$TEST_TMP/first")" "done 8" "8 first requests at once over 4 new workers: all 200, same bodies"
httpd_stop

# -- every kind of page, eight clients, 4 workers
httpd_start "$PAGES_CONF" -j 4
http_get "$HTTPD_URL/lists/dev/?format=json"
uids=$(json '" ".join(str(m["uid"]) for m in d["messages"][:3])')
like "$uids" '^[0-9]+ [0-9]+ [0-9]+$' "three messages of lists/dev to ask for"
set -- $uids
{
	echo "200 GET /"
	echo "200 GET /?format=json"
	echo "200 GET /lists/dev/"
	echo "200 GET /lists/dev/?page=2 Accept: application/json"
	echo "200 GET /lists/dev/threads/"
	echo "200 GET /lists/announce/?format=json"
	echo "200 GET /INBOX/"
	for uid in "$@"; do
		echo "200 GET /lists/dev/$uid"
		echo "200 GET /lists/dev/$uid?format=json"
		echo "200 GET /lists/dev/$uid/raw"
		echo "200 GET /lists/dev/$uid/1"
		echo "200 GET /lists/dev/$uid/thread"
		echo "200 GET /lists/dev/$uid/thread.mbox Accept-Encoding: gzip"
		echo "200 HEAD /lists/dev/$uid"
	done
	echo "200 GET /lists/dev/search?q=the"
	echo "200 GET /lists/dev/search?q=from%3Aa&format=json"
	echo "200 GET /lists/dev/new.atom Accept-Encoding: gzip"
	echo "200 GET /lists/dev/new.atom"
	echo "404 GET /lists/dev/999999999"
	echo "404 GET /nope/"
	echo "400 GET /lists/dev/0"
	echo "400 GET /lists/%zz/"
	echo "405 POST /lists/dev/"
} >"$TEST_TMP/requests"
load "$HTTPD_URL" 6 8 >"$TEST_TMP/load"
want=$(( $(wc -l <"$TEST_TMP/requests") * 6 ))
is "$(cat "$TEST_TMP/load")" "done $want" "$want requests from 8 clients over 4 workers: each status as alone, same bytes per URL"
httpd_stop
is "$(imapd_procs "$IMAPD_STATE/" | wc -l | tr -d ' ')" 0 "no imapd is left running"
is "$(store_digest "$PAGES_STORE")" "$digest_before" "the store is unchanged"

done_testing
