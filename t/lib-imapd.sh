# Real imapds for the tests: sourced after t/lib.sh.
#
#   mkstore DEST MAILBOX=SRC...   a read-only Maildir (t/tools/mkmaildir.py)
#   dovecot_setup STORE STATE     Dovecot's imap, pre-authenticated
#   dovecot_fts_start             DOVECOT_FTS=1: the Dovecot master beside it
#   dovecot_fts_index [MAILBOX]   DOVECOT_FTS=1: build the full-text index
#   dovecot_fts_stop              stop that master (also done at exit)
#   imap4d_setup MBOXDIR STATE    GNU Mailutils imap4d over mbox files
#   courier_imapd                 Courier's imapd, fetched once (or fails)
#   courier_setup STORE STATE     Courier-IMAP's imapd, pre-authenticated
#   imap_send COMMAND...          raw IMAP against the configured imapd
#   store_digest STORE            one line; equal = names and bytes unchanged
#   messages_digest STORE         the same over cur/ and new/ files only
#   openbmc_store                 path of the cached 8,323-message Maildir
#   sample_store DEST             the generated sample archive as a Maildir
#   cleanup                       kill imapds of this test still running
#   imapd_procs TEXT              pids whose command line holds TEXT
#
# A *_setup function sets IMAPD_CMD (the command line, words quoted as
# imapeek.conf's "imapd" key splits them), IMAPD_ENV (NAME=VALUE words),
# IMAPD_STATE, and writes STATE/imapd.conf: the "imapd" and "imapd-env"
# lines of an imapeek.conf.  The imapd's standard error (its log: both log
# there when started like this) collects in STATE/imapd.stderr.
#
# Read-only by construction: the store's files are 0444 in 0555 folders.
# As root that alone would not stop an imapd, so as root Dovecot runs as
# nobody/nogroup (mail_uid/mail_gid) and imap4d is started through setpriv
# as nobody; only STATE (indexes, control files, logs) is theirs.  Not as
# root, both run as the current user and the file modes keep them out.

IMAPD_CMD=
IMAPD_ENV=
IMAPD_STATE=
IMAPEEK_TOOLS="$IMAPEEK_TOP/t/tools"
DOVECOT_IMAP=${DOVECOT_IMAP:-/usr/lib/dovecot/imap}
IMAP4D=${IMAP4D:-/usr/sbin/imap4d}
COURIER_DIR=${COURIER_DIR:-$IMAPEEK_TOP/build/courier}
IMAPD_RUN_USER=nobody
IMAPD_RUN_GROUP=nogroup

_imapd_is_root() { [ "$(id -u)" = 0 ]; }

# Not as root, the read-only folders of the stores would defeat TEST_TMP's
# removal (registered before, so run after this).  Registered here because
# mkstore often runs in a command substitution, a subshell.
[ -n "${TEST_TMP:-}" ] && ! _imapd_is_root &&
	at_exit 'chmod -R u+w "$TEST_TMP" 2>/dev/null'

# A word of an "imapd" line: double-quoted when it holds a blank or a quote.
_imapd_word() {
	case $1 in
	*[\ \	\"\\]*)
		printf '"%s"' "$(printf '%s' "$1" | sed 's/[\\"]/\\&/g')" ;;
	*) printf '%s' "$1" ;;
	esac
}

_imapd_cmdline() {
	_imapd_line=
	for _imapd_w in "$@"; do
		_imapd_line="$_imapd_line${_imapd_line:+ }$(_imapd_word "$_imapd_w")"
	done
	printf '%s' "$_imapd_line"
}

# As root: the state belongs to the user the imapd runs as, and that user
# must be able to reach the store (a mktemp -d folder is 0700).
_imapd_prepare_state() {
	mkdir -p "$1" || return 1
	IMAPD_STATE=$(cd "$1" && pwd)
	: >"$IMAPD_STATE/imapd.stderr"
	if _imapd_is_root; then
		chown -R "$IMAPD_RUN_USER:$IMAPD_RUN_GROUP" "$IMAPD_STATE" || return 1
	fi
	at_exit cleanup
}

