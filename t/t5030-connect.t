#!/bin/sh
# imapeek-connect against a real Dovecot daemon on the network: over
# implicit TLS and over STARTTLS it logs in (a password sent as a literal,
# another as a quoted string with escapes), greets "* PREAUTH
# [CAPABILITY ...]" and relays LIST, EXAMINE and FETCH; at the end of its
# input it sends LOGOUT; imapeek-httpd with it as its "imapd" serves the
# same JSON as with the local pre-authenticated Dovecot over the same
# store.  Every failure (refused port, untrusted certificate, wrong host
# name, wrong password, a password file others may read) exits non-zero
# with one line on stderr and nothing on stdout, and the password is in
# no log.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"

DOVECOT=${DOVECOT:-/usr/sbin/dovecot}
CONNECT=$IMAPEEK_BUILD/cgi/imapeek-connect
[ -x "$DOVECOT" ] || skip_all "no Dovecot daemon ($DOVECOT; Debian: dovecot-core)"
[ -x "$DOVECOT_IMAP" ] || skip_all "no Dovecot imap binary ($DOVECOT_IMAP)"
command -v openssl >/dev/null || skip_all "no openssl (Debian: openssl)"
[ -x "$CONNECT" ] || bail "no $CONNECT (make test-build)"

# The sample archive behind the local pre-authenticated imap (the
# reference); the daemon serves the same store with the same index and
# control files, so UIDs and UIDVALIDITY are the same too.
pages_setup_sample
D=$TEST_TMP/daemon
mkdir -p "$D" || bail "cannot make $D"

# -- certificates: the server's (for 127.0.0.1 only), and a stranger's
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$D/key.pem" -out "$D/cert.pem" -days 2 -subj /CN=imapeek-test \
	-addext subjectAltName=IP:127.0.0.1 2>"$D/openssl.log" ||
	bail "openssl cannot make a certificate: $(cat "$D/openssl.log")"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$D/other-key.pem" -out "$D/other.pem" -days 2 -subj /CN=stranger \
	-addext subjectAltName=IP:127.0.0.1 2>>"$D/openssl.log" ||
	bail "openssl cannot make a certificate"
chmod 644 "$D/cert.pem" "$D/other.pem"

# -- users: one password goes as a literal (8-bit), one quoted (" and \)
PW_LITERAL='Gr\303\274n-lit3ral-pw'
PW_LITERAL=$(printf "$PW_LITERAL")
PW_QUOTED='qu"ot\ed-pw-7'
umask 077
printf '%s\n' "$PW_LITERAL" >"$D/pw-literal"
printf '%s\r\n' "$PW_QUOTED" >"$D/pw-quoted"
printf '%s\n' 'not-the-password' >"$D/pw-wrong"
umask 022
cp "$D/pw-literal" "$D/pw-open" && chmod 644 "$D/pw-open"
uid=$(id -u "$IMAPD_RUN_USER")
gid=$(getent group "$IMAPD_RUN_GROUP" | cut -d: -f3)
{
	printf 'lit:{PLAIN}%s:%s:%s::%s::\n' "$PW_LITERAL" "$uid" "$gid" "$IMAPD_STATE"
	printf 'quo:{PLAIN}%s:%s:%s::%s::\n' "$PW_QUOTED" "$uid" "$gid" "$IMAPD_STATE"
} >"$D/users"
chmod 644 "$D/users"

# -- the daemon: IMAP with STARTTLS and IMAPS on free loopback ports
free_ports() {
	python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))'
}
if [ "$(id -u)" = 0 ]; then
	internal_user=dovecot login_user=dovenull
	id "$internal_user" >/dev/null 2>&1 || internal_user=$IMAPD_RUN_USER
	id "$login_user" >/dev/null 2>&1 || login_user=$IMAPD_RUN_USER
else
	internal_user=$(id -un) login_user=$(id -un)
