#!/bin/sh
# herald install: the hooks it writes (bare and non-bare repositories,
# core.hooksPath, <hook>.d/ folders, paths with spaces), chaining the hooks
# that were there, idempotence, --uninstall restoring them byte for byte, and
# real pushes through the installed hooks. The hooks run $HERALD, which is a
# stub recording its arguments and input, so no announcement is involved.
. "$(dirname "$0")/lib/test-lib.sh"

ZERO=0000000000000000000000000000000000000000
# Never find the repository this test runs inside.
export GIT_CEILING_DIRECTORIES="$TRASH"

# escape_path PATH: the systemd instance name of PATH, as systemd-escape
# --path makes it (written out here for machines without systemd).
escape_path() {
	python3 -c '
import sys
p = "/".join(c for c in sys.argv[1].split("/") if c)
out = ""
for i, b in enumerate(p.encode()):
    ch = chr(b)
    if ch == "/":
        out += "-"
    elif (ch == "." and i == 0) or not (ch.isascii() and (ch.isalnum() or ch in ":_.")):
        out += "\\x%02x" % b
    else:
        out += ch
print(out or "-")' "$1"
}

# snap DIR: every file under DIR with its mode, inode and checksum.
snap() {
	(cd "$1" && find . -print | LC_ALL=C sort | while IFS= read -r f; do
		stat -c '%A %i %n' "$f"
		if [ -f "$f" ]; then cksum <"$f"; fi
	done)
}

# new_commit CLONE: one more commit in CLONE.
new_commit() {
	test_tick &&
	echo "$test_tick_s" >>"$1/file" &&
	git -C "$1" add file &&
	git -C "$1" commit -q -m "tick $test_tick_s"
}

# push_line SERVER CLONE: the line git gives the hooks for pushing CLONE's main.
push_line() {
	old=$(git -C "$1" rev-parse -q --verify refs/heads/main || echo $ZERO) &&
	echo "$old $(git -C "$2" rev-parse HEAD) refs/heads/main"
}

# stub_push SERVER CLONE: pushes with the stub as herald; stub.* are fresh.
stub_push() {
	rm -f "$TRASH"/stub.* &&
	push_line "$1" "$2" >expect.in &&
	HERALD="$TRASH/stub" git -C "$2" push -q "file://$TRASH/$1" main
}

test_expect_success 'setup' '
	cat >stub <<-EOF &&
	#!/bin/sh
	printf "%s\n" "\$*" >>"$TRASH/stub.\$2.argv"
	cat >>"$TRASH/stub.\$2.in"
	if [ "\$2" = pre-receive ]; then exit \${STUB_PRE_EXIT:-0}; fi
	exit 3
	EOF
	chmod +x stub &&
	git init -q src &&
	new_commit src
'

test_expect_success 'install into a bare repository' '
	git init -q --bare bare.git &&
	herald install bare.git >out &&
	grep -Fx "installed '\''$TRASH/bare.git/hooks/post-receive'\''" out &&
	grep -Fx "installed '\''$TRASH/bare.git/hooks/pre-receive'\''" out &&
	for h in post-receive pre-receive; do
		test -x bare.git/hooks/$h &&
		sed -n 2p bare.git/hooks/$h >line &&
		echo "# installed by herald" >expect &&
		test_cmp expect line &&
		grep -Fx "installed_herald='\''$(readlink -f "$HERALD")'\''" bare.git/hooks/$h || return 1
	done &&
	! test -e bare.git/hooks/post-receive.herald-chained
'

test_expect_success 'install into a non-bare repository, from inside it' '
	git init -q nonbare &&
	(cd nonbare && herald install >../out) &&
	test -x nonbare/.git/hooks/post-receive &&
	test -x nonbare/.git/hooks/pre-receive &&
	grep -qx "# installed by herald" nonbare/.git/hooks/pre-receive &&
	grep -F " -C '\''$TRASH/nonbare'\'' deliver --max-time 240" out
'

test_expect_success 'a push runs both hooks with git'\''s input' '
	git init -q --bare plain.git &&
	herald install plain.git >/dev/null &&
	stub_push plain.git src &&
	echo "hook pre-receive" >expect &&
	test_cmp expect stub.pre-receive.argv &&
	echo "hook post-receive" >expect &&
	test_cmp expect stub.post-receive.argv &&
	test_cmp expect.in stub.pre-receive.in &&
	test_cmp expect.in stub.post-receive.in
'

