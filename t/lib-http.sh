# Driving the front ends from shell tests; source after t/lib.sh.
#
#   httpd_start CONF [ARGS...]  start imapeek-httpd on a free loopback port;
#                               sets HTTPD_URL, HTTPD_PID, HTTPD_LOG
#   httpd_stop                  SIGTERM it; a TAP test that it exited 0
#   cgi_get PATH [QUERY] [VAR=VALUE...]
#                               run imapeek.cgi as a web server would and
#                               print its raw output; PATH is percent-encoded
#                               as in a URL; QUERY must be given ("" for
#                               none) before any VAR=VALUE (which overrides
#                               or, as VAR=, empties a variable);
#                               CGI_SCRIPT_NAME (default "")
#                               is the root, CGI_METHOD (default GET) the
#                               method, IMAPEEK_CONF the configuration
#   fcgi_start CONF             start imapeek.cgi under spawn-fcgi on a
#                               socket; sets FCGI_SOCKET, FCGI_PID, FCGI_LOG
#   fcgi_get PATH [QUERY] [VAR=VALUE...]
#                               the same request as cgi_get over FastCGI
#   fcgi_stop                   SIGTERM it; a TAP test that it exited 0
#   http_get URL [CURL-ARGS...] a request with curl
#   cgi_response FILE           read raw CGI output
#   free_port                   a loopback TCP port nobody listens on now
#   http_wait URL PID NAME LOG  wait until URL answers (any status); bail
#                               out, with LOG's tail, when PID ends first
#                               or after 10 s
#
# http_get and cgi_response leave the answer in RESP_STATUS (the number),
# $RESP_HEADERS (one "Name: value" a line, CRs removed) and $RESP_BODY;
# header NAME prints one header's value.
# Every server started here is stopped at exit; one that does not exit 0
# on SIGTERM fails the test file.

IMAPEEK_CGI=${IMAPEEK_CGI:-$IMAPEEK_BUILD/cgi/imapeek.cgi}
IMAPEEK_HTTPD=$IMAPEEK_BUILD/cgi/imapeek-httpd
RESP_HEADERS=$TEST_TMP/resp.headers
RESP_BODY=$TEST_TMP/resp.body
RESP_STATUS=
HTTPD_PID=
FCGI_PID=
_http_bad_exit=

command -v curl >/dev/null || skip_all "curl is not installed (Debian: curl)"

# Runs after the servers' clean-ups and before TEST_TMP is removed.
_http_final() {
	[ -z "$_http_bad_exit" ] && return 0
	echo "# $_http_bad_exit" >&2
	[ "${KEEP:-0}" = 1 ] || rm -rf "$TEST_TMP"
	exit 1
}
at_exit _http_final

# _http_reap PID NAME: SIGTERM, wait up to 10 s, then SIGKILL; the exit
# status is left in _http_status.
_http_reap() {
	kill -TERM "$1" 2>/dev/null
	_i=0
	while kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" | cut -c1)" != Z ]; do
		_i=$((_i + 1))
		if [ $_i -gt 100 ]; then
			echo "# $2 ignored SIGTERM for 10 s: killing it" >&2
			kill -KILL "$1" 2>/dev/null
			break
		fi
		sleep 0.1
	done
	wait "$1"
	_http_status=$?
}

# Every start gets a log (and a socket) of its own, made empty here before
# the server is started.  With one file reused, a start could read the
# previous server's "listening on" line (and so its port): the background
# job truncates its stderr file only once the shell's child runs, which on
# a loaded machine can be after the loop below has read the old content.
_http_starts=0
_http_next_file() {
	_http_starts=$((_http_starts + 1))
	_http_file=$TEST_TMP/$1.$_http_starts.$2
	rm -f "$_http_file"
}

