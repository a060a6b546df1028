# dokku-registry: `make`, `make check`, `make demo`, `make bench`, `make install`, `make deb`.
VERSION    := 0.1.0
PREFIX     ?= /usr/local
DESTDIR    ?=
BUILD      ?= build
CC         ?= cc
PKG_CONFIG ?= pkg-config
SHELL      := /bin/bash

PKGS      := libsecret-1 jansson libcurl libarchive libcrypto libssl yaml-0.1 libdeflate libzstd

# As in git's Makefile: CFLAGS, CPPFLAGS and LDFLAGS are the user's (from the
# command line or the environment, as dpkg-buildflags exports them) and are
# added after the project's own flags (DR_*), which they never replace:
# `make CFLAGS=-O0` keeps -std, the warnings and the defines.
CFLAGS    ?= -O2 -g
CPPFLAGS  ?=
LDFLAGS   ?=
DR_WARN   := -Wall -Wextra -Werror -Wwrite-strings -Wshadow -Wformat=2
DR_CPPFLAGS := -D_GNU_SOURCE -DSECRET_WITH_UNSTABLE -DSECRET_API_SUBJECT_TO_CHANGE \
               -DDR_VERSION='"$(VERSION)"'
DR_CFLAGS := -std=gnu11 $(DR_WARN) -fstack-protector-strong
DR_LDFLAGS := -Wl,-z,relro,-z,now
# _FORTIFY_SOURCE needs an optimising build (glibc warns otherwise, -Werror
# fails): added when the last -O of CFLAGS optimises
DR_OPT     = $(lastword $(filter -O%,$(CFLAGS)))
DR_FORTIFY = $(if $(filter-out -O0,$(DR_OPT)),-D_FORTIFY_SOURCE=2)
ifeq ($(SANITIZE),1)
BUILD     := build-san
DR_SAN    := -fsanitize=address,undefined -fno-omit-frame-pointer -O1
DR_FORTIFY :=
DR_LDFLAGS += -fsanitize=address,undefined
endif
ALL_CFLAGS  = $(DR_CPPFLAGS) $(DR_FORTIFY) $(CPPFLAGS) $(DR_CFLAGS) $(CFLAGS) $(DR_SAN)
ALL_LDFLAGS = $(DR_LDFLAGS) $(LDFLAGS)
# every object records the headers it includes (build/…/x.d), so a header
# change rebuilds only what uses it
DEPFLAGS    = -MMD -MP

# `make fuzz`: libFuzzer targets (tests/fuzz/fuzz_*.c) built with clang in
# build-fuzz/, each run FUZZ_SECONDS on its seeds, FUZZ_JOBS at a time.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_JOBS    ?= 2
FUZZ_BUILD   := build-fuzz
FUZZ_FLAGS   := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
                -fno-sanitize-recover=undefined
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN     := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
# kubelet's matching rules (tests/unit/kube/kube_match.c): an oracle for tests only
FUZZ_OBJ      = $(CORE_SRC:%.c=$(FUZZ_BUILD)/%.o) $(FUZZ_BUILD)/tests/fuzz/util.o \
                $(FUZZ_BUILD)/tests/unit/kube/kube_match.o

# `make V=1` shows the full commands
ifeq ($(V),1)
Q :=
else
Q := @
endif

# pkg-config is asked only when compiling, so `make clean` works anywhere
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS))
CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check)
CHECK_LIBS   = $(shell $(PKG_CONFIG) --libs check)

