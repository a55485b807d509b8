#!/bin/sh
# Courier-IMAP's imapd, unpacked from Debian's packages into DEST/root
# without installing them (Debian's courier-imap conflicts with Dovecot's
# imapd).  Usage: get-courier.sh DEST.  Prints the imapd's absolute path.
#
# Built once: a present DEST/root/usr/bin/imapd is reused.  The packages
# are fetched with "apt-get download" (the package lists must be current:
# make deps runs apt-get update) into a temporary folder that is renamed
# into place, so a present DEST/root is complete.  The libraries the
# machine may lack come along (libidn12, libgdbm6); libgamin0 provides
# libfam, but not gamin's gam_server: without it the imapd greets with an
# "* OK [ALERT]" about file-system notification and polls instead.
set -u
PACKAGES="courier-imap courier-base courier-authlib libcourier-unicode4
libgamin0 libidn12 libgdbm6"

[ $# = 1 ] || { echo "usage: get-courier.sh DEST" >&2; exit 2; }
mkdir -p "$1" || exit 1
dest=$(cd "$1" && pwd) || exit 1
imapd=$dest/root/usr/bin/imapd
if [ -x "$imapd" ]; then
	echo "$imapd"
	exit 0
fi
command -v apt-get >/dev/null && command -v dpkg >/dev/null || {
	echo "get-courier: needs apt-get and dpkg (Debian)" >&2; exit 1; }
tmp=$(mktemp -d "$dest/tmp.XXXXXX") || exit 1
# apt-get download as root hands the download to the user _apt.
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2086
if ! (cd "$tmp" && apt-get download -q $PACKAGES >download.log 2>&1); then
	echo "get-courier: apt-get download $PACKAGES failed:" >&2
	tail -5 "$tmp/download.log" >&2
	exit 1
fi
for deb in "$tmp"/*.deb; do
	dpkg -x "$deb" "$tmp/root" || {
		echo "get-courier: dpkg -x $deb failed" >&2; exit 1; }
done
[ -x "$tmp/root/usr/bin/imapd" ] || {
	echo "get-courier: no usr/bin/imapd in the packages" >&2; exit 1; }
# Another test may have won the race: then its tree stays.
mv -T "$tmp/root" "$dest/root" 2>/dev/null || [ -x "$imapd" ] || exit 1
echo "$imapd"