httpd_start() {
	_conf=$1
	shift
	_http_next_file httpd log
	HTTPD_LOG=$_http_file
	: >"$HTTPD_LOG"
	"$IMAPEEK_HTTPD" -c "$_conf" -l 127.0.0.1:0 "$@" 2>>"$HTTPD_LOG" &
	HTTPD_PID=$!
	at_exit '_httpd_cleanup'
	HTTPD_URL=
	_i=0
	while [ -z "$HTTPD_URL" ]; do
		HTTPD_URL=$(sed -n 's|.*listening on \(http://[^ ]*[0-9]\)/$|\1|p' "$HTTPD_LOG")
		if ! kill -0 "$HTTPD_PID" 2>/dev/null || [ $_i -gt 300 ]; then
			_httpd_why "imapeek-httpd did not start" 0
		fi
		[ -n "$HTTPD_URL" ] || { sleep 0.1; _i=$((_i + 1)); }
	done
	# Listening is not answering: wait for a first answer too.  Any HTTP
	# status will do (a 5xx is the test's business); curl's own failures
	# (refused, reset, empty reply, time-out) are retried for 10 s.
	_i=0
	while :; do
		curl -s -o /dev/null --max-time 20 "$HTTPD_URL/" && break
		_httpd_curl_rc=$?
		kill -0 "$HTTPD_PID" 2>/dev/null ||
			_httpd_why "imapeek-httpd exited before answering at $HTTPD_URL" "$_httpd_curl_rc"
		[ $_i -gt 100 ] &&
			_httpd_why "imapeek-httpd does not answer at $HTTPD_URL" "$_httpd_curl_rc"
		sleep 0.1
		_i=$((_i + 1))
	done
}

# _httpd_why MESSAGE CURL-EXIT: bail out saying why: what curl saw, whether
# the server still runs (and how it ended if not), and its log's tail.
_httpd_why() {
	case $2 in
	0) _httpd_curl="" ;;
	7) _httpd_curl="; curl: connection refused (exit 7)" ;;
	28) _httpd_curl="; curl: no answer within its time limit (exit 28)" ;;
	52) _httpd_curl="; curl: empty reply, the server closed the connection (exit 52)" ;;
	56) _httpd_curl="; curl: connection reset (exit 56)" ;;
	*) _httpd_curl="; curl exit $2" ;;
	esac
	if kill -0 "$HTTPD_PID" 2>/dev/null; then
		_httpd_state="still running (state $(ps -o stat= -p "$HTTPD_PID" 2>/dev/null))"
	else
		wait "$HTTPD_PID"
		_httpd_state="exited with status $?"
		HTTPD_PID=
	fi
	echo "# imapeek-httpd log ($HTTPD_LOG), last 30 lines:"
	tail -n 30 "$HTTPD_LOG" 2>/dev/null | sed 's/^/#   /'
	bail "$1$_httpd_curl; the server is $_httpd_state"
}

_httpd_cleanup() {
	[ -n "$HTTPD_PID" ] || return 0
	_http_reap "$HTTPD_PID" imapeek-httpd
	[ "$_http_status" = 0 ] ||
		_http_bad_exit="imapeek-httpd exited $_http_status on SIGTERM"
	HTTPD_PID=
}

httpd_stop() {
	_http_reap "$HTTPD_PID" imapeek-httpd
	HTTPD_PID=
	is "$_http_status" 0 "imapeek-httpd exits 0 on SIGTERM"
}

