#!/bin/sh
# herald against Jekyll itself: small sites are built with `jekyll build`
# and a page that prints every document's path, url and date; herald's
# state, url and date of every post must be Jekyll's. Covers categories
# from folders and front matter, a post's own permalink:, permalink styles,
# slugify of odd file names (spaces, &, !, unicode, case), exclude:,
# special folders, collections with output: true, listing pages, every
# date form and the site's timezone:.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/scan-lib.sh"

if ! command -v jekyll >/dev/null 2>&1; then
	test_skip 'jekyll sites' 'jekyll is not installed; make deps installs it'
	test_done
fi

# post PATH FRONT-MATTER-LINES...: a post with that front matter.
post() {
	p=$1 && shift &&
	mkdir -p "$(dirname "$p")" &&
	{ echo ---; for l in "$@"; do echo "$l"; done; echo ---; echo; echo "Body of $p."; } >"$p"
}

# docs_page: the page that prints site.documents as JSON.
docs_page() {
	cat >herald-docs.json <<-\EOT
	---
	layout: null
	permalink: /herald-docs.json
	---
	[{% for d in site.documents %}{% assign c = site.collections | where: "label", d.collection | first %}{"path": {{ d.path | jsonify }}, "url": {{ d.url | jsonify }}, "date": {{ d.date | date: "%s" | jsonify }}, "output": {{ c.output | jsonify }}, "collection": {{ d.collection | jsonify }}}{% unless forloop.last %},{% endunless %}
	{% endfor %}]
	EOT
}

# build_and_compare SITE_URL [COLLECTIONS_DIR]: commits, builds twice, scans,
# compares.
build_and_compare() {
	docs_page &&
	commit_all "site" &&
	rm -rf "$TRASH/out" "$TRASH/out-all" &&
	jekyll build --safe --disable-disk-cache -q -s . -d "$TRASH/out" >"$TRASH/jekyll.log" 2>&1 &&
	jekyll build --safe --disable-disk-cache -q --future --drafts --unpublished \
		-s . -d "$TRASH/out-all" >>"$TRASH/jekyll.log" 2>&1 &&
	herald scan --all --drafts --json >"$TRASH/scan.json"
	test $? -le 1 &&
	python3 "$TEST_DIR/lib/gen-compare.py" jekyll "$TRASH/scan.json" "$1" \
		"$TRASH/out/herald-docs.json" "$TRASH/out-all/herald-docs.json" "$(date +%s)" ${2-}
}