_imapd_check_reachable() {
	_imapd_is_root || return 0
	if ! setpriv --reuid="$IMAPD_RUN_USER" --regid="$IMAPD_RUN_GROUP" \
		--clear-groups test -r "$1" -a -x "$1"; then
		echo "lib-imapd: $IMAPD_RUN_USER cannot read $1 (a parent folder 0700?)" >&2
		return 1
	fi
}

_imapd_write_conf() {
	{
		echo "imapd = $IMAPD_CMD"
		for _imapd_w in $IMAPD_ENV; do echo "imapd-env = $_imapd_w"; done
	} >"$IMAPD_STATE/imapd.conf"
}

# mkstore DEST MAILBOX=SRC...: prints "MAILBOX<TAB>COUNT" lines.
mkstore() {
	python3 "$IMAPEEK_TOOLS/mkmaildir.py" "$@"
}

# dovecot_setup STORE STATE.  DOVECOT_RAWLOG=DIR records every session's
# bytes in DIR (*.in from the client, *.out from Dovecot), each line
# prefixed with a timestamp and a blank (rawlog_lines strips them).
# Other shapes of the same server: DOVECOT_LAYOUT=maildir++ serves a store
# made by mkstore --maildir++ in Dovecot's default layout ("." between
# levels); DOVECOT_LAYOUT=index keeps folders by GUID and their names only
# in STATE's list index (any character in a name: "a/b" is one level with
# DOVECOT_SEPARATOR=., the namespace's delimiter); DOVECOT_CAPABILITY=WORDS
# announces only those capabilities ("IMAP4rev1": no SORT, THREAD,
# ESEARCH, BINARY, CONDSTORE, ...).  DOVECOT_FTS=1 adds the full-text
# search block of conf/dovecot-imapeek.conf, uncommented, with its
# /var/lib/imapeek replaced by STATE and its user by the imapd's (as root
# only: the Dovecot master it needs runs as root): start the master with
# dovecot_fts_start before the first search.
dovecot_setup() {
	_imapd_store=$(cd "$1" && pwd) || return 1
	_imapd_prepare_state "$2" || return 1
	_imapd_check_reachable "$_imapd_store/cur" || return 1
	_imapd_conf="$IMAPD_STATE/dovecot.conf"
	{
		echo "# Written by t/lib-imapd.sh: a read-only, pre-authenticated imap."
		echo "protocols = imap"
		echo "ssl = no"
		echo "log_path = $IMAPD_STATE/dovecot.log"
		case ${DOVECOT_LAYOUT:-fs} in
		maildir++) _imapd_layout= ;;
		*) _imapd_layout=:LAYOUT=${DOVECOT_LAYOUT:-fs} ;;
		esac
		echo "mail_location = maildir:$_imapd_store$_imapd_layout:INDEX=$IMAPD_STATE/index:CONTROL=$IMAPD_STATE/control"
		if [ -n "${DOVECOT_SEPARATOR:-}" ]; then
			echo "namespace inbox {"
			echo "  inbox = yes"
			echo "  separator = $DOVECOT_SEPARATOR"
			echo "}"
		fi
		[ -n "${DOVECOT_CAPABILITY:-}" ] &&
			echo "imap_capability = $DOVECOT_CAPABILITY"
		# As conf/dovecot-imapeek.conf: the list index would answer
		# STATUS from its cache in a kept session
		# (LAYOUT=index keeps the names there: it needs it).
		[ "${DOVECOT_LAYOUT:-fs}" = index ] || echo "mailbox_list_index = no"
		if _imapd_is_root; then
			echo "mail_uid = $IMAPD_RUN_USER"
			echo "mail_gid = $IMAPD_RUN_GROUP"
		fi
		if [ -n "${DOVECOT_RAWLOG:-}" ]; then
			mkdir -p "$DOVECOT_RAWLOG" || return 1
			_imapd_is_root &&
				chown "$IMAPD_RUN_USER:$IMAPD_RUN_GROUP" "$DOVECOT_RAWLOG"
			echo "protocol imap {"
			echo "  rawlog_dir = $(cd "$DOVECOT_RAWLOG" && pwd)"
			echo "}"
		fi
		if [ "${DOVECOT_FTS:-0}" = 1 ]; then
			_imapd_fts_block || return 1
		fi
	} >"$_imapd_conf"
	IMAPD_CMD=$(_imapd_cmdline "$DOVECOT_IMAP" -c "$_imapd_conf")
	IMAPD_ENV="USER=imapeek HOME=$IMAPD_STATE"
	_imapd_write_conf
}

