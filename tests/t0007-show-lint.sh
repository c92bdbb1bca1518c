#!/bin/sh
# herald show (text and --json, --at), herald lint (clean, errors, warnings,
# REV), herald version, and --help of every command.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/scan-lib.sh"

PUB=_posts/2020-03-30-pub.md

test_expect_success 'setup: a published, a draft, a scheduled and an invalid post' '
	new_repo blog &&
	printf "base_url: https://blog.example.com\n" >.herald.yml &&
	write_post $PUB <<-\EOT &&
	---
	title: Published post
	tags: [news, meta]
	description: What this post is about.
	---

	The body.
	EOT
	fm _drafts/idea.md <<-\EOT &&
	title: An idea
	EOT
	fm _posts/2030-01-01-later.md <<-\EOT &&
	title: Later
	EOT
	commit_all "clean posts" &&
	git tag clean &&
	write_post _posts/2020-03-30-broken.md <<-\EOT &&
	---
	title: Broken
	bad: a: b
	---

	Body.
	EOT
	sed -i "s/^title: Published post/title: Published post, edited/" $PUB &&
	commit_all "edit and break" &&
	fm notes/not-a-post.md <<-\EOT &&
	title: Note
	EOT
	commit_all "a note"
'

test_expect_success 'show: published post, text' '
	cd "$TRASH/blog" &&
	herald show --now "$NOW" $PUB >"$TRASH/actual" &&
	test_cmp "$EXPECT/t0007-show-published.txt" "$TRASH/actual"
'

test_expect_success 'show --json: published post' '
	cd "$TRASH/blog" &&
	herald show --json --now "$NOW" $PUB >"$TRASH/actual" &&
	test_cmp "$EXPECT/t0007-show-published.json" "$TRASH/actual"
'

test_expect_success 'show: draft' '
	cd "$TRASH/blog" &&
	herald show --now "$NOW" _drafts/idea.md >"$TRASH/actual" &&
	grep "^state  *draft$" "$TRASH/actual" &&
	herald show --json --now "$NOW" _drafts/idea.md >"$TRASH/show.json" &&
	test "$(jget .state "$TRASH/show.json")" = draft &&
	test "$(jget .title "$TRASH/show.json")" = "An idea" &&
	test "$(jget .error "$TRASH/show.json")" = null
'

test_expect_success 'show: scheduled, and published once --now passes its date' '
	cd "$TRASH/blog" &&
	herald show --now "$NOW" _posts/2030-01-01-later.md >"$TRASH/actual" &&
	grep "^state  *scheduled$" "$TRASH/actual" &&
	herald show --json --now "$NOW" _posts/2030-01-01-later.md >"$TRASH/show.json" &&
	test "$(jget .state "$TRASH/show.json")" = scheduled &&
	test "$(jget .date "$TRASH/show.json")" = 2030-01-01T00:00:00Z &&
	test "$(jget .url "$TRASH/show.json")" = https://blog.example.com/2030/01/01/later/ &&
	herald show --json --now 2030-01-01T00:00:00Z _posts/2030-01-01-later.md >"$TRASH/show.json" &&
	test "$(jget .state "$TRASH/show.json")" = published
'

test_expect_success 'show: invalid post exits 1, text names line and column' '
	cd "$TRASH/blog" &&
	test_expect_code 1 herald show --now "$NOW" _posts/2020-03-30-broken.md >"$TRASH/actual" &&
	grep "^state  *invalid$" "$TRASH/actual" &&
	grep "3:7" "$TRASH/actual" &&
	grep "mapping values" "$TRASH/actual"
'

test_expect_success 'show --json: invalid post' '
	cd "$TRASH/blog" &&
	test_expect_code 1 herald show --json --now "$NOW" _posts/2020-03-30-broken.md >"$TRASH/actual" &&
	test_cmp "$EXPECT/t0007-show-invalid.json" "$TRASH/actual"
'

test_expect_success 'show --at REV reads an older version' '
	cd "$TRASH/blog" &&
	herald show --json --now "$NOW" --at clean $PUB >"$TRASH/show.json" &&
	test "$(jget .title "$TRASH/show.json")" = "Published post" &&
	herald show --json --now "$NOW" --at HEAD~2 $PUB >"$TRASH/show.json" &&
	test "$(jget .title "$TRASH/show.json")" = "Published post" &&
	herald show --json --now "$NOW" $PUB --at HEAD~1 >"$TRASH/show.json" &&
	test "$(jget .title "$TRASH/show.json")" = "Published post, edited"
'

test_expect_success 'show: a path that does not exist exits 128' '
	cd "$TRASH/blog" &&
	test_expect_code 128 herald show --now "$NOW" _posts/no-such-post.md >"$TRASH/out" 2>"$TRASH/err" &&
	test ! -s "$TRASH/out" &&
	test -s "$TRASH/err" &&
	test_expect_code 128 herald show --json --now "$NOW" --at clean _posts/2020-03-30-broken.md &&
	test_expect_code 128 herald show --now "$NOW" --at no-such-rev $PUB
'

