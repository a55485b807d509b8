#!/bin/sh
# make install PREFIX=/usr DESTDIR=...: the programs, the templates and
# the example configurations land where README's "Deployment" says, as
# copies of the source tree's files; the installed server and CGI program
# serve the sample archive with the installed templates; make uninstall
# takes it all away again.
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

# -- what is installed, and nothing else
{
	echo usr/bin/imapeek-httpd
	echo usr/lib/imapeek/imapeek.cgi
	echo usr/lib/imapeek/imapeek-connect
	for f in "$IMAPEEK_TOP"/templates/*; do echo "usr/share/imapeek/templates/${f##*/}"; done
	for f in "$IMAPEEK_TOP"/conf/*; do echo "usr/share/imapeek/conf/${f##*/}"; done
} | LC_ALL=C sort >"$TEST_TMP/want"
(cd "$root" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) >"$TEST_TMP/got"
is "$(cat "$TEST_TMP/got")" "$(cat "$TEST_TMP/want")" "exactly the programs, every template and every example configuration"
ok "$([ -x "$root/usr/bin/imapeek-httpd" ] && [ -x "$root/usr/lib/imapeek/imapeek.cgi" ] &&
	[ -x "$root/usr/lib/imapeek/imapeek-connect" ]; echo $?)" \
	"the programs are executable"
is "$(stat -c %a "$root/usr/bin/imapeek-httpd" "$root/usr/lib/imapeek/imapeek.cgi" \
	"$root/usr/lib/imapeek/imapeek-connect" | tr '\n' ' ')" "755 755 755 " \
	"... mode 755"
is "$(stat -c %a "$share"/templates/* "$share"/conf/* | sort -u)" 644 "templates and configurations are mode 644"
differ=0
for f in "$IMAPEEK_TOP"/templates/* "$IMAPEEK_TOP"/conf/*; do
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
is "$(find "$root" -type f | wc -l | tr -d ' ')" 0 "... and leaves no installed file"

done_testing