test_expect_success 'pretty permalinks, categories, odd names, exclude, dates, timezone' '
	new_repo pretty &&
	cat >_config.yml <<-\EOT &&
	title: Pretty
	url: https://example.com
	baseurl: /blog
	permalink: pretty
	timezone: America/New_York
	exclude: [fixtures, notes/old]
	collections:
	  recipes:
	    output: true
	  internal:
	    output: false
	EOT
	post "_posts/2024-02-15-links & more.md" "title: Links" &&
	post "_posts/2024-02-16-ruby-1.8.7-p248-released!.md" "title: Ruby" &&
	post "_posts/2024-05-29-café über.md" "title: Cafe" "date: 2024-05-29 9:00:00 +0000" &&
	post "_posts/2016-05-10-zone.md" "title: Zone" "date: 2016-05-10 14:00:00 -4" &&
	post "_posts/2019-12-3-long-term-teams.md" "title: Teams" &&
	post "_posts/2019-12-04-three ways--to manage-.md" "title: Three" "date: 2019-12-3" "categories: Foo Bar" &&
	post en/news/_posts/2024-05-29-x.md "title: News" &&
	post notes/_posts/2024-01-02-kept.md "title: Kept" "categories: [Extra, notes]" &&
	post notes/old/_posts/2024-01-01-old.md "title: Old" &&
	post fixtures/_posts/2024-01-01-fx.md "title: Fixture" &&
	post _hidden/_posts/2024-01-01-h.md "title: Hidden folder" &&
	post _posts/2024-05-30-perm.md "title: Perm" "permalink: /own/:title/" &&
	post _posts/2024-05-31-spaced.md "title: Spaced" "permalink: /a b/c/" &&
	post _posts/2024-06-01-cat.md "title: Cat" "category: Big News" &&
	post _posts/2024-06-02-late.md "title: Late" "date: 2024-06-02 23:30:00 -0700" &&
	post _posts/2024-06-03-frac.md "title: Frac" "date: 2024-06-03 10:00:00.123456 +02:00" &&
	post _posts/2024-06-04-noz.md "title: No zone" "date: 2024-06-04 10:00" &&
	post _posts/2024-06-05-t.md "title: T" "date: 2024-06-05T10:00:00Z" &&
	post _posts/2024-06-06-tab.md "title: Tab" "date: \"2024-06-06 7:05:00 +05:30\"" &&
	post _posts/2024-06-07-plain.md "title: Plain stamp" "date: 2024-06-07 23:30:00" &&
	post _posts/2024-06-08-quoted.md "title: Quoted stamp" "date: \"2024-06-08 23:30:00\"" &&
	post _posts/2024-06-09-single.md "title: Single" "date: '"'"'2024-06-09 10:00:00'"'"'" &&
	post _posts/2024-06-10-frac.md "title: Frac" "date: 2024-06-10t9:05:07.25" &&
	post _posts/2024-06-11-str.md "title: Str" "date: !!str 2024-06-11 10:00:00" &&
	post "_posts/2024-07-01-Upper Case.md" "title: Upper" &&
	post _posts/2024-07-02-mark.markdown "title: Markdown ending" &&
	post _posts/sub/2024-07-03-in-sub.md "title: In a subfolder" &&
	post _posts/2024-07-04-sluggy.md "title: Sluggy" "slug: My Own Slug" &&
	post _posts/2024-07-05-dots....md "title: Dots" &&
	post _posts/2099-01-01-future.md "title: Future" &&
	post _posts/2024-01-01-hidden.md "title: Unpublished" "published: false" &&
	post _drafts/idea.md "title: Idea" &&
	post blog/index.html "title: Listing" &&
	post _recipes/soup.md "title: Soup" &&
	post "_recipes/sub/Big Stew.md" "title: Stew" &&
	post _internal/x.md "title: Internal" &&
	build_and_compare https://example.com/blog
'

test_expect_success 'the default date style, no timezone, a custom template' '
	new_repo plain &&
	printf "url: https://plain.example\n" >_config.yml &&
	post _posts/2024-02-15-one.md "title: One" "categories: [A, b]" &&
	post _posts/2024-02-16-two.html "title: Two" "date: 2024-02-16 23:59:59 -0100" &&
	post "_posts/2024-02-17-Ünïcödé name.md" "title: Unicode" &&
	build_and_compare https://plain.example &&
	new_repo custom &&
	printf "url: https://custom.example\npermalink: /:year/:i_month/:i_day/:slug:output_ext\n" >_config.yml &&
	post "_posts/2024-02-05-Hello World!.md" "title: Hello" &&
	post _posts/2024-03-06-x.md "title: X" "slug: Some Slug" &&
	build_and_compare https://custom.example &&
	new_repo ordinal &&
	printf "url: https://ordinal.example\npermalink: ordinal\n" >_config.yml &&
	post _posts/2024-02-05-day.md "title: Day" "categories: News" &&
	post _posts/2024-12-31-last.md "title: Last" &&
	build_and_compare https://ordinal.example &&
	new_repo none &&
	printf "url: https://none.example\npermalink: none\n" >_config.yml &&
	post _posts/2024-02-05-day.md "title: Day" "categories: News" &&
	build_and_compare https://none.example
'

test_expect_success 'an unreadable date is an error for that post, the others go on' '
	new_repo baddate &&
	printf "url: https://bad.example\n" >_config.yml &&
	post _posts/2024-02-15-good.md "title: Good" &&
	post _posts/2024-02-16-bad.md "title: Bad" "date: next tuesday" &&
	commit_all "posts" &&
	{ herald scan --all --json >"$TRASH/scan.json"; test $? -le 1; } &&
	cat >"$TRASH/expect" <<-\EOT &&
	_posts/2024-02-16-bad.md 3 1 '"'"'date'"'"' is not a date herald can read (YYYY-MM-DD, optionally with a time and zone)
	EOT
	python3 -c "