test_expect_success 'show: a path outside the post globs is absent, not an error exit' '
	cd "$TRASH/blog" &&
	herald show --json --now "$NOW" notes/not-a-post.md >"$TRASH/show.json" &&
	test "$(jget .state "$TRASH/show.json")" = absent &&
	herald show --json --now "$NOW" --posts "notes/*.md" notes/not-a-post.md >"$TRASH/show.json" &&
	test "$(jget .state "$TRASH/show.json")" = published &&
	test "$(jget .title "$TRASH/show.json")" = Note
'

test_expect_success 'show: usage errors exit 129' '
	cd "$TRASH/blog" &&
	test_expect_code 129 herald show &&
	test_expect_code 129 herald show --no-such-option $PUB
'

test_expect_success 'lint of a clean revision: exit 0, nothing on stdout, summary on stderr' '
	cd "$TRASH/blog" &&
	herald lint --now "$NOW" clean >"$TRASH/out" 2>"$TRASH/err" &&
	test ! -s "$TRASH/out" &&
	echo "herald: 3 posts checked: 0 errors, 0 warnings" >"$TRASH/expect" &&
	test_cmp "$TRASH/expect" "$TRASH/err"
'

test_expect_success 'lint with an error: exit 1, path:line:column: error: message' '
	cd "$TRASH/blog" &&
	test_expect_code 1 herald lint --now "$NOW" >"$TRASH/out" 2>"$TRASH/err" &&
	cat >"$TRASH/expect" <<-\EOT &&
	_posts/2020-03-30-broken.md:3:7: error: mapping values are not allowed in this context
	EOT
	test_cmp "$TRASH/expect" "$TRASH/out" &&
	test "$(wc -l <"$TRASH/err")" = 1 &&
	grep -E "^herald: 4 posts checked: 1 errors?, 0 warnings$" "$TRASH/err"
'

test_expect_success 'lint with warnings only: exit 0' '
	new_repo warnings &&
	write_post _posts/2020-03-30-dup.md <<-\EOT &&
	---
	title: One
	title: Two
	---

	Body.
	EOT
	commit_all "warnings" &&
	herald lint --now "$NOW" >"$TRASH/out" 2>"$TRASH/err" &&
	cat "$TRASH/out" "$TRASH/err" &&
	grep "^_posts/2020-03-30-dup\.md:3:1: warning: .*duplicate" "$TRASH/out" &&
	test "$(wc -l <"$TRASH/out")" = 1 &&
	echo "herald: 1 post checked: 0 errors, 1 warning" >"$TRASH/expect" &&
	test_cmp "$TRASH/expect" "$TRASH/err"
'

# Issue 9: an unreadable date used to count as none (the post published at
# once, or dated 1970); Jekyll stops its build on one, so it is an error.
test_expect_success 'an unreadable date is an error for that post, in lint and scan' '
	cd "$TRASH/warnings" &&
	write_post _posts/undated.md <<-\EOT &&
	---
	title: Undated
	date: some day soon
	---

	Body.
	EOT
	commit_all "unreadable date" &&
	test_expect_code 1 herald lint --now "$NOW" >"$TRASH/out" 2>"$TRASH/err" &&
	grep "^_posts/undated\.md:3:1: error: .date. is not a date" "$TRASH/out" &&
	expect_fields type,path,date --all <<-\EOT &&
	new	_posts/2020-03-30-dup.md	2020-03-30T00:00:00Z
	EOT
	jget ".errors[0].path" >"$TRASH/actual" &&
	echo _posts/undated.md >"$TRASH/expect" &&
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

test_expect_success 'lint outside a repository or at an unknown revision exits 128' '
	cd "$TRASH/blog" &&
	test_expect_code 128 herald lint no-such-rev 2>"$TRASH/err" &&
	test "$(wc -l <"$TRASH/err")" = 1
'

test_expect_success 'version prints herald and library versions' '
	herald version >"$TRASH/out" &&
	cat "$TRASH/out" &&
	head -n 1 "$TRASH/out" | grep -E "^herald [0-9]+\.[0-9]+\.[0-9]+" &&
	grep -E "^libgit2 [0-9]+\.[0-9]+" "$TRASH/out" &&
	grep -E "^libyaml [0-9]+\.[0-9]+" "$TRASH/out" &&
	grep -E "^cmark [0-9]+\.[0-9]+" "$TRASH/out" &&
	grep -E "^jansson [0-9]+\.[0-9]+" "$TRASH/out"
'

test_expect_success '-h on each command exits 0 and prints usage on stdout' '
	for c in "" scan show lint version
	do
		herald $c -h >"$TRASH/out" 2>"$TRASH/err" &&
		grep "^usage: herald" "$TRASH/out" &&
		test ! -s "$TRASH/err" || {
			echo "herald $c -h failed" && return 1
		}
	done
'

test_expect_success 'show and lint run from a subfolder, with paths from the root' '
	cd "$TRASH/blog/_posts" &&
	herald show --json --now "$NOW" $PUB >"$TRASH/show.json" &&
	test "$(jget .state "$TRASH/show.json")" = published &&
	herald lint --now "$NOW" clean 2>"$TRASH/err" &&
	grep "^herald: 3 posts checked" "$TRASH/err"
'

test_done
