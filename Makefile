# herald — plain Makefile. `make help` lists the targets.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DESTDIR ?=
CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS = libgit2 yaml-0.1 libcmark jansson libcurl openssl
DEBS = libgit2-dev libyaml-dev libcmark-dev libcurl4-openssl-dev libjansson-dev libssl-dev pkg-config

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

CFLAGS ?= -O2 -g
WARNINGS = -std=c17 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wwrite-strings -Wformat=2 -Wvla -fno-common
ifdef WERROR
WARNINGS += -Werror
endif
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = $(WARNINGS) -pthread -D_GNU_SOURCE -Iinclude -I$(O) -DHERALD_VERSION='"$(VERSION)"' $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(LDFLAGS)
LIBS = $(PKG_LIBS) -lm -pthread

# Sanitized builds live in their own folder so objects never mix.
ifdef SANITIZE
O ?= build/san
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
ALL_LDFLAGS += -fsanitize=$(SANITIZE)
else
O ?= build
endif

SRCS := $(wildcard src/*.c)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
LIB_OBJS := $(patsubst src/%.c,$(O)/%.o,$(LIB_SRCS)) $(O)/templates.o
TEMPLATES := $(sort $(wildcard templates/*))
UNIT_SRCS := $(wildcard tests/unit/test-*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(O)/tests/%,$(UNIT_SRCS))
HERALD := $(O)/herald

.PHONY: all deps test unit e2e leakcheck bench torture demo install uninstall clean style help check-deps fuzz fuzz-build

all: $(HERALD) $(UNIT_BINS)

help:
	@echo "make deps        install missing Debian packages (as root)"
	@echo "make             build $(HERALD) and the unit tests"
	@echo "make test        run every test (SANITIZE=address,undefined for sanitizers)"
	@echo "make leakcheck   run the test suite under valgrind"
	@echo "make bench       benchmark on generated repositories"
	@echo "make torture     kill -9, concurrent pushes, write faults for TORTURE_SECONDS (180)"
	@echo "make fuzz        replay tests/fuzz/regressions, then fuzz each parser FUZZ_SECONDS (30) s"
	@echo "make demo        build and run herald on a sample blog"
	@echo "make install     install to \$$(DESTDIR)\$$(PREFIX) (default /usr/local)"

# Installs what pkg-config or the test tools say is missing. Never touches a
# machine that already has everything.
deps:
	@sh tests/lib/deps.sh

$(O)/%.o: src/%.c $(wildcard include/herald/*.h) | $(O)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/templates.c: $(TEMPLATES) tests/lib/embed.sh | $(O)
	sh tests/lib/embed.sh $(TEMPLATES) > $@.tmp && mv $@.tmp $@

$(O)/templates.o: $(O)/templates.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/libherald.a: $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(HERALD): $(O)/main.o $(O)/libherald.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(O)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(O)/libherald.a | $(O)/tests
	$(CC) $(ALL_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $< $(O)/libherald.a $(LIBS)

$(O) $(O)/tests:
	mkdir -p $@

# Unit tests print TAP; end-to-end scripts are tests/tNNNN-*.sh. prove runs both.
PROVE ?= prove
PROVE_FLAGS ?= -j2
test: deps
	$(MAKE) all
	HERALD=$(abspath $(HERALD)) $(PROVE) $(PROVE_FLAGS) --exec '' $(UNIT_BINS) $(sort $(wildcard tests/t[0-9]*.sh))

unit: all
	$(PROVE) --exec '' $(UNIT_BINS)

leakcheck: deps
	$(MAKE) all
	HERALD_VALGRIND=1 HERALD=$(abspath $(HERALD)) $(PROVE) $(PROVE_FLAGS) --exec 'sh tests/lib/valgrind.sh' $(UNIT_BINS)
	HERALD_VALGRIND=1 HERALD=$(abspath $(HERALD)) $(PROVE) $(PROVE_FLAGS) --exec '' $(sort $(wildcard tests/t[0-9]*.sh))

bench: deps
	$(MAKE) all CFLAGS='-O2 -g'
	sh bench/run.sh $(abspath $(HERALD))

# Not part of `make test`: a few minutes of kill -9, concurrent pushes and
# injected write failures; prints lost / duplicated-post / repeated-id.
TORTURE_SECONDS ?= 180
torture: deps
	$(MAKE) all
	sh tests/torture.sh $(abspath $(HERALD)) $(TORTURE_SECONDS)

demo: deps
	$(MAKE) all
	sh tests/lib/demo.sh $(abspath $(HERALD))

# libFuzzer targets (tests/fuzz): clang only, with their own objects in
# build/fuzz so they never mix with build/ or build/san/. Each target first
# replays its files in tests/fuzz/regressions/, then fuzzes a scratch copy of
# its seed corpus; findings land in build/fuzz/artifacts/.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 30
FUZZ_O = build/fuzz
FUZZ_TARGETS = frontmatter toml template markdown
FUZZ_SAN = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = $(WARNINGS) -pthread -D_GNU_SOURCE -Iinclude -I$(FUZZ_O) \
	-DHERALD_VERSION='"$(VERSION)"' $(PKG_CFLAGS) -O1 -g \
	-fno-omit-frame-pointer $(FUZZ_SAN)
FUZZ_OBJS = $(patsubst src/%.c,$(FUZZ_O)/%.o,$(LIB_SRCS)) $(FUZZ_O)/templates.o
FUZZ_BINS = $(patsubst %,$(FUZZ_O)/fuzz-%,$(FUZZ_TARGETS))
FUZZ_RUN_FLAGS = -timeout=10 -rss_limit_mb=2048

fuzz: deps
	@if ! command -v $(FUZZ_CC) >/dev/null 2>&1; then \
		echo "fuzz: $(FUZZ_CC) not found; libFuzzer comes with Debian's clang package" >&2; \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq >&2 || true; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y clang >&2 || exit 1; \
		else \
			echo "fuzz: run as root: apt-get install -y clang" >&2; exit 1; \
		fi; \
	fi
	$(MAKE) fuzz-build
	@failed=""; \
	for t in $(FUZZ_TARGETS); do \
		bin=$(FUZZ_O)/fuzz-$$t; \
		reg=$$(ls -A tests/fuzz/regressions/$$t 2>/dev/null | sed "s|^|tests/fuzz/regressions/$$t/|"); \
		if [ -n "$$reg" ]; then \
			echo "fuzz: $$t: replaying tests/fuzz/regressions/$$t"; \
			$$bin $(FUZZ_RUN_FLAGS) $$reg || { failed="$$failed $$t(regression)"; continue; }; \
		fi; \
		rm -rf $(FUZZ_O)/corpus/$$t $(FUZZ_O)/artifacts/$$t; \
		mkdir -p $(FUZZ_O)/corpus/$$t $(FUZZ_O)/artifacts/$$t; \
		cp tests/fuzz/corpus/$$t/* $(FUZZ_O)/corpus/$$t/ 2>/dev/null; \
		echo "fuzz: $$t: $(FUZZ_SECONDS) s"; \
		if $$bin $(FUZZ_RUN_FLAGS) -max_total_time=$(FUZZ_SECONDS) \
			-print_final_stats=1 -artifact_prefix=$(FUZZ_O)/artifacts/$$t/ \
			$(FUZZ_O)/corpus/$$t >$(FUZZ_O)/$$t.log 2>&1; then \
			grep -E "DONE|stat::number_of_executed_units" $(FUZZ_O)/$$t.log | sed "s/^/fuzz: $$t: /"; \
		else \
			tail -n 60 $(FUZZ_O)/$$t.log >&2; \
			echo "fuzz: $$t: finding in $(FUZZ_O)/artifacts/$$t/; save it in tests/fuzz/regressions/$$t/" >&2; \
			failed="$$failed $$t"; \
		fi; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: failed:$$failed" >&2; exit 1; fi

fuzz-build: $(FUZZ_BINS)

$(FUZZ_O)/%.o: src/%.c $(wildcard include/herald/*.h) | $(FUZZ_O)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_O)/templates.c: $(TEMPLATES) tests/lib/embed.sh | $(FUZZ_O)
	sh tests/lib/embed.sh $(TEMPLATES) > $@.tmp && mv $@.tmp $@

$(FUZZ_O)/templates.o: $(FUZZ_O)/templates.c
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_O)/libherald.a: $(FUZZ_OBJS)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_O)/fuzz-%: tests/fuzz/fuzz-%.c $(FUZZ_O)/libherald.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_O)/libherald.a $(LIBS)

$(FUZZ_O):
	mkdir -p $@

install: $(HERALD)
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(HERALD) $(DESTDIR)$(BINDIR)/herald
	ln -sf herald $(DESTDIR)$(BINDIR)/git-herald
	install -d $(DESTDIR)$(PREFIX)/share/herald/hooks
	for h in hooks/*; do [ -f "$$h" ] && install -m 755 "$$h" $(DESTDIR)$(PREFIX)/share/herald/hooks/ || true; done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/herald $(DESTDIR)$(BINDIR)/git-herald
	rm -rf $(DESTDIR)$(PREFIX)/share/herald

style:
	clang-format -i src/*.c include/herald/*.h tests/unit/*.c

clean:
	rm -rf build tests/out
