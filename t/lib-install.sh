# install_copy ROOT: make install PREFIX=/usr DESTDIR=ROOT, from a copy of
# the tree in $TEST_TMP/src; the status of make, its output in
# $TEST_TMP/make.log.
#
# make install with another PREFIX rebuilds conf.o and relinks the
# programs (the templates folder is compiled in).  Done in the tree, that
# would replace build/rel/cgi/imapeek-httpd while other tests run it; so
# it runs in a copy of the tree, its release build copied with its times
# (only what depends on PREFIX is rebuilt there).
INSTALL_SRC=$TEST_TMP/src
install_copy() {
	mkdir -p "$INSTALL_SRC/build" || bail "cannot make $INSTALL_SRC"
	(cd "$IMAPEEK_TOP" && cp -a Makefile lib cgi templates conf "$INSTALL_SRC/" &&
		mkdir -p "$INSTALL_SRC/t" && cp -a t/tools "$INSTALL_SRC/t/" &&
		cp -a build/rel "$INSTALL_SRC/build/") || bail "cannot copy the tree to $INSTALL_SRC"
	make -s -C "$INSTALL_SRC" install PREFIX=/usr DESTDIR="$1" >"$TEST_TMP/make.log" 2>&1
}