# core/ is grouped by subsystem (core/base, core/keyring, …); only core/ is on
# the include path, so every header is named with its subsystem
# ("keyring/keyring.h") and each include line shows a dependency; which
# subsystem may include which: docs/internals/architecture.md
CORE_SRC  := $(wildcard core/*/*.c)
CORE_HDR  := $(wildcard core/*/*.h)
CORE_INC  := -Icore
CORE_OBJ  := $(CORE_SRC:%.c=$(BUILD)/%.o)
CORE_LIB  := $(BUILD)/libdokkuregistry.a
HELPER    := $(BUILD)/docker-credential-dokku
PROVIDER  := $(BUILD)/dokku-credential-provider
CMD_SRC   := $(wildcard cmd/*.c)
CMD_OBJ   := $(CMD_SRC:%.c=$(BUILD)/%.o)
DOKKU_REG := $(BUILD)/dokku-registry
UNIT_SRC  := $(wildcard tests/unit/*.c tests/unit/*/*.c)
UNIT_OBJ  := $(UNIT_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN  := $(BUILD)/unit-tests
PROBE     := $(BUILD)/registry-probe

.PHONY: all check check-unit check-unicode check-e2e check-lint check-system deps demo bench install uninstall \
        clean deb deb-locked fuzz fuzz-build check-valgrind analyze

all: $(HELPER) $(DOKKU_REG) $(PROVIDER)

$(BUILD)/core/%.o: core/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) $(CORE_INC) $(PKG_CFLAGS) -c -o $@ $<

$(BUILD)/helpers/%.o: helpers/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) $(CORE_INC) $(PKG_CFLAGS) -c -o $@ $<

$(BUILD)/cmd/%.o: cmd/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) $(CORE_INC) $(PKG_CFLAGS) -c -o $@ $<

$(BUILD)/tests/tools/%.o: tests/tools/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) $(CORE_INC) $(PKG_CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) $(CORE_INC) -Itests/unit $(PKG_CFLAGS) $(CHECK_CFLAGS) -c -o $@ $<

