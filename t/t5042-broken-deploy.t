#!/bin/sh
# Broken deployments behind the real nginx and Apache: each of the eight
# ways of t/t5040-nginx.t and t/t5041-apache.t (the files in conf/ with
# only their ADAPT-marked paths replaced), broken as operators break them:
#
#   group     the wrong group.  The store is readable by the group of the
#             imapd's user alone (imapeek.sysusers: "m imapeek GROUP"),
#             and the imapd runs with another: imapeek started with
#             group www-data (spawn-fcgi -g, the units' Group=) or, where
#             the web server starts it, as www-data itself.  With
#             spawn-fcgi also the original complaint: "-g www-data" and
#             dovecot-imapeek.conf's mail_gid set (mail-gid).
#   state     the imapd's folder (/var/lib/imapeek: HOME, INDEX=,
#             CONTROL=) not writable by the imapd's user: made by root and
#             never given to imapeek, or, where the web server runs
#             imapeek, made for imapeek as imapeek.tmpfiles makes it.
#   key       an unknown key in imapeek.conf ("page-sise = 20").
#
# Each time the front page and a mailbox's page are a 5xx that no cache
# keeps: imapeek's own error page with Cache-Control: no-store, or, where
# imapeek cannot start at all (imapeek-httpd), the web server's own page
# without anything a cache would keep.  The reason, the words of Dovecot
# or of imapeek, is where an operator looks: the web server's error log
# (under spawn-fcgi, which leaves its children no standard error, through
# each request's FastCGI stderr stream), or, where a systemd unit runs
# imapeek (the socket unit, imapeek-httpd), its standard error (the
# journal; a file here).  Where the mistake can be mended while
# everything runs (the store's or the folder's permissions), the pages
# come back at once, nothing of the failure kept.  Afterwards no imapd is
# left and the store is unchanged.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-deploy.sh"

_imapd_is_root || skip_all "the users and groups of the README's table need root"
command -v nginx >/dev/null || skip_all "nginx is not installed (Debian: nginx-light)"
command -v apache2 >/dev/null || skip_all "Apache is not installed (Debian: apache2)"
[ -e "$APACHE_MODULES/mod_fcgid.so" ] ||
	skip_all "mod_fcgid is not installed (Debian: libapache2-mod-fcgid)"
command -v spawn-fcgi >/dev/null || skip_all "spawn-fcgi is not installed"
command -v fcgiwrap >/dev/null || skip_all "fcgiwrap is not installed"
command -v systemd-socket-activate >/dev/null ||
	skip_all "systemd-socket-activate is not installed (Debian: systemd)"

deploy_setup
# The example's own choice of mailboxes: INBOX is not shown.  (The LIST of
# a store the imapd cannot read names INBOX alone.)
echo "mailboxes = lists/*" >>"$DEPLOY/imapeek.conf"
cp "$DEPLOY/imapeek.conf" "$DEPLOY/imapeek.conf.good"
cp "$DEPLOY/dovecot-imapeek.conf" "$DEPLOY/dovecot-imapeek.conf.good"
grep -q '^#mail_gid = imapeek$' "$DEPLOY/dovecot-imapeek.conf" ||
	bail "conf/dovecot-imapeek.conf has no \"#mail_gid = imapeek\" line"
STORE_GROUP=$(stat -c %G "$DEPLOY/store")
IMAPEEK_GROUP=$APP_GROUP
: >"$DEPLOY/socket-unit.log"
: >"$DEPLOY/httpd.log"

# _bytes FILE: its size.
_bytes() {
	wc -c <"$1" | tr -d ' '
}

# cache_headers: the headers of the last answer a cache goes by, names in
# lower case.
cache_headers() {
	grep -i -E '^(cache-control|etag|last-modified|expires):' "$RESP_HEADERS" |
		sed 's/^[^:]*:/\L&/'
}

# check_page NAME PATH STATUS FROM: PATH below /archive/ answers STATUS;
# FROM imapeek: imapeek's error page, "cache-control: no-store" and no
# validator; FROM web: the web server's own, nothing a cache keeps.
check_page() {
	http_get "$DEPLOY_URL$2"
	is "$RESP_STATUS" "$3" "$1: /archive/$2 answers $3"
	case $4 in
	imapeek)
		is "$(cache_headers)" "cache-control: no-store" \
			"$1: /archive/$2 is imapeek's, Cache-Control: no-store and nothing else for caches" ;;
	web)
		is "$(cache_headers)" "" \
			"$1: /archive/$2 is the web server's, with nothing for caches" ;;
	esac
}

