# Deployments as the files in conf/ describe them, behind the real nginx
# and Apache httpd: sourced after lib.sh, lib-imapd.sh and lib-http.sh.
#
#   deploy_setup              the sample archive as a read-only store, and
#                             conf/dovecot-imapeek.conf and conf/imapeek.conf
#                             with their paths replaced, in $DEPLOY
#   deploy_conf FILE          conf/FILE with its ADAPT paths replaced
#   deploy_marked FILE        TAP: each line of conf/FILE that deploy_conf
#                             changes, comments aside, is marked ADAPT
#   deploy_command FILE WORD  the first example command in conf/FILE's
#                             comments that runs WORD with options
#                             (after VAR=VALUE words), continuation lines
#                             joined, with paths and users replaced
#   deploy_state USER GROUP   a new, empty folder for the imapd (the
#                             /var/lib/imapeek of the examples) of USER
#   deploy_as USER GROUP      the words that start a program as USER (as
#                             root; nothing otherwise)
#   deploy_spawn_fcgi FILE SHAPE
#                             run the example's spawn-fcgi command of
#                             conf/FILE (TAP); deploy_spawn_fcgi_stop SHAPE
#   deploy_httpd_start FILE SHAPE
#                             run the example's imapeek-httpd command of
#                             conf/FILE, as APP_USER, with base-url the
#                             web server's /archive (it is to listen on
#                             DEPLOY_PORT); deploy_httpd_stop SHAPE
#   deploy_socket_unit_start SHAPE
#                             imapeek.cgi as conf/imapeek-fcgi.socket and
#                             .service start it (systemd-socket-activate),
#                             as APP_USER; deploy_socket_unit_stop SHAPE
#   deploy_fcgiwrap_start SHAPE
#                             fcgiwrap as Debian's fcgiwrap.service runs
#                             it, as WEB_USER; deploy_fcgiwrap_stop SHAPE
#   deploy_way SHAPE IMAPEEK [FILE] WEB-START...
#                             one way from start to end: a new imapd
#                             folder, imapeek started (IMAPEEK "web": by
#                             the web server; "spawn-fcgi" or "httpd": by
#                             the example command in conf/FILE;
#                             "socket-unit", "fcgiwrap": as above), the web
#                             server (WEB-START: nginx_start ... or
#                             apache_start ...), the crawl, the stops and
#                             deploy_end
#   nginx_start FILE          nginx on a free loopback port (or
#                             DEPLOY_PORT), conf/FILE included in its
#                             server block; sets DEPLOY_URL (its
#                             /archive/), WEB_PID, WEB_LOG
#   apache_start NAME MOD...  Apache with "Define NAME", conf/apache-imapeek.conf
#                             and the modules MOD (mod_MOD.so); the same
#   web_stop                  stop that web server
#   deploy_crawl SHAPE        t/tools/deploy-crawl.py from DEPLOY_URL as TAP
#   deploy_end SHAPE USER     TAP after a shape has stopped: no imapd left,
#                             the imapd ran as USER, the store unchanged,
#                             the web server's error log clean
#
# The examples' marked paths ("ADAPT" comments) and what they become:
#
#   /usr/local/lib/imapeek/imapeek.cgi  $IMAPEEK_CGI (the test build)
#   /usr/local/bin/imapeek-httpd        $IMAPEEK_HTTPD
#   /etc/imapeek.conf                   $DEPLOY/imapeek.conf
#   /etc/imapeek/dovecot-imapeek.conf   $DEPLOY/dovecot-imapeek.conf
#   /run/imapeek/fcgi.sock              $DEPLOY_SOCKET ($DEPLOY/run/fcgi.sock)
#   127.0.0.1:8080                      127.0.0.1:$DEPLOY_HTTPD_PORT
#   /srv/mail                           $DEPLOY/store
#   /var/lib/imapeek                    $DEPLOY/state
#
# and in the example commands the users: "-u imapeek -g imapeek" become
# $APP_USER and $APP_GROUP, "-G www-data" $WEB_GROUP.  As root the web
# server runs as www-data (WEB_USER) and imapeek as nobody/nogroup
# (APP_USER, standing in for the user imapeek), as in the README's "Users
# and permissions"; otherwise everything runs as the current user.

