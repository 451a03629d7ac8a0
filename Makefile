# batchstatus: build, run and test. `make run` and `make test` install what is missing first.
VERSION   := 0.1.0
BUILD     ?= build
PORT      ?= 8080

CC        ?= gcc
CXX       ?= g++
# The libraries (pkg-config names), each with the Debian package that brings it.
PKGS      := fcgi libcurl json-c libctemplate hiredis libcrypto sqlite3
DEB_OF_fcgi         := libfcgi-dev
DEB_OF_libcurl      := libcurl4-openssl-dev
DEB_OF_json-c       := libjson-c-dev
DEB_OF_libctemplate := libctemplate-dev
DEB_OF_hiredis      := libhiredis-dev
DEB_OF_libcrypto    := libssl-dev
DEB_OF_sqlite3      := libsqlite3-dev

# pkg-config is asked once per make, here, not on every compile. What it cannot find stops
# the build in pkg-check (an order-only prerequisite of every compile) with the Debian
# package to install. `make run`, `make test` and their like compile only in a sub-make
# started after `deps`, which asks again: the check sees what deps installed.
HAVE_PKG_CONFIG := $(shell command -v pkg-config 2>/dev/null)
PKGS_MISSING := $(if $(HAVE_PKG_CONFIG),$(shell for p in $(PKGS); do \
                    pkg-config --exists $$p 2>/dev/null || echo $$p; done),$(PKGS))
ifeq ($(PKGS_MISSING),)
PKG_CFLAGS       := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS         := $(shell pkg-config --libs $(PKGS))
CTEMPLATE_CFLAGS := $(shell pkg-config --cflags libctemplate)
CTEMPLATE_LIBS   := $(shell pkg-config --libs libctemplate)
# What the fuzzers link (no FastCGI; ctemplate only for fuzz_batch).
FUZZ_PKG_LIBS    := $(shell pkg-config --libs libcurl json-c hiredis libcrypto sqlite3)
endif

WARN      := -Wall -Wextra -Werror
SAN       ?=
CFLAGS    ?= -O2 -g
CXXFLAGS  ?= -O2 -g
ALL_CFLAGS   = -std=c11 -D_GNU_SOURCE $(WARN) $(SAN) $(CFLAGS) \
               -DBATCHSTATUS_VERSION='"$(VERSION)"' $(PKG_CFLAGS)
ALL_CXXFLAGS = -std=c++17 $(WARN) $(SAN) $(CXXFLAGS) $(CTEMPLATE_CFLAGS)
LDLIBS    = $(PKG_LIBS) -pthread

# Debian packages: to build, to run the stack, and to test it.
DEB_PKGS  := gcc g++ make pkg-config $(foreach p,$(PKGS),$(DEB_OF_$(p))) \
             nginx python3 openssl ca-certificates \
             groff-base man-db systemd \
             chromium nodejs fonts-wqy-microhei $(if $(shell command -v npm),,npm) \
             clang libclang-rt-14-dev \
             $(if $(filter test test-asan test-tsan test-valgrind bench soak,$(MAKECMDGOALS))$(filter-out 1,$(NODES)),redis-server)
# (the browser tests: Debian's Chromium, Node.js for playwright-core, a CJK font for the
# zh-TW/ja-JP pages; Debian's npm only where no npm came with another nodejs; clang and
# libclang-rt-14-dev (libFuzzer, ASan and UBSan runtimes) for the fuzzers, tests/fuzz/;
# redis-server only for the tests, the benchmark and `NODES=3 make run`: a plain `make run`
# needs no Redis, and Debian's package starts a system Redis when installed)

LIB_SRCS  := buf wipe arena lines log json_strict guid i18n allow gate config errors query links route batch directory pack errcodes view export etag page_form page_batch page_customers page_customer page_device_batch page_recent page_follow page_following page_feed page_error page_ops pc_http upstream secret signin token cache metrics cpu fetch handler fcgi core reload seal recent shared notify store follow
OBJS      := $(LIB_SRCS:%=$(BUILD)/obj/%.o) $(BUILD)/obj/render.o
UNIT      := buf wipe arena lines json_strict log guid errors query links route etag config allow gate batch directory pack seal recent errcodes view export page_form page_batch page_error page_ops fcgi render pc_http cpu token upstream cache metrics fetch core reload shared handler signin secret i18n notify store follow
UNIT_BINS := $(UNIT:%=$(BUILD)/tests/test_%)

