#!/bin/sh
# make install PREFIX=/usr DESTDIR=...: the programs, the templates and
# the example configurations land where README's "Deployment" says, as
# copies of the source tree's files; the manual pages, the systemd units,
# the tmpfiles.d and sysusers.d entries and a sample /etc/imapeek.conf
# land with the installed paths put in, the units pass systemd-analyze
# verify, and a second install leaves an existing /etc/imapeek.conf alone;
# the installed server and CGI program serve the sample archive with the
# installed templates; make uninstall takes it all away again but for
# /etc/imapeek.conf.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-install.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-pages.sh"

root=$TEST_TMP/root
share=$root/usr/share/imapeek
install_copy "$root"
st=$?
is "$st" 0 "make install PREFIX=/usr DESTDIR=... succeeds"
[ "$st" = 0 ] || { cat "$TEST_TMP/make.log" >&2; bail "make install failed"; }

# The example configurations: conf/ but for what is installed elsewhere.
examples=
for f in "$IMAPEEK_TOP"/conf/*; do
	case $f in
	*.[0-9] | *.service | *.socket | *.tmpfiles | *.sysusers) ;;
	*) examples="$examples $f" ;;
	esac
done
units="imapeek-httpd.service imapeek-fcgi.service imapeek-fcgi.socket"
pages="man1/imapeek-connect.1 man1/imapeek-import.1 man5/imapeek.conf.5 man8/imapeek-httpd.8 man8/imapeek.cgi.8"

# -- what is installed, and nothing else
{
	echo usr/bin/imapeek-httpd
	echo usr/bin/imapeek-import
	echo usr/lib/imapeek/imapeek.cgi
	echo usr/lib/imapeek/imapeek-connect
	for f in "$IMAPEEK_TOP"/templates/*; do echo "usr/share/imapeek/templates/${f##*/}"; done
	for f in $examples; do echo "usr/share/imapeek/conf/${f##*/}"; done
	for f in $pages; do echo "usr/share/man/$f"; done
	for f in $units; do echo "usr/lib/systemd/system/$f"; done
	echo usr/lib/tmpfiles.d/imapeek.conf
	echo usr/lib/sysusers.d/imapeek.conf
	echo etc/imapeek.conf
} | LC_ALL=C sort >"$TEST_TMP/want"
(cd "$root" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) >"$TEST_TMP/got"
is "$(cat "$TEST_TMP/got")" "$(cat "$TEST_TMP/want")" \
	"exactly the programs, every template and example configuration, the manual pages, units, tmpfiles.d and sysusers.d entries and /etc/imapeek.conf"
ok "$([ -x "$root/usr/bin/imapeek-httpd" ] && [ -x "$root/usr/lib/imapeek/imapeek.cgi" ] &&
	[ -x "$root/usr/lib/imapeek/imapeek-connect" ]; echo $?)" \
	"the programs are executable"
is "$(stat -c %a "$root/usr/bin/imapeek-httpd" "$root/usr/lib/imapeek/imapeek.cgi" \
	"$root/usr/lib/imapeek/imapeek-connect" | tr '\n' ' ')" "755 755 755 " \
	"... mode 755"
is "$(cd "$root" && stat -c %a usr/share/imapeek/templates/* usr/share/imapeek/conf/* \
	usr/share/man/man*/* usr/lib/systemd/system/* usr/lib/tmpfiles.d/* usr/lib/sysusers.d/* \
	etc/imapeek.conf | sort -u)" 644 \
	"templates, configurations, manual pages, units and entries are mode 644"