DEPLOY=$TEST_TMP/deploy
DEPLOY_SOCKET=$DEPLOY/run/fcgi.sock
DEPLOY_HTTPD_PORT=
DEPLOY_URL=
WEB_PID=
WEB_LOG=
WEB_NAME=
_deploy_web_seq=0

if _imapd_is_root; then
	WEB_USER=www-data WEB_GROUP=www-data
	APP_USER=nobody APP_GROUP=nogroup
	id "$WEB_USER" >/dev/null 2>&1 || skip_all "no user $WEB_USER to run the web server as"
	setpriv --reuid="$WEB_USER" --regid="$WEB_GROUP" --clear-groups \
		test -x "$IMAPEEK_CGI" -a -r "$IMAPEEK_TOP/templates/layout.html" ||
		skip_all "$WEB_USER cannot run $IMAPEEK_CGI or read the templates (a parent folder 0700?)"
else
	WEB_USER=$(id -un) WEB_GROUP=$(id -gn)
	APP_USER=$WEB_USER APP_GROUP=$WEB_GROUP
fi

deploy_as() {
	_imapd_is_root || return 0
	printf '%s --reuid=%s --regid=%s --clear-groups' "$(command -v setpriv)" "$1" "$2"
}

_deploy_replace() {
	sed -e "s|/usr/local/lib/imapeek/imapeek\\.cgi|$IMAPEEK_CGI|g" \
		-e "s|/usr/local/bin/imapeek-httpd|$IMAPEEK_HTTPD|g" \
		-e "s|/etc/imapeek\\.conf|$DEPLOY/imapeek.conf|g" \
		-e "s|/etc/imapeek/dovecot-imapeek\\.conf|$DEPLOY/dovecot-imapeek.conf|g" \
		-e "s|/run/imapeek/fcgi\\.sock|$DEPLOY_SOCKET|g" \
		-e "s|127\\.0\\.0\\.1:8080|127.0.0.1:$DEPLOY_HTTPD_PORT|g" \
		-e "s|/srv/mail|$DEPLOY/store|g" \
		-e "s|/var/lib/imapeek|$DEPLOY/state|g" "$@"
}

deploy_conf() {
	_deploy_replace "$IMAPEEK_TOP/conf/$1"
}

# A comment block holding "ADAPT" marks the lines below it up to the next
# blank or comment line.
deploy_marked() {
	deploy_conf "$1" >"$DEPLOY/marked.$1" || return 1
	_deploy_unmarked=$(awk -v replaced="$DEPLOY/marked.$1" '
		{ getline changed <replaced }
		/^[ \t]*$/ { marked = 0; in_comment = 0; next }
		/^[ \t]*#/ {
			if (!in_comment) { block = 0; in_comment = 1 }
			if (/ADAPT/) block = 1
			next
		}
		{
			if (in_comment) { marked = block; in_comment = 0 }
			if ($0 != changed && !marked) print FNR ": " $0
		}' "$IMAPEEK_TOP/conf/$1")
	is "$_deploy_unmarked" "" "conf/$1: every path to adapt is marked ADAPT"
}

