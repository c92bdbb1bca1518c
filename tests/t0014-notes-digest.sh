#!/bin/sh
# herald notes and herald digest: ranges, -o, --prepend on a changelog
# (once per range), template overrides (committed, work tree, partials,
# --template), digest --since DATE|REV, --until, --limit, the default
# seven days, and usage errors.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/scan-lib.sh"

# dated DATE NAME: a post NAME dated DATE, committed at noon on DATE.
dated() {
	fm "_posts/$1-$2.md" <<-EOT &&
	title: Post $2
	date: $1
	EOT
	git add -A &&
	GIT_AUTHOR_DATE="$1T12:00:00Z" GIT_COMMITTER_DATE="$1T12:00:00Z" \
		git commit -q -m "$2"
}

# titles: the "## " headings of a Markdown digest on stdin, one a line.
titles() {
	sed -n -e "s/^## \*\*\(.*\)\*\*$/\1/p" -e "s/^## \[\(.*\)\](.*)$/\1/p"
}

test_expect_success 'setup' '
	make_blog blog &&
	git rev-parse HEAD~1 >"$TRASH/v1" &&
	git rev-parse HEAD >"$TRASH/v2"
'

test_expect_success 'notes: the default range is the last commit' '
	cd blog &&
	herald notes --now "$NOW" >"$TRASH/default.md" &&
	herald notes HEAD~1..HEAD --now "$NOW" >"$TRASH/range.md" &&
	test_cmp "$TRASH/range.md" "$TRASH/default.md" &&
	head -n 1 "$TRASH/default.md" >"$TRASH/actual" &&
	echo "## Field Notes: blog changes $(git rev-parse --short HEAD~1)..$(git rev-parse --short HEAD)" >"$TRASH/expect" &&
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

test_expect_success 'notes: FROM TO and FROM alone' '
	cd blog &&
	herald notes v1 HEAD --now "$NOW" >"$TRASH/two.md" &&
	test_cmp "$TRASH/default.md" "$TRASH/two.md" &&
	herald notes v1 --now "$NOW" >"$TRASH/one.md" &&
	test_cmp "$TRASH/default.md" "$TRASH/one.md"
'

test_expect_success 'notes -o FILE writes the file, stdout stays empty' '
	cd blog &&
	herald notes --now "$NOW" -o "$TRASH/out.md" >"$TRASH/stdout" &&
	test ! -s "$TRASH/stdout" &&
	test_cmp "$TRASH/default.md" "$TRASH/out.md" &&
	herald notes --now "$NOW" --format html -o "$TRASH/out.html" &&
	grep "<section class=\"herald-notes\">" "$TRASH/out.html"
'

test_expect_success 'notes --prepend inserts after the # title, behind a marker' '
	cd blog &&
	printf "# Changelog\n\n## Older notes\n\n- something old\n" >"$TRASH/CHANGELOG.md" &&
	herald notes --now "$NOW" --prepend "$TRASH/CHANGELOG.md" >"$TRASH/stdout" &&
	{
		printf "# Changelog\n\n" &&
		echo "<!-- herald notes $(cat "$TRASH/v1")..$(cat "$TRASH/v2") -->" &&
		cat "$TRASH/default.md" &&
		printf "\n## Older notes\n\n- something old\n"
	} >"$TRASH/expect" &&
	test_cmp "$TRASH/expect" "$TRASH/CHANGELOG.md"
'

test_expect_success 'notes --prepend a second time for the same range changes nothing and says so' '
	cd blog &&
	cp "$TRASH/CHANGELOG.md" "$TRASH/before" &&
	herald notes --now "$NOW" --prepend "$TRASH/CHANGELOG.md" 2>"$TRASH/err" &&
	cmp "$TRASH/before" "$TRASH/CHANGELOG.md" &&
	grep "already has the notes" "$TRASH/err" &&
	test $(grep -c "<!-- herald notes" "$TRASH/CHANGELOG.md") = 1
'

test_expect_success 'notes --prepend for a new range goes on top of the earlier notes' '
	cd blog &&
	fm _posts/2020-03-31-next.md <<-\EOT &&
	title: The next post
	date: 2020-03-31
	EOT
	commit_all "Next post" &&
	herald notes --now "$NOW" --prepend "$TRASH/CHANGELOG.md" &&
	git reset -q --hard HEAD~1 &&
	grep -n "<!-- herald notes" "$TRASH/CHANGELOG.md" >"$TRASH/markers" &&
	test $(wc -l <"$TRASH/markers") = 2 &&
	head -n 1 "$TRASH/markers" | grep "^3:<!-- herald notes $(cat "$TRASH/v2")\.\." &&
	sed -n 1p "$TRASH/CHANGELOG.md" | grep "^# Changelog$" &&
	grep "The next post" "$TRASH/CHANGELOG.md"