fi
INSTANCE=imapeek-t5030-$$
write_conf() {
	cat >"$D/dovecot.conf" <<-EOF
	# Written by t/t5030-connect.t: a read-only Dovecot on the loopback.
	base_dir = $D/run
	state_dir = $D/state
	instance_name = $INSTANCE
	log_path = $D/dovecot.log
	protocols = imap
	listen = 127.0.0.1
	ssl = required
	ssl_cert = <$D/cert.pem
	ssl_key = <$D/key.pem
	disable_plaintext_auth = yes
	auth_mechanisms = plain
	auth_failure_delay = 0
	auth_verbose = yes
	default_internal_user = $internal_user
	default_internal_group = $(id -gn "$internal_user")
	default_login_user = $login_user
	passdb {
	  driver = passwd-file
	  args = scheme=PLAIN $D/users
	}
	userdb {
	  driver = passwd-file
	  args = $D/users
	}
	mail_location = maildir:$PAGES_STORE:LAYOUT=fs:INDEX=$IMAPD_STATE/index:CONTROL=$IMAPD_STATE/control
	service imap-login {
	  inet_listener imap {
	    port = $PORT_IMAP
	  }
	  inet_listener imaps {
	    port = $PORT_IMAPS
	    ssl = yes
	  }
	}
	EOF
}

DOVECOT_PID=
stop_dovecot() {
	[ -n "$DOVECOT_PID" ] || return 0
	kill -TERM "$DOVECOT_PID" 2>/dev/null
	i=0
	while kill -0 "$DOVECOT_PID" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -KILL "$DOVECOT_PID" 2>/dev/null
	wait "$DOVECOT_PID" 2>/dev/null
	DOVECOT_PID=
	# Its children (imap, imap-login, auth, log...) end after it; their
	# process titles carry the instance name.
	i=0
	while [ -n "$(imapd_procs "$INSTANCE/")" ] && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	for pid in $(imapd_procs "$INSTANCE/"); do kill -KILL "$pid" 2>/dev/null; done
	return 0
}
at_exit stop_dovecot

# Started when both ports answer; another test may take a free port
# between our look and Dovecot's bind: then again with new ports.
try=0
while :; do
	try=$((try + 1))
	set -- $(free_ports)
	PORT_IMAP=$1 PORT_IMAPS=$2
	write_conf
	: >"$D/dovecot.log"
	"$DOVECOT" -F -c "$D/dovecot.conf" >>"$D/dovecot.stderr" 2>&1 &
	DOVECOT_PID=$!
	i=0 up=
	while [ $i -lt 200 ] && kill -0 "$DOVECOT_PID" 2>/dev/null; do
		if python3 -c '
import socket, sys
for p in sys.argv[1:]:
    socket.create_connection(("127.0.0.1", int(p)), 1).close()' \
			"$PORT_IMAP" "$PORT_IMAPS" 2>/dev/null; then
			up=1; break
		fi
		sleep 0.1; i=$((i + 1))
	done
	[ -n "$up" ] && break
	stop_dovecot
	if [ $try -ge 3 ]; then
		cat "$D/dovecot.stderr" "$D/dovecot.log" | tail -n 20 | sed 's/^/# /'
		bail "the Dovecot daemon did not start"
	fi
done
diag "Dovecot listens on 127.0.0.1:$PORT_IMAP (STARTTLS) and :$PORT_IMAPS (TLS)"

# connect_cmd ARGS...: IMAPD_CMD for imap_send (lib-imapd.sh).
connect_cmd() {
	IMAPD_CMD=$(_imapd_cmdline "$CONNECT" "$@")
	IMAPD_ENV=
}

# fails NAME REGEX ARGS...: a failure exits non-zero, writes nothing on
# stdout and one line on stderr that names the problem.
fails() {
	_name=$1 _want=$2
	shift 2
	"$CONNECT" "$@" </dev/null >"$TEST_TMP/fail.out" 2>"$TEST_TMP/fail.err"
	_st=$?
	cat "$TEST_TMP/fail.err" >>"$TEST_TMP/all-stderr"
	ok "$([ "$_st" != 0 ]; echo $?)" "$_name: exits non-zero ($_st)"
	is "$(wc -c <"$TEST_TMP/fail.out" | tr -d ' ')" 0 "$_name: writes no greeting"
	is "$(wc -l <"$TEST_TMP/fail.err" | tr -d ' ')" 1 "$_name: says one line"
	like "$(cat "$TEST_TMP/fail.err")" "$_want" "$_name: names the problem"
}
: >"$TEST_TMP/all-stderr"