deploy_command() {
	awk -v word="$2" '
		!found && $0 ~ "^#[ \t]+([A-Z_]+=[^ ]+ )*([^ ]*/)?" word " -" {
			found = 1
		}
		found {
			line = $0
			sub(/^#[ \t]*/, "", line)
			more = sub(/[ \t]*\\$/, "", line)
			printf "%s%s", line, (more ? " " : "\n")
			if (!more) exit
		}' "$IMAPEEK_TOP/conf/$1" | _deploy_replace \
		-e "s/ -u imapeek / -u $APP_USER /" -e "s/ -g imapeek / -g $APP_GROUP /" \
		-e "s/ -G www-data / -G $WEB_GROUP /"
}

deploy_setup() {
	mkdir -p "$DEPLOY/run" || bail "cannot make $DEPLOY"
	chmod 755 "$DEPLOY" "$DEPLOY/run"
	sample_store "$DEPLOY/store" >"$DEPLOY/sample.counts" ||
		bail "cannot build the sample archive"
	deploy_conf dovecot-imapeek.conf >"$DEPLOY/dovecot-imapeek.conf"
	# The example's own choices of mailboxes are this site's: the sample's
	# visible mailboxes are INBOX, lists/* and "Archiv/Grüße & Co".
	deploy_conf imapeek.conf |
		grep -v '^\(mailboxes\|hide\|page-size\|title\) =' >"$DEPLOY/imapeek.conf"
	{
		echo "title = imapeek deployment test"
		echo "hide = private/*"
		echo "page-size = 10"
		echo "templates = $IMAPEEK_TOP/templates"
	} >>"$DEPLOY/imapeek.conf"
	chmod 644 "$DEPLOY/dovecot-imapeek.conf" "$DEPLOY/imapeek.conf"
	DEPLOY_DIGEST=$(store_digest "$DEPLOY/store")
	# lib-imapd's clean-up kills imapds of this state folder left behind.
	IMAPD_STATE=$DEPLOY/state
	at_exit cleanup
}

deploy_state() {
	rm -rf "$DEPLOY/state"
	mkdir "$DEPLOY/state" || bail "cannot make $DEPLOY/state"
	_imapd_is_root && chown "$1:$2" "$DEPLOY/state"
	chmod 750 "$DEPLOY/state"
}

# -- the programs the examples start -------------------------------------

# _deploy_stop_pids PIDS...: SIGTERM, and up to 10 s for them to end (they
# are no children of this shell: spawn-fcgi went away); 1 if SIGKILL was
# needed.
_deploy_stop_pids() {
	[ $# -gt 0 ] || return 0
	kill -TERM "$@" 2>/dev/null
	_i=0
	while [ $_i -lt 100 ]; do
		_deploy_alive=
		for _deploy_pid in "$@"; do
			kill -0 "$_deploy_pid" 2>/dev/null && _deploy_alive=1
		done
		[ -z "$_deploy_alive" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -KILL "$@" 2>/dev/null
	return 1
}

DEPLOY_RESPONDERS=
at_exit '_deploy_stop_pids $DEPLOY_RESPONDERS'

deploy_spawn_fcgi() {
	_deploy_cmd=$(deploy_command "$1" spawn-fcgi)
	like "$_deploy_cmd" "^IMAPEEK_CONF=$DEPLOY/imapeek.conf spawn-fcgi -s $DEPLOY_SOCKET .*-u $APP_USER -g $APP_GROUP " \
		"$2: the example's spawn-fcgi command"
	eval "$_deploy_cmd" >"$DEPLOY/spawn-fcgi.out" 2>&1
	is "$?" 0 "$2: spawn-fcgi starts imapeek.cgi"
	DEPLOY_RESPONDERS=$(sed -n 's/.*child spawned successfully: PID: \([0-9]*\).*/\1/p' \
		"$DEPLOY/spawn-fcgi.out")
	is "$(echo $DEPLOY_RESPONDERS | wc -w | tr -d ' ')" 4 "$2: four responders (-F 4)"
}

deploy_spawn_fcgi_stop() {
	# shellcheck disable=SC2086
	_deploy_stop_pids $DEPLOY_RESPONDERS
	ok $? "$1: the responders end on SIGTERM"
	DEPLOY_RESPONDERS=
}

DEPLOY_HTTPD_PID=
at_exit '[ -z "$DEPLOY_HTTPD_PID" ] || _http_reap "$DEPLOY_HTTPD_PID" imapeek-httpd'

# _deploy_listening PID PORT: 0 once imapeek-httpd says it listens on
# PORT, 1 when it exits first (the port was taken) or after 20 s.
_deploy_listening() {
	_deploy_i=0
	while [ $_deploy_i -lt 200 ]; do
		grep -qs "listening on http://127.0.0.1:$2/" "$DEPLOY/httpd.log" && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
		_deploy_i=$((_deploy_i + 1))
	done
	return 1
}

deploy_httpd_start() {
	cp "$DEPLOY/imapeek.conf" "$DEPLOY/imapeek.conf.orig"
	echo "base-url = http://127.0.0.1:$DEPLOY_PORT/archive" >>"$DEPLOY/imapeek.conf"
	# The example's command names its port: a free one, which another
	# test running at the same time may take before ours binds it.  Then
	# ours exits, and waiting for an answer would reach the other's
	# server: the log must say ours listens, else another port is tried.
	for _deploy_try in 1 2 3 4 5; do
		DEPLOY_HTTPD_PORT=$(free_port)
		_deploy_cmd=$(deploy_command "$1" imapeek-httpd)
		# shellcheck disable=SC2046,SC2086
		$(deploy_as "$APP_USER" "$APP_GROUP") $_deploy_cmd >>"$DEPLOY/httpd.log" 2>&1 &
		DEPLOY_HTTPD_PID=$!
		_deploy_listening "$DEPLOY_HTTPD_PID" "$DEPLOY_HTTPD_PORT" && break
		wait "$DEPLOY_HTTPD_PID" 2>/dev/null
		DEPLOY_HTTPD_PID=
	done
	like "$_deploy_cmd" "^$IMAPEEK_HTTPD -c $DEPLOY/imapeek.conf -l 127.0.0.1:$DEPLOY_HTTPD_PORT\$" \
		"$2: the example's imapeek-httpd command"
	[ -n "$DEPLOY_HTTPD_PID" ] || bail "$2: imapeek-httpd did not start: $(tail -n 3 "$DEPLOY/httpd.log")"
	http_wait "http://127.0.0.1:$DEPLOY_HTTPD_PORT/" "$DEPLOY_HTTPD_PID" imapeek-httpd \
		"$DEPLOY/httpd.log"
}

deploy_httpd_stop() {
	_http_reap "$DEPLOY_HTTPD_PID" imapeek-httpd
	DEPLOY_HTTPD_PID=
	is "$_http_status" 0 "$1: imapeek-httpd exits 0 on SIGTERM"
	mv "$DEPLOY/imapeek.conf.orig" "$DEPLOY/imapeek.conf"
}

# _deploy_wait_socket PATH PID NAME: until PATH is a socket, or bail out.
_deploy_wait_socket() {
	_i=0
	until [ -S "$1" ]; do
		kill -0 "$2" 2>/dev/null && [ $_i -le 100 ] ||
			bail "$3 made no socket $1"
		sleep 0.1
		_i=$((_i + 1))
	done
}

DEPLOY_BACKEND_PID=
at_exit '[ -z "$DEPLOY_BACKEND_PID" ] || _http_reap "$DEPLOY_BACKEND_PID" backend'

# _deploy_unit FILE KEY: the value of KEY= in conf/FILE, paths replaced.
_deploy_unit() {
	sed -n "s/^$2=//p" "$IMAPEEK_TOP/conf/$1" | _deploy_replace
}

# As conf/imapeek-fcgi.socket and imapeek-fcgi.service say: the socket
# comes first (its ListenStream, SocketGroup, SocketMode), imapeek.cgi
# (ExecStart, its Environment, as User=) is started on the first
# connection, with the socket as descriptor 3 (LISTEN_FDS; the service
# has it as its standard input, which imapeek.cgi takes as well).
deploy_socket_unit_start() {
	is "$(_deploy_unit imapeek-fcgi.socket ListenStream)" "$DEPLOY_SOCKET" \
		"$1: the socket unit listens where the example's fastcgi_pass points"
	is "$(_deploy_unit imapeek-fcgi.service User)" imapeek "$1: the service runs as imapeek"
	rm -f "$DEPLOY_SOCKET"
	# shellcheck disable=SC2046
	systemd-socket-activate -l "$DEPLOY_SOCKET" \
		-E "$(_deploy_unit imapeek-fcgi.service Environment)" \
		${ASAN_OPTIONS+-E ASAN_OPTIONS} ${UBSAN_OPTIONS+-E UBSAN_OPTIONS} \
		$(deploy_as "$APP_USER" "$APP_GROUP") \
		$(_deploy_unit imapeek-fcgi.service ExecStart) \
		>>"$DEPLOY/socket-unit.log" 2>&1 &
	DEPLOY_BACKEND_PID=$!
	_deploy_wait_socket "$DEPLOY_SOCKET" "$DEPLOY_BACKEND_PID" systemd-socket-activate
	_deploy_group=$(_deploy_unit imapeek-fcgi.socket SocketGroup)
	[ "$_deploy_group" = www-data ] && _deploy_group=$WEB_GROUP
	chgrp "$_deploy_group" "$DEPLOY_SOCKET" &&
		chmod "$(_deploy_unit imapeek-fcgi.socket SocketMode)" "$DEPLOY_SOCKET"
	is "$?" 0 "$1: the socket has the unit's group and mode"
}

deploy_socket_unit_stop() {
	like "$(cat "$DEPLOY/socket-unit.log")" "Execing " \
		"$1: imapeek.cgi was started on the first connection"
	_http_reap "$DEPLOY_BACKEND_PID" imapeek.cgi
	DEPLOY_BACKEND_PID=
	is "$_http_status" 0 "$1: imapeek.cgi exits 0 on SIGTERM"
}

# Debian's fcgiwrap.service: "fcgiwrap -f" as www-data on a socket made
# for it (fcgiwrap.socket); its CGI programs' stderr goes to the web
# server.  The socket is fcgiwrap's, not imapeek's.
deploy_fcgiwrap_start() {
	DEPLOY_SOCKET=$DEPLOY/run/fcgiwrap.socket
	spawn-fcgi -n -s "$DEPLOY_SOCKET" -M 0660 -G "$WEB_GROUP" -u "$WEB_USER" \
		-g "$WEB_GROUP" -- "$(command -v fcgiwrap)" -f >>"$DEPLOY/fcgiwrap.log" 2>&1 &
	DEPLOY_BACKEND_PID=$!
	_deploy_wait_socket "$DEPLOY_SOCKET" "$DEPLOY_BACKEND_PID" fcgiwrap
}

deploy_fcgiwrap_stop() {
	_http_reap "$DEPLOY_BACKEND_PID" fcgiwrap
	DEPLOY_BACKEND_PID=
	DEPLOY_SOCKET=$DEPLOY/run/fcgi.sock
}

deploy_way() {
	_deploy_shape=$1
	_deploy_imapeek=$2
	shift 2
	case $_deploy_imapeek in
	web|fcgiwrap)
		_deploy_user=$WEB_USER
		deploy_state "$WEB_USER" "$WEB_GROUP" ;;
	*)
		_deploy_user=$APP_USER
		deploy_state "$APP_USER" "$APP_GROUP" ;;
	esac
	case $_deploy_imapeek in
	socket-unit) deploy_socket_unit_start "$_deploy_shape" ;;
	fcgiwrap) deploy_fcgiwrap_start "$_deploy_shape" ;;
	spawn-fcgi)
		deploy_spawn_fcgi "$1" "$_deploy_shape"
		shift ;;
	httpd)
		DEPLOY_PORT=$(free_port)
		deploy_httpd_start "$1" "$_deploy_shape"
		shift ;;
	esac
	"$@"
	deploy_crawl "$_deploy_shape"
	web_stop
	case $_deploy_imapeek in
	socket-unit) deploy_socket_unit_stop "$_deploy_shape" ;;
	fcgiwrap) deploy_fcgiwrap_stop "$_deploy_shape" ;;
	spawn-fcgi) deploy_spawn_fcgi_stop "$_deploy_shape" ;;
	httpd) deploy_httpd_stop "$_deploy_shape"; DEPLOY_PORT= ;;
	esac
	deploy_end "$_deploy_shape" "$_deploy_user"
}

