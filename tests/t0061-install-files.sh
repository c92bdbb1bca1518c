#!/bin/sh
# make install and make uninstall under DESTDIR: the binary, the git-herald
# link, the hooks, the man pages (git-herald* links that man resolves), the
# bash completion and the systemd units, and nothing else; the units pass
# systemd-analyze verify; herald install names them, with the instance
# escaped as systemd-escape --path does.
. "$(dirname "$0")/lib/test-lib.sh"

# Installs the herald under test, never rebuilding it (-o): it may be a
# sanitizer build.
BIN_DIR=$(cd "$(dirname "$HERALD")" && pwd)
make_install() {
	make -s -C "$SRC_DIR" O="$BIN_DIR" -o "$BIN_DIR/herald" "$@"
}

# listing DIR: every file and link under DIR with its mode, links with
# their target.
listing() {
	(cd "$1" && find . ! -type d | LC_ALL=C sort | while IFS= read -r f; do
		if test -L "$f"; then
			echo "$f -> $(readlink "$f")"
		else
			echo "$f $(stat -c %a "$f")"
		fi
	done)
}

test_expect_success 'make install puts every file in its usual place' '
	make_install install DESTDIR="$TRASH/dest" PREFIX=/usr >out &&
	{
		echo "./usr/bin/git-herald -> herald" &&
		echo "./usr/bin/herald 755" &&
		echo "./usr/lib/systemd/system/herald-deliver@.service 644" &&
		echo "./usr/lib/systemd/system/herald-deliver@.timer 644" &&
		echo "./usr/lib/systemd/system/herald-tick@.service 644" &&
		echo "./usr/lib/systemd/system/herald-tick@.timer 644" &&
		echo "./usr/share/bash-completion/completions/git-herald -> herald" &&
		echo "./usr/share/bash-completion/completions/herald 644" &&
		for h in $(cd "$SRC_DIR/hooks" && ls); do
			echo "./usr/share/herald/hooks/$h 755"
		done &&
		for p in $(cd "$SRC_DIR/man/man1" && ls); do
			echo "./usr/share/man/man1/git-$p -> $p" &&
			echo "./usr/share/man/man1/$p 644"
		done &&
		echo "./usr/share/man/man5/herald-config.5 644" &&
		echo "./usr/share/man/man7/herald-templates.7 644"
	} | LC_ALL=C sort >expect &&
	listing dest >actual &&
	test_cmp expect actual &&
	cmp "$HERALD" dest/usr/bin/herald &&
	grep -Fx "ExecStart=/usr/bin/herald -C \"%f\" deliver --max-time 240" \
		dest/usr/lib/systemd/system/herald-deliver@.service &&
	grep -Fx "ExecStart=/usr/bin/herald -C \"%f\" tick" \
		dest/usr/lib/systemd/system/herald-tick@.service
'

test_expect_success 'the installed herald runs, also as git herald' '
	dest/usr/bin/herald version | grep "^herald " &&
	git init -q blog &&
	(cd blog && PATH="$TRASH/dest/usr/bin:$PATH" git herald version) | grep "^herald "
'

if command -v man >/dev/null 2>&1; then
test_expect_success 'man finds every page and its git-herald name' '
	export MANPATH="$TRASH/dest/usr/share/man" MANPAGER=cat MANWIDTH=80 &&
	for p in $(cd "$SRC_DIR/man/man1" && ls | sed "s/\.1\$//"); do
		man -w "$p" >/dev/null &&
		man -w "git-$p" >/dev/null || { echo "no page $p" && return 1; }
	done &&
	man git-herald | grep "git-herald.*tell the world" &&
	man git-herald-scan | grep "herald-scan.*list what happened" &&
	man 5 herald-config | grep "herald-config" &&
	man 7 herald-templates | grep "herald-templates"
'

test_expect_success 'the installed herald opens the pages installed beside it' '
	mkdir empty &&
	MANPATH="$TRASH/empty" MANPAGER=cat dest/usr/bin/herald help deliver >out &&
	grep "herald-deliver.*send what is due" out &&
	MANPATH="$TRASH/empty" MANPAGER=cat dest/usr/bin/herald status --help >out &&
	grep "herald-status.*delivery health" out
'
else
test_skip 'man finds the installed pages' 'man is not installed'
fi