# the header lists the compiler wrote (-MP: a removed header is no error)
# (not build/system: the system tests' Debian root has directories named *.d)
-include $(filter-out $(BUILD)/system/%,$(wildcard $(BUILD)/*/*.d $(BUILD)/*/*/*.d $(BUILD)/*/*/*/*.d))

$(CORE_LIB): $(CORE_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(HELPER): $(BUILD)/helpers/docker-credential-dokku.o $(CORE_LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(PROVIDER): $(BUILD)/helpers/dokku-credential-provider.o $(CORE_LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(DOKKU_REG): $(CMD_OBJ) $(CORE_LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(PROBE): $(BUILD)/tests/tools/registry-probe.o $(CORE_LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(UNIT_BIN): $(UNIT_OBJ) $(CORE_LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)

# Installs missing Debian packages when root; says what to install otherwise.
deps:
	@sh packaging/deps.sh

# `make check VALGRIND=1`: the unit suite and the e2e files in VG_E2E with
# every binary under memcheck (tests/valgrind/run.sh) instead of the plain run.
# VG_E2E covers the processes that hold secrets or read from the network: the
# helper (every protocol verb), login (the registry's challenge and token
# answers), the native pusher, the kubelet credential provider. What only
# reads local files (properties, backups) runs under ASan/UBSan and the fuzz
# targets instead.
VG_E2E ?= tests/e2e/dokku-login.bats tests/e2e/helper-protocol.bats \
          tests/e2e/credential-provider.bats tests/e2e/push-native.bats
# Of those files, the tests VG_SELECTION names (each path through those
# processes once; memcheck costs a CPU second or two per process);
# `VG_SELECTION=` runs every test of them.
VG_SELECTION ?= tests/valgrind/selection
# `make check` builds on every core and runs the unit suite beside the e2e
# files: a plain `make check` runs CHECK_JOBS jobs (the CPUs); a -j of the caller's
# (its jobserver, in MAKEFLAGS) is kept as it is.
CHECK_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
CHECK_MAKE = case " $$MAKEFLAGS " in *" -j"*) j= ;; *) j=-j$(CHECK_JOBS) ;; esac; $(MAKE) $$j
ifeq ($(VALGRIND),1)
check: deps
	$(MAKE) check-lint check-valgrind
else
check: deps
	+@$(CHECK_MAKE) check-lint check-unit check-e2e
endif

# the system tests: the .deb in a Debian 12 container under a real systemd
# (tests/system/README.md); one "skipped" line where that cannot run
check-system: deps
	tests/system/run.sh

# Debian's Python for the test tools (packaging/deps.sh), not a version
# manager's shim that PATH may find first
PYTHON ?= $(firstword $(wildcard /usr/bin/python3) python3)

# a negated bats statement that errexit ignores (tests/tools/lint-bats.sh);
# an include the layer table of docs/internals/architecture.md does not
# allow (tests/tools/check-layers.py)
check-lint:
	bash tests/tools/lint-bats.sh
	$(PYTHON) tests/tools/check-layers.py

# VG_UNIT=0 leaves the unit suite out (CI runs it under the sanitizers); the
# e2e files run VG_JOBS at a time (memcheck keeps a core busy)
VG_UNIT ?= 1
VG_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
VG_BATS_JOBS = $(if $(filter-out 1,$(VG_JOBS)),$(if $(shell command -v parallel 2>/dev/null),--jobs $(VG_JOBS) --no-parallelize-within-files))
check-valgrind: $(if $(filter 0,$(VG_UNIT)),,$(UNIT_BIN)) $(HELPER) $(DOKKU_REG) $(PROBE)
ifneq ($(VG_UNIT),0)
	@# every test in its own forked process, as in the plain run; memcheck follows
	@# the forks, and any report of it (error or definite leak) fails the run;
	@# a fresh TMPDIR for valgrind's own files (see tests/valgrind/run.sh)
	rm -rf $(BUILD)/vg-tmp && mkdir -p $(BUILD)/vg-tmp
	set -o pipefail; TMPDIR=$(CURDIR)/$(BUILD)/vg-tmp CK_FORK=yes valgrind -q --leak-check=full --show-leak-kinds=definite \
		--errors-for-leak-kinds=definite --error-exitcode=99 $(UNIT_BIN) 2>&1 | tee $(BUILD)/unit-valgrind.log
	@! grep -q '^==[0-9]*== ' $(BUILD)/unit-valgrind.log || \
		{ echo "valgrind: memcheck reports in $(BUILD)/unit-valgrind.log" >&2; exit 1; }
endif
	BATS_JOBS="$(VG_BATS_JOBS)" VG_SELECTION="$(VG_SELECTION)" bash tests/valgrind/run.sh $(BUILD) $(VG_E2E)

# Each test runs in a forked process. `make -j check` runs the unit suite
# beside the e2e files: Check's 4 s per test is stretched
# (CK_TIMEOUT_MULTIPLIER) so a loaded machine does not turn a slow test into
# a failure; a test that hangs still fails.
CK_TIMEOUT_MULTIPLIER ?= 5
export CK_TIMEOUT_MULTIPLIER
# Under SANITIZE=1 the suite runs in one process (CK_FORK=no) instead:
# LeakSanitizer checks a process when it exits, about 0.1 s of CPU each time,
# and with a fork per test that made the sanitized run 8x the plain one. One
# leak check at the end covers every test; a UBSan report (halt_on_error)
# stops the run; timeout(1) stands in for Check's per-test timeout, which
# needs the fork.
ifeq ($(SANITIZE),1)
UNIT_RUN = CK_FORK=no timeout 900
else
UNIT_RUN = CK_FORK=yes
endif
check-unit: $(UNIT_BIN) check-unicode
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 $(UNIT_RUN) $(UNIT_BIN)

# The template engine's Unicode tables are checked in; they must be what the
# generator makes of the Unicode data installed (Debian's unicode-data).
check-unicode:
	@$(PYTHON) tests/tools/gen_unicode_tables.py | diff -u core/template/gotmpl_unicode.c - >&2 || \
		{ echo "core/template/gotmpl_unicode.c differs from tests/tools/gen_unicode_tables.py's output: regenerate it" >&2; exit 1; }
	@echo "check-unicode: core/template/gotmpl_unicode.c matches the Unicode data"

# The bats files run side by side, E2E_JOBS at a time (GNU parallel; serially
# without it), each file's tests in order. Every test starts its own daemons
# on free ports in private directories, so files never share state.
# The longest files start first, so the last ones to start are short.
# Each test's result line ends with its time (bats --timing, "in N ms").
E2E_JOBS  ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) * 2 )))
BATS_JOBS  = $(if $(filter-out 1,$(E2E_JOBS)),$(if $(shell command -v parallel 2>/dev/null),--jobs $(E2E_JOBS) --no-parallelize-within-files))
E2E_FIRST := $(wildcard $(addprefix tests/e2e/,fault-kill.bats packaging.bats dokku-login.bats dokku-set-report.bats \
               release-dockerd.bats release-docker.bats push-daemon.bats push-compress.bats push-native.bats \
               k8s-sync.bats credential-provider.bats setup.bats))
E2E_FILES := $(E2E_FIRST) $(filter-out $(E2E_FIRST),$(sort $(wildcard tests/e2e/*.bats)))

# Under SANITIZE=1 the e2e processes run with ASan and UBSan but without the
# leak check at exit (LSan): the thousands of short processes of the e2e
# files paid for it with half the run's CPU time. Leaks stay checked where
# they matter: LSan over the whole unit suite, and memcheck (`make
# check-valgrind`) over the e2e processes that hold secrets or read from the
# network.
E2E_ENV = $(if $(filter 1,$(SANITIZE)),ASAN_OPTIONS=detect_leaks=0)
check-e2e: $(HELPER) $(DOKKU_REG) $(PROVIDER) $(PROBE)
	@set -o pipefail; $(E2E_ENV) DR_BUILD_DIR=$(CURDIR)/$(BUILD) bats --timing $(BATS_JOBS) $(E2E_FILES) | tee $(BUILD)/e2e.tap; rc=$$?; \
	awk '/^ok .* # skip/ {s++; next} /^ok / {p++} /^not ok / {f++} \
	     END {printf "e2e: %d passed, %d failed, %d skipped\n", p, f, s}' $(BUILD)/e2e.tap; \
	exit $$rc

demo: deps
	$(MAKE) all
	DR_BUILD_DIR=$(CURDIR)/$(BUILD) bash packaging/demo.sh

bench: deps
	$(MAKE) all
	DR_BUILD_DIR=$(CURDIR)/$(BUILD) bash bench/helper-bench.sh
	DR_BUILD_DIR=$(CURDIR)/$(BUILD) bash bench/push-bench.sh
	DR_BUILD_DIR=$(CURDIR)/$(BUILD) bash bench/push-link-bench.sh
	DR_BUILD_DIR=$(CURDIR)/$(BUILD) bash bench/push-daemon-bench.sh
	DR_BUILD_DIR=$(CURDIR)/$(BUILD) bash bench/report-bench.sh

# clang compiles core for the fuzzers (coverage hooks, no libFuzzer main)
$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(DR_CPPFLAGS) $(CPPFLAGS) -std=gnu11 $(DR_WARN) $(FUZZ_FLAGS) $(DEPFLAGS) \
		-fsanitize=fuzzer-no-link $(CORE_INC) $(PKG_CFLAGS) -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_OBJ)
	@echo "  FUZZLD  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS)

-include $(wildcard $(FUZZ_BUILD)/*/*.d $(FUZZ_BUILD)/*/*/*.d)

# keep the objects (pattern-rule intermediates) between runs
.SECONDARY: $(FUZZ_OBJ) $(FUZZ_SRC:%.c=$(FUZZ_BUILD)/%.o)

fuzz-build: $(FUZZ_BIN)

fuzz: deps
	$(MAKE) fuzz-build
	bash tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_BIN)