# -- the web servers -----------------------------------------------------

_deploy_web_dir() {
	_deploy_web_seq=$((_deploy_web_seq + 1))
	WEB_DIR=$DEPLOY/web.$_deploy_web_seq
	mkdir -p "$WEB_DIR/htdocs"
	chmod 755 "$WEB_DIR" "$WEB_DIR/htdocs"
}

# _deploy_web_run NAME PORT COMMAND...: start it, wait for its answer.
_deploy_web_run() {
	WEB_NAME=$1
	DEPLOY_URL=http://127.0.0.1:$2/archive/
	shift 2
	"$@" >>"$WEB_DIR/stderr" 2>&1 &
	WEB_PID=$!
	at_exit '_deploy_web_cleanup'
	http_wait "$DEPLOY_URL" "$WEB_PID" "$WEB_NAME" "$WEB_DIR/stderr"
	# An answer from a server that exited at once came from another test's
	# server on the same port (taken after free_port): say so, not crawl it.
	sleep 0.3
	kill -0 "$WEB_PID" 2>/dev/null ||
		bail "$WEB_NAME exited at start (port $2 taken?): $(tail -n 3 "$WEB_DIR/stderr")"
}

nginx_start() {
	_deploy_web_dir
	WEB_LOG=$WEB_DIR/error.log
	_deploy_port=${DEPLOY_PORT:-$(free_port)}
	cp /etc/nginx/fastcgi_params "$WEB_DIR/" || bail "no /etc/nginx/fastcgi_params"
	deploy_conf "$1" >"$WEB_DIR/imapeek.conf"
	{
		_imapd_is_root && echo "user $WEB_USER $WEB_GROUP;"
		echo "worker_processes 2;"
		echo "error_log $WEB_LOG info;"
		echo "pid $WEB_DIR/nginx.pid;"
		echo "events { worker_connections 256; }"
		echo "http {"
		echo "	access_log $WEB_DIR/access.log;"
		for _deploy_temp in client_body proxy fastcgi uwsgi scgi; do
			echo "	${_deploy_temp}_temp_path $WEB_DIR/$_deploy_temp;"
		done
		echo "	server {"
		echo "		listen 127.0.0.1:$_deploy_port;"
		echo "		server_name localhost;"
		echo "		include $WEB_DIR/imapeek.conf;"
		echo "	}"
		echo "}"
	} >"$WEB_DIR/nginx.conf"
	_deploy_web_run nginx "$_deploy_port" \
		nginx -p "$WEB_DIR" -c "$WEB_DIR/nginx.conf" -g 'daemon off;'
}

