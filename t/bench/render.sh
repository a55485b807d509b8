#!/bin/sh
# Pathological messages, bounded in time and memory: a 200-deep multipart,
# a 135 KB header, 10,000 parts and a 50 MB attachment, each served by a
# fresh imapeek-httpd (release build) over Dovecot.  For each: the message
# page (HTML), its JSON, and for the attachment the part itself, with the
# status, the wall time and the server's peak RSS (VmHWM) afterwards.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib-imapd.sh"
. "$(dirname "$0")/../lib-http.sh"

chmod 755 "$TEST_TMP"
msgs=$TEST_TMP/msgs
mkdir -p "$msgs"
python3 - "$msgs" <<'PY' || exit 1
import base64, os, sys
d = sys.argv[1]
head = "From: bench@example.com\nTo: to@example.com\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nMIME-Version: 1.0\n"
def write(name, text):
    with open(os.path.join(d, name), "w", newline="\r\n") as f:
        f.write(text)
# 1: 200 nested multiparts, a text at the bottom.
body = "deep text\n"
inner = "Content-Type: text/plain\n\n" + body
for level in range(200):
    b = "b%d" % level
    inner = "Content-Type: multipart/mixed; boundary=%s\n\n--%s\n%s\n--%s--\n" % (b, b, inner, b)
write("1-deep.eml", head + "Subject: 200 deep\nMessage-ID: <deep@bench>\n" + inner)
# 2: a 135 KB header (one References line of 5,800 ids, folded).
refs = "\n ".join("<ref%d@bench.example>" % i for i in range(5800))
write("2-header.eml", head + "Subject: big header\nMessage-ID: <header@bench>\nReferences: " + refs +
      "\nContent-Type: text/plain\n\nbody\n")
# 3: 10,000 parts.
parts = "".join("--P\nContent-Type: text/plain\n\npart %d\n" % i for i in range(10000))
write("3-parts.eml", head + "Subject: 10000 parts\nMessage-ID: <parts@bench>\n"
      "Content-Type: multipart/mixed; boundary=P\n\n" + parts + "--P--\n")
# 4: a 50 MB attachment (base64: about 68 MB).
blob = base64.encodebytes(os.urandom(50 * 1000 * 1000)).decode("ascii")
write("4-attachment.eml", head + "Subject: 50 MB\nMessage-ID: <big@bench>\n"
      "Content-Type: multipart/mixed; boundary=A\n\n--A\nContent-Type: text/plain\n\nsee the attachment\n"
      "--A\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n"
      "Content-Disposition: attachment; filename=big.bin\n\n" + blob + "--A--\n")
PY
ls -l "$msgs" | awk 'NR > 1 { printf "# %-18s %10d bytes\n", $9, $5 }'
mkstore "$TEST_TMP/store" "bench=$msgs" >/dev/null || exit 1
dovecot_setup "$TEST_TMP/store" "$TEST_TMP/state" || exit 1
conf=$TEST_TMP/imapeek.conf
{
	cat "$IMAPD_STATE/imapd.conf"
	echo "templates = $IMAPEEK_TOP/templates"
	echo "timeout = 60"
} >"$conf"
IMAPEEK_HTTPD=$IMAPEEK_TOP/build/rel/cgi/imapeek-httpd

# measure LABEL PATH...: a fresh server, the requests, its peak RSS.
measure() {
	label=$1
	shift
	httpd_start "$conf" >/dev/null
	for path in "$@"; do
		start=$(date +%s.%N)
		status=$(curl -s -o "$TEST_TMP/out" -w '%{http_code}' "$HTTPD_URL$path")
		end=$(date +%s.%N)
		size=$(wc -c <"$TEST_TMP/out")
		hwm=$(sed -n 's/^VmHWM:[[:space:]]*//p' "/proc/$HTTPD_PID/status")
		printf '%-14s %-22s %4s %10s B %8.2f s  peak RSS %s\n' "$label" "$path" "$status" "$size" \
			"$(echo "$end - $start" | bc)" "$hwm"
	done
	httpd_stop >/dev/null
}
echo "case           request                status   response     time   httpd"
measure "200-deep" /bench/1 "/bench/1?format=json"
measure "135KB-header" /bench/2 "/bench/2?format=json"
measure "10000-parts" /bench/3 "/bench/3?format=json"
measure "50MB-attach" /bench/4 "/bench/4?format=json" /bench/4/2