.PHONY: all deps browser-deps run test test-asan bench clean install uninstall soak test-valgrind test-tsan pkg-check
all: $(BUILD)/batchstatus $(UNIT_BINS)

# Stops a build that pkg-config cannot serve, naming what to install; a no-op otherwise.
pkg-check:
ifeq ($(HAVE_PKG_CONFIG),)
	@echo "cannot build: pkg-config is not installed (Debian package pkg-config)." >&2
	@echo "Run \`make deps\`, or: sudo apt-get install pkg-config $(foreach p,$(PKGS),$(DEB_OF_$(p)))" >&2
	@exit 1
else ifneq ($(PKGS_MISSING),)
	@echo "cannot build: pkg-config does not find these libraries:" >&2
	@$(foreach p,$(PKGS_MISSING),echo "  $(p): Debian package $(DEB_OF_$(p))" >&2;) :
	@echo "Run \`make deps\`, or: sudo apt-get install $(foreach p,$(PKGS_MISSING),$(DEB_OF_$(p)))" >&2
	@exit 1
else
	@:
endif

# Installs only what is missing; sudo when not root. A no-op on a ready machine.
deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BUILD)/obj/%.o: src/%.c src/*.h | $(BUILD)/obj pkg-check
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/obj/render.o: src/render.cc src/render.h src/buf.h | $(BUILD)/obj pkg-check
	$(CXX) $(ALL_CXXFLAGS) -c $< -o $@

$(BUILD)/batchstatus: $(OBJS) $(BUILD)/obj/main.o
	$(CXX) $(SAN) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c tests/unit/t.h tests/unit/tserver.h tests/unit/tfetch.h tests/unit/tpages.h $(OBJS) | $(BUILD)/tests pkg-check
	$(CC) $(ALL_CFLAGS) -Isrc -c $< -o $@.o
	$(CXX) $(SAN) -o $@ $@.o $(OBJS) $(LDLIBS)

$(BUILD)/obj $(BUILD)/tests:
	mkdir -p $@

# The browser suite's npm packages (tests/browser/package-lock.json), installed again only
# when the lock file changes: offline once installed.
BROWSER_MODULES := tests/browser/node_modules/.package-lock.json
browser-deps: deps $(BROWSER_MODULES)
$(BROWSER_MODULES): tests/browser/package-lock.json tests/browser/package.json | deps
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

run: deps
	@$(MAKE) --no-print-directory all
	PORT=$(PORT) DEMO_NOTIFY=$${DEMO_NOTIFY:-1} scripts/run.sh

# Every test: unit tests, then black-box tests through nginx + the server + the fake Partner Center.
test: deps browser-deps fuzz-build
	@$(MAKE) --no-print-directory all
	@tests/run_all.sh $(BUILD)

# The same suite with AddressSanitizer + UndefinedBehaviorSanitizer (leaks included).
test-asan: deps browser-deps
	@$(MAKE) --no-print-directory all BUILD=build/asan \
	    SAN='-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all' CFLAGS='-O1 -g' CXXFLAGS='-O1 -g'
	@tests/run_all.sh build/asan

# Issue 3's benchmark: prints a table and writes bench/results.md (about 3 minutes).
bench: deps
	@$(MAKE) --no-print-directory all
	bench/run.sh $(BUILD)

clean:
	rm -rf build

# `make install [PREFIX=/usr/local] [DESTDIR=/staging]`: the server, its templates and
# stylesheet, the man page, the systemd units, the nginx snippets and an example
# configuration (see README.md, "Run it for real", and batchstatus(8)). Works as
# non-root into a DESTDIR. The paths below are written into the installed units,
# config example, nginx snippet and man page; `make uninstall` with the same
# variables removes what install put there. Nothing is installed into /etc.
PREFIX    ?= /usr/local
DESTDIR   ?=
# A daemon run by the system, never by users: sbin, and man section 8.
SBINDIR   ?= $(PREFIX)/sbin
DATADIR   ?= $(PREFIX)/share/batchstatus
DOCDIR    ?= $(PREFIX)/share/doc/batchstatus
MANDIR    ?= $(PREFIX)/share/man
# Where systemd looks: /lib/systemd/system for PREFIX=/usr, else $(PREFIX)/lib/systemd/system
# (/usr/local/lib/systemd/system is on systemd's unit search path).
UNITDIR   ?= $(if $(filter /usr,$(patsubst %/,%,$(PREFIX))),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
INSTALL   ?= install
INST_SUBST = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@DATADIR@|$(DATADIR)|g' \
               -e 's|@STATIC_DIR@|$(DATADIR)/static|g' -e 's|@DOCDIR@|$(DOCDIR)|g' \
               -e 's|@UNITDIR@|$(UNITDIR)|g' -e 's|@VERSION@|$(VERSION)|g'
# source -> installed path, for the files whose paths are substituted
INST_TEXT  = systemd/batchstatus.socket:$(UNITDIR)/batchstatus.socket \
             systemd/batchstatus.service:$(UNITDIR)/batchstatus.service \
             man/batchstatus.8:$(MANDIR)/man8/batchstatus.8 \
             etc/batchstatus.conf.example:$(DOCDIR)/batchstatus.conf.example \
             nginx/batchstatus-site.conf.example:$(DATADIR)/nginx/batchstatus-site.conf \
             nginx/batchstatus-http.conf.example:$(DATADIR)/nginx/batchstatus-http.conf

install: $(BUILD)/batchstatus
	$(INSTALL) -d -m 0755 $(DESTDIR)$(SBINDIR) $(DESTDIR)$(DATADIR)/templates/i18n \
	    $(DESTDIR)$(DATADIR)/static $(DESTDIR)$(DATADIR)/nginx $(DESTDIR)$(DOCDIR) \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR)
	$(INSTALL) -m 0755 $(BUILD)/batchstatus $(DESTDIR)$(SBINDIR)/batchstatus
	$(INSTALL) -m 0644 templates/*.tpl $(DESTDIR)$(DATADIR)/templates/
	$(INSTALL) -m 0644 templates/i18n/*.catalog $(DESTDIR)$(DATADIR)/templates/i18n/
	$(INSTALL) -m 0644 static/* $(DESTDIR)$(DATADIR)/static/
	@set -e; for pair in $(INST_TEXT); do \
	    src=$${pair%%:*}; dst=$(DESTDIR)$${pair#*:}; \
	    echo "  $$src -> $$dst"; \
	    $(INST_SUBST) "$$src" > "$$dst.tmp"; chmod 0644 "$$dst.tmp"; mv -f "$$dst.tmp" "$$dst"; \
	done
	@echo "installed under $(DESTDIR)$(PREFIX); next: README.md, \"Run it for real\" (systemctl daemon-reload first)"

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/batchstatus $(DESTDIR)$(DATADIR)/templates/*.tpl \
	    $(DESTDIR)$(DATADIR)/templates/i18n/*.catalog \
	    $(DESTDIR)$(DATADIR)/static/* $(foreach p,$(INST_TEXT),$(DESTDIR)$(lastword $(subst :, ,$(p))))
	rmdir $(DESTDIR)$(DATADIR)/templates/i18n $(DESTDIR)$(DATADIR)/templates $(DESTDIR)$(DATADIR)/static \
	    $(DESTDIR)$(DATADIR)/nginx $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR) 2>/dev/null || true

# ---------------------------------------------------------------- fuzzing (issue 6)
# libFuzzer harnesses, one per parser of outside input (tests/fuzz/fuzz_*.c), built with
# Debian's clang and its libFuzzer + ASan/UBSan runtimes (libclang-rt-14-dev) into
# $(BUILD)/fuzz/. The project's sources are compiled again with clang into
# $(BUILD)/fuzz/obj/ and kept in an archive, so each harness links only the objects it
# reaches (ctemplate and clang++ only for fuzz_batch, which renders the page).
# `make fuzz [FUZZ_SECONDS=60]` runs each harness from a copy of its seed corpus
# (tests/fuzz/corpus/<harness>/) and prints executions and coverage per harness;
# crashes land in $(BUILD)/fuzz/crashes/<harness>/ and fail the run. `make test` runs
# each for a few seconds (tests/run_all.sh).
FUZZ_SECONDS   ?= 60
FUZZ_CC        := clang
FUZZ_CXX       := clang++
FUZZ_DIR       := $(BUILD)/fuzz
FUZZ_HARNESSES := guid route accept_language config batch pack signin retry_after directory recent notify
FUZZ_BINS      := $(FUZZ_HARNESSES:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_SAN       := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS     = -std=c11 -D_GNU_SOURCE $(WARN) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
                  -DBATCHSTATUS_VERSION='"$(VERSION)"' $(PKG_CFLAGS)
FUZZ_CXXFLAGS   = -std=c++17 $(WARN) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
                  $(CTEMPLATE_CFLAGS)
FUZZ_LIB       := $(FUZZ_DIR)/libbatchstatus.a
FUZZ_LDLIBS     = $(FUZZ_PKG_LIBS) -pthread

.PHONY: fuzz fuzz-build fuzz-bins
fuzz: fuzz-build
	@tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

# What `make test` needs of the fuzzers: Debian's clang first, then the harnesses.
fuzz-build: deps
	@$(MAKE) --no-print-directory fuzz-bins
fuzz-bins: $(FUZZ_BINS)
	@:

$(FUZZ_DIR)/obj/%.o: src/%.c src/*.h | $(FUZZ_DIR)/obj pkg-check
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_DIR)/obj/render.o: src/render.cc src/render.h src/buf.h | $(FUZZ_DIR)/obj pkg-check
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -c $< -o $@

$(FUZZ_LIB): $(LIB_SRCS:%=$(FUZZ_DIR)/obj/%.o) $(FUZZ_DIR)/obj/render.o
	rm -f $@
	ar rcs $@ $^

$(FUZZ_DIR)/obj/fuzz_%.o: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h src/*.h | $(FUZZ_DIR)/obj pkg-check
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Isrc -c $< -o $@

# Harnesses that reach the route table reach its pages, so the template shim: linked as C++.
FUZZ_CXX_BINS  := $(FUZZ_DIR)/fuzz_batch $(FUZZ_DIR)/fuzz_route $(FUZZ_DIR)/fuzz_guid
$(FUZZ_CXX_BINS): $(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/fuzz_%.o $(FUZZ_LIB)
	$(FUZZ_CXX) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LDLIBS) $(CTEMPLATE_LIBS)

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/fuzz_%.o $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LDLIBS)

$(FUZZ_DIR)/obj:
	mkdir -p $@

.PRECIOUS: $(FUZZ_DIR)/obj/fuzz_%.o

# ---------------------------------------------------------------- soak (issue 6)
# `make soak [SOAK_REQUESTS=50000] [SOAK_CONNECTIONS=128]`: one stack through scripts/run.sh
# (RUN_DIR $(BUILD)/soak/run/, fake Partner Center at 20 ms, upstream deadline 3 s), that
# many requests through nginx, a mix of good batches and about 5 % injected upstream faults;
# prints a table and writes bench/soak-results.md. Fails on a crash or restart, a sanitizer
# line in the server's log, any unexpected status, or growing fds/RSS (see bench/soak.py).
# iproute2 (ss) counts the upstream connections.
soak: deps
	@if ! dpkg-query -W -f='$${Status}' iproute2 2>/dev/null | grep -q 'install ok installed'; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends iproute2; \
	fi
	@$(MAKE) --no-print-directory all
	python3 bench/soak.py --build $(BUILD)

# `make test-valgrind`: the black-box suites (test_blackbox, test_tokens) with the server
# under valgrind memcheck; passes when no server process had a memory error or a
# definitely lost block (tests/valgrind.sh). Slow (about 5 minutes), so not in `make test`.
test-valgrind: deps
	@if ! command -v valgrind >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends valgrind; \
	fi
	@$(MAKE) --no-print-directory all
	@tests/valgrind.sh $(BUILD)

# `make test-tsan`: the server built with ThreadSanitizer (build/tsan/) under the black-box
# suites that run requests concurrently (coalescing, the pool, one token renewal for many
# requests); fails on a test failure or any ThreadSanitizer report (tests/tsan.sh).
test-tsan: deps
	@$(MAKE) --no-print-directory all BUILD=build/tsan \
	    SAN='-fsanitize=thread -fno-omit-frame-pointer' CFLAGS='-O1 -g' CXXFLAGS='-O1 -g'
	@tests/tsan.sh build/tsan
