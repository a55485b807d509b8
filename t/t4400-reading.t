#!/bin/sh
# Reading the archive as people do: the sample archive plus a mailbox of
# patches (a thread whose messages carry List-Post, a patch, a long Cc
# list, a PNG attachment and an HTML alternative), behind Dovecot and
# imapeek-httpd.  Checked:
#   - every page type passes the project's accessibility check
#     (t/tools/a11y-check.py), and the stylesheet's colours their contrast;
#   - w3m -dump of the patch keeps every line of the patch on its own line;
#   - the message page: thread outline (current marked), permalink, a
#     mailto: reply to the list, <time datetime>, the long Cc folded, the
#     image shown inline and listed apart from the HTML alternative;
#   - a patch attached inline under a file name: shown, and listed to save;
#   - the thread page opens with an outline, nested lists as deep as the
#     replies (what a screen reader announces), lists each message's
#     attachments (HTML and JSON); the front page has one <h1>
#     and the mailboxes' descriptions;
#   - headless Chromium builds the same DOM (outline, calendar, permalink,
#     reply link) and screenshots each page at 1280x900 and 390x844 into
#     build/screenshots/ (kept out of the repository) for review.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"

command -v w3m >/dev/null || bail "w3m is not installed (make deps installs it)"
CHROMIUM=$(command -v chromium || command -v chromium-browser) ||
	bail "Chromium is not installed (make deps installs it)"

# The sample's mailboxes, and lists/patches made here.
MBOX=$TEST_TMP/sample.mbox
python3 "$IMAPEEK_TOP/t/tools/gen-sample.py" "$MBOX" >/dev/null || bail "gen-sample failed"
tab=$(printf '\t')
set --
while IFS=$tab read -r name file; do
	set -- "$@" "$name=$MBOX/$file"
done <"$MBOX/MAILBOXES"
python3 - "$TEST_TMP/patches.mbox" "$TEST_TMP/patch.txt" <<'EOF' || bail "cannot write the patches mailbox"
import base64, sys, zlib, struct
mbox, patch_out = sys.argv[1:]
def png():
    raw = b"".join(b"\x00" + bytes([200, 40, 40] * 8) for _ in range(8))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
patch = """Signed-off-by: Ann Writer <ann@patches.example>
---
 src/parse.c | 4 ++--
 1 file changed, 2 insertions(+), 2 deletions(-)

diff --git a/src/parse.c b/src/parse.c
index 1111111..2222222 100644
--- a/src/parse.c
+++ b/src/parse.c
@@ -10,7 +10,7 @@ int parse(const char *s)
 {
-	if (!s)
-		return -1;
+	if (!s || !*s)
+		return -2;
 	return 0;
 }
"""
open(patch_out, "w").write(patch)
cc = ", ".join("Reader %d <reader%d@patches.example>" % (i, i) for i in range(10))
common = ("To: patches@lists.example.org\nCc: %s\n"
          "List-Post: <mailto:patches@lists.example.org>\n"
          "List-Id: Patches <patches.lists.example.org>\nMIME-Version: 1.0\n" % cc)
msgs = []
msgs.append("From ann@patches.example Mon Mar  1 10:00:00 2021\n"
            "From: Ann Writer <ann@patches.example>\nSubject: [PATCH] parse: refuse empty input\n"
            "Date: Mon, 01 Mar 2021 10:00:00 +0000\nMessage-ID: <patch-1@patches.example>\n"
            + common + "Content-Type: text/plain; charset=utf-8\n\n" + patch + "\n")
boundary = "b-mixed"
msgs.append("From bob@patches.example Mon Mar  1 12:00:00 2021\n"
            "From: Bob Reviewer <bob@patches.example>\nSubject: Re: [PATCH] parse: refuse empty input\n"
            "Date: Mon, 01 Mar 2021 12:00:00 +0000\nMessage-ID: <patch-2@patches.example>\n"
            "In-Reply-To: <patch-1@patches.example>\nReferences: <patch-1@patches.example>\n"
            + common + "Content-Type: multipart/mixed; boundary=\"%s\"\n\n" % boundary
            + "--%s\nContent-Type: multipart/alternative; boundary=\"b-alt\"\n\n" % boundary
            + "--b-alt\nContent-Type: text/plain; charset=utf-8\n\nLooks good; a screenshot of the result is attached.\n\n"
            + "--b-alt\nContent-Type: text/html; charset=utf-8\n\n<p>Looks good; a screenshot of the result is attached.</p>\n\n"
            + "--b-alt--\n\n"
            + "--%s\nContent-Type: image/png; name=\"result.png\"\nContent-Disposition: attachment; filename=\"result.png\"\n"
              "Content-Transfer-Encoding: base64\n\n%s\n\n" % (boundary, base64.encodebytes(png()).decode())
            + "--%s--\n\n" % boundary)
