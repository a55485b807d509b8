# imapeek: build, deps, test, run, install, fuzz, bench.
#
# Three builds share the sources: the release build (build/rel, hardened,
# installed and copied to cgi/), the test build (build/asan:
# AddressSanitizer and UndefinedBehaviorSanitizer) and the front ends under
# ThreadSanitizer (build/tsan).  Every lib/*.c goes into libimapeek.a; every
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

# The release build is hardened: fortified string and I/O calls (which
# need -O1 or more), stack canaries, stack clash probes, a position-
# independent executable with full RELRO and a non-executable stack, and
# control-flow protection where the compiler has it (x86).
cc-option = $(shell $(CC) -Werror $(1) -c -x c /dev/null -o /dev/null 2>/dev/null && echo $(1))
HARDEN_CFLAGS  := -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2 -fstack-protector-strong \
                  -fPIE $(call cc-option,-fstack-clash-protection) \
                  $(call cc-option,-fcf-protection)
HARDEN_LDFLAGS := -pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack
REL_CFLAGS  := $(CSTD) $(WARN) -O2 -g $(HARDEN_CFLAGS) $(CFLAGS)
ASAN_FLAGS  := -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer
ASAN_CFLAGS := $(CSTD) $(WARN) -O1 -g $(ASAN_FLAGS) -DIMAPEEK_TEST_BUILD \
               $(CFLAGS)
TSAN_FLAGS  := -fsanitize=thread
TSAN_CFLAGS := $(CSTD) $(WARN) -O1 -g $(TSAN_FLAGS) -DIMAPEEK_TEST_BUILD $(CFLAGS)

