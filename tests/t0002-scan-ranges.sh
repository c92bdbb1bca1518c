#!/bin/sh
# Which two snapshots scan compares: multi-commit ranges, merges, root
# commits, force-pushes, the ways to name a range, commit attribution, and
# the repositories herald refuses.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/scan-lib.sh"

test_expect_success 'added then edited in one range is one new, from the newest commit' '
	new_repo net &&
	fm _posts/2020-03-30-base.md <<-\EOT &&
	title: Base
	EOT
	commit_all "base" &&
	git tag base &&
	fm _posts/2020-03-30-a.md <<-\EOT &&
	title: A
	EOT
	commit_all "add a" &&
	sed -i "s/^title: A/title: A, edited/" _posts/2020-03-30-a.md &&
	commit_all "edit a" &&
	expect_fields type,path,title base HEAD <<-\EOT &&
	new	_posts/2020-03-30-a.md	A, edited
	EOT
	test "$(jget .events[0].commit.subject)" = "edit a"
'

test_expect_success 'added then deleted in one range is nothing' '
	cd "$TRASH/net" &&
	git tag before-b &&
	fm _posts/2020-03-30-b.md <<-\EOT &&
	title: B
	EOT
	commit_all "add b" &&
	git rm -q _posts/2020-03-30-b.md &&
	commit_all "drop b" &&
	expect_events before-b HEAD &&
	expect_events --drafts before-b HEAD
'

test_expect_success 'edited then reverted in one range is nothing' '
	cd "$TRASH/net" &&
	git tag before-revert &&
	sed -i "s/^title: Base/title: Changed/" _posts/2020-03-30-base.md &&
	commit_all "change" &&
	test_tick &&
	git revert --no-edit HEAD >/dev/null &&
	expect_events before-revert HEAD
'

test_expect_success 'draft added then undrafted in one range is new' '
	cd "$TRASH/net" &&
	git tag before-c &&
	fm _drafts/c.md <<-\EOT &&
	title: C
	EOT
	commit_all "draft c" &&
	mkdir -p _posts &&
	git mv _drafts/c.md _posts/2020-03-30-c.md &&
	commit_all "publish c" &&
	expect_events before-c HEAD <<-\EOT
	new _posts/2020-03-30-c.md
	EOT
'

test_expect_success 'moved then edited in one range is one moved with changes' '
	cd "$TRASH/net" &&
	git tag before-move &&
	mkdir -p blog &&
	git mv _posts/2020-03-30-base.md blog/base.md &&
	commit_all "move" &&
	sed -i "s/^title: Base/title: Based/" blog/base.md &&
	commit_all "retitle" &&
	expect_fields type,path,from_path,changes before-move HEAD <<-\EOT
	moved	blog/base.md	_posts/2020-03-30-base.md	[{"after":"Based","before":"Base","field":"title"}]
	EOT
'

test_expect_success 'merge: the side branch post is new, attributed to its own commit' '
	new_repo merge &&
	fm _posts/2020-03-30-base.md <<-\EOT &&
	title: Base
	EOT
	commit_all "base" &&
	git checkout -q -b side &&
	fm _posts/2020-03-30-side.md <<-\EOT &&
	title: Side
	EOT
	test_tick &&
	git add -A &&
	GIT_AUTHOR_NAME="Side Author" GIT_AUTHOR_EMAIL=side@example.com git commit -q -m "Add the side post" &&
	side=$(git rev-parse HEAD) &&
	git checkout -q main &&
	fm _posts/2020-03-30-main.md <<-\EOT &&
	title: Main
	EOT
	commit_all "Add the main post" &&
	test_tick &&
	git merge -q --no-ff -m "Merge branch side" side &&
	expect_events <<-\EOT &&
	new _posts/2020-03-30-side.md
	EOT
	test "$(jget .from)" = "$(git rev-parse HEAD^1)" &&
	test "$(jget .to)" = "$(git rev-parse HEAD)" &&
	test "$(jget .events[0].commit.id)" = "$side" &&
	test "$(jget .events[0].commit.subject)" = "Add the side post" &&
	test "$(jget .events[0].commit.author)" = "Side Author" &&
	test "$(jget .events[0].commit.email)" = "side@example.com" &&
	test "$(jget .events[0].commit.date)" = "2020-03-30T00:03:00Z"
'

test_expect_success 'merge scanned against its second parent shows the main post' '
	cd "$TRASH/merge" &&
	expect_events HEAD^2 HEAD <<-\EOT
	new _posts/2020-03-30-main.md
	EOT
'