# -- 1. through it: greeting, LIST, EXAMINE, FETCH, over TLS and STARTTLS
mode_args_tls="-p $PORT_IMAPS --cafile $D/cert.pem"
mode_args_starttls="-p $PORT_IMAP --starttls --cafile $D/cert.pem"
for mode in tls starttls; do
	eval "args=\$mode_args_$mode"
	for user in lit quo; do
		# shellcheck disable=SC2086
		connect_cmd $args -u "$user" -P "$D/pw-$( [ $user = lit ] && echo literal || echo quoted)" 127.0.0.1
		imap_send 'LIST "" "*"' 'EXAMINE lists/dev' 'FETCH 1 (UID ENVELOPE)' \
			>"$TEST_TMP/talk-$mode-$user"
		st=$?
		talk=$(cat "$TEST_TMP/talk-$mode-$user")
		is "$st" 0 "$mode, user $user: the talk ends well (the relay exits after LOGOUT)"
		like "$(echo "$talk" | head -n 1)" '^S: \* PREAUTH \[CAPABILITY IMAP4rev1 [^]]*\] ' \
			"$mode, user $user: greets * PREAUTH [CAPABILITY IMAP4rev1 ...]"
		[ $user = lit ] || continue
		unlike "$(echo "$talk" | head -n 1)" 'STARTTLS|LOGINDISABLED|AUTH=' \
			"... without STARTTLS, LOGINDISABLED or AUTH=*"
		like "$talk" 'S: \* LIST \([^)]*\) "/" lists/dev' "... LIST works through it"
		like "$talk" "S: \\* $(sample_count lists/dev) EXISTS" "... EXAMINE lists/dev gives its count"
		like "$talk" 'S: t2 OK \[READ-ONLY\]' "... read-only"
		like "$talk" 'S: \* 1 FETCH \(UID [0-9]+ ENVELOPE \(' "... FETCH works through it"
		like "$talk" 'S: t4 OK Logout completed' "... and LOGOUT"
	done
done

# Every byte relayed: the whole of lists/dev (bigger than the relay's
# buffers together) is the same through it as from the local imapd, but
# for Dovecot's timings and the greeting.
bulk() {
	imap_send 'EXAMINE lists/dev' 'FETCH 1:* (UID RFC822.SIZE BODY.PEEK[])' |
		sed -e 1d -e 's/ ([0-9.]*\( + [0-9.]*\)* secs)//' >"$TEST_TMP/bulk-$1"
}
connect_cmd -p "$PORT_IMAPS" --cafile "$D/cert.pem" -u lit -P "$D/pw-literal" 127.0.0.1
bulk remote
save_cmd=$IMAPD_CMD
IMAPD_CMD=$(sed -n 's/^imapd = //p' "$IMAPD_STATE/imapd.conf")
IMAPD_ENV=$(sed -n 's/^imapd-env = //p' "$IMAPD_STATE/imapd.conf" | tr '\n' ' ')
bulk local
cmp -s "$TEST_TMP/bulk-local" "$TEST_TMP/bulk-remote"
ok $? "every message of lists/dev ($(wc -c <"$TEST_TMP/bulk-local" | tr -d ' ') bytes) comes through it unchanged"
IMAPD_CMD=$save_cmd IMAPD_ENV=

# At the end of its input it logs out itself.
connect_cmd -p "$PORT_IMAPS" --cafile "$D/cert.pem" -u lit -P "$D/pw-literal" 127.0.0.1
printf 'e1 NOOP\r\n' | "$CONNECT" -p "$PORT_IMAPS" --cafile "$D/cert.pem" -u lit \
	-P "$D/pw-literal" 127.0.0.1 >"$TEST_TMP/eof.out" 2>"$TEST_TMP/eof.err"
