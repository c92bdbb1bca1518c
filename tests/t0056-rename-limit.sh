#!/bin/sh
# Rename detection looks only where posts can be: a commit renaming 8,000
# data files is scanned without comparing them, posts moved in the same
# commit are still found, exact renames are paired by object id first, and
# diff.renameLimit caps the inexact comparisons with a warning, as in git.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/scan-lib.sh"

# data_files DIR PREFIX REV: 8,000 files DIR/PREFIXNNNNN.json of 8 lines,
# distinct per file; the first line carries REV, so REV 0 and REV 1 of a
# file are 7/8 alike.
data_files() {
	mkdir -p "$1" &&
	awk -v dir="$1" -v prefix="$2" -v rev="$3" 'BEGIN {
		for (n = 0; n < 8000; n++) {
			f = sprintf("%s/%s%05d.json", dir, prefix, n)
			printf "{\"id\": %d, \"rev\": %d}\n", n, rev > f
			x = n * 7919 + 17
			for (l = 1; l < 8; l++) {
				x = (x * 16807) % 2147483647
				printf "{\"id\": %d, \"line\": %d, \"n\": %d}\n", n, l, x > f
			}
			close(f)
		}
	}'
}

# post PATH TITLE: a post with a ten-line body unique to TITLE.
post() {
	ten_line_post "$1" "$2"
}

test_expect_success 'setup: 8,000 data files and four posts' '
	new_repo mass &&
	data_files data "" 0 &&
	post _posts/2019-01-01-kept.md Kept &&
	post _posts/2019-01-02-moved.md Moved &&
	post _posts/2019-01-03-edited.md Edited &&
	post _posts/2019-01-04-gone.md Gone &&
	commit_all "data and posts" &&
	test $(git ls-files | wc -l) = 8004
'

test_expect_success 'one commit renames the 8,000 data files and moves posts' '
	cd "$TRASH/mass" &&
	rm -r data &&
	data_files assets/data item- 1 &&
	mkdir -p blog/_posts &&
	git mv _posts/2019-01-02-moved.md blog/_posts/2019-01-02-moved.md &&
	git mv _posts/2019-01-03-edited.md blog/_posts/2019-01-03-edited.md &&
	sed -i "s/^Line 10 .*/The last line was rewritten./" blog/_posts/2019-01-03-edited.md &&
	git rm -q _posts/2019-01-04-gone.md &&
	post _posts/2020-03-30-fresh.md Fresh &&
	commit_all "move the data files and some posts" &&
	git diff --name-status -M HEAD~1 HEAD >"$TRASH/git-status" 2>"$TRASH/git-err" &&
	grep "rename detection was skipped" "$TRASH/git-err" &&
	herald scan --json --now "$NOW" >"$TRASH/scan.json" 2>"$TRASH/err" &&
	{ test ! -s "$TRASH/err" || { cat "$TRASH/err"; false; }; } &&
	fmt_events >"$TRASH/actual" &&
	cat >"$TRASH/expect" <<-\EOT &&
	new _posts/2020-03-30-fresh.md
	moved blog/_posts/2019-01-02-moved.md < _posts/2019-01-02-moved.md
	moved blog/_posts/2019-01-03-edited.md < _posts/2019-01-03-edited.md
	deleted _posts/2019-01-04-gone.md
	EOT
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

test_expect_success 'the posts renamed are the pairs git finds among them' '
	cd "$TRASH/mass" &&
	git diff --name-status -M HEAD~1 HEAD -- _posts blog |
		grep "^R" | cut -f2,3 | sort >"$TRASH/expect" &&
	test $(wc -l <"$TRASH/expect") = 2 &&
	python3 -c "
