#!/bin/sh
# herald against Hugo itself: small sites are listed with `hugo list
# all|drafts|future|expired`; herald's state, url and date of every page must
# be Hugo's. Covers the config directory with production overrides,
# multilingual content folders, year folders, page bundles, slug and url
# front matter, per-section permalinks, disablePathToLower, uglyURLs,
# translations by file name, odd file names, date forms and timeZone.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/scan-lib.sh"

if ! command -v hugo >/dev/null 2>&1; then
	test_skip 'hugo sites' 'hugo is not installed; make deps installs it'
	test_done
fi

# page PATH FRONT-MATTER-LINES...: a page with YAML front matter.
page() {
	p=$1 && shift &&
	mkdir -p "$(dirname "$p")" &&
	{ echo ---; for l in "$@"; do echo "$l"; done; echo ---; echo; echo "Body of $p."; } >"$p"
}

# list_and_compare: commits, lists with hugo, scans, compares.
list_and_compare() {
	commit_all "site" &&
	for what in all drafts future expired
	do
		hugo list $what >"$TRASH/hugo-$what.csv" 2>>"$TRASH/hugo.log" || return 1
	done &&
	herald scan --all --drafts --json >"$TRASH/scan.json"
	test $? -le 1 &&
	python3 "$TEST_DIR/lib/gen-compare.py" hugo "$TRASH/scan.json" \
		"$TRASH/hugo-all.csv" "$TRASH/hugo-drafts.csv" \
		"$TRASH/hugo-future.csv" "$TRASH/hugo-expired.csv"
}

test_expect_success 'config directory, production overrides, languages in content folders' '
	new_repo multi &&
	mkdir -p config/_default config/production &&
	cat >config/_default/hugo.yaml <<-\EOT &&
	baseURL: https://staging.example.org/
	title: Multi
	defaultContentLanguage: en
	timeZone: America/New_York
	EOT
	cat >config/_default/languages.yaml <<-\EOT &&
	en:
	  contentDir: content/en
	  weight: 1
	fr:
	  contentDir: content/fr
	  weight: 2
	EOT
	printf "baseURL: https://example.org/\n" >config/production/hugo.yaml &&
	page content/en/blog/2021/Collector.md "title: Collector" "date: 2021-03-04T10:00:00" &&
	page content/en/blog/_index.md "title: Blog" &&
	page content/fr/blog/bonjour.md "title: Bonjour" "date: 2021-03-04 9:00:00 +0000" &&
	page content/en/posts/trip/index.md "title: Trip" "date: 2021-03-05" "slug: My Trip" &&
	page "content/en/posts/links & more café.md" "title: Links" "date: 2021-03-06" &&
	page content/fr/blog/own.md "title: Own" "date: 2021-03-06" "url: /special/Own/" &&
	page content/en/posts/frac.md "title: Frac" "date: 2021-03-07T10:00:00.5+05:30" &&
	page content/en/posts/pub.md "title: Pub" "date: 2021-03-01" "publishDate: 2021-03-08" &&
	page content/en/posts/fut.md "title: Future" "date: 2099-05-10" &&
	page content/en/posts/dr.md "title: Draft" "date: 2020-05-10" "draft: true" &&
	page content/en/posts/gone.md "title: Gone" "date: 2020-05-10" "expiryDate: 2021-01-01" &&
	page content/en/about.md "title: About" &&
	list_and_compare
'

test_expect_success 'hugo.toml: permalinks per section, translations by file name, no lowercasing' '
	new_repo links &&
	cat >hugo.toml <<-\EOT &&
	baseURL = "https://links.example/sub/"
	disablePathToLower = true
	defaultContentLanguage = "en"
	defaultContentLanguageInSubdir = true
	[languages.en]
	weight = 1
	[languages.fr]
	weight = 2
	[permalinks]
	posts = "/:year/:month/:slug/"
	notes = "/:section/:filename/"
	pages = "/:slugorfilename/"
	essays = "/:title/"
	days = "/:year/:yearday/:weekday/:monthname/:weekdayname/:slug/"
	EOT
	page content/posts/trip/index.md "title: A Trip" "date: 2020-03-30T10:00:00Z" &&
	page content/posts/Named.md "title: Named" "date: 2020-03-31T23:00:00-02:00" "slug: Slug Given" &&
	page content/notes/x/Deep.md "title: Deep" "date: 2020-04-01" &&
	page content/pages/p.md "title: P" "date: 2020-04-02" &&
	page content/pages/q.fr.md "title: Q" "date: 2020-04-02" "slug: q-fr" &&
	page content/essays/e.md "title: '\''Ötzi & Co: Über'\''" "date: 2020-04-03" &&
	page content/Top.md "title: Top" "date: 2020-04-04" &&
	page content/days/d.md "title: D" "date: 2020-04-05T10:00:00Z" &&
	list_and_compare
'

test_expect_success 'config.toml: contentDir and uglyURLs' '
	new_repo ugly &&
	printf "baseURL = \"https://ugly.example\"\ncontentDir = \"site/words\"\nuglyURLs = true\n" >config.toml &&
	page site/words/posts/one.md "title: One" "date: 2020-03-30" &&
	page site/words/posts/b/index.md "title: Bundle" "date: 2020-03-30" &&
	page content/posts/elsewhere.md "title: Not content" "date: 2020-03-30" &&
	list_and_compare
'

