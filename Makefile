# dokku-registry: `make`, `make check`, `make demo`, `make bench`, `make install`.
VERSION    := 0.1.0
PREFIX     ?= /usr/local
DESTDIR    ?=
BUILD      ?= build
CC         ?= cc
PKG_CONFIG ?= pkg-config

PKGS      := libsecret-1 jansson libcurl
CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
             -DSECRET_WITH_UNSTABLE -DSECRET_API_SUBJECT_TO_CHANGE \
             -DDR_VERSION='"$(VERSION)"' -fstack-protector-strong -D_FORTIFY_SOURCE=2
LDFLAGS   += -Wl,-z,relro,-z,now
ifeq ($(SANITIZE),1)
BUILD     := build-san
CFLAGS    += -fsanitize=address,undefined -fno-omit-frame-pointer -O1 -U_FORTIFY_SOURCE
LDFLAGS   += -fsanitize=address,undefined
endif

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

CORE_SRC  := $(wildcard core/*.c)
CORE_OBJ  := $(CORE_SRC:%.c=$(BUILD)/%.o)
CORE_LIB  := $(BUILD)/libdokkuregistry.a
HELPER    := $(BUILD)/docker-credential-dokku
CMD_SRC   := $(wildcard cmd/*.c)
CMD_OBJ   := $(CMD_SRC:%.c=$(BUILD)/%.o)
DOKKU_REG := $(BUILD)/dokku-registry
UNIT_SRC  := $(wildcard tests/unit/*.c)
UNIT_OBJ  := $(UNIT_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN  := $(BUILD)/unit-tests
PROBE     := $(BUILD)/registry-probe

.PHONY: all check check-unit check-e2e deps demo bench install uninstall clean

all: $(HELPER) $(DOKKU_REG)

$(BUILD)/core/%.o: core/%.c core/*.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(BUILD)/helpers/%.o: helpers/%.c core/*.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(BUILD)/cmd/%.o: cmd/%.c cmd/*.h core/*.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(BUILD)/tests/tools/%.o: tests/tools/%.c core/*.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/%.o: tests/unit/%.c tests/unit/*.h core/*.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) $(PKG_CFLAGS) $(CHECK_CFLAGS) -c -o $@ $<

$(CORE_LIB): $(CORE_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(HELPER): $(BUILD)/helpers/docker-credential-dokku.o $(CORE_LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(DOKKU_REG): $(CMD_OBJ) $(CORE_LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(PROBE): $(BUILD)/tests/tools/registry-probe.o $(CORE_LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(UNIT_BIN): $(UNIT_OBJ) $(CORE_LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)

# Installs missing Debian packages when root; says what to install otherwise.
deps:
	@sh packaging/deps.sh

check: deps
	$(MAKE) check-unit check-e2e

check-unit: $(UNIT_BIN)
	CK_FORK=yes $(UNIT_BIN)

check-e2e: $(HELPER) $(DOKKU_REG) $(PROBE)
	DR_BUILD_DIR=$(CURDIR)/$(BUILD) bats tests/e2e

demo: deps
	$(MAKE) all
	DR_BUILD_DIR=$(CURDIR)/$(BUILD) bash packaging/demo.sh

bench: deps
	$(MAKE) all
	DR_BUILD_DIR=$(CURDIR)/$(BUILD) bash bench/helper-bench.sh

install: $(HELPER) $(DOKKU_REG)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(HELPER) $(DESTDIR)$(PREFIX)/bin/docker-credential-dokku
	install -m 0755 $(DOKKU_REG) $(DESTDIR)$(PREFIX)/bin/dokku-registry

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/docker-credential-dokku $(DESTDIR)$(PREFIX)/bin/dokku-registry

clean:
	rm -rf build build-san