# _cgi_run MODE PATH [QUERY] [VAR=VALUE...]: the environment a web server
# gives a CGI program (PATH_INFO decoded, as servers do), then imapeek.cgi
# itself (MODE cgi) or a FastCGI request to the running responder (fcgi).
_cgi_run() {
	_mode=$1
	_path=$2
	shift 2
	_query=
	if [ $# -gt 0 ]; then _query=$1; shift; fi
	_script=${CGI_SCRIPT_NAME-}
	_decoded=$(printf '%s' "$_path" | perl -pe 's/%([0-9A-Fa-f]{2})/chr hex $1/ge')
	_uri=$_script$_path
	[ -n "$_query" ] && _uri=$_uri?$_query
	if [ "$_mode" = cgi ]; then
		set -- "$@" "$IMAPEEK_CGI"
	else
		set -- "$@" cgi-fcgi -bind -connect "$FCGI_SOCKET"
	fi
	env -i PATH="$PATH" \
		${ASAN_OPTIONS+"ASAN_OPTIONS=$ASAN_OPTIONS"} \
		${UBSAN_OPTIONS+"UBSAN_OPTIONS=$UBSAN_OPTIONS"} \
		${IMAPEEK_CONF+"IMAPEEK_CONF=$IMAPEEK_CONF"} \
		GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 \
		SERVER_SOFTWARE=imapeek-tests SERVER_NAME=localhost SERVER_PORT=80 \
		REMOTE_ADDR=127.0.0.1 REQUEST_METHOD="${CGI_METHOD:-GET}" \
		SCRIPT_NAME="$_script" PATH_INFO="$_decoded" QUERY_STRING="$_query" \
		REQUEST_URI="$_uri" HTTP_HOST=localhost HTTP_ACCEPT='*/*' \
		"$@" </dev/null
}

cgi_get() {
	_cgi_run cgi "$@"
}

fcgi_start() {
	_http_next_file fcgi sock
	FCGI_SOCKET=$_http_file
	_http_next_file fcgi log
	FCGI_LOG=$_http_file
	: >"$FCGI_LOG"
	# -n: spawn-fcgi binds the socket, then becomes imapeek.cgi, so the
	# shell can wait for the responder and see its exit status.
	IMAPEEK_CONF=$1 spawn-fcgi -n -s "$FCGI_SOCKET" -- "$IMAPEEK_CGI" \
		>>"$FCGI_LOG" 2>&1 &
	FCGI_PID=$!
	at_exit '_fcgi_cleanup'
	_i=0
	until [ -S "$FCGI_SOCKET" ]; do
		if ! kill -0 "$FCGI_PID" 2>/dev/null || [ $_i -gt 100 ]; then
			cat "$FCGI_LOG" >&2
			bail "imapeek.cgi did not start under spawn-fcgi"
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
}

fcgi_get() {
	_cgi_run fcgi "$@"
}

_fcgi_cleanup() {
	[ -n "$FCGI_PID" ] || return 0
	_http_reap "$FCGI_PID" imapeek.cgi
	[ "$_http_status" = 0 ] ||
		_http_bad_exit="imapeek.cgi (FastCGI) exited $_http_status on SIGTERM"
	FCGI_PID=
}

fcgi_stop() {
	_http_reap "$FCGI_PID" imapeek.cgi
	FCGI_PID=
	is "$_http_status" 0 "imapeek.cgi (FastCGI) exits 0 on SIGTERM"
}

http_get() {
	_url=$1
	shift
	: >"$RESP_BODY"
	RESP_STATUS=$(curl -sS -g -o "$RESP_BODY" -D "$RESP_HEADERS.raw" \
		-w '%{http_code}' "$@" "$_url") || RESP_STATUS=000
	tr -d '\r' <"$RESP_HEADERS.raw" >"$RESP_HEADERS"
}

# The "Status:" header of CGI output, 200 without one (RFC 3875 6.3.3).
cgi_response() {
	perl -e '
		local $/; my $raw = <STDIN>;
		my ($head, $body) = split /\r?\n\r?\n/, $raw, 2;
		$body = "" unless defined $body;
		open my $h, ">", $ARGV[0] or die; print $h "$_\n" for split /\r?\n/, $head;
		open my $b, ">", $ARGV[1] or die; print $b $body;
	' "$RESP_HEADERS" "$RESP_BODY" <"$1"
	RESP_STATUS=$(sed -n 's/^Status: \([0-9][0-9][0-9]\).*/\1/p' "$RESP_HEADERS")
	[ -n "$RESP_STATUS" ] || RESP_STATUS=200
}

free_port() {
	python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

http_wait() {
	_i=0
	until curl -s -o /dev/null --max-time 20 "$1"; do
		_http_wait_rc=$?
		if ! kill -0 "$2" 2>/dev/null || [ $_i -gt 100 ]; then
			echo "# $4, last 30 lines:"
			tail -n 30 "$4" 2>/dev/null | sed 's/^/#   /'
			kill -0 "$2" 2>/dev/null && _http_wait_state="runs" ||
				_http_wait_state="has ended"
			bail "$3 does not answer at $1 (curl exit $_http_wait_rc); it $_http_wait_state"
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
}

header() {
	sed -n "s/^$1: //Ip" "$RESP_HEADERS" | head -n 1
}