differ=0
for f in "$IMAPEEK_TOP"/templates/* $examples; do
	rel=${f#"$IMAPEEK_TOP"/}
	cmp -s "$f" "$share/$rel" || { differ=$((differ + 1)); diag "$rel differs"; }
done
is "$differ" 0 "the installed templates and configurations are the source tree's"
is "$(stat -c %a "$share"/templates/* | wc -l | tr -d ' ')" "$(ls "$IMAPEEK_TOP"/templates | wc -l | tr -d ' ')" \
	"... all $(ls "$IMAPEEK_TOP"/templates | wc -l | tr -d ' ') templates"
"$root/usr/bin/imapeek-httpd" -h >"$TEST_TMP/usage" 2>&1
like "$(cat "$TEST_TMP/usage")" '^usage: imapeek-httpd' "the installed imapeek-httpd runs (-h)"
"$root/usr/lib/imapeek/imapeek-connect" -h >"$TEST_TMP/usage" 2>&1
like "$(cat "$TEST_TMP/usage")" '^usage: imapeek-connect' "the installed imapeek-connect runs (-h)"
"$root/usr/bin/imapeek-import" -h >"$TEST_TMP/usage" 2>&1
like "$(cat "$TEST_TMP/usage")" '^usage: imapeek-import' "the installed imapeek-import runs (-h), mode $(stat -c %a "$root/usr/bin/imapeek-import")"

# -- the files that name installed paths name these
is "$(sed -n 's/^ExecStart=//p' "$root/usr/lib/systemd/system/imapeek-httpd.service")" \
	"/usr/bin/imapeek-httpd -c /etc/imapeek.conf -l 127.0.0.1:8080" \
	"imapeek-httpd.service runs the installed imapeek-httpd"
is "$(sed -n 's/^ExecStart=//p' "$root/usr/lib/systemd/system/imapeek-fcgi.service")" \
	/usr/lib/imapeek/imapeek.cgi "imapeek-fcgi.service runs the installed imapeek.cgi"
is "$(cd "$root" && grep -l /usr/local usr/share/man/man*/* usr/lib/systemd/system/* etc/imapeek.conf)" "" \
	"no installed manual page, unit or configuration names /usr/local"
like "$(cat "$root/usr/share/man/man8/imapeek-httpd.8")" '/usr/share/imapeek/templates' \
	"... the manual pages name the installed templates"
like "$(cat "$root/etc/imapeek.conf")" '^# imapeek\.conf' "/etc/imapeek.conf is the commented sample"
# The sample is read as a configuration: a CGI request with it fails only
# for want of the templates, which are not below /usr/share here.
env -i REQUEST_METHOD=GET REQUEST_URI=/ SCRIPT_NAME= QUERY_STRING= \
	IMAPEEK_CONF="$root/etc/imapeek.conf" "$root/usr/lib/imapeek/imapeek.cgi" \
	</dev/null >"$TEST_TMP/sample.out" 2>"$TEST_TMP/sample.err"
unlike "$(cat "$TEST_TMP/sample.err")" 'imapeek\.conf(:[0-9]+)?: ' "... and a configuration imapeek reads"
if command -v mandoc >/dev/null; then
	lint=$(cd "$root/usr/share/man" && mandoc -Tlint -W warning $pages 2>&1)
	is "$lint" "" "the installed manual pages are clean for mandoc -Tlint -W warning"
else
	ok 0 "# SKIP mandoc is not installed (Debian: mandoc)"
fi

# systemd-analyze verify checks that ExecStart's program exists and, with
# MANPATH, that the manual pages of Documentation= are installed.  The
# programs are below DESTDIR, so the units are verified as copies whose
# ExecStart has DESTDIR put in front (nothing else changed).  It reports
# some problems (an unknown key) with exit status 0: its output must be
# empty too.
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$TEST_TMP/units"
	for f in $units; do
		sed "s|^ExecStart=|ExecStart=$root|" "$root/usr/lib/systemd/system/$f" >"$TEST_TMP/units/$f"
	done
	verify=$(cd "$TEST_TMP/units" && MANPATH=$root/usr/share/man \
		systemd-analyze verify $units 2>&1)
	st=$?
	is "$st: $verify" "0: " "systemd-analyze verify passes the installed units, without a word"
else
	ok 0 "# SKIP systemd-analyze is not installed (Debian: systemd)"
fi
# The tmpfiles.d entry makes the imapd's folder for the user of the
# sysusers.d entry, both applied to a scratch root (as root: the folder
# is given to that user).
if ! command -v systemd-tmpfiles >/dev/null; then
	ok 0 "# SKIP systemd-tmpfiles is not installed (Debian: systemd)"
elif [ "$(id -u)" != 0 ]; then
	ok 0 "# SKIP systemd-tmpfiles can give /var/lib/imapeek to imapeek only as root"
else
	sysroot=$TEST_TMP/sysroot
	mkdir -p "$sysroot/etc" "$sysroot/usr/lib" &&
		cp -R "$root/usr/lib/tmpfiles.d" "$root/usr/lib/sysusers.d" "$sysroot/usr/lib/"
	systemd-sysusers --root="$sysroot" >"$TEST_TMP/sysusers.log" 2>&1
	is "$?" 0 "systemd-sysusers takes the sysusers.d entry"
	like "$(cat "$sysroot/etc/passwd")" '^imapeek:x:[0-9]+:[0-9]+:[^:]*:/var/lib/imapeek:' \
		"... and makes the user imapeek, at home in /var/lib/imapeek"
	systemd-tmpfiles --root="$sysroot" --create >"$TEST_TMP/tmpfiles.log" 2>&1
	is "$?: $(cat "$TEST_TMP/tmpfiles.log")" "0: " "systemd-tmpfiles --create takes the tmpfiles.d entry"
	uid=$(awk -F: '$1 == "imapeek" { print $3 ":" $4 }' "$sysroot/etc/passwd")
	is "$(stat -c '%a %u:%g' "$sysroot/var/lib/imapeek")" "750 $uid" \
		"... and makes /var/lib/imapeek, the user imapeek's, mode 0750"
	is "$(stat -c '%a %u' "$sysroot/run/imapeek")" "755 0" "... and /run/imapeek"
fi

# -- a second install leaves an existing /etc/imapeek.conf as it is
echo "# the operator's own" >>"$root/etc/imapeek.conf"
cp "$root/etc/imapeek.conf" "$TEST_TMP/etc.conf"
make -s -C "$INSTALL_SRC" install PREFIX=/usr DESTDIR="$root" >"$TEST_TMP/make.log" 2>&1
is "$?" 0 "make install again succeeds"
ok "$(cmp -s "$root/etc/imapeek.conf" "$TEST_TMP/etc.conf"; echo $?)" \
	"... and leaves the existing /etc/imapeek.conf untouched"
like "$(cat "$TEST_TMP/make.log")" 'etc/imapeek\.conf exists: left as it is' "... and says so"

# -- the installed programs serve the sample with the installed templates
pages_setup_sample
grep -v '^templates = ' "$PAGES_CONF" >"$TEST_TMP/conf" &&
	echo "templates = $share/templates" >>"$TEST_TMP/conf"
# A mark in the installed layout shows whose templates were used.
printf '<!-- installed-templates-mark -->\n' >>"$share/templates/layout.html"
IMAPEEK_HTTPD=$root/usr/bin/imapeek-httpd
httpd_start "$TEST_TMP/conf"
http_get "$HTTPD_URL/"
is "$RESP_STATUS" 200 "installed imapeek-httpd: / answers 200"
like "$(cat "$RESP_BODY")" 'href="/lists/dev/"' "... with the mailbox list"
like "$(cat "$RESP_BODY")" 'installed-templates-mark' "... rendered with the installed templates"
http_get "$HTTPD_URL/lists/dev/?format=json"
is "$(json 'd["total"]')" "$(sample_count lists/dev)" "... and the index of lists/dev as JSON"
httpd_stop

IMAPEEK_CGI=$root/usr/lib/imapeek/imapeek.cgi
IMAPEEK_CONF=$TEST_TMP/conf cgi_get /lists/dev/ >"$TEST_TMP/cgi.out" 2>/dev/null
cgi_response "$TEST_TMP/cgi.out"
is "$RESP_STATUS" 200 "installed imapeek.cgi: the index answers 200"
like "$(cat "$RESP_BODY")" 'installed-templates-mark' "... rendered with the installed templates"
is "$(imapd_procs "$IMAPD_STATE/" | wc -l | tr -d ' ')" 0 "no imapd is left running"

# -- make uninstall with the same variables removes every file
make -s -C "$INSTALL_SRC" uninstall PREFIX=/usr DESTDIR="$root" >"$TEST_TMP/make.log" 2>&1
is "$?" 0 "make uninstall succeeds"
is "$(cd "$root" && find . -type f)" "./etc/imapeek.conf" \
	"... and leaves no installed file but the configuration in /etc"
ok "$([ ! -e "$root/usr/lib/imapeek" ] && echo 0 || echo 1)" "... nor imapeek's own folder of programs"

done_testing
