#!/bin/sh
# imapeek behind the real Apache httpd 2.4, at /archive/, as
# conf/apache-imapeek.conf says, with conf/imapeek.conf and
# conf/dovecot-imapeek.conf: those files with only their ADAPT-marked
# paths replaced.  Its four ways, each picked with Define: imapeek.cgi
# under mod_cgid and under mod_fcgid (as Apache's user), imapeek.cgi as
# its own FastCGI responder under spawn-fcgi (the example's command)
# behind mod_proxy_fcgi, and imapeek-httpd behind mod_proxy_http.  Each
# is crawled from /archive/ through every kind of page
# (t/tools/deploy-crawl.py); the users are those of the README's "Users
# and permissions".
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-imapd.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"
. "$IMAPEEK_TOP/t/lib-deploy.sh"

command -v apache2 >/dev/null || skip_all "Apache is not installed (Debian: apache2)"
[ -e "$APACHE_MODULES/mod_fcgid.so" ] ||
	skip_all "mod_fcgid is not installed (Debian: libapache2-mod-fcgid)"
command -v spawn-fcgi >/dev/null || skip_all "spawn-fcgi is not installed"

deploy_setup
deploy_marked apache-imapeek.conf

# mod_cgid: a CGI process, and an imapd, per request, as www-data
deploy_way "Apache mod_cgid" web apache_start IMAPEEK_CGID alias env cgid
# mod_fcgid: imapeek.cgi's own FastCGI loop, as www-data
deploy_way "Apache mod_fcgid" web apache_start IMAPEEK_FCGID alias fcgid
# mod_proxy_fcgi to imapeek.cgi under the example's spawn-fcgi, as imapeek
deploy_way "Apache mod_proxy_fcgi" spawn-fcgi apache-imapeek.conf \
	apache_start IMAPEEK_PROXY_FCGI proxy proxy_fcgi setenvif
# mod_proxy_http to the example's imapeek-httpd, base-url the public URL
deploy_way "Apache mod_proxy_http" httpd apache-imapeek.conf \
	apache_start IMAPEEK_PROXY_HTTP proxy proxy_http alias

done_testing