'

test_expect_success 'notes --prepend on a file without a title or that does not exist' '
	cd blog &&
	printf "Some notes.\n" >"$TRASH/plain.md" &&
	herald notes --now "$NOW" --prepend "$TRASH/plain.md" &&
	head -n 1 "$TRASH/plain.md" | grep "^<!-- herald notes " &&
	tail -n 1 "$TRASH/plain.md" | grep "^Some notes.$" &&
	rm -f "$TRASH/new.md" &&
	herald notes --now "$NOW" --prepend "$TRASH/new.md" &&
	head -n 1 "$TRASH/new.md" | grep "^<!-- herald notes " &&
	grep "Hello, World" "$TRASH/new.md"
'

test_expect_success 'override: .herald/templates/notes.md committed in the repository (bare clone)' '
	rm -rf over over.git &&
	git clone -q blog over &&
	cd over &&
	mkdir -p .herald/templates &&
	printf "Committed: {{counts.new}} new\n{{#new}}* {{title}}\n{{/new}}" >.herald/templates/notes.md &&
	fm _posts/2020-04-01-own-notes.md <<-\EOT &&
	title: A post with its own notes
	date: 2020-04-01
	EOT
	commit_all "Our own notes template" &&
	cd .. && git clone -q --bare over over.git &&
	herald -C over.git notes --now "$NOW" >actual &&
	printf "Committed: 1 new\n* A post with its own notes\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'override: the committed template is read from TO (as .herald.yml is)' '
	herald -C over.git notes v1..HEAD~1 --now "$NOW" >actual &&
	head -n 1 actual | grep "^## Field Notes: blog changes "
'

test_expect_success 'override: the work tree copy wins over the committed one' '
	cd over &&
	printf "Work tree: {{counts.total}}\n" >.herald/templates/notes.md &&
	herald notes --now "$NOW" >../actual &&
	printf "Work tree: 1\n" >../expect &&
	test_cmp ../expect ../actual &&
	git checkout -q .herald/templates/notes.md &&
	herald notes --now "$NOW" >../actual &&
	head -n 1 ../actual | grep "^Committed: 1 new$"
'

test_expect_success 'override: other formats keep the built-in template' '
	cd over &&
	herald notes --format html --now "$NOW" >../actual &&
	grep "<section class=\"herald-notes\">" ../actual
'

test_expect_success 'override: a partial next to an overridden template' '
	rm -rf part && git clone -q blog part && cd part &&
	mkdir -p .herald/templates &&
	printf "{{#new}}{{> link}};{{/new}}\n" >.herald/templates/notes.md &&
	printf "<{{title}}>" >.herald/templates/link.md &&
	herald notes --now "$NOW" >../actual &&
	printf "<Our release checklist>;<Hello, World>;<Markup in summaries>;\n" >../expect &&
	test_cmp ../expect ../actual
'

test_expect_success 'override: .herald/templates/link.md alone restyles the links of the built-in templates' '
	rm -rf plink && git clone -q blog plink && cd plink &&
	mkdir -p .herald/templates &&
	printf "<{{title}}>" >.herald/templates/link.md &&
	herald notes --now "$NOW" >../actual &&
	grep "^- <Hello, World> (29 March 2020)" ../actual &&
	herald digest --since v1 --now "$NOW" >../actual &&
	grep "^## <Hello, World>$" ../actual
'

test_expect_success '--template FILE, with a partial from its folder' '
	cd blog &&
	mkdir -p "$TRASH/mine" &&
	printf "Mine: {{#posts}}{{> link}} {{/posts}}\n" >"$TRASH/mine/notes.txt" &&
	printf "({{slug}})" >"$TRASH/mine/link.txt" &&
	herald notes --template "$TRASH/mine/notes.txt" --now "$NOW" >"$TRASH/actual" &&
	printf "Mine: (markup) (hello-world) (release-checklist) (from-the-drafts) \n" >"$TRASH/expect" &&
	test_cmp "$TRASH/expect" "$TRASH/actual" &&
	herald digest --since v1 --template "$TRASH/mine/notes.txt" --now "$NOW" >"$TRASH/actual" &&
	test_cmp "$TRASH/expect" "$TRASH/actual"