# The full-text search block of the example configuration, as a
# deployment turns it on (see there): what the tests run is what it says.
_imapd_fts_block() {
	_imapd_is_root || {
		echo "lib-imapd: DOVECOT_FTS=1 needs root (the Dovecot master)" >&2
		return 1; }
	sed -n '/^#protocols =$/,/^# end of full-text search$/p' \
		"$IMAPEEK_TOP/conf/dovecot-imapeek.conf" | sed '$d; s/^#//' |
		sed "s|/var/lib/imapeek|$IMAPD_STATE|g
			s|uid=imapeek gid=imapeek|uid=$IMAPD_RUN_USER gid=$IMAPD_RUN_GROUP|"
}

# dovecot_fts_start: the Dovecot master of the DOVECOT_FTS=1 setup made
# last (its indexer serves the imap processes through STATE/run), stopped
# at exit; dovecot_fts_stop stops the one started last sooner.
DOVECOT_MASTER=${DOVECOT_MASTER:-/usr/sbin/dovecot}
DOVEADM=${DOVEADM:-/usr/bin/doveadm}
_imapd_fts_pid=
dovecot_fts_start() {
	# A base_dir left by an earlier master: dovecot_setup gave it to the
	# imapd's user, and the master would only complain and fix it.
	if [ -s "$IMAPD_STATE/run/master.pid" ] &&
		kill -0 "$(cat "$IMAPD_STATE/run/master.pid")" 2>/dev/null; then
		echo "lib-imapd: a Dovecot master already runs on $IMAPD_STATE/run" >&2
		return 1
	fi
	rm -rf "$IMAPD_STATE/run"
	"$DOVECOT_MASTER" -c "$IMAPD_STATE/dovecot.conf" || return 1
	# It forks into the background, then writes its pid and sockets.
	_imapd_i=0
	until [ -s "$IMAPD_STATE/run/master.pid" ] && [ -S "$IMAPD_STATE/run/indexer" ]; do
		_imapd_i=$((_imapd_i + 1))
		[ $_imapd_i -gt 100 ] && {
			echo "lib-imapd: the Dovecot master did not start (see $IMAPD_STATE/dovecot.log)" >&2
			return 1; }
		sleep 0.1
	done
	_imapd_fts_pid=$(cat "$IMAPD_STATE/run/master.pid") || return 1
	at_exit "_imapd_fts_end $_imapd_fts_pid"
}

# _imapd_fts_end PID: SIGTERM to a master; it stops its services and exits.
_imapd_fts_end() {
	kill -TERM "$1" 2>/dev/null || return 0
	_imapd_i=0
	while kill -0 "$1" 2>/dev/null && [ $_imapd_i -lt 100 ]; do
		sleep 0.1
		_imapd_i=$((_imapd_i + 1))
	done
}

dovecot_fts_stop() {
	[ -n "$_imapd_fts_pid" ] || return 0
	_imapd_fts_end "$_imapd_fts_pid"
	_imapd_fts_pid=
}

# dovecot_fts_index [MAILBOX]: index MAILBOX (default: every mailbox)
# now, as "doveadm index" does in a deployment; needs the master.
dovecot_fts_index() {
	"$DOVEADM" -c "$IMAPD_STATE/dovecot.conf" index -u imapeek "${1:-*}"
}

