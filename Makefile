# imapeek: build, deps, test, run, install, fuzz, bench.
#
# Two builds share the sources: the release build (build/rel, installed and
# copied to cgi/) and the test build (build/asan: AddressSanitizer and
# UndefinedBehaviorSanitizer).  Every lib/*.c goes into libimapeek.a; every
# t/unit/*.c, t/helper/*.c and t/fuzz/fuzz-*.c is a program of its own,
# linked against it, so a new module or test needs no Makefile change.

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
LIBEXEC  ?= $(PREFIX)/lib/imapeek
SHAREDIR ?= $(PREFIX)/share/imapeek
SYSCONF  ?= /etc
MANDIR   ?= $(PREFIX)/share/man
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
DESTDIR  ?=

CC       ?= cc
PKGS     := libmicrohttpd libcmark libxml-2.0 zlib gnutls
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wvla -Wformat=2 -Wno-format-nonliteral
CSTD     := -std=c11 -D_GNU_SOURCE
CPPFLAGS += -Ilib -Icgi -DIMAPEEK_TEMPLATES='"$(SHAREDIR)/templates"' $(PKG_CFLAGS)
LIBS     := $(PKG_LIBS) -lfcgi -lpthread

REL_CFLAGS  := $(CSTD) $(WARN) -O2 -g $(CFLAGS)
ASAN_FLAGS  := -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer
ASAN_CFLAGS := $(CSTD) $(WARN) -O1 -g $(ASAN_FLAGS) -DIMAPEEK_TEST_BUILD \
               $(CFLAGS)

