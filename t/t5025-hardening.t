#!/bin/sh
# The release programs are hardened (Makefile: HARDEN_CFLAGS and
# HARDEN_LDFLAGS), as built in the tree (cgi/) and as installed by
# make install: what checksec would say, read with readelf.
#   pie      ELF type DYN and the DF_1_PIE flag: loaded at a random address
#   relro    a GNU_RELRO segment: relocations made read-only after loading
#   now      BIND_NOW: every symbol bound at start, so RELRO covers the GOT
#   canary   __stack_chk_fail imported: stack protector checks
#   fortify  a __*_chk function imported: _FORTIFY_SOURCE checked calls
#   nx       a GNU_STACK segment without E: the stack is not executable
# A program built without any of it shows that the checks can fail.
. "$(dirname "$0")/lib.sh"
. "$IMAPEEK_TOP/t/lib-install.sh"

command -v readelf >/dev/null 2>&1 || skip_all "readelf (binutils) is not installed"

# The properties FILE has, in the order above, separated by spaces.
hardening() {
	header=$(readelf -hW "$1") && dynamic=$(readelf -dW "$1") &&
		segments=$(readelf -lW "$1") && symbols=$(readelf --dyn-syms -W "$1") ||
		{ echo "unreadable"; return; }
	found=
	printf '%s\n' "$header" | grep -Eq '^ *Type: +DYN ' &&
		printf '%s\n' "$dynamic" | grep -Eq '\(FLAGS_1\) +Flags:.* PIE' &&
		found="$found pie"
	printf '%s\n' "$segments" | grep -Eq '^ *GNU_RELRO ' && found="$found relro"
	printf '%s\n' "$dynamic" | grep -Eq '\(FLAGS\) .*BIND_NOW|\(BIND_NOW\)|\(FLAGS_1\) +Flags:.* NOW' &&
		found="$found now"
	printf '%s\n' "$symbols" | grep -Eq ' UND __stack_chk_fail(@|$)' && found="$found canary"
	printf '%s\n' "$symbols" | grep -Eq ' UND __[a-z0-9_]+_chk(@|$)' && found="$found fortify"
	[ "$(printf '%s\n' "$segments" | awk '$1 == "GNU_STACK" { print $7 }')" = RW ] &&
		found="$found nx"
	echo "${found# }"
}

all="pie relro now canary fortify nx"

for program in imapeek-httpd imapeek.cgi imapeek-connect; do
	[ -f "$IMAPEEK_TOP/cgi/$program" ] || bail "cgi/$program is not built (make all)"
	is "$(hardening "$IMAPEEK_TOP/cgi/$program")" "$all" "cgi/$program: $all"
done

root=$TEST_TMP/root
install_copy "$root"
st=$?
is "$st" 0 "make install PREFIX=/usr DESTDIR=... succeeds"
[ "$st" = 0 ] || { cat "$TEST_TMP/make.log" >&2; bail "make install failed"; }
installed=0
for file in $(find "$root" -type f | LC_ALL=C sort); do
	[ "$(head -c 4 "$file" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
	installed=$((installed + 1))
	is "$(hardening "$file")" "$all" "installed ${file#"$root"/}: $all"
done
ok "$([ "$installed" -ge 3 ]; echo $?)" "... $installed installed programs inspected"

# The checks can fail: a program built with none of the hardening.
cat >"$TEST_TMP/plain.c" <<'EOF'
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv)
{
	char copy[64];
	strcpy(copy, argv[0]);
	printf("%s %d\n", copy, argc);
	return 0;
}
EOF
if ${CC:-cc} -O0 -U_FORTIFY_SOURCE -fno-stack-protector -no-pie -Wl,-z,norelro,-z,lazy \
	-o "$TEST_TMP/plain" "$TEST_TMP/plain.c" 2>"$TEST_TMP/cc.log"; then
	is "$(hardening "$TEST_TMP/plain")" "nx" "a program built plainly has none of it but nx"
else
	diag "$(cat "$TEST_TMP/cc.log")"
	ok 1 "a program built plainly (cc failed)"
fi

done_testing