# rawlog_lines DIR in|out: the recorded lines without their timestamps.
rawlog_lines() {
	cat "$1"/*."$2" 2>/dev/null | sed 's/^[0-9][0-9]*\.[0-9]* //'
}

# rawlog_in_time DIR in|out: the same, every session's lines merged in the
# order of their timestamps (the files' names order sessions by the second
# they started, then by pid as text: not in time).
rawlog_in_time() {
	cat "$1"/*."$2" 2>/dev/null | sort -s -n -k1,1 | sed 's/^[0-9][0-9]*\.[0-9]* //'
}

# imap4d_setup MBOXDIR STATE: INBOX is the file MBOXDIR/INBOX, every other
# mbox file below MBOXDIR a mailbox named by its path ("/" separated).
# imap4d sends names as they are on disk: store them in modified UTF-7
# (RFC 3501 5.1.3) for an IMAP4rev1 client to see the right name.
imap4d_setup() {
	_imapd_dir=$(cd "$1" && pwd) || return 1
	_imapd_prepare_state "$2" || return 1
	_imapd_check_reachable "$_imapd_dir" || return 1
	_imapd_conf="$IMAPD_STATE/imap4d.conf"
	cat >"$_imapd_conf" <<-EOF
	# Written by t/lib-imapd.sh: GNU Mailutils imap4d, --preauth, read-only.
	logging { syslog no; };
	# No lock files: the store's folders are not writable.
	locking { type null; };
	mailbox {
	  mailbox-pattern "$_imapd_dir/INBOX";
	  mailbox-type mbox;
	};
	namespace personal {
	  prefix "" {
	    directory "$_imapd_dir";
	    delimiter "/";
	  };
	};
	EOF
	if _imapd_is_root; then
		IMAPD_CMD=$(_imapd_cmdline "$(command -v setpriv)" --reuid="$IMAPD_RUN_USER" \
			--regid="$IMAPD_RUN_GROUP" --clear-groups \
			"$IMAP4D" --preauth --config-file="$_imapd_conf")
		IMAPD_ENV="USER=$IMAPD_RUN_USER HOME=$IMAPD_STATE"
	else
		IMAPD_CMD=$(_imapd_cmdline "$IMAP4D" --preauth \
			--config-file="$_imapd_conf")
		IMAPD_ENV="USER=$(id -un) HOME=$IMAPD_STATE"
	fi
	_imapd_write_conf
}

# courier_imapd: the absolute path of Courier-IMAP's imapd, unpacked once
# from Debian's packages into COURIER_DIR (t/tools/get-courier.sh); fails
# with the reason on standard error.
courier_imapd() {
	sh "$IMAPEEK_TOOLS/get-courier.sh" "$COURIER_DIR"
}

# courier_setup STORE STATE: Courier-IMAP's imapd, pre-authenticated
# (AUTHENTICATED and MAILDIR in its environment), over a Maildir++ store
# made by mkstore --maildir++ --utf8-names (Courier 5 keeps folder names
# on disk in UTF-8 and lists them with the "INBOX." prefix).
#
# Courier cannot serve a store it cannot write to: it writes its control
# files into each folder (courierimapuiddb, courierimapacl,
# courierimapkeywords/, courierimaphieracl/) through the folder's tmp/, and
# even EXAMINE stops with "Permission denied" without them.  So STORE
# becomes Courier's: each folder and its tmp/ are made writable for the
# imapd; cur/ and new/, and the messages in them, stay read-only (owned by
# another user as root).  Courier saves courierimapuiddb only on SELECT;
# without it UIDVALIDITY changes with every start.  A live Courier store
# has one, so each folder is SELECTed here once, by this function, never
# by imapeek.
#
# The capabilities are those of Debian's /etc/courier/imapd (the imapd
# itself announces only IMAP4rev1 ENABLE UTF8=ACCEPT without them).  The
# value holds blanks, which IMAPD_ENV cannot carry: env(1) on the command
# line sets it (an imapeek.conf may write "imapd-env = IMAP_CAPABILITY=...
# ..." instead).  Without gamin's gam_server Courier greets with "* OK
# [ALERT] Filesystem notification initialization error" before PREAUTH.
courier_setup() {
	_imapd_store=$(cd "$1" && pwd) || return 1
	_imapd_prepare_state "$2" || return 1
	_imapd_courier=$(courier_imapd) || return 1
	_imapd_root=${_imapd_courier%/usr/bin/imapd}
	_imapd_libs=$_imapd_root/usr/lib
	for _imapd_w in "$_imapd_root"/usr/lib/*/libcourier-unicode.so.*; do
		_imapd_libs=$_imapd_libs:${_imapd_w%/*}
		break
	done
	_imapd_caps=$(sed -n 's/^IMAP_CAPABILITY="\(.*\)"$/\1/p' \
		"$_imapd_root/etc/courier/imapd")
	[ -n "$_imapd_caps" ] || {
		echo "lib-imapd: no IMAP_CAPABILITY in $_imapd_root/etc/courier/imapd" >&2
		return 1; }
	_imapd_user=$(id -un)
	_imapd_is_root && _imapd_user=$IMAPD_RUN_USER
	chmod u+w "$_imapd_store" "$_imapd_store/tmp" || return 1
	_imapd_is_root && { chown "$IMAPD_RUN_USER:$IMAPD_RUN_GROUP" \
		"$_imapd_store" "$_imapd_store/tmp" || return 1; }
	_imapd_selects="ENABLE UTF8=ACCEPT
SELECT INBOX"
	for _imapd_w in "$_imapd_store"/.[!.]*; do
		[ -d "$_imapd_w/cur" ] || continue
		chmod u+w "$_imapd_w" "$_imapd_w/tmp" || return 1
		_imapd_is_root && { chown "$IMAPD_RUN_USER:$IMAPD_RUN_GROUP" \
			"$_imapd_w" "$_imapd_w/tmp" || return 1; }
		_imapd_name=$(printf '%s' "${_imapd_w##*/}" | sed 's/[\\"]/\\&/g')
		_imapd_selects="$_imapd_selects