msgs.append("From ann@patches.example Mon Mar  1 14:00:00 2021\n"
            "From: Ann Writer <ann@patches.example>\nSubject: Re: [PATCH] parse: refuse empty input\n"
            "Date: Mon, 01 Mar 2021 14:00:00 +0000\nMessage-ID: <patch-3@patches.example>\n"
            "In-Reply-To: <patch-2@patches.example>\nReferences: <patch-1@patches.example> <patch-2@patches.example>\n"
            + common + "Content-Type: text/plain; charset=utf-8\n\nThanks, applied.\n\n")
# A patch attached inline with its file name, as git format-patch --inline
# sends it: shown as the text and offered as the file.
msgs.append("From ann@patches.example Tue Mar  2 09:00:00 2021\n"
            "From: Ann Writer <ann@patches.example>\nSubject: [PATCH v2] parse: refuse blank input\n"
            "Date: Tue, 02 Mar 2021 09:00:00 +0000\nMessage-ID: <patch-v2@patches.example>\n"
            + common + "Content-Type: multipart/mixed; boundary=\"b-v2\"\n\n"
            + "--b-v2\nContent-Type: text/plain; charset=utf-8\n\nThe second version, attached.\n\n"
            + "--b-v2\nContent-Type: text/x-patch; charset=utf-8; name=\"0001-parse-refuse-blank-input.patch\"\n"
              "Content-Disposition: inline; filename=\"0001-parse-refuse-blank-input.patch\"\n\n"
            + patch + "\n--b-v2--\n\n")
open(mbox, "w").write("".join(msgs))
# An image in x-uuencode, as old mailers sent them (hunnysoft's samples).
import binascii
uu = "begin 644 red.png\n" + "".join(
    binascii.b2a_uu(png()[i:i + 45]).decode() for i in range(0, len(png()), 45)) + "`\nend\n"
open(mbox.replace("patches.mbox", "uu.mbox"), "w").write(
    "From cy@patches.example Tue Mar  2 10:00:00 2021\n"
    "From: Cy Old <cy@patches.example>\nSubject: a red dot\n"
    "Date: Tue, 02 Mar 2021 10:00:00 +0000\nMessage-ID: <uu-1@patches.example>\n"
    "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b-uu\"\n\n"
    "--b-uu\nContent-Type: text/plain\n\nA red dot.\n\n"
    "--b-uu\nContent-Type: image/png; name=\"red.png\"\n"
    "Content-Transfer-Encoding: x-uuencode\n\n" + uu + "\n--b-uu--\n\n"
    # a reply without a Date: header (its separator, its arrival, is earlier)
    "From dee@patches.example Mon Mar  1 09:00:00 2021\n"
    "From: Dee Undated <dee@patches.example>\nSubject: Re: a red dot\n"
    "Message-ID: <uu-2@patches.example>\nIn-Reply-To: <uu-1@patches.example>\n\n"
    "Red indeed.\n\n")
EOF
set -- "$@" "lists/patches=$TEST_TMP/patches.mbox" "lists/uu=$TEST_TMP/uu.mbox"
mkstore "$TEST_TMP/store" "$@" >/dev/null || bail "mkstore failed"
dovecot_setup "$TEST_TMP/store" "$TEST_TMP/state" || bail "dovecot_setup failed"
PAGES_CONF=$TEST_TMP/imapeek.conf
{ cat "$IMAPD_STATE/imapd.conf"; echo "templates = $IMAPEEK_TOP/templates"
  echo "title = imapeek test archive"; echo "page-size = 10"; echo "hide = private/*"
  echo "description = lists/patches: Patches and their review"
  echo "description = lists/dev: Development of the project"; } >"$PAGES_CONF"
httpd_start "$PAGES_CONF"

# uid_of SUBJECT-START: the UID in lists/patches.
page httpd /lists/patches/ format=json
patch_uid=$(json '[m["uid"] for m in d["messages"] if m["subject"].startswith("[PATCH]")][0]')
review_uid=$(json '[m["uid"] for m in d["messages"] if "refuse" in m["subject"] and m["subject"].startswith("Re:")][-1]')
page httpd /lists/dev/ format=json
dev_uid=$(json 'd["messages"][2]["uid"]')

