# herald — plain Makefile. `make help` lists the targets.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DESTDIR ?=
CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS = libgit2 yaml-0.1 libcmark jansson libcurl openssl libutf8proc
DEBS = libgit2-dev libyaml-dev libcmark-dev libcurl4-openssl-dev libjansson-dev libssl-dev pkg-config libutf8proc-dev

# The version `herald version` prints: in a git checkout, `git describe` of
# the build (a tag vX.Y.Z gives X.Y.Z[-N-gHASH][-dirty]; without a tag it is
# VERSION-gHASH[-dirty]); elsewhere (a tarball, the Debian build) VERSION.
VERSION_FILE := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
ifneq ($(wildcard .git),)
GIT_DESCRIBE := $(shell git describe --tags --match 'v[0-9]*' --always --dirty 2>/dev/null)
endif
VERSION := $(strip $(if $(filter v%,$(GIT_DESCRIBE)),$(patsubst v%,%,$(GIT_DESCRIBE)),\
	$(if $(GIT_DESCRIBE),$(VERSION_FILE)-g$(GIT_DESCRIBE),$(VERSION_FILE))))

CFLAGS ?= -O2 -g
WARNINGS = -std=c17 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wwrite-strings -Wformat=2 -Wvla -fno-common
ifdef WERROR
WARNINGS += -Werror
endif
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = $(WARNINGS) -pthread -D_GNU_SOURCE -Iinclude -I$(O) -DHERALD_VERSION='"$(VERSION)"' $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS)
# Functions herald defines for its libraries to call in place of their own
# (src/read/start.c), exported by name: GNU ld exports such a definition on
# its own only when a library linked directly needs it (not libgnutls's,
# which comes through libcurl), and gold, lld or LTO not even then.
comma := ,
INTERPOSED = mbedtls_x509_crt_parse_file libssh2_init libssh2_exit _gnutls_global_init_skip
ALL_LDFLAGS = $(LDFLAGS) $(patsubst %,-Wl$(comma)--export-dynamic-symbol=%,$(INTERPOSED))
LIBS = $(PKG_LIBS) -lm -pthread

# Sanitized builds live in their own folder so objects never mix.
ifdef SANITIZE
O ?= build/san
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
ALL_LDFLAGS += -fsanitize=$(SANITIZE)
else
O ?= build
endif

