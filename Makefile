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
# cgi/imapeek-connect.c is a program of its own, no part of the front ends.
FRONT_SRC  := $(sort $(filter-out cgi/main-%.c cgi/imapeek-connect.c,$(wildcard cgi/*.c)))
UNIT_SRC   := $(sort $(wildcard t/unit/*.c))
HELPER_SRC := $(sort $(wildcard t/helper/*.c))
FUZZ_SRC   := $(sort $(wildcard t/fuzz/fuzz-*.c))
HEADERS    := $(wildcard lib/*.h cgi/*.h t/*.h t/fuzz/*.h)

PROGRAMS := imapeek.cgi imapeek-httpd imapeek-connect

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

build/$(1)/cgi/imapeek-connect: build/$(1)/cgi/imapeek-connect.o build/$(1)/libimapeek.a
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

test-build: build/asan/cgi/imapeek.cgi build/asan/cgi/imapeek-httpd build/asan/cgi/imapeek-connect \
            $(UNIT_BIN) $(HELPER_BIN) $(REPLAY_BIN) all

# T selects tests: make test T='t/t01*.t'
T ?= t/t*.t
PROVE_FLAGS ?= -j2
test: test-build
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
run: all
	sh t/tools/run-sample.sh

# Benchmarks measure the release build: their helpers are built with it.
build/rel/t/helper/%: build/rel/t/helper/%.o build/rel/libimapeek.a
	$(CC) $(REL_CFLAGS) -o $@ $^ $(LDFLAGS) $(LIBS)

bench: all test-build build/rel/t/helper/bench-fetch build/rel/t/helper/bench-batch
	IMAPEEK_BUILD=$(CURDIR)/build/rel IMAPEEK_TOP=$(CURDIR) sh t/bench/run.sh

DEBIAN_PACKAGES := build-essential pkg-config libfcgi-dev libfcgi-bin \
	libmicrohttpd-dev libgnutls28-dev libcmark-dev libxml2-dev zlib1g-dev \
	dovecot-core dovecot-imapd openssl mailutils-imap4d spawn-fcgi wrk nginx-light curl \
	python3 xz-utils perl clang libclang-rt-dev libxml2-utils

deps:
	@sh t/tools/deps.sh $(DEBIAN_PACKAGES)

# ---- install -----------------------------------------------------------
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXEC) $(DESTDIR)$(SHAREDIR)/templates $(DESTDIR)$(SHAREDIR)/conf
	install -m 755 cgi/imapeek-httpd $(DESTDIR)$(BINDIR)/imapeek-httpd
	install -m 755 cgi/imapeek.cgi $(DESTDIR)$(LIBEXEC)/imapeek.cgi
	install -m 755 cgi/imapeek-connect $(DESTDIR)$(LIBEXEC)/imapeek-connect
	install -m 644 templates/* $(DESTDIR)$(SHAREDIR)/templates/
	install -m 644 conf/* $(DESTDIR)$(SHAREDIR)/conf/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/imapeek-httpd $(DESTDIR)$(LIBEXEC)/imapeek.cgi \
	      $(DESTDIR)$(LIBEXEC)/imapeek-connect
	rm -rf $(DESTDIR)$(SHAREDIR)

clean:
	rm -rf build/rel build/asan build/fuzz build/tmp $(addprefix cgi/,$(PROGRAMS))
