#!/bin/sh
# Rename similarity against git's own choices: for each row of a table of
# edits (a move alone, a move with 1 to 7 of 10 lines rewritten, growth and
# shrinking around the 50% line, swaps, copies, ties), the posts `herald
# scan` reports as moved are exactly the pairs `git diff -M --raw` finds
# among the posts.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/scan-lib.sh"

# post PATH TITLE: a dated post with a ten-line body unique to TITLE.
post() {
	ten_line_post "$1" "$2" "date: 2019-01-01"
}

# rewrite FILE N...: lines N of the body say something else entirely.
rewrite() {
	f=$1 && shift &&
	for n
	do
		sed -i "s/^Line $n of the post called .*/Rewritten $n: nothing of the old words is left here at all./" "$f" || return 1
	done
}

# compare: git's renames among _posts/ and blog/ against herald's moves.
compare() {
	git diff -M --raw HEAD~1 HEAD -- _posts blog |
		awk -F "\t" '$1 ~ / R[0-9]+$/ { print $2 "\t" $3 }' | sort >"$TRASH/git-pairs" &&
	scan HEAD~1 HEAD &&
	if [ -n "$HAVE_JQ" ]; then
		jq -r '.events[] | select(.type == "moved") | .from_path + "\t" + .path' "$TRASH/scan.json"
	else
		python3 -c '
import json, sys
for e in json.load(open(sys.argv[1]))["events"]:
    if e["type"] == "moved":
        print(e["from_path"] + "\t" + e["path"])
' "$TRASH/scan.json"
	fi | sort >"$TRASH/herald-pairs" &&
	test_cmp "$TRASH/git-pairs" "$TRASH/herald-pairs"
}