is "$?" 0 "input ends without LOGOUT: imapeek-connect exits 0"
out=$(tr -d '\r' <"$TEST_TMP/eof.out")
like "$out" 'e1 OK' "... after relaying the last command"
like "$out" '\* BYE' "... and its own LOGOUT, which the server answers"
i=0
until grep -q 'imap(lit).*Logged out' "$D/dovecot.log" || [ $i -gt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
like "$(grep 'imap(lit)' "$D/dovecot.log" | tail -n 1)" 'Logged out' \
	"... and Dovecot logs a logout, not a dropped connection"
is "$(cat "$TEST_TMP/eof.err")" "" "... saying nothing on stderr"

# --plain logs in in the clear when told to (Dovecot takes a login from
# the loopback as secure, ssl = required or not).
connect_cmd -p "$PORT_IMAP" --plain -u quo -P "$D/pw-quoted" 127.0.0.1
imap_send 'EXAMINE lists/dev' >"$TEST_TMP/talk-plain"
is "$?" 0 "--plain: the talk ends well"
like "$(head -n 1 "$TEST_TMP/talk-plain")" '^S: \* PREAUTH \[CAPABILITY IMAP4rev1 ' "--plain: greets * PREAUTH"

# Without --plain no credentials go out in the clear: a server that does
# not offer STARTTLS, or refuses it, gets no LOGIN.  fake_server SCRIPT
# serves one connection: it sends each "S: " line of SCRIPT ("|" between
# them, "\\n" a line end inside one) after the client's next line (the
# first one at once), and keeps what it heard.
fake_server() {
	rm -f "$TEST_TMP/fake.port" "$TEST_TMP/fake.heard"
	python3 - "$1" "$TEST_TMP/fake.port" "$TEST_TMP/fake.heard" <<-'EOF' &
	import socket, sys
	lines = [l[3:] for l in sys.argv[1].split("|")]
	srv = socket.socket()
	srv.bind(("127.0.0.1", 0))
	srv.listen(1)
	srv.settimeout(30)
	open(sys.argv[2], "w").write("%d\n" % srv.getsockname()[1])
	conn, _ = srv.accept()
	conn.settimeout(10)
	heard = b""
	try:
	    for i, line in enumerate(lines):
	        if i:
	            while heard.count(b"\n") < i:
	                chunk = conn.recv(4096)
	                if not chunk:
	                    raise EOFError
	                heard += chunk
	        conn.sendall(line.replace("\\n", "\r\n").encode() + b"\r\n")
	    while True:
	        chunk = conn.recv(4096)
	        if not chunk:
	            break
	        heard += chunk
	except (EOFError, OSError):
	    pass
	open(sys.argv[3], "wb").write(heard)
	EOF
	FAKE_PID=$!
	i=0
	until [ -s "$TEST_TMP/fake.port" ] || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
	FAKE_PORT=$(cat "$TEST_TMP/fake.port" 2>/dev/null)
}
fake_done() {
	wait "$FAKE_PID"
	FAKE_PID=
}
FAKE_PID=
at_exit '[ -z "$FAKE_PID" ] || kill "$FAKE_PID" 2>/dev/null'
: >"$TEST_TMP/all-stderr"
fake_server 'S: * OK [CAPABILITY IMAP4rev1 LOGINDISABLED] no TLS here'
fails "--starttls, a server without STARTTLS" \
	"^imapeek-connect: 127\\.0\\.0\\.1:$FAKE_PORT: the server does not offer STARTTLS" \
	-p "$FAKE_PORT" --starttls -u lit -P "$D/pw-literal" 127.0.0.1
fake_done
is "$(cat "$TEST_TMP/fake.heard")" "" "... which hears nothing from it"
fake_server 'S: * OK IMAP4rev1 ready|S: C1 NO not today'
fails "--starttls, a server that refuses STARTTLS" \
	"^imapeek-connect: 127\\.0\\.0\\.1:$FAKE_PORT: STARTTLS refused: \"NO not today\"" \
	-p "$FAKE_PORT" --starttls -u lit -P "$D/pw-literal" 127.0.0.1
fake_done
is "$(tr -d '\r' <"$TEST_TMP/fake.heard")" "C1 STARTTLS" "... which hears STARTTLS and no LOGIN"
fake_server 'S: * OK IMAP4rev1 ready|S: C1 OK begin TLS now\n* BYE injected in the clear'
fails "--starttls, bytes after the STARTTLS answer" \
	"^imapeek-connect: 127\\.0\\.0\\.1:$FAKE_PORT: the server sent bytes after its STARTTLS answer$" \
	-p "$FAKE_PORT" --starttls -u lit -P "$D/pw-literal" 127.0.0.1
fake_done
fake_server 'S: * PREAUTH [CAPABILITY IMAP4rev1] too easy'
fails "--starttls, a PREAUTH greeting" \
	"^imapeek-connect: 127\\.0\\.0\\.1:$FAKE_PORT: the server greeted with PREAUTH" \
	-p "$FAKE_PORT" --starttls -u lit -P "$D/pw-literal" 127.0.0.1
fake_done
is "$(cat "$TEST_TMP/fake.heard")" "" "... which hears nothing from it"

# -- 2. imapeek-httpd serves the same pages through it
fetch_pages() {
	page httpd / format=json
	cp "$RESP_BODY" "$TEST_TMP/$1-root.json"
	page httpd /lists/dev/ format=json
	cp "$RESP_BODY" "$TEST_TMP/$1-index.json"
	uid=$(json 'd["messages"][0]["uid"]')
	page httpd "/lists/dev/$uid" format=json
	cp "$RESP_BODY" "$TEST_TMP/$1-message.json"
	# and every page type, as t4300 crawls each server shape
	python3 "$IMAPEEK_TOP/t/tools/shape-crawl.py" "$HTTPD_URL" from:alice \
		subject:thread Köln >"$TEST_TMP/$1-crawl.json" || bail "crawl failed"
}
httpd_start "$PAGES_CONF"
fetch_pages local
httpd_stop
remote_conf=$TEST_TMP/imapeek-remote.conf
{
	echo "imapd = $(_imapd_cmdline "$CONNECT" -p "$PORT_IMAPS" --cafile "$D/cert.pem" \
		-u lit -P "$D/pw-literal" 127.0.0.1)"
	grep -v -E '^imapd(-env)? = ' "$PAGES_CONF"
} >"$remote_conf"
httpd_start "$remote_conf"
fetch_pages remote
httpd_stop
like "$(cat "$TEST_TMP/local-root.json")" '"lists/dev"' "the local imapd's mailbox list has lists/dev"
for p in root index message; do
	cmp -s "$TEST_TMP/local-$p.json" "$TEST_TMP/remote-$p.json"
	ok $? "the $p page's JSON through imapeek-connect equals the local imapd's"
done
like "$(cat "$TEST_TMP/remote-message.json")" '"text":' "... the message page has its text"
differ=$(python3 - "$TEST_TMP/local-crawl.json" "$TEST_TMP/remote-crawl.json" <<'EOF2'
import json, sys
local, remote = (json.load(open(f)) for f in sys.argv[1:3])
print(" ".join(k for k in sorted(local) if local[k] != remote.get(k)))
EOF2
)
diag "crawled $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(d["statuses"].values()), "requests,", d["statuses"])' "$TEST_TMP/local-crawl.json")"
is "$differ" "" "every page type (index, months, threads, messages, parts, raw, thread, thread.mbox, search, Atom, permalinks) through imapeek-connect equals the local imapd's"
is "$(grep -c -E 'ERROR: AddressSanitizer|runtime error:' "$HTTPD_LOG")" 0 \
	"no sanitizer report in imapeek-httpd's log (imapeek-connect's stderr goes there)"

# -- 3. more failures
closed=$(free_ports | cut -d' ' -f1)
fails "a refused port" "^imapeek-connect: 127\\.0\\.0\\.1:$closed: cannot connect: Connection refused\$" \
	-p "$closed" -u lit -P "$D/pw-literal" 127.0.0.1
fails "a self-signed certificate, no --cafile" \
	"^imapeek-connect: 127\\.0\\.0\\.1:$PORT_IMAPS: certificate not trusted: .*issuer is unknown" \
	-p "$PORT_IMAPS" -u lit -P "$D/pw-literal" 127.0.0.1
fails "a certificate not signed by --cafile" \
	"^imapeek-connect: 127\\.0\\.0\\.1:$PORT_IMAPS: certificate not trusted: .*issuer is unknown" \
	-p "$PORT_IMAPS" --cafile "$D/other.pem" -u lit -P "$D/pw-literal" 127.0.0.1
fails "STARTTLS, a certificate not signed by --cafile" \
	"^imapeek-connect: 127\\.0\\.0\\.1:$PORT_IMAP: certificate not trusted" \
	-p "$PORT_IMAP" --starttls --cafile "$D/other.pem" -u lit -P "$D/pw-literal" 127.0.0.1
fails "a host name the certificate does not name" \
	"^imapeek-connect: localhost:$PORT_IMAPS: (certificate not trusted: .*name .*does not match|cannot connect)" \
	-p "$PORT_IMAPS" --cafile "$D/cert.pem" -u lit -P "$D/pw-literal" localhost
fails "a wrong password" \
	"^imapeek-connect: 127\\.0\\.0\\.1:$PORT_IMAPS: login refused: \"NO \\[AUTHENTICATIONFAILED\\]" \
	-p "$PORT_IMAPS" --cafile "$D/cert.pem" -u lit -P "$D/pw-wrong" 127.0.0.1
fails "a wrong password over STARTTLS" \
	"^imapeek-connect: 127\\.0\\.0\\.1:$PORT_IMAP: login refused" \
	-p "$PORT_IMAP" --starttls --cafile "$D/cert.pem" -u lit -P "$D/pw-wrong" 127.0.0.1
fails "a password file of mode 0644" \
	"^imapeek-connect: $D/pw-open: the password file is readable or writable by group or others" \
	-p "$PORT_IMAPS" --cafile "$D/cert.pem" -u lit -P "$D/pw-open" 127.0.0.1
fails "--cafile with --plain" "makes no sense" \
	-p "$PORT_IMAP" --plain --cafile "$D/cert.pem" -u lit -P "$D/pw-literal" 127.0.0.1
fails "a bad port number" "^imapeek-connect: -p: not a port number" \
	-p 70000 -u lit -P "$D/pw-literal" 127.0.0.1
fails "no host" "^imapeek-connect: usage: " -u lit -P "$D/pw-literal"
fails "--starttls with --plain" "exclude each other" \
	--starttls --plain -u lit -P "$D/pw-literal" 127.0.0.1

# -- the passwords are in no log
logs="$TEST_TMP/all-stderr $IMAPD_STATE/imapd.stderr $D/dovecot.log $D/dovecot.stderr $TEST_TMP/eof.err"
logs="$logs $(ls "$TEST_TMP"/httpd.*.log)"
found=
for pw in "$PW_LITERAL" "$PW_QUOTED" not-the-password; do
	# shellcheck disable=SC2086
	grep -l -F -- "$pw" $logs >/dev/null 2>&1 && found="$found $pw"
done
is "$found" "" "no password (right or wrong) in stderr, Dovecot's log or imapeek-httpd's"
is "$(cat "$IMAPD_STATE/imapd.stderr" "$TEST_TMP/eof.err" | grep -c -E 'Sanitizer|runtime error:')" 0 \
	"imapeek-connect's stderr has no sanitizer report (leaks included)"
like "$(cat "$D/dovecot.log")" 'auth.*(unknown user|password mismatch)|Disconnected.*auth failed' \
	"... though Dovecot's log has the failed login"

stop_dovecot
is "$(imapd_procs "$INSTANCE/" | wc -l | tr -d ' ')" 0 "no Dovecot process is left"
is "$(imapd_procs "$CONNECT" | wc -l | tr -d ' ')" 0 "no imapeek-connect is left"
done_testing
