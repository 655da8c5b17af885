# Yizhan - plain GNU make. `make run` and `make test` install missing Debian
# packages first (make deps), so a fresh Debian 12 machine needs no other step.

PKGS    = libmicrohttpd jansson libpcre2-8 sqlite3 libcurl expat libcrypto
DEBS    = build-essential pkg-config libmicrohttpd-dev libjansson-dev libpcre2-dev \
          libsqlite3-dev libcurl4-openssl-dev libexpat1-dev libssl-dev tzdata curl
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HAVE_PKGS := $(shell pkg-config --exists $(PKGS) 2>/dev/null && echo yes)

CFLAGS ?= -O2 -g
override CFLAGS += -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wformat=2 \
          -Wstrict-prototypes -Wmissing-prototypes -Ibot -MMD -MP $(SAN)
ifeq ($(HAVE_PKGS),yes)
override CFLAGS += $(shell pkg-config --cflags $(PKGS))
override LDLIBS += $(shell pkg-config --libs $(PKGS))
endif
override LDLIBS += $(SAN) -pthread -lm

OBJS  = $(patsubst %.c,%.o,$(filter-out bot/main.c,$(wildcard bot/*.c)))
UNIT  = $(filter-out bot/clock.o,$(OBJS)) $(patsubst %.c,%.o,$(wildcard tests/*.c))
CONF ?= bot.conf

all: check-deps
	@$(MAKE) --no-print-directory yizhan

yizhan: bot/main.o $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

tests/run: $(UNIT)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

tests/it/itest: $(patsubst %.c,%.o,$(filter-out tests/it/fakeapi.c,$(wildcard tests/it/*.c))) bot/buf.o bot/util.o bot/content.o bot/crypto.o bot/log.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

tests/it/fakeapi: tests/it/fakeapi.o bot/buf.o bot/util.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

tests/it/%.o: tests/it/%.c
	$(CC) $(CFLAGS) -Itests -c -o $@ $<
tests/%.o: tests/%.c
	$(CC) $(CFLAGS) -Itests -c -o $@ $<

# Installs the Debian packages the build needs; runs apt-get update first when
# a package is not known yet (a fresh machine has empty lists).
deps:
	@if ! pkg-config --exists $(PKGS) 2>/dev/null || ! command -v cc >/dev/null; then \
	  echo "make deps: installing $(DEBS)"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(DEBS) || \
	  { $(SUDO) apt-get update -q && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(DEBS); }; \
	fi

check-deps:
	@pkg-config --exists $(PKGS) 2>/dev/null || $(MAKE) --no-print-directory deps

run: check-deps
	@$(MAKE) --no-print-directory yizhan
	@mkdir -p var
	@[ -f bot.conf ] || { cp bot.conf.example bot.conf; echo "make run: created bot.conf from bot.conf.example"; }
	./yizhan serve -c $(CONF)

test: check-deps
	@$(MAKE) --no-print-directory yizhan tests/run tests/it/itest tests/it/fakeapi
	tests/run
	tests/it/test_fakeapi.sh
	tests/it/itest

# End to end against a real SMS gateway (installs kannel, kannel-extras).
test-kannel: check-deps
	@$(MAKE) --no-print-directory yizhan
	tests/kannel/run.sh

asan: check-deps
	$(MAKE) --no-print-directory clean
	$(MAKE) --no-print-directory test CFLAGS="-O1 -g" SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
	$(MAKE) --no-print-directory clean

format:
	clang-format -i bot/*.[ch] tests/*.[ch] tests/it/*.c

clean:
	rm -f yizhan tests/run bot/*.[od] tests/*.[od] tests/it/*.[od]

.PHONY: all deps check-deps run test test-kannel asan format clean
-include $(wildcard bot/*.d tests/*.d tests/it/*.d)