test_expect_success 'leaf bundles hold resources, not pages; :sections and its slices' '
	new_repo bundles &&
	cat >hugo.toml <<-\EOT &&
	baseURL = "https://bundles.example/"
	[permalinks]
	posts = "/:sections/:filename/"
	docs = "/:sections[1:]/:slugorfilename/"
	notes = "/:sections[last]/:title/"
	deep = "/L:sections[last]/Z:sections[0]/S:sections[1:]/E:sections[:last]/A:sections[last:]/:filename/"
	EOT
	page content/posts/b/index.md "title: B" "date: 2021-01-02" &&
	page content/posts/b/extra.md "title: Extra" "date: 2021-01-02" &&
	page content/posts/b/sub/deep.md "title: Deep" "date: 2021-01-02" &&
	page content/posts/b/sub/index.md "title: Sub" "date: 2021-01-02" &&
	page content/posts/y2021/_index.md "title: Y" &&
	page content/posts/y2021/a.md "title: A" "date: 2021-01-02" &&
	page content/posts/y2021/m/c.md "title: C" "date: 2021-01-02" &&
	page content/posts/z/d.md "title: D" "date: 2021-01-02" &&
	page content/docs/x/_index.md "title: X" &&
	page content/docs/x/e.md "title: E Title" "date: 2021-01-02" &&
	page content/docs/x/r/index.md "title: R" "date: 2021-01-02" "slug: Sl Ug" &&
	page content/docs/x/r/notes.md "title: R notes" "date: 2021-01-02" &&
	page content/docs/t.md "title: T" "date: 2021-01-02" &&
	page content/notes/n1/_index.md "title: N1" &&
	page content/notes/n1/f.md "title: F Title" "date: 2021-01-02" &&
	page content/deep/_index.md "title: Deep" &&
	page content/deep/t.md "title: T" "date: 2021-01-02" &&
	page content/deep/s/_index.md "title: S" &&
	page content/deep/s/u.md "title: U" "date: 2021-01-02" &&
	page content/deep/s/v/_index.md "title: V" &&
	page content/deep/s/v/w.md "title: W" "date: 2021-01-02" &&
	list_and_compare &&
	herald scan --all --drafts --json >scan.json &&
	! grep -e extra.md -e deep.md -e sub/index.md -e r/notes.md scan.json
'

test_expect_success '[frontmatter] dates: :filename and its slug, :default, publishDate apart from date' '
	new_repo fmdates &&
	cat >hugo.toml <<-\EOT &&
	baseURL = "https://fm.example/"
	timeZone = "America/New_York"
	[frontmatter]
	date = [":filename", ":default"]
	publishDate = ["publishDate", ":git"]
	expiryDate = ["gone", ":default"]
	[permalinks]
	posts = "/:year/:month/:day/:slug/"
	EOT
	page content/posts/2021-01-05-x.md "title: X" &&
	page content/posts/2021-01-06-y.md "title: Y" "date: 2021-02-02" &&
	page content/posts/2021-01-07-bun/index.md "title: Bun" &&
	page content/posts/2021-1-8-one.md "title: One" "date: 2020-01-01" &&
	page content/posts/2021-01-09_und.md "title: Und" &&
	page content/posts/2021-01-10.md "title: Bare" &&
	page content/posts/2021-01-11-sl.md "title: Sl" "slug: given" &&
	page content/posts/p.md "title: P" "publishDate: 2021-03-01" &&
	page content/posts/2021-01-12-q.md "title: Q" "publishDate: 2099-03-01" &&
	page content/posts/both.md "title: Both" "date: 2021-05-01T23:30:00" "PublishDate: 2021-06-01" &&
	page content/posts/mod.md "title: Mod" "lastmod: 2021-07-01" &&
	page content/posts/gone.md "title: Gone" "date: 2021-01-01" "gone: 2021-02-01" &&
	page content/posts/bad-gone.md "title: Bad gone" "date: 2021-01-01" "gone: soon" "unpublishdate: 2021-02-01" &&
	page content/posts/2099-01-01-later.md "title: Later" &&
	page content/notes/2021-02-03-plain.md "title: Plain" &&
	list_and_compare
'

test_expect_success 'module mounts replace the content folder (hugo.toml)' '
	new_repo mounts &&
	cat >hugo.toml <<-\EOT &&
	baseURL = "https://mounts.example/"
	[permalinks]
	posts = "/:sections/:year/:filename/"
	[module]
	[[module.mounts]]
	source = "writing"
	target = "content/posts"
	[[module.mounts]]
	source = "./pages/"
	target = "content"
	[[module.mounts]]
	source = "assets"
	target = "assets"
	EOT
	page writing/a.md "title: A" "date: 2021-01-02" &&
	page writing/sub/_index.md "title: Sub" &&
	page writing/sub/b.md "title: B" "date: 2021-01-02" &&
	page writing/bun/index.md "title: Bun" "date: 2021-01-02" &&
	page writing/bun/res.md "title: Res" "date: 2021-01-02" &&
	page pages/about.md "title: About" "date: 2021-01-02" &&
	page pages/notes/n.md "title: N" "date: 2021-01-02" &&
	page content/posts/c.md "title: Not mounted" "date: 2021-01-02" &&
	list_and_compare
'

test_expect_success 'module mounts in the config directory, per language' '
	new_repo mounts-dir &&
	mkdir -p config/_default &&
	cat >config/_default/hugo.yaml <<-\EOT &&
	baseURL: https://mdir.example/
	defaultContentLanguage: en
	languages:
	  en: {weight: 1}
	  de: {weight: 2}
	EOT
	cat >config/_default/module.yaml <<-\EOT &&
	mounts:
	  - source: words/en
	    target: content/blog
	    lang: en
	  - source: words/de
	    target: content/blog
	    lang: de
	EOT
	page words/en/hello.md "title: Hello" "date: 2021-01-02" &&
	page words/de/hallo.md "title: Hallo" "date: 2021-01-03" &&
	page content/blog/x.md "title: Not mounted" "date: 2021-01-02" &&
	list_and_compare
'

test_done