SELECT \"INBOX$_imapd_name\""
	done
	_imapd_check_reachable "$_imapd_store/cur" || return 1
	set -- "$(command -v env)" "IMAP_CAPABILITY=$_imapd_caps" "$_imapd_courier"
	if _imapd_is_root; then
		set -- "$(command -v setpriv)" --reuid="$IMAPD_RUN_USER" \
			--regid="$IMAPD_RUN_GROUP" --clear-groups "$@"
	fi
	IMAPD_CMD=$(_imapd_cmdline "$@")
	# No lock files (nothing writes), no file-system notification, and a
	# store owned by another user than the imapd's.
	IMAPD_ENV="AUTHENTICATED=$_imapd_user MAILDIR=$_imapd_store HOME=$IMAPD_STATE"
	IMAPD_ENV="$IMAPD_ENV LD_LIBRARY_PATH=$_imapd_libs IMAP_USELOCKS=0"
	IMAPD_ENV="$IMAPD_ENV IMAP_ENHANCEDIDLE=0 IMAP_MAILBOX_SANITY_CHECK=0"
	_imapd_write_conf
	_imapd_ifs=$IFS
	IFS='
'
	# shellcheck disable=SC2086
	set -- $_imapd_selects
	IFS=$_imapd_ifs
	imap_send "$@" >"$IMAPD_STATE/select.log" || {
		echo "lib-imapd: Courier's first SELECTs failed (see $IMAPD_STATE/select.log)" >&2
		return 1; }
	! grep -q '^S: t[0-9]* \(NO\|BAD\)' "$IMAPD_STATE/select.log" || {
		echo "lib-imapd: Courier refused a SELECT:" >&2
		grep '^S: t[0-9]* \(NO\|BAD\)' "$IMAPD_STATE/select.log" >&2
		return 1; }
}

# messages_digest STORE: store_digest over the message files (cur/ and
# new/ of every Maildir folder), for a store whose imapd keeps files of
# its own beside them.
messages_digest() {
	(cd "$1" && find . -type f \( -path '*/cur/*' -o -path '*/new/*' \) -print0 |
		LC_ALL=C sort -z | xargs -0 -r sha256sum) | sha256sum | cut -d' ' -f1
}