# -- every page type through the accessibility check
PAGES="/ /lists/dev/ /lists/dev/?page=2 /lists/dev/?month=$(json 'd["months"][-1]["month"]') \
/lists/dev/threads/ /lists/dev/$dev_uid /lists/dev/$dev_uid/thread \
/lists/dev/search /lists/dev/search?q=thread /lists/patches/$patch_uid \
/lists/patches/$review_uid /lists/patches/$patch_uid/thread /lists/nope/"
mkdir -p "$TEST_TMP/pages"
n=0
for p in $PAGES; do
	n=$((n + 1))
	curl -sS -g -o "$TEST_TMP/pages/$n-$(printf '%s' "$p" | tr -c 'a-zA-Z0-9' '_').html" "$HTTPD_URL$p"
done
python3 "$IMAPEEK_TOP/t/tools/a11y-check.py" --css "$IMAPEEK_TOP/templates/style.css" \
	"$TEST_TMP"/pages/*.html >"$TEST_TMP/a11y"
tap_lines "$TEST_TMP/a11y"

# -- the patch in a text browser: line by line
page httpd "/lists/patches/$patch_uid"
w3m -dump -T text/html -cols 120 "$RESP_BODY" >"$TEST_TMP/patch.dump"
# (tabs become spaces in a text browser: whitespace runs compare as one)
squeeze() { sed 's/[[:space:]][[:space:]]*/ /g; s/^ //; s/ $//'; }
squeeze <"$TEST_TMP/patch.dump" >"$TEST_TMP/patch.trimmed"
missing=0
while IFS= read -r line; do
	trimmed=$(printf '%s\n' "$line" | squeeze)
	[ -z "$trimmed" ] && continue
	grep -qxF -- "$trimmed" "$TEST_TMP/patch.trimmed" ||
		{ missing=$((missing + 1)); diag "not a line of its own: $trimmed"; }
done <"$TEST_TMP/patch.txt"
is "$missing" 0 "w3m -dump shows every line of the patch on a line of its own"

# -- the message page
body=$(cat "$RESP_BODY")
like "$body" 'href="mailto:patches%40lists\.example\.org\?subject=Re%3A%20%5BPATCH%5D%20parse%3A%20refuse%20empty%20input&amp;In-Reply-To=%3Cpatch-1%40patches\.example%3E&amp;References=%3Cpatch-1%40patches\.example%3E"' \
	"a mailto: reply to the List-Post address, with Subject, In-Reply-To and References"
like "$body" "href=\"/lists/patches/m/patch-1%40patches\\.example\">Permalink</a>" "a link to the Message-ID permalink"
like "$body" '<dd><time datetime="2021-03-01T10:00:00Z">Mon, 1 Mar 2021 10:00 UTC</time></dd>' \
	"the date for people, in <time datetime>"
like "$body" '[^ ], <details class="more"><summary>and 7 more</summary>: [^ ]' \
	"a Cc of 10 shows 3 and folds 7, apart from the addresses before and after"
like "$body" '<section class="outline"' "the thread outline is under the message"
like "$body" '<li><div class="row current"><strong aria-current="page">\[PATCH\] parse' "... the current message marked"
like "$body" "<a href=\"/lists/patches/$review_uid\">Re: \\[PATCH\\]" "... the replies linked"
page httpd "/lists/patches/$review_uid"
like "$(cat "$RESP_BODY")" "<img src=\"/lists/patches/$review_uid/2\" alt=\"result\\.png\"" \
	"the PNG attachment is shown inline from its part URL"
like "$(cat "$RESP_BODY")" '<p class="alternatives">Also in this message: <a href="[^"]*/1\.2">text/html</a>' \
	"the HTML alternative is not listed as an attachment"