# row NAME EXPECTED-PAIRS EDITS: a fresh blog of posts a..d, EDITS (shell
# code) applied and committed; herald's moves must equal git's renames,
# and git's must number EXPECTED-PAIRS (so the row tests what it says).
row() {
	test_expect_success "$1" "
		new_repo case &&
		post _posts/2019-01-01-a.md Alpha &&
		post _posts/2019-01-02-b.md Bravo &&
		post _posts/2019-01-03-c.md Charlie &&
		post _posts/2019-01-04-d.md Delta &&
		commit_all base &&
		mkdir -p blog &&
		$3 &&
		commit_all edit &&
		compare &&
		test \$(wc -l <\"\$TRASH/git-pairs\") = $2
	"
}

row 'a move alone' 1 'git mv _posts/2019-01-01-a.md blog/a.md'
for n in 1 2 3 4 5 6 7
do
	lines=$(seq -s " " 1 $n)
	pairs=1
	[ $n -ge 6 ] && pairs=0
	row "a move with $n of 10 lines rewritten" $pairs \
		"git mv _posts/2019-01-01-a.md blog/a.md && rewrite blog/a.md $lines"
done
row 'a move with the title changed' 1 \
	'git mv _posts/2019-01-01-a.md blog/a.md && sed -i "s/^title: .*/title: Another title altogether/" blog/a.md'
row 'a move that doubles the post' 1 \
	'git mv _posts/2019-01-01-a.md blog/a.md && cat _posts/2019-01-02-b.md >>blog/a.md'
row 'a move that triples it (under half of the new file is old)' 0 \
	'git mv _posts/2019-01-01-a.md blog/a.md && cat _posts/2019-01-02-b.md _posts/2019-01-03-c.md >>blog/a.md'
row 'a move that keeps 6 of 10 lines' 1 \
	'git mv _posts/2019-01-01-a.md blog/a.md && sed -i "/^Line [1234] /d" blog/a.md'
row 'a move that keeps 3 of 10 lines' 0 \
	'git mv _posts/2019-01-01-a.md blog/a.md && sed -i "/^Line [1-7] /d" blog/a.md'
row 'two posts moved and edited: each to its own' 2 \
	'git mv _posts/2019-01-01-a.md blog/a.md && git mv _posts/2019-01-02-b.md blog/b.md &&
	 rewrite blog/a.md 1 2 && rewrite blog/b.md 9'
row 'two posts swap names' 2 \
	'mv _posts/2019-01-01-a.md x && mv _posts/2019-01-02-b.md _posts/2019-01-01-a.md &&
	 mv x _posts/2019-01-02-b.md && git mv _posts/2019-01-01-a.md blog/one.md &&
	 git mv _posts/2019-01-02-b.md blog/two.md'
row 'one deleted, two close copies added: the closer one' 1 \
	'cp _posts/2019-01-01-a.md blog/near.md && cp _posts/2019-01-01-a.md blog/far.md &&
	 git rm -q _posts/2019-01-01-a.md && rewrite blog/near.md 1 && rewrite blog/far.md 1 2 3'
row 'one deleted, two equal copies added: the same base name wins' 1 \
	'cp _posts/2019-01-01-a.md blog/x.md && mkdir -p blog/y && cp _posts/2019-01-01-a.md blog/y/2019-01-01-a.md &&
	 git rm -q _posts/2019-01-01-a.md && git add blog'
row 'two deleted, one added like both: the better source' 1 \
	'git rm -q _posts/2019-01-01-a.md _posts/2019-01-02-b.md &&
	 { git show HEAD:_posts/2019-01-01-a.md && git show HEAD:_posts/2019-01-02-b.md | tail -n 3; } >blog/mix.md'
row 'a post rewritten in place and another moved' 1 \
	'rewrite _posts/2019-01-03-c.md 1 2 3 4 5 6 7 8 9 10 && git mv _posts/2019-01-04-d.md blog/d.md'
row 'every post moved, half of them edited' 4 \
	'for p in a b c d; do git mv _posts/2019-01-0*-$p.md blog/$p.md || return 1; done &&
	 rewrite blog/a.md 1 && rewrite blog/c.md 2 3 4'

# same NAME N EXPECTED-PAIRS EDITS: a blog of N posts with the same content,
# _posts/2019-01-01-pI.md for I in 1..N, then EDITS; exact renames among
# identical files pair as git pairs them (the same base name first, among
# the first 100 unused sources).
same() {
	test_expect_success "$1" "
		new_repo same &&
		post _posts/2019-01-01-p1.md Same &&
		for i in \$(seq 2 $2); do cp _posts/2019-01-01-p1.md _posts/2019-01-01-p\$i.md || return 1; done &&
		commit_all base &&
		mkdir -p blog &&
		$4 &&
		commit_all edit &&
		compare &&
		test \$(wc -l <\"\$TRASH/git-pairs\") = $3
	"
}

same 'identical posts moved with their base names shuffled: each to its name' 3 3 \
	'git mv _posts/2019-01-01-p1.md blog/2019-01-01-p3.md &&
	 git mv _posts/2019-01-01-p2.md blog/2019-01-01-p1.md &&
	 git mv _posts/2019-01-01-p3.md blog/2019-01-01-p2.md'
same 'identical posts, two of three moved to new names: the first sources' 3 2 \
	'git rm -q _posts/2019-01-01-p2.md _posts/2019-01-01-p3.md _posts/2019-01-01-p1.md &&
	 git show HEAD:_posts/2019-01-01-p1.md >blog/y.md && git show HEAD:_posts/2019-01-01-p1.md >blog/x.md &&
	 git add blog'
same 'identical posts, a base name among the first 100 unused sources (path order: p110 is 14th) is found' 120 2 \
	'git rm -q -r _posts &&
	 git show HEAD:_posts/2019-01-01-p1.md >blog/2019-01-01-p110.md &&
	 git show HEAD:_posts/2019-01-01-p1.md >blog/2019-01-01-p5.md &&
	 git add blog'
same 'identical posts, a base name past the first 100 unused sources (p99 is 111th) is not looked for' 120 2 \
	'git rm -q -r _posts &&
	 git show HEAD:_posts/2019-01-01-p1.md >blog/2019-01-01-p99.md &&
	 git show HEAD:_posts/2019-01-01-p1.md >blog/2019-01-01-p5.md &&
	 git add blog'

test_done
