#!/bin/sh
# Rename detection at scale: one migration commit moves 1,500 published
# posts and publishes 300 drafts; and renames across the post globs.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/scan-lib.sh"

# gen_posts DIR FIRST LAST DRAFT: writes posts DIR/NAME-N.md for N in
# FIRST..LAST, each with a distinct ~500-byte body of pseudo-random words
# (so that rename detection works as on a real blog), and `draft: true`
# when DRAFT is 1. Published posts carry a date in their file name.
gen_posts() {
	mkdir -p "$1" &&
	awk -v dir="$1" -v first="$2" -v last="$3" -v draft="$4" 'BEGIN {
		nw = split("alpha bravo charlie delta echo foxtrot golf hotel india " \
			"juliet kilo lima mike november oscar papa quebec romeo sierra " \
			"tango uniform victor whiskey xray yankee zulu git blog post " \
			"draft herald commit branch merge rebase tree blob tag front " \
			"matter yaml markdown render feed atom webhook slack release " \
			"notes digest scan lint show event moved updated deleted new " \
			"scheduled published absent schedule backend frontend", w, " ")
		for (n = first; n <= last; n++) {
			x = n * 7919 + 17 + draft * 1000003
			if (draft) {
				f = sprintf("%s/draft-%d.md", dir, n)
			} else {
				f = sprintf("%s/2019-%02d-%02d-post-%d.md", dir, n % 12 + 1, n % 28 + 1, n)
			}
			printf "---\ntitle: Post number %d\ntags: [t%d, t%d]\n", n, n % 10, n % 7 > f
			if (draft)
				printf "draft: true\n" > f
			printf "---\n\nThis is %s %d.\n", draft ? "draft" : "post", n > f
			for (l = 0; l < 8; l++) {
				line = ""
				for (k = 0; k < 9; k++) {
					x = (x * 16807) % 2147483647
					line = line w[x % nw + 1] " "
				}
				print line n > f
			}
			close(f)
		}
	}'
}