# check_mended NAME: the mistake mended while everything runs, both pages
# are back at once: the list (lists/dev in it) and the mailbox.
check_mended() {
	http_get "$DEPLOY_URL"
	like "$RESP_STATUS $(grep -c 'href="/archive/lists/dev/"' "$RESP_BODY")" '^200 [1-9]' \
		"$1, mended: /archive/ lists lists/dev at once"
	http_get "${DEPLOY_URL}lists/dev/"
	is "$RESP_STATUS" 200 "$1, mended: /archive/lists/dev/ answers 200 at once"
}

# The example's imapeek-httpd command with a configuration it refuses:
# it ends at once (as its unit would, "Restart=on-failure" or not).
httpd_refused_start() {
	# shellcheck disable=SC2034 # deploy_command and nginx_start use it
	DEPLOY_HTTPD_PORT=$(free_port)
	_cmd=$(deploy_command "$1" imapeek-httpd)
	cp "$DEPLOY/imapeek.conf" "$DEPLOY/imapeek.conf.orig"
	echo "base-url = http://127.0.0.1:$DEPLOY_PORT/archive" >>"$DEPLOY/imapeek.conf"
	# shellcheck disable=SC2046,SC2086
	$(deploy_as "$APP_USER" "$APP_GROUP") $_cmd >>"$DEPLOY/httpd.log" 2>&1 &
	_pid=$!
	_i=0
	while kill -0 "$_pid" 2>/dev/null && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -0 "$_pid" 2>/dev/null && kill -KILL "$_pid"
	wait "$_pid"
	is "$?" 1 "$2: imapeek-httpd exits 1 at once"
	mv "$DEPLOY/imapeek.conf.orig" "$DEPLOY/imapeek.conf"
}

# broken SHAPE MISTAKE IMAPEEK [FILE] WEB-START...: the way of deploy_way
# (lib-deploy.sh), with MISTAKE (group, mail-gid, state, key), from start
# to end.
broken() {
	shape=$1 mistake=$2 imapeek=$3
	shift 3
	case $imapeek in spawn-fcgi|httpd) file=$1; shift ;; *) file='' ;; esac
	# The imapd's user and group, as the README's table says.
	case $imapeek in
	web|fcgiwrap) user=$WEB_USER group=$WEB_GROUP own=web ;;
	*) user=$APP_USER group=$APP_GROUP own=service ;;
	esac
	deploy_state "$user" "$group"
	status=502 from=imapeek mendable=
	case $mistake in
	group)
		name="$shape, wrong group"
		chgrp -R "$IMAPEEK_GROUP" "$DEPLOY/store" && chmod -R o-rwx "$DEPLOY/store"
		[ "$own" = service ] && APP_GROUP=$WEB_GROUP
		reason="failed: Permission denied \\(euid=[0-9]+\\($user\\) egid=[0-9]+\\($WEB_GROUP\\) missing \\+x perm: $DEPLOY/store, we're not in group [0-9]+\\($IMAPEEK_GROUP\\)"
		mendable=1 ;;
	mail-gid)
		name="$shape, wrong group (mail_gid)"
		sed "s/^#mail_gid = imapeek\$/mail_gid = $IMAPEEK_GROUP/" \
			"$DEPLOY/dovecot-imapeek.conf.good" >"$DEPLOY/dovecot-imapeek.conf"
		APP_GROUP=$WEB_GROUP
		reason="Fatal: setgid\\([0-9]+\\($IMAPEEK_GROUP\\) from mail_gid setting\\) failed with euid=[0-9]+\\($user\\), gid=[0-9]+\\($WEB_GROUP\\)" ;;
	state)
		name="$shape, unwritable imapd folder"
		if [ "$own" = web ]; then
			deploy_state "$APP_USER" "$IMAPEEK_GROUP"
			reason="chdir\\($DEPLOY/state/?\\) failed: Permission denied \\(euid=[0-9]+\\($user\\) egid=[0-9]+\\($group\\) missing \\+x perm: $DEPLOY/state"
		else
			chown root:root "$DEPLOY/state" && chmod 755 "$DEPLOY/state"
			reason="imapeek: /lists/dev/: (STATUS|EXAMINE): NO Permission denied"
		fi
		mendable=1 ;;
	key)
		name="$shape, unknown key"
		echo "page-sise = 20" >>"$DEPLOY/imapeek.conf"
		reason="$DEPLOY/imapeek.conf:$(wc -l <"$DEPLOY/imapeek.conf"): unknown key 'page-sise'"
		status=500 ;;
	esac
	# Where the reason goes: the standard error of imapeek's own service
	# (the journal), else the web server's error log.
	case $imapeek in
	socket-unit) log=$DEPLOY/socket-unit.log where="imapeek.cgi's standard error (the unit's journal)" ;;
	httpd) log=$DEPLOY/httpd.log where="imapeek-httpd's standard error (the unit's journal)" ;;
	*) log='' where="the web server's error log" ;;
	esac
	[ -n "$log" ] && log_from=$(($(_bytes "$log") + 1))

	case $imapeek in
	socket-unit) deploy_socket_unit_start "$name" ;;
	fcgiwrap) deploy_fcgiwrap_start "$name" ;;
	spawn-fcgi) deploy_spawn_fcgi "$file" "$name" ;;
	httpd)
		DEPLOY_PORT=$(free_port)
		if [ "$mistake" = key ]; then
			httpd_refused_start "$file" "$name"
			status=$WEB_REFUSED from=web
		else
			deploy_httpd_start "$file" "$name"
		fi ;;
	esac
	"$@"
	check_page "$name" "" "$status" "$from"
	check_page "$name" lists/dev/ "$status" "$from"
	if [ -n "$mendable" ]; then
		case $mistake in
		group) chmod -R o+rX "$DEPLOY/store" ;;
		state) chown "$user:$group" "$DEPLOY/state" && chmod 750 "$DEPLOY/state" ;;
		esac
		check_mended "$name"
	fi
	web_stop
	case $imapeek in
	socket-unit) deploy_socket_unit_stop "$name" ;;
	fcgiwrap) deploy_fcgiwrap_stop "$name" ;;
	spawn-fcgi) deploy_spawn_fcgi_stop "$name" ;;
	httpd)
		[ "$mistake" = key ] || deploy_httpd_stop "$name"
		DEPLOY_PORT='' ;;
	esac

	if [ -n "$log" ]; then
		tail -c +"$log_from" "$log" >"$DEPLOY/reason.log"
	else
		cp "$WEB_LOG" "$DEPLOY/reason.log"
	fi
	like "$(cat "$DEPLOY/reason.log")" "$reason" "$name: the reason is in $where"
	diag "$name: $(grep -E -m 1 "$reason" "$DEPLOY/reason.log" | cut -c 1-300)"
	# A responder without its configuration says why with every request.
	[ "$mistake" = key ] && [ "$imapeek" = socket-unit ] &&
		like "$(grep -c -E "$reason" "$WEB_LOG")" '^([2-9]|[1-9][0-9]+)$' \
			"$name: and in the web server's error log, with each request"
	# The page that failed is named too, when the imapd failed.
	[ "$mistake" = key ] ||
		like "$(cat "$DEPLOY/reason.log")" 'imapeek: /lists/dev/: ' \
			"$name: and imapeek's line naming the page"

	# Everything as it was for the next case.
	chgrp -R "$STORE_GROUP" "$DEPLOY/store" && chmod -R o+rX "$DEPLOY/store"
	cp "$DEPLOY/imapeek.conf.good" "$DEPLOY/imapeek.conf"
	cp "$DEPLOY/dovecot-imapeek.conf.good" "$DEPLOY/dovecot-imapeek.conf"
	APP_GROUP=$IMAPEEK_GROUP
	is "$(_deploy_gone "$DEPLOY/dovecot-imapeek.conf")" "" "$name: no imapd is left running"
	is "$(store_digest "$DEPLOY/store")" "$DEPLOY_DIGEST" "$name: the store is unchanged"
}

