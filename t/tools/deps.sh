#!/bin/sh
# Installs the Debian packages imapeek needs (as root), or says exactly
# what to install and fails.  Usage: deps.sh PACKAGE...
#
# make run and make test run it before they build anything, so it must be
# cheap when all is there: one dpkg-query call for every package (about
# 10 ms).  A package counts when dpkg says "ok installed".  Without
# dpkg-query (not Debian) it only names the Debian packages and goes on.
if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps: no dpkg-query, not Debian; the Debian packages would be: $*" >&2
	exit 0
fi
installed=" $(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null |
	sed -n 's/^\([^ ]*\) .* ok installed$/\1/p' | tr '\n' ' ')"
missing=
for pkg in "$@"; do
	case $installed in
	*" $pkg "*) ;;
	*) missing="$missing $pkg" ;;
	esac
done
[ -z "$missing" ] && { echo "deps: all Debian packages present"; exit 0; }
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages; as root run:" >&2
	echo "  apt-get install -y --no-install-recommends$missing" >&2
	exit 1
fi
echo "deps: installing the missing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q && apt-get install -y -q --no-install-recommends $missing
