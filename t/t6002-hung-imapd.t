#!/bin/sh
# An imapd that hangs in the middle of an answer is ended when its request
# gets the 504, not at the worker's next request: after the answer, the
# server has no child left and the imapd's process is gone.  The next
# request starts a new imapd.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-http.sh"

FAKE=$IMAPEEK_TOP/t/tools/fake-imapd
conf=$TEST_TMP/imapeek.conf
{
	echo "imapd = $(command -v python3) $FAKE hang-literal"
	echo "imapd-env = FAKE_PIDFILE=$TEST_TMP/fake.pid"
	echo "timeout = 2"
	echo "templates = $IMAPEEK_TOP/templates"
} >"$conf"
# -j 1: one worker, so that "its next request" is the same worker's
httpd_start "$conf" -j 1
http_get "$HTTPD_URL/INBOX/1"
is "$RESP_STATUS" 504 "a FETCH whose literal stops half-way is a 504"
fake=$(cat "$TEST_TMP/fake.pid" 2>/dev/null)
[ -n "$fake" ]; ok $? "the fake imapd wrote its pid ($fake)"
i=0
while [ $i -lt 20 ] && { [ -n "$(ps -o pid= --ppid "$HTTPD_PID")" ] || kill -0 "$fake" 2>/dev/null; }; do
	sleep 0.1
	i=$((i + 1))
done
is "$(ps -o pid=,stat=,args= --ppid "$HTTPD_PID" | tr -s ' ')" "" \
	"after the 504, imapeek-httpd has no child left (not even a zombie)"
kill -0 "$fake" 2>/dev/null
ok "$([ $? != 0 ]; echo $?)" "the hung imapd is gone without another request"
http_get "$HTTPD_URL/INBOX/1"
is "$RESP_STATUS" 504 "the next request gets a new imapd (and its 504)"
[ "$(cat "$TEST_TMP/fake.pid")" != "$fake" ]; ok $? "... a new process"
httpd_stop
done_testing
