#!/bin/sh
# make run: imapeek-httpd over the generated sample archive, served by
# Dovecot's imap binary in pre-authenticated mode.
#
# The sample (t/tools/gen-sample.py) becomes a read-only Maildir in
# build/sample/store, rebuilt when the generator or mkmaildir.py is newer.
# Dovecot's indexes live in build/sample/state.  As root, Dovecot runs as
# nobody, who must be able to reach the store: when the checkout is in a
# folder nobody cannot enter (/root), the sample goes to
# /var/tmp/imapeek-sample instead.  PORT picks another port than 8080;
# IMAPEEK_HTTPD another server binary.
#
# Full-text search: as root, with dovecot-fts-xapian installed, Dovecot
# gets the full-text search block of conf/dovecot-imapeek.conf (README,
# "Full-text search"): a Dovecot master for its indexer runs while the
# server does, and the index of every mailbox is built before serving
# (a second for the sample).  FTS=0 serves without it; FTS=1 insists.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
IMAPEEK_TOP=$top
SHARED_CORPUS="$top/../shared/corpus"
at_exit() { :; }   # lib-imapd.sh registers test clean-ups; none here
. "$top/t/lib-imapd.sh"

port=${PORT:-8080}
httpd=${IMAPEEK_HTTPD:-$top/build/rel/cgi/imapeek-httpd}
for need in python3 "$DOVECOT_IMAP" "$httpd"; do
	if ! command -v "$need" >/dev/null 2>&1; then
		echo "run-sample: $need is missing; run 'make deps' (as root) and 'make'" >&2
		exit 1
	fi
done

sample="$top/build/sample"
mkdir -p "$sample"
if [ "$(id -u)" = 0 ] && ! setpriv --reuid=nobody --regid=nogroup \
	--clear-groups test -x "$sample"; then
	sample=/var/tmp/imapeek-sample
	echo "run-sample: nobody cannot enter $top; the sample goes to $sample"
	mkdir -p "$sample"
	chmod 755 "$sample"
fi

store="$sample/store"
stamp="$sample/store.done"
if [ ! -e "$stamp" ] || [ "$top/t/tools/gen-sample.py" -nt "$stamp" ] ||
	[ "$top/t/tools/mkmaildir.py" -nt "$stamp" ]; then
	echo "run-sample: generating the sample archive in $store"
	rm -f "$stamp"
	for old in "$store" "$store.mbox" "$sample/state"; do
		[ -e "$old" ] && chmod -R u+w "$old"
		rm -rf "$old"
	done
	sample_store "$store" | sed 's/^/  /'
	touch "$stamp"
fi

fts=${FTS:-auto}
if [ "$fts" = auto ]; then
	fts=0
	[ "$(id -u)" = 0 ] && [ -e /usr/lib/dovecot/modules/lib21_fts_xapian_plugin.so ] &&
		[ -x "$DOVECOT_MASTER" ] && fts=1
	[ $fts = 1 ] || echo "run-sample: search without a full-text index (it needs root and dovecot-fts-xapian)"
fi
DOVECOT_FTS=$fts dovecot_setup "$store" "$sample/state"
if [ "$fts" = 1 ]; then
	dovecot_fts_start
	trap 'dovecot_fts_stop' EXIT
	trap 'exit 130' INT TERM
	echo "run-sample: building the full-text index (Dovecot master $_imapd_fts_pid, base_dir $sample/state/run)"
	dovecot_fts_index
fi
conf="$sample/imapeek.conf"
{
	echo "# Written by t/tools/run-sample.sh for make run."
	cat "$IMAPD_STATE/imapd.conf"
	echo "title = imapeek sample archive"
	echo "about = $top/conf/sample-about.md"
	echo "templates = $top/templates"
	echo "hide = private/*"
} >"$conf"

echo "imapeek sample archive: http://127.0.0.1:$port/"
if [ "$fts" = 1 ]; then
	# not exec: the master is stopped when the server ends
	"$httpd" -c "$conf" -l "127.0.0.1:$port"
else
	exec "$httpd" -c "$conf" -l "127.0.0.1:$port"
fi
