#!/bin/sh
# make run and make test on a fresh Debian machine: they check the Debian
# packages before compiling anything (one dpkg-query call); without root
# they print the exact apt-get line and stop, as root they install what is
# missing and go on, and with everything there they simply go on.
#
# The machine is faked on PATH: a dpkg-query that reports the packages of
# DEPS_MISSING as not installed, an id whose -u answers DEPS_UID, and an
# apt-get that only writes down how it was called.  The makes run in
# copies of the tree: one without a build (nothing may be compiled there),
# one with the build copied with its times (up to date, so "going on" is
# fast), its sample server and its test suite replaced by stand-ins.
. "$(dirname "$0")/lib.sh"

# The make running this test passes its flags (jobserver, T=...) down.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
bin=$TEST_TMP/bin
mkdir -p "$bin"
cat >"$bin/dpkg-query" <<-'EOF'
	#!/bin/sh
	printf "%s\n" "$*" >>"$DEPS_LOG/dpkg-query"
	st=0
	for arg; do
		case $arg in -*) continue ;; esac
		case " $DEPS_MISSING " in
		*" $arg "*) echo "dpkg-query: no packages found matching $arg" >&2; st=1 ;;
		*) echo "$arg install ok installed" ;;
		esac
	done
	exit $st
EOF
cat >"$bin/id" <<-'EOF'
	#!/bin/sh
	[ "$*" = -u ] && { echo "$DEPS_UID"; exit 0; }
	exec /usr/bin/id "$@"
EOF
cat >"$bin/apt-get" <<-'EOF'
	#!/bin/sh
	printf "%s\n" "$*" >>"$DEPS_LOG/apt-get"
EOF
chmod +x "$bin/dpkg-query" "$bin/id" "$bin/apt-get"
DEPS_LOG=$TEST_TMP/log
export DEPS_LOG

copy_tree() {
	mkdir -p "$1" &&
	(cd "$IMAPEEK_TOP" && cp -a Makefile lib cgi templates conf t "$1/")
}
bare=$TEST_TMP/bare
built=$TEST_TMP/built
copy_tree "$bare" && rm -f "$bare"/cgi/imapeek.cgi "$bare"/cgi/imapeek-httpd \
	"$bare"/cgi/imapeek-connect "$bare"/cgi/imapeek-import ||
	bail "cannot copy the tree to $bare"
copy_tree "$built" && mkdir -p "$built/build" &&
	cp -a "$IMAPEEK_TOP/build/rel" "$IMAPEEK_TOP/build/asan" "$built/build/" ||
	bail "cannot copy the tree and its build to $built"
printf '#!/bin/sh\necho "1..1"\necho "ok 1 - the suite was reached"\n' \
	>"$built/t/t0000-reached.t"
printf '#!/bin/sh\necho "run-sample reached"\n' >"$built/t/tools/run-sample.sh"

# fake_make UID MISSING DIR TARGET...: make in DIR on the faked machine;
# its output (both streams) in $TEST_TMP/out, its status in $st.
fake_make() {
	_uid=$1 _missing=$2 _dir=$3
	shift 3
	rm -rf "$DEPS_LOG" && mkdir -p "$DEPS_LOG"
	PATH="$bin:$PATH" DEPS_UID=$_uid DEPS_MISSING=$_missing \
		make -C "$_dir" --no-print-directory "$@" >"$TEST_TMP/out" 2>&1
	st=$?
}
calls() { cat "$DEPS_LOG/$1" 2>/dev/null | wc -l | tr -d ' '; }
compiled() {
	find "$bare" -name '*.o' -o -name '*.a' -o -name 'imapeek.cgi' \
		-o -name 'imapeek-httpd' | wc -l | tr -d ' '
}

want="  apt-get install -y --no-install-recommends libfcgi-dev libmicrohttpd-dev"
for target in test run "-j2 test"; do
	# shellcheck disable=SC2086
	fake_make 1000 "libfcgi-dev libmicrohttpd-dev" "$bare" $target
	out=$(cat "$TEST_TMP/out")
	ok "$([ "$st" != 0 ]; echo $?)" "make $target, packages missing, not root: fails"
	is "$(grep '^  apt-get' "$TEST_TMP/out")" "$want" \
		"... printing the exact apt-get line of what is missing"
	unlike "$out" 'fastcgi\.h|No such file|cc ' "... before any compiler runs"
	is "$(compiled)" 0 "... and nothing was built"
	is "$(calls dpkg-query)" 1 "... after one dpkg-query call"
	is "$(calls apt-get)" 0 "... and no apt-get"
done

fake_make 1000 "" "$built" test T=t/t0000-reached.t
is "$st" 0 "make test, all packages present: succeeds"
like "$(cat "$TEST_TMP/out")" 'All tests successful' "... running the test suite"
is "$(calls dpkg-query)" 1 "... after one dpkg-query call"
unlike "$(cat "$TEST_TMP/out")" 'apt-get' "... and no word of apt-get"

fake_make 1000 "" "$built" run
is "$st" 0 "make run, all packages present: succeeds"
like "$(cat "$TEST_TMP/out")" 'run-sample reached' "... starting the sample server"
unlike "$(cat "$TEST_TMP/out")" 'apt-get' "... and no word of apt-get"

fake_make 0 "wrk mandoc" "$built" test T=t/t0000-reached.t
is "$st" 0 "make test as root, packages missing: succeeds"
is "$(cat "$DEPS_LOG/apt-get" 2>/dev/null)" "update -q
install -y -q --no-install-recommends wrk mandoc" \
	"... after apt-get update and apt-get install of exactly what was missing"
like "$(cat "$TEST_TMP/out")" 'All tests successful' "... and then the test suite"

fake_make 0 "wrk" "$built" deps
is "$(calls apt-get)" 2 "make deps as root installs what is missing too"

done_testing