test_expect_success 'herald'\''s pre-receive refusal refuses the push; post-receive never fails it' '
	new_commit src &&
	before=$(git -C plain.git rev-parse main) &&
	! (STUB_PRE_EXIT=1 && export STUB_PRE_EXIT && stub_push plain.git src) &&
	test "$(git -C plain.git rev-parse main)" = "$before" &&
	! test -e stub.post-receive.argv &&
	stub_push plain.git src &&
	test "$(git -C plain.git rev-parse main)" = "$(git -C src rev-parse HEAD)"
'

test_expect_success 'an existing post-receive is chained and gets the same input' '
	git init -q --bare chain.git &&
	printf "#!/bin/sh\ncat >>\"%s/chained.in\"\necho chained ran\n" "$TRASH" \
		>chain.git/hooks/post-receive &&
	chmod 755 chain.git/hooks/post-receive &&
	cp -p chain.git/hooks/post-receive orig-post-receive &&
	snap chain.git/hooks >before.snap &&
	herald install chain.git >out &&
	grep -F "the hook that was there runs first, as '\''$TRASH/chain.git/hooks/post-receive.herald-chained'\''" out &&
	cmp orig-post-receive chain.git/hooks/post-receive.herald-chained &&
	grep -qx "# installed by herald" chain.git/hooks/post-receive &&
	new_commit src &&
	stub_push chain.git src 2>err &&
	grep "remote: chained ran" err &&
	test_cmp expect.in chained.in &&
	test_cmp expect.in stub.post-receive.in &&
	echo "hook post-receive" >expect &&
	test_cmp expect stub.post-receive.argv
'

test_expect_success 'installing twice changes nothing' '
	snap chain.git/hooks >once.snap &&
	herald install chain.git >out &&
	grep -F "'\''$TRASH/chain.git/hooks/post-receive'\'' is up to date" out &&
	grep -F "'\''$TRASH/chain.git/hooks/pre-receive'\'' is up to date" out &&
	snap chain.git/hooks >twice.snap &&
	test_cmp once.snap twice.snap &&
	! test -e chain.git/hooks/post-receive.herald-chained.herald-chained
'

test_expect_success '--uninstall puts the chained hook back byte for byte' '
	herald install --uninstall chain.git >out &&
	grep -F "put back '\''$TRASH/chain.git/hooks/post-receive'\''" out &&
	grep -F "removed '\''$TRASH/chain.git/hooks/pre-receive'\''" out &&
	snap chain.git/hooks >after.snap &&
	test_cmp before.snap after.snap &&
	cmp orig-post-receive chain.git/hooks/post-receive &&
	herald install --uninstall chain.git >out &&
	grep -Fx "no herald post-receive hook in '\''$TRASH/chain.git/hooks'\''" out &&
	snap chain.git/hooks >again.snap &&
	test_cmp before.snap again.snap
'

test_expect_success 'a chained pre-receive gets the input, and its refusal refuses the push' '
	git init -q --bare pre.git &&
	cat >pre.git/hooks/pre-receive <<-EOF &&
	#!/bin/sh
	cat >"$TRASH/pre.in"
	test ! -e "$TRASH/pre.refuse"
	EOF
	chmod 700 pre.git/hooks/pre-receive &&
	snap pre.git/hooks >before.snap &&
	herald install pre.git >/dev/null &&
	test -x pre.git/hooks/pre-receive.herald-chained &&
	stub_push pre.git src &&
	test_cmp expect.in pre.in &&
	test_cmp expect.in stub.pre-receive.in &&
	new_commit src &&
	before=$(git -C pre.git rev-parse main) &&
	touch pre.refuse &&
	! stub_push pre.git src &&
	test_cmp expect.in pre.in &&
	test "$(git -C pre.git rev-parse main)" = "$before" &&
	! test -e stub.pre-receive.argv &&
	! test -e stub.post-receive.argv &&
	herald install --uninstall pre.git >/dev/null &&
	snap pre.git/hooks >after.snap &&
	test_cmp before.snap after.snap
'

test_expect_success 'a chained hook that is not executable stays so, and is restored' '
	git init -q --bare noexec.git &&
	printf "#!/bin/sh\nexit 1\n" >noexec.git/hooks/pre-receive &&
	chmod 644 noexec.git/hooks/pre-receive &&
	snap noexec.git/hooks >before.snap &&
	herald install noexec.git >/dev/null &&
	! test -x noexec.git/hooks/pre-receive.herald-chained &&
	stub_push noexec.git src &&
	herald install --uninstall noexec.git >/dev/null &&
	snap noexec.git/hooks >after.snap &&
	test_cmp before.snap after.snap
'