is "$(grep -c 'result\.png</a>' "$RESP_BODY")" 1 "the attachment is listed once"
page httpd "/lists/patches/$review_uid/2"
is "$RESP_STATUS $(header Content-Type)" "200 image/png" "the image's part URL serves it as image/png"
# An image this does not decode (x-uuencode) is no image: octets to save.
page httpd /lists/uu/ format=json
uu_uid=$(json 'd["messages"][0]["uid"]')
page httpd "/lists/uu/$uu_uid"
unlike "$(cat "$RESP_BODY")" '<img ' "an x-uuencoded PNG is not shown as an image"
like "$(cat "$RESP_BODY")" "href=\"/lists/uu/$uu_uid/2\">red\\.png</a>" "... but listed as an attachment"
page httpd "/lists/uu/$uu_uid/thread"
like "$(cat "$RESP_BODY")" '<h3><a href="/lists/uu/[0-9]*">Re: a red dot</a></h3> <span class="meta">Dee Undated &middot; <time datetime="2021-03-01T09:00:00Z">' \
	"a thread page's message without a Date: header: its sender, dated by its arrival"
page httpd "/lists/uu/$uu_uid/2"
is "$RESP_STATUS $(header Content-Type)" "200 application/octet-stream" "... served as application/octet-stream"
like "$(header Content-Disposition)" '^attachment' "... to be saved"
like "$(head -c 20 "$RESP_BODY")" '^begin 644 red\.png' "... its bytes as sent"
# A patch the sender attached inline under its file name: read, and saved.
page httpd /lists/patches/ format=json
v2_uid=$(json '[m["uid"] for m in d["messages"] if m["subject"].startswith("[PATCH v2]")][0]')
page httpd "/lists/patches/$v2_uid"
like "$(cat "$RESP_BODY")" 'diff --git a/src/parse\.c b/src/parse\.c' "an inline patch with a file name is shown as text"
like "$(cat "$RESP_BODY")" "<a href=\"/lists/patches/$v2_uid/2\">0001-parse-refuse-blank-input\\.patch</a> <span class=\"meta\">text/x-patch, " \
	"... and listed as an attachment to download"
page httpd "/lists/patches/$v2_uid/2"
like "$(header Content-Disposition)" '0001-parse-refuse-blank-input\.patch' "... which saves under its name"
page httpd "/lists/patches/$review_uid" format=json
like "$(json 'd["reply"]')" '^mailto:patches%40lists\.example\.org\?' "JSON: the reply"
is "$(json '[o["current"] for o in d["outline"]]')" "[false, true, false]" "JSON: the outline, current marked"

# -- thread page and front page
page httpd "/lists/patches/$patch_uid/thread"
like "$(cat "$RESP_BODY")" '<nav class="thread-outline" aria-labelledby="outline-h">' "the thread page opens with an outline"
like "$(cat "$RESP_BODY")" "<a href=\"#m$review_uid\">" "... linking each message's anchor"
like "$(cat "$RESP_BODY")" "<ul class=\"attachments\" aria-label=\"Attachments\">
<li><a href=\"/lists/patches/$review_uid/2\">result\\.png</a> <span class=\"meta\">image/png, [0-9]* B</span></li>" \
	"... each message with its attachments"
is "$(grep -c '<ul class="attachments"' "$RESP_BODY")" 1 "... only the message that has some"
# The outlines' lists nest as the replies do: each row's depth in lists
# is its depth in the thread (JSON; deeper than 12 drawn at 12), counted
# from the first row shown, every <li> in an <ol>, all closed.  The
# thread page shows every row, a message page a window of them.
# nesting PAGE CONTAINER KEY: CONTAINER the class of the outline's
# element, KEY the JSON list of its rows.
nesting() {
	curl -sS -g -o "$TEST_TMP/nest.html" "$HTTPD_URL$1" &&
	curl -sS -g -o "$TEST_TMP/nest.json" "$HTTPD_URL$1?format=json" &&
	python3 - "$TEST_TMP/nest.html" "$TEST_TMP/nest.json" "$2" "$3" <<'EOF'
import json, sys
from html.parser import HTMLParser
html, doc, container, key = sys.argv[1:]
depths = [min(m["depth"], 12) for m in json.load(open(doc))[key]]
want, before, level = [], None, 0
for depth in depths:       # a walk from the first row, at level 0
    if before is not None:
        level = level + 1 if depth > before else max(0, level - (before - depth))
    want.append(level)
    before = depth
class Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.depth, self.stack, self.levels, self.bad = 0, [], [], []
    def handle_starttag(self, tag, attrs):
        if self.depth or container in (dict(attrs).get("class") or "").split():
            self.depth += tag not in ("img", "br", "meta", "link", "input")
        if not self.depth:
            return
        if tag in ("ol", "li"):
            if self.stack and self.stack[-1] == tag:
                self.bad.append("<%s> in <%s>" % (tag, tag))
            self.stack.append(tag)
        if tag == "div" and "row" in (dict(attrs).get("class") or "").split():
            self.levels.append(self.stack.count("ol") - 1)
    def handle_endtag(self, tag):
        if not self.depth:
            return
        self.depth -= 1
        if tag in ("ol", "li") and (not self.stack or self.stack.pop() != tag):
            self.bad.append("</%s> unmatched" % tag)
outline = Outline()
outline.feed(open(html).read())
print("%d rows, %s, %d left open, %s" % (len(want), "levels as the depths" if outline.levels == want
      else "levels %s, depths %s" % (outline.levels, want), len(outline.stack), outline.bad[:2]))
EOF
}
page httpd /lists/dev/ format=json
deep_uid=$(json '[m["uid"] for m in d["messages"] if m["subject"].startswith("Re: ")][0]')
like "$(nesting "/lists/dev/$deep_uid/thread" thread-outline messages)" '^[0-9]+ rows, levels as the depths, 0 left open, \[\]$' \
	"the thread page's outline nests as the replies do (a thread of the sample)"
