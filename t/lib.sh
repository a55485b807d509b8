# TAP for the shell tests: . "$(dirname "$0")/lib.sh"
#   plan N | ok COND-STATUS NAME | is GOT WANT NAME | like GOT REGEX NAME
#   skip_all REASON | diag TEXT | done_testing
# IMAPEEK_BUILD (the sanitizer build) and IMAPEEK_TOP are set by make test.
set -u
: "${IMAPEEK_TOP:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${IMAPEEK_BUILD:=$IMAPEEK_TOP/build/asan}"
SHARED_CORPUS="$IMAPEEK_TOP/../shared/corpus"
export IMAPEEK_TOP IMAPEEK_BUILD
_tap_n=0
_tap_failed=0

plan() { echo "1..$1"; }
diag() { printf '%s\n' "$*" | sed 's/^/# /'; }
_tap_report() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
		_tap_failed=$((_tap_failed + 1))
	fi
}
# ok STATUS NAME: STATUS is an exit status, 0 passes.
ok() { _tap_report "$1" "$2"; }
is() {
	if [ "$1" = "$2" ]; then _tap_report 0 "$3"; else
		_tap_report 1 "$3"; diag "got:  '$1'" "want: '$2'"; fi
}
like() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then _tap_report 0 "$3"; else
		_tap_report 1 "$3"; diag "got: '$(printf '%s' "$1" | head -c 300)'" "want match: $2"; fi
}
unlike() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		_tap_report 1 "$3"; diag "unexpected match: $2"; else _tap_report 0 "$3"; fi
}
# tap_lines FILE: a helper's "ok - ..." / "not ok - ..." lines as this
# file's TAP tests, other lines as they are (read from a file: a pipe
# would count them in a subshell).
tap_lines() {
	while IFS= read -r _tap_line; do
		case $_tap_line in
		"ok - "*) ok 0 "${_tap_line#ok - }" ;;
		"not ok - "*) ok 1 "${_tap_line#not ok - }" ;;
		*) echo "$_tap_line" ;;
		esac
	done <"$1"
}
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
done_testing() { echo "1..$_tap_n"; [ "$_tap_failed" = 0 ]; exit $?; }
bail() { echo "Bail out! $*"; exit 255; }

# Clean-up run at exit, last registered first: at_exit 'kill $pid'
_tap_at_exit=
at_exit() { _tap_at_exit="$1; $_tap_at_exit"; }
_tap_cleanup() { eval "$_tap_at_exit"; }
trap _tap_cleanup EXIT
trap 'exit 129' HUP INT TERM

# TEST_TMP: a scratch folder for this test, removed at exit unless KEEP=1.
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/imapeek-test.XXXXXX")
# The imapd runs as another user (nobody) when the tests run as root.
chmod 755 "$TEST_TMP"
[ "${KEEP:-0}" = 1 ] || at_exit 'rm -rf "$TEST_TMP"'
