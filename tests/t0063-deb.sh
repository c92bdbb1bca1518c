#!/bin/sh
# make deb: a Debian package built by dpkg-buildpackage from debian/, with
# Depends from shlibs covering every library herald links, the expected
# files, lintian clean (no error, no warning), installed into a throwaway
# root with dpkg --root and run from there; the build leaves the tree as it
# was. The package is built from source, not from the binary under test, so
# the sanitizer and valgrind runs skip it.
. "$(dirname "$0")/lib/test-lib.sh"

if test -n "${HERALD_VALGRIND:-}" || test "$HERALD" != "$SRC_DIR/build/herald"; then
	test_skip 'make deb' "built from source once, in the plain run (HERALD is $HERALD)"
	test_done
fi
for t in dpkg-buildpackage dh dpkg-deb; do
	if ! command -v $t >/dev/null 2>&1; then
		test_skip 'make deb' "$t is not installed (make deps installs dpkg-dev and debhelper)"
		test_done
	fi
done

VERSION=$(cat "$SRC_DIR/VERSION")
ARCH=$(dpkg --print-architecture)
DEB="$TRASH/out/herald_${VERSION}_$ARCH.deb"

tree_state() {
	if test -e "$SRC_DIR/.git"; then
		git -C "$SRC_DIR" status --porcelain --untracked-files=all
	fi
	ls -a "$SRC_DIR" "$SRC_DIR/debian" "$SRC_DIR/.."
}

test_expect_success 'debian/changelog has the version of VERSION' '
	test "$(dpkg-parsechangelog -l "$SRC_DIR/debian/changelog" -S Version)" = "$VERSION"
'

test_expect_success 'make deb builds herald_VERSION_ARCH.deb and leaves the tree as it was' '
	tree_state >before &&
	# nocheck: the unit tests already ran in this make test
	DEB_BUILD_OPTIONS="nocheck noddebs parallel=2" make -C "$SRC_DIR" deb \
		DEB_DIR="$TRASH/deb" DEB_OUT="$TRASH/out" >build.log 2>&1 ||
		{ tail -n 40 build.log; false; } &&
	tree_state >after &&
	test_cmp before after &&
	test -f "$DEB" &&
	grep "^deb: $DEB\$" build.log
'

test_expect_success 'its control fields' '
	test "$(dpkg-deb -f "$DEB" Package)" = herald &&
	test "$(dpkg-deb -f "$DEB" Version)" = "$VERSION" &&
	test "$(dpkg-deb -f "$DEB" Architecture)" = "$ARCH" &&
	test "$(dpkg-deb -f "$DEB" Section)" = vcs &&
	dpkg-deb -f "$DEB" Description | grep "announce new blog posts"
'

test_expect_success 'Depends names the package of every library herald links' '
	dpkg-deb -f "$DEB" Depends | tr "," "\n" | sed "s/^ *//; s/ .*//" | sort >depends &&
	cat depends &&
	dpkg-deb -x "$DEB" x &&
	objdump -p x/usr/bin/herald | sed -n "s/^ *NEEDED *//p" >needed &&
	test -s needed &&
	while read -r lib; do
		path=$(ldconfig -p | sed -n "s/^[[:space:]]*$lib (.*=> //p" | head -n 1) &&
		test -n "$path" &&
		pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null || dpkg -S "$path") &&
		pkg=${pkg%%:*} &&
		grep -x "$pkg" depends >/dev/null || {
			echo "herald needs $lib ($pkg), which Depends does not name" && return 1
		}
	done <needed
'

test_expect_success 'its files' '
	dpkg-deb -c "$DEB" | awk "{ print \$6 }" | sed "s|^\./|/|" | sort >files &&
	for f in /usr/bin/herald /usr/bin/git-herald \
		/usr/share/man/man1/herald.1.gz /usr/share/man/man1/git-herald.1.gz \
		/usr/share/man/man1/herald-scan.1.gz /usr/share/man/man1/git-herald-scan.1.gz \
		/usr/share/man/man5/herald-config.5.gz /usr/share/man/man7/herald-templates.7.gz \
		/usr/share/bash-completion/completions/herald \
		/usr/share/bash-completion/completions/git-herald \
		/lib/systemd/system/herald-deliver@.service /lib/systemd/system/herald-deliver@.timer \
		/lib/systemd/system/herald-tick@.service /lib/systemd/system/herald-tick@.timer \
		/usr/share/herald/hooks/post-receive /usr/share/herald/hooks/pre-receive \
		/usr/share/doc/herald/copyright /usr/share/doc/herald/changelog.gz
	do
		grep -x "$f" files >/dev/null || { echo "missing $f" && return 1; }
	done &&
	test $(grep -c "^/usr/share/man/man1/herald-.*\.1\.gz\$" files) = \
		$(ls "$SRC_DIR"/man/man1/herald-*.1 | wc -l) &&
	grep -Fx "ExecStart=/usr/bin/herald -C \"%f\" tick" x/lib/systemd/system/herald-tick@.service &&
	dpkg-deb -I "$DEB" >info &&
	! grep -E "postinst|prerm|postrm|preinst" info
'

test_expect_success 'dpkg --root installs it into a throwaway root, and removes it' '
	mkdir -p root/var/lib/dpkg/info root/var/lib/dpkg/updates &&
	: >root/var/lib/dpkg/status &&
	# the root holds no libraries: the dependencies are expected unmet
	dpkg --root="$TRASH/root" --force-depends --log=/dev/null -i "$DEB" >install.log 2>&1 ||
		{ cat install.log; false; } &&
	dpkg --root="$TRASH/root" -s herald | grep "^Status: install ok installed" &&
	root/usr/bin/herald version >version.out &&
	grep -x "herald $VERSION" version.out &&
	root/usr/bin/git-herald version | grep -x "herald $VERSION" &&
	if command -v man >/dev/null 2>&1; then
		mkdir -p empty &&
		MANPATH="$TRASH/empty" MANPAGER=cat root/usr/bin/herald help scan >page &&
		grep "herald-scan.*list what happened" page
	fi &&
	dpkg --root="$TRASH/root" --force-depends --log=/dev/null -r herald >remove.log 2>&1 ||
		{ cat remove.log; false; } &&
	test -z "$(find root ! -type d ! -path "*/var/lib/dpkg/*")"
'

if command -v lintian >/dev/null 2>&1; then
test_expect_success 'lintian reports no error and no warning' '
	lintian --pedantic -I "$DEB" >lintian.out 2>lintian.err; rc=$?
	cat lintian.out &&
	{ grep -v "running with root privileges" lintian.err || :; } &&
	! grep -E "^[EW]: " lintian.out &&
	test $rc = 0
'
else
test_skip 'lintian' 'lintian is not installed'
fi

test_done
