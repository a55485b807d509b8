# The pages over HTTP: sourced after lib.sh, lib-imapd.sh and lib-http.sh.
#
#   pages_setup_sample [CONF-LINES]   the sample archive behind Dovecot, and
#                                     $PAGES_CONF, an imapeek.conf for it
#   page FRONT PATH [QUERY] [CURL-ARGS...]
#                                     one GET through FRONT (httpd, cgi or
#                                     fcgi); the answer in RESP_STATUS,
#                                     $RESP_HEADERS, $RESP_BODY
#   json EXPR                         EXPR (Python) over the JSON body "d"

pages_setup_sample() {
	PAGES_STORE=$TEST_TMP/store
	sample_store "$PAGES_STORE" >"$TEST_TMP/sample.counts" ||
		bail "cannot build the sample archive"
	dovecot_setup "$PAGES_STORE" "$TEST_TMP/state" || bail "cannot set up Dovecot"
	PAGES_CONF=$TEST_TMP/imapeek.conf
	{
		cat "$IMAPD_STATE/imapd.conf"
		echo "title = imapeek test archive"
		echo "templates = $IMAPEEK_TOP/templates"
		echo "hide = private/*"
		echo "page-size = 10"
		[ $# -gt 0 ] && printf '%s\n' "$@"
	} >"$PAGES_CONF"
}

# sample_count MAILBOX: messages generated for it.
sample_count() {
	awk -F '\t' -v m="$1" '$1 == m { print $2 }' "$TEST_TMP/sample.counts"
}

page() {
	_front=$1
	_path=$2
	shift 2
	_query=
	if [ $# -gt 0 ]; then _query=$1; shift; fi
	case $_front in
	httpd)
		if [ -n "$_query" ]; then
			http_get "$HTTPD_URL$_path?$_query" "$@"
		else
			http_get "$HTTPD_URL$_path" "$@"
		fi ;;
	cgi)
		IMAPEEK_CONF=$PAGES_CONF cgi_get "$_path" "$_query" "$@" >"$TEST_TMP/cgi.out"
		cgi_response "$TEST_TMP/cgi.out" ;;
	fcgi)
		fcgi_get "$_path" "$_query" "$@" >"$TEST_TMP/cgi.out"
		cgi_response "$TEST_TMP/cgi.out" ;;
	*) bail "unknown front end $_front" ;;
	esac
}

json() {
	python3 -c '
import json, sys
try:
    d = json.load(open(sys.argv[1], encoding="utf-8"))
except Exception as e:
    print("NOT-JSON: %s" % e); sys.exit(0)
r = eval(sys.argv[2])
print(json.dumps(r, ensure_ascii=False) if not isinstance(r, str) else r)
' "$RESP_BODY" "$1"
}