APACHE_MODULES=/usr/lib/apache2/modules

apache_start() {
	_deploy_define=$1
	shift
	_deploy_web_dir
	WEB_LOG=$WEB_DIR/error.log
	_deploy_port=${DEPLOY_PORT:-$(free_port)}
	deploy_conf apache-imapeek.conf >"$WEB_DIR/imapeek.conf"
	{
		echo "ServerRoot $WEB_DIR"
		echo "DefaultRuntimeDir $WEB_DIR"
		echo "PidFile $WEB_DIR/httpd.pid"
		echo "ErrorLog $WEB_LOG"
		echo "LogLevel info"
		echo "Listen 127.0.0.1:$_deploy_port"
		echo "ServerName 127.0.0.1"
		if _imapd_is_root; then
			echo "User $WEB_USER"
			echo "Group $WEB_GROUP"
		fi
		for _deploy_mod in mpm_event authz_core "$@"; do
			echo "LoadModule ${_deploy_mod}_module $APACHE_MODULES/mod_$_deploy_mod.so"
		done
		echo "<IfModule mod_cgid.c>"
		echo "	ScriptSock $WEB_DIR/cgid.sock"
		echo "</IfModule>"
		echo "<IfModule mod_fcgid.c>"
		echo "	FcgidIPCDir $WEB_DIR/fcgid"
		echo "	FcgidProcessTableFile $WEB_DIR/fcgid.shm"
		echo "</IfModule>"
		echo "LogFormat \"%h %l %u %t \\\"%r\\\" %>s %b\" common"
		echo "CustomLog $WEB_DIR/access.log common"
		# As Debian's apache2.conf and its default site: nothing is served
		# unless granted, but the document root.  (PATH_TRANSLATED costs
		# a look-up of PATH_INFO below it, logged when refused.)
		echo "<Directory />"
		echo "	AllowOverride None"
		echo "	Require all denied"
		echo "</Directory>"
		echo "DocumentRoot $WEB_DIR/htdocs"
		echo "<Directory $WEB_DIR/htdocs>"
		echo "	Require all granted"
		echo "</Directory>"
		echo "Define $_deploy_define"
		echo "Include $WEB_DIR/imapeek.conf"
	} >"$WEB_DIR/httpd.conf"
	_deploy_web_run "Apache ($_deploy_define)" "$_deploy_port" \
		apache2 -f "$WEB_DIR/httpd.conf" -DFOREGROUND
}