# src/ is in layers (lib, read, render, deliver, hook, cmd; doc/design.md);
# `make check-layers` keeps every #include pointing down them.
LAYERS = lib read render deliver hook cmd
SRCS := $(wildcard $(patsubst %,src/%/*.c,$(LAYERS)) $(patsubst %,src/%/*/*.c,$(LAYERS)))
LIB_SRCS := $(filter-out src/cmd/main.c,$(SRCS))
LIB_OBJS := $(patsubst src/%.c,$(O)/%.o,$(LIB_SRCS)) $(O)/templates.o $(O)/hooks.o
TEMPLATES := $(sort $(wildcard templates/*))
HOOK_SCRIPTS := $(sort $(wildcard hooks/*))
UNIT_SRCS := $(wildcard tests/unit/test-*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(O)/tests/%,$(UNIT_SRCS))
HERALD := $(O)/herald

.PHONY: all check-layers deps test unit e2e leakcheck bench torture demo install uninstall deb print-version clean style help check-deps fuzz fuzz-build FORCE

all: check-layers $(HERALD) $(UNIT_BINS)

# Every #include points down the layers of src/ (tools/check-layers.sh).
check-layers:
	@sh tools/check-layers.sh

help:
	@echo "make deps        install missing Debian packages (as root)"
	@echo "make             build $(HERALD) and the unit tests"
	@echo "make test        run every test (SANITIZE=address,undefined for sanitizers)"
	@echo "make leakcheck   run the test suite under valgrind"
	@echo "make bench       benchmark on generated repositories"
	@echo "make torture     kill -9, concurrent pushes, write faults for TORTURE_SECONDS (180)"
	@echo "make fuzz        replay tests/fuzz/regressions, then fuzz each parser FUZZ_SECONDS (30) s"
	@echo "make demo        build and run herald on a sample blog"
	@echo "make install     install to \$$(DESTDIR)\$$(PREFIX) (default /usr/local); make uninstall"
	@echo "make deb         build build/herald_VERSION_ARCH.deb with dpkg-buildpackage"

# Installs what pkg-config or the test tools say is missing. Never touches a
# machine that already has everything.
deps:
	@sh tools/deps.sh

# -MMD: each object depends on the headers it includes (build/**/*.d).
$(O)/%.o: src/%.c | $(O)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<
-include $(patsubst src/%.c,$(O)/%.d,$(SRCS))

# The objects that print the version are rebuilt when it changes (a commit,
# a first edit), and only those.
$(O)/version.stamp: FORCE | $(O)
	@echo '$(VERSION)' >$@.tmp; cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(O)/cmd/cmd-version.o $(O)/deliver/deliver.o: $(O)/version.stamp
FORCE:

print-version:
	@echo '$(VERSION)'

$(O)/templates.c: $(TEMPLATES) tools/embed.sh | $(O)
	sh tools/embed.sh $(TEMPLATES) > $@.tmp && mv $@.tmp $@

$(O)/templates.o: $(O)/templates.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/hooks.c: $(HOOK_SCRIPTS) tools/embed.sh | $(O)
	sh tools/embed.sh -n builtin_hooks $(HOOK_SCRIPTS) > $@.tmp && mv $@.tmp $@

$(O)/hooks.o: $(O)/hooks.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/libherald.a: $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(HERALD): $(O)/cmd/main.o $(O)/libherald.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(O)/tests/%: tests/unit/%.c $(O)/libherald.a | $(O)/tests
	$(CC) $(ALL_CFLAGS) -Itests/unit -MMD -MP $(ALL_LDFLAGS) -o $@ $< $(O)/libherald.a $(LIBS)
-include $(patsubst tests/unit/%.c,$(O)/tests/%.d,$(UNIT_SRCS))

# bench/floor.c: the least a program linked as herald is does to deliver one
# signed webhook; bench/hook.py prints its time under goal 13.6's. It loads
# every library herald loads, including those it calls none of.
$(O)/bench-floor: bench/floor.c include/herald/repo.h $(O)/libherald.a
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(O)/libherald.a -Wl,--no-as-needed $(LIBS)

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
	$(MAKE) all $(O)/bench-floor CFLAGS='-O2 -g'
	sh bench/run.sh $(abspath $(HERALD))

# Not part of `make test`: a few minutes of kill -9, concurrent pushes and
# injected write failures; prints lost / duplicated-post / repeated-id.
TORTURE_SECONDS ?= 180
torture: deps
	$(MAKE) all
	sh tests/torture.sh $(abspath $(HERALD)) $(TORTURE_SECONDS)

demo: deps
	$(MAKE) all
	sh tools/demo.sh $(abspath $(HERALD))

# libFuzzer targets (tests/fuzz): clang only, with their own objects in
# build/fuzz so they never mix with build/ or build/san/. Each target first
# replays its files in tests/fuzz/regressions/, then fuzzes a scratch copy of
# its seed corpus; findings land in build/fuzz/artifacts/.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 30
FUZZ_O = build/fuzz
FUZZ_TARGETS = frontmatter toml template markdown mastodon bluesky
FUZZ_SAN = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = $(WARNINGS) -pthread -D_GNU_SOURCE -Iinclude -I$(FUZZ_O) \
	-DHERALD_VERSION='"$(VERSION)"' $(PKG_CFLAGS) -O1 -g \
	-fno-omit-frame-pointer $(FUZZ_SAN)
FUZZ_OBJS = $(patsubst src/%.c,$(FUZZ_O)/%.o,$(LIB_SRCS)) $(FUZZ_O)/templates.o $(FUZZ_O)/hooks.o
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

$(FUZZ_O)/%.o: src/%.c | $(FUZZ_O)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<
ifneq ($(filter fuzz fuzz-build,$(MAKECMDGOALS)),)
-include $(patsubst src/%.c,$(FUZZ_O)/%.d,$(LIB_SRCS))
endif

$(FUZZ_O)/templates.c: $(TEMPLATES) tools/embed.sh | $(FUZZ_O)
	sh tools/embed.sh $(TEMPLATES) > $@.tmp && mv $@.tmp $@

$(FUZZ_O)/templates.o: $(FUZZ_O)/templates.c
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_O)/hooks.c: $(HOOK_SCRIPTS) tools/embed.sh | $(FUZZ_O)
	sh tools/embed.sh -n builtin_hooks $(HOOK_SCRIPTS) > $@.tmp && mv $@.tmp $@