# `make analyze`: clang's static analyzer (scan-build) over the library and
# the programs, while it rebuilds them all in $(BUILD) with the usual
# compiler; any report fails it (HTML in $(BUILD)/analyze/). A false positive
# is annotated where it is, with the reason, never filtered here.
analyze: deps
	rm -rf $(BUILD)/analyze
	scan-build --status-bugs -o $(BUILD)/analyze $(MAKE) -B all
	@# a file the analyzer could not parse was not analyzed: that fails too
	@! ls -d $(BUILD)/analyze/*/failures >/dev/null 2>&1 || \
		{ echo "make analyze: clang could not analyze some files: see $(BUILD)/analyze/*/failures" >&2; exit 1; }

# Where `make install` puts the rest (packaging/README.md); `make deb` passes
# the Debian unit directories.
MANDIR               ?= $(PREFIX)/share/man
BASHCOMPDIR          ?= $(PREFIX)/share/bash-completion/completions
PKGLIBDIR            ?= $(PREFIX)/lib/dokku-registry
PKGDATADIR           ?= $(PREFIX)/share/dokku-registry
SYSTEMDSYSTEMUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSTEMDUSERUNITDIR   ?= $(PREFIX)/lib/systemd/user
# `setup` links the plugin shim from where `make install` puts it
DR_CPPFLAGS += -DDR_PKGDATADIR='"$(PKGDATADIR)"'
PLUGIN_FILES := $(filter-out packaging/dokku-plugin/subcommands,$(wildcard packaging/dokku-plugin/*))
PLUGIN_SUBCMDS := $(wildcard packaging/dokku-plugin/subcommands/*)

install: $(HELPER) $(DOKKU_REG) $(PROVIDER)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(HELPER) $(DESTDIR)$(PREFIX)/bin/docker-credential-dokku
	install -m 0755 $(DOKKU_REG) $(DESTDIR)$(PREFIX)/bin/dokku-registry
	install -m 0755 $(PROVIDER) $(DESTDIR)$(PREFIX)/bin/dokku-credential-provider
	install -d $(DESTDIR)$(MANDIR)/man1
	install -m 0644 packaging/man/docker-credential-dokku.1 packaging/man/dokku-registry.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 packaging/man/dokku-credential-provider.1 $(DESTDIR)$(MANDIR)/man1/
	install -d $(DESTDIR)$(PKGDATADIR)/examples
	install -m 0644 packaging/k3s/credential-provider-config.yaml $(DESTDIR)$(PKGDATADIR)/examples/
	install -d $(DESTDIR)$(BASHCOMPDIR)
	install -m 0644 packaging/completion/dokku-registry $(DESTDIR)$(BASHCOMPDIR)/dokku-registry
	install -d $(DESTDIR)$(PKGLIBDIR)
	install -m 0755 packaging/keyring-session $(DESTDIR)$(PKGLIBDIR)/keyring-session
	install -d $(DESTDIR)$(SYSTEMDSYSTEMUNITDIR) $(DESTDIR)$(SYSTEMDUSERUNITDIR)
	sed 's|/usr/lib/dokku-registry/|$(PKGLIBDIR)/|g' packaging/systemd/dokku-keyring.service \
		>$(DESTDIR)$(SYSTEMDSYSTEMUNITDIR)/dokku-keyring.service
	sed 's|/usr/lib/dokku-registry/|$(PKGLIBDIR)/|g' packaging/systemd/user/dokku-keyring.service \
		>$(DESTDIR)$(SYSTEMDUSERUNITDIR)/dokku-keyring.service
	chmod 0644 $(DESTDIR)$(SYSTEMDSYSTEMUNITDIR)/dokku-keyring.service $(DESTDIR)$(SYSTEMDUSERUNITDIR)/dokku-keyring.service
	sed 's|/usr/bin/dokku-registry |$(PREFIX)/bin/dokku-registry |' packaging/systemd/dokku-registry-k8s-sync.service \
		>$(DESTDIR)$(SYSTEMDSYSTEMUNITDIR)/dokku-registry-k8s-sync.service
	install -m 0644 packaging/systemd/dokku-registry-k8s-sync.timer $(DESTDIR)$(SYSTEMDSYSTEMUNITDIR)/
	chmod 0644 $(DESTDIR)$(SYSTEMDSYSTEMUNITDIR)/dokku-registry-k8s-sync.service
	install -d $(DESTDIR)$(PKGDATADIR)/dokku-plugin/subcommands
	install -m 0644 packaging/dokku-plugin/plugin.toml $(DESTDIR)$(PKGDATADIR)/dokku-plugin/
	install -m 0755 $(filter-out %/plugin.toml,$(PLUGIN_FILES)) $(DESTDIR)$(PKGDATADIR)/dokku-plugin/
	install -m 0755 $(PLUGIN_SUBCMDS) $(DESTDIR)$(PKGDATADIR)/dokku-plugin/subcommands/
	install -d $(DESTDIR)$(PKGDATADIR)/dokku-plugin-guard
	install -m 0644 packaging/dokku-plugin-guard/plugin.toml $(DESTDIR)$(PKGDATADIR)/dokku-plugin-guard/
	install -m 0755 packaging/dokku-plugin-guard/install $(DESTDIR)$(PKGDATADIR)/dokku-plugin-guard/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/docker-credential-dokku $(DESTDIR)$(PREFIX)/bin/dokku-registry
	rm -f $(DESTDIR)$(PREFIX)/bin/dokku-credential-provider $(DESTDIR)$(MANDIR)/man1/dokku-credential-provider.1
	rm -f $(DESTDIR)$(PKGDATADIR)/examples/credential-provider-config.yaml
	-rmdir $(DESTDIR)$(PKGDATADIR)/examples 2>/dev/null
	rm -f $(DESTDIR)$(MANDIR)/man1/docker-credential-dokku.1 $(DESTDIR)$(MANDIR)/man1/dokku-registry.1
	rm -f $(DESTDIR)$(BASHCOMPDIR)/dokku-registry $(DESTDIR)$(PKGLIBDIR)/keyring-session
	rm -f $(DESTDIR)$(SYSTEMDSYSTEMUNITDIR)/dokku-keyring.service $(DESTDIR)$(SYSTEMDUSERUNITDIR)/dokku-keyring.service
	rm -f $(DESTDIR)$(SYSTEMDSYSTEMUNITDIR)/dokku-registry-k8s-sync.service $(DESTDIR)$(SYSTEMDSYSTEMUNITDIR)/dokku-registry-k8s-sync.timer
	rm -rf $(DESTDIR)$(PKGDATADIR)/dokku-plugin $(DESTDIR)$(PKGDATADIR)/dokku-plugin-guard
	-rmdir $(DESTDIR)$(PKGLIBDIR) $(DESTDIR)$(PKGDATADIR) 2>/dev/null

# `make deb`: build/dokku-registry_$(VERSION)_<arch>.deb with debhelper, from a
# copy of the tree's files (tracked and untracked, not ignored) in
# build/deb/src with packaging/debian as debian/; then lintian (DEB_LINTIAN=0
# skips it). The repository itself never gets a debian/ directory.
DEB_ARCH = $(shell dpkg --print-architecture)
DEB_FILE = build/dokku-registry_$(VERSION)_$(DEB_ARCH).deb
DEB_LINTIAN ?= 1

# One build at a time (flock): the system suite builds the .deb beside
# make check's packaging tests in CI, both in build/deb/.
deb:
	@mkdir -p build
	@flock build/deb.lock $(MAKE) --no-print-directory deb-locked

deb-locked:
	@command -v dpkg-buildpackage >/dev/null 2>&1 && command -v dh >/dev/null 2>&1 || \
		{ echo "make deb: dpkg-buildpackage or debhelper missing: run 'make deps' as root" >&2; exit 1; }
	@v=$$(sed -n '1s/^dokku-registry (\([^)]*\)).*/\1/p' packaging/debian/changelog); \
		[ "$$v" = "$(VERSION)" ] || \
		{ echo "make deb: packaging/debian/changelog is at $$v, the Makefile at $(VERSION): add a changelog entry" >&2; exit 1; }
	rm -rf build/deb
	mkdir -p build/deb/src
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -z --cached --others --exclude-standard | \
		tar --null --ignore-failed-read -T - -cf - | tar -C build/deb/src -xf -; \
	else \
		tar --exclude=./build --exclude=./build-san --exclude=./.git -cf - . | tar -C build/deb/src -xf -; \
	fi
	rm -rf build/deb/src/debian build/deb/src/build build/deb/src/build-san
	cp -R packaging/debian build/deb/src/debian
	cd build/deb/src && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u DESTDIR -u PREFIX -u BUILD \
		dpkg-buildpackage -us -uc -b
	mv build/deb/dokku-registry_$(VERSION)_$(DEB_ARCH).deb $(DEB_FILE)
	@if [ "$(DEB_LINTIAN)" = 0 ]; then \
		echo "make deb: lintian skipped (DEB_LINTIAN=0)"; \
	elif command -v lintian >/dev/null 2>&1; then \
		echo "lintian --fail-on error,warning $(DEB_FILE)"; \
		lintian --fail-on error,warning $(DEB_FILE); \
	else \
		echo "make deb: lintian not installed, not checked (make deps installs it)" >&2; \
	fi
	@echo "built $(DEB_FILE)"

clean:
	rm -rf build build-san build-fuzz build-vg