test_expect_success 'root commit is compared with the empty tree' '
	new_repo root &&
	fm _posts/2020-03-30-first.md <<-\EOT &&
	title: First
	EOT
	fm _drafts/wip.md <<-\EOT &&
	title: WIP
	EOT
	commit_all "root" &&
	expect_events <<-\EOT &&
	new _posts/2020-03-30-first.md
	EOT
	test "$(jget .from)" = null &&
	test "$(jget .to)" = "$(git rev-parse HEAD)" &&
	test "$(jget .now)" = "$NOW"
'

test_expect_success 'FROM not an ancestor of TO (force-push): the net difference' '
	new_repo force &&
	fm _posts/2020-03-30-a.md <<-\EOT &&
	title: A
	EOT
	fm _posts/2020-03-30-b.md <<-\EOT &&
	title: B
	EOT
	commit_all "a and b" &&
	fm _posts/2020-03-30-c.md <<-\EOT &&
	title: C
	EOT
	sed -i "s/^title: B/title: B2/" _posts/2020-03-30-b.md &&
	commit_all "c, edit b" &&
	old=$(git rev-parse HEAD) &&
	git reset -q --hard HEAD~1 &&
	fm _posts/2020-03-30-d.md <<-\EOT &&
	title: D
	EOT
	git rm -q _posts/2020-03-30-a.md &&
	commit_all "d, drop a" &&
	expect_events "$old" HEAD <<-\EOT &&
	new _posts/2020-03-30-d.md
	updated _posts/2020-03-30-b.md
	deleted _posts/2020-03-30-a.md
	deleted _posts/2020-03-30-c.md
	EOT
	test "$(jget .from)" = "$old"
'

test_expect_success 'FROM..TO is the same as FROM TO' '
	cd "$TRASH/net" &&
	events base HEAD >"$TRASH/two" &&
	cp "$TRASH/scan.json" "$TRASH/two.json" &&
	events base..HEAD >"$TRASH/dots" &&
	test_cmp "$TRASH/two" "$TRASH/dots" &&
	test_cmp "$TRASH/two.json" "$TRASH/scan.json" &&
	test -s "$TRASH/dots"
'

test_expect_success 'one revision is FROM, with TO = HEAD' '
	cd "$TRASH/net" &&
	events base HEAD >"$TRASH/two" &&
	events base >"$TRASH/one" &&
	test_cmp "$TRASH/two" "$TRASH/one" &&
	test "$(jget .from)" = "$(git rev-parse base)" &&
	test "$(jget .to)" = "$(git rev-parse HEAD)"
'

test_expect_success 'no revision is HEAD^1..HEAD' '
	cd "$TRASH/net" &&
	events HEAD~1 HEAD >"$TRASH/two" &&
	events >"$TRASH/none" &&
	test_cmp "$TRASH/two" "$TRASH/none"
'

test_expect_success '--all compares TO with the empty tree' '
	cd "$TRASH/net" &&
	expect_events --all <<-\EOT &&
	new _posts/2020-03-30-a.md
	new _posts/2020-03-30-c.md
	new blog/base.md
	EOT
	test "$(jget .from)" = null &&
	expect_events --all base <<-\EOT &&
	new _posts/2020-03-30-base.md
	EOT
	test "$(jget .to)" = "$(git rev-parse base)"
'

test_expect_success 'commit attribution: the newest commit in the range touching each post' '
	new_repo attrib &&
	fm _posts/2020-03-30-a.md <<-\EOT &&
	title: A
	EOT
	fm _posts/2020-03-30-b.md <<-\EOT &&
	title: B
	EOT
	commit_all "two posts" &&
	echo "edit 1" >>_posts/2020-03-30-a.md &&
	test_tick &&
	GIT_AUTHOR_NAME="First Editor" GIT_AUTHOR_EMAIL=first@example.com git commit -qam "Edit a" &&
	echo "edit 2" >>_posts/2020-03-30-b.md &&
	test_tick &&
	GIT_AUTHOR_NAME="Second Editor" GIT_AUTHOR_EMAIL=second@example.com git commit -qam "Edit b" &&
	b_commit=$(git rev-parse HEAD) &&
	echo "edit 3" >>_posts/2020-03-30-a.md &&
	test_tick &&
	GIT_AUTHOR_NAME="Third Editor" GIT_AUTHOR_EMAIL=third@example.com git commit -qam "Edit a again

	With a body that is not the subject." &&
	a_commit=$(git rev-parse HEAD) &&
	git commit -q --allow-empty -m "unrelated" &&
	expect_events HEAD~4 HEAD <<-\EOT &&
	updated _posts/2020-03-30-a.md
	updated _posts/2020-03-30-b.md
	EOT
	cat >"$TRASH/expect" <<-EOT &&
	$a_commit
	$(git rev-parse --short=7 "$a_commit")
	Edit a again
	Third Editor
	third@example.com
	2020-03-30T00:05:00Z
	$b_commit
	Edit b
	Second Editor
	second@example.com
	2020-03-30T00:04:00Z
	EOT
	for q in id short subject author email date
	do
		jget .events[0].commit.$q || return 1
	done >"$TRASH/actual" &&
	for q in id subject author email date
	do
		jget .events[1].commit.$q || return 1
	done >>"$TRASH/actual" &&
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

