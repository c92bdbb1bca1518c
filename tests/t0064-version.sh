#!/bin/sh
# herald version: the build's git describe in a checkout, VERSION elsewhere.
# The Makefile's rule is exercised on scratch checkouts (make print-version,
# which is what the build compiles in), so no rebuild is needed.
. "$(dirname "$0")/lib/test-lib.sh"

VERSION=$(cat "$SRC_DIR/VERSION")
# A copy of the Makefile and VERSION is all print-version reads.
mkproject() {
	mkdir -p "$1" &&
	cp "$SRC_DIR/Makefile" "$SRC_DIR/VERSION" "$1/"
}
pv() {
	make -s -C "$1" print-version 2>/dev/null
}

test_expect_success 'herald version names the build and its libraries' '
	herald version >out &&
	head -n 1 out | grep -E "^herald [0-9]+\.[0-9]+\.[0-9]+(-[0-9]+)?(-g[0-9a-f]+)?(-dirty)?\$" &&
	grep -E "^libgit2 [0-9]" out && grep -E "^openssl " out &&
	herald --version >out2 && test_cmp out out2
'

if test -e "$SRC_DIR/.git"; then
test_expect_success 'built in this checkout, it carries its commit' '
	herald version | head -n 1 | grep -- "-g[0-9a-f]\{7,\}"
'
fi

# src/read/start.c: libgit2's one call to read the CA bundle lands on
# herald's own definition (the loader says where it bound it), so the
# bundle is never opened.
if ldd "$HERALD" 2>/dev/null | grep -q libmbedx509; then
test_expect_success 'libgit2 starts without reading the CA bundle' '
	LD_DEBUG=bindings "$HERALD" version 2>bindings >/dev/null &&
	grep "mbedtls_x509_crt_parse_file" bindings >bound &&
	grep "libgit2[^ ]* \[0\] to $HERALD \[0\]" bound &&
	! grep -v "to $HERALD \[0\]" bound
'
else
	echo "# skip: libgit2 is not linked with libmbedx509: it parses no CA bundle at start"
fi

# The same for libgit2's libssh2_init() and libssh2_exit(): both land on
# herald's definitions, as every other caller's do (herald forwards those).
if ldd "$HERALD" 2>/dev/null | grep -q libssh2; then
test_expect_success 'libgit2 starts and stops no libssh2' '
	LD_DEBUG=bindings "$HERALD" version 2>bindings >/dev/null &&
	grep -E "symbol .libssh2_(init|exit)." bindings >bound &&
	grep "libgit2[^ ]* \[0\] to $HERALD \[0\]: normal symbol .libssh2_init." bound &&
	grep "libgit2[^ ]* \[0\] to $HERALD \[0\]: normal symbol .libssh2_exit." bound &&
	! grep -v "to $HERALD \[0\]" bound
'
else
	echo "# skip: herald is not linked with libssh2: libgit2 starts none"
fi

# GnuTLS (in the process through libcurl's librtmp and libldap) does not
# start itself in herald: its constructor asks herald's
# _gnutls_global_init_skip(). GNUTLS_DEBUG_LEVEL makes a start visible; the
# first test shows it does, in a process that loads GnuTLS without herald.
if ldd "$HERALD" 2>/dev/null | grep -q libgnutls; then
gnutls=$(ldd "$HERALD" | sed -n "s/^[[:space:]]*\(libgnutls\.so\.[0-9]*\) .*/\1/p")
test_expect_success 'GnuTLS starts itself when it is loaded (the control)' '
	GNUTLS_DEBUG_LEVEL=2 python3 -c "import ctypes; ctypes.CDLL(\"$gnutls\")" 2>log &&
	grep "Enabled GnuTLS" log
'
test_expect_success 'but not in herald, which never uses it' '
	GNUTLS_DEBUG_LEVEL=2 LD_DEBUG=bindings "$HERALD" version >out 2>log &&
	grep "herald" out &&
	! grep "Enabled GnuTLS" log &&
	grep "libgnutls[^ ]* \[0\] to $HERALD \[0\]: normal symbol ._gnutls_global_init_skip." log
'
else
	echo "# skip: herald is not linked with GnuTLS: nothing starts it"
fi

test_expect_success 'without git: the VERSION file' '
	mkproject tarball &&
	test "$(pv tarball)" = "$VERSION"
'

test_expect_success 'a checkout without a tag: VERSION and the commit' '
	mkproject co && git -C co init -q && git -C co add . &&
	test_tick && git -C co commit -q -m one &&
	test "$(pv co)" = "$VERSION-g$(git -C co rev-parse --short HEAD)" &&
	echo change >>co/VERSION.extra && git -C co add VERSION.extra &&
	test "$(pv co)" = "$VERSION-g$(git -C co rev-parse --short HEAD)-dirty"
'

test_expect_success 'after a tag vX.Y.Z: git describe without the v' '
	git -C co commit -q -m two &&
	git -C co tag -a -m "release" v9.8.7 &&
	test "$(pv co)" = 9.8.7 &&
	test_tick && echo more >>co/VERSION.extra && git -C co commit -q -am three &&
	test "$(pv co)" = "9.8.7-1-g$(git -C co rev-parse --short HEAD)" &&
	git -C co tag other-tag &&
	test "$(pv co)" = "9.8.7-1-g$(git -C co rev-parse --short HEAD)"
'

test_done