test_expect_success 'a post-receive.d/ folder gets its own entry; the main hook is left alone' '
	git init -q --bare gitea.git &&
	cat >gitea.git/hooks/post-receive <<-\EOF &&
	#!/bin/sh
	data=$(cat)
	for hook in "$0.d"/*; do
		test -x "$hook" && test -f "$hook" || continue
		printf "%s\n" "$data" | "$hook"
	done
	EOF
	chmod 755 gitea.git/hooks/post-receive &&
	mkdir gitea.git/hooks/post-receive.d &&
	snap gitea.git/hooks >before.snap &&
	herald install gitea.git >out &&
	grep -Fx "installed '\''$TRASH/gitea.git/hooks/post-receive.d/herald'\''" out &&
	test -x gitea.git/hooks/post-receive.d/herald &&
	grep -qx "# installed by herald" gitea.git/hooks/post-receive.d/herald &&
	! test -e gitea.git/hooks/post-receive.herald-chained &&
	! grep -q herald gitea.git/hooks/post-receive &&
	stub_push gitea.git src &&
	test_cmp expect.in stub.post-receive.in &&
	herald install gitea.git >out &&
	grep -F "post-receive.d/herald'\'' is up to date" out &&
	herald install --uninstall gitea.git >out &&
	grep -Fx "removed '\''$TRASH/gitea.git/hooks/post-receive.d/herald'\''" out &&
	snap gitea.git/hooks >after.snap &&
	test_cmp before.snap after.snap
'

test_expect_success 'someone else'\''s post-receive.d/herald is not overwritten' '
	git init -q --bare other.git &&
	mkdir other.git/hooks/post-receive.d &&
	echo mine >other.git/hooks/post-receive.d/herald &&
	test_expect_code 128 herald install other.git 2>err &&
	grep "was not installed by herald" err &&
	echo mine >expect &&
	test_cmp expect other.git/hooks/post-receive.d/herald
'

test_expect_success 'a repository path with spaces' '
	mkdir "dir with space" &&
	git init -q --bare "dir with space/my blog.git" &&
	herald -C "dir with space" install "my blog.git" >out &&
	stub_push "dir with space/my blog.git" src &&
	test_cmp expect.in stub.post-receive.in &&
	test_cmp expect.in stub.pre-receive.in &&
	exe=$(readlink -f "$HERALD") &&
	grep -Fx "*/5 * * * * $exe -C '\''$TRASH/dir with space/my blog.git'\'' deliver --max-time 240" out &&
	grep -Fx "0 * * * * $exe -C '\''$TRASH/dir with space/my blog.git'\'' tick" out &&
	inst=$(escape_path "$TRASH/dir with space/my blog.git") &&
	grep -Fx "systemctl enable --now '\''herald-deliver@$inst.timer'\'' '\''herald-tick@$inst.timer'\''" out &&
	grep -Fx "mkdir -p '\''/etc/systemd/system/herald-tick@$inst.service.d'\''" out
'

exe=$(readlink -f "$HERALD")
inst=$(escape_path "$TRASH/it's 100%.git")
cat >expect.quoted <<EOF
*/5 * * * * $exe -C '$TRASH/it'\\''s 100\\%.git' deliver --max-time 240
systemctl enable --now 'herald-deliver@$inst.timer' 'herald-tick@$inst.timer'
EOF
test_expect_success 'cron and systemd lines escape % and quote quotes' '
	git init -q --bare "it'\''s 100%.git" &&
	herald install "it'\''s 100%.git" >out &&
	grep -Fx "$(sed -n 1p expect.quoted)" out &&
	grep -Fx "$(sed -n 2p expect.quoted)" out
'

test_expect_success 'core.hooksPath, relative to the git dir, is respected' '
	git init -q --bare hp.git &&
	git -C hp.git config core.hooksPath custom-hooks &&
	snap hp.git/hooks >before.snap &&
	herald install hp.git >out &&
	grep -Fx "installed '\''$TRASH/hp.git/custom-hooks/post-receive'\''" out &&
	test -x hp.git/custom-hooks/pre-receive &&
	snap hp.git/hooks >after.snap &&
	test_cmp before.snap after.snap &&
	stub_push hp.git src &&
	test_cmp expect.in stub.post-receive.in
'

test_expect_success 'an absolute core.hooksPath with spaces, for a non-bare repository' '
	git init -q hp2 &&
	mkdir "shared hooks" &&
	git -C hp2 config core.hooksPath "$TRASH/shared hooks" &&
	herald install hp2 >out &&
	grep -Fx "installed '\''$TRASH/shared hooks/post-receive'\''" out &&
	test -x "shared hooks/pre-receive" &&
	! test -e hp2/.git/hooks/post-receive &&
	herald install --uninstall hp2 >/dev/null &&
	! test -e "shared hooks/post-receive" &&
	! test -e "shared hooks/pre-receive"