# ---- nginx (t5040's four ways); nginx's own page when imapeek-httpd is
# not there: 502
WEB_REFUSED=502
for mistake in group mail-gid state key; do
	broken "nginx + spawn-fcgi" "$mistake" spawn-fcgi nginx-imapeek.conf nginx_start nginx-imapeek.conf
done
for mistake in group state key; do
	broken "nginx + socket activation" "$mistake" socket-unit nginx_start nginx-imapeek.conf
	broken "nginx + fcgiwrap" "$mistake" fcgiwrap nginx_start nginx-imapeek.conf
	broken "nginx + imapeek-httpd" "$mistake" httpd nginx-imapeek-proxy.conf \
		nginx_start nginx-imapeek-proxy.conf
done

# ---- Apache (t5041's four ways); mod_proxy_http's own page when
# imapeek-httpd is not there: 503
WEB_REFUSED=503
for mistake in group state key; do
	broken "Apache mod_cgid" "$mistake" web apache_start IMAPEEK_CGID alias env cgid
	broken "Apache mod_fcgid" "$mistake" web apache_start IMAPEEK_FCGID alias fcgid
done
for mistake in group mail-gid state key; do
	broken "Apache mod_proxy_fcgi" "$mistake" spawn-fcgi apache-imapeek.conf \
		apache_start IMAPEEK_PROXY_FCGI proxy proxy_fcgi setenvif
done
for mistake in group state key; do
	broken "Apache mod_proxy_http" "$mistake" httpd apache-imapeek.conf \
		apache_start IMAPEEK_PROXY_HTTP proxy proxy_http alias
done

done_testing