# count_types: "TYPE COUNT" lines for scan.json, and "errors N" if any.
count_types() {
	python3 -c "
import json, sys, collections
d = json.load(open(sys.argv[1]))
for t, n in sorted(collections.Counter(e[\"type\"] for e in d[\"events\"]).items()):
    print(t, n)
if d[\"errors\"]:
    print(\"errors\", len(d[\"errors\"]))
" "$TRASH/scan.json"
}

test_expect_success 'setup: 1,500 published posts and 300 drafts' '
	new_repo big &&
	gen_posts _posts 1 1500 0 &&
	gen_posts _drafts 1 300 1 &&
	test $(ls _posts | wc -l) = 1500 &&
	test $(ls _drafts | wc -l) = 300 &&
	test $(wc -c <_posts/2019-02-02-post-1.md) -gt 400 &&
	commit_all "the blog" &&
	scan --all &&
	count_types >"$TRASH/actual" &&
	echo "new 1500" >"$TRASH/expect" &&
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

test_expect_success 'migration commit: 1,500 moved and 300 undrafted, nothing else' '
	cd "$TRASH/big" &&
	mkdir archive &&
	git mv _posts archive/_posts &&
	mkdir _posts &&
	for f in _drafts/draft-*.md
	do
		n=${f#_drafts/draft-} &&
		sed "/^draft: true$/d" "$f" >"_posts/2020-03-30-draft-$n" &&
		rm "$f" || return 1
	done &&
	commit_all "Migrate: archive old posts, publish every draft" &&
	test "$(git diff --name-status -M HEAD~1 HEAD | cut -c1 | sort | uniq -c | tr -s " ")" = " 1800 R" &&
	herald scan --json --now "$NOW" >"$TRASH/scan.json" &&
	python3 -c "
import json, sys, collections, os
d = json.load(open(sys.argv[1]))
print(sorted(collections.Counter(e[\"type\"] for e in d[\"events\"]).items()))
print(\"errors\", len(d[\"errors\"]))
bad = 0
for e in d[\"events\"]:
    p, f = e[\"path\"], e[\"from_path\"] or \"\"
    if e[\"type\"] == \"moved\":
        ok = p == \"archive/\" + f and not e[\"changes\"] and e[\"body_changed\"] is False
    elif e[\"type\"] == \"undrafted\":
        ok = f.startswith(\"_drafts/draft-\") and p == \"_posts/2020-03-30-\" + os.path.basename(f)
    else:
        ok = False
    if not ok:
        bad += 1
        if bad < 5:
            print(\"unexpected:\", e[\"type\"], p, f)
print(\"bad\", bad)
" "$TRASH/scan.json" >"$TRASH/actual" &&
	cat >"$TRASH/expect" <<-\EOT &&
	[('"'"'moved'"'"', 1500), ('"'"'undrafted'"'"', 300)]
	errors 0
	bad 0
	EOT
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

test_expect_success 'the migration in --drafts mode lists the same events' '
	cd "$TRASH/big" &&
	herald scan --json --drafts --now "$NOW" >"$TRASH/drafts.json" &&
	cmp "$TRASH/scan.json" "$TRASH/drafts.json"
'

test_expect_success 'one undrafted post of the migration in detail' '
	cd "$TRASH/big" &&
	scan &&
	python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
for e in d[\"events\"]:
    if e[\"path\"] == \"_posts/2020-03-30-draft-123.md\":
        print(e[\"type\"], e[\"from_path\"], e[\"state\"], e[\"title\"], e[\"date\"], e[\"tags\"])
" "$TRASH/scan.json" >"$TRASH/actual" &&
	cat >"$TRASH/expect" <<-\EOT &&
	undrafted _drafts/draft-123.md published Post number 123 2020-03-30T00:00:00Z ['"'"'t3'"'"', '"'"'t4'"'"']
	EOT
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

test_expect_success 'renamed out of the post globs is deleted, into them is new' '
	new_repo globs &&
	fm _posts/2020-03-30-leaving.md <<-\EOT &&
	title: Leaving
	EOT
	fm notes/arriving.md <<-\EOT &&
	title: Arriving
	EOT
	commit_all "base" &&
	git mv _posts/2020-03-30-leaving.md notes/leaving.md &&
	mkdir -p _posts &&
	git mv notes/arriving.md _posts/2020-03-30-arriving.md &&
	commit_all "swap" &&
	test "$(git diff --name-status -M HEAD~1 HEAD | cut -c1 | tr -d "\n")" = RR &&
	expect_fields type,path,title <<-\EOT
	new	_posts/2020-03-30-arriving.md	Arriving
	deleted	_posts/2020-03-30-leaving.md	Leaving
	EOT
'

test_expect_success 'renamed to a file name that is not a post (.txt) is deleted' '
	cd "$TRASH/globs" &&
	git mv _posts/2020-03-30-arriving.md _posts/2020-03-30-arriving.txt &&
	commit_all "not markdown any more" &&
	expect_events <<-\EOT
	deleted _posts/2020-03-30-arriving.md
	EOT
'

test_expect_success 'a copy of a post (the original kept) is new' '
	new_repo copy &&
	fm _posts/2020-03-30-orig.md <<-\EOT &&
	title: Orig
	EOT
	commit_all "orig" &&
	cp _posts/2020-03-30-orig.md _posts/2020-03-31-copy.md &&
	commit_all "copy" &&
	expect_events <<-\EOT
	new _posts/2020-03-31-copy.md
	EOT
'

test_expect_success 'rename similarity: a mostly kept body (git: 77%) is moved' '
	new_repo similarity &&
	gen_posts _posts 1 2 0 &&
	commit_all "two posts" &&
	mkdir blog &&
	git mv _posts/2019-02-02-post-1.md blog/kept.md &&
	sed -i "\$d" blog/kept.md &&
	sed -i "\$d" blog/kept.md &&
	commit_all "keep most of one" &&
	git diff --name-status -M50% HEAD~1 HEAD >"$TRASH/status" &&
	cat "$TRASH/status" &&
	grep "^R0[5-9][0-9]	_posts/2019-02-02-post-1.md	blog/kept.md" "$TRASH/status" &&
	expect_events <<-\EOT
	moved blog/kept.md < _posts/2019-02-02-post-1.md
	EOT
'

test_expect_success 'rename similarity: a body mostly rewritten (git: 25%, under 50%) is deleted + new' '
	cd "$TRASH/similarity" &&
	git mv _posts/2019-03-03-post-2.md blog/rewritten.md &&
	head -n 8 blog/rewritten.md >"$TRASH/head" &&
	gen_posts "$TRASH/gen" 9001 9001 0 &&
	tail -n 8 "$TRASH"/gen/*-post-9001.md >>"$TRASH/head" &&
	mv "$TRASH/head" blog/rewritten.md &&
	commit_all "rewrite the other" &&
	git diff --name-status -M1% HEAD~1 HEAD >"$TRASH/status" &&
	cat "$TRASH/status" &&
	grep "^R0[0-4][0-9]	_posts/2019-03-03-post-2.md	blog/rewritten.md" "$TRASH/status" &&
	expect_events <<-\EOT
	new blog/rewritten.md
	deleted _posts/2019-03-03-post-2.md
	EOT
'

test_expect_success 'a draft rewritten beyond recognition on publishing is new; --drafts shows the draft go' '
	new_repo draft-rewrite &&
	gen_posts _drafts 1 1 1 &&
	commit_all "draft" &&
	git rm -q _drafts/draft-1.md &&
	gen_posts "$TRASH/gen2" 9002 9002 0 &&
	mkdir _posts &&
	cp "$TRASH"/gen2/*-post-9002.md _posts/2020-03-30-draft-1.md &&
	commit_all "rewrite and publish" &&
	expect_events <<-\EOT &&
	new _posts/2020-03-30-draft-1.md
	EOT
	expect_events --drafts <<-\EOT
	new _posts/2020-03-30-draft-1.md
	draft _drafts/draft-1.md
	EOT
'

# herald compares the two trees itself (folders with the same id are not
# read): the changes must be the ones git lists, type changes included.
test_expect_success 'a post turned link, file turned folder, mode change, folder renamed: as git lists them' '
	new_repo kinds &&
	mkdir -p _posts/sub &&
	for i in 1 2 3
	do
		printf -- "---\ntitle: P$i\n---\nbody $i\n" >_posts/2020-01-0$i-p$i.md || return 1
	done &&
	cp _posts/2020-01-01-p1.md _posts/sub/2020-01-01-p1.md &&
	printf -- "---\ntitle: F\n---\nx\n" >_posts/2020-02-01-foo.md &&
	printf -- "---\ntitle: E\n---\ne\n" >_posts/2020-03-01-ex.md &&
	echo data >foo &&
	commit_all base &&
	rm _posts/2020-01-03-p3.md &&
	ln -s 2020-01-02-p2.md _posts/2020-01-03-p3.md &&
	chmod +x _posts/2020-03-01-ex.md &&
	rm _posts/2020-02-01-foo.md &&
	mkdir _posts/2020-02-01-foo.md &&
	printf -- "---\ntitle: G\n---\ny\n" >_posts/2020-02-01-foo.md/index.md &&
	rm foo && mkdir foo && echo z >foo/bar &&
	git mv _posts/sub _posts/sub2 &&
	commit_all edge &&
	test "$(git diff --raw --no-renames HEAD~1 HEAD | wc -l)" = 8 &&
	expect_events HEAD~1 HEAD <<-\EOT &&
	new _posts/2020-02-01-foo.md/index.md
	moved _posts/sub2/2020-01-01-p1.md < _posts/sub/2020-01-01-p1.md
	deleted _posts/2020-01-03-p3.md
	deleted _posts/2020-02-01-foo.md
	error _posts/2020-01-03-p3.md
	EOT
	git rm -q --cached _posts/2020-01-02-p2.md &&
	git update-index --add --cacheinfo 160000,$(git rev-parse HEAD),_posts/2020-01-02-p2.md &&
	git commit -q -m submodule &&
	expect_events HEAD~1 HEAD <<-\EOT
	deleted _posts/2020-01-02-p2.md
	error _posts/2020-01-02-p2.md
	EOT
'

test_done