# imap_send COMMAND...: see t/tools/imap-transcript.py (untagged commands,
# tags t1, t2, ...; LOGOUT is added).  IMAP_TIMEOUT seconds per answer.
imap_send() {
	IMAPD_CMD="$IMAPD_CMD" IMAPD_ENV="$IMAPD_ENV" \
		python3 "$IMAPEEK_TOOLS/imap-transcript.py" \
		--timeout="${IMAP_TIMEOUT:-20}" \
		--stderr="$IMAPD_STATE/imapd.stderr" "$@"
}

# store_digest STORE: sha256 over "sha256  ./relative/path" of every file.
store_digest() {
	(cd "$1" && find . -type f -print0 | LC_ALL=C sort -z |
		xargs -0 -r sha256sum) | sha256sum | cut -d' ' -f1
}

# openbmc_store: the openbmc archive as mailbox "lists/openbmc" (INBOX
# empty), built once into build/corpus/openbmc; a build goes to a
# temporary folder renamed into place, so a present store is complete.
openbmc_store() {
	_imapd_obmc="$IMAPEEK_TOP/build/corpus/openbmc"
	_imapd_src="$SHARED_CORPUS/archive-openbmc-2019-2020/openbmc-2019-2020.mbox.xz"
	if [ ! -d "$_imapd_obmc/lists/openbmc/cur" ]; then
		[ -r "$_imapd_src" ] || { echo "lib-imapd: no $_imapd_src" >&2; return 1; }
		mkdir -p "$IMAPEEK_TOP/build/corpus" || return 1
		_imapd_tmp=$(mktemp -d "$IMAPEEK_TOP/build/corpus/openbmc.tmp.XXXXXX") || return 1
		if python3 "$IMAPEEK_TOOLS/mkmaildir.py" "$_imapd_tmp/store" \
			"lists/openbmc=$_imapd_src" >/dev/null &&
			chmod u+w "$_imapd_tmp/store" &&
			mv -T "$_imapd_tmp/store" "$_imapd_obmc" 2>/dev/null; then
			# Moving a folder rewrites its "..": it was writable meanwhile.
			chmod 555 "$_imapd_obmc"
		elif [ ! -d "$_imapd_obmc/lists/openbmc/cur" ]; then
			chmod -R u+w "$_imapd_tmp"; rm -rf "$_imapd_tmp"
			echo "lib-imapd: building $_imapd_obmc failed" >&2
			return 1
		fi
		# Another test may have won the race; either way ours goes.
		chmod -R u+w "$_imapd_tmp"; rm -rf "$_imapd_tmp"
	fi
	printf '%s\n' "$_imapd_obmc"
}

# sample_store DEST: t/tools/gen-sample.py's archive (its mboxes go to
# DEST.mbox) as a read-only Maildir in DEST; prints "MAILBOX<TAB>COUNT".
sample_store() {
	_imapd_dest=$1
	_imapd_mbox="$1.mbox"
	python3 "$IMAPEEK_TOOLS/gen-sample.py" "$_imapd_mbox" || return 1
	set --
	_imapd_tab=$(printf '\t')
	while IFS=$_imapd_tab read -r _imapd_name _imapd_file; do
		set -- "$@" "$_imapd_name=$_imapd_mbox/$_imapd_file"
	done <"$_imapd_mbox/MAILBOXES"
	mkstore "$_imapd_dest" "$@"
}

# imapd_procs TEXT: pids of the processes whose command line holds TEXT
# (not this shell's; no grep whose own arguments would match).
imapd_procs() {
	for _imapd_proc in /proc/[0-9]*; do
		_imapd_pid=${_imapd_proc#/proc/}
		[ "$_imapd_pid" = $$ ] && continue
		_imapd_args=$({ tr '\0' ' ' <"$_imapd_proc/cmdline"; } 2>/dev/null) || continue
		case $_imapd_args in *"$1"*) echo "$_imapd_pid" ;; esac
	done
}

# cleanup: kill imapds still running on this test's state folder (a
# transcript that timed out kills its own; this is the last resort).
cleanup() {
	[ -n "$IMAPD_STATE" ] || return 0
	for _imapd_pid in $(imapd_procs "$IMAPD_STATE/"); do
		kill -9 "$_imapd_pid" 2>/dev/null
	done
	return 0
}
