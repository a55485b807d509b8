#!/bin/sh
# The layers README draws hold in the includes and calls: pages never
# speak IMAP (no command, no session, no parser view of their own), the
# archive layer is the only builder of IMAP commands above the session
# layer, and the front ends know nothing of IMAP.
. "$(dirname "$0")/lib.sh"
cd "$IMAPEEK_TOP" || bail "no tree at $IMAPEEK_TOP"

# hits PATTERN FILE...: "file:line" of every match, empty when none.
hits() {
	_pattern=$1
	shift
	grep -n -E "$_pattern" "$@" 2>/dev/null | cut -d: -f1,2 | tr '\n' ' '
}

pages=$(ls lib/page_*.c lib/page.c lib/gateway.c)
is "$(hits 'imap_cmd_|session_(run|send|wait|open|examine|has_cap|mailbox)\(' $pages)" "" \
	"pages and the gateway build no IMAP command and call no session"
is "$(hits '#include "(imap_cmd|imap_view|imap_parse|proc|mailboxes)\.h"' $pages)" "" \
	"pages and the gateway include no IMAP module"
is "$(hits 'imap_cmd_init' lib/mime.c lib/message.c lib/thread.c lib/search.c lib/mailtext.c)" "" \
	"the decoders build no command"
others=$(ls lib/*.c | grep -v -E 'lib/(archive|mailboxes|session|imap_cmd)\.c$')
is "$(hits 'imap_cmd_init' $others)" "" \
	"outside the archive layer and the session layer, nothing starts an IMAP command"
is "$(hits 'imap_cmd_|session_|#include "imap_' cgi/*.c)" "" \
	"the front ends know nothing of IMAP"
# Pages do not call each other: what two share lives below them (page.c,
# export.c).  Every function a page_*.c defines is called from no other.
calls=
for file in lib/page_*.c; do
	for fn in $(sed -n 's/^[a-z].* \**\(page_[a-z_]*\)(.*/\1/p' "$file"); do
		for other in lib/page_*.c; do
			[ "$other" = "$file" ] && continue
			grep -q "\<$fn(" "$other" && calls="$calls $other:$fn"
		done
	done
done
is "$calls" "" "no page calls a function of another page"
ok "$(grep -q 'lib/archive.c' README && echo 0 || echo 1)" "README draws the archive layer"
done_testing
