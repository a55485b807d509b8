#!/bin/sh
# Crawls the edge-* corpora: Subject, From and To of every message decoded
# with rfc2047 / rfc5322 must be valid UTF-8 and must not keep an encoded
# word where Python's email package (policy=default) decodes it cleanly.
# Other differences from Python are listed, not failed: the two tolerate
# different garbage.
. "$(dirname "$0")/lib.sh"

helper="$IMAPEEK_BUILD/t/helper/decode-headers"
[ -x "$helper" ] || skip_all "no $helper (make test-build)"
[ -d "$SHARED_CORPUS" ] || skip_all "no corpus at $SHARED_CORPUS"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"

for set in "$SHARED_CORPUS"/edge-*; do
	[ -d "$set" ] || continue
	name=$(basename "$set")
	find "$set" -type f ! -name SOURCE.txt | sort > "$TEST_TMP/files"
	xargs "$helper" < "$TEST_TMP/files" > "$TEST_TMP/ours" 2> "$TEST_TMP/err"
	ok $? "$name: every decoded header is valid UTF-8"
	python3 - "$TEST_TMP/files" "$TEST_TMP/ours" > "$TEST_TMP/report" <<'PY'
import email, email.policy, re, sys

encoded_word = re.compile(r'=\?[^?\s]+\?[bBqQ]\?[^?]*\?=')

def unescape(v):
    return re.sub(r'\\(.)', lambda m: {'t': '\t', 'n': '\n', 'r': '\r'}.get(m.group(1), m.group(1)), v)

def messages(path):
    data = open(path, 'rb').read()
    if data.startswith(b'From '):
        parts = re.split(rb'\n(?=From )', data)
        for part in parts:
            yield part.split(b'\n', 1)[1] if b'\n' in part else b''
    else:
        yield data

theirs = {}
for path in open(sys.argv[1]).read().split('\n'):
    if not path:
        continue
    for n, raw in enumerate(messages(path)):
        try:
            msg = email.message_from_bytes(raw, policy=email.policy.default)
        except Exception:
            continue
        for h in ('subject', 'from', 'to'):
            try:
                v = msg[h]
                if v is None:
                    continue
                if h == 'subject':
                    s = str(v)
                else:
                    s = ', '.join('%s <%s>' % (a.display_name, a.addr_spec) if a.display_name
                                  else a.addr_spec for a in v.addresses)
            except Exception:
                continue
            theirs['%s:%d\t%s' % (path, n, h)] = s

total = leftover = differ = clean = 0
for line in open(sys.argv[2], encoding='utf-8', errors='strict'):
    key, _, value = line.rstrip('\n').rpartition('\t')
    value = unescape(value)
    total += 1
    t = theirs.get(key)
    if t is None or '\udc80' <= max(t + ' ') or encoded_word.search(t) or '\ufffd' in t:
        continue  # Python could not decode it cleanly either
    clean += 1
    if encoded_word.search(value):
        leftover += 1
        print('LEFTOVER %s: ours %r python %r' % (key, value, t))
        continue
    norm = lambda s: ' '.join(s.split())
    if norm(value) != norm(t):
        differ += 1
        if differ <= 8:
            print('DIFF %s: ours %r python %r' % (key, value[:120], t[:120]))
print('COUNTS %d %d %d %d' % (total, clean, leftover, differ))
PY
	ok $? "$name: compared with Python"
	set -- $(grep '^COUNTS' "$TEST_TMP/report")
	diag "$name: $2 headers decoded, $3 decoded cleanly by Python, $4 encoded words left, $5 differences"
	grep -v '^COUNTS' "$TEST_TMP/report" | sed "s|$SHARED_CORPUS/||" | while IFS= read -r line; do diag "$line"; done
	is "$4" 0 "$name: no encoded word left where Python decodes it"
done
done_testing