'

test_expect_success '--template FILE: every summary form and the front matter, as the model has them' '
	cd blog &&
	mkdir -p "$TRASH/forms" &&
	printf "{{#posts}}{{slug}}\n{{> forms}}{{/posts}}" >"$TRASH/forms/digest.txt" &&
	printf "html={{summary_html}}\ntext={{summary_text}}\nmd={{summary_md}}\nmarkdown={{summary_markdown}}\nfm={{front_matter.title}}\n" \
		>"$TRASH/forms/forms.txt" &&
	printf "{{#posts}}{{.}}\n{{/posts}}" >"$TRASH/forms/whole.txt" &&
	herald notes --format json --now "$NOW" >"$TRASH/model.json" &&
	python3 -c "
import json, sys
for p in json.load(open(sys.argv[1]))[\"posts\"]:
    print(p[\"slug\"])
    for k in (\"html\", \"text\", \"md\", \"markdown\"):
        print(k + \"=\" + p[\"summary_\" + k])
    print(\"fm=\" + p[\"front_matter\"][\"title\"])
" "$TRASH/model.json" >"$TRASH/expect" &&
	grep "^html=<p>" "$TRASH/expect" &&
	herald digest --since v1 --template "$TRASH/forms/digest.txt" --now "$NOW" >"$TRASH/actual" &&
	test_cmp "$TRASH/expect" "$TRASH/actual" &&
	herald digest --since v1 --template "$TRASH/forms/whole.txt" --now "$NOW" >"$TRASH/whole" &&
	python3 -c "
import json, sys
want = json.load(open(sys.argv[1]))[\"posts\"]
got = [json.loads(l) for l in open(sys.argv[2])]
sys.exit(want != got)
" "$TRASH/model.json" "$TRASH/whole"
'

test_expect_success '--template FILE that does not exist: exit 128' '
	cd blog &&
	test_expect_code 128 herald notes --template "$TRASH/nosuch.md" --now "$NOW" 2>"$TRASH/err" &&
	test -s "$TRASH/err"
'

test_expect_success 'setup: a blog with dated commits and a merge' '
	new_repo dates &&
	dated 2020-02-01 a &&
	dated 2020-02-20 b &&
	git checkout -q -b side &&
	dated 2020-03-01 side &&
	git checkout -q main &&
	dated 2020-03-05 c &&
	GIT_AUTHOR_DATE=2020-03-06T12:00:00Z GIT_COMMITTER_DATE=2020-03-06T12:00:00Z \
		git merge -q --no-ff -m "Merge side" side &&
	dated 2020-03-10 d &&
	dated 2020-03-20 e
'

test_expect_success 'digest --since DATE: FROM is the newest first-parent commit at or before it' '
	cd dates &&
	herald digest --since 2020-03-01 --now 2020-03-25T00:00:00Z | titles >../actual &&
	printf "Post e\nPost d\nPost c\nPost side\n" >../expect &&
	test_cmp ../expect ../actual &&
	herald digest --since 2020-02-20 --now 2020-03-25T00:00:00Z | titles >../actual &&
	printf "Post e\nPost d\nPost c\nPost side\nPost b\n" >../expect &&
	test_cmp ../expect ../actual &&
	herald digest --since 2020-02-20T12:00:00Z --now 2020-03-25T00:00:00Z | titles >../actual &&
	printf "Post e\nPost d\nPost c\nPost side\n" >../expect &&
	test_cmp ../expect ../actual &&
	# the side branch commit (2020-03-01 noon) is newer than b but not on
	# the first-parent line, so FROM is still b and the merged post counts
	herald digest --since 2020-03-02 --now 2020-03-25T00:00:00Z | titles >../actual &&
	printf "Post e\nPost d\nPost c\nPost side\n" >../expect &&
	test_cmp ../expect ../actual
'

test_expect_success 'digest --since DATE before the first commit: everything is new' '
	cd dates &&
	herald digest --since 2020-01-01 --now 2020-03-25T00:00:00Z | titles >../actual &&
	printf "Post e\nPost d\nPost c\nPost side\nPost b\nPost a\n" >../expect &&
	test_cmp ../expect ../actual
'

test_expect_success 'digest --since DATE reads the same start from a commit-graph, stale or not' '
	cd dates &&
	for d in 2020-01-01 2020-02-20 2020-02-20T12:00:00Z 2020-03-02 2020-03-06T12:00:00Z 2020-03-21
	do
		herald digest --since $d --now 2020-03-25T00:00:00Z >"../plain-$d" || return 1
	done &&
	git commit-graph write --reachable &&
	test -f .git/objects/info/commit-graph &&
	for d in 2020-01-01 2020-02-20 2020-02-20T12:00:00Z 2020-03-02 2020-03-06T12:00:00Z 2020-03-21
	do
		herald digest --since $d --now 2020-03-25T00:00:00Z >../graph &&
		test_cmp "../plain-$d" ../graph || return 1
	done &&
	dated 2020-03-22 f &&
	herald digest --since 2020-03-02 --now 2020-03-25T00:00:00Z | titles >../actual &&
	printf "Post f\nPost e\nPost d\nPost c\nPost side\n" >../expect &&
	test_cmp ../expect ../actual &&
	git reset -q --hard HEAD~1 &&
	rm .git/objects/info/commit-graph
'

test_expect_success 'digest --since REV and --until REV' '
	cd dates &&
	herald digest --since HEAD~3 --now 2020-03-25T00:00:00Z | titles >../actual &&
	printf "Post e\nPost d\nPost side\n" >../expect &&
	test_cmp ../expect ../actual &&
	herald digest --since main~4 --until HEAD~1 --now 2020-03-25T00:00:00Z | titles >../actual &&
	printf "Post d\nPost c\nPost side\n" >../expect &&
	test_cmp ../expect ../actual &&
	herald digest --since 2020-02-02 --until HEAD~2 --now 2020-03-25T00:00:00Z | titles >../actual &&
	printf "Post c\nPost side\nPost b\n" >../expect &&
	test_cmp ../expect ../actual
'

test_expect_success 'digest --limit 2: the two newest' '
	cd dates &&
	herald digest --since 2020-01-01 --limit 2 --now 2020-03-25T00:00:00Z | titles >../actual &&
	printf "Post e\nPost d\n" >../expect &&
	test_cmp ../expect ../actual
'

test_expect_success 'digest default: the seven days before --now' '
	cd dates &&
	herald digest --now 2020-03-25T00:00:00Z | titles >../actual &&
	printf "Post e\n" >../expect &&
	test_cmp ../expect ../actual &&
	herald digest --now 2020-03-13T00:00:00Z --until HEAD~1 | titles >../actual &&
	printf "Post d\nPost side\n" >../expect &&
	test_cmp ../expect ../actual &&
	herald digest --now 2020-03-14T00:00:00Z --until HEAD~1 | titles >../actual &&
	printf "Post d\n" >../expect &&
	test_cmp ../expect ../actual &&
	herald digest --now 2020-04-30T00:00:00Z | titles >../actual &&
	test ! -s ../actual &&
	herald digest --now 2020-04-30T00:00:00Z | grep "^Nothing new this time.$"
'

test_expect_success 'digest -o FILE' '
	cd dates &&
	herald digest --since 2020-03-15 --now 2020-03-25T00:00:00Z -o ../digest.md >../stdout &&
	test ! -s ../stdout &&
	titles <../digest.md >../actual &&
	printf "Post e\n" >../expect &&
	test_cmp ../expect ../actual
'

test_expect_success 'unknown format: exit 129' '
	cd blog &&
	test_expect_code 129 herald notes --format xml --now "$NOW" >"$TRASH/out" 2>"$TRASH/err" &&
	test ! -s "$TRASH/out" && grep -- "--format" "$TRASH/err" &&
	test_expect_code 129 herald digest --format rss --now "$NOW" >"$TRASH/out" 2>"$TRASH/err" &&
	test ! -s "$TRASH/out" && grep -- "--format" "$TRASH/err" &&
	test_expect_code 129 herald notes --format atom --now "$NOW" 2>"$TRASH/err"
'

test_expect_success 'bad options and values: exit 129' '
	cd blog &&
	test_expect_code 129 herald notes --no-such-option 2>/dev/null &&
	test_expect_code 129 herald digest --limit many 2>/dev/null &&
	test_expect_code 129 herald digest --limit -1 2>/dev/null
'

test_expect_success 'unknown revision: exit 128' '
	cd blog &&
	test_expect_code 128 herald notes nosuch..HEAD 2>/dev/null &&
	test_expect_code 128 herald digest --since nosuch-rev 2>/dev/null &&
	test_expect_code 128 herald digest --until nosuch-rev 2>/dev/null
'

test_done