LIB_SRC    := $(sort $(wildcard lib/*.c))
# Programs of their own, one cgi/NAME.c each, no part of the front ends.
OWN_PROGRAMS := imapeek-connect imapeek-import
FRONT_SRC  := $(sort $(filter-out cgi/main-%.c $(OWN_PROGRAMS:%=cgi/%.c),$(wildcard cgi/*.c)))
UNIT_SRC   := $(sort $(wildcard t/unit/*.c))
HELPER_SRC := $(sort $(wildcard t/helper/*.c))
FUZZ_SRC   := $(sort $(wildcard t/fuzz/fuzz-*.c))
HEADERS    := $(wildcard lib/*.h cgi/*.h t/*.h t/fuzz/*.h)

PROGRAMS := imapeek.cgi imapeek-httpd $(OWN_PROGRAMS)

.PHONY: all deps test check run install uninstall clean fuzz bench test-build FORCE
.SUFFIXES:

all: $(addprefix cgi/,$(PROGRAMS))

# ---- object and program rules, instantiated per build -----------------
# $(1) = build name, $(2) = its CFLAGS, $(3) = its LDFLAGS
define BUILD_RULES
$(1)_LIB_OBJ   := $$(patsubst %.c,build/$(1)/%.o,$$(LIB_SRC))
$(1)_FRONT_OBJ := $$(patsubst %.c,build/$(1)/%.o,$$(FRONT_SRC))

build/$(1)/%.o: %.c $$(HEADERS)
	@mkdir -p $$(@D)
	$$(CC) $$(CPPFLAGS) $(2) -c -o $$@ $$<

# The templates folder is compiled in: rebuild conf.o when SHAREDIR changes.
build/$(1)/lib/conf.o: build/$(1)/sharedir.stamp
build/$(1)/sharedir.stamp: FORCE
	@mkdir -p $$(@D)
	@echo '$$(SHAREDIR)' | cmp -s - $$@ 2>/dev/null || echo '$$(SHAREDIR)' >$$@

build/$(1)/libimapeek.a: $$($(1)_LIB_OBJ)
	@mkdir -p $$(@D)
	rm -f $$@ && ar rcs $$@ $$^

# The front ends' shared modules, for unit tests of them (t/unit).
build/$(1)/libfront.a: $$($(1)_FRONT_OBJ)
	@mkdir -p $$(@D)
	rm -f $$@ && ar rcs $$@ $$^

build/$(1)/cgi/imapeek.cgi: build/$(1)/cgi/main-cgi.o $$($(1)_FRONT_OBJ) build/$(1)/libimapeek.a
	$$(CC) $(2) -o $$@ $$^ $(3) $$(LIBS)

build/$(1)/cgi/imapeek-httpd: build/$(1)/cgi/main-httpd.o $$($(1)_FRONT_OBJ) build/$(1)/libimapeek.a
	$$(CC) $(2) -o $$@ $$^ $(3) $$(LIBS)

$$(OWN_PROGRAMS:%=build/$(1)/cgi/%): build/$(1)/cgi/%: build/$(1)/cgi/%.o build/$(1)/libimapeek.a
	$$(CC) $(2) -o $$@ $$^ $(3) $$(LIBS)
endef

$(eval $(call BUILD_RULES,rel,$(REL_CFLAGS),$(LDFLAGS)))
$(eval $(call BUILD_RULES,asan,$(ASAN_CFLAGS),$(ASAN_FLAGS) $(LDFLAGS)))

cgi/%: build/rel/cgi/%
	cp $< $@

# ---- the test build ----------------------------------------------------
UNIT_BIN   := $(patsubst %.c,build/asan/%,$(UNIT_SRC))
HELPER_BIN := $(patsubst %.c,build/asan/%,$(HELPER_SRC))
REPLAY_BIN := $(patsubst %.c,build/asan/%,$(FUZZ_SRC))

build/asan/t/unit/%: build/asan/t/unit/%.o build/asan/libfront.a build/asan/libimapeek.a
	$(CC) $(ASAN_CFLAGS) -o $@ $^ $(ASAN_FLAGS) $(LIBS)

build/asan/t/helper/%: build/asan/t/helper/%.o build/asan/libimapeek.a
	$(CC) $(ASAN_CFLAGS) -o $@ $^ $(ASAN_FLAGS) $(LIBS)

# A fuzz target's replay program: the target plus a main() that feeds it
# every file of its saved corpus (no clang needed).
build/asan/t/fuzz/fuzz-%: build/asan/t/fuzz/fuzz-%.o build/asan/t/fuzz/replay.o build/asan/libimapeek.a
	$(CC) $(ASAN_CFLAGS) -o $@ $^ $(ASAN_FLAGS) $(LIBS)

test-build: build/asan/cgi/imapeek.cgi build/asan/cgi/imapeek-httpd $(OWN_PROGRAMS:%=build/asan/cgi/%) \
            $(UNIT_BIN) $(HELPER_BIN) $(REPLAY_BIN) all

# T selects tests: make test T='t/t01*.t'
T ?= t/t*.t
PROVE_FLAGS ?= -j2
# make test and make run check the Debian packages (deps) before anything
# is compiled, then build in a make of their own, which asks pkg-config
# again after an install.
test: deps
	@$(MAKE) --no-print-directory test-build
	IMAPEEK_BUILD=$(CURDIR)/build/asan IMAPEEK_TOP=$(CURDIR) \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	prove $(PROVE_FLAGS) $(T)

check: test

# ---- libFuzzer builds (clang) -----------------------------------------
FUZZ_CFLAGS := $(CSTD) -g -O1 -fsanitize=fuzzer-no-link,address,undefined -Ilib $(PKG_CFLAGS)
FUZZ_BIN := $(patsubst t/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))

build/fuzz/lib/%.o: lib/%.c $(HEADERS)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -DIMAPEEK_TEMPLATES='""' -c -o $@ $<

build/fuzz/%: t/fuzz/%.c $(patsubst %.c,build/fuzz/%.o,$(LIB_SRC))
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

fuzz: $(FUZZ_BIN)
	@echo "fuzzers in build/fuzz; run e.g.: build/fuzz/fuzz-imap-parse t/fuzz/corpus/fuzz-imap-parse"

# ---- running, benchmarks, dependencies --------------------------------
run: deps
	@$(MAKE) --no-print-directory all
	sh t/tools/run-sample.sh

# Benchmarks measure the release build: their helpers are built with it.
build/rel/t/helper/%: build/rel/t/helper/%.o build/rel/libimapeek.a
	$(CC) $(REL_CFLAGS) -o $@ $^ $(LDFLAGS) $(LIBS)

bench: all test-build build/rel/t/helper/bench-fetch build/rel/t/helper/bench-batch
	IMAPEEK_BUILD=$(CURDIR)/build/rel IMAPEEK_TOP=$(CURDIR) sh t/bench/run.sh

DEBIAN_PACKAGES := build-essential pkg-config libfcgi-dev libfcgi-bin \
	libmicrohttpd-dev libgnutls28-dev libcmark-dev libxml2-dev zlib1g-dev \
	dovecot-core dovecot-imapd openssl mailutils-imap4d spawn-fcgi wrk nginx-light curl \
	python3 xz-utils perl clang libclang-rt-dev libxml2-utils w3m chromium mandoc \
	apache2 libapache2-mod-fcgid fcgiwrap systemd

deps:
	@sh t/tools/deps.sh $(DEBIAN_PACKAGES)

# ---- install -----------------------------------------------------------
# The manual pages, the systemd units, the tmpfiles.d and sysusers.d
# entries and the sample configuration name the /usr/local paths; they are
# installed with the paths of this installation put in.
MAN1 := cgi/imapeek-connect.1 cgi/imapeek-import.1
MAN5 := conf/imapeek.conf.5
MAN8 := cgi/imapeek-httpd.8 cgi/imapeek.cgi.8
UNITS := conf/imapeek-httpd.service conf/imapeek-fcgi.service conf/imapeek-fcgi.socket
# The example configurations: what conf/ holds besides the above.
CONF_EXAMPLES := $(filter-out $(MAN5) $(UNITS) conf/imapeek.tmpfiles conf/imapeek.sysusers,\
                              $(sort $(wildcard conf/*)))
INSTALL_PATHS := sed -e 's|/usr/local/bin/|$(BINDIR)/|g' \
                     -e 's|/usr/local/lib/imapeek/|$(LIBEXEC)/|g' \
                     -e 's|/usr/local/share/imapeek/|$(SHAREDIR)/|g'

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXEC) $(DESTDIR)$(SHAREDIR)/templates $(DESTDIR)$(SHAREDIR)/conf \
	           $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	           $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(SYSUSERSDIR) \
	           $(DESTDIR)$(SYSCONF)
	install -m 755 cgi/imapeek-httpd $(DESTDIR)$(BINDIR)/imapeek-httpd
	install -m 755 cgi/imapeek-import $(DESTDIR)$(BINDIR)/imapeek-import
	install -m 755 cgi/imapeek.cgi $(DESTDIR)$(LIBEXEC)/imapeek.cgi
	install -m 755 cgi/imapeek-connect $(DESTDIR)$(LIBEXEC)/imapeek-connect
	install -m 644 templates/* $(DESTDIR)$(SHAREDIR)/templates/
	install -m 644 $(CONF_EXAMPLES) $(DESTDIR)$(SHAREDIR)/conf/
	for page in $(MAN1) $(MAN5) $(MAN8); do \
		$(INSTALL_PATHS) $$page >$(DESTDIR)$(MANDIR)/man$${page##*.}/$${page##*/} && \
		chmod 644 $(DESTDIR)$(MANDIR)/man$${page##*.}/$${page##*/} || exit 1; \
	done
	for unit in $(UNITS); do \
		$(INSTALL_PATHS) $$unit >$(DESTDIR)$(SYSTEMDUNITDIR)/$${unit##*/} && \
		chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/$${unit##*/} || exit 1; \
	done
	install -m 644 conf/imapeek.tmpfiles $(DESTDIR)$(TMPFILESDIR)/imapeek.conf
	install -m 644 conf/imapeek.sysusers $(DESTDIR)$(SYSUSERSDIR)/imapeek.conf
	@# Never over an operator's configuration.
	if [ -e $(DESTDIR)$(SYSCONF)/imapeek.conf ]; then \
		echo "$(DESTDIR)$(SYSCONF)/imapeek.conf exists: left as it is"; \
	else \
		$(INSTALL_PATHS) conf/imapeek.conf >$(DESTDIR)$(SYSCONF)/imapeek.conf && \
		chmod 644 $(DESTDIR)$(SYSCONF)/imapeek.conf; \
	fi

# Everything install put, but the configuration in $(SYSCONF).
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/imapeek-import
	rm -f $(DESTDIR)$(BINDIR)/imapeek-httpd $(DESTDIR)$(LIBEXEC)/imapeek.cgi \
	      $(DESTDIR)$(LIBEXEC)/imapeek-connect
	rm -rf $(DESTDIR)$(SHAREDIR)
	rm -f $(foreach page,$(MAN1) $(MAN5) $(MAN8),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(page)))/$(notdir $(page))) \
	      $(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(notdir $(UNITS))) \
	      $(DESTDIR)$(TMPFILESDIR)/imapeek.conf $(DESTDIR)$(SYSUSERSDIR)/imapeek.conf

clean:
	rm -rf build/rel build/asan build/fuzz build/tmp $(addprefix cgi/,$(PROGRAMS))