like "$(nesting "/lists/dev/10/thread" thread-outline messages)" '^45 rows, levels as the depths, 0 left open, \[\]$' \
	"... and in its longest thread (45 messages, 12 deep)"
page httpd /lists/dev/10/thread format=json
last_uid=$(json 'd["messages"][-1]["uid"]')
like "$(nesting "/lists/dev/$last_uid" outline outline)" '^25 rows, levels as the depths, 0 left open, \[\]$' \
	"... and so does a message page's window of it, which starts 5 deep"
is "$(json '[m["depth"] for m in d["messages"]][-25]')" 5 "... (the window's first row is 5 deep)"
page httpd "/lists/patches/$patch_uid/thread" format=json
is "$(json '[[(p["section"], p["type"], p["filename"]) for p in m["parts"] if p["filename"]] for m in d["messages"]]')" \
	'[[], [["2", "image/png", "result.png"]], []]' "JSON: each message's parts, the PNG under the review"
page httpd /
is "$(grep -c '<h1' "$RESP_BODY")" 1 "the front page has one <h1>"
like "$(cat "$RESP_BODY")" '<td class="description">Patches and their review</td>' "... and each mailbox's description"
page httpd / format=json
is "$(json '[m["description"] for m in d["mailboxes"] if m["name"] == "lists/dev"][0]')" \
	"Development of the project" "JSON: the description"

# -- Chromium: the DOM a browser builds, and screenshots for review
shots=$IMAPEEK_TOP/build/screenshots
mkdir -p "$shots"
chrome() {
	"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--no-first-run --hide-scrollbars --user-data-dir="$TEST_TMP/chrome" "$@" 2>/dev/null
}
chrome --dump-dom "$HTTPD_URL/lists/patches/$patch_uid" >"$TEST_TMP/dom-message"
like "$(cat "$TEST_TMP/dom-message")" 'aria-current="page"' "Chromium: the message's outline marks it"
like "$(cat "$TEST_TMP/dom-message")" '>Permalink</a>' "Chromium: the permalink"
like "$(cat "$TEST_TMP/dom-message")" 'href="mailto:patches%40lists' "Chromium: the reply link"
chrome --dump-dom "$HTTPD_URL/lists/dev/" >"$TEST_TMP/dom-index"
like "$(cat "$TEST_TMP/dom-index")" '<table class="calendar">' "Chromium: the index's time navigation"
like "$(cat "$TEST_TMP/dom-index")" '<nav class="pager" aria-label="Pages">' "Chromium: the pager"
taken=0
for p in / /lists/dev/ /lists/dev/threads/ "/lists/patches/$patch_uid" "/lists/patches/$review_uid" \
	"/lists/dev/$dev_uid/thread" "/lists/dev/search?q=thread"; do
	name=$(printf '%s' "$p" | tr -c 'a-zA-Z0-9' '_')
	for size in 1280,900 390,844; do
		chrome --window-size=$size --screenshot="$shots/$name-${size%,*}.png" "$HTTPD_URL$p" >/dev/null
		[ -s "$shots/$name-${size%,*}.png" ] && taken=$((taken + 1))
	done
done
is "$taken" 14 "Chromium took 14 screenshots (7 pages at 1280x900 and 390x844) into build/screenshots"

httpd_stop
cleanup
is "$(imapd_procs "$TEST_TMP/")" "" "no imapd left running"
done_testing