import json, sys
for e in json.load(open(sys.argv[1]))[\"events\"]:
    if e[\"type\"] == \"moved\":
        print(e[\"from_path\"] + \"\t\" + e[\"path\"])
" "$TRASH/scan.json" | sort >"$TRASH/actual" &&
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

test_expect_success 'the data files are attributed to nothing and cost no warning in a range' '
	cd "$TRASH/mass" &&
	herald scan --json --now "$NOW" HEAD~1 HEAD >"$TRASH/scan2.json" 2>"$TRASH/err" &&
	{ test ! -s "$TRASH/err" || { cat "$TRASH/err"; false; }; } &&
	cmp "$TRASH/scan.json" "$TRASH/scan2.json"
'

test_expect_success 'setup: three posts moved, one unchanged and two edited' '
	new_repo limit &&
	post _posts/2019-02-01-a.md A &&
	post _posts/2019-02-02-b.md B &&
	post _posts/2019-02-03-c.md C &&
	commit_all "three posts" &&
	mkdir blog &&
	git mv _posts/2019-02-01-a.md blog/a.md &&
	git mv _posts/2019-02-02-b.md blog/b.md &&
	git mv _posts/2019-02-03-c.md blog/c.md &&
	sed -i "s/^Line 1 .*/Rewritten./" blog/b.md blog/c.md &&
	commit_all "move"
'

test_expect_success 'diff.renameLimit 1: exact renames paired, the others not, and a warning' '
	cd "$TRASH/limit" &&
	git config diff.renameLimit 1 &&
	git diff --name-status -M HEAD~1 HEAD >"$TRASH/git-status" 2>"$TRASH/git-err" &&
	grep "rename detection was skipped" "$TRASH/git-err" &&
	grep "^R100	_posts/2019-02-01-a.md	blog/a.md" "$TRASH/git-status" &&
	grep "^A	blog/b.md" "$TRASH/git-status" &&
	herald scan --json --now "$NOW" >"$TRASH/scan.json" 2>"$TRASH/err" &&
	fmt_events >"$TRASH/actual" &&
	cat >"$TRASH/expect" <<-\EOT &&
	new blog/b.md
	new blog/c.md
	moved blog/a.md < _posts/2019-02-01-a.md
	deleted _posts/2019-02-02-b.md
	deleted _posts/2019-02-03-c.md
	EOT
	test_cmp "$TRASH/expect" "$TRASH/actual" &&
	cat >"$TRASH/expect" <<-\EOT &&
	herald: warning: inexact rename detection was skipped due to too many files
	herald: warning: set diff.renameLimit to at least 2 to find renames of posts in this range
	EOT
	test_cmp "$TRASH/expect" "$TRASH/err"
'

test_expect_success 'diff.renameLimit 2 (2 x 2 candidates) and 0 (no limit) find every move' '
	cd "$TRASH/limit" &&
	cat >"$TRASH/expect" <<-\EOT &&
	moved blog/a.md < _posts/2019-02-01-a.md
	moved blog/b.md < _posts/2019-02-02-b.md
	moved blog/c.md < _posts/2019-02-03-c.md
	EOT
	for limit in 2 0
	do
		git config diff.renameLimit $limit &&
		herald scan --json --now "$NOW" >"$TRASH/scan.json" 2>"$TRASH/err" &&
		{ test ! -s "$TRASH/err" || { cat "$TRASH/err"; false; }; } &&
		fmt_events >"$TRASH/actual" &&
		test_cmp "$TRASH/expect" "$TRASH/actual" || return 1
	done &&
	git config --unset diff.renameLimit
'

test_expect_success 'a bad diff.renameLimit is an error' '
	cd "$TRASH/limit" &&
	git config diff.renameLimit lots &&
	test_expect_code 128 herald scan --json >/dev/null 2>"$TRASH/err" &&
	grep "diff.renameLimit" "$TRASH/err" &&
	git config --unset diff.renameLimit
'

test_expect_success 'two identical posts deleted, one added: the same base name wins, as in git' '
	new_repo twins &&
	post _posts/2019-03-01-twin.md Twin &&
	cp _posts/2019-03-01-twin.md _posts/2019-03-02-other.md &&
	commit_all "twins" &&
	mkdir blog &&
	git mv _posts/2019-03-02-other.md blog/2019-03-02-other.md &&
	git rm -q _posts/2019-03-01-twin.md &&
	commit_all "keep one" &&
	git diff --name-status -M HEAD~1 HEAD >"$TRASH/git-status" &&
	grep "^R100	_posts/2019-03-02-other.md	blog/2019-03-02-other.md" "$TRASH/git-status" &&
	expect_events <<-\EOT
	moved blog/2019-03-02-other.md < _posts/2019-03-02-other.md
	deleted _posts/2019-03-01-twin.md
	EOT
'

test_expect_success 'a data file edited into a post is new; a post edited into data is deleted' '
	new_repo across &&
	post notes/idea.md Idea &&
	post _posts/2019-04-01-leaving.md Leaving &&
	commit_all "base" &&
	mkdir -p _posts archive &&
	git mv notes/idea.md _posts/2019-04-02-idea.md &&
	git mv _posts/2019-04-01-leaving.md archive/leaving.md &&
	sed -i "s/^Line 2 .*/Edited./" _posts/2019-04-02-idea.md archive/leaving.md &&
	commit_all "swap" &&
	test "$(git diff --name-status -M HEAD~1 HEAD | cut -c1 | tr -d "\n")" = RR &&
	expect_events <<-\EOT
	new _posts/2019-04-02-idea.md
	deleted _posts/2019-04-01-leaving.md
	EOT
'

test_done