web_stop() {
	[ -n "$WEB_PID" ] || return 0
	_http_reap "$WEB_PID" "$WEB_NAME"
	WEB_PID=
	is "$_http_status" 0 "$WEB_NAME exits 0 on SIGTERM"
}

_deploy_web_cleanup() {
	[ -n "$WEB_PID" ] || return 0
	_http_reap "$WEB_PID" "$WEB_NAME"
	WEB_PID=
}

# -- checks --------------------------------------------------------------

deploy_crawl() {
	# Both web servers refuse other methods than GET and HEAD themselves.
	python3 "$IMAPEEK_TOOLS/deploy-crawl.py" --refused 403 "$DEPLOY_URL" \
		>"$DEPLOY/crawl.out" 2>&1 ||
		echo "not ok - the crawl ran to its end (exit $?)" >>"$DEPLOY/crawl.out"
	sed -e "s/^\\(\\(not \\)\\{0,1\\}ok - \\)/\\1$1: /" \
		-e "s/^# figure /# $1: /" "$DEPLOY/crawl.out" >"$DEPLOY/crawl.tap"
	tap_lines "$DEPLOY/crawl.tap"
}

# _deploy_gone TEXT: wait up to 10 s for the processes holding TEXT in
# their command line to end; print those left.
_deploy_gone() {
	_i=0
	while [ -n "$(imapd_procs "$1")" ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	imapd_procs "$1"
}

# Lines of a web server's error log that say something went wrong: above
# "notice" in nginx's and Apache's levels, or anything imapeek, Dovecot or
# a sanitizer said.  Refusals of the methods other than GET and HEAD are
# the crawl's own doing; Dovecot's "Info: Disconnected" is counted apart.
_deploy_log_problems() {
	grep -E '\[(warn|error|crit|alert|emerg)\]|:(warn|error|crit|alert|emerg)\]|imapeek:|imap\(|Sanitizer|runtime error' "$1" |
		grep -v -e 'access forbidden by rule' -e 'client denied by server configuration' \
			-e 'Info: Disconnected' -e 'AH00558' 
}

deploy_end() {
	is "$(_deploy_gone "$DEPLOY/dovecot-imapeek.conf")" "" "$1: no imapd is left running"
	_deploy_made=$(find "$DEPLOY/state" -type f | wc -l | tr -d ' ')
	_deploy_strangers=$(find "$DEPLOY/state" ! -user "$2" | head -n 3)
	ok "$([ "$_deploy_made" -gt 0 ] && [ -z "$_deploy_strangers" ]; echo $?)" \
		"$1: the imapd ran as $2 (the $_deploy_made files in its folder are $2's)"
	is "$(store_digest "$DEPLOY/store")" "$DEPLOY_DIGEST" "$1: the store is unchanged"
	is "$(_deploy_log_problems "$WEB_LOG" | head -n 5)" "" \
		"$1: nothing went wrong in the web server's error log"
	# Dovecot's standalone imap writes an "Info: Disconnected" line to its
	# standard error per session, whatever log_path says: imapeek reads
	# the imapd's stderr itself and leaves those lines out (childlog.h).
	is "$(grep -c 'Info: Disconnected' "$WEB_LOG")" 0 \
		"$1: no Dovecot \"Info: Disconnected\" in the web server's error log"
}