test_expect_success 'unknown revision: exit 128, one line on stderr, nothing on stdout' '
	cd "$TRASH/net" &&
	test_expect_code 128 herald scan --json no-such-rev >"$TRASH/out" 2>"$TRASH/err" &&
	test ! -s "$TRASH/out" &&
	test "$(wc -l <"$TRASH/err")" = 1 &&
	grep "no-such-rev" "$TRASH/err" &&
	test_expect_code 128 herald scan base..no-such-rev 2>"$TRASH/err" &&
	test "$(wc -l <"$TRASH/err")" = 1
'

test_expect_success 'not a git repository: exit 128' '
	d=$(mktemp -d) &&
	if git -C "$d" rev-parse --git-dir >/dev/null 2>&1
	then
		echo "$d is inside a repository; cannot test" && rm -rf "$d" && return 1
	fi &&
	test_expect_code 128 herald -C "$d" scan 2>"$TRASH/err"
	rc=$?
	rm -rf "$d"
	test $rc = 0 &&
	cat "$TRASH/err" &&
	grep -i "not a git repository" "$TRASH/err"
'

test_expect_success '-C with a work tree subfolder, a git dir and a bare repository' '
	cd "$TRASH/net" &&
	events base HEAD >"$TRASH/expect" &&
	cd "$TRASH" &&
	rm -rf bare.git && git clone -q --bare net bare.git &&
	for d in net/_posts net/.git bare.git
	do
		herald -C $d scan --json --now "$NOW" base HEAD >"$TRASH/c.json" &&
		fmt_events "$TRASH/c.json" >"$TRASH/actual" &&
		test_cmp "$TRASH/expect" "$TRASH/actual" || return 1
	done
'

test_expect_success 'SHA-256 repository: exit 128 naming SHA-256' '
	rm -rf sha256 &&
	git init -q --object-format=sha256 sha256 &&
	cd sha256 &&
	fm _posts/2020-03-30-a.md <<-\EOT &&
	title: A
	EOT
	commit_all "a" &&
	test_expect_code 128 herald scan --json >"$TRASH/out" 2>"$TRASH/err" &&
	test ! -s "$TRASH/out" &&
	cat "$TRASH/err" &&
	grep -i "sha-256" "$TRASH/err"
'

test_expect_success 'reftable repository: exit 128 naming reftable' '
	new_repo reftable &&
	fm _posts/2020-03-30-a.md <<-\EOT &&
	title: A
	EOT
	commit_all "a" &&
	git config core.repositoryformatversion 1 &&
	git config extensions.refStorage reftable &&
	test_expect_code 128 herald scan --json >"$TRASH/out" 2>"$TRASH/err" &&
	test ! -s "$TRASH/out" &&
	cat "$TRASH/err" &&
	grep -i "reftable" "$TRASH/err"
'

test_expect_success 'usage errors exit 129' '
	cd "$TRASH/net" &&
	test_expect_code 129 herald scan --no-such-option &&
	test_expect_code 129 herald scan --now not-a-date &&
	test_expect_code 129 herald no-such-command &&
	test_expect_code 129 herald &&
	test_expect_code 129 herald -C
'

test_expect_success 'too many revisions is a usage error (129)' '
	cd "$TRASH/net" &&
	test_expect_code 129 herald scan base HEAD HEAD &&
	test_expect_code 129 herald scan --all base HEAD
'

test_expect_success 'FROM equal to TO: no events, exit 0' '
	cd "$TRASH/net" &&
	expect_events HEAD HEAD &&
	test "$(jget .from)" = "$(jget .to)"
'

test_expect_success 'annotated tags are peeled to their commits' '
	cd "$TRASH/net" &&
	git tag -a -m "v1" v1 base &&
	git tag -a -m "v2" v2 HEAD &&
	events base HEAD >"$TRASH/expect" &&
	events v1 v2 >"$TRASH/actual" &&
	test_cmp "$TRASH/expect" "$TRASH/actual" &&
	test "$(jget .from)" = "$(git rev-parse base^{commit})" &&
	test "$(jget .to)" = "$(git rev-parse HEAD)" &&
	events v1..v2 >"$TRASH/actual" &&
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

test_done