test_expect_success 'make uninstall removes exactly what make install put' '
	mkdir -p dest/usr/bin dest/usr/share/man/man1 dest/usr/lib/systemd/system &&
	echo other >dest/usr/bin/other &&
	echo other >dest/usr/share/man/man1/other.1 &&
	echo other >dest/usr/lib/systemd/system/other.service &&
	make_install uninstall DESTDIR="$TRASH/dest" PREFIX=/usr &&
	listing dest >actual &&
	{
		echo "./usr/bin/other 644" &&
		echo "./usr/lib/systemd/system/other.service 644" &&
		echo "./usr/share/man/man1/other.1 644"
	} >expect &&
	test_cmp expect actual
'

test_expect_success 'PREFIX and the other folders can be moved' '
	make_install install DESTDIR="$TRASH/d2" PREFIX=/opt/h \
		MANDIR=/opt/man SYSTEMDUNITDIR=/lib/systemd/system \
		BASHCOMPDIR=/etc/bash_completion.d &&
	test -x d2/opt/h/bin/herald &&
	test -f d2/opt/man/man1/herald.1 &&
	test -f d2/etc/bash_completion.d/herald &&
	grep -Fx "ExecStart=/opt/h/bin/herald -C \"%f\" tick" d2/lib/systemd/system/herald-tick@.service &&
	make_install uninstall DESTDIR="$TRASH/d2" PREFIX=/opt/h \
		MANDIR=/opt/man SYSTEMDUNITDIR=/lib/systemd/system \
		BASHCOMPDIR=/etc/bash_completion.d &&
	test -z "$(find d2 ! -type d)"
'

# For systemd-analyze, ExecStart must name a binary that exists: install
# for real, under a prefix in the scratch folder.
test_expect_success 'setup: herald installed under a prefix, a repository with awkward path' '
	make_install install PREFIX="$TRASH/prefix" &&
	mkdir -p "srv/a-b/.x" &&
	git init -q --bare "srv/a-b/.x/my blog%été.git"
'

if command -v systemd-analyze >/dev/null 2>&1 && command -v systemd-escape >/dev/null 2>&1; then
test_expect_success 'systemd-analyze verify passes on the units, for an instance' '
	repo="$TRASH/srv/a-b/.x/my blog%été.git" &&
	inst=$(systemd-escape --path "$repo") &&
	units="$TRASH/prefix/lib/systemd/system" &&
	# Documentation= is checked with man: the pages must be there too.
	MANPATH="$TRASH/prefix/share/man" systemd-analyze verify \
		"$units/herald-deliver@$inst.service" "$units/herald-deliver@$inst.timer" \
		"$units/herald-tick@$inst.service" "$units/herald-tick@$inst.timer" >out 2>&1;
	rc=$?; cat out && test $rc = 0 && test ! -s out
'

test_expect_success 'the units are hardened' '
	for u in herald-deliver@.service herald-tick@.service; do
		for want in "ProtectSystem=strict" "ReadWritePaths=%f" \
			"NoNewPrivileges=yes" "PrivateTmp=yes" "Type=oneshot"; do
			grep -Fx "$want" "prefix/lib/systemd/system/$u" || {
				echo "$u lacks $want" && return 1
			}
		done
	done
'

test_expect_success 'herald install names the shipped units and escapes the instance as systemd does' '
	repo="$TRASH/srv/a-b/.x/my blog%été.git" &&
	inst=$(systemd-escape --path "$repo") &&
	prefix/bin/herald install "$repo" >out &&
	grep -Fx "Or with the systemd timers herald ships in $TRASH/prefix/lib/systemd/system," out &&
	grep -Fx "systemctl enable --now '\''herald-deliver@$inst.timer'\'' '\''herald-tick@$inst.timer'\''" out &&
	grep -Fx "mkdir -p '\''/etc/systemd/system/herald-deliver@$inst.service.d'\''" out &&
	grep -Fx "printf '\''[Service]\\n%s\\n'\'' User=$(id -un) >'\''/etc/systemd/system/herald-deliver@$inst.service.d/user.conf'\''" out &&
	git init -q --bare "srv/back\\slash-dash.git" &&
	repo="$TRASH/srv/back\\slash-dash.git" &&
	inst=$(systemd-escape --path "$repo") &&
	prefix/bin/herald install "$repo" >out &&
	grep -Fx "systemctl enable --now '\''herald-deliver@$inst.timer'\'' '\''herald-tick@$inst.timer'\''" out
'
else
test_skip 'systemd-analyze verify and systemd-escape' 'systemd is not installed'
fi

test_done
