# Checks shared by the front-end tests (t50*): sourced after lib.sh,
# lib-imapd.sh, lib-http.sh and lib-pages.sh.
#
#   front_urls                  every URL of the answer, one a line: the
#                               JSON values of "url", "*_url", "next" and
#                               "prev" keys, or the HTML's href and src
#   front_no_internals WHAT     TAP: the answer ($RESP_BODY and the headers)
#                               shows no imapd path, no state folder, no
#                               configuration path and no FILE:LINE
#   front_dead_imapd_conf FILE  writes an imapeek.conf whose imapd exists but
#                               fails at start (Dovecot with a missing
#                               configuration file): every page is a 502

front_urls() {
	python3 -c '
import json, re, sys
raw = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
try:
    d = json.loads(raw)
except ValueError:
    for m in re.finditer(r"(?:href|src)=\"([^\"]*)\"", raw):
        print(m.group(1))
    sys.exit(0)
def walk(x):
    if isinstance(x, dict):
        for k, v in x.items():
            if isinstance(v, str) and (k == "url" or k.endswith("_url") or k in ("next", "prev")):
                print(v)
            walk(v)
    elif isinstance(x, list):
        for v in x:
            walk(v)
walk(d)
' "$RESP_BODY"
}

front_no_internals() {
	_front_page=$(cat "$RESP_HEADERS" "$RESP_BODY")
	unlike "$_front_page" "$DOVECOT_IMAP|dovecot\.conf|imapd\.conf|imapeek\.conf" \
		"$1: no imapd or configuration path on the page"
	unlike "$_front_page" "$TEST_TMP|/tmp/" "$1: no file-system path on the page"
	unlike "$_front_page" '[A-Za-z0-9_-]+\.[ch]:[0-9]+|[A-Za-z0-9_-]+\.conf:[0-9]+' \
		"$1: no FILE:LINE on the page"
	unlike "$_front_page" 'Broken pipe|errno|PREAUTH|EXAMINE|UID FETCH' \
		"$1: no system or IMAP error text on the page"
}

front_dead_imapd_conf() {
	{
		echo "imapd = $DOVECOT_IMAP -c $TEST_TMP/no-such-dovecot.conf"
		echo "imapd-env = HOME=$TEST_TMP"
		echo "imapd-env = USER=imapeek"
		echo "templates = $IMAPEEK_TOP/templates"
		echo "timeout = 5"
	} >"$1"
}
