# batchstatus: build, run and test. `make run` and `make test` install what is missing first.
VERSION   := 0.1.0
BUILD     ?= build
PORT      ?= 8080

CC        ?= gcc
CXX       ?= g++
PKGS      := fcgi libcurl json-c libctemplate
WARN      := -Wall -Wextra -Werror
SAN       ?=
CFLAGS    ?= -O2 -g
CXXFLAGS  ?= -O2 -g
ALL_CFLAGS   = -std=c11 -D_GNU_SOURCE $(WARN) $(SAN) $(CFLAGS) \
               -DBATCHSTATUS_VERSION='"$(VERSION)"' $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
ALL_CXXFLAGS = -std=c++17 $(WARN) $(SAN) $(CXXFLAGS) $(shell pkg-config --cflags libctemplate 2>/dev/null)
LDLIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -pthread

# Debian packages: to build, to run the stack, and to test it.
DEB_PKGS  := gcc g++ make pkg-config libfcgi-dev libcurl4-openssl-dev libjson-c-dev \
             libctemplate-dev nginx python3 openssl ca-certificates

LIB_SRCS  := buf log guid config errors route batch errcodes view export upstream secret signin token cache metrics fetch handler http pool
OBJS      := $(LIB_SRCS:%=$(BUILD)/obj/%.o) $(BUILD)/obj/render.o
UNIT      := guid route config batch errcodes view export render token upstream cache handler signin
UNIT_BINS := $(UNIT:%=$(BUILD)/tests/test_%)

.PHONY: all deps run test test-asan bench clean
all: $(BUILD)/batchstatus $(UNIT_BINS)

# Installs only what is missing; sudo when not root. A no-op on a ready machine.
deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BUILD)/obj/%.o: src/%.c src/*.h | $(BUILD)/obj
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/obj/render.o: src/render.cc src/render.h src/buf.h | $(BUILD)/obj
	$(CXX) $(ALL_CXXFLAGS) -c $< -o $@

$(BUILD)/batchstatus: $(OBJS) $(BUILD)/obj/main.o
	$(CXX) $(SAN) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c tests/unit/t.h $(OBJS) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -Isrc -c $< -o $@.o
	$(CXX) $(SAN) -o $@ $@.o $(OBJS) $(LDLIBS)

$(BUILD)/obj $(BUILD)/tests:
	mkdir -p $@

run: deps
	@$(MAKE) --no-print-directory all
	PORT=$(PORT) scripts/run.sh

# Every test: unit tests, then black-box tests through nginx + the server + the fake Partner Center.
test: deps
	@$(MAKE) --no-print-directory all
	@tests/run_all.sh $(BUILD)

# The same suite with AddressSanitizer + UndefinedBehaviorSanitizer (leaks included).
test-asan: deps
	@$(MAKE) --no-print-directory all BUILD=build/asan \
	    SAN='-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all' CFLAGS='-O1 -g' CXXFLAGS='-O1 -g'
	@tests/run_all.sh build/asan

# Issue 3's benchmark: prints a table and writes bench/results.md (about 3 minutes).
bench: deps
	@$(MAKE) --no-print-directory all
	bench/run.sh $(BUILD)

clean:
	rm -rf build
