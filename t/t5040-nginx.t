#!/bin/sh
# imapeek behind the real nginx, at /archive/, as conf/nginx-imapeek.conf
# and conf/nginx-imapeek-proxy.conf say, with conf/imapeek.conf and
# conf/dovecot-imapeek.conf: those files with only their ADAPT-marked
# paths replaced.  Four ways: imapeek.cgi as its own FastCGI responder
# under spawn-fcgi (the example's command) and as conf/imapeek-fcgi.socket
# and .service start it (systemd-socket-activate), imapeek.cgi as a CGI
# program under fcgiwrap, and imapeek-httpd (the example's command) behind
# proxy_pass.  Each is crawled from /archive/ through every kind of page
# (t/tools/deploy-crawl.py); the users are those of the README's "Users
# and permissions".
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-deploy.sh"

command -v nginx >/dev/null || skip_all "nginx is not installed (Debian: nginx-light)"
command -v spawn-fcgi >/dev/null || skip_all "spawn-fcgi is not installed"
command -v fcgiwrap >/dev/null || skip_all "fcgiwrap is not installed"
command -v systemd-socket-activate >/dev/null ||
	skip_all "systemd-socket-activate is not installed (Debian: systemd)"

deploy_setup
for file in nginx-imapeek.conf nginx-imapeek-proxy.conf imapeek.conf dovecot-imapeek.conf; do
	deploy_marked "$file"
done

# -- 1. imapeek.cgi's own responders under the example's spawn-fcgi
deploy_way "nginx + spawn-fcgi" spawn-fcgi nginx-imapeek.conf nginx_start nginx-imapeek.conf

# -- 2. imapeek.cgi as a systemd socket unit starts it
deploy_way "nginx + socket activation" socket-unit nginx_start nginx-imapeek.conf

# -- 3. imapeek.cgi as a CGI program under fcgiwrap, as Debian runs it
deploy_way "nginx + fcgiwrap" fcgiwrap nginx_start nginx-imapeek.conf

# -- 4. proxy_pass to the example's imapeek-httpd, base-url the public
# URL, the path below /archive passed on as the client sent it
deploy_way "nginx + imapeek-httpd" httpd nginx-imapeek-proxy.conf \
	nginx_start nginx-imapeek-proxy.conf

done_testing