'

test_expect_success 'a hooks folder that does not exist is made' '
	git init -q --bare nohooks.git &&
	rm -r nohooks.git/hooks &&
	herald install nohooks.git >/dev/null &&
	test -x nohooks.git/hooks/post-receive
'

test_expect_success 'the hooks run the herald that installed them when $HERALD is unset' '
	mkdir bin &&
	cp "$HERALD" bin/herald &&
	git init -q --bare baked.git &&
	bin/herald install baked.git >/dev/null &&
	grep -Fx "installed_herald='\''$TRASH/bin/herald'\''" baked.git/hooks/post-receive &&
	cp stub bin/herald &&
	rm -f stub.* &&
	push_line baked.git src >expect.in &&
	env -u HERALD git -C src push -q "file://$TRASH/baked.git" main &&
	test_cmp expect.in stub.post-receive.in &&
	test_cmp expect.in stub.pre-receive.in
'

if env PATH=/usr/bin:/bin sh -c "command -v herald" >/dev/null 2>&1; then
	test_skip 'without herald, the push goes through' 'herald is on PATH'
else
	test_expect_success 'without herald, the push goes through' '
		rm bin/herald &&
		new_commit src &&
		git -C src push -q "file://$TRASH/baked.git" main 2>/dev/null &&
		new_commit src &&
		env -u HERALD PATH=/usr/bin:/bin git -C src push -q "file://$TRASH/baked.git" main 2>err &&
		grep "^remote: herald: not installed *$" err &&
		test "$(git -C baked.git rev-parse main)" = "$(git -C src rev-parse HEAD)"
	'
fi

test_expect_success 'the built-in scripts are those of hooks/' '
	git init -q --bare builtin.git &&
	git init -q --bare fromdir.git &&
	cp "$HERALD" bin/herald &&
	bin/herald install builtin.git >/dev/null &&
	bin/herald install --hooks "$SRC_DIR/hooks" fromdir.git >/dev/null &&
	for h in post-receive pre-receive; do
		cmp builtin.git/hooks/$h fromdir.git/hooks/$h &&
		grep -v "^installed_herald=" "$SRC_DIR/hooks/$h" >expect &&
		grep -v "^installed_herald=" builtin.git/hooks/$h >actual &&
		test_cmp expect actual || return 1
	done
'

test_expect_success 'scripts come from --hooks, $HERALD_HOOKS_DIR, then share/herald/hooks' '
	mkdir -p tpl-env tpl-opt prefix/bin prefix/share/herald/hooks &&
	for h in post-receive pre-receive; do
		printf "#!/bin/sh\necho env\n" >tpl-env/$h &&
		printf "#!/bin/sh\n# installed by herald\necho opt\n" >tpl-opt/$h &&
		sed "s/^# installed by herald$/&\n# from share/" "$SRC_DIR/hooks/$h" \
			>prefix/share/herald/hooks/$h || return 1
	done &&
	git init -q --bare t1.git &&
	HERALD_HOOKS_DIR="$TRASH/tpl-env" herald install t1.git >/dev/null &&
	printf "#!/bin/sh\n# installed by herald\necho env\n" >expect &&
	test_cmp expect t1.git/hooks/post-receive &&
	HERALD_HOOKS_DIR="$TRASH/tpl-env" herald install --hooks tpl-opt t1.git >out &&
	grep "installed .*/t1.git/hooks/post-receive" out &&
	printf "#!/bin/sh\n# installed by herald\necho opt\n" >expect &&
	test_cmp expect t1.git/hooks/post-receive &&
	cp "$HERALD" prefix/bin/herald &&
	git init -q --bare t2.git &&
	prefix/bin/herald install t2.git >/dev/null &&
	grep -x "# from share" t2.git/hooks/pre-receive &&
	grep -Fx "installed_herald='\''$TRASH/prefix/bin/herald'\''" t2.git/hooks/pre-receive &&
	test_expect_code 128 herald install --hooks "$TRASH/nowhere" t2.git 2>err &&
	grep "cannot read the hook script '\''$TRASH/nowhere/post-receive'\''" err
'

test_expect_success 'errors: not a repository, usage' '
	mkdir plain &&
	test_expect_code 128 herald install plain 2>err &&
	grep "not a git repository: '\''plain'\''" err &&
	test_expect_code 129 herald install --bogus 2>err &&
	test_expect_code 129 herald install a b 2>err &&
	herald install -h >out &&
	grep "usage: herald install" out
'

test_done