LIB_SRC    := $(sort $(wildcard lib/*.c))
# Programs of their own, one cgi/NAME.c each, no part of the front ends.
OWN_PROGRAMS := imapeek-connect imapeek-import
FRONT_SRC  := $(sort $(filter-out cgi/main-%.c $(OWN_PROGRAMS:%=cgi/%.c),$(wildcard cgi/*.c)))
UNIT_SRC   := $(sort $(wildcard t/unit/*.c))
HELPER_SRC := $(sort $(wildcard t/helper/*.c))
FUZZ_SRC   := $(sort $(wildcard t/fuzz/fuzz-*.c))
HEADERS    := $(wildcard lib/*.h cgi/*.h t/*.h t/fuzz/*.h)

PROGRAMS := imapeek.cgi imapeek-httpd $(OWN_PROGRAMS)

.PHONY: all deps test check run install uninstall clean fuzz bench bench-scale \
        test-build tsan test-tsan FORCE
.SUFFIXES:

all: $(addprefix cgi/,$(PROGRAMS))

# ---- object and program rules, instantiated per build -----------------
# $(1) = build name, $(2) = its CFLAGS, $(3) = its LDFLAGS
define BUILD_RULES
$(1)_LIB_OBJ   := $$(patsubst %.c,build/$(1)/%.o,$$(LIB_SRC))
$(1)_FRONT_OBJ := $$(patsubst %.c,build/$(1)/%.o,$$(FRONT_SRC))

build/$(1)/%.o: %.c $$(HEADERS) build/$(1)/flags.stamp
	@mkdir -p $$(@D)
	$$(CC) $$(CPPFLAGS) $(2) -c -o $$@ $$<

# Other flags (hardening, CFLAGS=...) rebuild the whole build.
build/$(1)/flags.stamp: FORCE
	@mkdir -p $$(@D)
	@echo '$(2) $(3)' | cmp -s - $$@ 2>/dev/null || echo '$(2) $(3)' >$$@

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

$(eval $(call BUILD_RULES,rel,$(REL_CFLAGS),$(HARDEN_LDFLAGS) $(LDFLAGS)))
$(eval $(call BUILD_RULES,asan,$(ASAN_CFLAGS),$(ASAN_FLAGS) $(LDFLAGS)))
$(eval $(call BUILD_RULES,tsan,$(TSAN_CFLAGS),$(TSAN_FLAGS) $(LDFLAGS)))

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

# T selects tests: make test T='t/t01*.t'.  The whole suite (no T) ends
# with test-tsan, the multi-threaded server's tests under ThreadSanitizer
# (about a minute more).
T ?= t/t*.t
TSAN_IN_TEST = $(if $(filter-out t/t*.t,$(T)),,$(MAKE) --no-print-directory test-tsan)
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
	$(TSAN_IN_TEST)

check: test

# ---- the ThreadSanitizer build ------------------------------------------
# build/tsan: the front ends under ThreadSanitizer, for the tests that run
# imapeek-httpd with several workers, t/helper/gateway-threads (the
# workers' library code without libmicrohttpd's locks) and the unit test
# of the summaries the workers keep together (test-summary-cache).  A data race makes
# a program exit 66 instead of 0, which fails the test; the reports are
# kept in build/tsan/reports/.  t/tsan.supp says what is not ours.  The
# single-threaded imapeek.cgi runs from the ASan build: ThreadSanitizer
# has nothing to check in it, and it defers signal handlers to the next
# intercepted call, so its FastCGI loop would reap a dead imapd late.
TSAN_T ?= t/t5002-front-httpd.t t/t5010-worker-sessions.t t/t5011-fresh-counts.t \
          t/t5012-parallel-workers.t t/t5013-gateway-threads.t t/t4000-pages.t \
          t/t5052-httpd-stream.t t/t6010-cancel.t t/t6011-limits.t \
          t/t0018-summary-cache.t
tsan: $(addprefix build/tsan/cgi/,$(PROGRAMS)) build/tsan/t/helper/gateway-threads \
      build/tsan/t/unit/test-summary-cache

build/tsan/t/helper/%: build/tsan/t/helper/%.o build/tsan/libimapeek.a
	$(CC) $(TSAN_CFLAGS) -o $@ $^ $(TSAN_FLAGS) $(LIBS)

build/tsan/t/unit/%: build/tsan/t/unit/%.o build/tsan/libimapeek.a
	$(CC) $(TSAN_CFLAGS) -o $@ $^ $(TSAN_FLAGS) $(LIBS)

test-tsan: tsan build/asan/cgi/imapeek.cgi
	@rm -rf build/tsan/reports && mkdir -p build/tsan/reports
	IMAPEEK_BUILD=$(CURDIR)/build/tsan IMAPEEK_TOP=$(CURDIR) \
	IMAPEEK_CGI=$(CURDIR)/build/asan/cgi/imapeek.cgi \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	TSAN_OPTIONS=log_path=$(CURDIR)/build/tsan/reports/tsan:second_deadlock_stack=1:suppressions=$(CURDIR)/t/tsan.supp \
	prove $(PROVE_FLAGS) $(TSAN_T)

# ---- libFuzzer builds (clang) -----------------------------------------
FUZZ_CFLAGS := $(CSTD) -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
               -fno-sanitize-recover=all -Ilib $(PKG_CFLAGS)
FUZZ_BIN := $(patsubst t/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))

build/fuzz/lib/%.o: lib/%.c $(HEADERS)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -DIMAPEEK_TEMPLATES='""' -c -o $@ $<

build/fuzz/%: t/fuzz/%.c $(patsubst %.c,build/fuzz/%.o,$(LIB_SRC))
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

# The library objects are shared by every fuzzer: keep them between runs.
.PRECIOUS: build/fuzz/lib/%.o

fuzz: $(FUZZ_BIN)
	@echo "fuzzers in build/fuzz; run e.g.: build/fuzz/fuzz-imap-parse t/fuzz/corpus/fuzz-imap-parse"

# ---- running, benchmarks, dependencies --------------------------------
run: deps
	@$(MAKE) --no-print-directory all
	sh t/tools/run-sample.sh

# Benchmarks measure the release build: their helpers are built with it.
build/rel/t/helper/%: build/rel/t/helper/%.o build/rel/libimapeek.a
	$(CC) $(REL_CFLAGS) -o $@ $^ $(HARDEN_LDFLAGS) $(LDFLAGS) $(LIBS)

bench: all test-build build/rel/t/helper/bench-fetch build/rel/t/helper/bench-batch
	IMAPEEK_BUILD=$(CURDIR)/build/rel IMAPEEK_TOP=$(CURDIR) sh t/bench/run.sh

# Synthesized archives SCALE times openbmc beside openbmc itself
# (t/bench/scale.sh; README says how long the first run takes).
SCALE ?= 10 100
bench-scale: all
	IMAPEEK_BUILD=$(CURDIR)/build/rel IMAPEEK_TOP=$(CURDIR) BENCH_SCALE="$(SCALE)" \
	sh t/bench/scale.sh

DEBIAN_PACKAGES := build-essential pkg-config libfcgi-dev libfcgi-bin \
	libmicrohttpd-dev libgnutls28-dev libcmark-dev libxml2-dev zlib1g-dev \
	dovecot-core dovecot-imapd openssl mailutils-imap4d spawn-fcgi wrk nginx-light curl \
	python3 xz-utils perl clang libclang-rt-dev libxml2-utils w3m chromium mandoc \
	apache2 libapache2-mod-fcgid fcgiwrap systemd dovecot-fts-xapian public-inbox

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
	rmdir $(DESTDIR)$(LIBEXEC) 2>/dev/null || true
	rm -rf $(DESTDIR)$(SHAREDIR)
	rm -f $(foreach page,$(MAN1) $(MAN5) $(MAN8),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(page)))/$(notdir $(page))) \
	      $(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(notdir $(UNITS))) \
	      $(DESTDIR)$(TMPFILESDIR)/imapeek.conf $(DESTDIR)$(SYSUSERSDIR)/imapeek.conf

clean:
	rm -rf build/rel build/asan build/tsan build/fuzz build/tmp $(addprefix cgi/,$(PROGRAMS))