import json
d = json.load(open(\"$TRASH/scan.json\"))
for e in d[\"errors\"]:
    print(e[\"path\"], e[\"line\"], e[\"column\"], e[\"message\"])
assert [e[\"path\"] for e in d[\"events\"]] == [\"_posts/2024-02-15-good.md\"], d[\"events\"]
" >"$TRASH/actual" &&
	test_cmp "$TRASH/expect" "$TRASH/actual" &&
	! jekyll build --safe --disable-disk-cache -q -s . -d "$TRASH/out-bad" >"$TRASH/jekyll.log" 2>&1 &&
	grep "Invalid date" "$TRASH/jekyll.log"
'

test_expect_success 'front matter defaults: scopes by path, glob and type; precedence' '
	new_repo defaults &&
	cat >_config.yml <<-\EOT &&
	url: https://defaults.example
	permalink: pretty
	collections:
	  recipes:
	    output: true
	defaults:
	  - scope: {path: ""}
	    values: {layout: post, categories: [dflt]}
	  - scope: {path: "_posts/sub", type: posts}
	    values: {permalink: "/sub/:title/"}
	  - scope: {path: "_posts", type: posts}
	    values: {published: false}
	  - scope: {path: "_posts/2024-01-03-pub.md"}
	    values: {published: true}
	  - scope: {path: "_posts/2024-01-0"}
	    values: {categories: [prefix]}
	  - scope: {path: "*/_posts", type: post}
	    values: {published: true, category: globbed}
	  - scope: {type: recipes}
	    values: {permalink: "/r/:name/"}
	  - scope: {path: "_recipes/soup.md", type: recipes}
	    values: {permalink: "/soup-special/"}
	  - scope: {path: "_posts", type: pages}
	    values: {permalink: "/never/"}
	  - scope: {path: "_drafts"}
	    values: {title: drafted}
	EOT
	post _posts/2024-01-01-a.md "title: A" &&
	post _posts/sub/2024-01-02-b.md "title: B" "published: true" &&
	post _posts/2024-01-03-pub.md "title: Pub" &&
	post _posts/2024-02-04-c.md "title: C" "published: true" "categories: [own]" &&
	post _posts/2024-01-06-s.md "title: S" "published: true" "categories: Two prefix Words" &&
	post _posts/2024-01-07-k.md "title: K" "published: true" "category: Kat" &&
	post en/_posts/2024-01-05-en.md "title: En" &&
	post _recipes/soup.md "title: Soup" &&
	post _recipes/stew.md "title: Stew" &&
	post _drafts/d.md "title: D" &&
	build_and_compare https://defaults.example
'

test_expect_success 'collections_dir: posts, drafts and collections inside it only' '
	new_repo cdir &&
	cat >_config.yml <<-\EOT &&
	url: https://cdir.example
	collections_dir: my
	collections:
	  recipes:
	    output: true
	defaults:
	  - scope: {path: "my/_posts/sub"}
	    values: {permalink: "/sub/:title/"}
	  - scope: {path: "_posts/x"}
	    values: {categories: [stripped]}
	EOT
	post my/_posts/2024-01-01-a.md "title: A" &&
	post my/_posts/sub/2024-01-02-b.md "title: B" &&
	post my/_posts/x/2024-01-02-x.md "title: X" &&
	post _posts/2024-01-04-out.md "title: Outside" &&
	post my/en/_posts/2024-01-05-en.md "title: En" &&
	post en/_posts/2024-01-06-en2.md "title: En2" &&
	post my/_recipes/soup.md "title: Soup" &&
	post _recipes/stew.md "title: Stew outside" &&
	post my/_drafts/d.md "title: D" &&
	build_and_compare https://cdir.example my
'

test_expect_success 'no timezone: the build machine'"'"'s zone, given to herald in .herald.yml' '
	new_repo machine &&
	printf "url: https://machine.example\n" >_config.yml &&
	printf "timezone: America/Chicago\n" >.herald.yml &&
	post _posts/2024-03-01-name.md "title: Name only" &&
	post _posts/2024-03-02-short.md "title: Short" "date: 2024-03-02 23:30" &&
	post _posts/2024-03-03-stamp.md "title: Stamp" "date: 2024-03-03 23:30:00" &&
	post _posts/2024-03-04-day.md "title: Day" "date: 2024-03-04" &&
	(TZ=America/Chicago && export TZ && build_and_compare https://machine.example)
'

test_done