$(FUZZ_O)/hooks.o: $(FUZZ_O)/hooks.c
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_O)/libherald.a: $(FUZZ_OBJS)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_O)/fuzz-%: tests/fuzz/fuzz-%.c $(FUZZ_O)/libherald.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_O)/libherald.a $(LIBS)

$(FUZZ_O):
	mkdir -p $@

# Installs the binary, the git-herald link (so `git herald` works), the hook
# scripts, the man pages (with git-herald*.1 links: git opens `man
# git-herald` for `git herald --help`), the bash completion (git-herald too:
# git's completion loads it for `git herald`) and the systemd units, whose
# ExecStart names the installed binary. `make uninstall` removes exactly these.
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
MAN1 := $(sort $(wildcard man/man1/*.1))
MAN5 := $(sort $(wildcard man/man5/*.5))
MAN7 := $(sort $(wildcard man/man7/*.7))
UNITS := $(sort $(notdir $(wildcard systemd/*.service systemd/*.timer)))
HOOKS := $(sort $(notdir $(wildcard hooks/*)))

install: $(HERALD)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PREFIX)/share/herald/hooks \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(SYSTEMDUNITDIR)
	install -m 755 $(HERALD) $(DESTDIR)$(BINDIR)/herald
	ln -sf herald $(DESTDIR)$(BINDIR)/git-herald
	for h in $(HOOKS); do install -m 755 hooks/$$h $(DESTDIR)$(PREFIX)/share/herald/hooks/ || exit 1; done
	install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	for p in $(notdir $(MAN1)); do ln -sf $$p $(DESTDIR)$(MANDIR)/man1/git-$$p || exit 1; done
	install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	install -m 644 $(MAN7) $(DESTDIR)$(MANDIR)/man7/
	install -m 644 completion/herald.bash $(DESTDIR)$(BASHCOMPDIR)/herald
	ln -sf herald $(DESTDIR)$(BASHCOMPDIR)/git-herald
	for u in $(UNITS); do \
		sed 's|@BINDIR@|$(BINDIR)|g' systemd/$$u >$(DESTDIR)$(SYSTEMDUNITDIR)/$$u && \
		chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$u || exit 1; \
	done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/herald $(DESTDIR)$(BINDIR)/git-herald
	rm -rf $(DESTDIR)$(PREFIX)/share/herald
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1)) $(addprefix git-,$(notdir $(MAN1))))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(MAN7)))
	rm -f $(DESTDIR)$(BASHCOMPDIR)/herald $(DESTDIR)$(BASHCOMPDIR)/git-herald
	rm -f $(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(UNITS))

# The Debian package, built by dpkg-buildpackage in a copy of the sources
# ($(DEB_DIR)/src), so the build never writes into the tree or next to it.
# The result is $(DEB_OUT)/herald_VERSION_ARCH.deb (the .changes, .buildinfo
# and -dbgsym package stay in $(DEB_DIR)). DEB_BUILD_OPTIONS=nocheck skips
# the unit tests the package build runs; it never runs the network.
DEB_DIR ?= build/deb
DEB_OUT ?= build
deb:
	@command -v dpkg-buildpackage >/dev/null 2>&1 && command -v dh >/dev/null 2>&1 || \
		{ echo "deb: dpkg-buildpackage or dh not found (apt-get install dpkg-dev debhelper)" >&2; exit 1; }
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src $(DEB_OUT)
	if [ -e .git ]; then \
		git ls-files -z --cached --others --exclude-standard | \
			tar --null --ignore-failed-read -T - -cf - 2>/dev/null; \
	else \
		tar --exclude=./build --exclude=./tests/out --exclude=./bench/out -cf - .; \
	fi | tar -xf - -C $(DEB_DIR)/src
	cd $(DEB_DIR)/src && dpkg-buildpackage -b -us -uc $(DEB_FLAGS)
	v=$$(dpkg-parsechangelog -l debian/changelog -S Version) && \
	a=$$(dpkg --print-architecture) && \
	cp $(DEB_DIR)/herald_$${v}_$$a.deb $(DEB_OUT)/ && \
	echo "deb: $(DEB_OUT)/herald_$${v}_$$a.deb"

style:
	clang-format -i $(SRCS) include/herald/*.h tests/unit/*.c

clean:
	rm -rf build tests/out
